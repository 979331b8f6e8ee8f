//! The TLS configuration for `--tls` (feature `tls`): a self-signed certificate for `localhost`,
//! `127.0.0.1` and `::1`, made at start-up (no files), with ALPN `h2` then `http/1.1`.

use std::sync::Arc;

use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::ServerConfig;

/// A server configuration and its self-signed certificate (clients that want to verify the
/// server, such as tests, trust this certificate).
pub struct SelfSigned {
    /// The server configuration for [`crate::server::serve_tls`].
    pub config: Arc<ServerConfig>,
    /// The certificate it presents.
    pub certificate: CertificateDer<'static>,
}

/// A server configuration with a fresh self-signed certificate for `localhost`, `127.0.0.1`
/// and `::1`, using the `ring` crypto provider, offering `h2` then `http/1.1`.
pub fn self_signed() -> Result<SelfSigned, Box<dyn std::error::Error + Send + Sync>> {
    let names = ["localhost", "127.0.0.1", "::1"].map(String::from).to_vec();
    let rcgen::CertifiedKey { cert, signing_key } = rcgen::generate_simple_self_signed(names)?;
    let certificate = cert.der().clone();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(signing_key.serialize_der()));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(vec![certificate.clone()], key)?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(SelfSigned {
        config: Arc::new(config),
        certificate,
    })
}
