//! JSON shapes of Cloud objects: accounts, repositories, branches, tags, commits, tree entries.

use serde_json::{json, Value};

use super::context::RepoContext;
use crate::config::User;
use crate::links::{encode_path, uuid};
use crate::store::{Child, CommitInfo, FileMode, TagInfo};
use crate::time::iso8601;

const CREATED: i64 = 1_767_603_600;

/// A user account (`GET /2.0/user`).
pub fn account(origin: &str, user: &User) -> Value {
    let id = uuid(&format!("user:{}", user.username));
    json!({
        "type": "user",
        "uuid": id,
        "account_id": format!("712020:{}", &id[1..37]),
        "nickname": user.username,
        "display_name": user.name,
        "account_status": "active",
        "created_on": iso8601(CREATED, 0),
        "has_2fa_enabled": false,
        "is_staff": false,
        "links": {
            "self": { "href": format!("{origin}/2.0/users/{}", encode_path(&id)) },
            "html": { "href": format!("{origin}/{}/", encode_path(&id)) },
            "avatar": { "href": format!("{origin}/account/{}/avatar/", user.username) },
        },
    })
}

/// The short repository object embedded in other objects.
pub fn repository_ref(ctx: &RepoContext<'_>) -> Value {
    json!({
        "type": "repository",
        "name": ctx.repo.display_name(),
        "full_name": ctx.full_name(),
        "uuid": uuid(&format!("repo:{}", ctx.full_name())),
        "links": {
            "self": { "href": ctx.api() },
            "html": { "href": ctx.web() },
            "avatar": { "href": format!("{}/avatar", ctx.web()) },
        },
    })
}

/// The full repository object.
pub fn repository(ctx: &RepoContext<'_>, size: u64) -> Value {
    let ws = ctx.workspace;
    let ws_name = ws.name.clone().unwrap_or_else(|| ws.slug.clone());
    let ws_links = json!({
        "self": { "href": format!("{}/2.0/workspaces/{}", ctx.origin, ws.slug) },
        "html": { "href": format!("{}/{}/", ctx.origin, ws.slug) },
        "avatar": { "href": format!("{}/workspaces/{}/avatar/", ctx.origin, ws.slug) },
    });
    let host = crate::links::hostname(&ctx.origin);
    json!({
        "type": "repository",
        "uuid": uuid(&format!("repo:{}", ctx.full_name())),
        "full_name": ctx.full_name(),
        "slug": ctx.repo.slug,
        "name": ctx.repo.display_name(),
        "description": "",
        "is_private": true,
        "scm": "git",
        "website": "",
        "language": "",
        "fork_policy": "no_public_forks",
        "has_issues": false,
        "has_wiki": false,
        "size": size,
        "created_on": iso8601(CREATED, 0),
        "updated_on": iso8601(CREATED, 0),
        "mainbranch": { "type": "branch", "name": ctx.repo.main_branch },
        "owner": { "type": "team", "uuid": uuid(&format!("ws:{}", ws.slug)), "username": ws.slug,
                   "display_name": ws_name, "links": ws_links },
        "workspace": { "type": "workspace", "uuid": uuid(&format!("ws:{}", ws.slug)), "slug": ws.slug,
                       "name": ws_name, "links": ws_links },
        "project": { "type": "project", "key": "PROJ", "name": "Default project",
                     "uuid": uuid(&format!("project:{}", ws.slug)),
                     "links": { "html": { "href": format!("{}/{}/workspace/projects/PROJ", ctx.origin, ws.slug) } } },
        "links": {
            "self": { "href": ctx.api() },
            "html": { "href": ctx.web() },
            "avatar": { "href": format!("{}/avatar", ctx.web()) },
            "commits": { "href": format!("{}/commits", ctx.api()) },
            "clone": [
                { "name": "https", "href": format!("{}.git", ctx.web()) },
                { "name": "ssh", "href": format!("git@{host}:{}.git", ctx.full_name()) },
            ],
        },
    })
}

/// A commit reference (hash and links only).
pub fn commit_ref(ctx: &RepoContext<'_>, hash: &str) -> Value {
    json!({
        "type": "commit",
        "hash": hash,
        "links": {
            "self": { "href": format!("{}/commit/{hash}", ctx.api()) },
            "html": { "href": format!("{}/commits/{hash}", ctx.web()) },
        },
    })
}

