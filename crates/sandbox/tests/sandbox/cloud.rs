//! Cloud endpoints: happy paths, pagination, auth failures, permissions, restrictions, commits.

use bitbucket_sandbox::config::{
    CloudReadings, PagelenAboveMax, PathMatch, RepeatedPath, TimeLimit,
};
use serde_json::{json, Value};

use crate::common::*;

const KEY: &str = "cloud/acme/checkout-tests";

#[tokio::test]
async fn user_and_repository_describe_the_caller_and_the_repo() {
    let sb = Sandbox::new();
    let user = get("/2.0/user").cloud_user("ada").ok_json(&sb).await;
    assert_eq!(user["display_name"], "Ada Admin");
    assert_eq!(user["nickname"], "ada");
    let repo = get(CLOUD_REPO).cloud_user("eve").ok_json(&sb).await;
    assert_eq!(repo["mainbranch"]["name"], "main");
    assert_eq!(repo["full_name"], "acme/checkout-tests");
    let clone = repo["links"]["clone"].as_array().unwrap();
    assert_eq!(clone[0]["name"], "https");
    assert_eq!(
        clone[0]["href"],
        "http://localhost:7990/acme/checkout-tests.git"
    );
}

#[tokio::test]
async fn repository_permissions_are_filtered_by_name() {
    let sb = Sandbox::new();
    let path = "/2.0/user/workspaces/acme/permissions/repositories?q=repository.name%3D%22checkout-tests%22";
    let page = get(path).cloud_user("rory").ok_json(&sb).await;
    assert_eq!(page["values"][0]["permission"], "read");
    assert_eq!(
        page["values"][0]["repository"]["full_name"],
        "acme/checkout-tests"
    );
    let none =
        get("/2.0/user/workspaces/acme/permissions/repositories?q=repository.name%3D%22other%22")
            .cloud_user("ada")
            .ok_json(&sb)
            .await;
    assert_eq!(none["values"], json!([]));
    let bad = get("/2.0/user/workspaces/acme/permissions/repositories?q=name%20%3D")
        .cloud_user("ada")
        .send(&sb)
        .await;
    bad.expect(400);
    let token = get(path)
        .bearer("ATCTT-demo-repo-checkout-tests")
        .send(&sb)
        .await
        .expect(403);
    assert_eq!(
        token.json()["error"]["detail"]["required"],
        json!(["account", "repository"])
    );
}

