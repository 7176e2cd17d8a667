//! Property tests with a bounded number of cases.
