//! The role policy, as a table: every role against every kind of activity.

use versioning_core::roles::{decide, Activity, Decision, Role};

fn push(branch: &str, main: Option<&str>) -> Activity {
    Activity::Push {
        branch: branch.into(),
        main_branch: main.map(str::to_owned),
    }
}

#[test]
fn the_policy_table() {
    use Role::*;
    let cases = [
        (Admin, Activity::Configure, true),
        (QualityManager, Activity::Configure, true),
        (QualityLead, Activity::Configure, true),
        (QualityEngineer, Activity::Configure, false),
        (Admin, Activity::Pull, true),
        (QualityEngineer, Activity::Pull, true),
        (Admin, push("main", Some("main")), true),
        (QualityManager, push("main", Some("main")), true),
        (QualityLead, push("main", Some("main")), true),
        (QualityEngineer, push("main", Some("main")), false),
        (QualityEngineer, push("feature/login", Some("main")), true),
        (QualityEngineer, push("master", Some("main")), true),
        // Unknown main branch (empty repository): Bitbucket's own restrictions decide.
        (QualityEngineer, push("main", None), true),
    ];
    for (role, activity, allowed) in cases {
        assert_eq!(
            decide(role, &activity).is_allowed(),
            allowed,
            "{role} {activity:?}"
        );
    }
}

#[test]
fn refusals_say_what_to_do() {
    let Decision::Denied(reason) = decide(Role::QualityEngineer, &push("trunk", Some("trunk")))
    else {
        panic!("a Quality Engineer may not push to the main branch");
    };
    assert!(
        reason.contains("`trunk`") && reason.contains("another branch"),
        "{reason}"
    );
    let Decision::Denied(reason) = decide(Role::QualityEngineer, &Activity::Configure) else {
        panic!("a Quality Engineer may not configure");
    };
    assert!(reason.contains("Ask an Admin"), "{reason}");
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
