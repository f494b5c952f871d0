//! The pages a refresh has read, on their way into the store.
//!
//! Each lot is stored on a blocking thread while the next answers are fetched, so the
//! network and the disk overlap and SQLite never runs on the async threads. Answers that
//! arrive while a lot is still being stored wait, and go together in the next
//! transaction: a commit costs about as much as storing a hundred pages, so under
//! Notion's rate limit (an answer every third of a second) each answer is its own
//! transaction, and on a fast network the lots grow until the store keeps up.

use std::sync::Arc;

use color_eyre::eyre::Result;
use tokio::task::JoinHandle;

use crate::notion::Page;

/// At most this many pages wait for the store (a few megabytes); then fetching waits.
const MOST_WAITING: usize = 1_000;

type StoreFn<T> = dyn Fn(Vec<Page>, i64) -> Result<T> + Send + Sync;

pub struct StoreQueue<T> {
    store: Arc<StoreFn<T>>,
    storing: Option<JoinHandle<Result<T>>>,
    waiting: Vec<Page>,
    /// When the oldest of the waiting answers was asked for (ms since the epoch).
    waiting_since: i64,
}

impl<T: Send + 'static> StoreQueue<T> {
    /// `store` writes one lot in one transaction and says what it did.
    pub fn new(store: impl Fn(Vec<Page>) -> Result<T> + Send + Sync + 'static) -> StoreQueue<T> {
        StoreQueue::with_read_times(move |pages, _| store(pages))
    }

    /// `new`, where `store` also gets when the lot's oldest answer was asked for (ms since
    /// the epoch; see `Store::upsert_read`).
    pub fn with_read_times(
        store: impl Fn(Vec<Page>, i64) -> Result<T> + Send + Sync + 'static,
    ) -> StoreQueue<T> {
        StoreQueue {
            store: Arc::new(store),
            storing: None,
            waiting: Vec::new(),
            waiting_since: i64::MAX,
        }
    }

    /// Hands over one answer's pages. Returns the report of the lot stored before, once
    /// this call had to wait for it.
    pub async fn push(&mut self, pages: Vec<Page>) -> Result<Option<T>> {
        self.push_read(pages, i64::MAX).await
    }

    /// `push`, for pages asked for at `read_at` (ms since the epoch).
    pub async fn push_read(&mut self, pages: Vec<Page>, read_at: i64) -> Result<Option<T>> {
        self.waiting_since = self.waiting_since.min(read_at);
        self.waiting.extend(pages);
        let busy = self.storing.as_ref().is_some_and(|s| !s.is_finished());
        if busy && self.waiting.len() < MOST_WAITING {
            return Ok(None);
        }
        let stored = self.settle().await?;
        self.start();
        Ok(stored)
    }

    /// Stores whatever still waits. Returns the reports not returned yet, in order.
    pub async fn finish(mut self) -> Result<Vec<T>> {
        let mut reports: Vec<T> = self.settle().await?.into_iter().collect();
        if !self.waiting.is_empty() {
            self.start();
            reports.extend(self.settle().await?);
        }
        Ok(reports)
    }

    fn start(&mut self) {
        let pages = std::mem::take(&mut self.waiting);
        let read_at = std::mem::replace(&mut self.waiting_since, i64::MAX);
        let store = Arc::clone(&self.store);
        self.storing = Some(tokio::task::spawn_blocking(move || store(pages, read_at)));
    }

    async fn settle(&mut self) -> Result<Option<T>> {
        match self.storing.take() {
            Some(storing) => Ok(Some(storing.await??)),
            None => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;
    use std::time::Duration;

    fn pages(from: usize, n: usize) -> Vec<Page> {
        (from..from + n)
            .map(|i| {
                Page::from_json(serde_json::json!({
                    "object": "page", "id": format!("p{i}"),
                    "created_time": "2026-11-01T09:00:00.000Z",
                    "last_edited_time": "2026-11-01T09:00:00.000Z",
                    "parent": {"type": "data_source_id", "data_source_id": "ds"},
                    "properties": {}
                }))
                .unwrap()
            })
            .collect()
    }

    /// The page ids of each lot stored, in order.
    type Lots = Arc<Mutex<Vec<Vec<String>>>>;

    /// A store that takes `delay` per lot and records the lots it was given.
    fn recording(delay: Duration) -> (StoreQueue<usize>, Lots) {
        let lots = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&lots);
        let queue = StoreQueue::new(move |pages: Vec<Page>| {
            std::thread::sleep(delay);
            let ids: Vec<String> = pages.into_iter().map(|p| p.id).collect();
            seen.lock().unwrap().push(ids.clone());
            Ok(ids.len())
        });
        (queue, lots)
    }

    #[tokio::test]
    async fn answers_arriving_while_a_lot_is_stored_go_together_in_the_next() {
        let (mut queue, lots) = recording(Duration::from_millis(300));
        let mut reports = Vec::new();
        for answer in 0..4 {
            reports.extend(queue.push(pages(answer * 100, 100)).await.unwrap());
        }
        reports.extend(queue.finish().await.unwrap());
        let lots = lots.lock().unwrap();
        // The first answer is stored at once; the next three arrive during its 300 ms.
        assert_eq!(
            lots.len(),
            2,
            "{:?}",
            lots.iter().map(Vec::len).collect::<Vec<_>>()
        );
        assert_eq!(reports, vec![100, 300]);
        let order: Vec<String> = lots.iter().flatten().cloned().collect();
        let expected: Vec<String> = (0..400).map(|i| format!("p{i}")).collect();
        assert_eq!(order, expected, "every page once, in the order read");
    }

    #[tokio::test]
    async fn answers_slower_than_the_store_are_each_their_own_lot() {
        let (mut queue, lots) = recording(Duration::ZERO);
        for answer in 0..3 {
            queue.push(pages(answer * 100, 100)).await.unwrap();
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        queue.finish().await.unwrap();
        let sizes: Vec<usize> = lots.lock().unwrap().iter().map(Vec::len).collect();
        assert_eq!(sizes, vec![100, 100, 100]);
    }

    #[tokio::test]
    async fn no_more_than_the_bound_waits() {
        let (mut queue, lots) = recording(Duration::from_millis(200));
        for answer in 0..25 {
            queue.push(pages(answer * 100, 100)).await.unwrap();
        }
        queue.finish().await.unwrap();
        let sizes: Vec<usize> = lots.lock().unwrap().iter().map(Vec::len).collect();
        // Fetching waited each time 1,000 pages were waiting.
        assert_eq!(sizes, vec![100, MOST_WAITING, MOST_WAITING, 400]);
    }

    #[tokio::test]
    async fn a_failed_store_is_reported() {
        let mut queue: StoreQueue<()> =
            StoreQueue::new(|_| Err(color_eyre::eyre::eyre!("disk full")));
        queue.push(pages(0, 1)).await.unwrap();
        let error = queue.finish().await.unwrap_err();
        assert!(error.to_string().contains("disk full"));
    }
}
