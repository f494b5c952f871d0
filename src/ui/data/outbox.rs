//! The writes queued for Notion, as `:outbox` lists them (the list `hsn outbox` prints):
//! read off the event loop, one row per write, oldest first.

use color_eyre::eyre::Result;

use crate::domain::write::Write;
use crate::store::{OutboxEntry, Store};

/// One queued write. Its texts are as stored: the view makes them inert.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxRow {
    pub seq: i64,
    /// `pending`, `sending` or `held`.
    pub state: &'static str,
    pub attempts: u32,
    /// Held for the operator, or tried again and again without landing.
    pub stuck: bool,
    /// What the write does, in one line.
    pub summary: String,
    /// Why it has not landed yet (Notion's last answer), or how far it got.
    pub error: Option<String>,
}

impl OutboxRow {
    pub fn from_entry(entry: &OutboxEntry) -> OutboxRow {
        OutboxRow {
            seq: entry.seq,
            state: entry.state.as_str(),
            attempts: entry.attempts,
            stuck: entry.is_stuck(),
            summary: serde_json::from_value::<Write>(entry.body.clone())
                .map(|w| w.summary())
                .unwrap_or_else(|_| entry.op.clone()),
            error: entry.last_error.clone().or_else(|| entry.outcome.clone()),
        }
    }
}

/// Every write not yet settled, oldest first.
pub fn load_outbox(store: &Store) -> Result<Vec<OutboxRow>> {
    Ok(store
        .unsettled_writes()?
        .iter()
        .map(OutboxRow::from_entry)
        .collect())
}
