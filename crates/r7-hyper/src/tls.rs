//! The rustls configuration for https portals.

use std::sync::Arc;

use rustls::ClientConfig;

/// A TLS configuration with the `ring` provider, passed explicitly so that no process-wide
/// default provider is needed, and the Mozilla root certificates from `webpki-roots`.
pub(crate) fn default_config() -> Result<ClientConfig, rustls::Error> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    Ok(ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth())
}