#[tokio::test]
async fn branches_paginate_to_the_last_page_with_absolute_next_links() {
    let sb = Sandbox::new();
    for i in 0..4 {
        post(&format!("{CLOUD_REPO}/refs/branches"))
            .cloud_user("eve")
            .json(json!({ "name": format!("feature/b{i}"), "target": { "hash": sb.tip(KEY, "main") } }))
            .send(&sb)
            .await
            .expect(201);
    }
    let mut url = format!("{CLOUD_REPO}/refs/branches?pagelen=2&sort=name");
    let mut names = Vec::new();
    loop {
        let page = get(&url).cloud_user("eve").ok_json(&sb).await;
        names.extend(
            page["values"]
                .as_array()
                .unwrap()
                .iter()
                .map(|b| b["name"].as_str().unwrap().to_string()),
        );
        match page["next"].as_str() {
            Some(next) => {
                assert!(next.starts_with("http://localhost:7990/2.0/"), "{next}");
                url = next.trim_start_matches("http://localhost:7990").to_string();
            }
            None => break,
        }
    }
    assert_eq!(
        names,
        [
            "feature/b0",
            "feature/b1",
            "feature/b2",
            "feature/b3",
            "main"
        ]
    );
    let filtered = get(&format!("{CLOUD_REPO}/refs/branches?q=name%3D%22main%22"))
        .cloud_user("eve")
        .send(&sb)
        .await;
    assert_eq!(
        filtered.expect(200).json()["values"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let one = get(&format!("{CLOUD_REPO}/refs/branches/feature%2Fb1"))
        .cloud_user("eve")
        .send(&sb)
        .await;
    assert_eq!(
        one.expect(200).json()["target"]["hash"],
        sb.tip(KEY, "main")
    );
    get(&format!("{CLOUD_REPO}/refs/branches/nope"))
        .cloud_user("eve")
        .send(&sb)
        .await
        .expect(404);
}

#[tokio::test]
async fn src_lists_directories_reads_files_and_meta() {
    let sb = Sandbox::new();
    let root = get(&format!("{CLOUD_REPO}/src/main/"))
        .cloud_user("rory")
        .ok_json(&sb)
        .await;
    let paths: Vec<_> = root["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["README.md", "test-artifacts"]);
    assert_eq!(root["values"][1]["type"], "commit_directory");
    let raw = get(&format!(
        "{CLOUD_REPO}/src/main/test-artifacts/project.json"
    ))
    .cloud_user("rory")
    .send(&sb)
    .await;
    let raw = raw.expect(200);
    assert!(raw.text().contains("\"Checkout\""));
    assert_eq!(
        raw.header("content-type").as_deref(),
        Some("application/json")
    );
    let meta = get(&format!("{CLOUD_REPO}/src/main/README.md?format=meta"))
        .cloud_user("rory")
        .send(&sb)
        .await;
    let meta = meta.expect(200).json();
    assert_eq!(meta["type"], "commit_file");
    assert_eq!(meta["commit"]["hash"], sb.tip(KEY, "main"));
    let missing = get(&format!("{CLOUD_REPO}/src/main/nope.txt"))
        .cloud_user("rory")
        .send(&sb)
        .await
        .expect(404);
    assert!(missing.cloud_message().contains("nope.txt"));
}

#[tokio::test]
async fn a_multi_file_commit_is_a_real_git_commit() {
    let sb = Sandbox::new();
    let before = sb.tip(KEY, "main");
    post(&format!("{CLOUD_REPO}/src"))
        .cloud_user("lee")
        .multipart(&[
            ("test-artifacts/a.json", "{\"a\":1}"),
            ("/test-artifacts/deep/b.json", "{\"b\":2}"),
            ("message", "Add two artifacts"),
            ("branch", "main"),
            ("parents", &before),
        ])
        .send(&sb)
        .await
        .expect(201);
    let repo = sb.git(KEY);
    let commit = repo
        .find_reference("refs/heads/main")
        .unwrap()
        .peel_to_commit()
        .unwrap();
    assert_eq!(commit.message(), Some("Add two artifacts"));
    assert_eq!(commit.author().name(), Some("Lee Lead"));
    assert_eq!(commit.author().email(), Some("lee@example.com"));
    assert_eq!(commit.parent_id(0).unwrap().to_string(), before);
    let tree = commit.tree().unwrap();
    let blob = |p: &str| {
        let entry = tree.get_path(std::path::Path::new(p)).unwrap();
        String::from_utf8(repo.find_blob(entry.id()).unwrap().content().to_vec()).unwrap()
    };
    assert_eq!(blob("test-artifacts/a.json"), "{\"a\":1}");
    assert_eq!(blob("test-artifacts/deep/b.json"), "{\"b\":2}");
    assert!(blob("README.md").starts_with("# checkout-tests"));
    let history = get(&format!(
        "{CLOUD_REPO}/commits/main?path=test-artifacts/a.json"
    ))
    .cloud_user("lee")
    .send(&sb)
    .await;
    let history = history.expect(200).json();
    assert_eq!(history["values"].as_array().unwrap().len(), 1);
    assert_eq!(history["values"][0]["message"], "Add two artifacts");
    let single = get(&format!("{CLOUD_REPO}/commit/{}", commit.id()))
        .cloud_user("lee")
        .ok_json(&sb)
        .await;
    assert_eq!(single["parents"][0]["hash"], before);
}

#[tokio::test]
async fn uploads_with_x_attributes_become_links_and_executables_and_are_listed_so() {
    let sb = Sandbox::new();
    post(&format!("{CLOUD_REPO}/src"))
        .cloud_user("lee")
        .multipart_with_attributes(&[
            ("test-artifacts/link.json", "../README.md", Some("link")),
            ("test-artifacts/run.sh", "echo", Some("executable")),
            ("test-artifacts/plain.json", "{}", None),
            ("message", "Special files", None),
            ("branch", "special", None),
        ])
        .send(&sb)
        .await
        .expect(201);
    let tip = sb.tip(KEY, "special");
    let mode = |p: &str| sb.tree_entry(KEY, "special", p).0;
    assert_eq!(mode("test-artifacts/link.json"), 0o120000);
    assert_eq!(mode("test-artifacts/run.sh"), 0o100755);
    assert_eq!(mode("test-artifacts/plain.json"), 0o100644);
    let listing = get(&format!("{CLOUD_REPO}/src/{tip}/test-artifacts/"))
        .cloud_user("lee")
        .ok_json(&sb)
        .await;
    let attributes: Vec<(String, Value)> = listing["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["path"].as_str().unwrap().to_string(),
                v["attributes"].clone(),
            )
        })
        .collect();
    assert_eq!(
        attributes,
        vec![
            ("test-artifacts/link.json".to_string(), json!(["link"])),
            ("test-artifacts/plain.json".to_string(), json!([])),
            ("test-artifacts/project.json".to_string(), json!([])),
            ("test-artifacts/run.sh".to_string(), json!(["executable"])),
        ]
    );
}

#[tokio::test]
async fn a_submodule_added_through_the_control_endpoint_is_listed_as_a_subrepository() {
    let sb = Sandbox::new();
    let commit = "0123456789abcdef0123456789abcdef01234567";
    let added = post("/_sandbox/submodules")
        .json(json!({
            "repository": KEY,
            "branch": "main",
            "path": "test-artifacts/vendor",
            "commit": commit,
        }))
        .send(&sb)
        .await
        .expect(201)
        .json();
    let tip = sb.tip(KEY, "main");
    assert_eq!(added["hash"], tip);
    assert_eq!(
        sb.tree_entry(KEY, "main", "test-artifacts/vendor"),
        (0o160000, commit.to_string())
    );
    let listing = get(&format!("{CLOUD_REPO}/src/{tip}/test-artifacts/"))
        .cloud_user("lee")
        .ok_json(&sb)
        .await;
    let vendor = listing["values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["path"] == "test-artifacts/vendor")
        .cloned()
        .unwrap();
    assert_eq!(vendor["attributes"], json!(["subrepository"]));
    post("/_sandbox/submodules")
        .json(json!({"repository": KEY, "branch": "nope", "path": "x", "commit": commit}))
        .send(&sb)
        .await
        .expect(400);
}

#[tokio::test]
async fn urlencoded_commits_delete_with_files_and_create_branches() {
    let sb = Sandbox::new();
    let main = sb.tip(KEY, "main");
    post(&format!("{CLOUD_REPO}/src"))
        .cloud_user("eve")
        .form(&[
            ("files", "README.md"),
            ("branch", "feature/cleanup"),
            ("message", "Drop the README"),
            ("author", "Eve E <eve@example.com>"),
        ])
        .send(&sb)
        .await
        .expect(201);
    assert_eq!(sb.tip(KEY, "main"), main, "main does not move");
    let repo = sb.git(KEY);
    let commit = repo
        .find_reference("refs/heads/feature/cleanup")
        .unwrap()
        .peel_to_commit()
        .unwrap();
    assert_eq!(commit.parent_id(0).unwrap().to_string(), main);
    assert_eq!(commit.author().name(), Some("Eve E"));
    assert!(commit
        .tree()
        .unwrap()
        .get_path(std::path::Path::new("README.md"))
        .is_err());
    assert!(commit
        .tree()
        .unwrap()
        .get_path(std::path::Path::new("test-artifacts/project.json"))
        .is_ok());
}

#[tokio::test]
async fn a_stale_parent_is_a_409_and_leaves_the_branch_alone() {
    let sb = Sandbox::new();
    let old = sb.tip(KEY, "main");
    post(&format!("{CLOUD_REPO}/src"))
        .cloud_user("ada")
        .multipart(&[("x.txt", "1")])
        .send(&sb)
        .await
        .expect(201);
    let now = sb.tip(KEY, "main");
    let r = post(&format!("{CLOUD_REPO}/src"))
        .cloud_user("ada")
        .multipart(&[("x.txt", "2"), ("branch", "main"), ("parents", &old)])
        .send(&sb)
        .await
        .expect(409);
    assert_eq!(r.json()["type"], "error");
    assert_eq!(sb.tip(KEY, "main"), now);
}

#[tokio::test]
async fn push_restrictions_and_permissions_refuse_commits() {
    let sb = Sandbox::new();
    let main = sb.tip(KEY, "main");
    let refused = post(&format!("{CLOUD_REPO}/src"))
        .cloud_user("eve")
        .multipart(&[("x.txt", "1")])
        .send(&sb)
        .await
        .expect(403);
    assert!(refused.cloud_message().contains("branch restriction"));
    assert!(refused.cloud_message().contains("main"));
    let reader = post(&format!("{CLOUD_REPO}/src"))
        .cloud_user("rory")
        .multipart(&[("x.txt", "1"), ("branch", "feature/r")])
        .send(&sb)
        .await
        .expect(403);
    assert!(reader.cloud_message().contains("write"));
    assert_eq!(sb.tip(KEY, "main"), main);
    post(&format!("{CLOUD_REPO}/src"))
        .bearer("ATCTT-demo-repo-checkout-tests")
        .multipart(&[("x.txt", "1"), ("branch", "feature/ci")])
        .send(&sb)
        .await
        .expect(201);
    get(&format!("{CLOUD_REPO}/branch-restrictions"))
        .cloud_user("quinn")
        .send(&sb)
        .await
        .expect(403);
    let list = get(&format!("{CLOUD_REPO}/branch-restrictions"))
        .cloud_user("ada")
        .ok_json(&sb)
        .await;
    assert_eq!(list["values"][0]["kind"], "push");
    assert_eq!(list["values"][0]["groups"][1]["name"], "leads");
    get("/2.0/repositories/acme/unknown")
        .cloud_user("ada")
        .send(&sb)
        .await
        .expect(404);
}

#[tokio::test]
async fn cloud_auth_failures_have_the_real_shapes() {
    let sb = Sandbox::new();
    let username = get("/2.0/user")
        .basic("ada", "ATATT-demo-ada-cloud")
        .send(&sb)
        .await
        .expect(401);
    assert_eq!(
        username.header("www-authenticate").as_deref(),
        Some("Basic realm=\"Bitbucket.org HTTP\"")
    );
    get("/2.0/user")
        .basic("ada@example.com", "wrong")
        .send(&sb)
        .await
        .expect(401);
    let unscoped = get("/2.0/user")
        .basic("ada@example.com", "ATATT-demo-ada-unscoped")
        .send(&sb)
        .await
        .expect(401);
    assert_eq!(
        unscoped.cloud_message(),
        "Token is invalid, expired, or not supported for this endpoint."
    );
    let expired = get("/2.0/user")
        .basic("ada@example.com", "ATATT-demo-ada-expired")
        .send(&sb)
        .await
        .expect(401);
    assert_eq!(
        expired.cloud_message(),
        "Token is invalid, expired, or not supported for this endpoint."
    );
    get("/2.0/user")
        .bearer("ATATT-demo-ada-cloud")
        .send(&sb)
        .await
        .expect(401);
    get("/2.0/user").send(&sb).await.expect(401);
    get(CLOUD_REPO).send(&sb).await.expect(404);
    let scopes = get(&format!("{CLOUD_REPO}/branch-restrictions"))
        .cloud_user("lee")
        .send(&sb)
        .await
        .expect(403);
    assert_eq!(
        scopes.cloud_message(),
        "Your credentials lack one or more required privilege scopes."
    );
    let detail = &scopes.json()["error"]["detail"];
    assert_eq!(detail["required"], json!(["admin:repository:bitbucket"]));
    assert!(detail["granted"]
        .as_array()
        .unwrap()
        .contains(&json!("read:repository:bitbucket")));
    let token = get("/2.0/user")
        .bearer("ATCTT-demo-repo-checkout-tests")
        .send(&sb)
        .await
        .expect(403);
    assert_eq!(
        token.cloud_message(),
        "This API is not accessible by this authentication mechanism"
    );
    get(CLOUD_REPO)
        .bearer("ATCTT-demo-repo-checkout-tests")
        .send(&sb)
        .await
        .expect(200);
}

#[tokio::test]
async fn cloud_cors_answers_any_origin() {
    let sb = Sandbox::new();
    let pre = Req::new(axum::http::Method::OPTIONS, "/2.0/user")
        .header("origin", "http://127.0.0.1:1234")
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "authorization")
        .send(&sb)
        .await
        .expect(200);
    assert_eq!(
        pre.header("access-control-allow-origin").as_deref(),
        Some("*")
    );
    assert_eq!(
        pre.header("access-control-allow-methods").as_deref(),
        Some("GET, POST, PUT, PATCH, DELETE, OPTIONS")
    );
    assert_eq!(
        pre.header("access-control-max-age").as_deref(),
        Some("86400")
    );
    assert!(pre
        .header("access-control-allow-headers")
        .unwrap()
        .contains("Authorization"));
    assert!(!pre
        .header("access-control-allow-headers")
        .unwrap()
        .contains("X-Atlassian-Token"));
    let simple = get("/2.0/user")
        .cloud_user("ada")
        .header("origin", "http://127.0.0.1:1234")
        .send(&sb)
        .await
        .expect(200);
    assert_eq!(
        simple.header("access-control-allow-origin").as_deref(),
        Some("*")
    );
    assert_eq!(
        simple.header("access-control-expose-headers").as_deref(),
        Some("Accept-Ranges, Content-Encoding, Content-Length, Content-Type, ETag, Last-Modified")
    );
}

#[tokio::test]
async fn branches_with_a_slash_resolve_through_refs_but_not_in_src_or_commits() {
    let sb = Sandbox::new();
    let main = sb.tip(KEY, "main");
    post(&format!("{CLOUD_REPO}/refs/branches"))
        .cloud_user("eve")
        .json(json!({ "name": "feature/login", "target": { "hash": main } }))
        .send(&sb)
        .await
        .expect(201);
    for name in ["feature/login", "feature%2Flogin"] {
        let branch = get(&format!("{CLOUD_REPO}/refs/branches/{name}"))
            .cloud_user("eve")
            .ok_json(&sb)
            .await;
        assert_eq!(branch["name"], "feature/login");
        assert_eq!(branch["target"]["hash"], main);
        assert_eq!(
            branch["links"]["self"]["href"],
            format!("http://localhost:7990{CLOUD_REPO}/refs/branches/feature/login")
        );
        for path in [
            format!("src/{name}/README.md"),
            format!("src/{name}/"),
            format!("commits/{name}"),
        ] {
            let refused = get(&format!("{CLOUD_REPO}/{path}"))
                .cloud_user("eve")
                .send(&sb)
                .await
                .expect(404);
            assert_eq!(refused.json()["type"], "error", "{path}");
        }
    }
    get(&format!("{CLOUD_REPO}/refs/branches/feature/nope"))
        .cloud_user("eve")
        .send(&sb)
        .await
        .expect(404);
    for path in [
        format!("src/{main}/README.md"),
        format!("src/{}/README.md", &main[..12]),
        "src/main/README.md".to_string(),
        format!("commits/{main}"),
        "commits/main".to_string(),
        "commits".to_string(),
        "src".to_string(),
    ] {
        get(&format!("{CLOUD_REPO}/{path}"))
            .cloud_user("eve")
            .send(&sb)
            .await
            .expect(200);
    }
}

#[tokio::test]
async fn tags_are_created_listed_and_read() {
    let sb = Sandbox::new();
    let main = sb.tip(KEY, "main");
    let tags = format!("{CLOUD_REPO}/refs/tags");
    let created = post(&tags)
        .cloud_user("eve")
        .json(json!({ "name": "v2", "target": { "hash": &main[..12] } }))
        .send(&sb)
        .await
        .expect(201)
        .json();
    assert_eq!(created["type"], "tag");
    assert_eq!(created["name"], "v2");
    assert_eq!(created["target"]["hash"], main);
    assert_eq!(
        created["message"],
        format!("Added tag v2 for changeset {}", &main[..12])
    );
    assert_eq!(created["tagger"]["raw"], "Eve Engineer <eve@example.com>");
    assert_eq!(
        created["links"]["self"]["href"],
        format!("http://localhost:7990{CLOUD_REPO}/refs/tags/v2")
    );
    post(&tags)
        .cloud_user("eve")
        .json(json!({ "name": "v10", "target": { "hash": main }, "message": "Ten" }))
        .send(&sb)
        .await
        .expect(201);
    let repo = sb.git(KEY);
    let object = repo.revparse_single("refs/tags/v10").unwrap();
    let tag = object.as_tag().expect("an annotated tag");
    assert_eq!(tag.message(), Some("Ten"));
    assert_eq!(tag.target_id().to_string(), main);
    for (body, why) in [
        (
            json!({ "name": "v2", "target": { "hash": main } }),
            "exists",
        ),
        (
            json!({ "name": "v3", "target": { "hash": "0123456789ab" } }),
            "unknown hash",
        ),
        (json!({ "name": "v3" }), "no hash"),
        (json!({ "target": { "hash": main } }), "no name"),
        (
            json!({ "name": "bad..name", "target": { "hash": main } }),
            "invalid name",
        ),
    ] {
        let refused = post(&tags).cloud_user("eve").json(body).send(&sb).await;
        assert_eq!(refused.status, 400, "{why}: {}", refused.text());
        assert_eq!(refused.json()["type"], "error", "{why}");
    }
    post(&tags)
        .cloud_user("rory")
        .json(json!({ "name": "v3", "target": { "hash": main } }))
        .send(&sb)
        .await
        .expect(403);
    let names = |page: serde_json::Value| -> Vec<String> {
        page["values"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap().to_string())
            .collect()
    };
    let page = get(&format!("{tags}?sort=name"))
        .cloud_user("rory")
        .ok_json(&sb)
        .await;
    assert_eq!(names(page), ["v2", "v10"]);
    let page = get(&format!("{tags}?sort=-name&pagelen=1"))
        .cloud_user("rory")
        .ok_json(&sb)
        .await;
    assert!(page["next"].as_str().unwrap().contains("page=2"));
    assert_eq!(names(page), ["v10"]);
    let filtered = get(&format!("{tags}?q=name~%221%22"))
        .cloud_user("rory")
        .ok_json(&sb)
        .await;
    assert_eq!(names(filtered), ["v10"]);
    let one = get(&format!("{tags}/v10"))
        .cloud_user("rory")
        .ok_json(&sb)
        .await;
    assert_eq!(one["message"], "Ten");
    assert_eq!(one["target"]["hash"], main);
    let missing = get(&format!("{tags}/nope"))
        .cloud_user("rory")
        .send(&sb)
        .await
        .expect(404);
    assert_eq!(missing.json()["type"], "error");
}

/// Commits to `main` a new file, a change of `README.md` and a move of `test-artifacts/project.json`;
/// answers the new tip and the one before.
async fn change_main(sb: &Sandbox) -> (String, String) {
    let old = sb.tip(KEY, "main");
    let project = get(&format!(
        "{CLOUD_REPO}/src/{old}/test-artifacts/project.json"
    ))
    .cloud_user("ada")
    .send(sb)
    .await
    .expect(200)
    .text();
    post(&format!("{CLOUD_REPO}/src"))
        .cloud_user("ada")
        .multipart(&[
            ("test-artifacts/new.json", "1\n2\n"),
            ("README.md", "# changed\n"),
            ("test-artifacts/moved.json", &project),
            ("files", "test-artifacts/project.json"),
        ])
        .send(sb)
        .await
        .expect(201);
    (sb.tip(KEY, "main"), old)
}

/// A demo sandbox whose Cloud side reads open rules as `readings` says.
fn sandbox_reading(readings: CloudReadings) -> Sandbox {
    Sandbox::configured(|config| config.cloud.readings = readings)
}

#[tokio::test]
async fn diffstat_lists_the_files_changed_between_two_commits() {
    let sb = Sandbox::new();
    let (new, old) = change_main(&sb).await;
    let stat = |query: &str| {
        get(&format!("{CLOUD_REPO}/diffstat/{new}..{old}{query}"))
            .cloud_user("rory")
            .send(&sb)
    };
    let page = stat("").await.expect(200).json();
    assert_eq!(page["pagelen"], 500);
    let values = page["values"].as_array().unwrap();
    let summary: Vec<(String, String, String, u64, u64)> = values
        .iter()
        .map(|v| {
            assert_eq!(v["type"], "diffstat");
            let path = |side: &str| v[side]["path"].as_str().unwrap_or("-").to_string();
            (
                v["status"].as_str().unwrap().to_string(),
                path("old"),
                path("new"),
                v["lines_added"].as_u64().unwrap(),
                v["lines_removed"].as_u64().unwrap(),
            )
        })
        .collect();
    let readme_removed = get(&format!("{CLOUD_REPO}/src/{old}/README.md"))
        .cloud_user("ada")
        .send(&sb)
        .await
        .expect(200)
        .text()
        .lines()
        .count() as u64;
    assert_eq!(
        summary,
        [
            (
                "modified".into(),
                "README.md".into(),
                "README.md".into(),
                1,
                readme_removed
            ),
            (
                "renamed".into(),
                "test-artifacts/project.json".into(),
                "test-artifacts/moved.json".into(),
                0,
                0
            ),
            (
                "added".into(),
                "-".into(),
                "test-artifacts/new.json".into(),
                2,
                0
            ),
        ]
    );
    assert!(values[2]["old"].is_null());
    assert_eq!(
        values[2]["new"]["links"]["self"]["href"],
        format!("http://localhost:7990{CLOUD_REPO}/src/{new}/test-artifacts/new.json")
    );
    let file = stat("?path=test-artifacts/new.json")
        .await
        .expect(200)
        .json();
    assert_eq!(file["values"].as_array().unwrap().len(), 1);
    let single = get(&format!("{CLOUD_REPO}/diffstat/{new}"))
        .cloud_user("rory")
        .ok_json(&sb)
        .await;
    assert_eq!(single["values"], page["values"]);
    let none = get(&format!("{CLOUD_REPO}/diffstat/{old}..{new}?topic=false"))
        .cloud_user("rory")
        .ok_json(&sb)
        .await;
    let removed = &none["values"][1];
    assert_eq!(removed["status"], "removed");
    assert_eq!(removed["old"]["path"], "test-artifacts/new.json");
    assert!(removed["new"].is_null());
    get(&format!("{CLOUD_REPO}/diffstat/{new}..0123456789ab"))
        .cloud_user("rory")
        .send(&sb)
        .await
        .expect(404);
}

/// The paths of a diffstat page's entries (the new path, else the old one).
fn diffstat_paths(page: &Value) -> Vec<String> {
    page["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            let side = if v["new"].is_null() { "old" } else { "new" };
            v[side]["path"].as_str().unwrap().to_string()
        })
        .collect()
}

