//! Workspace-level integration tests live in `it/`. The README's examples are compiled by
//! the `r7` crate, whose API they use.
