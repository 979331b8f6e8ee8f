//! Fault injection: latency (paused clock), rate limit, 5xx queue, dropped connections.

use std::time::Duration;

use bitbucket_sandbox::config::Config;
use bitbucket_sandbox::faults::FaultSettings;
use bitbucket_sandbox::Options;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::common::*;

fn with_faults(faults: FaultSettings) -> Sandbox {
    Sandbox::with(Options {
        config: Config::demo(),
        quiet: true,
        faults,
        ..Options::default()
    })
}

#[tokio::test(start_paused = true)]
async fn latency_delays_api_answers_by_the_configured_time() {
    let sb = with_faults(FaultSettings {
        latency_ms: 1500,
        ..Default::default()
    });
    let started = tokio::time::Instant::now();
    get("/2.0/user")
        .cloud_user("ada")
        .send(&sb)
        .await
        .expect(200);
    assert_eq!(started.elapsed(), Duration::from_millis(1500));
    let started = tokio::time::Instant::now();
    get("/_sandbox/faults").send(&sb).await.expect(200);
    assert_eq!(
        started.elapsed(),
        Duration::ZERO,
        "the control endpoint has no faults"
    );
}

#[tokio::test(start_paused = true)]
async fn slow_bodies_and_bandwidth_stretch_the_body() {
    let sb = with_faults(FaultSettings {
        slow_body_ms: 200,
        bandwidth_bytes_per_sec: Some(1000),
        ..Default::default()
    });
    let started = tokio::time::Instant::now();
    let body = get("/2.0/user")
        .cloud_user("ada")
        .send(&sb)
        .await
        .expect(200)
        .body
        .len();
    let expected = Duration::from_millis(200) + Duration::from_secs_f64(body as f64 / 1000.0);
    let elapsed = started.elapsed();
    assert!(
        elapsed >= expected && elapsed < expected + Duration::from_millis(50),
        "{elapsed:?} vs {expected:?}"
    );
}

#[tokio::test]
async fn the_rate_limit_answers_429_per_credential() {
    let sb = with_faults(FaultSettings {
        rate_limit_per_hour: Some(3),
        ..Default::default()
    });
    for _ in 0..3 {
        get("/2.0/user")
            .cloud_user("ada")
            .send(&sb)
            .await
            .expect(200);
    }
    let limited = get("/2.0/user")
        .cloud_user("ada")
        .send(&sb)
        .await
        .expect(429);
    assert_eq!(
        limited.text(),
        "Rate limit for this resource has been exceeded"
    );
    get("/2.0/user")
        .cloud_user("lee")
        .send(&sb)
        .await
        .expect(200);
    get(DC_REPO).dc_user("ada").send(&sb).await.expect(200);
    post("/_sandbox/reset").send(&sb).await.expect(200);
    get("/2.0/user")
        .cloud_user("ada")
        .send(&sb)
        .await
        .expect(200);
}

#[tokio::test]
async fn queued_failures_answer_in_order_in_each_products_shape() {
    let sb = Sandbox::new();
    put("/_sandbox/faults")
        .json(json!({ "fail_next": [503, 500] }))
        .send(&sb)
        .await
        .expect(200);
    get("/_sandbox/log").send(&sb).await.expect(200);
    let first = get("/2.0/user")
        .cloud_user("ada")
        .send(&sb)
        .await
        .expect(503);
    assert_eq!(first.json()["type"], "error");
    let second = get(DC_REPO).dc_user("ada").send(&sb).await.expect(500);
    assert!(second.json()["errors"].is_array());
    get("/2.0/user")
        .cloud_user("ada")
        .send(&sb)
        .await
        .expect(200);
    let faults = get("/_sandbox/faults").send(&sb).await.expect(200).json();
    assert_eq!(faults["fail_next"], json!([]));
    put("/_sandbox/faults")
        .json(json!({ "error_rate": 1.0, "error_statuses": [502] }))
        .send(&sb)
        .await
        .expect(200);
    get("/2.0/user")
        .cloud_user("ada")
        .send(&sb)
        .await
        .expect(502);
    put("/_sandbox/faults")
        .json(json!({ "error_rate": 3 }))
        .send(&sb)
        .await
        .expect(400);
}

