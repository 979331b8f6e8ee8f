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

#[test]
fn sigterm_removes_the_temporary_data_directory() {
    use std::io::BufRead;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_bitbucket-sandbox"))
        .args(["--port", "0", "--log", "/dev/null"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut data_dir = None;
    for line in stdout.lines() {
        let line = line.unwrap();
        if let Some(dir) = line.strip_prefix("Data directory:") {
            data_dir = Some(std::path::PathBuf::from(dir.trim()));
        }
        if line.starts_with("Bitbucket sandbox listening on") {
            break;
        }
    }
    let data_dir = data_dir.expect("the banner names the data directory");
    assert!(data_dir.join("cloud/acme/checkout-tests.git").exists());
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert!(status.success(), "a clean exit on SIGTERM: {status:?}");
    assert!(!data_dir.exists(), "{} is left behind", data_dir.display());
}

#[tokio::test]
async fn reset_and_tokens_answer_only_the_sandbox_origin() {
    let sb = Sandbox::new();
    let refused = [
        ("localhost:7990", Some("http://evil.example")),
        ("localhost:7990", Some("http://127.0.0.1:7990")),
        ("evil.example:7990", None),
        ("evil.example:7990", Some("http://evil.example:7990")),
    ];
    for (host, origin) in refused {
        for request in [get("/_sandbox/tokens"), post("/_sandbox/reset")] {
            let mut request = request.header("host", host);
            if let Some(origin) = origin {
                request = request.header("origin", origin);
            }
            request.send(&sb).await.expect(403);
        }
    }
    let allowed = [
        ("localhost:7990", None),
        ("127.0.0.1:7990", Some("http://127.0.0.1:7990")),
        ("[::1]:7990", None),
    ];
    for (host, origin) in allowed {
        let mut request = get("/_sandbox/tokens").header("host", host);
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        request.send(&sb).await.expect(200);
    }
    post("/_sandbox/reset")
        .header("host", "127.0.0.1:7990")
        .header("origin", "http://127.0.0.1:7990")
        .send(&sb)
        .await
        .expect(200);
}
