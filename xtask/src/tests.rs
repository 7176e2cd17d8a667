//! `cargo xtask codegen --check` as a test, and one test for each way it must fail: a stale
//! file, a missing file, an extra file in a generated folder, and an error in the spec.

use std::path::{Path, PathBuf};

use crate::codegen::{self, GENERATED_DIRS, SCHEMA};
use crate::root;

/// `cargo test` fails when the committed generated files are stale, as CI's explicit
/// `cargo xtask codegen --check` does.
#[test]
fn generated_code_is_up_to_date() {
    let root = root();
    let outputs = codegen::load_and_render(&root).unwrap_or_else(|e| panic!("{e}"));
    if let Err(message) = codegen::check(&root, &outputs) {
        panic!("{message}");
    }
}

#[test]
fn generation_is_deterministic() {
    let root = root();
    let a = codegen::load_and_render(&root).unwrap_or_else(|e| panic!("{e}"));
    let b = codegen::load_and_render(&root).unwrap_or_else(|e| panic!("{e}"));
    assert!(a.len() > 10);
    for (a, b) in a.iter().zip(&b) {
        assert_eq!((&a.path, &a.text), (&b.path, &b.text));
    }
}

/// A copy of the spec and of every generated file in a fresh directory.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("r7-xtask-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let root = root();
        let mut paths = vec!["spec".to_owned()];
        paths.extend(GENERATED_DIRS.iter().map(|d| (*d).to_owned()));
        for path in paths {
            copy(&root.join(&path), &dir.join(&path));
        }
        Scratch(dir)
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.0.join(rel)
    }

    fn check(&self) -> Result<String, String> {
        codegen::load_and_render(&self.0).and_then(|o| codegen::check(&self.0, &o))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn copy(from: &Path, to: &Path) {
    if from.is_dir() {
        std::fs::create_dir_all(to).expect("create a directory");
        for entry in std::fs::read_dir(from).expect("read a directory") {
            let entry = entry.expect("a directory entry");
            copy(&entry.path(), &to.join(entry.file_name()));
        }
    } else {
        std::fs::copy(from, to).expect("copy a file");
    }
}

#[test]
fn a_fresh_copy_passes_the_check() {
    let scratch = Scratch::new("fresh");
    scratch.check().unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn a_stale_file_is_named_with_a_diff() {
    let scratch = Scratch::new("stale");
    let file = "crates/r7-model/src/generated/opportunity.rs";
    let text = std::fs::read_to_string(scratch.path(file)).expect("read");
    let edited = text.replacen(
        "pub title: String,",
        "pub title: String,\n    pub extra: i32,",
        1,
    );
    assert_ne!(text, edited);
    std::fs::write(scratch.path(file), edited).expect("write");
    let error = scratch
        .check()
        .expect_err("a stale file must fail the check");
    assert!(error.contains(&format!("stale: {file}")), "{error}");
    assert!(error.contains("-    pub extra: i32,"), "{error}");
}

#[test]
fn a_spec_change_makes_the_generated_file_stale() {
    let scratch = Scratch::new("spec-change");
    let spec = scratch.path("spec/crm/types/common.toml");
    let text = std::fs::read_to_string(&spec).expect("read");
    std::fs::write(
        &spec,
        text.replace(
            "[[type.field]]\nname = \"symbol\"",
            "[[type.field]]\nname = \"rate\"\ntype = \"decimal\"\ndoc = \"A rate.\"\n[[type.field]]\nname = \"symbol\"",
        ),
    )
    .expect("write");
    let error = scratch.check().expect_err("the model is stale now");
    assert!(
        error.contains("stale: crates/r7-model/src/generated/common.rs")
            && error.contains("+    pub rate: f64,"),
        "{error}"
    );
}

#[test]
fn a_missing_file_is_named() {
    let scratch = Scratch::new("missing");
    let file = "crates/r7-proto/src/generated/crm/opportunity_stage.rs";
    std::fs::remove_file(scratch.path(file)).expect("remove");
    let error = scratch
        .check()
        .expect_err("a missing file must fail the check");
    assert!(error.contains(&format!("missing: {file}")), "{error}");
}

#[test]
fn an_extra_file_is_named_and_codegen_removes_it() {
    let scratch = Scratch::new("extra");
    let file = "crates/r7-proto/src/generated/crm/invoice.rs";
    std::fs::write(scratch.path(file), "// left over\n").expect("write");
    let error = scratch
        .check()
        .expect_err("an extra file must fail the check");
    assert!(error.contains(&format!("extra: {file}")), "{error}");

    let outputs = codegen::load_and_render(&scratch.0).expect("render");
    let report = codegen::write(&scratch.0, &outputs).expect("write");
    assert!(report.contains(&format!("removed {file}")), "{report}");
    assert!(!scratch.path(file).exists());
    scratch.check().unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn a_spec_error_is_named_with_its_file_and_line() {
    let scratch = Scratch::new("spec-error");
    let rel = "spec/crm/endpoints/opportunity_stage.toml";
    let text = std::fs::read_to_string(scratch.path(rel)).expect("read");
    let line = text
        .lines()
        .position(|l| l == "name = \"GetOpportunityStage\"")
        .expect("the endpoint")
        + 1;
    let broken = text.replacen(
        "output = \"OpportunityStage\"\ndoc = \"Reads one stage",
        "output = \"Stage\"\ndoc = \"Reads one stage",
        1,
    );
    assert_ne!(text, broken);
    std::fs::write(scratch.path(rel), broken).expect("write");
    let error = scratch
        .check()
        .expect_err("a spec error must fail the check");
    assert!(
        error.contains(&format!(
            "{rel}:{line} (endpoint GetOpportunityStage): output `Stage`"
        )),
        "{error}"
    );

    // A syntax error points at its line too.
    std::fs::write(scratch.path(rel), format!("{text}\n[[endpoint]\n")).expect("write");
    let error = scratch
        .check()
        .expect_err("a syntax error must fail the check");
    let last = text.lines().count() + 2;
    assert!(error.contains(&format!("{rel}:{last}")), "{error}");
}

#[test]
fn the_schema_document_is_generated() {
    let text = std::fs::read_to_string(root().join(SCHEMA)).expect("read the schema");
    assert!(text.contains("| `emit_default` |"));
}

#[test]
fn the_coverage_line_names_the_routes_the_emulator_does_not_answer() {
    let scratch = Scratch::new("coverage");
    // The counts are read from the spec's text: every `[[endpoint]]`, and the names of those
    // without an `emulator` key.
    let mut routes = 0;
    let mut not_emulated = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(scratch.path("spec/crm/endpoints"))
        .expect("the endpoint files")
        .map(|entry| entry.expect("an entry").path())
        .collect();
    files.sort();
    for file in files {
        let text = std::fs::read_to_string(file).expect("read");
        for block in text.split("[[endpoint]]").skip(1) {
            routes += 1;
            let block = block.split("[[endpoint.param]]").next().unwrap_or_default();
            if !block.contains("\nemulator =") {
                let name = block.split('"').nth(1).unwrap_or_default();
                not_emulated.push(name.to_owned());
            }
        }
    }
    let emulated = routes - not_emulated.len();
    let last_line = |text: &str| text.lines().last().unwrap_or_default().to_owned();
    let report = codegen::coverage(&scratch.0).expect("coverage");
    assert!(
        report.starts_with(&format!(
            "CRM routes typed: {routes} of 267; emulated: {emulated}\n"
        )),
        "{report}"
    );
    let mut listed: Vec<String> = last_line(&report)
        .split_once("not emulated: ")
        .map(|(_, names)| names.split(", ").map(str::to_owned).collect())
        .unwrap_or_default();
    listed.sort();
    not_emulated.sort();
    assert_eq!(listed, not_emulated, "{report}");
    assert!(
        last_line(&report).starts_with(&format!("emulated {emulated} of {routes} routes;")),
        "{report}"
    );
    let rel = "spec/crm/endpoints/opportunity_stage.toml";
    let text = std::fs::read_to_string(scratch.path(rel)).expect("read");
    std::fs::write(
        scratch.path(rel),
        text.replace(
            "emulator = { op = \"get\", entity = \"OpportunityStage\", positive = true }\n",
            "",
        ),
    )
    .expect("write");
    let report = codegen::coverage(&scratch.0).expect("coverage");
    assert!(
        report.starts_with(&format!(
            "CRM routes typed: {routes} of 267; emulated: {}\n",
            emulated - 1
        )),
        "{report}"
    );
    let line = last_line(&report);
    assert!(
        line.starts_with(&format!("emulated {} of {routes} routes;", emulated - 1))
            && line.contains("GetOpportunityStage"),
        "{report}"
    );
    // The dispatch then leaves it out, and lists it as not emulated.
    let outputs = codegen::load_and_render(&scratch.0).expect("render");
    let dispatch = outputs
        .iter()
        .find(|o| o.path.ends_with("generated/dispatch.rs"))
        .expect("the dispatch");
    assert!(!dispatch.text.contains("EndpointId::GetOpportunityStage =>"));
    let (_, listed) = dispatch
        .text
        .split_once("NOT_EMULATED: &[EndpointId] = &[")
        .expect("the list of routes not emulated");
    let listed = listed.split("];").next().unwrap_or_default();
    assert!(
        listed.contains("EndpointId::GetOpportunityStage"),
        "{listed}"
    );
}
