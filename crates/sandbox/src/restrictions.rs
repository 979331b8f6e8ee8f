//! Branch restrictions: Cloud `push` and `delete` restrictions and Data Center `read-only`,
//! `pull-request-only` and `no-deletes` branch permissions, decided per branch and caller. Branches are
//! matched as Bitbucket matches them ([`versioning_core::branch_pattern`]).

use versioning_core::branch_pattern::{glob, BranchMatcher};

use crate::auth::Caller;
use crate::config::{
    CloudRestrictionKind, Config, DcRestrictionType, MatcherKind, Repository, Restriction,
};

fn exempt(config: &Config, restriction: &Restriction, caller: &Caller) -> bool {
    let Some(username) = caller.user.as_deref() else {
        let name = caller
            .grant
            .as_ref()
            .map(|g| g.name.as_str())
            .unwrap_or_default();
        return restriction.users.iter().any(|u| u == name);
    };
    if restriction.users.iter().any(|u| u == username) {
        return true;
    }
    let groups = config
        .user(username)
        .map(|u| u.groups.as_slice())
        .unwrap_or_default();
    restriction.groups.iter().any(|g| groups.contains(g))
}

/// The first of `repo`'s restrictions that `applies` and from which the caller is not exempt.
fn first_blocker<'a>(
    config: &Config,
    repo: &'a Repository,
    caller: &Caller,
    applies: impl Fn(&Restriction) -> bool,
) -> Option<&'a Restriction> {
    repo.restrictions
        .iter()
        .find(|r| applies(r) && !exempt(config, r, caller))
}

/// The Cloud push restriction that forbids the caller to push to `branch`, if any.
pub fn cloud_push_blocker<'a>(
    config: &Config,
    repo: &'a Repository,
    branch: &str,
    caller: &Caller,
) -> Option<&'a Restriction> {
    first_blocker(config, repo, caller, |r| {
        r.kind == Some(CloudRestrictionKind::Push)
            && r.pattern.as_deref().is_some_and(|p| glob(p, branch))
    })
}

/// The Cloud restriction that forbids the caller to delete `branch`, if any: a `delete`
/// restriction (it exempts no one), or a `push` restriction the caller is not exempt from.
pub fn cloud_delete_blocker<'a>(
    config: &Config,
    repo: &'a Repository,
    branch: &str,
    caller: &Caller,
) -> Option<&'a Restriction> {
    let matches = |r: &Restriction| r.pattern.as_deref().is_some_and(|p| glob(p, branch));
    repo.restrictions
        .iter()
        .find(|r| r.kind == Some(CloudRestrictionKind::Delete) && matches(r))
        .or_else(|| cloud_push_blocker(config, repo, branch, caller))
}

/// Whether a Data Center matcher selects `branch`.
pub fn dc_matches(restriction: &Restriction, branch: &str) -> bool {
    let Some(m) = &restriction.matcher else {
        return false;
    };
    let id = m.id.clone();
    let matcher = match m.kind {
        MatcherKind::Branch => BranchMatcher::Branch(id),
        MatcherKind::Pattern => BranchMatcher::Pattern(id),
        // Branching-model matchers are listed but not enforced: they select no branch.
        MatcherKind::ModelCategory | MatcherKind::ModelBranch => BranchMatcher::Model(id),
    };
    matcher.selects(branch)
}

/// The Data Center branch permission that forbids the caller to change `branch` directly.
pub fn dc_write_blocker<'a>(
    config: &Config,
    repo: &'a Repository,
    branch: &str,
    caller: &Caller,
) -> Option<&'a Restriction> {
    first_blocker(config, repo, caller, |r| {
        matches!(
            r.dc_type,
            Some(DcRestrictionType::ReadOnly | DcRestrictionType::PullRequestOnly)
        ) && dc_matches(r, branch)
    })
}

/// The Data Center branch permission that forbids the caller to delete `branch` (`read-only`,
/// `no-deletes`), if any.
pub fn dc_delete_blocker<'a>(
    config: &Config,
    repo: &'a Repository,
    branch: &str,
    caller: &Caller,
) -> Option<&'a Restriction> {
    first_blocker(config, repo, caller, |r| {
        matches!(
            r.dc_type,
            Some(DcRestrictionType::ReadOnly | DcRestrictionType::NoDeletes)
        ) && dc_matches(r, branch)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_main_is_pushable_by_admins_and_leads_only() {
        let config = Config::demo();
        let (_, repo) = config.cloud_repo("acme", "checkout-tests").unwrap();
        let caller = |u: &str| Caller {
            user: Some(u.into()),
            ..Caller::default()
        };
        assert!(cloud_push_blocker(&config, repo, "main", &caller("ada")).is_none());
        assert!(cloud_push_blocker(&config, repo, "main", &caller("lee")).is_none());
        assert!(cloud_push_blocker(&config, repo, "main", &caller("eve")).is_some());
        assert!(cloud_push_blocker(&config, repo, "feature/x", &caller("eve")).is_none());
        let (_, dc) = config.dc_repo("QA", "regression-suite").unwrap();
        assert!(dc_write_blocker(&config, dc, "main", &caller("quinn")).is_some());
    }

    #[test]
    fn data_center_patterns_match_as_data_center_does() {
        let permission = |kind, id: &str| Restriction {
            matcher: Some(crate::config::Matcher {
                kind,
                id: id.into(),
            }),
            ..Restriction::default()
        };
        let pattern = permission(MatcherKind::Pattern, "release/*");
        assert!(dc_matches(&pattern, "release/1.2"));
        assert!(!dc_matches(&pattern, "release/1.2/hotfix"));
        assert!(dc_matches(
            &permission(MatcherKind::Pattern, "release/"),
            "release/1.2/hotfix"
        ));
        assert!(dc_matches(
            &permission(MatcherKind::Pattern, "PROJECT-*"),
            "stable/PROJECT-1"
        ));
        let branch = permission(MatcherKind::Branch, "refs/heads/main");
        assert!(dc_matches(&branch, "main"));
        assert!(!dc_matches(&branch, "team/main"));
        assert!(!dc_matches(
            &permission(MatcherKind::ModelCategory, "FEATURE"),
            "feature/x"
        ));
    }
}
