//! Request log, static app serving, reset and the token table.

use bitbucket_sandbox::config::Config;
use bitbucket_sandbox::Options;

use crate::common::*;

#[tokio::test]
async fn no_token_string_ever_reaches_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("requests.log");
    let sb = Sandbox::with(Options {
        config: Config::demo(),
        log_file: Some(file.clone()),
        ..Options::default()
    });
    let config = Config::demo();
    let secrets: Vec<String> = config.tokens.iter().map(|t| t.secret.clone()).collect();
    let users = ["ada", "quinn", "lee", "eve", "rory"];
    for secret in &secrets {
        for user in users {
            get("/2.0/user")
                .basic(&format!("{user}@example.com"), secret)
                .send(&sb)
                .await;
            get(DC_REPO).basic(user, secret).send(&sb).await;
        }
        get(&format!("{CLOUD_REPO}?access_token={secret}"))
            .bearer(secret)
            .send(&sb)
            .await;
        get(&format!("{DC_REPO}/branches?filterText={secret}"))
            .bearer(secret)
            .send(&sb)
            .await;
        get(&format!("/rest/api/latest/users/{secret}"))
            .bearer(secret)
            .send(&sb)
            .await;
    }
    let written = std::fs::read_to_string(&file).unwrap();
    let recent = serde_json::to_string(&sb.state.log().recent(10_000)).unwrap();
    assert!(written.lines().count() >= secrets.len() * 13);
    for secret in &secrets {
        assert!(
            !written.contains(secret.as_str()),
            "{secret} in the log file"
        );
        assert!(
            !recent.contains(secret.as_str()),
            "{secret} in the recent log"
        );
    }
    let line: serde_json::Value = serde_json::from_str(written.lines().next().unwrap()).unwrap();
    for field in [
        "method",
        "path",
        "query",
        "status",
        "duration_ms",
        "body_bytes",
        "credential",
    ] {
        assert!(line.get(field).is_some(), "{field} missing in {line}");
    }
    let log = get("/_sandbox/log?limit=2")
        .send(&sb)
        .await
        .expect(200)
        .json();
    assert_eq!(log.as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn the_app_is_served_with_an_index_fallback() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("index.html"), "<html>app</html>").unwrap();
    std::fs::write(dir.path().join("app.js"), "console.log(1)").unwrap();
    let sb = Sandbox::with(Options {
        config: Config::demo(),
        quiet: true,
        serve_dir: Some(dir.path().to_path_buf()),
        ..Options::default()
    });
    assert_eq!(
        get("/app.js").send(&sb).await.expect(200).text(),
        "console.log(1)"
    );
    assert_eq!(
        get("/acme/checkout-tests")
            .send(&sb)
            .await
            .expect(200)
            .text(),
        "<html>app</html>"
    );
    assert_eq!(
        get("/").send(&sb).await.expect(200).text(),
        "<html>app</html>"
    );
    let api = get("/2.0/nothing/here").send(&sb).await.expect(404);
    assert_eq!(api.json()["type"], "error");
    get("/rest/nothing").send(&sb).await.expect(404).dc_error();
}

#[tokio::test]
async fn reset_restores_the_seed_repositories() {
    let sb = Sandbox::new();
    let key = "cloud/acme/checkout-tests";
    let seed = sb.tip(key, "main");
    post(&format!("{CLOUD_REPO}/src"))
        .cloud_user("ada")
        .multipart(&[("x.txt", "1"), ("branch", "feature/z")])
        .send(&sb)
        .await
        .expect(201);
    post("/_sandbox/reset").send(&sb).await.expect(200);
    assert_eq!(sb.tip(key, "main"), seed);
    assert_eq!(sb.tip(key, "feature/z"), "");
    let tokens = get("/_sandbox/tokens").send(&sb).await.expect(200).json();
    assert!(tokens
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["token"] == "BBDC-demo-ada" && t["login"] == "ada"));
}

#[test]
fn a_repository_key_leaving_the_data_directory_is_refused_and_nothing_is_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let victim = dir.path().join("victim.git");
    std::fs::create_dir_all(&victim).unwrap();
    std::fs::write(victim.join("keep.txt"), "keep").unwrap();
    let mut config = Config::demo();
    config.cloud.workspaces[0].repositories[0].slug = "../../../victim".into();
    let started = bitbucket_sandbox::AppState::new(Options {
        config,
        data_dir: Some(dir.path().join("data")),
        quiet: true,
        ..Options::default()
    });
    assert!(started.is_err());
    assert_eq!(
        std::fs::read_to_string(victim.join("keep.txt")).unwrap(),
        "keep"
    );
}

#[tokio::test]
async fn an_empty_data_center_repository_has_no_default_branch() {
    let mut config = Config::demo();
    config.datacenter.projects[0].repositories[0].seed.clear();
    let sb = Sandbox::with(Options {
        config,
        quiet: true,
        ..Options::default()
    });
    let missing = get(&format!("{DC_REPO}/default-branch"))
        .dc_user("eve")
        .send(&sb)
        .await
        .expect(404);
    assert!(missing.dc_error().1.ends_with("NoDefaultBranchException"));
    get(&format!("{DC_REPO}/branches"))
        .dc_user("eve")
        .send(&sb)
        .await
        .expect(200);
}
