//! Validation of the connection form, field by field and as a whole.

use proptest::prelude::*;
use versioning_core::{AuthMode, ConnectionForm, Field};

fn valid_cloud() -> ConnectionForm {
    ConnectionForm {
        name: "Checkout tests".into(),
        token: "ATATT3xFfGF0-demo".into(),
        pat: false,
        repository_url: "https://bitbucket.org/acme/checkout-tests.git".into(),
        username: "ada@example.com".into(),
        api_base_url: String::new(),
    }
}

fn error(form: &ConnectionForm, field: Field) -> String {
    form.check_field(field, &[]).expect_err("expected an error")
}

#[test]
fn a_valid_cloud_form_makes_a_basic_connection() {
    let connection = valid_cloud().to_connection(&[]).unwrap();
    assert_eq!(connection.auth, AuthMode::Basic);
    assert_eq!(connection.api_base_url, "https://api.bitbucket.org/2.0");
    assert_eq!(connection.location.slug, "checkout-tests");
}

#[test]
fn an_empty_form_reports_every_required_field() {
    let report = ConnectionForm::default().validate(&[]);
    let fields: Vec<Field> = report.errors.keys().copied().collect();
    assert_eq!(
        fields,
        [
            Field::Name,
            Field::Token,
            Field::RepositoryUrl,
            Field::Username
        ]
    );
    assert!(report.errors[&Field::Token].contains("Paste the access token"));
}

#[test]
fn connection_names() {
    let mut form = valid_cloud();
    form.name = "x".repeat(51);
    assert!(error(&form, Field::Name).contains("at most 50"));
    form.name = "Nightly/regression".into();
    assert!(error(&form, Field::Name).contains("\"/\" is not allowed"));
    form.name = "Équipe QA_1.0-beta".into();
    assert!(form.check_field(Field::Name, &[]).is_ok());
    let taken = vec!["équipe qa_1.0-beta".to_string(), "Other".into()];
    form.name = "Other".into();
    assert!(form
        .check_field(Field::Name, &taken)
        .unwrap_err()
        .contains("already has a connection named"));
}

#[test]
fn tokens_without_prefix_or_whitespace() {
    let mut form = valid_cloud();
    form.token = "Bearer abc".into();
    assert!(error(&form, Field::Token).contains("without the \"Bearer\" prefix"));
    form.token = "basic abc".into();
    assert!(error(&form, Field::Token).contains("without the \"basic\" prefix"));
    form.token = "abc def".into();
    assert!(error(&form, Field::Token).contains("spaces or line breaks"));
    form.token = "   ".into();
    assert!(error(&form, Field::Token).contains("Paste the access token"));
}

#[test]
fn cloud_api_tokens_need_an_email() {
    let mut form = valid_cloud();
    form.username = "ada".into();
    let message = error(&form, Field::Username);
    assert!(message.contains("Atlassian account email"), "{message}");
    form.pat = true;
    assert!(form.check_field(Field::Username, &[]).is_ok());
}

#[test]
fn data_center_basic_takes_a_username() {
    let mut form = valid_cloud();
    form.repository_url = "https://git.example.com/scm/qa/suite.git".into();
    form.username = "ada".into();
    assert!(form.check_field(Field::Username, &[]).is_ok());
    form.username = "ada:x".into();
    assert!(error(&form, Field::Username).contains("\":\""));
}

#[test]
fn credentials_in_the_url_are_dropped_with_a_warning() {
    let mut form = valid_cloud();
    form.repository_url =
        "https://x-token-auth:secret@bitbucket.org/acme/checkout-tests.git".into();
    let report = form.validate(&[]);
    assert!(report.is_valid());
    assert!(report.warnings[&Field::RepositoryUrl].contains("Never paste secrets"));
}

#[test]
fn api_base_url_override() {
    let mut form = valid_cloud();
    form.repository_url = "https://git.example.com/scm/qa/suite.git".into();
    form.api_base_url = "https://proxy.example.com/bitbucket/rest/".into();
    let connection = form.to_connection(&[]).unwrap();
    assert_eq!(
        connection.api_base_url,
        "https://proxy.example.com/bitbucket/rest"
    );
    for bad in [
        "http://proxy.example.com/rest",
        "https://u:p@proxy/rest",
        "ftp://x",
        "nope",
        "https://p/rest?x=1",
    ] {
        form.api_base_url = bad.into();
        assert!(form.check_field(Field::ApiBaseUrl, &[]).is_err(), "{bad}");
    }
    form.api_base_url = "http://localhost:7990/rest".into();
    assert!(form.check_field(Field::ApiBaseUrl, &[]).is_ok());
}

#[test]
fn token_kind_hints() {
    let mut form = valid_cloud();
    form.token = "ATCTT3xFfGF0-demo".into();
    let report = form.validate(&[]);
    assert!(report.warnings[&Field::Token].contains("tick Personal access token"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn no_input_makes_validation_panic(
        name in any::<String>(), token in any::<String>(), pat in any::<bool>(),
        url in any::<String>(), username in any::<String>(), base in any::<String>(),
    ) {
        let form = ConnectionForm { name, token, pat, repository_url: url, username, api_base_url: base };
        let report = form.validate(&["a".into()]);
        prop_assert_eq!(report.is_valid(), form.to_connection(&["a".into()]).is_ok());
    }

    #[test]
    fn messages_never_echo_the_token(token in "[A-Za-z0-9]{12,40}") {
        let mut form = valid_cloud();
        form.token = format!("Bearer {token}");
        form.username = "not-an-email".into();
        let report = form.validate(&[]);
        for message in report.errors.values().chain(report.warnings.values()) {
            prop_assert!(!message.contains(&token));
        }
    }
}