/// The paths a diffstat of the change [`change_main`] made on `sb` lists for `query`.
async fn stat_paths(sb: &Sandbox, (new, old): &(String, String), query: &str) -> Vec<String> {
    let page = get(&format!("{CLOUD_REPO}/diffstat/{new}..{old}{query}"))
        .cloud_user("rory")
        .ok_json(sb)
        .await;
    diffstat_paths(&page)
}

#[tokio::test]
async fn diffstat_paths_select_one_file_and_only_the_last_counts_unless_read_more_kindly() {
    let strict = Sandbox::new();
    let change = change_main(&strict).await;
    let folder_and_file = "?path=test-artifacts&path=README.md";
    // By default a folder selects nothing, and of several paths only the last one counts.
    assert!(stat_paths(&strict, &change, "?path=test-artifacts")
        .await
        .is_empty());
    assert_eq!(
        stat_paths(&strict, &change, folder_and_file).await,
        ["README.md"]
    );
    let two_files = "?path=README.md&path=test-artifacts/new.json";
    assert_eq!(
        stat_paths(&strict, &change, two_files).await,
        ["test-artifacts/new.json"]
    );
    // A rename is selected by either of its paths.
    assert_eq!(
        stat_paths(&strict, &change, "?path=test-artifacts/project.json").await,
        ["test-artifacts/moved.json"]
    );

    let kind = sandbox_reading(CloudReadings {
        diffstat_path: PathMatch::FileOrFolder,
        diffstat_repeated_path: RepeatedPath::All,
        ..CloudReadings::default()
    });
    let change = change_main(&kind).await;
    assert_eq!(
        stat_paths(&kind, &change, "?path=test-artifacts").await,
        ["test-artifacts/moved.json", "test-artifacts/new.json"]
    );
    assert_eq!(
        stat_paths(&kind, &change, folder_and_file).await,
        [
            "README.md",
            "test-artifacts/moved.json",
            "test-artifacts/new.json"
        ]
    );
}

