//! What a token's scopes allow.

use crate::bitbucket::model::Permission;

/// The permission a token's scopes allow at most: classic scopes of access tokens (`repository`,
/// `repository:write`, `repository:admin`) or API-token scopes (`read:`/`write:`/`admin:repository:bitbucket`).
/// `None` when no repository scope is listed.
pub fn permission_from_scopes(scopes: &[String]) -> Option<Permission> {
    let has = |names: [&str; 2]| scopes.iter().any(|s| names.contains(&s.as_str()));
    if has(["repository:admin", "admin:repository:bitbucket"]) {
        Some(Permission::Admin)
    } else if has(["repository:write", "write:repository:bitbucket"]) {
        Some(Permission::Write)
    } else if has(["repository", "read:repository:bitbucket"]) {
        Some(Permission::Read)
    } else {
        None
    }
}
