//! Repository-URL parsing: the real-world URL table, hand-picked cases, and properties.

use std::path::PathBuf;

use proptest::prelude::*;
use serde_json::Value;
use versioning_core::repo_url::{without_credentials, MAX_URL_CHARS};
use versioning_core::{parse_repository_url, Flavour, RepositoryUrlError};

fn url_cases() -> Option<Vec<Value>> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/acceptance/url-cases/bitbucket-urls.json");
    let Ok(text) = std::fs::read_to_string(&path) else {
        println!("SKIPPED: {} not found", path.display());
        return None;
    };
    let doc: Value = serde_json::from_str(&text).expect("url cases are JSON");
    Some(doc["cases"].as_array().expect("cases array").clone())
}

/// Where what a Bitbucket user means differs from the upstream parser's expectation.
fn divergence(input: &str, field: &str) -> Option<&'static str> {
    match (field, input) {
        // bitbucket.com is an alias of bitbucket.org; the API and the repository are the same.
        ("host", i) if i.contains("bitbucket.com/") => {
            Some("bitbucket.com is served as bitbucket.org")
        }
        _ => None,
    }
}

#[test]
fn every_real_world_url_case_parses_as_bitbucket_means_it() {
    let Some(cases) = url_cases() else { return };
    assert!(
        cases.len() >= 100,
        "expected the full table, got {}",
        cases.len()
    );
    let mut checked = 0;
    for case in &cases {
        let input = case["input"].as_str().unwrap();
        let parsed = parse_repository_url(input);
        if !case["valid"].as_bool().unwrap() {
            assert!(parsed.is_err(), "{input:?} must be refused, got {parsed:?}");
            checked += 1;
            continue;
        }
        let location = parsed.unwrap_or_else(|e| panic!("{input:?} must parse: {e}"));
        let expected = &case["expected"];
        let flavour = match case["flavor"].as_str().unwrap() {
            "cloud" => Flavour::Cloud,
            _ => Flavour::DataCenter,
        };
        assert_eq!(location.flavour, flavour, "{input:?}");
        assert_eq!(
            location.slug,
            expected["repo"].as_str().unwrap(),
            "{input:?}"
        );
        let host = expected["host"].as_str().unwrap();
        if divergence(input, "host").is_none() {
            assert_eq!(location.host, host, "{input:?}");
        }
        match flavour {
            Flavour::Cloud => {
                assert_eq!(
                    location.owner,
                    expected["workspace"].as_str().unwrap(),
                    "{input:?}"
                );
                assert_eq!(
                    location.api_base_url, "https://api.bitbucket.org/2.0",
                    "{input:?}"
                );
            }
            Flavour::DataCenter => {
                // Data Center project keys are upper case; clone URLs show them in lower case.
                let project = expected["project"].as_str().unwrap();
                let canonical = expected["project_key_canonical"].as_str();
                assert!(location.owner.eq_ignore_ascii_case(project), "{input:?}");
                if let Some(key) = canonical {
                    assert_eq!(location.owner, key, "{input:?}");
                }
                if let Some(port) = expected["port"].as_u64() {
                    // An SSH port is never the HTTP port of the API.
                    let expected_port = (!location.from_ssh).then_some(port as u16);
                    assert_eq!(location.port, expected_port, "{input:?}");
                }
            }
        }
        if let Some(git_ref) = expected["ref"].as_str().filter(|r| !r.is_empty()) {
            assert_eq!(location.git_ref.as_deref(), Some(git_ref), "{input:?}");
        }
        let auth_in_url = expected["auth"].as_str().is_some()
            || input.contains("x-token-auth")
            || input.contains("user@")
            || input.contains("password@");
        if auth_in_url && !input.starts_with("ssh://git@") {
            assert!(location.had_credentials, "{input:?} carries credentials");
        }
        checked += 1;
    }
    assert_eq!(checked, cases.len());
}

