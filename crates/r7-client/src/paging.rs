//! [`PageWalk`]: the walk through a paged list, page after page, without I/O.

use r7_proto::{Page, Paged};

use crate::error::Error;

/// The server's largest page: it cuts `count` above this.
pub const MAX_PAGE_SIZE: u64 = 1000;

/// Where a walk through the pages of a list is: which request to send next, and whether the
/// answer to the last one ends the walk.
///
/// It starts at the endpoint's `start_index` (or 0) with its `count` (or the default page size,
/// limited to 1..=[`MAX_PAGE_SIZE`]) and computes each next `startIndex` itself as start +
/// items received (the server's `nextIndex` is one too high). It stops after a short or empty
/// page, or once `total` is reached where `total` counts every item
/// ([`Paged::TOTAL_COUNTS_ALL`]).
///
/// A portal, or a cache in front of it, that ignores `startIndex` would make the walk go on for
/// ever. [`PageWalk::accept`] stops it with [`Error::Paging`] when an answer names another
/// `startIndex` than the one asked for (the portal names the one it was asked for), or when an
/// answer that names none begins and ends with the same items, in the same number, as the page
/// before it.
#[derive(Debug)]
pub struct PageWalk<E, T> {
    endpoint: E,
    size: u64,
    /// The offset of the next page to ask for; `None` once the walk is over.
    start: Option<u64>,
    /// The ends of the page before, to notice an answer that repeats it.
    previous: Option<Ends<T>>,
}

impl<E, T> PageWalk<E, T>
where
    E: Paged<Output = Page<T>>,
    T: Clone + PartialEq,
{
    /// A walk through `endpoint`'s list, `page_size` items a request unless it sets `count`.
    pub fn new(endpoint: &E, page_size: u64) -> Self {
        PageWalk {
            size: endpoint
                .page_size()
                .unwrap_or(page_size)
                .clamp(1, MAX_PAGE_SIZE),
            start: Some(endpoint.page_start().unwrap_or(0)),
            endpoint: endpoint.clone(),
            previous: None,
        }
    }

    /// The request for the next page, or `None` when the walk is over.
    pub fn next_request(&self) -> Option<E> {
        self.start
            .map(|start| self.endpoint.with_page(start, self.size))
    }

    /// Takes the answer to [`PageWalk::next_request`]: the walk moves on, or ends. The page is
    /// to be used when this is `Ok`.
    pub fn accept(&mut self, page: &Page<T>) -> Result<(), Error> {
        let Some(start) = self.start else {
            return Ok(());
        };
        if page.start_index.is_some_and(|answered| answered != start) {
            self.start = None;
            return Err(Error::Paging {
                start_index: start,
                problem: "the answer is for another startIndex (a cache that ignores the query?)",
            });
        }
        // An answer that names the offset asked for was made for it; only one that names none
        // is judged by its items, which may legitimately repeat (equal values, pages of one).
        let ends = Ends::of(&page.items);
        if page.start_index.is_none() && ends.is_some() && ends == self.previous {
            self.start = None;
            return Err(Error::Paging {
                start_index: start,
                problem: "the answer repeats the previous page (a portal that ignores startIndex?)",
            });
        }
        let received = page.items.len() as u64;
        // No next offset past u64::MAX: nothing more can be asked for.
        let next = start.checked_add(received);
        let total = page.total.filter(|_| E::TOTAL_COUNTS_ALL);
        let more = received == self.size
            && next.is_some_and(|next| total.is_none_or(|total| next < total));
        self.start = next.filter(|_| more);
        self.previous = ends;
        Ok(())
    }
}

/// The first and last items of a page and how many it had: enough to tell a page that repeats
/// the one before, without keeping a copy of it.
#[derive(Debug, PartialEq)]
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