#[tokio::test]
async fn diff_and_diffstat_refuse_the_removed_merge_parameter() {
    let sb = Sandbox::new();
    let (new, old) = change_main(&sb).await;
    for endpoint in ["diffstat", "diff"] {
        for query in [
            "merge=false",
            "merge=true&topic=false",
            "topic=true&merge=false",
        ] {
            let refused = get(&format!("{CLOUD_REPO}/{endpoint}/{new}..{old}?{query}"))
                .cloud_user("rory")
                .send(&sb)
                .await
                .expect(400);
            let body = refused.json();
            assert_eq!(body["type"], "error", "{endpoint}?{query}");
            assert!(refused.cloud_message().contains("merge"), "{body}");
        }
        get(&format!("{CLOUD_REPO}/{endpoint}/{new}..{old}?topic=false"))
            .cloud_user("rory")
            .send(&sb)
            .await
            .expect(200);
    }
}

#[tokio::test]
async fn page_lengths_above_one_hundred_are_refused_unless_read_as_capped() {
    // Lists of each kind, on a sandbox where `main` changed.
    let lists = |(new, old): (String, String)| {
        [
            format!("{CLOUD_REPO}/diffstat/{new}..{old}"),
            format!("{CLOUD_REPO}/refs/branches"),
            format!("{CLOUD_REPO}/commits"),
            format!("{CLOUD_REPO}/src/{new}/"),
        ]
    };
    let strict = Sandbox::new();
    let strict_lists = lists(change_main(&strict).await);
    for list in &strict_lists {
        let refused = get(&format!("{list}?pagelen=101"))
            .cloud_user("rory")
            .send(&strict)
            .await
            .expect(400);
        assert_eq!(refused.json()["type"], "error", "{list}");
        assert!(refused.cloud_message().contains("pagelen"), "{list}");
        let page = get(&format!("{list}?pagelen=100"))
            .cloud_user("rory")
            .ok_json(&strict)
            .await;
        assert_eq!(page["pagelen"], 100, "{list}");
    }
    // Without `pagelen`, a diffstat keeps Cloud's own default of 500.
    let default = get(&strict_lists[0])
        .cloud_user("rory")
        .ok_json(&strict)
        .await;
    assert_eq!(default["pagelen"], 500);

    let capped = sandbox_reading(CloudReadings {
        pagelen_above_max: PagelenAboveMax::Cap,
        ..CloudReadings::default()
    });
    for list in &lists(change_main(&capped).await) {
        let page = get(&format!("{list}?pagelen=5000"))
            .cloud_user("rory")
            .ok_json(&capped)
            .await;
        assert_eq!(page["pagelen"], 100, "{list}");
    }
}

