//! Branch and version names: the canonical form (one `refs/heads/` or `refs/tags/` stripped), what is
//! refused and what the user reads then, the push and pull checks built on it, and properties.

use crate::support;

use proptest::prelude::*;
use support::{Driver, Product, Sandbox};
use versioning_core::artifacts::demo::demo_projects;
use versioning_core::names::{CharacterClass, NameError, NameProblem, RefKind, MAX_NAME_BYTES};
use versioning_core::roles::{Denial, Role};
use versioning_core::sync::{
    check_request, LocalFiles, PullSource, PushPlanner, PushRequest, PushSender, ScmParameters,
    SyncError,
};

fn problem(kind: RefKind, name: &str) -> Option<NameProblem> {
    kind.canonical(name).err().map(|error| error.problem)
}

fn character(character: char, position: usize, class: CharacterClass) -> Option<NameProblem> {
    Some(NameProblem::Character {
        character,
        position,
        class,
    })
}

#[test]
fn one_prefix_of_the_kind_is_stripped() {
    let cases = [
        (RefKind::Branch, "main", "main"),
        (RefKind::Branch, "refs/heads/main", "main"),
        (RefKind::Branch, "refs/heads/feature/login", "feature/login"),
        (RefKind::Branch, "release/2.0", "release/2.0"),
        (RefKind::Branch, "refs", "refs"),
        (RefKind::Version, "v1.2", "v1.2"),
        (RefKind::Version, "refs/tags/v1.2", "v1.2"),
    ];
    for (kind, name, canonical) in cases {
        assert_eq!(kind.canonical(name).as_deref(), Ok(canonical), "{name}");
    }
}

#[test]
fn refused_names_with_their_reason() {
    use CharacterClass::*;
    let long = "a".repeat(MAX_NAME_BYTES + 1);
    let cases = [
        (RefKind::Branch, "", Some(NameProblem::Empty)),
        (RefKind::Branch, "refs/heads/", Some(NameProblem::Empty)),
        (
            RefKind::Branch,
            "refs/heads/refs/heads/main",
            Some(NameProblem::OtherReference),
        ),
        (
            RefKind::Branch,
            "refs/tags/v1",
            Some(NameProblem::OtherReference),
        ),
        (
            RefKind::Branch,
            "refs/remotes/origin/main",
            Some(NameProblem::OtherReference),
        ),
        (
            RefKind::Version,
            "refs/heads/main",
            Some(NameProblem::OtherReference),
        ),
        (RefKind::Branch, "HEAD", Some(NameProblem::Head)),
        (RefKind::Branch, "head", Some(NameProblem::Head)),
        (RefKind::Branch, "refs/heads/HEAD", Some(NameProblem::Head)),
        (RefKind::Version, "HEAD", Some(NameProblem::Head)),
        (
            RefKind::Branch,
            "m\u{430}in",
            character('\u{430}', 2, NonAscii),
        ),
        (
            RefKind::Branch,
            "r\u{e9}sum\u{e9}",
            character('\u{e9}', 2, NonAscii),
        ),
        (
            RefKind::Branch,
            "main\u{200B}",
            character('\u{200B}', 5, Invisible),
        ),
        (
            RefKind::Branch,
            "\u{FEFF}main",
            character('\u{FEFF}', 1, Invisible),
        ),
        (
            RefKind::Branch,
            "ma\u{202E}in",
            character('\u{202E}', 3, Invisible),
        ),
        (
            RefKind::Branch,
            "ma\u{200F}in",
            character('\u{200F}', 3, Invisible),
        ),
        (
            RefKind::Branch,
            "a\u{A0}b",
            character('\u{A0}', 2, Invisible),
        ),
        (
            RefKind::Version,
            "v1\u{2060}",
            character('\u{2060}', 3, Invisible),
        ),
        (RefKind::Branch, "a\tb", character('\t', 2, Control)),
        (RefKind::Branch, "a\u{7F}", character('\u{7F}', 2, Control)),
        (RefKind::Branch, "a b", character(' ', 2, Reserved)),
        (RefKind::Branch, " main", character(' ', 1, Reserved)),
        (RefKind::Branch, "a:b", character(':', 2, Reserved)),
        (RefKind::Branch, "a\\b", character('\\', 2, Reserved)),
        (RefKind::Branch, "a..b", Some(NameProblem::Syntax)),
        (RefKind::Branch, "a.lock/b", Some(NameProblem::Syntax)),
        (RefKind::Branch, "a.lock", Some(NameProblem::Syntax)),
        (RefKind::Branch, "-x", Some(NameProblem::Syntax)),
        (RefKind::Branch, "x/", Some(NameProblem::Syntax)),
        (RefKind::Branch, "/x", Some(NameProblem::Syntax)),
        (RefKind::Branch, "a//b", Some(NameProblem::Syntax)),
        (RefKind::Branch, ".x", Some(NameProblem::Syntax)),
        (RefKind::Branch, "x/.y", Some(NameProblem::Syntax)),
        (RefKind::Branch, "x.", Some(NameProblem::Syntax)),
        (RefKind::Branch, "@", Some(NameProblem::Syntax)),
        (RefKind::Branch, "a@{1}", Some(NameProblem::Syntax)),
        (RefKind::Branch, &long, Some(NameProblem::TooLong)),
    ];
    for (kind, name, expected) in cases {
        assert_eq!(problem(kind, name), expected, "{kind} {name:?}");
    }
}

