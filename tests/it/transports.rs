//! One behaviour, two transports: every test here runs its body against the async client
//! (`r7-hyper`) and the blocking one (`r7-blocking`), which share `r7-proto` and `r7-client`.
//! The blocking client runs on Tokio's blocking threads, so the emulator and the scripted
//! servers keep serving meanwhile.

use std::io::Write;
use std::time::{Duration, Instant};

use flate2::Compression;
use flate2::write::GzEncoder;
use r7_client::{CallOptions, Delivery, Error, RetryPolicy};
use r7_emulator::{Config, DEFAULT_PASSWORD, DEFAULT_USER, Emulator, Fault, SEED_OPPORTUNITY_ID};
use r7_proto::crm::opportunity::*;
use r7_proto::{Credentials, Endpoint, Format, Raw, Token};

use crate::faults::{DEAL, RawServer, Step, answer};

/// One of the two clients, built from the same settings.
#[derive(Clone)]
enum Transport {
    Async(r7_hyper::Client),
    Blocking(r7_blocking::Client),
}

/// The settings both builders take.
#[derive(Clone)]
struct Settings {
    base_url: String,
    token: Option<String>,
    credentials: Option<(String, String)>,
    format: Format,
    timeout: Duration,
    retry: RetryPolicy,
    max_response_bytes: Option<usize>,
}

impl Settings {
    fn new(base_url: impl Into<String>) -> Self {
        Settings {
            base_url: base_url.into(),
            token: None,
            credentials: None,
            format: Format::Json,
            timeout: Duration::from_secs(10),
            retry: RetryPolicy::default()
                .backoff(Duration::from_millis(10), Duration::from_millis(50)),
            max_response_bytes: None,
        }
    }

    fn token(mut self, token: &str) -> Self {
        self.token = Some(token.to_owned());
        self
    }

    fn credentials(mut self, user: &str, password: &str) -> Self {
        self.credentials = Some((user.to_owned(), password.to_owned()));
        self
    }

    /// Both clients, async first.
    fn both(&self) -> [Transport; 2] {
        let mut a = r7_hyper::Client::builder(&self.base_url)
            .format(self.format)
            .timeout(self.timeout)
            .retry_policy(self.retry);
        let mut b = r7_blocking::Client::builder(&self.base_url)
            .format(self.format)
            .timeout(self.timeout)
            .retry_policy(self.retry);
        if let Some(token) = &self.token {
            a = a.token(Token::new(token.as_str()).expect("token"));
            b = b.token(Token::new(token.as_str()).expect("token"));
        }
        if let Some((user, password)) = &self.credentials {
            a = a.credentials(Credentials::new(user.as_str(), password.as_str()));
            b = b.credentials(Credentials::new(user.as_str(), password.as_str()));
        }
        if let Some(limit) = self.max_response_bytes {
            a = a.max_response_bytes(limit);
            b = b.max_response_bytes(limit);
        }
        [
            Transport::Async(a.build().expect("async client")),
            Transport::Blocking(b.build().expect("blocking client")),
        ]
    }
}

impl Transport {
    fn name(&self) -> &'static str {
        match self {
            Transport::Async(_) => "async",
            Transport::Blocking(_) => "blocking",
        }
    }

    async fn send_with<E>(&self, endpoint: &E, options: CallOptions) -> Result<E::Output, Error>
    where
        E: Endpoint + Clone + Send + 'static,
        E::Output: Send + 'static,
    {
        match self {
            Transport::Async(client) => client.send_with(endpoint, &options).await,
            Transport::Blocking(client) => {
                let (client, endpoint) = (client.clone(), endpoint.clone());
                tokio::task::spawn_blocking(move || client.send_with(&endpoint, &options))
                    .await
                    .expect("the blocking call ran")
            }
        }
    }

    async fn send<E>(&self, endpoint: &E) -> Result<E::Output, Error>
    where
        E: Endpoint + Clone + Send + 'static,
        E::Output: Send + 'static,
    {
        self.send_with(endpoint, CallOptions::new()).await
    }

    async fn all(
        &self,
        endpoint: &ListOpportunities,
    ) -> Result<Vec<r7_proto::model::Opportunity>, Error> {
        match self {
            Transport::Async(client) => client.all(endpoint).await,
            Transport::Blocking(client) => {
                let (client, endpoint) = (client.clone(), endpoint.clone());
                tokio::task::spawn_blocking(move || client.all(&endpoint))
                    .await
                    .expect("the blocking call ran")
            }
        }
    }
}

