//! What the sandbox sends and refuses as a host: the app's Content-Security-Policy as a header
//! (with `frame-ancestors`) and `nosniff` on the app's files, and the control endpoint only for
//! the sandbox's own origin.

use axum::http::Method;
use serde_json::json;

use crate::common::*;

/// The policy the repository's `index.html` carries in its `<meta>` element.
fn meta_policy() -> String {
    let index = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../index.html"))
        .expect("the app's index.html");
    let (_, rest) = index
        .split_once(r#"http-equiv="Content-Security-Policy" content=""#)
        .expect("index.html carries a Content-Security-Policy");
    rest.split('"').next().unwrap().to_string()
}

#[tokio::test]
async fn the_app_is_served_with_its_policy_as_a_header_with_frame_ancestors_and_nosniff() {
    let dist = tempfile::tempdir().unwrap();
    std::fs::write(dist.path().join("index.html"), "<html>app</html>").unwrap();
    std::fs::write(dist.path().join("app.js"), "export {};").unwrap();
    let sb = Sandbox::with(bitbucket_sandbox::Options {
        config: bitbucket_sandbox::config::Config::demo(),
        quiet: true,
        serve_dir: Some(dist.path().to_path_buf()),
        ..Default::default()
    });
    let expected = format!("{}; frame-ancestors 'self'", meta_policy());
    for path in [
        "/",
        "/index.html",
        "/projects/checkout-web/artifacts",
        "/app.js",
    ] {
        let answer = get(path).send(&sb).await.expect(200);
        assert_eq!(
            answer.header("content-security-policy").as_deref(),
            Some(expected.as_str()),
            "{path}"
        );
        assert_eq!(
            answer.header("x-content-type-options").as_deref(),
            Some("nosniff"),
            "{path}"
        );
    }
}

/// A request to every control route, and to a path under `/_sandbox` that none answers.
fn control_requests() -> Vec<Req> {
    vec![
        get("/_sandbox/faults"),
        put("/_sandbox/faults").json(json!({})),
        post("/_sandbox/reset"),
        get("/_sandbox/log?limit=1"),
        get("/_sandbox/tokens"),
        post("/_sandbox/submodules").json(json!({})),
        Req::new(Method::GET, "/_sandbox/unknown"),
    ]
}

#[tokio::test]
async fn every_control_route_refuses_other_origins_with_the_reason() {
    let sb = Sandbox::new();
    let foreign: [(&str, &str, &str); 5] = [
        (
            "origin",
            "http://evil.example",
            "comes from http://evil.example",
        ),
        // The app's page at 127.0.0.1 is another origin than the sandbox addressed as localhost.
        (
            "origin",
            "http://127.0.0.1:7990",
            "not from http://localhost:7990",
        ),
        ("sec-fetch-site", "cross-site", "Sec-Fetch-Site: cross-site"),
        ("sec-fetch-site", "same-site", "Sec-Fetch-Site: same-site"),
        (
            "host",
            "evil.example:7990",
            "addressed to evil.example:7990",
        ),
    ];
    for (name, value, reason) in foreign {
        for request in control_requests() {
            let answer = request.header(name, value).send(&sb).await.expect(403);
            let error = answer.json()["error"].as_str().unwrap().to_string();
            assert!(
                error.starts_with("only the sandbox's own origin may use this control endpoint: "),
                "{error}"
            );
            assert!(error.contains(reason), "{name}: {value}: {error}");
        }
    }
    assert_eq!(
        sb.state.faults().settings().latency_ms,
        0,
        "nothing changed"
    );
}

#[tokio::test]
async fn control_routes_answer_scripts_and_their_own_origin() {
    let sb = Sandbox::new();
    get("/_sandbox/faults").send(&sb).await.expect(200);
    get("/_sandbox/log").send(&sb).await.expect(200);
    put("/_sandbox/faults")
        .header("origin", "http://localhost:7990")
        .header("sec-fetch-site", "same-origin")
        .json(json!({ "latency_ms": 5 }))
        .send(&sb)
        .await
        .expect(200);
    assert_eq!(sb.state.faults().settings().latency_ms, 5);
    get("/_sandbox/log")
        .header("host", "127.0.0.1:7990")
        .header("origin", "http://127.0.0.1:7990")
        .send(&sb)
        .await
        .expect(200);
    get("/_sandbox/tokens")
        .header("sec-fetch-site", "none")
        .send(&sb)
        .await
        .expect(200);
    get("/_sandbox/unknown").send(&sb).await.expect(404);
}
