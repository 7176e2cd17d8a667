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
    codegen           Generate crates/r7-proto/src/generated/crm.rs from spec/crm.toml
    codegen --check   Check the spec and fail if the generated file is stale
    bench             Run the benchmarks (package `bench`) and print a table of ratios
                      [--write: also into BENCHMARKS.md] [--rounds N] [--quick]
                      [--report-only: the table of the last run, without measuring]
    help              Print this message
";

/// The spec, relative to the workspace root.
const SPEC: &str = "spec/crm.toml";
/// The generated file, relative to the workspace root.
const OUTPUT: &str = "crates/r7-proto/src/generated/crm.rs";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        [] | ["help" | "--help" | "-h"] => {
            print!("{HELP}");
            return ExitCode::SUCCESS;
        }
        ["codegen"] => generate(&root()),
        ["codegen", "--check"] => check(&root()),
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

/// Reads and checks the spec, and renders the generated file in memory.
fn render(root: &Path) -> Result<String, String> {
    let text =
        std::fs::read_to_string(root.join(SPEC)).map_err(|e| format!("cannot read {SPEC}: {e}"))?;
    let spec = spec::load(&text).map_err(|errors| {
        let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
        format!("{SPEC} is invalid:\n{}", lines.join("\n"))
    })?;
    codegen::render(&spec)
}

fn generate(root: &Path) -> Result<String, String> {
    let code = render(root)?;
    let path = root.join(OUTPUT);
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    if current == code {
        return Ok(format!("{OUTPUT} is up to date"));
    }
    std::fs::write(&path, code).map_err(|e| format!("cannot write {OUTPUT}: {e}"))?;
    Ok(format!("wrote {OUTPUT}"))
}

fn check(root: &Path) -> Result<String, String> {
    let code = render(root)?;
    let current = std::fs::read_to_string(root.join(OUTPUT))
        .map_err(|e| format!("cannot read {OUTPUT}: {e}; run `cargo xtask codegen`"))?;
    // Compare line by line so that a checkout with CRLF line ends is not called stale.
    if current.lines().eq(code.lines()) {
        return Ok(format!("{OUTPUT} is up to date with {SPEC}"));
    }
    Err(format!(
        "{OUTPUT} is stale: it differs from what {SPEC} generates.\n\
         Run `cargo xtask codegen` and commit the result.\n\n{}",
        diff::unified(&current, &code, OUTPUT)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `cargo test` fails when the committed generated file is stale, as CI's explicit
    /// `cargo xtask codegen --check` does.
    #[test]
    fn generated_code_is_up_to_date() {
        if let Err(message) = check(&root()) {
            panic!("{message}");
        }
    }

    #[test]
    fn generation_is_deterministic() {
        let root = root();
        assert_eq!(render(&root), render(&root));
    }
}