/// The kindest readings of `path` on `diff` and `diffstat`: a folder selects its files, every `path` counts.
fn kindest_paths() -> CloudReadings {
    CloudReadings {
        diffstat_path: PathMatch::FileOrFolder,
        diffstat_repeated_path: RepeatedPath::All,
        ..CloudReadings::default()
    }
}

#[tokio::test]
async fn diff_paths_select_one_file_and_only_the_last_counts_unless_read_more_kindly() {
    let files = |patch: &str| -> Vec<String> {
        let mut names: Vec<String> = patch
            .lines()
            .filter_map(|line| line.strip_prefix("diff --git a/"))
            .filter_map(|names| names.split_once(' ').map(|(a, _)| a.to_owned()))
            .collect();
        names.sort();
        names
    };
    for (readings, folder, folder_and_file) in [
        (CloudReadings::default(), vec![], vec!["README.md"]),
        (
            kindest_paths(),
            vec![
                "test-artifacts/moved.json",
                "test-artifacts/new.json",
                "test-artifacts/project.json",
            ],
            vec![
                "README.md",
                "test-artifacts/moved.json",
                "test-artifacts/new.json",
                "test-artifacts/project.json",
            ],
        ),
    ] {
        let sb = sandbox_reading(readings);
        let (new, old) = change_main(&sb).await;
        let diff = |query: &str| {
            get(&format!(
                "{CLOUD_REPO}/diff/{new}..{old}?topic=false&renames=false{query}"
            ))
            .cloud_user("rory")
            .send(&sb)
        };
        let selected = files(&diff("&path=test-artifacts").await.expect(200).text());
        assert_eq!(selected, folder, "{readings:?}");
        let selected = files(
            &diff("&path=test-artifacts&path=README.md")
                .await
                .expect(200)
                .text(),
        );
        assert_eq!(selected, folder_and_file, "{readings:?}");
        // A move, shown as a deletion and an addition, is selected by either of its paths.
        let moved = files(
            &diff("&path=test-artifacts/project.json")
                .await
                .expect(200)
                .text(),
        );
        assert_eq!(
            moved,
            ["test-artifacts/moved.json", "test-artifacts/project.json"]
        );
    }
}

