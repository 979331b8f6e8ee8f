//! The role policy, as a table: every role against every kind of activity.

use versioning_core::roles::{decide, decide_any, same_branch, Activity, Decision, Denial, Role};

fn push(branch: &str, main: Option<&str>) -> Activity {
    Activity::Push {
        branch: branch.into(),
        main_branch: main.map(str::to_owned),
    }
}

/// Every activity the policy knows, with the roles allowed to do it.
fn matrix() -> Vec<(Activity, [bool; 4])> {
    // Columns: Admin, Quality Manager, Quality Lead, Quality Engineer.
    vec![
        (Activity::Configure, [true, true, true, false]),
        (Activity::ConfigureScm, [true, true, false, false]),
        (Activity::Pull, [true, true, true, true]),
        (push("main", Some("main")), [true, true, true, false]),
        (
            push("refs/heads/main", Some("main")),
            [true, true, true, false],
        ),
        (
            push("main", Some("refs/heads/main")),
            [true, true, true, false],
        ),
        (push("Main", Some("main")), [true, true, true, false]),
        (push("MAIN", Some("main")), [true, true, true, false]),
        (
            push("refs/heads/Main", Some("refs/heads/main")),
            [true, true, true, false],
        ),
        (push("Trunk", Some("trunk")), [true, true, true, false]),
        (
            push("feature/login", Some("main")),
            [true, true, true, true],
        ),
        (push("main-2", Some("main")), [true, true, true, true]),
        (push("master", Some("main")), [true, true, true, true]),
        (push("main", None), [true, true, true, false]),
        (push("feature/login", None), [true, true, true, false]),
        (Activity::OverwriteBranchChanges, [true, true, true, false]),
        (Activity::OpenPullRequest, [true, true, true, true]),
        (Activity::MergePullRequest, [true, true, true, false]),
    ]
}

#[test]
fn every_cell_of_the_policy_table() {
    for (activity, allowed) in matrix() {
        for (role, allowed) in Role::ALL.into_iter().zip(allowed) {
            assert_eq!(
                decide(role, &activity).is_allowed(),
                allowed,
                "{role} {activity:?}"
            );
            assert_eq!(decide_any(&[role], &activity), decide(role, &activity));
        }
    }
}

#[test]
fn several_roles_take_the_most_permissive() {
    for (activity, allowed) in matrix() {
        for (i, &first) in Role::ALL.iter().enumerate() {
            for (j, &second) in Role::ALL.iter().enumerate() {
                assert_eq!(
                    decide_any(&[first, second], &activity).is_allowed(),
                    allowed[i] || allowed[j],
                    "{first} + {second} {activity:?}"
                );
            }
        }
    }
    assert_eq!(
        decide_any(&[], &Activity::Pull),
        Decision::Denied(Denial::NoRole)
    );
}

#[test]
fn refusals_say_what_to_do() {
    let Decision::Denied(reason) = decide(Role::QualityEngineer, &push("trunk", Some("trunk")))
    else {
        panic!("a Quality Engineer may not push to the main branch");
    };
    let text = reason.to_string();
    assert!(
        text.contains("`trunk`") && text.contains("another branch"),
        "{text}"
    );
    let unknown = decide(Role::QualityEngineer, &push("x", None));
    assert_eq!(unknown, Decision::Denied(Denial::MainBranchUnknown));
    assert!(unknown
        .denial()
        .unwrap()
        .to_string()
        .contains("names no main branch"));
    let Decision::Denied(reason) = decide(Role::QualityEngineer, &Activity::Configure) else {
        panic!("a Quality Engineer may not configure");
    };
    assert!(reason.to_string().contains("Ask an Admin"), "{reason}");
    let Decision::Denied(reason) = decide(Role::QualityLead, &Activity::ConfigureScm) else {
        panic!("a Quality Lead may not change SCM parameters");
    };
    assert!(reason.to_string().contains("Quality Managers"), "{reason}");
}

#[test]
fn branch_names_compare_as_bitbucket_does() {
    assert!(same_branch("main", "refs/heads/main"));
    assert!(same_branch("refs/heads/feature/x", "feature/x"));
    assert!(!same_branch("main", "Main"));
    assert!(!same_branch("main", "refs/tags/main"));
    assert!(!same_branch("main", "refs/heads/refs/heads/main"));
    assert!(!same_branch("main", " main"));
    assert!(!same_branch("main", "m\u{430}in"));
}

#[test]
fn labels_and_order() {
    let labels: Vec<&str> = Role::ALL.iter().map(|r| r.label()).collect();
    assert_eq!(
        labels,
        [
            "Admin",
            "Quality Manager",
            "Quality Lead",
            "Quality Engineer"
        ]
    );
}

#[test]
fn the_lowest_role_may_do_nothing_another_role_may_not() {
    for (activity, _) in matrix() {
        if decide(Role::LOWEST, &activity).is_allowed() {
            for role in Role::ALL {
                assert!(decide(role, &activity).is_allowed(), "{role} {activity:?}");
            }
        }
    }
}

#[test]
fn a_role_name_the_product_does_not_know_is_the_lowest_role() {
    let named: Vec<Role> = [
        "admin",
        "quality_manager",
        "quality_lead",
        "quality_engineer",
    ]
    .into_iter()
    .map(Role::named_or_lowest)
    .collect();
    assert_eq!(named, Role::ALL);
    for unknown in ["Admin", "owner", "", " admin", "quality-lead"] {
        assert_eq!(Role::named_or_lowest(unknown), Role::LOWEST, "{unknown:?}");
    }
}
