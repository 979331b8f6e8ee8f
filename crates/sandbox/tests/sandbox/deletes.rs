//! Deleting branches and tags, as the official descriptions give it: Cloud `DELETE …/refs/branches/{name}`
//! and `…/refs/tags/{name}`; Data Center `DELETE /rest/branch-utils/latest/…/branches` (JSON body) and
//! `DELETE /rest/git/latest/…/tags/{name}`.

use axum::http::Method;
use serde_json::json;

use crate::common::*;

const CLOUD_KEY: &str = "cloud/acme/checkout-tests";
const DC_KEY: &str = "dc/QA/regression-suite";
const DC_BRANCHES: &str = "/rest/branch-utils/latest/projects/QA/repos/regression-suite/branches";
const DC_GIT_TAGS: &str = "/rest/git/latest/projects/QA/repos/regression-suite/tags";

fn delete(path: &str) -> Req {
    Req::new(Method::DELETE, path)
}

#[tokio::test]
async fn cloud_deletes_branches_and_tags() {
    let sb = Sandbox::new();
    let main = sb.tip(CLOUD_KEY, "main");
    let branches = format!("{CLOUD_REPO}/refs/branches");
    post(&branches)
        .cloud_user("eve")
        .json(json!({ "name": "live-check/a1", "target": { "hash": main } }))
        .send(&sb)
        .await
        .expect(201);
    post(&format!("{CLOUD_REPO}/refs/tags"))
        .cloud_user("eve")
        .json(json!({ "name": "live-check/a1", "target": { "hash": main } }))
        .send(&sb)
        .await
        .expect(201);
    // A reader may not delete; nor may anyone delete the main branch.
    delete(&format!("{branches}/live-check/a1"))
        .cloud_user("rory")
        .send(&sb)
        .await
        .expect(403);
    let message = delete(&format!("{branches}/main"))
        .cloud_user("ada")
        .send(&sb)
        .await
        .expect(400)
        .cloud_message();
    assert!(message.contains("main branch"), "{message}");
    // The branch name with a raw `/` or `%2F`, as the product names branches.
    let deleted = delete(&format!("{branches}/live-check%2Fa1"))
        .cloud_user("eve")
        .send(&sb)
        .await
        .expect(204);
    assert!(deleted.body.is_empty());
    assert_eq!(sb.tip(CLOUD_KEY, "live-check/a1"), "");
    let message = delete(&format!("{branches}/live-check/a1"))
        .cloud_user("eve")
        .send(&sb)
        .await
        .expect(404)
        .cloud_message();
    assert!(message.contains("does not exist"), "{message}");
    let tag = format!("{CLOUD_REPO}/refs/tags/live-check/a1");
    delete(&tag).cloud_user("eve").send(&sb).await.expect(204);
    get(&tag).cloud_user("eve").send(&sb).await.expect(404);
    delete(&tag).cloud_user("eve").send(&sb).await.expect(404);
    // The main branch is untouched.
    assert_eq!(sb.tip(CLOUD_KEY, "main"), main);
}

#[tokio::test]
async fn cloud_deletes_need_the_write_scope() {
    let sb = Sandbox::new();
    let main = sb.tip(CLOUD_KEY, "main");
    post(&format!("{CLOUD_REPO}/refs/branches"))
        .cloud_user("eve")
        .json(json!({ "name": "scratch", "target": { "hash": main } }))
        .send(&sb)
        .await
        .expect(201);
    let branch = format!("{CLOUD_REPO}/refs/branches/scratch");
    let answer = delete(&branch)
        .basic("ada@example.com", "ATATT-demo-ada-unscoped")
        .send(&sb)
        .await;
    assert_eq!(answer.status.as_u16(), 401);
    assert_eq!(sb.tip(CLOUD_KEY, "scratch"), main);
    delete(&branch)
        .bearer("ATCTT-demo-repo-checkout-tests")
        .send(&sb)
        .await
        .expect(204);
    assert_eq!(sb.tip(CLOUD_KEY, "scratch"), "");
}

#[tokio::test]
async fn data_center_deletes_branches_as_branch_utils_describes() {
    let sb = Sandbox::new();
    let main = sb.tip(DC_KEY, "main");
    let create = |name: &str| {
        post(DC_BRANCHES)
            .dc_user("lee")
            .json(json!({ "name": name, "startPoint": "main" }))
    };
    create("live-check/b2").send(&sb).await.expect(201);
    let remove = |user: &str, body: serde_json::Value| delete(DC_BRANCHES).dc_user(user).json(body);
    // No name, the default branch, a read-only branch and a reader: refused.
    remove("lee", json!({})).send(&sb).await.expect(400);
    let (message, _) = remove("ada", json!({ "name": "refs/heads/main" }))
        .send(&sb)
        .await
        .expect(400)
        .dc_error();
    assert!(message.contains("default branch"), "{message}");
    remove("rory", json!({ "name": "live-check/b2" }))
        .send(&sb)
        .await
        .expect(401);
    // An end point it does not point at keeps it; a dry run deletes nothing.
    let (message, _) = remove(
        "lee",
        json!({ "name": "live-check/b2", "endPoint": "0123456789abcdef0123456789abcdef01234567" }),
    )
    .send(&sb)
    .await
    .expect(400)
    .dc_error();
    assert!(message.contains("end point"), "{message}");
    remove("lee", json!({ "name": "live-check/b2", "dryRun": true }))
        .send(&sb)
        .await
        .expect(204);
    assert_eq!(sb.tip(DC_KEY, "live-check/b2"), main);
    remove(
        "lee",
        json!({ "name": "refs/heads/live-check/b2", "endPoint": main }),
    )
    .send(&sb)
    .await
    .expect(204);
    assert_eq!(sb.tip(DC_KEY, "live-check/b2"), "");
    // Gone already: still 204, as the description says.
    remove("lee", json!({ "name": "live-check/b2" }))
        .send(&sb)
        .await
        .expect(204);
    assert_eq!(sb.tip(DC_KEY, "main"), main);
}