#[tokio::test]
async fn diff_prints_the_change_between_two_commits_as_a_git_patch() {
    // Read kindly, so that one folder selects the files it shows.
    let sb = sandbox_reading(kindest_paths());
    let old = sb.tip(KEY, "main");
    post(&format!("{CLOUD_REPO}/src"))
        .cloud_user("ada")
        .multipart(&[
            ("test-artifacts/new.json", "1\n2\n"),
            ("test-artifacts/tail.csv", "a,b"),
            ("README.md", "# changed\n"),
            ("files", "test-artifacts/project.json"),
        ])
        .send(&sb)
        .await
        .expect(201);
    let new = sb.tip(KEY, "main");
    let diff = |query: &str| {
        get(&format!("{CLOUD_REPO}/diff/{new}..{old}{query}"))
            .cloud_user("rory")
            .send(&sb)
    };
    let folder = diff("?topic=false&path=test-artifacts").await.expect(200);
    assert_eq!(
        folder.header("content-type").as_deref(),
        Some("text/plain; charset=utf-8")
    );
    let patch = folder.text();
    assert!(!patch.contains("README.md"), "{patch}");
    let added = "diff --git a/test-artifacts/new.json b/test-artifacts/new.json\n\
                 new file mode 100644\n\
                 index 0000000..";
    assert!(
        patch.starts_with(added) || patch.contains(&format!("\n{added}")),
        "{patch}"
    );
    assert!(
        patch.contains("--- /dev/null\n+++ b/test-artifacts/new.json\n@@ -0,0 +1,2 @@\n+1\n+2\n")
    );
    assert!(patch.contains(
        "+++ b/test-artifacts/tail.csv\n@@ -0,0 +1 @@\n+a,b\n\\ No newline at end of file\n"
    ));
    assert!(patch.contains(
        "diff --git a/test-artifacts/project.json b/test-artifacts/project.json\ndeleted file mode 100644\n"
    ));
    let whole = diff("").await.expect(200).text();
    assert!(whole.contains("+++ b/README.md\n"));
    let reverse = get(&format!(
        "{CLOUD_REPO}/diff/{old}..{new}?topic=false&path=test-artifacts/new.json"
    ))
    .cloud_user("rory")
    .send(&sb)
    .await
    .expect(200)
    .text();
    assert!(reverse.contains("deleted file mode 100644\n"), "{reverse}");
    assert!(reverse.contains("@@ -1,2 +0,0 @@\n-1\n-2\n"), "{reverse}");
    assert!(!reverse.contains("tail.csv"));
    diff("?context=many").await.expect(400);
    get(&format!("{CLOUD_REPO}/diff/{new}..0123456789ab"))
        .cloud_user("rory")
        .send(&sb)
        .await
        .expect(404);
}

