//! `r7-emulator`: serves an emulated R7-Office portal on loopback until Ctrl-C.
//!
//! ```text
//! cargo run -p r7-emulator -- --port 8092 --token my-token --user me@example.com:secret
//! ```

use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::time::Duration;

use r7_emulator::{Config, DEFAULT_TOKEN, Emulator};

const DEFAULT_PORT: u16 = 8092;

const USAGE: &str = "\
Usage: r7-emulator [--port PORT] [--token TOKEN] [--user NAME:PASSWORD]... [--token-lifetime SECONDS]

Serves an in-memory R7-Office portal on 127.0.0.1 until Ctrl-C: the CRM routes of
spec/COVERAGE.md under api/2.0/crm (deals and their stages, contacts, contact details,
statuses and types, tags, custom fields, tasks, history, settings)[.json|.xml], seeded with
deals 1234 to 1238, ten stages, four contacts, three tasks and four history events, and
POST api/2.0/authentication (userName, password) for a token.

Options:
  --port PORT                port to listen on (default 8092; 0 picks a free one)
  --token TOKEN              a fixed token to accept, never expiring (default r7-emulator-token)
  --user NAME:PASSWORD       a user who can sign in; repeat for more. Replaces the default
                             user admin@example.com:r7-emulator-password. The name ends at the
                             first ':'; neither part may be empty.
  --token-lifetime SECONDS   how long tokens from sign-in work (default one year; at least 1)
  -h, --help                 print this help";

/// What the command line asks for.
#[derive(Debug, PartialEq, Eq)]
enum Command {
    Help,
    Serve(Options),
}

/// How to serve.
#[derive(Debug, PartialEq, Eq)]
struct Options {
    port: u16,
    token: String,
    /// `None`: the default user.
    users: Option<Vec<(String, String)>>,
    token_lifetime: Option<Duration>,
}

fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Command, String> {
    let mut port = DEFAULT_PORT;
    let mut token = DEFAULT_TOKEN.to_owned();
    let mut users: Option<Vec<(String, String)>> = None;
    let mut token_lifetime = None;
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
            "--user" => {
                let text = value()?;
                let user = match text.split_once(':') {
                    Some((name, password)) if !name.is_empty() && !password.is_empty() => {
                        (name.to_owned(), password.to_owned())
                    }
                    _ => return Err("--user needs NAME:PASSWORD, both non-empty".to_owned()),
                };
                users.get_or_insert_with(Vec::new).push(user);
            }
            "--token-lifetime" => {
                let text = value()?;
                match text.parse::<u64>() {
                    Ok(seconds) if seconds > 0 => {
                        token_lifetime = Some(Duration::from_secs(seconds));
                    }
                    _ => {
                        return Err(format!(
                            "--token-lifetime: {text:?} is not a whole number of seconds (1 or more)"
                        ));
                    }
                }
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(Command::Serve(Options {
        port,
        token,
        users,
        token_lifetime,
    }))
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
    let options = match parse_args(std::env::args().skip(1)) {
        Ok(Command::Help) => {
            say(USAGE);
            return ExitCode::SUCCESS;
        }
        Ok(Command::Serve(options)) => options,
        Err(message) => {
            complain(&format!("{message}\n\n{USAGE}"));
            return ExitCode::from(2);
        }
    };
    let port = options.port;
    let defaults = Config::default();
    let config = Config {
        token: options.token,
        addr: SocketAddr::from((Ipv4Addr::LOCALHOST, port)),
        users: options.users.unwrap_or_else(|| defaults.users.clone()),
        token_lifetime: options.token_lifetime,
        ..defaults
    };
    let user_names: Vec<&str> = config.users.iter().map(|(name, _)| name.as_str()).collect();
    let user_names = user_names.join(", ");
    let emulator = match Emulator::start(config).await {
        Ok(emulator) => emulator,
        Err(error) => {
            complain(&format!("cannot listen on 127.0.0.1:{port}: {error}"));
            return ExitCode::FAILURE;
        }
    };
    say(&format!(
        "R7 emulator listening\n  base URL: {}\n  token:    {}\n  users:    {}\n  deals:    {:?}\n\
         \x20 stages:   {:?}\n  contacts: {:?}\nPress Ctrl-C to stop.",
        emulator.base_url(),
        emulator.token(),
        user_names,
        emulator.opportunity_ids(),
        emulator.stage_ids(),
        emulator.contact_ids()
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
            Ok(Command::Serve(Options {
                port: DEFAULT_PORT,
                token: DEFAULT_TOKEN.into(),
                users: None,
                token_lifetime: None,
            }))
        );
        assert_eq!(
            parse(&["--port", "9000", "--token=abc"]),
            Ok(Command::Serve(Options {
                port: 9000,
                token: "abc".into(),
                users: None,
                token_lifetime: None,
            }))
        );
        assert_eq!(
            parse(&[
                "--user",
                "a@b.c:p:w",
                "--user=Иван:пароль",
                "--token-lifetime",
                "3600"
            ]),
            Ok(Command::Serve(Options {
                port: DEFAULT_PORT,
                token: DEFAULT_TOKEN.into(),
                users: Some(vec![
                    ("a@b.c".into(), "p:w".into()),
                    ("Иван".into(), "пароль".into())
                ]),
                token_lifetime: Some(Duration::from_secs(3600)),
            }))
        );
        for bad in [":pw", "name:", "name", ""] {
            assert!(parse(&["--user", bad]).is_err(), "{bad:?}");
        }
        for bad in ["0", "-1", "1.5", "abc", ""] {
            assert!(parse(&["--token-lifetime", bad]).is_err(), "{bad:?}");
        }
        assert!(parse(&["--user"]).is_err());
        assert_eq!(parse(&["--port=1", "--help"]), Ok(Command::Help));
        assert!(parse(&["--port"]).is_err());
        assert!(parse(&["--port", "70000"]).is_err());
        assert!(parse(&["--port", "-1"]).is_err());
        assert!(parse(&["--token", ""]).is_err());
        assert!(parse(&["--verbose"]).is_err());
        assert!(parse(&["8092"]).is_err());
    }
}
