//! Read-only git over HTTP: `git clone` of both products' repositories through a real socket,
//! with the credentials each product takes over git and the repository's read permission.

use std::path::Path;
use std::process::Command;

use bitbucket_sandbox::config::Config;
use bitbucket_sandbox::git_http::{CLOUD_NO_ACCESS, PUSH_REFUSED};
use bitbucket_sandbox::Options;
use serde_json::json;
use tokio::task::JoinHandle;

use crate::common::*;

/// Serves the sandbox on a free port of 127.0.0.1: the port and the server's task.
async fn listen(sb: &Sandbox) -> (u16, JoinHandle<std::io::Result<()>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = tokio::spawn(bitbucket_sandbox::server::serve(listener, sb.app.clone()));
    (port, server)
}

/// The demo sandbox where Rory (a reader everywhere else) has no permission on either repository.
fn without_rory() -> Sandbox {
    let mut config = Config::demo();
    let cloud = config
        .cloud
        .workspaces
        .iter_mut()
        .flat_map(|w| &mut w.repositories);
    let dc = config
        .datacenter
        .projects
        .iter_mut()
        .flat_map(|p| &mut p.repositories);
    for repo in cloud.chain(dc) {
        repo.permissions.remove("rory");
    }
    Sandbox::with(Options {
        config,
        quiet: true,
        ..Options::default()
    })
}

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
    let (port, server) = listen(&sb).await;
    let dir = tempfile::tempdir().unwrap();
    let cloud_base = format!("http://lee:ATATT-demo-lee-cloud@localhost:{port}");

    let (ok, out) = git(
        dir.path(),
        &[
            "clone",
            &format!("{cloud_base}/acme/checkout-tests.git"),
            "cloud",
        ],
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
            &format!("http://lee:BBDC-demo-lee@localhost:{port}/scm/qa/regression-suite.git"),
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
        &["clone", &format!("{cloud_base}/acme/nope.git"), "nope"],
    )
    .await;
    assert!(!ok, "unknown repositories are not served");
    server.abort();
}