#[tokio::test]
async fn a_dropped_connection_still_lands_the_commit() {
    let sb = with_faults(FaultSettings {
        drop_next: 1,
        ..Default::default()
    });
    let key = "cloud/acme/checkout-tests";
    let before = sb.tip(key, "main");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(bitbucket_sandbox::server::serve(listener, sb.app.clone()));
    let body = "dropped.txt=landed&message=Commit+behind+a+dropped+connection";
    let auth = {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode("ada@example.com:ATATT-demo-ada-cloud")
    };
    let request = format!(
        "POST /2.0/repositories/acme/checkout-tests/src HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Basic {auth}\r\n\
Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer))
        .await
        .expect("closed");
    assert!(
        read.is_err() || answer.is_empty(),
        "got an answer: {}",
        String::from_utf8_lossy(&answer)
    );
    let after = sb.tip(key, "main");
    assert_ne!(after, before, "the commit landed");
    let message = sb
        .git(key)
        .find_commit(git2::Oid::from_str(&after).unwrap())
        .unwrap()
        .message()
        .unwrap()
        .to_string();
    assert_eq!(message, "Commit behind a dropped connection");
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(format!("GET /2.0/user HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Basic {auth}\r\nConnection: close\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    server.abort();
}

#[tokio::test]
async fn a_five_megabyte_commit_passes_the_default_body_limit() {
    let sb = Sandbox::new();
    let big = "x".repeat(1024 * 1024);
    let names: Vec<String> = (0..5)
        .map(|i| format!("test-artifacts/big{i}.txt"))
        .collect();
    let mut fields: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), big.as_str())).collect();
    fields.push(("branch", "feature/big"));
    post(&format!("{CLOUD_REPO}/src"))
        .cloud_user("eve")
        .multipart(&fields)
        .send(&sb)
        .await
        .expect(201);
    let tip = sb.tip("cloud/acme/checkout-tests", "feature/big");
    let file = get(&format!("{CLOUD_REPO}/src/{tip}/test-artifacts/big4.txt"))
        .cloud_user("eve")
        .send(&sb)
        .await
        .expect(200);
    assert_eq!(file.body.len(), big.len());
    put(&format!("{DC_REPO}/browse/big.txt"))
        .dc_user("eve")
        .no_check()
        .multipart(&[
            ("content", &"y".repeat(5 * 1024 * 1024)),
            ("branch", "feature/big"),
            ("sourceBranch", "main"),
        ])
        .send(&sb)
        .await
        .expect(200);
}

#[tokio::test]
async fn a_body_over_the_configured_limit_is_413_and_commits_nothing() {
    let sb = Sandbox::new();
    put("/_sandbox/faults")
        .json(json!({ "max_body_bytes": 1000 }))
        .send(&sb)
        .await
        .expect(200);
    let cloud_key = "cloud/acme/checkout-tests";
    let main = sb.tip(cloud_key, "main");
    let big = "x".repeat(2000);
    let refused = post(&format!("{CLOUD_REPO}/src"))
        .cloud_user("ada")
        .multipart(&[("big.txt", &big)])
        .send(&sb)
        .await
        .expect(413);
    assert!(refused.cloud_message().contains("1000"));
    let declared = post(&format!("{CLOUD_REPO}/src"))
        .cloud_user("ada")
        .multipart(&[("big.txt", &big)])
        .header("content-length", "2107")
        .send(&sb)
        .await
        .expect(413);
    assert_eq!(declared.json()["type"], "error");
    assert_eq!(sb.tip(cloud_key, "main"), main);
    let dc_main = sb.tip("dc/QA/regression-suite", "main");
    let dc = put(&format!("{DC_REPO}/browse/big.txt"))
        .dc_user("ada")
        .no_check()
        .multipart(&[("content", &big), ("branch", "main")])
        .send(&sb)
        .await
        .expect(413);
    assert!(dc.dc_error().0.contains("1000"));
    assert_eq!(sb.tip("dc/QA/regression-suite", "main"), dc_main);
    post(&format!("{CLOUD_REPO}/src"))
        .cloud_user("ada")
        .multipart(&[("small.txt", "ok")])
        .send(&sb)
        .await
        .expect(201);
    put("/_sandbox/faults")
        .json(json!({ "max_body_bytes": 0 }))
        .send(&sb)
        .await
        .expect(400);
}

#[tokio::test]
async fn injected_answers_carry_cors_headers_unless_fault_cors_is_absent() {
    let sb = with_faults(FaultSettings {
        fail_next: vec![503],
        rate_limit_per_hour: Some(2),
        ..Default::default()
    });
    let allow_origin = |resp: &Resp| resp.header("access-control-allow-origin");
    let first = get("/2.0/user")
        .cloud_user("ada")
        .header("origin", "http://127.0.0.1:1234")
        .send(&sb)
        .await
        .expect(503);
    assert_eq!(
        allow_origin(&first).as_deref(),
        Some("*"),
        "present by default"
    );

    let mut settings = get("/_sandbox/faults").send(&sb).await.expect(200).json();
    assert_eq!(settings["fault_cors"], "present");
    settings["fault_cors"] = json!("absent");
    settings["fail_next"] = json!([502]);
    put("/_sandbox/faults")
        .json(settings)
        .send(&sb)
        .await
        .expect(200);
    let failed = get("/2.0/user")
        .cloud_user("ada")
        .header("origin", "http://127.0.0.1:1234")
        .send(&sb)
        .await
        .expect(502);
    assert_eq!(
        allow_origin(&failed),
        None,
        "a failure without CORS headers"
    );
    let limited = get("/2.0/user")
        .cloud_user("ada")
        .header("origin", "http://127.0.0.1:1234")
        .send(&sb)
        .await
        .expect(429);
    assert_eq!(allow_origin(&limited), None, "a 429 without CORS headers");
    assert_eq!(limited.header("access-control-expose-headers"), None);

    let preflight = Req::new(axum::http::Method::OPTIONS, "/2.0/user")
        .header("origin", "http://127.0.0.1:1234")
        .header("access-control-request-method", "GET")
        .send(&sb)
        .await
        .expect(200);
    assert_eq!(
        allow_origin(&preflight).as_deref(),
        Some("*"),
        "preflights are never faulted"
    );
    put("/_sandbox/faults")
        .json(json!({ "fault_cors": "sometimes" }))
        .send(&sb)
        .await
        .expect(400);
}
