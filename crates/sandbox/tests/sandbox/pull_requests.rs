//! Pull requests on both products: opened from a pushed branch, refused for the same branches twice or
//! with nothing to merge, approved by a Quality Lead, merged with a real git merge, declined; the
//! scopes and permissions each product asks for.

use crate::common::*;

const CLOUD_KEY: &str = "cloud/acme/checkout-tests";
const DC_KEY: &str = "dc/QA/regression-suite";

/// Eve's commit of `file` on a new Cloud branch `branch`.
async fn cloud_branch(sb: &Sandbox, branch: &str, file: &str) {
    post(&format!("{CLOUD_REPO}/src"))
        .cloud_user("eve")
        .multipart(&[(file, "new"), ("branch", branch), ("message", "add")])
        .send(sb)
        .await
        .expect(201);
}

/// Eve's commit of `file` on a new Data Center branch `branch`.
async fn dc_branch(sb: &Sandbox, branch: &str, file: &str) {
    put(&format!("{DC_REPO}/browse/{file}"))
        .dc_user("eve")
        .no_check()
        .multipart(&[
            ("content", "new"),
            ("branch", branch),
            ("sourceBranch", "main"),
            ("message", "add"),
        ])
        .send(sb)
        .await
        .expect(200);
}

fn cloud_pull_request(source: &str) -> serde_json::Value {
    serde_json::json!({
        "title": "Login tests",
        "description": "**Added**",
        "source": { "branch": { "name": source } },
        "destination": { "branch": { "name": "main" } },
    })
}

#[tokio::test]
async fn cloud_pull_request_is_opened_approved_and_merged_with_a_merge_commit() {
    let sb = Sandbox::new();
    cloud_branch(&sb, "feature/login", "test-artifacts/login.json").await;
    let pulls = format!("{CLOUD_REPO}/pullrequests");
    let created = post(&pulls)
        .cloud_user("eve")
        .json(cloud_pull_request("feature/login"))
        .send(&sb)
        .await
        .expect(201)
        .json();
    assert_eq!(created["state"], "OPEN");
    assert_eq!(created["source"]["branch"]["name"], "feature/login");
    assert_eq!(created["destination"]["branch"]["name"], "main");
    assert_eq!(created["author"]["nickname"], "eve");
    let id = created["id"].as_u64().unwrap();
    assert!(created["links"]["html"]["href"]
        .as_str()
        .unwrap()
        .ends_with(&format!("/acme/checkout-tests/pull-requests/{id}")));

    let again = post(&pulls)
        .cloud_user("eve")
        .json(cloud_pull_request("feature/login"))
        .send(&sb)
        .await
        .expect(400);
    assert!(again
        .cloud_message()
        .contains("already an open pull request"));
    let own = post(&format!("{pulls}/{id}/approve"))
        .cloud_user("eve")
        .send(&sb)
        .await
        .expect(400);
    assert!(own.cloud_message().contains("your own pull request"));

    let approval = post(&format!("{pulls}/{id}/approve"))
        .cloud_user("lee")
        .send(&sb)
        .await
        .expect(200)
        .json();
    assert_eq!(approval["state"], "approved");
    let read = get(&format!("{pulls}/{id}"))
        .cloud_user("eve")
        .ok_json(&sb)
        .await;
    assert_eq!(read["participants"][0]["user"]["nickname"], "lee");
    assert_eq!(read["participants"][0]["approved"], true);

    let main_before = sb.tip(CLOUD_KEY, "main");
    let merged = post(&format!("{pulls}/{id}/merge"))
        .cloud_user("lee")
        .json(serde_json::json!({ "type": "pullrequest_merge_parameters", "merge_strategy": "merge_commit" }))
        .send(&sb)
        .await
        .expect(200)
        .json();
    assert_eq!(merged["state"], "MERGED");
    let merge_commit = merged["merge_commit"]["hash"].as_str().unwrap().to_owned();
    assert_eq!(sb.tip(CLOUD_KEY, "main"), merge_commit);
    sb.at_tip(CLOUD_KEY, "main", |_, tip| {
        let parents: Vec<String> = tip.parent_ids().map(|p| p.to_string()).collect();
        assert_eq!(
            parents,
            [main_before.clone(), sb.tip(CLOUD_KEY, "feature/login")]
        );
        assert!(tip
            .tree()
            .unwrap()
            .get_path("test-artifacts/login.json".as_ref())
            .is_ok());
    });
    let open = get(&pulls).cloud_user("eve").ok_json(&sb).await;
    assert_eq!(open["values"].as_array().unwrap().len(), 0);
    let by_branch = get(&format!(
        "{pulls}?state=MERGED&q=source.branch.name%3D%22feature%2Flogin%22"
    ))
    .cloud_user("eve")
    .ok_json(&sb)
    .await;
    assert_eq!(by_branch["values"][0]["id"], id);
}

