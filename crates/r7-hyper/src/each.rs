//! Sending many requests of one kind at once, with a bounded number in flight, and an outcome
//! for each.

use futures_util::stream::{self, StreamExt};
use r7_proto::Endpoint;

use crate::client::Client;
use r7_client::{EachReport, Error};

/// The requests in flight unless [`Each::concurrency`] says otherwise.
pub const DEFAULT_EACH_CONCURRENCY: usize = 8;

impl Client {
    /// Prepares to send every request of `requests`; nothing is sent until [`Each::run`].
    ///
    /// Each request is sent as [`Client::send`] sends it: with the client's deadline, sign-in
    /// and retry policy, so one that may have reached the portal is never repeated unless it is
    /// idempotent. A failure does not stop the others. The [`EachReport`] has one outcome per
    /// request, in the order of `requests`.
    ///
    /// ```no_run
    /// use r7_proto::crm::opportunity::{ListOpportunitiesByContact, UpdateOpportunityStage};
    ///
    /// # async fn run(client: r7_hyper::Client) -> Result<(), r7_hyper::Error> {
    /// let deals = client.all(&ListOpportunitiesByContact::new(101)).await?;
    /// let report = client
    ///     .each(deals.iter().map(|deal| UpdateOpportunityStage::new(deal.id, 30)))
    ///     .concurrency(16)
    ///     .run()
    ///     .await;
    /// for (index, error) in report.failed() {
    ///     eprintln!("deal {} did not move ({:?}): {error}", deals[index].id, error.delivery());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn each<E, I>(&self, requests: I) -> Each<'_, E>
    where
        I: IntoIterator<Item = E>,
    {
        Each {
            client: self,
            requests: requests.into_iter().collect(),
            concurrency: DEFAULT_EACH_CONCURRENCY,
        }
    }
}

/// Many requests to send, configured by [`Each::concurrency`] and started by [`Each::run`].
#[derive(Debug)]
#[must_use = "nothing is sent until `run` is awaited"]
pub struct Each<'c, E> {
    client: &'c Client,
    requests: Vec<E>,
    concurrency: usize,
}

impl<E: Endpoint> Each<'_, E> {
    /// How many requests may be in flight at once (default [`DEFAULT_EACH_CONCURRENCY`]; 0
    /// counts as 1).
    pub fn concurrency(mut self, requests: usize) -> Self {
        self.concurrency = requests.max(1);
        self
    }

    /// Sends the requests and waits for every answer.
    pub async fn run(self) -> EachReport<E::Output> {
        let Each {
            client,
            requests,
            concurrency,
        } = self;
        let mut outcomes: Vec<Option<Result<E::Output, Error>>> = std::iter::repeat_with(|| None)
            .take(requests.len())
            .collect();
        let mut answers = stream::iter(requests.iter().enumerate())
            .map(|(index, request)| async move { (index, client.send(request).await) })
            .buffer_unordered(concurrency);
        while let Some((index, outcome)) = answers.next().await {
            outcomes[index] = Some(outcome);
        }
        EachReport::new(outcomes.into_iter().flatten().collect())
    }
}
