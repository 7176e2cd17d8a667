//! Walking a paged list endpoint page by page.

use futures_util::stream::{self, Stream, TryStreamExt};
use r7_client::{Error, MAX_PAGE_SIZE, PageWalk};
use r7_proto::{Page, Paged};

use crate::client::Client;

impl Client {
    /// Every page of `endpoint`'s list, in order, each fetched when the stream is polled.
    ///
    /// Starts at the endpoint's `start_index` (or 0) with its `count` (or `page_size`, limited to
    /// 1..=[`MAX_PAGE_SIZE`]) and computes each next `startIndex` itself as start + items
    /// received (the server's `nextIndex` is one too high). It stops after a short or empty
    /// page, or once `total` is reached. An error ends the stream after it is yielded.
    ///
    /// A portal, or a cache in front of it, that ignores `startIndex` would make the walk go on
    /// for ever. The walk stops with [`Error::Paging`] when an answer names another
    /// `startIndex` than the one asked for (the portal names the one it was asked for), or when
    /// an answer that names none begins and ends with the same items, in the same number, as
    /// the page before it.
    ///
    /// [`Client::all`] collects the items of every page; [`Client::items`] streams them.
    pub fn pages<E, T>(
        &self,
        endpoint: &E,
        page_size: u64,
    ) -> impl Stream<Item = Result<Page<T>, Error>> + Send + 'static
    where
        E: Paged<Output = Page<T>> + Send + Sync + 'static,
        T: Clone + PartialEq + Send + 'static,
    {
        let walk = PageWalk::new(endpoint, page_size);
        let client = self.clone();
        stream::try_unfold(walk, move |mut walk| {
            let client = client.clone();
            async move {
                let Some(request) = walk.next_request() else {
                    return Ok(None);
                };
                let page = client.send(&request).await?;
                walk.accept(&page)?;
                // An empty page ends the walk and is not yielded.
                if page.items.is_empty() {
                    return Ok(None);
                }
                Ok(Some((page, walk)))
            }
        })
    }

    /// Every item of `endpoint`'s list, page after page, as a stream (see [`Client::pages`]):
    /// for lists too long to hold, or to start on the first items early.
    ///
    /// ```no_run
    /// use futures_util::TryStreamExt;
    /// use r7_proto::crm::opportunity::ListOpportunities;
    ///
    /// # async fn run(client: r7_hyper::Client) -> Result<(), r7_hyper::Error> {
    /// let deals = client.items(&ListOpportunities::new().filter_value("hotel"), 100);
    /// let mut deals = std::pin::pin!(deals);
    /// while let Some(deal) = deals.try_next().await? {
    ///     println!("{}", deal.title);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn items<E, T>(
        &self,
        endpoint: &E,
        page_size: u64,
    ) -> impl Stream<Item = Result<T, Error>> + Send + 'static
    where
        E: Paged<Output = Page<T>> + Send + Sync + 'static,
        T: Clone + PartialEq + Send + 'static,
    {
        self.pages(endpoint, page_size)
            .map_ok(|page| stream::iter(page.items.into_iter().map(Ok)))
            .try_flatten()
    }
}

impl Client {
    /// Every item of `endpoint`'s list, all pages of it, in order: a walk as [`Client::pages`]
    /// makes it, [`MAX_PAGE_SIZE`] items a request unless the endpoint sets its own `count`.
    ///
    /// The first error ends the walk and is returned; the items read until then are dropped
    /// (use [`Client::items`] to keep them).
    ///
    /// ```no_run
    /// use r7_proto::crm::opportunity::ListOpportunitiesByContact;
    ///
    /// # async fn run(client: r7_hyper::Client) -> Result<(), r7_hyper::Error> {
    /// let deals = client.all(&ListOpportunitiesByContact::new(101)).await?;
    /// println!("{} deals", deals.len());
    /// # Ok(()) }
    /// ```
    pub async fn all<E, T>(&self, endpoint: &E) -> Result<Vec<T>, Error>
    where
        E: Paged<Output = Page<T>> + Send + Sync + 'static,
        T: Clone + PartialEq + Send + 'static,
    {
        self.items(endpoint, MAX_PAGE_SIZE).try_collect().await
    }
}
