//! The loopback benches' server: bare hyper 1 HTTP/1.1 that answers every request with the
//! same bytes, `tests/fixtures/opportunity/delete.json` as `application/json`, on its own OS
//! thread with its own current-thread Tokio runtime.

use std::convert::Infallible;
use std::net::SocketAddr;

use bytes::Bytes;
use http::header::CONTENT_TYPE;
use http::{HeaderValue, Response};
use http_body_util::Full;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

/// The body every answer carries.
const DELETE_JSON: &[u8] = include_bytes!("../../../tests/fixtures/opportunity/delete.json");

/// The running server.
pub(crate) struct Server {
    /// Where it listens, on 127.0.0.1.
    pub(crate) addr: SocketAddr,
    /// Its thread, to read its CPU time.
    pub(crate) thread: Thread,
}

/// Starts the server on a new OS thread with its own current-thread runtime. The thread runs
/// until the process ends.
pub(crate) fn start() -> Server {
    let (ready, started) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("fixed-server".to_owned())
        .spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("server runtime");
            runtime.block_on(async move {
                let listener = TcpListener::bind(("127.0.0.1", 0)).await.expect("bind");
                let addr = listener.local_addr().expect("address");
                ready
                    .send((addr, Thread::current()))
                    .expect("main thread waits");
                loop {
                    let Ok((stream, _)) = listener.accept().await else {
                        continue;
                    };
                    let _ = stream.set_nodelay(true);
                    tokio::spawn(async move {
                        let service =
                            service_fn(|_request| async { Ok::<_, Infallible>(fixed_response()) });
                        let _ = http1::Builder::new()
                            .serve_connection(TokioIo::new(stream), service)
                            .await;
                    });
                }
            });
        })
        .expect("server thread");
    let (addr, thread) = started.recv().expect("server started");
    Server { addr, thread }
}

fn fixed_response() -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from_static(DELETE_JSON)));
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    response
}

/// A thread of this process, to read its CPU time.
#[derive(Debug, Clone)]
pub(crate) struct Thread {
    /// `/proc/thread-self` resolved on the thread itself, e.g. `/proc/1/task/2`.
    proc_dir: Option<std::path::PathBuf>,
}

impl Thread {
    /// The calling thread.
    pub(crate) fn current() -> Thread {
        Thread {
            proc_dir: std::fs::read_link("/proc/thread-self")
                .ok()
                .map(|p| std::path::Path::new("/proc").join(p)),
        }
    }

    /// Seconds this thread has run on a CPU (from `schedstat`, in nanoseconds); 0 where it cannot
    /// be read.
    pub(crate) fn cpu_time(&self) -> f64 {
        self.proc_dir
            .as_ref()
            .and_then(|dir| std::fs::read_to_string(dir.join("schedstat")).ok())
            .and_then(|text| text.split_whitespace().next()?.parse::<u64>().ok())
            .map_or(0.0, |ns| ns as f64 / 1e9)
    }
}
