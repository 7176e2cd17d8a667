//! https for the emulated portal: a server certificate, and a throwaway CA to sign one, so that
//! clients can be tried against a portal on a private CA.

use std::sync::Arc;

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::crypto::ring;

/// The certificate chain and private key the emulator serves https with ([`crate::Config::tls`]).
#[derive(Debug)]
pub struct TlsIdentity {
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
}

impl Clone for TlsIdentity {
    fn clone(&self) -> Self {
        TlsIdentity {
            chain: self.chain.clone(),
            key: self.key.clone_key(),
        }
    }
}

impl TlsIdentity {
    /// The identity of a PEM certificate chain (the server's certificate first) and a PEM
    /// private key.
    ///
    /// # Errors
    ///
    /// When either is not PEM of its kind.
    pub fn from_pem(chain: &[u8], key: &[u8]) -> std::io::Result<TlsIdentity> {
        let invalid = |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, what);
        let chain = CertificateDer::pem_slice_iter(chain)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| invalid("the certificate chain is not PEM"))?;
        if chain.is_empty() {
            return Err(invalid("no certificate in the chain"));
        }
        let key = PrivateKeyDer::from_pem_slice(key).map_err(|_| invalid("the key is not PEM"))?;
        Ok(TlsIdentity { chain, key })
    }

    /// A certificate for `127.0.0.1` and `localhost`, signed by a CA made for it and thrown
    /// away after: the identity, and the CA's certificate as PEM for the clients to trust.
    ///
    /// # Panics
    ///
    /// When the key pair or the certificates cannot be made (a broken `ring`).
    pub fn throwaway() -> (TlsIdentity, String) {
        let mut ca_params = CertificateParams::new(Vec::new()).expect("CA parameters");
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "r7 emulator throwaway CA");
        let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().expect("CA key"))
            .expect("CA certificate");
        let key = KeyPair::generate().expect("server key");
        let mut params =
            CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
                .expect("server parameters");
        params
            .distinguished_name
            .push(DnType::CommonName, "localhost");
        let certificate = params.signed_by(&key, &ca).expect("server certificate");
        let identity = TlsIdentity {
            chain: vec![certificate.der().clone()],
            key: PrivateKeyDer::Pkcs8(key.serialize_der().into()),
        };
        (identity, ca.pem())
    }

    /// The acceptor of TLS connections with this identity.
    pub(crate) fn acceptor(&self) -> std::io::Result<TlsAcceptor> {
        let config = ServerConfig::builder_with_provider(Arc::new(ring::default_provider()))
            .with_safe_default_protocol_versions()
            .map_err(std::io::Error::other)?
            .with_no_client_auth()
            .with_single_cert(self.chain.clone(), self.key.clone_key())
            .map_err(std::io::Error::other)?;
        Ok(TlsAcceptor::from(Arc::new(config)))
    }
}
