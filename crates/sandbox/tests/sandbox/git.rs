//! Read-only git over HTTP: `git clone` of both products' repositories through a real socket.

use std::path::Path;
use std::process::Command;

use serde_json::json;

use crate::common::*;

/// Runs `git ARGS` in `dir` with no user or system configuration; its success and output.
async fn git(dir: &Path, args: &[&str]) -> (bool, String) {
    let dir = dir.to_path_buf();
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        let out = Command::new("git")
            .args(&args)
            .current_dir(&dir)
            .env("HOME", &dir)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_TERMINAL_PROMPT", "0")
            .env("GIT_AUTHOR_NAME", "T")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "T")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .output()
            .expect("git runs");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.success(), text)
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clones_see_api_commits_and_tags_and_pushes_are_refused() {
    let sb = Sandbox::new();
    post(&format!("{CLOUD_REPO}/src"))
        .cloud_user("lee")
        .multipart(&[
            ("test-artifacts/run.json", "{\"run\":1}"),
            ("message", "Add a run"),
        ])
        .send(&sb)
        .await
        .expect(201);
    let tip = sb.tip("cloud/acme/checkout-tests", "main");
    post(&format!("{CLOUD_REPO}/refs/tags"))
        .cloud_user("lee")
        .json(json!({ "name": "v1", "target": { "hash": tip } }))
        .send(&sb)
        .await
        .expect(201);
    put(&format!("{DC_REPO}/browse/notes/dc.txt"))
        .dc_user("lee")
        .no_check()
        .multipart(&[
            ("content", "from DC"),
            ("branch", "main"),
            ("message", "DC note"),
        ])
        .send(&sb)
        .await
        .expect(200);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = tokio::spawn(bitbucket_sandbox::server::serve(listener, sb.app.clone()));
    let dir = tempfile::tempdir().unwrap();
    let base = format!("http://localhost:{port}");

    let (ok, out) = git(
        dir.path(),
        &["clone", &format!("{base}/acme/checkout-tests.git"), "cloud"],
    )
    .await;
    assert!(ok, "{out}");
    let cloud = dir.path().join("cloud");
    assert_eq!(
        std::fs::read_to_string(cloud.join("test-artifacts/run.json")).unwrap(),
        "{\"run\":1}"
    );
    let (_, log) = git(&cloud, &["log", "-1", "--format=%H %s"]).await;
    assert_eq!(log.trim(), format!("{tip} Add a run"));
    let (_, tags) = git(&cloud, &["tag", "--list"]).await;
    assert_eq!(tags.trim(), "v1");

    let (ok, out) = git(
        dir.path(),
        &[
            "clone",
            &format!("{base}/scm/qa/regression-suite.git"),
            "dc",
        ],
    )
    .await;
    assert!(ok, "{out}");
    let dc = dir.path().join("dc");
    assert_eq!(
        std::fs::read_to_string(dc.join("notes/dc.txt")).unwrap(),
        "from DC"
    );
    let (_, log) = git(&dc, &["log", "-1", "--format=%s"]).await;
    assert_eq!(log.trim(), "DC note");

    std::fs::write(cloud.join("pushed.txt"), "x").unwrap();
    git(&cloud, &["add", "pushed.txt"]).await;
    let (ok, out) = git(&cloud, &["commit", "-m", "local"]).await;
    assert!(ok, "{out}");
    let (ok, out) = git(&cloud, &["push", "origin", "main"]).await;
    assert!(!ok && out.contains("403"), "a push must be refused: {out}");
    assert_eq!(sb.tip("cloud/acme/checkout-tests", "main"), tip);

    let (ok, _) = git(
        dir.path(),
        &["clone", &format!("{base}/acme/nope.git"), "nope"],
    )
    .await;
    assert!(!ok, "unknown repositories are not served");
    server.abort();
}

#[tokio::test]
async fn git_paths_are_not_taken_by_the_app_fallback() {
    let app = tempfile::tempdir().unwrap();
    std::fs::write(app.path().join("index.html"), "<html>app</html>").unwrap();
    let sb = Sandbox::with(bitbucket_sandbox::Options {
        config: bitbucket_sandbox::config::Config::demo(),
        quiet: true,
        serve_dir: Some(app.path().to_path_buf()),
        ..Default::default()
    });
    for path in [
        "/acme/checkout-tests.git/info/refs?service=git-upload-pack",
        "/scm/qa/regression-suite.git/info/refs?service=git-upload-pack",
        "/scm/QA/regression-suite.git/info/refs?service=git-upload-pack",
    ] {
        let refs = get(path).send(&sb).await.expect(200);
        assert_eq!(
            refs.header("content-type").as_deref(),
            Some("application/x-git-upload-pack-advertisement"),
            "{path}"
        );
        assert!(refs.text().contains("refs/heads/main"), "{path}");
    }
    let push = get("/acme/checkout-tests.git/info/refs?service=git-receive-pack")
        .send(&sb)
        .await
        .expect(403);
    assert_eq!(push.text(), bitbucket_sandbox::git_http::PUSH_REFUSED);
    let page = get("/acme/checkout-tests").send(&sb).await.expect(200);
    assert!(page.text().contains("app"));
}