/// An `author` object: the raw `Name <email>` and the matching user, if any.
fn author(ctx: &RepoContext<'_>, users: &[User], name: &str, email: &str) -> Value {
    let mut out = json!({ "type": "author", "raw": format!("{name} <{email}>") });
    if let Some(user) = users.iter().find(|u| u.email.eq_ignore_ascii_case(email)) {
        out["user"] = account(&ctx.origin, user);
    }
    out
}

/// A full commit.
pub fn commit(ctx: &RepoContext<'_>, users: &[User], c: &CommitInfo) -> Value {
    let mut out = commit_ref(ctx, &c.hash);
    out["date"] = json!(iso8601(c.author_time, c.author_offset));
    out["author"] = author(ctx, users, &c.author_name, &c.author_email);
    out["message"] = json!(c.message);
    out["summary"] = json!({ "raw": c.message, "markup": "markdown",
                             "html": format!("<p>{}</p>", escape_html(c.message.trim_end())) });
    out["parents"] = c.parents.iter().map(|p| commit_ref(ctx, p)).collect();
    out["repository"] = repository_ref(ctx);
    out
}

fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A branch with its tip commit.
pub fn branch(ctx: &RepoContext<'_>, users: &[User], name: &str, tip: &CommitInfo) -> Value {
    let encoded = encode_path(name);
    json!({
        "type": "branch",
        "name": name,
        "target": commit(ctx, users, tip),
        "merge_strategies": ["merge_commit", "squash", "fast_forward"],
        "default_merge_strategy": "merge_commit",
        "links": {
            "self": { "href": format!("{}/refs/branches/{encoded}", ctx.api()) },
            "commits": { "href": format!("{}/commits/{encoded}", ctx.api()) },
            "html": { "href": format!("{}/branch/{encoded}", ctx.web()) },
        },
    })
}

/// A tag with its target commit (and message, date and tagger when annotated).
pub fn tag(ctx: &RepoContext<'_>, users: &[User], tag: &TagInfo) -> Value {
    let encoded = encode_path(&tag.name);
    let mut out = json!({
        "type": "tag",
        "name": tag.name,
        "target": commit(ctx, users, &tag.tip),
        "links": {
            "self": { "href": format!("{}/refs/tags/{encoded}", ctx.api()) },
            "commits": { "href": format!("{}/commits/{encoded}", ctx.api()) },
            "html": { "href": format!("{}/commits/tag/{encoded}", ctx.web()) },
        },
    });
    if let Some(a) = &tag.annotation {
        out["message"] = json!(a.message);
        out["date"] = json!(iso8601(a.tagger_time, a.tagger_offset));
        out["tagger"] = author(ctx, users, &a.tagger_name, &a.tagger_email);
    }
    out
}

/// A tree entry (`commit_file` or `commit_directory`) at commit `hash`.
pub fn tree_entry(ctx: &RepoContext<'_>, hash: &str, child: &Child) -> Value {
    let path = encode_path(&child.path);
    if child.is_dir {
        return json!({
            "type": "commit_directory",
            "path": child.path,
            "commit": commit_ref(ctx, hash),
            "links": {
                "self": { "href": format!("{}/src/{hash}/{path}/", ctx.api()) },
                "meta": { "href": format!("{}/src/{hash}/{path}/?format=meta", ctx.api()) },
            },
        });
    }
    let attributes: &[&str] = match child.mode {
        FileMode::Regular => &[],
        FileMode::Executable => &["executable"],
        FileMode::Link => &["link"],
        FileMode::Submodule => &["subrepository"],
    };
    json!({
        "type": "commit_file",
        "path": child.path,
        "escaped_path": child.path,
        "commit": commit_ref(ctx, hash),
        "attributes": attributes,
        "size": child.size,
        "mimetype": null,
        "links": {
            "self": { "href": format!("{}/src/{hash}/{path}", ctx.api()) },
            "meta": { "href": format!("{}/src/{hash}/{path}?format=meta", ctx.api()) },
            "history": { "href": format!("{}/filehistory/{hash}/{path}", ctx.api()) },
        },
    })
}