#[tokio::test]
async fn huge_page_numbers_answer_an_empty_page() {
    let sb = Sandbox::new();
    let max = u64::MAX;
    for path in [
        format!("{CLOUD_REPO}/refs/branches?page={max}"),
        format!("{CLOUD_REPO}/commits?page={max}&pagelen=100"),
    ] {
        let page = get(&path).cloud_user("eve").ok_json(&sb).await;
        assert_eq!(page["values"], json!([]), "{path}");
    }
    get(&format!("{CLOUD_REPO}/refs/branches?page=1{max}"))
        .cloud_user("eve")
        .send(&sb)
        .await
        .expect(400);
    let dc = get(&format!("{DC_REPO}/branches?start={max}"))
        .dc_user("eve")
        .ok_json(&sb)
        .await;
    assert_eq!(dc["isLastPage"], true);
}

#[tokio::test]
async fn commits_refuse_git_dirs_backslashes_and_control_characters() {
    let sb = Sandbox::new();
    let main = sb.tip(KEY, "main");
    for bad in [
        ".GIT/config",
        "docs/.Git/hooks/x",
        "a\\b.txt",
        "tab\there.txt",
    ] {
        let refused = post(&format!("{CLOUD_REPO}/src"))
            .cloud_user("ada")
            .form(&[(bad, "x")])
            .send(&sb)
            .await;
        assert_eq!(refused.status, 400, "{bad:?}: {}", refused.text());
    }
    assert_eq!(sb.tip(KEY, "main"), main);
    let dc = dc_edit(
        &sb,
        "lee",
        "x%5Cy.txt",
        &[("content", "x"), ("branch", "main")],
    )
    .await;
    assert_eq!(dc.expect(400).dc_error().0, "Invalid path: x\\y.txt");
}