#[tokio::test]
async fn data_center_deletes_tags_through_the_git_api() {
    let sb = Sandbox::new();
    post(&format!("{DC_REPO}/tags"))
        .dc_user("eve")
        .json(json!({ "name": "live-check/c3", "startPoint": "main", "message": "m" }))
        .send(&sb)
        .await
        .expect(200);
    let tag = format!("{DC_GIT_TAGS}/live-check/c3");
    delete(&tag).dc_user("rory").send(&sb).await.expect(401);
    delete(&tag).dc_user("eve").send(&sb).await.expect(204);
    get(&format!("{DC_REPO}/tags/live-check/c3"))
        .dc_user("eve")
        .send(&sb)
        .await
        .expect(404);
    let (_, exception) = delete(&tag)
        .dc_user("eve")
        .send(&sb)
        .await
        .expect(404)
        .dc_error();
    assert!(exception.ends_with("NoSuchTagException"), "{exception}");
}

#[tokio::test]
async fn data_center_deletes_pass_the_xsrf_rule() {
    // DELETE is not a POST: Atlassian's filter only logs it, even from a browser on another origin.
    let sb = Sandbox::new();
    post(DC_BRANCHES)
        .dc_user("lee")
        .json(json!({ "name": "live-check/d4", "startPoint": "main" }))
        .send(&sb)
        .await
        .expect(201);
    delete(DC_BRANCHES)
        .dc_user("lee")
        .header("user-agent", "Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0")
        .header("origin", "https://portal.example.com")
        .json(json!({ "name": "live-check/d4" }))
        .send(&sb)
        .await
        .expect(204);
}

/// The demo sandbox with more branch restrictions on both repositories.
fn restricted(cloud: serde_json::Value, dc: serde_json::Value) -> Sandbox {
    let mut config = bitbucket_sandbox::config::Config::demo();
    let restriction = |v| serde_json::from_value(v).expect("a restriction");
    config.cloud.workspaces[0].repositories[0]
        .restrictions
        .extend(cloud.as_array().unwrap().iter().cloned().map(restriction));
    config.datacenter.projects[0].repositories[0]
        .restrictions
        .extend(dc.as_array().unwrap().iter().cloned().map(restriction));
    Sandbox::with(bitbucket_sandbox::Options {
        config,
        quiet: true,
        ..bitbucket_sandbox::Options::default()
    })
}

#[tokio::test]
async fn branch_restrictions_keep_branches_from_deletion() {
    let sb = restricted(
        json!([
            { "kind": "delete", "pattern": "keep/*" },
            { "kind": "push", "pattern": "guarded/*", "groups": ["leads"] },
        ]),
        json!([
            { "type": "no-deletes", "matcher": { "type": "PATTERN", "id": "keep/*" }, "groups": ["administrators"] },
        ]),
    );
    let main = sb.tip(CLOUD_KEY, "main");
    for name in ["keep/a", "guarded/b"] {
        post(&format!("{CLOUD_REPO}/refs/branches"))
            .cloud_user("lee")
            .json(json!({ "name": name, "target": { "hash": main } }))
            .send(&sb)
            .await
            .expect(201);
    }
    let branch = |name: &str| format!("{CLOUD_REPO}/refs/branches/{name}");
    // A delete restriction exempts no one, not even an admin.
    let message = delete(&branch("keep/a"))
        .cloud_user("ada")
        .send(&sb)
        .await
        .expect(403)
        .cloud_message();
    assert!(message.contains("delete branch restriction"), "{message}");
    // A push restriction keeps out whom it does not exempt.
    delete(&branch("guarded/b"))
        .cloud_user("eve")
        .send(&sb)
        .await
        .expect(403);
    delete(&branch("guarded/b"))
        .cloud_user("lee")
        .send(&sb)
        .await
        .expect(204);
    assert_eq!(sb.tip(CLOUD_KEY, "keep/a"), main);

    post(DC_BRANCHES)
        .dc_user("ada")
        .json(json!({ "name": "keep/c", "startPoint": "main" }))
        .send(&sb)
        .await
        .expect(201);
    let remove = |user: &str| {
        delete(DC_BRANCHES)
            .dc_user(user)
            .json(json!({ "name": "keep/c" }))
    };
    let (message, _) = remove("lee").send(&sb).await.expect(401).dc_error();
    assert!(message.contains("no-deletes"), "{message}");
    assert_ne!(sb.tip(DC_KEY, "keep/c"), "");
    remove("ada").send(&sb).await.expect(204);
    assert_eq!(sb.tip(DC_KEY, "keep/c"), "");
}
