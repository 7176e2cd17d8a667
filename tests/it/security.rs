//! Security cases: header injection, path confinement, redirects and secrets in output.
