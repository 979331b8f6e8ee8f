//! Serving the router on a TCP socket, with the ability to drop a connection without answering
//! (used by the "dropped connection" fault).

use std::convert::Infallible;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::Request;
use axum::response::Response;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tower::ServiceExt;

/// Handle given to each request served on a socket: closes that connection without an answer.
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
        let (stream, _) = match listener.accept().await {
            Ok(conn) => conn,
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionAborted => continue,
            Err(e) => return Err(e),
        };
        let app = app.clone();
        tokio::spawn(async move {
            let notify = Arc::new(Notify::new());
            let killer = ConnectionKiller(notify.clone());
            let service = hyper::service::service_fn(move |request: Request<Incoming>| {
                let mut request = request.map(Body::new);
                request.extensions_mut().insert(killer.clone());
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