/// Cloud's time limit of `limit` on a demo sandbox whose `main` gained `test-artifacts/many/` with
/// `files` small files, and `test-artifacts/large.bin` of `large` bytes; answers the sandbox and the
/// new tip and the one before.
async fn timed(limit: TimeLimit, files: usize, large: usize) -> (Sandbox, String, String) {
    let sb = Sandbox::configured(|config| config.cloud.time_limit = limit);
    let old = sb.tip(KEY, "main");
    let mut contents: Vec<(String, String)> = (0..files)
        .map(|n| (format!("test-artifacts/many/{n}.json"), format!("{n}\n")))
        .collect();
    contents.push(("test-artifacts/large.bin".to_owned(), "x".repeat(large)));
    let fields: Vec<(&str, &str)> = contents
        .iter()
        .map(|(p, c)| (p.as_str(), c.as_str()))
        .collect();
    post(&format!("{CLOUD_REPO}/src"))
        .cloud_user("ada")
        .multipart(&fields)
        .send(&sb)
        .await
        .expect(201);
    let new = sb.tip(KEY, "main");
    (sb, new, old)
}

#[tokio::test]
async fn diff_diffstat_and_listings_answer_555_when_they_would_take_longer_than_the_time_limit() {
    // 10 ms per file and 100 ms per MiB, within 60 ms: six files, not seven; no MiB at all.
    let limit = TimeLimit {
        budget_ms: 60,
        per_file_ms: 10,
        per_mib_ms: 100,
    };
    let (sb, new, old) = timed(limit, 6, 1 << 20).await;
    let status = |path: String| {
        let sb = &sb;
        async move { get(&path).cloud_user("rory").send(sb).await.status.as_u16() }
    };
    let many = "path=test-artifacts/many";
    let diff = format!("{CLOUD_REPO}/diff/{new}..{old}?topic=false");
    assert_eq!(status(format!("{diff}&{many}")).await, 200, "six files");
    assert_eq!(status(diff.clone()).await, 555, "seven files and a MiB");
    assert_eq!(
        status(format!("{diff}&path=test-artifacts/large.bin")).await,
        555,
        "one file of a MiB"
    );
    // The diffstat covers every file changed, whatever its page shows.
    let stat = format!("{CLOUD_REPO}/diffstat/{new}..{old}?topic=false");
    assert_eq!(
        status(format!("{stat}&pagelen=1")).await,
        555,
        "seven files"
    );
    let one = "path=test-artifacts/many/1.json";
    assert_eq!(status(format!("{stat}&{one}")).await, 200, "one file");
    // A listing covers the folder's entries: six here, seven at the folder above (with `large.bin`,
    // `project.json` and `many/`: three).
    let src = format!("{CLOUD_REPO}/src/{new}");
    assert_eq!(status(format!("{src}/test-artifacts/many/")).await, 200);
    assert_eq!(status(format!("{src}/test-artifacts/")).await, 200);
    assert_eq!(
        status(format!("{src}/test-artifacts/large.bin")).await,
        200,
        "a file"
    );

    let (sb, new, _) = timed(limit, 7, 0).await;
    let listing = get(&format!(
        "{CLOUD_REPO}/src/{new}/test-artifacts/many/?pagelen=1"
    ))
    .cloud_user("rory")
    .send(&sb)
    .await
    .expect(555);
    assert_eq!(listing.json()["type"], "error");
}

#[tokio::test]
async fn a_budget_of_nothing_answers_555_to_every_diff_and_diffstat() {
    let limit = TimeLimit {
        budget_ms: 0,
        ..TimeLimit::default()
    };
    let (sb, new, old) = timed(limit, 1, 0).await;
    for kind in ["diff", "diffstat"] {
        get(&format!("{CLOUD_REPO}/{kind}/{new}..{old}"))
            .cloud_user("rory")
            .send(&sb)
            .await
            .expect(555);
    }
}

#[tokio::test]
async fn cloud_limits_repository_requests_per_credential_and_hour_with_a_plain_429() {
    let sb = Sandbox::configured(|config| config.cloud.limits.requests_per_hour = 3);
    let repository = "/2.0/repositories/acme/checkout-tests";
    for _ in 0..3 {
        get(repository)
            .cloud_user("ada")
            .send(&sb)
            .await
            .expect(200);
    }
    let refused = get(&format!("{repository}/refs/branches"))
        .cloud_user("ada")
        .send(&sb)
        .await
        .expect(429);
    assert_eq!(
        refused.text(),
        "Rate limit for this resource has been exceeded"
    );
    assert_eq!(refused.header("retry-after"), None, "Cloud says not when");
    // Outside the repository paths, and for another user, nothing is refused.
    get("/2.0/user")
        .cloud_user("ada")
        .send(&sb)
        .await
        .expect(200);
    get(repository)
        .cloud_user("lee")
        .send(&sb)
        .await
        .expect(200);
    // The default is Cloud's: 1,000 an hour.
    let config = bitbucket_sandbox::config::Config::demo();
    assert_eq!(config.cloud.limits.requests_per_hour, 1_000);
}