#[tokio::test]
async fn cloud_refuses_an_empty_pull_request_and_tokens_without_the_pull_request_scopes() {
    let sb = Sandbox::new();
    let pulls = format!("{CLOUD_REPO}/pullrequests");
    sb.state
        .store()
        .create_branch(
            CLOUD_KEY,
            "copy",
            git2::Oid::from_str(&sb.tip(CLOUD_KEY, "main")).unwrap(),
        )
        .unwrap();
    let empty = post(&pulls)
        .cloud_user("eve")
        .json(cloud_pull_request("copy"))
        .send(&sb)
        .await
        .expect(400);
    assert_eq!(empty.cloud_message(), "There are no changes to be pulled");
    let unscoped = post(&pulls)
        .cloud_user("rory")
        .json(serde_json::json!({}))
        .send(&sb)
        .await
        .expect(403);
    assert_eq!(
        unscoped.json()["error"]["detail"]["required"],
        serde_json::json!(["read:pullrequest:bitbucket", "write:pullrequest:bitbucket"])
    );
    let scoped_but_empty = post(&pulls)
        .cloud_user("eve")
        .json(serde_json::json!({}))
        .send(&sb)
        .await
        .expect(400);
    assert!(scoped_but_empty.cloud_message().starts_with("title"));
    let access_token = post(&pulls)
        .bearer("ATCTT-demo-repo-checkout-tests")
        .json(serde_json::json!({}))
        .send(&sb)
        .await
        .expect(403);
    assert_eq!(
        access_token.json()["error"]["detail"]["required"],
        serde_json::json!(["pullrequest:write"])
    );
}

fn dc_pull_request(source: &str) -> serde_json::Value {
    let repository = serde_json::json!({ "slug": "regression-suite", "project": { "key": "QA" } });
    serde_json::json!({
        "title": "Login tests",
        "description": "**Added**",
        "fromRef": { "id": format!("refs/heads/{source}"), "repository": repository },
        "toRef": { "id": "refs/heads/main", "repository": repository },
        "reviewers": [{ "user": { "name": "lee" } }],
    })
}

#[tokio::test]
async fn data_center_pull_request_needs_a_lead_to_merge_into_a_read_only_main() {
    let sb = Sandbox::new();
    dc_branch(&sb, "feature/login", "test-artifacts/login.json").await;
    let pulls = format!("{DC_REPO}/pull-requests");
    let created = post(&pulls)
        .dc_user("eve")
        .json(dc_pull_request("feature/login"))
        .send(&sb)
        .await
        .expect(201)
        .json();
    assert_eq!(created["state"], "OPEN");
    assert_eq!(created["fromRef"]["displayId"], "feature/login");
    assert_eq!(created["reviewers"][0]["user"]["name"], "lee");
    assert_eq!(created["reviewers"][0]["status"], "UNAPPROVED");
    let id = created["id"].as_u64().unwrap();

    let duplicate = post(&pulls)
        .dc_user("eve")
        .json(dc_pull_request("feature/login"))
        .send(&sb)
        .await
        .expect(409);
    assert!(duplicate
        .dc_error()
        .1
        .ends_with("DuplicatePullRequestException"));
    let empty = post(&pulls)
        .dc_user("eve")
        .json(dc_pull_request("main"))
        .send(&sb)
        .await
        .expect(409);
    assert!(empty
        .dc_error()
        .1
        .ends_with("InvalidPullRequestTargetException"));

    let approved = put(&format!("{pulls}/{id}/participants/lee"))
        .dc_user("lee")
        .json(serde_json::json!({ "status": "APPROVED" }))
        .send(&sb)
        .await
        .expect(200)
        .json();
    assert_eq!(approved["status"], "APPROVED");
    let read = get(&format!("{pulls}/{id}"))
        .dc_user("eve")
        .ok_json(&sb)
        .await;
    assert_eq!(read["reviewers"][0]["status"], "APPROVED");
    let version = read["version"].as_u64().unwrap();

    let refused = post(&format!("{pulls}/{id}/merge?version={version}"))
        .dc_user("eve")
        .json(serde_json::json!({}))
        .send(&sb)
        .await
        .expect(401);
    assert!(refused.dc_error().0.contains("read-only"));
    let stale = post(&format!("{pulls}/{id}/merge?version={}", version + 5))
        .dc_user("lee")
        .json(serde_json::json!({}))
        .send(&sb)
        .await
        .expect(409);
    assert!(stale
        .dc_error()
        .1
        .ends_with("PullRequestOutOfDateException"));
    let merged = post(&format!("{pulls}/{id}/merge?version={version}"))
        .dc_user("lee")
        .json(serde_json::json!({}))
        .send(&sb)
        .await
        .expect(200)
        .json();
    assert_eq!(merged["state"], "MERGED");
    sb.at_tip(DC_KEY, "main", |_, tip| {
        assert_eq!(tip.parent_count(), 2);
        assert!(tip
            .tree()
            .unwrap()
            .get_path("test-artifacts/login.json".as_ref())
            .is_ok());
    });
    let outgoing = get(&format!(
        "{pulls}?state=ALL&direction=OUTGOING&at=refs%2Fheads%2Ffeature%2Flogin"
    ))
    .dc_user("eve")
    .ok_json(&sb)
    .await;
    assert_eq!(outgoing["values"][0]["state"], "MERGED");
}

#[tokio::test]
async fn a_declined_pull_request_stays_declined_and_a_reset_forgets_it() {
    let sb = Sandbox::new();
    dc_branch(&sb, "feature/x", "x.txt").await;
    let pulls = format!("{DC_REPO}/pull-requests");
    let id = post(&pulls)
        .dc_user("eve")
        .json(dc_pull_request("feature/x"))
        .send(&sb)
        .await
        .expect(201)
        .json()["id"]
        .as_u64()
        .unwrap();
    let declined = post(&format!("{pulls}/{id}/decline?version=0"))
        .dc_user("lee")
        .json(serde_json::json!({}))
        .send(&sb)
        .await
        .expect(200)
        .json();
    assert_eq!(declined["state"], "DECLINED");
    post(&format!("{pulls}/{id}/merge?version=1"))
        .dc_user("lee")
        .json(serde_json::json!({}))
        .send(&sb)
        .await
        .expect(409);
    sb.state.reset().unwrap();
    get(&format!("{pulls}/{id}"))
        .dc_user("eve")
        .send(&sb)
        .await
        .expect(404);
}