async fn emulator() -> Emulator {
    Emulator::start(Config::default())
        .await
        .expect("emulator starts")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_delete_the_seed_deal_in_either_format_and_report_the_second_delete_as_404() {
    for format in [Format::Json, Format::Xml] {
        for index in 0..2 {
            let emulator = emulator().await;
            let mut settings = Settings::new(emulator.base_url()).token(emulator.token());
            settings.format = format;
            let client = settings.both()[index].clone();
            let deal = client
                .send(&DeleteOpportunity::new(SEED_OPPORTUNITY_ID))
                .await
                .unwrap_or_else(|e| panic!("{} {format:?}: {e}", client.name()));
            assert_eq!(deal.title, "Hotel catalogue", "{}", client.name());
            assert_eq!(deal.stage.map(|s| s.title).as_deref(), Some("Discussion"));
            let again = client
                .send(&DeleteOpportunity::new(SEED_OPPORTUNITY_ID))
                .await
                .expect_err("gone");
            assert!(again.is_not_found(), "{}: {again:?}", client.name());
            assert_eq!(again.delivery(), Delivery::Answered);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_sign_in_once_and_again_when_the_token_is_refused() {
    for index in 0..2 {
        let emulator = emulator().await;
        let client = Settings::new(emulator.base_url())
            .credentials(DEFAULT_USER, DEFAULT_PASSWORD)
            .both()[index]
            .clone();
        for id in [1234, 1235, 1236] {
            client.send(&GetOpportunity::new(id)).await.expect("read");
        }
        assert_eq!(emulator.logins(), 1, "{}", client.name());
        emulator.expire_tokens();
        client
            .send(&GetOpportunity::new(1234))
            .await
            .expect("read again");
        assert_eq!(
            emulator.logins(),
            2,
            "{}: signed in again once",
            client.name()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_remember_a_refused_sign_in_instead_of_trying_again() {
    for index in 0..2 {
        let emulator = emulator().await;
        let client = Settings::new(emulator.base_url())
            .credentials(DEFAULT_USER, "not-the-password")
            .both()[index]
            .clone();
        let first = client
            .send(&GetOpportunity::new(1234))
            .await
            .expect_err("refused");
        let second = client
            .send(&GetOpportunity::new(1234))
            .await
            .expect_err("refused");
        for error in [&first, &second] {
            assert!(
                matches!(error, Error::SignIn(_)),
                "{}: {error:?}",
                client.name()
            );
            assert_eq!(error.delivery(), Delivery::NotSent);
            assert!(!format!("{error} {error:?}").contains("not-the-password"));
        }
        assert_eq!(
            emulator.method_count("POST"),
            1,
            "{}: one failed login",
            client.name()
        );
        assert_eq!(emulator.method_count("GET"), 0);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_repeat_a_get_after_a_bad_gateway_and_never_a_change_that_may_have_arrived() {
    for index in 0..2 {
        let emulator = emulator().await;
        let client = Settings::new(emulator.base_url())
            .token(emulator.token())
            .both()[index]
            .clone();
        emulator.inject(Fault::Html502);
        let deal = client
            .send(&GetOpportunity::new(1234))
            .await
            .expect("repeated");
        assert_eq!(deal.id, 1234);
        assert_eq!(emulator.method_count("GET"), 2, "{}", client.name());

        emulator.inject(Fault::CloseConnection);
        let error = client
            .send(&UpdateOpportunityStage::new(1235, 30))
            .await
            .expect_err("connection dropped");
        assert_eq!(
            error.delivery(),
            Delivery::MaybeSent,
            "{}: {error:?}",
            client.name()
        );
        assert_eq!(
            emulator.method_count("PUT"),
            1,
            "{}: not repeated",
            client.name()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_keep_the_deadline_and_say_how_many_attempts_were_made() {
    for index in 0..2 {
        let emulator = emulator().await;
        let mut settings = Settings::new(emulator.base_url()).token(emulator.token());
        settings.retry = RetryPolicy::none();
        let client = settings.both()[index].clone();
        emulator.inject(Fault::DelayBeforeHeaders(Duration::from_secs(5)));
        let started = Instant::now();
        let error = client
            .send_with(
                &GetOpportunity::new(1234),
                CallOptions::new().timeout(Duration::from_millis(300)),
            )
            .await
            .expect_err("too slow");
        let took = started.elapsed();
        assert!(
            matches!(error, Error::Timeout { attempts: 1, timeout } if timeout == Duration::from_millis(300)),
            "{}: {error:?}",
            client.name()
        );
        assert_eq!(error.delivery(), Delivery::MaybeSent);
        assert!(took < Duration::from_secs(2), "{}: {took:?}", client.name());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_report_a_refused_connection_as_not_sent() {
    // A port nothing listens on: bound, then closed.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let mut settings = Settings::new(format!("http://127.0.0.1:{port}/")).token("token");
    settings.retry = RetryPolicy::none();
    for client in settings.both() {
        let error = client
            .send(&GetOpportunity::new(1234))
            .await
            .expect_err("refused");
        assert!(
            matches!(error, Error::Connect { .. }),
            "{}: {error:?}",
            client.name()
        );
        assert_eq!(error.delivery(), Delivery::NotSent);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_refuse_a_body_over_the_cap_and_undo_gzip_within_it() {
    for index in 0..2 {
        let emulator = emulator().await;
        let mut settings = Settings::new(emulator.base_url()).token(emulator.token());
        settings.max_response_bytes = Some(64 * 1024);
        let client = settings.both()[index].clone();
        emulator.inject(Fault::OversizedBody(200 * 1024));
        let error = client
            .send(&GetOpportunity::new(1234))
            .await
            .expect_err("too large");
        assert!(
            matches!(error, Error::BodyTooLarge { .. }),
            "{}: {error:?}",
            client.name()
        );
    }

    let mut gzip = GzEncoder::new(Vec::new(), Compression::default());
    gzip.write_all(DEAL.as_bytes()).expect("gzip");
    let gzipped = gzip.finish().expect("gzip");
    let reply = || {
        vec![Step::Write(answer(
            "200 OK",
            &[
                "Content-Type: application/json; charset=utf-8",
                "Content-Encoding: gzip",
            ],
            &gzipped,
        ))]
    };
    let server = RawServer::start([reply(), reply()]).await;
    for client in Settings::new(server.base_url()).token("token").both() {
        let deal = client
            .send(&GetOpportunity::new(1234))
            .await
            .expect("decoded");
        assert_eq!(deal.title, "Hotel catalogue", "{}", client.name());
    }
    for request in server.received() {
        assert_eq!(request.header("accept-encoding"), Some("gzip, deflate"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_keep_the_token_out_of_an_error_that_echoes_it() {
    let token = "Long-Secret-Token-Value-0123456789";
    let echo = || {
        vec![Step::Write(answer(
            "500 Internal Server Error",
            &["Content-Type: text/html"],
            format!("<html><body>Bad request with Authorization: {token}</body></html>"),
        ))]
    };
    let server = RawServer::start([echo(), echo()]).await;
    for client in Settings::new(server.base_url()).token(token).both() {
        let error = client
            .send(&GetOpportunity::new(1234))
            .await
            .expect_err("500");
        let shown = format!("{error} {error:?}");
        assert!(
            !shown.contains("Secret-Token"),
            "{}: {shown}",
            client.name()
        );
        assert_eq!(
            error.status(),
            Some(http::StatusCode::INTERNAL_SERVER_ERROR)
        );
    }
    for request in server.received() {
        assert_eq!(request.header("authorization"), Some(token));
        assert!(
            request
                .target()
                .ends_with("/api/2.0/crm/opportunity/1234.json")
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_read_every_page_and_send_raw_routes() {
    let emulator = emulator().await;
    for client in Settings::new(emulator.base_url())
        .token(emulator.token())
        .both()
    {
        let before = emulator.method_count("GET");
        let deals = client
            .all(&ListOpportunities::new().count(2))
            .await
            .expect("all");
        assert_eq!(deals.len(), 5, "{}", client.name());
        assert_eq!(
            emulator.method_count("GET") - before,
            3,
            "{}: 2 + 2 + 1",
            client.name()
        );
        let raw = client
            .send(&Raw::get("api/2.0/crm/opportunity/{id}").path_param("id", 1236))
            .await
            .expect("raw");
        assert_eq!(raw.response["id"], 1236, "{}", client.name());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_blocking_client_signs_in_once_for_many_threads_and_each_keeps_the_order() {
    let emulator = emulator().await;
    let client = r7_blocking::Client::builder(emulator.base_url())
        .credentials(Credentials::new(DEFAULT_USER, DEFAULT_PASSWORD))
        .build()
        .expect("client");
    let report = tokio::task::spawn_blocking(move || {
        let ids = [1234, 999_999, 1235, 0, 1236, 1237, 1238, 1234];
        client.each(ids.map(GetOpportunity::new), 4)
    })
    .await
    .expect("ran");
    let outcomes: Vec<Result<i64, Delivery>> = report
        .outcomes()
        .iter()
        .map(|o| o.as_ref().map(|d| d.id.get()).map_err(Error::delivery))
        .collect();
    assert_eq!(
        outcomes,
        [
            Ok(1234),
            Err(Delivery::Answered),
            Ok(1235),
            Err(Delivery::NotSent),
            Ok(1236),
            Ok(1237),
            Ok(1238),
            Ok(1234)
        ]
    );
    assert_eq!(report.succeeded_count(), 6);
    assert_eq!(emulator.logins(), 1, "four threads, one sign-in");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_reach_a_portal_on_a_private_ca_only_when_told_to_trust_it() {
    let (identity, ca_pem) = r7_emulator::TlsIdentity::throwaway();
    let emulator = Emulator::start(Config {
        tls: Some(identity),
        ..Config::default()
    })
    .await
    .expect("https emulator");
    assert!(emulator.base_url().starts_with("https://127.0.0.1:"));
    let mut settings = Settings::new(emulator.base_url()).token(emulator.token());
    settings.retry = RetryPolicy::none();
    for client in settings.both() {
        let error = client
            .send(&GetOpportunity::new(1234))
            .await
            .expect_err("untrusted");
        assert!(
            matches!(error, Error::Connect { .. }),
            "{}: {error:?}",
            client.name()
        );
        assert_eq!(error.delivery(), Delivery::NotSent);
    }
    let trusting = [
        Transport::Async(
            r7_hyper::Client::builder(emulator.base_url())
                .token(Token::new(emulator.token()).expect("token"))
                .add_root_certificate_pem(ca_pem.clone())
                .build()
                .expect("client"),
        ),
        Transport::Blocking(
            r7_blocking::Client::builder(emulator.base_url())
                .token(Token::new(emulator.token()).expect("token"))
                .add_root_certificate_pem(ca_pem.clone())
                .build()
                .expect("client"),
        ),
    ];
    for client in trusting {
        let deal = client
            .send(&GetOpportunity::new(1234))
            .await
            .expect("trusted");
        assert_eq!(deal.title, "Hotel catalogue", "{}", client.name());
    }
    assert_eq!(
        emulator.method_count("GET"),
        2,
        "only the trusting clients got through"
    );
}

/// What both clients' `each` gives for four requests at once.
async fn each_of_four(client: &Transport) -> Vec<Result<(), Error>> {
    let requests: Vec<GetOpportunity> = (1234..1238).map(GetOpportunity::new).collect();
    match client {
        Transport::Async(client) => client
            .each(requests)
            .concurrency(4)
            .run()
            .await
            .into_outcomes()
            .into_iter()
            .map(|o| o.map(|_| ()))
            .collect(),
        Transport::Blocking(client) => {
            let client = client.clone();
            tokio::task::spawn_blocking(move || {
                client
                    .each(requests, 4)
                    .into_outcomes()
                    .into_iter()
                    .map(|o| o.map(|_| ()))
                    .collect()
            })
            .await
            .expect("ran")
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_share_one_failed_sign_in_among_the_calls_that_waited_for_it() {
    for index in 0..2 {
        // The sign-in meets a proxy's 502 after a while: not a refusal, so it is not held,
        // but the calls that waited for it share its outcome instead of each signing in.
        let server = RawServer::start([vec![
            Step::Sleep(Duration::from_millis(200)),
            Step::Write(answer(
                "502 Bad Gateway",
                &["Content-Type: text/html"],
                "<html>502</html>",
            )),
        ]])
        .await;
        let client = Settings::new(server.base_url())
            .credentials("user@example.com", "Pass-Word-1")
            .both()[index]
            .clone();
        let outcomes = each_of_four(&client).await;
        assert_eq!(outcomes.len(), 4);
        for outcome in &outcomes {
            assert!(
                matches!(outcome, Err(Error::SignIn(_))),
                "{}: {outcome:?}",
                client.name()
            );
        }
        let received = server.received();
        assert_eq!(
            received.len(),
            1,
            "{}: one sign-in for four calls",
            client.name()
        );
        assert_eq!(received[0].method(), "POST");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_end_a_call_at_its_deadline_while_the_sign_in_is_slow() {
    for index in 0..2 {
        let server = RawServer::start([vec![Step::Sleep(Duration::from_secs(3))]]).await;
        let client = Settings::new(server.base_url())
            .credentials("user@example.com", "Pass-Word-1")
            .both()[index]
            .clone();
        let started = Instant::now();
        let error = client
            .send_with(
                &GetOpportunity::new(1234),
                CallOptions::new().timeout(Duration::from_millis(300)),
            )
            .await
            .expect_err("too slow");
        assert!(
            matches!(error, Error::Timeout { attempts: 0, timeout } if timeout == Duration::from_millis(300)),
            "{}: {error:?}",
            client.name()
        );
        assert_eq!(error.delivery(), Delivery::NotSent);
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{}",
            client.name()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn neither_panics_on_a_deadline_too_far_to_represent() {
    let emulator = emulator().await;
    for client in Settings::new(emulator.base_url())
        .token(emulator.token())
        .both()
    {
        let deal = client
            .send_with(
                &GetOpportunity::new(1234),
                CallOptions::new()
                    .timeout(Duration::MAX)
                    .attempt_timeout(Duration::MAX),
            )
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", client.name()));
        assert_eq!(deal.id, 1234);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn neither_repeats_a_change_after_a_tls_error_that_came_once_it_was_sent() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio_rustls::rustls::ServerConfig;
    use tokio_rustls::rustls::crypto::ring;
    use tokio_rustls::rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};

    let mut ca_params = CertificateParams::new(Vec::new()).expect("CA params");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "r7 test CA");
    let ca =
        CertifiedIssuer::self_signed(ca_params, KeyPair::generate().expect("key")).expect("CA");
    let key = KeyPair::generate().expect("key");
    let cert = CertificateParams::new(vec!["127.0.0.1".to_owned()])
        .expect("params")
        .signed_by(&key, &ca)
        .expect("certificate");
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    let config = ServerConfig::builder_with_provider(Arc::new(ring::default_provider()))
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(vec![cert.der().clone()], key)
        .expect("config");
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let puts = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&puts);
    // Reads the request, then answers with a TLS record that does not decrypt.
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let (acceptor, puts) = (acceptor.clone(), Arc::clone(&counted));
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let mut buf = vec![0u8; 8192];
                let n = tls.read(&mut buf).await.unwrap_or(0);
                if buf[..n].starts_with(b"PUT") {
                    puts.fetch_add(1, Ordering::SeqCst);
                }
                let junk = b"\x17\x03\x03\x00\x20garbagegarbagegarbagegarbage!!!!";
                let _ = tls.get_mut().0.write_all(junk).await;
                tokio::time::sleep(Duration::from_millis(300)).await;
            });
        }
    });
    let url = format!("https://127.0.0.1:{port}/");
    let clients = [
        Transport::Async(
            r7_hyper::Client::builder(&url)
                .token(Token::new("token").expect("token"))
                .add_root_certificate_pem(ca.pem())
                .build()
                .expect("client"),
        ),
        Transport::Blocking(
            r7_blocking::Client::builder(&url)
                .token(Token::new("token").expect("token"))
                .add_root_certificate_pem(ca.pem())
                .build()
                .expect("client"),
        ),
    ];
    for client in clients {
        puts.store(0, Ordering::SeqCst);
        let error = client
            .send(&UpdateOpportunityStage::new(1235, 30))
            .await
            .expect_err("garbled answer");
        assert_eq!(
            error.delivery(),
            Delivery::MaybeSent,
            "{}: {error:?}",
            client.name()
        );
        assert_eq!(
            puts.load(Ordering::SeqCst),
            1,
            "{}: sent once",
            client.name()
        );
    }
}
