//! `r7-emulator`: serves an emulated R7-Office portal on loopback until Ctrl-C.
//!
//! ```text
//! cargo run -p r7-emulator -- --port 8092 --token my-token
//! ```

use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;

use r7_emulator::{Config, DEFAULT_TOKEN, Emulator};

const DEFAULT_PORT: u16 = 8092;

const USAGE: &str = "\
Usage: r7-emulator [--port PORT] [--token TOKEN]

Serves an in-memory R7-Office portal on 127.0.0.1 until Ctrl-C:
GET and DELETE api/2.0/crm/opportunity/{id}[.json|.xml], seeded with deals 1234 to 1238.

Options:
  --port PORT    port to listen on (default 8092; 0 picks a free one)
  --token TOKEN  the token to accept (default r7-emulator-token)
  -h, --help     print this help";

/// What the command line asks for.
#[derive(Debug, PartialEq, Eq)]
enum Command {
    Help,
    Serve { port: u16, token: String },
}

fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Command, String> {
    let mut port = DEFAULT_PORT;
    let mut token = DEFAULT_TOKEN.to_owned();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((name, value)) if name.starts_with("--") => {
                (name.to_owned(), Some(value.to_owned()))
            }
            _ => (arg, None),
        };
        let mut value = || {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match name.as_str() {
            "-h" | "--help" => return Ok(Command::Help),
            "--port" => {
                let text = value()?;
                port = text
                    .parse()
                    .map_err(|_| format!("--port: {text:?} is not a port number (0 to 65535)"))?;
            }
            "--token" => {
                token = value()?;
                if token.is_empty() {
                    return Err("--token must not be empty".to_owned());
                }
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(Command::Serve { port, token })
}

/// Prints a line to stdout; a closed stdout (`| head`) is not worth a panic.
fn say(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{text}").and_then(|()| out.flush());
}

/// Prints an error to stderr, prefixed with the program's name.
fn complain(text: &str) {
    let _ = writeln!(std::io::stderr(), "r7-emulator: {text}");
}

#[tokio::main]
async fn main() -> ExitCode {
    let (port, token) = match parse_args(std::env::args().skip(1)) {
        Ok(Command::Help) => {
            say(USAGE);
            return ExitCode::SUCCESS;
        }
        Ok(Command::Serve { port, token }) => (port, token),
        Err(message) => {
            complain(&format!("{message}\n\n{USAGE}"));
            return ExitCode::from(2);
        }
    };
    let config = Config {
        token,
        addr: SocketAddr::from((Ipv4Addr::LOCALHOST, port)),
        ..Config::default()
    };
    let emulator = match Emulator::start(config).await {
        Ok(emulator) => emulator,
        Err(error) => {
            complain(&format!("cannot listen on 127.0.0.1:{port}: {error}"));
            return ExitCode::FAILURE;
        }
    };
    say(&format!(
        "R7 emulator listening\n  base URL: {}\n  token:    {}\n  deals:    {:?}\n\
         Press Ctrl-C to stop.",
        emulator.base_url(),
        emulator.token(),
        emulator.opportunity_ids()
    ));
    if let Err(error) = tokio::signal::ctrl_c().await {
        complain(&format!("cannot wait for Ctrl-C: {error}"));
    }
    emulator.shutdown().await;
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Command, String> {
        parse_args(args.iter().map(|s| s.to_string()))
    }

    #[test]
    fn arguments() {
        assert_eq!(
            parse(&[]),
            Ok(Command::Serve {
                port: DEFAULT_PORT,
                token: DEFAULT_TOKEN.into()
            })
        );
        assert_eq!(
            parse(&["--port", "9000", "--token=abc"]),
            Ok(Command::Serve {
                port: 9000,
                token: "abc".into()
            })
        );
        assert_eq!(parse(&["--port=1", "--help"]), Ok(Command::Help));
        assert!(parse(&["--port"]).is_err());
        assert!(parse(&["--port", "70000"]).is_err());
        assert!(parse(&["--port", "-1"]).is_err());
        assert!(parse(&["--token", ""]).is_err());
        assert!(parse(&["--verbose"]).is_err());
        assert!(parse(&["8092"]).is_err());
    }
}
