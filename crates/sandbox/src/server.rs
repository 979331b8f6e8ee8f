//! Serving the router on a TCP socket, with the ability to drop a connection without answering
//! (used by the "dropped connection" fault). Plain HTTP/1.1 by default; with the `tls` feature,
//! also HTTPS with HTTP/2 and HTTP/1.1 ([`serve_tls`]).

use std::convert::Infallible;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::Request;
use axum::http::header;
use axum::response::Response;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tower::ServiceExt;

use crate::links::Https;

/// Handle given to each request served on a socket: closes that connection without an answer.
/// Over HTTP/2 this closes the whole connection, with every other request in flight on it.
#[derive(Clone)]
pub struct ConnectionKiller(Arc<Notify>);

impl ConnectionKiller {
    /// Closes the connection; the returned future never completes.
    pub async fn kill(&self) -> Response {
        self.0.notify_one();
        std::future::pending().await
    }
}

/// Serves `app` on `listener` until the task is dropped (HTTP/1.1, keep-alive).
pub async fn serve(listener: TcpListener, app: Router) -> std::io::Result<()> {
    loop {
        let stream = accept(&listener).await?;
        let app = app.clone();
        tokio::spawn(async move {
            let notify = Arc::new(Notify::new());
            let killer = ConnectionKiller(notify.clone());
            let service = hyper::service::service_fn(move |request: Request<Incoming>| {
                let request = prepare(request, &killer, false);
                let app = app.clone();
                async move {
                    Ok::<_, Infallible>(app.oneshot(request).await.unwrap_or_else(|e| match e {}))
                }
            });
            let connection = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service);
            tokio::select! {
                _ = connection => {}
                _ = notify.notified() => {}
            }
        });
    }
}

/// Serves `app` over TLS on `listener` until the task is dropped: HTTP/2 for clients that
/// negotiate `h2` by ALPN, HTTP/1.1 (keep-alive) for the others. Requests carry the
/// [`Https`] extension, so absolute links use `https://`.
#[cfg(feature = "tls")]
pub async fn serve_tls(
    listener: TcpListener,
    app: Router,
    tls: Arc<rustls::ServerConfig>,
) -> std::io::Result<()> {
    use hyper_util::rt::TokioExecutor;
    use hyper_util::server::conn::auto;

    let acceptor = tokio_rustls::TlsAcceptor::from(tls);
    loop {
        let stream = accept(&listener).await?;
        let app = app.clone();
        let acceptor = acceptor.clone();
        tokio::spawn(async move {
            // A client that never finishes the handshake (or refuses the self-signed
            // certificate) just loses its connection.
            let handshake =
                tokio::time::timeout(std::time::Duration::from_secs(10), acceptor.accept(stream));
            let Ok(Ok(stream)) = handshake.await else {
                return;
            };
            let notify = Arc::new(Notify::new());
            let killer = ConnectionKiller(notify.clone());
            let service = hyper::service::service_fn(move |request: Request<Incoming>| {
                let request = prepare(request, &killer, true);
                let app = app.clone();
                async move {
                    Ok::<_, Infallible>(app.oneshot(request).await.unwrap_or_else(|e| match e {}))
                }
            });
            let mut builder = auto::Builder::new(TokioExecutor::new());
            // Windows large enough for a commit of a few megabytes to arrive without the client
            // waiting for window updates.
            builder
                .http2()
                .initial_stream_window_size(UPLOAD_WINDOW)
                .initial_connection_window_size(UPLOAD_WINDOW);
            let connection = builder.serve_connection(TokioIo::new(stream), service);
            tokio::select! {
                _ = connection => {}
                _ = notify.notified() => {}
            }
        });
    }
}

/// The HTTP/2 flow-control window for uploads, per stream and per connection.
#[cfg(feature = "tls")]
const UPLOAD_WINDOW: u32 = 16 * 1024 * 1024;

/// The next connection; aborted ones (reset before being accepted) are skipped.
async fn accept(listener: &TcpListener) -> std::io::Result<TcpStream> {
    loop {
        match listener.accept().await {
            Ok((stream, _)) => return Ok(stream),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionAborted => continue,
            Err(e) => return Err(e),
        }
    }
}

/// A request as the router expects it: with its connection's [`ConnectionKiller`], [`Https`]
/// when it came over TLS, and a `Host` header taken from the URI's authority when it has none
/// (HTTP/2 sends `:authority` instead of `Host`), so that links and the own-origin check work
/// alike over HTTP/1.1 and HTTP/2.
fn prepare(request: Request<Incoming>, killer: &ConnectionKiller, https: bool) -> Request<Body> {
    let mut request = request.map(Body::new);
    if !request.headers().contains_key(header::HOST) {
        let authority = request
            .uri()
            .authority()
            .and_then(|a| a.as_str().parse().ok());
        if let Some(host) = authority {
            request.headers_mut().insert(header::HOST, host);
        }
    }
    request.extensions_mut().insert(killer.clone());
    if https {
        request.extensions_mut().insert(Https);
    }
    request
}
