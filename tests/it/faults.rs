//! Fault injection: servers that misbehave on purpose, and the typed errors r7 turns them into.
