//! Walking a paged list endpoint page by page.

use futures_util::stream::{self, Stream, TryStreamExt};
use r7_proto::{Page, Paged};

use crate::client::Client;
use crate::error::Error;

/// The server's largest page: it cuts `count` above this.
pub const MAX_PAGE_SIZE: u64 = 1000;

impl Client {
    /// Every page of `endpoint`'s list, in order, each fetched when the stream is polled.
    ///
    /// Starts at the endpoint's `start_index` (or 0) with its `count` (or `page_size`, limited to
    /// 1..=[`MAX_PAGE_SIZE`]) and computes each next `startIndex` itself as start + items
    /// received (the server's `nextIndex` is one too high). It stops after a short or empty
    /// page, or once `total` is reached. An error ends the stream after it is yielded.
    ///
    /// ```no_run
    /// use futures_util::TryStreamExt;
    /// use r7_proto::ListOpportunities;
    ///
    /// # async fn run(client: r7_hyper::Client) -> Result<(), r7_hyper::Error> {
    /// let deals: Vec<_> = client
    ///     .items(ListOpportunities::new().filter_value("hotel"), 100)
    ///     .try_collect()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn pages<E, T>(
        &self,
        endpoint: E,
        page_size: u64,
    ) -> impl Stream<Item = Result<Page<T>, Error>> + Send + 'static
    where
        E: Paged<Output = Page<T>> + Send + Sync + 'static,
        T: Send + 'static,
    {
        let size = endpoint
            .page_size()
            .unwrap_or(page_size)
            .clamp(1, MAX_PAGE_SIZE);
        let start = endpoint.page_start().unwrap_or(0);
        let state = Some((self.clone(), endpoint, start));
        stream::try_unfold(state, move |state| async move {
            let Some((client, endpoint, start)) = state else {
                return Ok(None);
            };
            let page = client.send(&endpoint.with_page(start, size)).await?;
            let received = page.items.len() as u64;
            let next = start + received;
            let more = received == size && page.total.is_none_or(|total| next < total);
            let state = more.then_some((client, endpoint, next));
            if received == 0 {
                return Ok(None);
            }
            Ok(Some((page, state)))
        })
    }

    /// Every item of `endpoint`'s list, page after page (see [`Client::pages`]).
    pub fn items<E, T>(
        &self,
        endpoint: E,
        page_size: u64,
    ) -> impl Stream<Item = Result<T, Error>> + Send + 'static
    where
        E: Paged<Output = Page<T>> + Send + Sync + 'static,
        T: Send + 'static,
    {
        self.pages(endpoint, page_size)
            .map_ok(|page| stream::iter(page.items.into_iter().map(Ok)))
            .try_flatten()
    }
}
