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
        let size = endpoint
            .page_size()
            .unwrap_or(page_size)
            .clamp(1, MAX_PAGE_SIZE);
        let start = endpoint.page_start().unwrap_or(0);
        let walk = Walk {
            client: self.clone(),
            endpoint: endpoint.clone(),
            start,
            previous: None,
        };
        stream::try_unfold(Some(walk), move |walk| async move {
            let Some(mut walk) = walk else {
                return Ok(None);
            };
            let start = walk.start;
            let page = walk
                .client
                .send(&walk.endpoint.with_page(start, size))
                .await?;
            if page.start_index.is_some_and(|answered| answered != start) {
                return Err(Error::Paging {
                    start_index: start,
                    problem: "the answer is for another startIndex (a cache that ignores the query?)",
                });
            }
            // An answer that names the offset asked for was made for it; only one that names
            // none is judged by its items, which may legitimately repeat (equal values, pages
            // of one).
            let ends = Ends::of(&page.items);
            if page.start_index.is_none() && ends.is_some() && ends == walk.previous {
                return Err(Error::Paging {
                    start_index: start,
                    problem: "the answer repeats the previous page (a portal that ignores startIndex?)",
                });
            }
            let received = page.items.len() as u64;
            if received == 0 {
                return Ok(None);
            }
            // No next offset past u64::MAX: nothing more can be asked for.
            let next = start.checked_add(received);
            let more = received == size
                && next.is_some_and(|next| page.total.is_none_or(|total| next < total));
            walk.start = next.unwrap_or(u64::MAX);
            walk.previous = ends;
            Ok(Some((page, more.then_some(walk))))
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
    /// let mut deals = client.items(&ListOpportunities::new().filter_value("hotel"), 100);
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

/// Where a walk through the pages is.
struct Walk<E, T> {
    client: Client,
    endpoint: E,
    /// The offset of the next page to ask for.
    start: u64,
    /// The ends of the page before, to notice an answer that repeats it.
    previous: Option<Ends<T>>,
}

/// The first and last items of a page and how many it had: enough to tell a page that repeats
/// the one before, without keeping a copy of it.
#[derive(PartialEq)]
struct Ends<T> {
    first: T,
    last: T,
    len: usize,
}

impl<T: Clone> Ends<T> {
    fn of(items: &[T]) -> Option<Self> {
        Some(Ends {
            first: items.first()?.clone(),
            last: items.last()?.clone(),
            len: items.len(),
        })
    }
}