#[test]
fn cloud_clone_url_with_git_clone_prefix() {
    let location =
        parse_repository_url("  git clone https://ada@bitbucket.org/acme/checkout-tests.git ")
            .unwrap();
    assert_eq!(location.owner, "acme");
    assert_eq!(location.slug, "checkout-tests");
    assert!(location.had_credentials);
    assert_eq!(
        location.summary(),
        "Bitbucket Cloud · workspace `acme` · repository `checkout-tests`"
    );
}

#[test]
fn data_center_with_port_and_context_path() {
    let location = parse_repository_url(
        "https://git.example.com:8443/bitbucket/projects/QA/repos/suite/browse/a.json?at=dev",
    )
    .unwrap();
    assert_eq!(location.flavour, Flavour::DataCenter);
    assert_eq!(location.context_path, "/bitbucket");
    assert_eq!(
        location.api_base_url,
        "https://git.example.com:8443/bitbucket/rest"
    );
    assert_eq!(location.git_ref.as_deref(), Some("dev"));
    assert_eq!(location.full_name(), "QA/suite");
}

#[test]
fn data_center_personal_repository() {
    let location = parse_repository_url("https://git.example.com/scm/~Ada/notes.git").unwrap();
    assert_eq!(location.owner, "~ada");
    assert!(location.summary().contains("personal repository of `ada`"));
}

#[test]
fn local_sandbox_urls() {
    let cloud = parse_repository_url("http://localhost:7990/acme/checkout-tests").unwrap();
    assert_eq!(cloud.flavour, Flavour::Cloud);
    assert_eq!(cloud.api_base_url, "http://localhost:7990/2.0");
    let dc = parse_repository_url("http://127.0.0.1:7990/scm/qa/regression-suite.git").unwrap();
    assert_eq!(dc.flavour, Flavour::DataCenter);
    assert_eq!(dc.api_base_url, "http://127.0.0.1:7990/rest");
}

#[test]
fn refusals_say_what_to_do() {
    let cases = [
        ("", RepositoryUrlError::Empty),
        (
            "http://bitbucket.example.com/scm/qa/x.git",
            RepositoryUrlError::InsecureHttp,
        ),
        (
            "git://bitbucket.org/foo/bar",
            RepositoryUrlError::UnsupportedScheme("git".into()),
        ),
        (
            "https://bitbucket.org/acme",
            RepositoryUrlError::MissingRepository("acme".into()),
        ),
        (
            "https://bitbucket.org/foo/bar/get/archive.tar.gz",
            RepositoryUrlError::NotARepository("a download"),
        ),
        (
            "https://github.com/foo/bar",
            RepositoryUrlError::UnrecognisedPath,
        ),
        ("not a url", RepositoryUrlError::NotAUrl),
    ];
    for (input, expected) in cases {
        assert_eq!(parse_repository_url(input), Err(expected), "{input:?}");
    }
    assert!(RepositoryUrlError::InsecureHttp
        .to_string()
        .contains("https://"));
}

#[test]
fn a_megabyte_of_text_is_refused_before_parsing() {
    let huge = "a/".repeat(512 * 1024);
    let with_host = format!("https://bitbucket.org/{huge}");
    let scm = format!(
        "https://git.example.com/{}scm/qa/x.git",
        "c/".repeat(512 * 1024)
    );
    for text in [huge.as_str(), with_host.as_str(), scm.as_str()] {
        match parse_repository_url(text) {
            Err(RepositoryUrlError::TooLong { length }) => assert_eq!(length, text.chars().count()),
            other => panic!("expected TooLong, got {other:?}"),
        }
    }
    let message = RepositoryUrlError::TooLong { length: 1 << 20 }.to_string();
    assert!(message.contains("at most 2048"), "{message}");
}

#[test]
fn a_url_of_the_maximum_length_with_many_segments_parses() {
    let prefix = "https://git.example.com/";
    let suffix = "scm/qa/suite.git";
    let context = "c/".repeat((MAX_URL_CHARS - prefix.len() - suffix.len()) / 2);
    let text = format!("{prefix}{context}{suffix}");
    assert!(text.len() <= MAX_URL_CHARS);
    let location = parse_repository_url(&text).unwrap();
    assert_eq!(location.slug, "suite");
    let longer = format!("{text}{}", "/".repeat(MAX_URL_CHARS));
    assert!(matches!(
        parse_repository_url(&longer),
        Err(RepositoryUrlError::TooLong { .. })
    ));
}

