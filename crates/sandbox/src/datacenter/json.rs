//! JSON shapes of Data Center objects: repositories, refs, commits, users.

use serde_json::{json, Value};

use super::context::RepoContext;
use crate::config::User;
use crate::links::numeric_id;
use crate::store::{CommitInfo, TagInfo};

/// `RestApplicationUser`.
pub fn user(origin: &str, user: &User) -> Value {
    json!({
        "name": user.username,
        "emailAddress": user.email,
        "active": true,
        "displayName": user.name,
        "id": numeric_id(&format!("user:{}", user.username)),
        "slug": user.username,
        "type": "NORMAL",
        "links": { "self": [{ "href": format!("{origin}/users/{}", user.username) }] },
    })
}

/// `RestRepository`.
pub fn repository(ctx: &RepoContext<'_>) -> Value {
    let key = &ctx.project.key;
    let slug = &ctx.repo.slug;
    let host = crate::links::hostname(&ctx.origin);
    json!({
        "slug": slug,
        "id": numeric_id(&format!("repo:{key}/{slug}")),
        "name": ctx.repo.display_name(),
        "hierarchyId": format!("{:020x}", numeric_id(&format!("hierarchy:{key}/{slug}"))),
        "scmId": "git",
        "state": "AVAILABLE",
        "statusMessage": "Available",
        "forkable": true,
        "public": false,
        "archived": false,
        "project": {
            "key": key,
            "id": numeric_id(&format!("project:{key}")),
            "name": ctx.project.name.clone().unwrap_or_else(|| key.clone()),
            "public": false,
            "type": "NORMAL",
            "links": { "self": [{ "href": format!("{}/projects/{key}", ctx.origin) }] },
        },
        "links": {
            "clone": [
                { "href": format!("{}/scm/{}/{slug}.git", ctx.origin, key.to_ascii_lowercase()), "name": "http" },
                { "href": format!("ssh://git@{host}:7999/{}/{slug}.git", key.to_ascii_lowercase()), "name": "ssh" },
            ],
            "self": [{ "href": format!("{}/projects/{key}/repos/{slug}/browse", ctx.origin) }],
        },
    })
}

/// `RestBranch`.
pub fn branch(name: &str, tip: &str, is_default: bool) -> Value {
    json!({
        "id": format!("refs/heads/{name}"),
        "displayId": name,
        "type": "BRANCH",
        "latestCommit": tip,
        "latestChangeset": tip,
        "isDefault": is_default,
    })
}

/// `RestTag`: `hash` is the object the tag ref points at: the tag object of an annotated tag,
/// the commit of a lightweight one.
pub fn tag(tag: &TagInfo) -> Value {
    json!({
        "id": format!("refs/tags/{}", tag.name),
        "displayId": tag.name,
        "type": "TAG",
        "latestCommit": tag.tip.hash,
        "latestChangeset": tag.tip.hash,
        "hash": tag.annotation.as_ref().map_or(&tag.tip.hash, |a| &a.id),
    })
}

/// `RestPath` of a repository path: `components`, `name`, `toString`, and `parent` and
/// `extension` when there are any.
pub fn path(path: &str) -> Value {
    let components: Vec<&str> = path.split('/').filter(|c| !c.is_empty()).collect();
    let name = components.last().copied().unwrap_or("");
    let mut out =
        json!({ "components": components, "name": name, "toString": components.join("/") });
    if components.len() > 1 {
        out["parent"] = json!(components[..components.len() - 1].join("/"));
    }
    if let Some((_, ext)) = name.rsplit_once('.') {
        out["extension"] = json!(ext);
    }
    out
}

/// `RestCommit`.
pub fn commit(origin: &str, users: &[User], c: &CommitInfo) -> Value {
    let person = |name: &str, email: &str| match users
        .iter()
        .find(|u| u.email.eq_ignore_ascii_case(email))
    {
        Some(u) => user(origin, u),
        None => json!({ "name": name, "emailAddress": email }),
    };
    json!({
        "id": c.hash,
        "displayId": &c.hash[..11],
        "author": person(&c.author_name, &c.author_email),
        "authorTimestamp": c.author_time * 1000,
        "committer": person(&c.committer_name, &c.committer_email),
        "committerTimestamp": c.committer_time * 1000,
        "message": c.message.trim_end(),
        "parents": c.parents.iter().map(|p| json!({ "id": p, "displayId": &p[..11] })).collect::<Vec<_>>(),
    })
}
