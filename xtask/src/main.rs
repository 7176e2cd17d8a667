//! Project automation for r7, run as `cargo xtask <command>`.

use std::process::ExitCode;

const HELP: &str = "\
cargo xtask: project automation for r7

USAGE:
    cargo xtask <COMMAND>

COMMANDS:
    help        Print this message

Code generation (`cargo xtask codegen [--check]`) arrives with the endpoint spec.
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        None | Some("help" | "--help" | "-h") => {
            print!("{HELP}");
            ExitCode::SUCCESS
        }
        Some(other) => {
            eprintln!("cargo xtask: unknown command `{other}`\n\n{HELP}");
            ExitCode::from(2)
        }
    }
}