#[test]
fn a_percent_encoded_context_path_is_kept_as_written() {
    let location =
        parse_repository_url("https://git.example.com/bit%2Fbucket%20dc/scm/qa/suite.git").unwrap();
    assert_eq!(location.context_path, "/bit%2Fbucket%20dc");
    assert_eq!(
        location.api_base_url,
        "https://git.example.com/bit%2Fbucket%20dc/rest"
    );
    let browse = parse_repository_url(
        "https://git.example.com/%7Eteam/projects/QA/repos/suite/browse?at=refs%2Fheads%2Ffeature%2Fx",
    )
    .unwrap();
    assert_eq!(browse.context_path, "/%7Eteam");
    assert_eq!(browse.git_ref.as_deref(), Some("refs/heads/feature/x"));
}

#[test]
fn browse_urls_keep_the_whole_branch_name() {
    let cases = [
        (
            "https://bitbucket.org/acme/suite/branch/feature/x",
            "feature/x",
        ),
        (
            "https://bitbucket.org/acme/suite/branch/team/a/b",
            "team/a/b",
        ),
        ("https://bitbucket.org/acme/suite/branch/main", "main"),
        (
            "https://bitbucket.org/acme/suite/src/feature/x/cases/a.json",
            "feature/x",
        ),
        ("https://bitbucket.org/acme/suite/src/bugfix/y/", "bugfix/y"),
        (
            "https://bitbucket.org/acme/suite/src/master/README.md",
            "master",
        ),
        (
            "https://bitbucket.org/acme/suite/src/0a1b2c3/a.json?at=team%2Fwork",
            "team/work",
        ),
        (
            "https://bitbucket.org/acme/suite/src/feature%2Fz/a.json",
            "feature/z",
        ),
    ];
    for (input, expected) in cases {
        let location = parse_repository_url(input).unwrap();
        assert_eq!(location.git_ref.as_deref(), Some(expected), "{input}");
        assert_eq!(location.full_name(), "acme/suite", "{input}");
    }
}

#[test]
fn dot_segments_are_refused_not_resolved() {
    for input in [
        "https://bitbucket.org/team/./../other/repo",
        "https://bitbucket.org/team/../other/repo",
        "https://bitbucket.org/team/repo/..",
        "https://bitbucket.org/team/%2e%2E/other/repo",
        "https://bitbucket.org/team/.%2e/other/repo",
        "https://bitbucket.org/team\\..\\other/repo",
        "https://git.example.com/scm/qa/../../other/x.git",
        "git@bitbucket.org:team/../other/repo.git",
        "ssh://git@git.example.com:7999/qa/../x.git",
        "bitbucket:team/../other",
    ] {
        assert_eq!(
            parse_repository_url(input),
            Err(RepositoryUrlError::DotSegment),
            "{input}"
        );
    }
    assert!(RepositoryUrlError::DotSegment.to_string().contains(".."));
    // Dots inside names are fine.
    assert!(parse_repository_url("https://bitbucket.org/team/my.repo.git").is_ok());
    assert!(parse_repository_url("https://bitbucket.org/team/repo?x=../y").is_ok());
}

