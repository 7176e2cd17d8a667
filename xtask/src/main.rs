//! Project automation for r7, run as `cargo xtask <command>`.

mod bench;
mod codegen;
mod diff;
mod spec;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

const HELP: &str = "\
cargo xtask: project automation for r7

USAGE:
    cargo xtask <COMMAND>

COMMANDS:
    codegen           Generate the model, the endpoints, the endpoint table, the emulator's
                      wire writers, the example tests, spec/SCHEMA.md and spec/COVERAGE.md from spec/crm/,
                      and remove generated files the spec no longer produces
    codegen --check   Check the spec and fail naming every stale, missing or extra file
    bench             Run the benchmarks (package `bench`) and print a table of ratios
                      [--write: also into BENCHMARKS.md] [--rounds N] [--quick]
                      [--report-only: the table of the last run, without measuring]
    help              Print this message
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        [] | ["help" | "--help" | "-h"] => {
            print!("{HELP}");
            return ExitCode::SUCCESS;
        }
        ["codegen"] => codegen::load_and_render(&root())
            .and_then(|o| codegen::write(&root(), &o))
            .and_then(|report| Ok(format!("{report}\n{}", codegen::coverage(&root())?))),
        ["codegen", "--check"] => codegen::load_and_render(&root())
            .and_then(|o| codegen::check(&root(), &o))
            .and_then(|report| Ok(format!("{report}\n{}", codegen::coverage(&root())?))),
        ["bench", rest @ ..] => bench::Options::parse(rest).and_then(|o| bench::run(&root(), &o)),
        _ => {
            eprintln!("cargo xtask: unknown arguments {args:?}\n\n{HELP}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(message) => {
            println!("{message}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root: the parent of this crate.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

#[cfg(test)]
mod tests;
