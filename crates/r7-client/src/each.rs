//! [`EachReport`]: the outcomes of many requests, one per request.

use crate::error::{Delivery, Error};

/// What sending many requests gives (`each` of either client): one outcome per request, in
/// the order the requests came.
#[derive(Debug)]
pub struct EachReport<T> {
    outcomes: Vec<Result<T, Error>>,
}

impl<T> EachReport<T> {
    /// The report of these outcomes, one per request, in the order of the requests.
    pub fn new(outcomes: Vec<Result<T, Error>>) -> Self {
        EachReport { outcomes }
    }

    /// The outcomes, one per request, in order.
    pub fn outcomes(&self) -> &[Result<T, Error>] {
        &self.outcomes
    }

    /// The outcomes, owned.
    pub fn into_outcomes(self) -> Vec<Result<T, Error>> {
        self.outcomes
    }

    /// The answers of the requests that succeeded, with their places in the input.
    pub fn succeeded(&self) -> impl Iterator<Item = (usize, &T)> {
        self.outcomes
            .iter()
            .enumerate()
            .filter_map(|(index, outcome)| outcome.as_ref().ok().map(|value| (index, value)))
    }

    /// The errors of the requests that failed, with their places in the input.
    pub fn failed(&self) -> impl Iterator<Item = (usize, &Error)> {
        self.outcomes
            .iter()
            .enumerate()
            .filter_map(|(index, outcome)| outcome.as_ref().err().map(|error| (index, error)))
    }

    /// The places of the requests that failed without reaching the portal: these can be sent
    /// again without doing anything twice.
    pub fn not_sent(&self) -> impl Iterator<Item = usize> + '_ {
        self.failed()
            .filter(|(_, error)| error.delivery() == Delivery::NotSent)
            .map(|(index, _)| index)
    }

    /// How many succeeded.
    pub fn succeeded_count(&self) -> usize {
        self.outcomes
            .iter()
            .filter(|outcome| outcome.is_ok())
            .count()
    }

    /// Whether every request succeeded.
    pub fn all_succeeded(&self) -> bool {
        self.outcomes.iter().all(Result::is_ok)
    }
}
