//! The layering of the design card, checked on `Cargo.lock`: the sans-IO crate must not pull in
//! an async runtime, sockets or an HTTP client, and the model must not even know HTTP.

use std::collections::{BTreeMap, BTreeSet};

/// Package name → names of its dependencies, read from the workspace's `Cargo.lock`.
fn lock_graph() -> BTreeMap<String, Vec<String>> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.lock");
    let text = std::fs::read_to_string(path).expect("Cargo.lock is committed");
    let mut graph = BTreeMap::new();
    for block in text.split("[[package]]").skip(1) {
        let mut name = None;
        let mut deps = Vec::new();
        let mut in_deps = false;
        for line in block.lines().map(str::trim) {
            if let Some(rest) = line.strip_prefix("name = ") {
                name = Some(rest.trim_matches('"').to_owned());
            } else if line.starts_with("dependencies = [") {
                in_deps = true;
            } else if in_deps && line == "]" {
                in_deps = false;
            } else if in_deps {
                // `"name"` or `"name version"` (when two versions are locked).
                let dep = line.trim_end_matches(',').trim_matches('"');
                deps.push(dep.split(' ').next().unwrap_or(dep).to_owned());
            }
        }
        if let Some(name) = name {
            graph.entry(name).or_insert_with(Vec::new).extend(deps);
        }
    }
    graph
}

fn closure(graph: &BTreeMap<String, Vec<String>>, root: &str) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut todo = vec![root.to_owned()];
    while let Some(name) = todo.pop() {
        if seen.insert(name.clone()) {
            todo.extend(graph.get(&name).into_iter().flatten().cloned());
        }
    }
    seen
}

#[test]
fn the_protocol_crate_has_no_io_in_its_tree() {
    let graph = lock_graph();
    let tree = closure(&graph, "r7-proto");
    assert!(
        tree.contains("http") && tree.contains("quick-xml"),
        "read the graph: {tree:?}"
    );
    for forbidden in [
        "tokio",
        "hyper",
        "hyper-util",
        "mio",
        "socket2",
        "rustls",
        "r7-hyper",
    ] {
        assert!(
            !tree.contains(forbidden),
            "r7-proto depends on {forbidden}: {tree:?}"
        );
    }
}

#[test]
fn the_model_crate_does_not_know_http() {
    let graph = lock_graph();
    let tree = closure(&graph, "r7-model");
    assert!(tree.contains("serde"), "read the graph: {tree:?}");
    for forbidden in ["http", "bytes", "tokio", "hyper", "quick-xml", "r7-proto"] {
        assert!(
            !tree.contains(forbidden),
            "r7-model depends on {forbidden}: {tree:?}"
        );
    }
}

#[test]
fn the_transport_uses_ring_not_aws_lc() {
    let graph = lock_graph();
    let tree = closure(&graph, "r7-hyper");
    assert!(tree.contains("ring"), "{tree:?}");
    assert!(
        !tree.iter().any(|name| name.starts_with("aws-lc")),
        "{tree:?}"
    );
}

#[test]
fn the_shared_client_policy_has_no_runtime_and_no_http_client() {
    let graph = lock_graph();
    let tree = closure(&graph, "r7-client");
    assert!(tree.contains("r7-proto"), "read the graph: {tree:?}");
    for forbidden in [
        "tokio",
        "hyper",
        "hyper-util",
        "mio",
        "ureq",
        "rustls",
        "r7-hyper",
    ] {
        assert!(
            !tree.contains(forbidden),
            "r7-client depends on {forbidden}: {tree:?}"
        );
    }
}

#[test]
fn the_blocking_client_needs_no_async_runtime_and_uses_ring() {
    let graph = lock_graph();
    let tree = closure(&graph, "r7-blocking");
    assert!(
        tree.contains("ureq") && tree.contains("r7-client") && tree.contains("ring"),
        "read the graph: {tree:?}"
    );
    for forbidden in ["tokio", "hyper", "hyper-util", "r7-hyper", "mio"] {
        assert!(
            !tree.contains(forbidden),
            "r7-blocking depends on {forbidden}: {tree:?}"
        );
    }
    assert!(
        !tree.iter().any(|name| name.starts_with("aws-lc")),
        "{tree:?}"
    );
}