#[test]
fn messages_name_the_character_and_say_what_to_do() {
    let text = |kind: RefKind, name: &str| kind.canonical(name).unwrap_err().to_string();
    assert_eq!(
        text(RefKind::Branch, "m\u{430}in"),
        "“m\u{430}in” cannot be a branch name: its character 2 “\u{430}” (U+0430) is not ASCII, and \
         may only look like an ASCII letter. Branch and version names take ASCII only: type the name \
         again, and use ASCII letters, digits, `-`, `_`, `.` and `/`."
    );
    let invisible = text(RefKind::Version, "v1\u{200B}");
    assert!(
        invisible.starts_with("“v1\\u{200B}” cannot be a version name: its character 3 is an invisible character (U+200B)"),
        "{invisible}"
    );
    assert!(!invisible.contains('\u{200B}'), "{invisible}");
    let other = text(RefKind::Branch, "refs/tags/v1");
    assert!(other.contains("without `refs/`"), "{other}");
    assert!(text(RefKind::Branch, "HEAD").contains("Choose another name"));
    assert!(text(RefKind::Branch, "a b").contains("is a space"));
    assert_eq!(text(RefKind::Branch, ""), "Enter a branch name.");
}

fn push(branch: &str) -> PushRequest {
    PushRequest {
        roles: vec![Role::QualityLead],
        main_branch: Some("main".to_owned()),
        branch: branch.to_owned(),
        new_branch_from: None,
        message: "Update the checkout tests".to_owned(),
        version: None,
        approved_only: false,
        parameters: ScmParameters::default(),
        base: None,
        seed: 7,
    }
}

#[test]
fn a_push_refuses_each_name_as_what_it_is() {
    let invalid = |request: PushRequest| match check_request(&request) {
        Err(SyncError::InvalidName(NameError { kind, problem, .. })) => (kind, problem),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        invalid(push("fe\u{200B}ature")),
        (
            RefKind::Branch,
            NameProblem::Character {
                character: '\u{200B}',
                position: 3,
                class: CharacterClass::Invisible
            }
        )
    );
    let from_tag = PushRequest {
        new_branch_from: Some("refs/tags/v1".to_owned()),
        ..push("feature/login")
    };
    assert_eq!(
        invalid(from_tag),
        (RefKind::Branch, NameProblem::OtherReference)
    );
    let head_version = PushRequest {
        version: Some("HEAD".to_owned()),
        ..push("feature/login")
    };
    assert_eq!(invalid(head_version), (RefKind::Version, NameProblem::Head));
}

#[test]
fn a_version_named_as_the_branch_pushed_is_refused() {
    for (branch, version) in [
        ("release-2", "release-2"),
        ("refs/heads/release-2", "release-2"),
        ("release-2", "refs/tags/release-2"),
    ] {
        let request = PushRequest {
            version: Some(version.to_owned()),
            ..push(branch)
        };
        let refused = check_request(&request).unwrap_err();
        assert_eq!(
            refused,
            SyncError::VersionIsBranch {
                name: "release-2".to_owned()
            }
        );
        assert!(refused.to_string().contains("Choose another version name"));
    }
    let other = PushRequest {
        version: Some("Release-2".to_owned()),
        ..push("release-2")
    };
    assert_eq!(check_request(&other), Ok(()));
}

#[test]
fn a_quality_engineer_reaches_the_main_branch_in_no_case_and_no_spelling() {
    for branch in ["main", "Main", "MAIN", "refs/heads/main", "refs/heads/mAiN"] {
        let request = PushRequest {
            roles: vec![Role::QualityEngineer],
            ..push(branch)
        };
        assert_eq!(
            check_request(&request),
            Err(SyncError::Denied(Denial::EngineersCannotPushToMain {
                main: "main".to_owned()
            })),
            "{branch}"
        );
    }
    let look_alike = PushRequest {
        roles: vec![Role::QualityEngineer],
        ..push("m\u{430}in")
    };
    assert!(matches!(
        check_request(&look_alike),
        Err(SyncError::InvalidName(_))
    ));
}

