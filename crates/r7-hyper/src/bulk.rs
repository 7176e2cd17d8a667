//! Deleting many deals at once, with a bounded number of requests in flight.

use std::collections::HashMap;
use std::sync::Arc;

use r7_proto::crm::opportunity::*;
use r7_proto::model::Opportunity;
use r7_proto::model::OpportunityId;
use r7_proto::{Endpoint, Page};

use crate::client::Client;
use r7_client::Error;

/// The ids a batch request carries unless [`BulkDelete::chunk_size`] says otherwise.
pub const DEFAULT_CHUNK_SIZE: usize = 100;

/// The requests in flight unless [`BulkDelete::concurrency`] says otherwise.
pub const DEFAULT_CONCURRENCY: usize = 4;

impl Client {
    /// Prepares the deletion of every deal in `ids`; nothing is sent until [`BulkDelete::run`].
    ///
    /// The ids go out in chunks through the batch endpoint (`PUT api/2.0/crm/opportunity` with
    /// `opportunityids`), several chunks at a time. The [`BulkReport`] has exactly one
    /// [`DeleteOutcome`] per id given, in the order given.
    ///
    /// ```no_run
    /// # async fn run(client: r7_hyper::Client) {
    /// let report = client
    ///     .bulk_delete_opportunities(1..=10_000)
    ///     .chunk_size(200)
    ///     .concurrency(4)
    ///     .run()
    ///     .await;
    /// println!("{} of 10000 deleted", report.deleted_count());
    /// for (id, error) in report.failed() {
    ///     eprintln!("deal {id}: {error}");
    /// }
    /// # }
    /// ```
    pub fn bulk_delete_opportunities(
        &self,
        ids: impl IntoIterator<Item = impl Into<OpportunityId>>,
    ) -> BulkDelete<'_> {
        BulkDelete {
            client: self,
            ids: ids.into_iter().map(Into::into).collect(),
            chunk_size: DEFAULT_CHUNK_SIZE,
            concurrency: DEFAULT_CONCURRENCY,
        }
    }
}

/// A bulk deletion of deals, configured by its methods and started by [`BulkDelete::run`].
#[derive(Debug)]
#[must_use = "nothing is deleted until `run` is awaited"]
pub struct BulkDelete<'c> {
    client: &'c Client,
    ids: Vec<OpportunityId>,
    chunk_size: usize,
    concurrency: usize,
}

impl BulkDelete<'_> {
    /// How many ids one batch request carries (default [`DEFAULT_CHUNK_SIZE`]; 0 counts as 1).
    ///
    /// With 1, each deal gets its own `DELETE api/2.0/crm/opportunity/{id}` instead of a batch:
    /// a missing deal is then a 404 from the portal, and the client's retry policy may repeat
    /// a delete lost in transit, since repeating it cannot delete anything else.
    pub fn chunk_size(mut self, ids_per_request: usize) -> Self {
        self.chunk_size = ids_per_request.max(1);
        self
    }

    /// How many requests may be in flight at once (default [`DEFAULT_CONCURRENCY`]; 0 counts
    /// as 1).
    pub fn concurrency(mut self, requests: usize) -> Self {
        self.concurrency = requests.max(1);
        self
    }

    /// Sends the deletions and waits for every answer.
    ///
    /// Never stops early: a failed request marks its own ids [`DeleteOutcome::Failed`] and the
    /// others go on. Ids the portal would refuse (0 or negative) fail without being sent, and
    /// repeats of an id are sent once (see [`DeleteOutcome::Duplicate`]).
    pub async fn run(self) -> BulkReport {
        let BulkDelete {
            client,
            ids,
            chunk_size,
            concurrency,
        } = self;
        // (index in `ids`, outcome): every index gets exactly one entry, from validation, as
        // a duplicate, or from the answer to the chunk that carried it.
        let mut settled = Vec::with_capacity(ids.len());
        let mut first_seen = HashMap::with_capacity(ids.len());
        let mut to_send = Vec::with_capacity(ids.len());
        for (index, &id) in ids.iter().enumerate() {
            if let Err(error) = DeleteOpportunity::new(id).validate() {
                settled.push((index, DeleteOutcome::Failed(Arc::new(error.into()))));
            } else if first_seen.insert(id, index).is_some() {
                settled.push((index, DeleteOutcome::Duplicate));
            } else {
                to_send.push(Pending { index, id });
            }
        }

        // One request per chunk, all through `each`: its bound on requests in flight, its
        // outcome per request. A chunk of one is a single DELETE only when every chunk is.
        let chunks: Vec<&[Pending]> = to_send.chunks(chunk_size).collect();
        let requests = chunks.len();
        if chunk_size == 1 {
            let deletes = chunks
                .iter()
                .map(|chunk| DeleteOpportunity::new(chunk[0].id));
            let report = client.each(deletes).concurrency(concurrency).run().await;
            for (chunk, outcome) in chunks.iter().zip(report.into_outcomes()) {
                let outcome = match outcome {
                    Ok(deal) => DeleteOutcome::Deleted(Box::new(deal)),
                    Err(error) if error.is_not_found() => DeleteOutcome::NotDeleted,
                    Err(error) => DeleteOutcome::Failed(Arc::new(error)),
                };
                settled.push((chunk[0].index, outcome));
            }
        } else {
            let batches = chunks
                .iter()
                .map(|chunk| DeleteOpportunities::new(chunk.iter().map(|pending| pending.id)));
            let report = client.each(batches).concurrency(concurrency).run().await;
            for (chunk, outcome) in chunks.iter().zip(report.into_outcomes()) {
                let indices = chunk.iter().map(|pending| pending.index);
                settled.extend(indices.zip(batch_outcomes(chunk, outcome)));
            }
        }

        debug_assert_eq!(settled.len(), ids.len(), "one outcome per id");
        settled.sort_unstable_by_key(|(index, _)| *index);
        let outcomes = ids
            .into_iter()
            .zip(settled)
            .map(|(id, (_, outcome))| (id, outcome))
            .collect();
        BulkReport { outcomes, requests }
    }
}

