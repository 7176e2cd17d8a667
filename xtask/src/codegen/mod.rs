//! The generators, one module per artifact, and the bookkeeping of what they write: every file
//! of the generated folders comes from here, so a file there that the spec no longer produces
//! is removed by `cargo xtask codegen` and named by `--check`.

mod coverage;
pub(crate) mod emulator;
mod endpoints;
mod examples;
mod model;
mod rust;
mod table;

use std::collections::BTreeSet;
use std::path::Path;

use crate::diff;
use crate::spec::{self, Spec};

/// The folders whose every file is generated, relative to the workspace root.
pub(crate) const GENERATED_DIRS: &[&str] = &[
    "crates/r7-model/src/generated",
    "crates/r7-proto/src/generated",
    "crates/r7-emulator/src/generated",
    "tests/it/generated",
];

/// The generated schema document (outside the generated folders).
pub(crate) const SCHEMA: &str = "spec/SCHEMA.md";

/// One generated file: its path from the workspace root and its text.
pub(crate) struct Output {
    pub(crate) path: String,
    pub(crate) text: String,
}

/// Everything the spec generates, in a fixed order.
pub(crate) fn render(spec: &Spec) -> Result<Vec<Output>, String> {
    let mut outputs = vec![Output {
        path: SCHEMA.to_owned(),
        text: spec::schema::render(),
    }];
    outputs.extend(model::render(spec)?);
    outputs.extend(endpoints::render(spec)?);
    outputs.extend(table::render(spec)?);
    outputs.extend(emulator::render(spec)?);
    outputs.extend(examples::render(spec)?);
    outputs.push(coverage::render(spec));
    Ok(outputs)
}

/// Loads the spec under `root` and renders it, or says what is wrong with it.
pub(crate) fn load_and_render(root: &Path) -> Result<Vec<Output>, String> {
    let sources = spec::Sources::read(root)?;
    let spec = spec::load(&sources).map_err(|errors| {
        let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
        format!("the spec is invalid:\n{}", lines.join("\n"))
    })?;
    render(&spec)
}

/// How much of the spec the emulator answers: `emulated N of M routes; not emulated: ...`.
pub(crate) fn coverage(root: &Path) -> Result<String, String> {
    let sources = spec::Sources::read(root)?;
    let spec = spec::load(&sources).map_err(|_| "the spec is invalid".to_owned())?;
    let all: Vec<&str> = spec.all_endpoints().map(|(_, e)| e.name.as_str()).collect();
    let missing: Vec<&str> = spec
        .all_endpoints()
        .filter(|(_, e)| e.emulator.is_none())
        .map(|(_, e)| e.name.as_str())
        .collect();
    let listed = if missing.is_empty() {
        "none".to_owned()
    } else {
        missing.join(", ")
    };
    Ok(format!(
        "{}\nemulated {} of {} routes; not emulated: {listed}",
        coverage::summary(&spec),
        all.len() - missing.len(),
        all.len()
    ))
}

/// The files now in the generated folders, relative to the root.
fn existing(root: &Path) -> Vec<String> {
    fn walk(root: &Path, rel: &str, out: &mut Vec<String>) {
        let Ok(entries) = std::fs::read_dir(root.join(rel)) else {
            return;
        };
        for entry in entries.filter_map(Result::ok) {
            let name = entry.file_name().to_string_lossy().into_owned();
            let child = format!("{rel}/{name}");
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                walk(root, &child, out);
            } else {
                out.push(child);
            }
        }
    }
    let mut out = Vec::new();
    for dir in GENERATED_DIRS {
        walk(root, dir, &mut out);
    }
    out.sort();
    out
}

/// Writes what changed, removes generated files the spec no longer produces, and says what it
/// did.
pub(crate) fn write(root: &Path, outputs: &[Output]) -> Result<String, String> {
    let mut report = Vec::new();
    let wanted: BTreeSet<&str> = outputs.iter().map(|o| o.path.as_str()).collect();
    for output in outputs {
        let path = root.join(&output.path);
        if std::fs::read_to_string(&path).ok().as_deref() == Some(output.text.as_str()) {
            continue;
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        std::fs::write(&path, &output.text)
            .map_err(|e| format!("cannot write {}: {e}", output.path))?;
        report.push(format!("wrote {}", output.path));
    }
    for extra in existing(root) {
        if !wanted.contains(extra.as_str()) {
            std::fs::remove_file(root.join(&extra))
                .map_err(|e| format!("cannot remove {extra}: {e}"))?;
            report.push(format!("removed {extra} (the spec no longer generates it)"));
        }
    }
    if report.is_empty() {
        Ok(format!("{} generated files are up to date", outputs.len()))
    } else {
        Ok(report.join("\n"))
    }
}

/// Compares the generated files on disk with `outputs`: every stale, missing or extra file is
/// named, stale ones with a diff.
pub(crate) fn check(root: &Path, outputs: &[Output]) -> Result<String, String> {
    let mut problems = Vec::new();
    let wanted: BTreeSet<&str> = outputs.iter().map(|o| o.path.as_str()).collect();
    for output in outputs {
        match std::fs::read_to_string(root.join(&output.path)) {
            Err(_) => problems.push(format!("missing: {} (the spec generates it)", output.path)),
            // Line by line, so that a checkout with CRLF line ends is not called stale.
            Ok(current) if current.lines().eq(output.text.lines()) => {}
            Ok(current) => problems.push(format!(
                "stale: {} differs from what the spec generates\n{}",
                output.path,
                diff::unified(&current, &output.text, &output.path)
            )),
        }
    }
    for extra in existing(root) {
        if !wanted.contains(extra.as_str()) {
            problems.push(format!(
                "extra: {extra} is in a generated folder, but the spec does not generate it"
            ));
        }
    }
    if problems.is_empty() {
        Ok(format!(
            "{} generated files are up to date with spec/",
            outputs.len()
        ))
    } else {
        Err(format!(
            "{}\n\nRun `cargo xtask codegen` and commit the result.",
            problems.join("\n")
        ))
    }
}
