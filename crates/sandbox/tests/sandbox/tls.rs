//! `--tls` (feature `tls`): HTTPS on a real socket, HTTP/2 by ALPN and HTTP/1.1 for the others,
//! with `https://` links and the own-origin check on `https://`.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Request, StatusCode, Version};
use hyper_util::rt::{TokioExecutor, TokioIo};
use rustls::pki_types::ServerName;
use serde_json::Value;
use tokio::net::TcpStream;

use crate::common::Sandbox;

const ADA: &str = "Basic YWRhQGV4YW1wbGUuY29tOkFUQVRULWRlbW8tYWRhLWNsb3Vk"; // ada@example.com:ATATT-demo-ada-cloud

/// A TLS connection to `port` that trusts `certificate` and offers only `alpn`.
async fn connect(
    port: u16,
    certificate: &rustls::pki_types::CertificateDer<'static>,
    alpn: &[u8],
) -> tokio_rustls::client::TlsStream<TcpStream> {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(certificate.clone()).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![alpn.to_vec()];
    let tcp = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let stream = tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(ServerName::try_from("localhost").unwrap(), tcp)
        .await
        .unwrap();
    assert_eq!(stream.get_ref().1.alpn_protocol(), Some(alpn));
    stream
}

async fn json(response: hyper::Response<hyper::body::Incoming>) -> Value {
    let bytes = axum::body::to_bytes(Body::new(response.into_body()), usize::MAX)
        .await
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

#[tokio::test]
async fn tls_serves_http2_and_http1_with_https_links() {
    let sb = Sandbox::new();
    let tls = bitbucket_sandbox::tls::self_signed().unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = tokio::spawn(bitbucket_sandbox::server::serve_tls(
        listener,
        sb.app.clone(),
        tls.config.clone(),
    ));
    let origin = format!("https://localhost:{port}");

    // HTTP/2: one connection, requests multiplexed; `:authority` stands for `Host`.
    let stream = connect(port, &tls.certificate, b"h2").await;
    let (mut h2, connection) = hyper::client::conn::http2::handshake::<_, _, Body>(
        TokioExecutor::new(),
        TokioIo::new(stream),
    )
    .await
    .unwrap();
    tokio::spawn(connection);
    let user = |path: &str| {
        Request::get(format!("{origin}{path}"))
            .header(header::AUTHORIZATION, ADA)
            .body(Body::empty())
            .unwrap()
    };
    let (a, b) = tokio::join!(
        h2.send_request(user("/2.0/user")),
        h2.send_request(user("/2.0/repositories/acme/checkout-tests")),
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!((a.version(), a.status()), (Version::HTTP_2, StatusCode::OK));
    assert_eq!(b.status(), StatusCode::OK);
    let href = json(a).await["links"]["self"]["href"].clone();
    assert!(
        href.as_str()
            .unwrap()
            .starts_with(&format!("{origin}/2.0/users/")),
        "{href}"
    );
    let href = json(b).await["links"]["html"]["href"].clone();
    assert_eq!(href, format!("{origin}/acme/checkout-tests"));
    let tokens = Request::get(format!("https://127.0.0.1:{port}/_sandbox/tokens"))
        .header(header::ORIGIN, format!("https://127.0.0.1:{port}"))
        .body(Body::empty())
        .unwrap();
    assert_eq!(
        h2.send_request(tokens).await.unwrap().status(),
        StatusCode::OK
    );

    // HTTP/1.1 for a client without h2.
    let stream = connect(port, &tls.certificate, b"http/1.1").await;
    let (mut h1, connection) =
        hyper::client::conn::http1::handshake::<_, Body>(TokioIo::new(stream))
            .await
            .unwrap();
    tokio::spawn(connection);
    let request = Request::get("/2.0/user")
        .header(header::HOST, format!("localhost:{port}"))
        .header(header::AUTHORIZATION, ADA)
        .body(Body::empty())
        .unwrap();
    let answer = h1.send_request(request).await.unwrap();
    assert_eq!(
        (answer.version(), answer.status()),
        (Version::HTTP_11, StatusCode::OK)
    );
    let href = json(answer).await["links"]["self"]["href"].clone();
    assert!(
        href.as_str()
            .unwrap()
            .starts_with(&format!("{origin}/2.0/users/")),
        "{href}"
    );
    server.abort();
}