/// An id waiting to be sent, with its place in the caller's list.
struct Pending {
    index: usize,
    id: OpportunityId,
}

/// One outcome per id of a batch chunk, in its order, from the batch request's outcome.
fn batch_outcomes(
    chunk: &[Pending],
    outcome: Result<Page<Opportunity>, Error>,
) -> Vec<DeleteOutcome> {
    match outcome {
        Ok(page) => {
            let mut deleted: HashMap<OpportunityId, Opportunity> =
                page.items.into_iter().map(|deal| (deal.id, deal)).collect();
            let outcomes = chunk
                .iter()
                .map(|pending| match deleted.remove(&pending.id) {
                    Some(deal) => DeleteOutcome::Deleted(Box::new(deal)),
                    None => DeleteOutcome::NotDeleted,
                })
                .collect();
            if !deleted.is_empty() {
                tracing::warn!(
                    unrequested = deleted.len(),
                    "the portal's batch delete answered with deals that were not asked for"
                );
            }
            outcomes
        }
        Err(error) => {
            let error = Arc::new(error);
            chunk
                .iter()
                .map(|_| DeleteOutcome::Failed(Arc::clone(&error)))
                .collect()
        }
    }
}

/// What happened to one id of a bulk delete.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum DeleteOutcome {
    /// The portal deleted the deal; this is the deal as it returned it.
    Deleted(Box<Opportunity>),
    /// The portal answered but did not delete the deal: no such deal, or the caller may not see
    /// or delete it. (The batch endpoint skips such ids without saying which reason applies; a
    /// single delete answers 404.)
    NotDeleted,
    /// The same id came earlier in the list; the earlier occurrence carries the outcome and this
    /// one was not sent again.
    Duplicate,
    /// The request carrying this id failed. Ids that travelled in one batch share the error;
    /// [`Error::delivery`] tells whether the deletion may have happened anyway.
    Failed(Arc<Error>),
}

impl DeleteOutcome {
    /// The deleted deal, if the portal deleted it.
    pub fn deleted(&self) -> Option<&Opportunity> {
        match self {
            DeleteOutcome::Deleted(deal) => Some(deal),
            _ => None,
        }
    }

    /// The error, if the request carrying this id failed.
    pub fn error(&self) -> Option<&Error> {
        match self {
            DeleteOutcome::Failed(error) => Some(error),
            _ => None,
        }
    }
}

/// The result of [`BulkDelete::run`]: one outcome per id given, in the order given.
#[derive(Debug, Clone)]
pub struct BulkReport {
    outcomes: Vec<(OpportunityId, DeleteOutcome)>,
    requests: usize,
}

impl BulkReport {
    /// Every id given, with what happened to it, in the order given.
    pub fn outcomes(&self) -> &[(OpportunityId, DeleteOutcome)] {
        &self.outcomes
    }

    /// The outcomes, by value.
    pub fn into_outcomes(self) -> Vec<(OpportunityId, DeleteOutcome)> {
        self.outcomes
    }

    /// The deals the portal deleted, as it returned them.
    pub fn deleted(&self) -> impl Iterator<Item = &Opportunity> {
        self.outcomes
            .iter()
            .filter_map(|(_, outcome)| outcome.deleted())
    }

    /// How many deals the portal deleted.
    pub fn deleted_count(&self) -> usize {
        self.deleted().count()
    }

    /// The ids the portal answered for but did not delete (missing, or not the caller's to
    /// delete).
    pub fn not_deleted(&self) -> impl Iterator<Item = OpportunityId> + '_ {
        self.outcomes
            .iter()
            .filter(|(_, outcome)| matches!(outcome, DeleteOutcome::NotDeleted))
            .map(|(id, _)| *id)
    }

    /// The ids whose request failed, with the error.
    pub fn failed(&self) -> impl Iterator<Item = (OpportunityId, &Error)> {
        self.outcomes
            .iter()
            .filter_map(|(id, outcome)| Some((*id, outcome.error()?)))
    }

    /// Whether every id given was deleted (repeated ids count with their first occurrence).
    pub fn all_deleted(&self) -> bool {
        self.outcomes.iter().all(|(_, outcome)| {
            matches!(
                outcome,
                DeleteOutcome::Deleted(_) | DeleteOutcome::Duplicate
            )
        })
    }

    /// How many requests were sent (retries of one request count once).
    pub fn requests_sent(&self) -> usize {
        self.requests
    }
}