#[test]
fn urls_are_stored_without_their_user_information() {
    let cases = [
        (
            "https://x-token-auth:s3cr3t@bitbucket.org/ws/repo.git",
            "https://bitbucket.org/ws/repo.git",
        ),
        (
            "  git clone https://ada:pw@bitbucket.org/ws/repo.git ",
            "https://bitbucket.org/ws/repo.git",
        ),
        (
            "https://s3cr3t@bitbucket.org/ws/repo",
            "https://bitbucket.org/ws/repo",
        ),
        (
            "https://a:b@c:s3cr3t@git.example.com:8443/scm/qa/x.git?at=dev",
            "https://git.example.com:8443/scm/qa/x.git?at=dev",
        ),
        (
            "git+ssh://user:s3cr3t@bitbucket.org:foo/bar",
            "git+ssh://bitbucket.org:foo/bar",
        ),
        (
            "ssh://git@bitbucket.org/foo/bar.git",
            "ssh://git@bitbucket.org/foo/bar.git",
        ),
        (
            "user:s3cr3t@bitbucket.org:foo/bar.git",
            "bitbucket.org:foo/bar.git",
        ),
        (
            "git@bitbucket.org:foo/bar.git",
            "git@bitbucket.org:foo/bar.git",
        ),
        ("bitbucket:user:s3cr3t@foo/bar#dev", "bitbucket:foo/bar#dev"),
        (
            "https://bitbucket.org/ws/repo",
            "https://bitbucket.org/ws/repo",
        ),
    ];
    for (input, expected) in cases {
        let stored = without_credentials(input);
        assert_eq!(stored, expected, "{input}");
        // The stored URL names the same repository, without credentials.
        let before = parse_repository_url(input).unwrap();
        let after = parse_repository_url(&stored).unwrap();
        assert_eq!(after.full_name(), before.full_name(), "{input}");
        assert!(!after.had_credentials, "{input}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn long_random_text_never_panics(
        input in proptest::collection::vec(any::<char>(), 1900..6000).prop_map(|c| c.into_iter().collect::<String>()),
        prefix in "(https://bitbucket.org/|https://h/scm/|git@h:|bitbucket:|)",
    ) {
        let text = format!("{prefix}{input}");
        match parse_repository_url(&text) {
            Err(RepositoryUrlError::TooLong { length }) => prop_assert!(length > MAX_URL_CHARS),
            _ => prop_assert!(text.trim().chars().count() <= MAX_URL_CHARS),
        }
        let _ = without_credentials(&text);
    }

    #[test]
    fn without_credentials_never_keeps_a_password(
        user in "[a-z-]{1,12}", password in "[A-Za-z0-9]{8,20}", ws in "[a-z][a-z0-9-]{0,10}",
    ) {
        for form in [
            format!("https://{user}:{password}@bitbucket.org/{ws}/repo.git"),
            format!("git+ssh://{user}:{password}@bitbucket.org/{ws}/repo.git"),
            format!("{user}:{password}@bitbucket.org:{ws}/repo.git"),
            format!("bitbucket:{user}:{password}@{ws}/repo"),
        ] {
            prop_assert!(!without_credentials(&form).contains(&password), "{}", form);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn no_input_makes_the_parser_panic(input in any::<String>()) {
        let _ = parse_repository_url(&input);
    }

    #[test]
    fn url_like_inputs_never_panic(input in "(https?|ssh|git\\+ssh|bitbucket)(://|:)[a-z@:.~/#?=%-]{0,40}") {
        let _ = parse_repository_url(&input);
    }

    #[test]
    fn cloud_urls_round_trip(ws in "[a-z0-9][a-z0-9_-]{0,20}", slug in "[a-z0-9][a-z0-9._-]{0,30}") {
        prop_assume!(!slug.ends_with(".git") && slug != "." && slug != "..");
        for form in [
            format!("https://bitbucket.org/{ws}/{slug}.git"),
            format!("git@bitbucket.org:{ws}/{slug}.git"),
            format!("https://someone@bitbucket.org/{ws}/{slug}"),
        ] {
            let location = parse_repository_url(&form).unwrap();
            prop_assert_eq!(&location.owner, &ws);
            prop_assert_eq!(&location.slug, &slug);
        }
    }

    #[test]
    fn data_center_urls_round_trip(key in "[A-Z][A-Z0-9]{0,9}", slug in "[a-z0-9][a-z0-9_-]{0,30}", port in 1u16..) {
        let clone = format!("https://git.example.com:{port}/scm/{}/{slug}.git", key.to_lowercase());
        let location = parse_repository_url(&clone).unwrap();
        prop_assert_eq!(&location.owner, &key);
        prop_assert_eq!(&location.slug, &slug);
        let port_suffix = if port == 443 { String::new() } else { format!(":{port}") };
        prop_assert_eq!(location.api_base_url, format!("https://git.example.com{port_suffix}/rest"));
    }
}
