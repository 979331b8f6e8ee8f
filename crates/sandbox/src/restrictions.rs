//! Branch restrictions: Cloud `push` and `delete` restrictions and Data Center `read-only`,
//! `pull-request-only` and `no-deletes` branch permissions, decided per branch and caller.

use crate::auth::Caller;
use crate::config::{
    CloudRestrictionKind, Config, DcRestrictionType, MatcherKind, Repository, Restriction,
};

/// Glob match where `*` matches any run of characters (slashes included) and `?` one character.
pub fn glob(pattern: &str, name: &str) -> bool {
    // Greedy matching that only ever returns to the latest `*`: O(pattern × name), never
    // exponential, whatever the number of stars.
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    let (mut pi, mut ni) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi + 1, ni));
                pi += 1;
            }
            Some(c) if *c == '?' || *c == n[ni] => {
                pi += 1;
                ni += 1;
            }
            _ => match star {
                Some((after, from)) => {
                    star = Some((after, from + 1));
                    pi = after;
                    ni = from + 1;
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

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
    match m.kind {
        MatcherKind::Branch => m.id == format!("refs/heads/{branch}") || m.id == branch,
        MatcherKind::Pattern => glob(&m.id, branch) || glob(&m.id, &format!("refs/heads/{branch}")),
        // Branching-model matchers are listed but not enforced.
        MatcherKind::ModelCategory | MatcherKind::ModelBranch => false,
    }
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
    fn globs_match_like_branch_patterns() {
        assert!(glob("main", "main"));
        assert!(!glob("main", "main2"));
        assert!(glob("release/*", "release/1.0"));
        assert!(glob("feat?re/*", "feature/a/b"));
        assert!(glob("*", ""));
        assert!(glob("a*b*c", "aXbYc"));
        assert!(!glob("a*b*c", "aXbY"));
        assert!(glob("*/*-fix", "team/bug-fix"));
        assert!(!glob("?", ""));
    }

    #[test]
    fn many_stars_do_not_backtrack_exponentially() {
        let pattern = format!("{}b", "a*".repeat(40));
        let name = "a".repeat(200);
        let started = std::time::Instant::now();
        assert!(!glob(&pattern, &name));
        assert!(glob(&pattern, &format!("{name}b")));
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
    }

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
}