#[tokio::test]
async fn git_paths_are_not_taken_by_the_app_fallback() {
    let app = tempfile::tempdir().unwrap();
    std::fs::write(app.path().join("index.html"), "<html>app</html>").unwrap();
    let sb = Sandbox::with(Options {
        config: Config::demo(),
        quiet: true,
        serve_dir: Some(app.path().to_path_buf()),
        ..Default::default()
    });
    for path in [
        "/acme/checkout-tests.git/info/refs?service=git-upload-pack",
        "/scm/qa/regression-suite.git/info/refs?service=git-upload-pack",
        "/scm/QA/regression-suite.git/info/refs?service=git-upload-pack",
    ] {
        let refs = get(path).basic("eve", "BBDC-demo-eve");
        let refs = if path.starts_with("/scm/") {
            refs
        } else {
            refs.basic("eve", "ATATT-demo-eve-cloud")
        };
        let refs = refs.send(&sb).await.expect(200);
        assert_eq!(
            refs.header("content-type").as_deref(),
            Some("application/x-git-upload-pack-advertisement"),
            "{path}"
        );
        assert!(refs.text().contains("refs/heads/main"), "{path}");
    }
    let push = get("/acme/checkout-tests.git/info/refs?service=git-receive-pack")
        .basic("eve", "ATATT-demo-eve-cloud")
        .send(&sb)
        .await
        .expect(403);
    assert_eq!(push.text(), PUSH_REFUSED);
    let page = get("/acme/checkout-tests").send(&sb).await.expect(200);
    assert!(page.text().contains("app"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn git_asks_for_credentials_and_clones_only_with_read_permission() {
    let sb = without_rory();
    let (port, server) = listen(&sb).await;
    let dir = tempfile::tempdir().unwrap();
    let clone = |credentials: &str, path: &str, into: &str| {
        let url = format!("http://{credentials}localhost:{port}/{path}");
        let dir = dir.path().to_path_buf();
        let into = into.to_string();
        async move { git(&dir, &["clone", &url, &into]).await }
    };
    const CLOUD: &str = "acme/checkout-tests.git";
    const DC: &str = "scm/qa/regression-suite.git";

    for path in [CLOUD, DC] {
        let (ok, out) = clone("", path, "anonymous").await;
        assert!(
            !ok && out.contains("could not read Username"),
            "git is asked for credentials: {out}"
        );
    }
    let (ok, out) = clone("rory:ATATT-demo-rory-cloud@", CLOUD, "rory-cloud").await;
    assert!(!ok && out.contains("403"), "{out}");
    assert!(
        out.contains(CLOUD_NO_ACCESS),
        "Cloud's text reaches the user: {out}"
    );
    let (ok, out) = clone("rory:BBDC-demo-rory@", DC, "rory-dc").await;
    assert!(!ok && out.contains("403"), "{out}");
    let (ok, out) = clone("eve:ATATT-demo-eve-wrong@", CLOUD, "wrong").await;
    assert!(!ok && out.contains("Authentication failed"), "{out}");

    let (ok, out) = clone("eve:ATATT-demo-eve-cloud@", CLOUD, "eve-cloud").await;
    assert!(ok, "{out}");
    assert!(dir.path().join("eve-cloud/README.md").exists());
    let (ok, out) = clone("eve:BBDC-demo-eve@", DC, "eve-dc").await;
    assert!(ok, "{out}");
    assert!(dir.path().join("eve-dc/README.md").exists());
    server.abort();

    let log = serde_json::to_string(&sb.state.log().recent(500)).unwrap();
    for secret in [
        "ATATT-demo-eve-cloud",
        "BBDC-demo-eve",
        "ATATT-demo-rory-cloud",
        "ATATT-demo-eve-wrong",
    ] {
        assert!(!log.contains(secret), "the log never shows a token");
    }
    let kinds: Vec<_> = sb
        .state
        .log()
        .recent(500)
        .into_iter()
        .filter(|line| line["path"].as_str().unwrap().contains(".git/"))
        .map(|line| {
            (
                line["status"].as_u64().unwrap(),
                line["credential"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(kinds.contains(&(401, "none".to_string())), "{kinds:?}");
    assert!(kinds.contains(&(401, "invalid".to_string())), "{kinds:?}");
    assert!(kinds.contains(&(403, "cloud-api".to_string())), "{kinds:?}");
    assert!(kinds.contains(&(200, "dc-user".to_string())), "{kinds:?}");
}

#[tokio::test]
async fn git_takes_the_credentials_each_product_takes_over_git() {
    let sb = without_rory();
    let cloud = "/acme/checkout-tests.git/info/refs?service=git-upload-pack";
    let dc = "/scm/qa/regression-suite.git/info/refs?service=git-upload-pack";

    let anonymous = get(cloud).send(&sb).await.expect(401);
    assert_eq!(
        anonymous.header("www-authenticate").as_deref(),
        Some("Basic realm=\"Bitbucket.org HTTP\"")
    );
    let anonymous = get(dc).send(&sb).await.expect(401);
    assert_eq!(
        anonymous.header("www-authenticate").as_deref(),
        Some("Basic realm=\"Atlassian Bitbucket\"")
    );

    // Cloud: an API token with the username or the static login, not the email (REST's login);
    // an access token with `x-token-auth` or as Bearer.
    for (user, token) in [
        ("eve", "ATATT-demo-eve-cloud"),
        ("x-bitbucket-api-token-auth", "ATATT-demo-eve-cloud"),
        ("x-token-auth", "ATCTT-demo-repo-checkout-tests"),
    ] {
        get(cloud).basic(user, token).send(&sb).await.expect(200);
    }
    get(cloud)
        .bearer("ATCTT-demo-repo-checkout-tests")
        .send(&sb)
        .await
        .expect(200);
    for (user, token) in [
        ("eve@example.com", "ATATT-demo-eve-cloud"),
        ("ada", "ATATT-demo-eve-cloud"),
        ("x-token-auth", "ATATT-demo-eve-cloud"),
        ("eve", "BBDC-demo-eve"),
    ] {
        let refused = get(cloud).basic(user, token).send(&sb).await.expect(401);
        assert!(refused.header("www-authenticate").is_some(), "{user}");
    }
    let no_access = get(cloud)
        .basic("rory", "ATATT-demo-rory-cloud")
        .send(&sb)
        .await
        .expect(403);
    assert_eq!(no_access.text().trim_end(), CLOUD_NO_ACCESS);

    // Data Center: what its REST API takes.
    get(dc)
        .basic("eve", "BBDC-demo-eve")
        .send(&sb)
        .await
        .expect(200);
    get(dc).bearer("BBDC-demo-eve").send(&sb).await.expect(200);
    get(dc)
        .bearer("BBDC-demo-repo-regression-suite")
        .send(&sb)
        .await
        .expect(200);
    get(dc)
        .basic("x-token-auth", "BBDC-demo-repo-regression-suite")
        .send(&sb)
        .await
        .expect(401);
    get(dc)
        .bearer("BBDC-demo-eve-expired")
        .send(&sb)
        .await
        .expect(401);
    let no_access = get(dc).bearer("BBDC-demo-rory").send(&sb).await.expect(403);
    assert_eq!(
        no_access.text().trim_end(),
        "You are not permitted to access this resource"
    );
    // A push is asked for credentials first, as a clone is (then refused with 403).
    get("/acme/checkout-tests.git/info/refs?service=git-receive-pack")
        .send(&sb)
        .await
        .expect(401);
}

/// Clones the Data Center repository with `credentials` (`user:token@`) into `dir/into` and commits
/// `file` there; whether the clone worked and git's output.
async fn clone_and_commit(
    port: u16,
    dir: &Path,
    credentials: &str,
    into: &str,
    file: &str,
) -> (bool, String) {
    let url = format!("http://{credentials}localhost:{port}/scm/qa/regression-suite.git");
    let (ok, out) = git(dir, &["clone", &url, into]).await;
    if !ok {
        return (ok, out);
    }
    let clone = dir.join(into);
    std::fs::write(clone.join(file), into).unwrap();
    git(&clone, &["add", file]).await;
    git(&clone, &["commit", "-m", &format!("Add {file}")]).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn data_center_takes_pushes_from_writers_within_branch_permissions() {
    let sb = Sandbox::new();
    let (port, server) = listen(&sb).await;
    let dir = tempfile::tempdir().unwrap();
    const KEY: &str = "dc/QA/regression-suite";
    let main = sb.tip(KEY, "main");

    // Eve may write, but main's read-only branch permission exempts only administrators and leads.
    let (ok, out) =
        clone_and_commit(port, dir.path(), "eve:BBDC-demo-eve@", "eve", "eve.txt").await;
    assert!(ok, "{out}");
    let eve = dir.path().join("eve");
    let (ok, out) = git(&eve, &["push", "origin", "HEAD:main"]).await;
    assert!(!ok, "{out}");
    assert!(
        out.contains("remote: Branch refs/heads/main is read-only.")
            && out.contains("(pre-receive hook declined)"),
        "Data Center's refusal reaches the user: {out}"
    );
    assert_eq!(sb.tip(KEY, "main"), main);
    let (ok, out) = git(&eve, &["push", "origin", "HEAD:refs/heads/feature/eve"]).await;
    assert!(ok, "{out}");
    let (_, head) = git(&eve, &["rev-parse", "HEAD"]).await;
    assert_eq!(sb.tip(KEY, "feature/eve"), head.trim());

    // Lee, a lead, pushes to main, and a tag with it, atomically.
    let (ok, out) =
        clone_and_commit(port, dir.path(), "lee:BBDC-demo-lee@", "lee", "lee.txt").await;
    assert!(ok, "{out}");
    let lee = dir.path().join("lee");
    git(&lee, &["tag", "v1"]).await;
    let (ok, out) = git(&lee, &["push", "--atomic", "origin", "HEAD:main", "v1"]).await;
    assert!(ok, "{out}");
    let (_, head) = git(&lee, &["rev-parse", "HEAD"]).await;
    assert_eq!(sb.tip(KEY, "main"), head.trim());
    let tag = sb.git(KEY).refname_to_id("refs/tags/v1").unwrap();
    assert_eq!(tag.to_string(), head.trim());

    // The repository token (REPO_WRITE, Bearer only) pushes a branch of its own.
    let (ok, out) = git(
        &lee,
        &[
            "-c",
            "http.extraHeader=Authorization: Bearer BBDC-demo-repo-regression-suite",
            "push",
            &format!("http://localhost:{port}/scm/qa/regression-suite.git"),
            "HEAD:refs/heads/build/token",
        ],
    )
    .await;
    assert!(ok, "{out}");
    assert_eq!(sb.tip(KEY, "build/token"), head.trim());

    // Rory may read, not write.
    let (ok, out) =
        clone_and_commit(port, dir.path(), "rory:BBDC-demo-rory@", "rory", "rory.txt").await;
    assert!(ok, "{out}");
    let (ok, out) = git(
        &dir.path().join("rory"),
        &["push", "origin", "HEAD:refs/heads/rory"],
    )
    .await;
    assert!(!ok && out.contains("403"), "{out}");
    assert_eq!(sb.tip(KEY, "rory"), "");
    server.abort();

    let fsck = Command::new("git")
        .args(["fsck", "--strict"])
        .current_dir(sb.state.store().path(KEY))
        .output()
        .unwrap();
    assert!(
        fsck.status.success(),
        "{}",
        String::from_utf8_lossy(&fsck.stderr)
    );
    let log = serde_json::to_string(&sb.state.log().recent(500)).unwrap();
    for secret in [
        "BBDC-demo-eve",
        "BBDC-demo-lee",
        "BBDC-demo-repo-regression-suite",
    ] {
        assert!(!log.contains(secret), "the log never shows a token");
    }
}
