//! Validation of the connection form, field by field and as a whole.

use proptest::prelude::*;
use versioning_core::bitbucket::Credentials;
use versioning_core::connection::{is_email, FieldError, Secret};
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
    form.check_field(field, &[])
        .expect_err("expected an error")
        .to_string()
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
    assert!(report.errors[&Field::Token]
        .to_string()
        .contains("Paste the access token"));
}

#[test]
fn field_errors_are_typed_reasons() {
    let report = ConnectionForm::default().validate(&[]);
    assert_eq!(report.errors[&Field::Name], FieldError::NameMissing);
    assert_eq!(report.errors[&Field::Token], FieldError::TokenMissing);
    assert_eq!(
        report.errors[&Field::RepositoryUrl],
        FieldError::RepositoryUrl(versioning_core::RepositoryUrlError::Empty)
    );
    let mut form = valid_cloud();
    form.username = "a@b.c@d".into();
    assert_eq!(
        form.check_field(Field::Username, &[]),
        Err(FieldError::UsernameNotEmail("a@b.c@d".into()))
    );
    form.name = "x".repeat(60);
    assert_eq!(
        form.check_field(Field::Name, &[]),
        Err(FieldError::NameTooLong { length: 60 })
    );
    form.api_base_url = "ftp://x".into();
    assert_eq!(
        form.check_field(Field::ApiBaseUrl, &[]),
        Err(FieldError::ApiBaseUrlScheme)
    );
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
        .to_string()
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
fn tokens_hold_only_visible_ascii() {
    let mut form = valid_cloud();
    form.pat = true;
    for token in [
        "ATCTT3\u{200b}xFfGF0",
        "\u{feff}ATCTT3xFfGF0",
        "ATCTT3xFfGF0\u{7f}",
        "ATCTT3xFfGF\u{e9}0",
        "ATCTT3\u{0}xFfGF0",
    ] {
        form.token = token.into();
        assert_eq!(
            form.check_field(Field::Token, &[]),
            Err(FieldError::TokenNotVisibleAscii),
            "{token:?}"
        );
        assert!(error(&form, Field::Token).contains("Copy it again straight from Bitbucket"));
        assert!(form.to_connection(&[]).is_err());
    }
    form.token = "ATCTT3xFfGF0-_.~+/=!#$%&*".into();
    assert_eq!(form.check_field(Field::Token, &[]), Ok(()));
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
    let warning = &report.warnings[&Field::RepositoryUrl];
    assert!(warning.contains("Never paste secrets"), "{warning}");
    assert!(warning.contains("were removed"), "{warning}");
    assert!(warning.contains("not stored"), "{warning}");
    assert!(!warning.contains("secret@"), "{warning}");
}

const TOKEN: &str = "ATATT3xFfGF0-s3cr3t-value-42";

#[test]
fn debug_output_never_shows_the_token() {
    let mut form = valid_cloud();
    form.token = TOKEN.into();
    let connection = form.to_connection(&[]).unwrap();
    let outputs = [
        format!("{form:?}"),
        format!("{form:#?}"),
        format!("{connection:?}"),
        format!("{:?}", form.validate(&[])),
        format!("{:?}", Credentials::from_connection(&connection)),
        format!("{:?}", Secret::from(TOKEN)),
        format!("{:?}", form.secret_token()),
    ];
    for output in &outputs {
        assert!(!output.contains(TOKEN), "{output}");
        assert!(!output.contains("s3cr3t"), "{output}");
    }
    assert!(outputs[0].contains("<redacted>"), "{}", outputs[0]);
    assert_eq!(connection.token.expose(), TOKEN);
    // A token pasted into another field is not shown by `Debug` either.
    form.username = format!("ada{TOKEN}");
    form.name = TOKEN.into();
    assert!(!format!("{form:?}").contains(TOKEN));
}

#[test]
fn the_token_pasted_into_a_stored_field_is_refused() {
    let base = {
        let mut form = valid_cloud();
        form.token = TOKEN.into();
        form
    };
    let mut name = base.clone();
    name.name = TOKEN.into();
    let mut username = base.clone();
    username.username = TOKEN.into();
    username.pat = true;
    let mut url = base.clone();
    url.repository_url = format!("https://bitbucket.org/acme/checkout-tests.git?t={TOKEN}");
    let mut api = base.clone();
    api.repository_url = "https://git.example.com/scm/qa/suite.git".into();
    api.username = "ada".into();
    api.api_base_url = format!("https://git.example.com/rest/{TOKEN}");
    for (form, field) in [
        (name, Field::Name),
        (username, Field::Username),
        (url, Field::RepositoryUrl),
        (api, Field::ApiBaseUrl),
    ] {
        let report = form.validate(&[]);
        let error = report
            .errors
            .get(&field)
            .unwrap_or_else(|| panic!("{field:?}"));
        assert_eq!(error, &FieldError::TokenInStoredField, "{field:?}");
        let message = error.to_string();
        assert!(message.contains("contains your access token"), "{message}");
        assert!(!message.contains(TOKEN));
        assert!(form.to_connection(&[]).is_err());
    }
    // In the URL's user information the token is removed, so the URL may still be used.
    let mut in_userinfo = base;
    in_userinfo.repository_url =
        format!("https://x-token-auth:{TOKEN}@bitbucket.org/acme/checkout-tests.git");
    assert!(in_userinfo.validate(&[]).is_valid());
}

#[test]
fn an_api_base_url_on_another_host_is_warned_about_by_name() {
    let mut form = valid_cloud();
    form.repository_url = "https://git.example.com/scm/qa/suite.git".into();
    form.username = "ada".into();
    form.api_base_url = "https://relay.example.net/bitbucket/rest".into();
    let report = form.validate(&[]);
    assert!(report.is_valid());
    let warning = &report.warnings[&Field::ApiBaseUrl];
    assert!(warning.contains("relay.example.net"), "{warning}");
    assert!(warning.contains("git.example.com"), "{warning}");
    // The repository's own host, or Cloud's API host, is not a warning.
    form.api_base_url = "https://git.example.com/bitbucket/rest".into();
    assert!(!form.validate(&[]).warnings.contains_key(&Field::ApiBaseUrl));
    let mut cloud = valid_cloud();
    cloud.api_base_url = "https://api.bitbucket.org/2.0".into();
    assert!(!cloud
        .validate(&[])
        .warnings
        .contains_key(&Field::ApiBaseUrl));
}

#[test]
fn one_email_rule_for_the_form_and_the_client() {
    let cases = [
        ("ada@example.com", true),
        (" ada@example.com ", true),
        ("a@b.c@d", false),
        ("a@b", false),
        ("@example.com", false),
        ("ada@.example.com", false),
        ("ada@example..com", false),
        ("ada@example.com.", false),
        ("ada lovelace@example.com", false),
        ("ada", false),
    ];
    for (text, expected) in cases {
        assert_eq!(is_email(text), expected, "{text:?}");
        let credentials = Credentials::new(AuthMode::Basic, text, "t");
        assert_eq!(credentials.username_is_email(), expected, "{text:?}");
        let mut form = valid_cloud();
        form.username = text.into();
        let accepted = form.check_field(Field::Username, &[]).is_ok();
        assert_eq!(accepted, expected, "{text:?}");
    }
}

#[test]
fn a_huge_api_base_url_is_refused_before_parsing() {
    let mut form = valid_cloud();
    form.api_base_url = format!("https://proxy.example.com/{}", "a".repeat(1 << 20));
    let message = error(&form, Field::ApiBaseUrl);
    assert!(message.contains("at most 2048"), "{message}");
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
    fn an_accepted_token_is_visible_ascii(token in any::<String>(), visible in "[!-~]{1,64}") {
        let mut form = valid_cloud();
        form.token = token;
        if form.check_field(Field::Token, &[]).is_ok() {
            prop_assert!(form.token.chars().all(|c| c.is_ascii_graphic()), "{:?}", form.token);
        }
        form.token = visible;
        prop_assert_eq!(form.check_field(Field::Token, &[]), Ok(()));
    }

    #[test]
    fn messages_never_echo_the_token(token in "[A-Za-z0-9]{12,40}") {
        let mut form = valid_cloud();
        form.token = format!("Bearer {token}");
        form.username = "not-an-email".into();
        let report = form.validate(&[]);
        let errors = report.errors.values().map(ToString::to_string);
        for message in errors.chain(report.warnings.values().cloned()) {
            prop_assert!(!message.contains(&token));
        }
    }
}