#[test]
fn a_pull_source_is_canonical() {
    assert_eq!(
        PullSource::Branch("refs/heads/main".to_owned()).canonical(),
        Ok(PullSource::Branch("main".to_owned()))
    );
    assert_eq!(
        PullSource::Tag("refs/tags/v1".to_owned()).canonical(),
        Ok(PullSource::Tag("v1".to_owned()))
    );
    assert!(matches!(
        PullSource::Tag("v1\u{FEFF}".to_owned()).check(),
        Err(SyncError::InvalidName(_))
    ));
}

on_both!(a_push_to_full_names_lands_on_the_short_ones);

async fn a_push_to_full_names_lands_on_the_short_ones(product: Product) {
    let sandbox = Sandbox::new();
    let mut driver: Driver<'_> = sandbox.driver();
    let request = PushRequest {
        new_branch_from: Some("refs/heads/main".to_owned()),
        version: Some("refs/tags/v9".to_owned()),
        ..push("refs/heads/feature/names")
    };
    let project = demo_projects().remove(0);
    let mut planner =
        PushPlanner::new(product.api("lee"), request, LocalFiles::of(&project)).unwrap();
    let plan = driver.run(&mut planner).await.unwrap().unwrap();
    assert_eq!(plan.request.branch, "feature/names");
    let confirmation = support::as_planned(&plan);
    let mut sender = PushSender::new(product.api("lee"), plan, &confirmation).unwrap();
    let outcome = driver.run(&mut sender).await.unwrap().unwrap();
    assert_eq!(outcome.branch, "feature/names");
    assert_eq!(outcome.tag.as_deref(), Some("v9"));
    assert_eq!(
        sandbox.tip(product, "feature/names").as_ref(),
        outcome.commits.last()
    );
    assert_eq!(sandbox.tag(product, "v9").as_ref(), outcome.commits.last());
}

/// A name git and this product accept: ASCII parts of letters, digits, `-` and `_`.
fn valid_name() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9_][a-zA-Z0-9_-]{0,12}(/[a-zA-Z0-9_][a-zA-Z0-9_-]{0,12}){0,3}"
        .prop_filter("not HEAD", |n| !n.eq_ignore_ascii_case("head"))
}

fn kind() -> impl Strategy<Value = RefKind> {
    prop_oneof![Just(RefKind::Branch), Just(RefKind::Version)]
}

proptest! {
    #[test]
    fn valid_names_are_their_own_canonical_form_with_or_without_the_prefix(
        name in valid_name(),
        kind in kind(),
    ) {
        let prefix = match kind {
            RefKind::Branch => "refs/heads/",
            RefKind::Version => "refs/tags/",
        };
        prop_assert_eq!(kind.canonical(&name), Ok(name.clone()));
        prop_assert_eq!(kind.canonical(&format!("{prefix}{name}")), Ok(name));
    }

    #[test]
    fn canonical_names_are_ascii_and_canonical_again(text in any::<String>(), kind in kind()) {
        if let Ok(canonical) = kind.canonical(&text) {
            prop_assert!(canonical.chars().all(|c| c.is_ascii_graphic()));
            prop_assert!(!canonical.starts_with("refs/"));
            prop_assert_eq!(kind.canonical(&canonical), Ok(canonical.clone()));
        }
    }

    #[test]
    fn any_character_outside_ascii_is_refused_where_it_stands(
        name in valid_name(),
        at in any::<prop::sample::Index>(),
        inserted in any::<char>().prop_filter("not ASCII", |c| !c.is_ascii()),
    ) {
        let mut chars: Vec<char> = name.chars().collect();
        let position = at.index(chars.len() + 1);
        chars.insert(position, inserted);
        let text: String = chars.into_iter().collect();
        let refused = RefKind::Branch.canonical(&text).unwrap_err();
        prop_assert!(
            matches!(
                refused.problem,
                NameProblem::Character { character, position: at, class }
                    if character == inserted
                        && at == position + 1
                        && class != CharacterClass::Reserved
            ),
            "{:?}",
            refused
        );
        let message = refused.to_string();
        let expected = format!("its character {} ", position + 1);
        prop_assert!(message.contains(&expected), "{}", message);
    }

    #[test]
    fn the_main_branch_is_refused_to_a_quality_engineer_in_any_case(
        main in valid_name(),
        flips in prop::collection::vec(any::<bool>(), 64),
        full in any::<bool>(),
    ) {
        let branch: String = main
            .chars()
            .zip(flips.iter().cycle())
            .map(|(c, &flip)| if flip { c.to_ascii_uppercase() } else { c })
            .collect();
        let branch = if full { format!("refs/heads/{branch}") } else { branch };
        let request = PushRequest {
            roles: vec![Role::QualityEngineer],
            main_branch: Some(main.clone()),
            ..push(&branch)
        };
        prop_assert_eq!(
            check_request(&request),
            Err(SyncError::Denied(Denial::EngineersCannotPushToMain { main }))
        );
    }
}
