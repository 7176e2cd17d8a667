//! The rustls configuration for https portals.

use std::sync::Arc;

use rustls::{ClientConfig, RootCertStore};
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::{self, PemObject};

/// TLS settings collected by [`crate::ClientBuilder`].
#[derive(Clone, Default)]
pub(crate) struct TlsOptions {
    /// PEM documents with extra root certificates to trust (private or national CAs), in the
    /// order of the `add_root_certificate_pem` calls.
    pub(crate) extra_roots_pem: Vec<Vec<u8>>,
    /// Also trust the operating system's roots.
    #[cfg(feature = "native-roots")]
    pub(crate) native_roots: bool,
    /// A whole configuration from the caller; replaces everything above.
    pub(crate) config: Option<Arc<ClientConfig>>,
}

/// Why the TLS configuration could not be made.
///
/// PEM documents are numbered from 1 in the order they were given to
/// [`crate::ClientBuilder::add_root_certificate_pem`], and so are the certificates inside one
/// document.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TlsError {
    /// rustls refused the configuration.
    #[error("rustls refused the configuration: {0}")]
    Rustls(#[from] rustls::Error),
    /// A PEM document holds no `-----BEGIN CERTIFICATE-----` block (it may be empty, DER
    /// rather than PEM, or hold only a key or a certificate request).
    #[error(
        "the PEM given to add_root_certificate_pem (#{pem}) holds no CERTIFICATE block; \
         pass the CA certificate in PEM form (-----BEGIN CERTIFICATE-----)"
    )]
    NoCertificateInPem {
        /// Which document, from 1.
        pem: usize,
    },
    /// A PEM document could not be read (a block without its end line, bad base64, …).
    #[error(
        "the PEM given to add_root_certificate_pem (#{pem}) could not be read: {source}; \
         check that the file is a complete, unmodified PEM certificate"
    )]
    InvalidPem {
        /// Which document, from 1.
        pem: usize,
        /// What is wrong with it.
        #[source]
        source: pem::Error,
    },
    /// A `CERTIFICATE` block was read but rustls cannot use it as a root certificate (for
    /// example, its content is not a valid X.509 certificate).
    #[error(
        "certificate #{certificate} of the PEM given to add_root_certificate_pem (#{pem}) \
         cannot be used as a root certificate: {source}"
    )]
    InvalidRootCertificate {
        /// Which document, from 1.
        pem: usize,
        /// Which `CERTIFICATE` block of that document, from 1.
        certificate: usize,
        /// Why rustls refused it.
        #[source]
        source: rustls::Error,
    },
    /// The operating system's root certificates were asked for, but none could be loaded.
    #[cfg(feature = "native-roots")]
    #[error(
        "no root certificate could be loaded from the operating system: {reason}; \
         set SSL_CERT_FILE or SSL_CERT_DIR, or turn native_roots off"
    )]
    NoNativeRoots {
        /// What went wrong while loading them.
        reason: String,
    },
}

