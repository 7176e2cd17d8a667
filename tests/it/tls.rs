//! TLS: portals whose certificate comes from a private CA, against a loopback https server
//! made here with a throwaway CA.

use std::convert::Infallible;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::Full;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use r7_hyper::{Client, ClientBuilder, ConfigError, Delivery, Error, RetryPolicy, TlsError};
use r7_proto::Token;
use r7_proto::crm::opportunity::*;
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::crypto::ring;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::rustls::{ClientConfig, RootCertStore, ServerConfig};

/// The answer to every request.
const ENVELOPE: &str = r#"{"count":1,"status":0,"statusCode":200,"response":{"title":"Hotel catalogue","isPrivate":false,"canEdit":false,"id":1234}}"#;

/// A loopback https portal whose certificate, for `127.0.0.1` and `localhost`, is signed by a
/// CA made for it.
struct Portal {
    base_url: String,
    ca_pem: String,
    ca_der: CertificateDer<'static>,
}

/// Starts a [`Portal`]. The listener is bound before the accept loop is spawned, so the portal
/// is ready on return. Connections whose handshake fails are dropped.
async fn portal() -> Portal {
    let mut ca_params = CertificateParams::new(Vec::new()).expect("CA params");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "r7 test CA");
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().expect("CA key"))
        .expect("CA certificate");

    let server_key = KeyPair::generate().expect("server key");
    let mut params = CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
        .expect("server params");
    params
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    let server_cert = params
        .signed_by(&server_key, &ca)
        .expect("server certificate");
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der()));
    let config = ServerConfig::builder_with_provider(Arc::new(ring::default_provider()))
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .with_no_client_auth()
        .with_single_cert(vec![server_cert.der().clone()], key)
        .expect("server config");
    let acceptor = TlsAcceptor::from(Arc::new(config));

    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("address").port();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let service = service_fn(|_request| async {
                    let mut response = http::Response::new(Full::new(Bytes::from(ENVELOPE)));
                    response.headers_mut().insert(
                        http::header::CONTENT_TYPE,
                        http::HeaderValue::from_static("application/json"),
                    );
                    Ok::<_, Infallible>(response)
                });
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(tls), service)
                    .await;
            });
        }
    });

    Portal {
        base_url: format!("https://127.0.0.1:{port}/"),
        ca_pem: ca.pem(),
        ca_der: ca.der().clone(),
    }
}

/// A client of `portal` with a token and without retries (a refused handshake fails at once).
fn builder(portal: &Portal) -> ClientBuilder {
    Client::builder(&portal.base_url)
        .token(Token::new("t").expect("token"))
        .retry_policy(RetryPolicy::none())
}

#[tokio::test]
async fn an_unknown_ca_fails_to_connect_and_nothing_is_sent() {
    let portal = portal().await;
    let client = builder(&portal).build().expect("client");
    let error = client
        .send(&GetOpportunity::new(1234))
        .await
        .expect_err("the portal's CA is not trusted");
    assert!(matches!(error, Error::Connect { .. }), "{error:?}");
    assert_eq!(error.delivery(), Delivery::NotSent);
    let message = error.to_string();
    assert!(
        message.contains("certificate") && message.contains("UnknownIssuer"),
        "{message}"
    );
}

#[tokio::test]
async fn an_added_root_certificate_is_trusted() {
    let portal = portal().await;
    let client = builder(&portal)
        .add_root_certificate_pem(portal.ca_pem.as_bytes())
        .build()
        .expect("client");
    let deal = client
        .send(&GetOpportunity::new(1234))
        .await
        .expect("the CA is trusted");
    assert_eq!(deal.id, 1234);
    assert_eq!(deal.title, "Hotel catalogue");
}

#[tokio::test]
async fn a_caller_tls_config_is_used() {
    let portal = portal().await;
    let mut roots = RootCertStore::empty();
    roots.add(portal.ca_der.clone()).expect("CA root");
    let config = ClientConfig::builder_with_provider(Arc::new(ring::default_provider()))
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    let client = builder(&portal)
        .tls_config(Arc::new(config))
        .build()
        .expect("client");
    let deal = client
        .send(&GetOpportunity::new(1234))
        .await
        .expect("the CA is trusted");
    assert_eq!(deal.title, "Hotel catalogue");
}

#[test]
fn an_invalid_pem_is_refused_by_build() {
    let error = Client::builder("https://127.0.0.1:1/")
        .token(Token::new("t").expect("token"))
        .add_root_certificate_pem("not a certificate")
        .build()
        .expect_err("no CERTIFICATE block");
    assert!(
        matches!(
            error,
            ConfigError::Tls(TlsError::NoCertificateInPem { pem: 1 })
        ),
        "{error:?}"
    );
    assert!(
        error
            .to_string()
            .contains("add_root_certificate_pem (#1) holds no CERTIFICATE block"),
        "{error}"
    );
}