/// A TLS configuration with the `ring` provider, passed explicitly so that no process-wide
/// default provider is needed. It trusts the Mozilla root certificates from `webpki-roots`,
/// the certificates of every PEM in [`TlsOptions::extra_roots_pem`] and, when asked, the
/// operating system's roots. A caller's configuration is used as it is.
pub(crate) fn client_config(options: &TlsOptions) -> Result<Arc<ClientConfig>, TlsError> {
    if let Some(config) = &options.config {
        return Ok(config.clone());
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    for (index, pem) in options.extra_roots_pem.iter().enumerate() {
        add_pem_roots(&mut roots, pem, index + 1)?;
    }
    #[cfg(feature = "native-roots")]
    if options.native_roots {
        add_native_roots(&mut roots)?;
    }
    Ok(Arc::new(
        ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_root_certificates(roots)
            .with_no_client_auth(),
    ))
}

/// Adds every `CERTIFICATE` block of `pem` (document number `number`, from 1) to `roots`.
/// Other blocks, such as keys, are ignored; at least one certificate is required.
fn add_pem_roots(roots: &mut RootCertStore, pem: &[u8], number: usize) -> Result<(), TlsError> {
    let mut found = 0;
    for certificate in CertificateDer::pem_slice_iter(pem) {
        let certificate = certificate.map_err(|source| TlsError::InvalidPem {
            pem: number,
            source,
        })?;
        found += 1;
        roots
            .add(certificate)
            .map_err(|source| TlsError::InvalidRootCertificate {
                pem: number,
                certificate: found,
                source,
            })?;
    }
    if found == 0 {
        return Err(TlsError::NoCertificateInPem { pem: number });
    }
    Ok(())
}

/// Adds the operating system's root certificates. Certificates that fail to load or that rustls
/// cannot use are skipped, as stores often hold a few; it is an error only when none is usable.
#[cfg(feature = "native-roots")]
fn add_native_roots(roots: &mut RootCertStore) -> Result<(), TlsError> {
    let loaded = rustls_native_certs::load_native_certs();
    let total = loaded.certs.len();
    let (added, _unusable) = roots.add_parsable_certificates(loaded.certs);
    if added > 0 {
        return Ok(());
    }
    let reason = match loaded.errors.first() {
        Some(first) => format!(
            "{} error(s) while loading, the first: {first}",
            loaded.errors.len()
        ),
        None if total == 0 => "the store is empty".to_owned(),
        None => format!("none of its {total} certificate(s) is usable"),
    };
    Err(TlsError::NoNativeRoots { reason })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Not a certificate, but the DER of a short byte string, so that it passes PEM and base64
    /// decoding and only rustls refuses it.
    const NOT_A_CERTIFICATE: &str =
        "-----BEGIN CERTIFICATE-----\nBAVoZWxsbw==\n-----END CERTIFICATE-----\n";

    fn with_pems(pems: &[&str]) -> TlsOptions {
        TlsOptions {
            extra_roots_pem: pems.iter().map(|p| p.as_bytes().to_vec()).collect(),
            ..TlsOptions::default()
        }
    }

    #[test]
    fn the_default_configuration_builds() {
        client_config(&TlsOptions::default()).expect("webpki roots only");
    }

    #[test]
    fn a_pem_without_a_certificate_block_is_refused_with_its_number() {
        for text in [
            "",
            "not a PEM at all",
            "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
        ] {
            let error = client_config(&with_pems(&[text])).expect_err(text);
            assert!(
                matches!(error, TlsError::NoCertificateInPem { pem: 1 }),
                "{error:?}"
            );
            assert!(
                error.to_string().contains(
                    "the PEM given to add_root_certificate_pem (#1) holds no CERTIFICATE block"
                ),
                "{error}"
            );
        }
    }

    #[test]
    fn an_unreadable_pem_is_refused() {
        let unterminated = "-----BEGIN CERTIFICATE-----\nBAVoZWxsbw==\n";
        let bad_base64 = "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n";
        for text in [unterminated, bad_base64] {
            let error = client_config(&with_pems(&[text])).expect_err(text);
            assert!(
                matches!(error, TlsError::InvalidPem { pem: 1, .. }),
                "{error:?}"
            );
            assert!(
                error.to_string().starts_with(
                    "the PEM given to add_root_certificate_pem (#1) could not be read"
                ),
                "{error}"
            );
        }
    }

    #[test]
    fn a_certificate_rustls_refuses_is_reported_with_its_position() {
        let valid = self_signed_pem();
        let second_bad = format!("{valid}{NOT_A_CERTIFICATE}");
        let error = client_config(&with_pems(&[&valid, &second_bad])).expect_err("second is bad");
        assert!(
            matches!(
                error,
                TlsError::InvalidRootCertificate {
                    pem: 2,
                    certificate: 2,
                    ..
                }
            ),
            "{error:?}"
        );
        assert!(
            error.to_string().starts_with(
                "certificate #2 of the PEM given to add_root_certificate_pem (#2) cannot be used"
            ),
            "{error}"
        );
    }

    #[test]
    fn the_number_is_that_of_the_faulty_pem() {
        let valid = self_signed_pem();
        let error = client_config(&with_pems(&[&valid, "no certificate here"])).expect_err("#2");
        assert!(
            matches!(error, TlsError::NoCertificateInPem { pem: 2 }),
            "{error:?}"
        );
        assert!(error.to_string().contains("(#2)"), "{error}");
    }

    #[test]
    fn every_certificate_block_is_added_and_other_blocks_are_ignored() {
        let key = rcgen::KeyPair::generate().expect("key");
        let bundle = format!(
            "{}{}{}",
            self_signed_pem(),
            key.serialize_pem(),
            self_signed_pem()
        );
        client_config(&with_pems(&[&bundle, &self_signed_pem()])).expect("valid bundle");
    }

    fn self_signed_pem() -> String {
        rcgen::generate_simple_self_signed(vec!["ca.example".to_owned()])
            .expect("certificate")
            .cert
            .pem()
    }
}
