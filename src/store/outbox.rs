//! The outbox: writes queued in the same transaction that applied them to the cache, sent
//! in order, and marked done only once Notion answered.

use chrono::{DateTime, SecondsFormat, Utc};
use color_eyre::eyre::Result;
use rusqlite::{OptionalExtension, params};
use serde_json::Value;

use super::Store;
use super::own_entries::{OwnWrites, apply_in};
use super::raw_pages::{self, PackedPage};
use super::records::{upsert_in, write_record};
use crate::domain::record::Record;
use crate::domain::schema::{DatabaseKey, find_database};
use crate::notion::Page;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxState {
    /// Waiting to be sent (again).
    Pending,
    /// Handed to Notion; if the process dies now, nobody knows whether it landed, so the
    /// next attempt first checks.
    Sending,
    Done,
    /// Refused by Notion; its optimistic change was rolled back.
    Failed,
}

impl OutboxState {
    fn as_str(self) -> &'static str {
        match self {
            OutboxState::Pending => "pending",
            OutboxState::Sending => "sending",
            OutboxState::Done => "done",
            OutboxState::Failed => "failed",
        }
    }

    fn parse(text: &str) -> OutboxState {
        match text {
            "sending" => OutboxState::Sending,
            "done" => OutboxState::Done,
            "failed" => OutboxState::Failed,
            _ => OutboxState::Pending,
        }
    }
}

#[derive(Debug, Clone)]
pub struct OutboxEntry {
    pub seq: i64,
    pub op: String,
    pub body: Value,
    /// The pages whose cached records this write changed.
    pub touched: Vec<String>,
    pub state: OutboxState,
    pub attempts: u32,
    pub last_error: Option<String>,
    pub created_at: String,
}

fn now_text() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn read_entry(row: &rusqlite::Row<'_>) -> rusqlite::Result<OutboxEntry> {
    let body: String = row.get("body")?;
    let touched: String = row.get("touched")?;
    let state: String = row.get("state")?;
    Ok(OutboxEntry {
        seq: row.get("seq")?,
        op: row.get("op")?,
        body: serde_json::from_str(&body).unwrap_or(Value::Null),
        touched: serde_json::from_str(&touched).unwrap_or_default(),
        state: OutboxState::parse(&state),
        attempts: row.get("attempts")?,
        last_error: row.get("last_error")?,
        created_at: row.get("created_at")?,
    })
}

impl Store {
    /// Applies `changes` (records with their data source) to the cache, marked pending, and
    /// queues the write, in one transaction. Returns the write's sequence number.
    pub fn submit(
        &mut self,
        changes: &[(Record, String)],
        op: &str,
        body: &Value,
        at: DateTime<Utc>,
    ) -> Result<i64> {
        // On disk before hsn says the change is queued, whatever else the file trades away.
        self.conn.pragma_update(None, "synchronous", "FULL")?;
        let seq = self.submit_in_transaction(changes, op, body, at);
        self.conn.pragma_update(None, "synchronous", "NORMAL")?;
        seq
    }

    fn submit_in_transaction(
        &mut self,
        changes: &[(Record, String)],
        op: &str,
        body: &Value,
        at: DateTime<Utc>,
    ) -> Result<i64> {
        let tx = self.conn.transaction()?;
        let stamp = at.to_rfc3339_opts(SecondsFormat::Millis, true);
        let mut touched = Vec::new();
        for (record, data_source_id) in changes {
            let page_id = record.page_id.clone().unwrap_or_default();
            let created: Option<String> = tx
                .query_row(
                    "SELECT created_time FROM records WHERE page_id = ?1",
                    params![page_id],
                    |r| r.get(0),
                )
                .optional()?;
            write_record(
                &tx,
                record,
                data_source_id,
                (created.as_deref().unwrap_or(&stamp), &stamp),
                1,
            )?;
            touched.push(page_id);
        }
        tx.execute(
            "INSERT INTO outbox (op, body, touched, state, created_at, updated_at) VALUES (?1, ?2, ?3, 'pending', ?4, ?4)",
            params![op, body.to_string(), serde_json::to_string(&touched)?, now_text()],
        )?;
        let seq = tx.last_insert_rowid();
        tx.commit()?;
        Ok(seq)
    }

    /// The oldest write not yet settled (pending, or caught mid-send by a crash).
    pub fn next_write(&self) -> Result<Option<OutboxEntry>> {
        Ok(self
            .conn
            .query_row(
                "SELECT * FROM outbox WHERE state IN ('pending', 'sending') ORDER BY seq LIMIT 1",
                [],
                read_entry,
            )
            .optional()?)
    }

    /// Every write not yet settled, oldest first.
    pub fn unsettled_writes(&self) -> Result<Vec<OutboxEntry>> {
        let mut statement = self
            .conn
            .prepare("SELECT * FROM outbox WHERE state IN ('pending', 'sending') ORDER BY seq")?;
        let rows = statement.query_map([], read_entry)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The most recent writes Notion refused, newest first.
    pub fn failed_writes(&self, limit: usize) -> Result<Vec<OutboxEntry>> {
        let mut statement = self
            .conn
            .prepare("SELECT * FROM outbox WHERE state = 'failed' ORDER BY seq DESC LIMIT ?1")?;
        let rows = statement.query_map(params![limit as i64], read_entry)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn write_state(&self, seq: i64) -> Result<Option<OutboxEntry>> {
        Ok(self
            .conn
            .query_row(
                "SELECT * FROM outbox WHERE seq = ?1",
                params![seq],
                read_entry,
            )
            .optional()?)
    }

    /// About to send: from here on, a crash leaves the write uncertain.
    pub fn mark_sending(&mut self, seq: i64) -> Result<()> {
        self.conn.execute(
            "UPDATE outbox SET state = 'sending', attempts = attempts + 1, updated_at = ?2 WHERE seq = ?1",
            params![seq, now_text()],
        )?;
        Ok(())
    }

    /// Failed in a way worth retrying (network, rate limit, server error): back to pending.
    pub fn mark_retry(&mut self, seq: i64, error: &str) -> Result<()> {
        self.conn.execute(
            "UPDATE outbox SET state = 'pending', last_error = ?2, updated_at = ?3 WHERE seq = ?1",
            params![seq, error, now_text()],
        )?;
        Ok(())
    }

    /// Notion answered: the write is done, and `pages` (as Notion now has them) replace the
    /// optimistic records.
    pub fn confirm(&mut self, seq: i64, pages: &[(DatabaseKey, String, Page)]) -> Result<()> {
        self.confirm_with(seq, pages, &OwnWrites::default())
    }

    /// `confirm`, and in the same transaction the history entries the write added are
    /// remembered (and those it put back counted), see `own_entries`.
    pub fn confirm_with(
        &mut self,
        seq: i64,
        pages: &[(DatabaseKey, String, Page)],
        own: &OwnWrites,
    ) -> Result<()> {
        let tx = self.conn.transaction()?;
        settle(&tx, seq, OutboxState::Done, None)?;
        for (key, data_source_id, page) in pages {
            upsert_in(&tx, *key, data_source_id, std::slice::from_ref(page), true)?;
        }
        apply_in(&tx, own, Utc::now())?;
        tx.commit()?;
        Ok(())
    }

    /// Notion refused the write: it is failed with Notion's message and its optimistic
    /// change is rolled back to the page as Notion last sent it (a record that never
    /// reached Notion is removed).
    pub fn reject(&mut self, seq: i64, error: &str) -> Result<()> {
        self.reject_with(seq, error, &OwnWrites::default())
    }

    /// `reject`, and in the same transaction a refused restoration counts as one more
    /// restore of its entries (so one Notion keeps refusing is not queued forever).
    pub fn reject_with(&mut self, seq: i64, error: &str, own: &OwnWrites) -> Result<()> {
        let tx = self.conn.transaction()?;
        apply_in(&tx, own, Utc::now())?;
        let touched = settle(&tx, seq, OutboxState::Failed, Some(error))?;
        for page_id in touched {
            let row: Option<(String, String, String)> = tx
                .query_row(
                    "SELECT records.database, records.data_source_id, pages_raw.raw FROM records
                     LEFT JOIN pages_raw ON pages_raw.page_id = records.page_id WHERE records.page_id = ?1",
                    params![page_id],
                    |r| Ok((r.get(0)?, r.get(1)?, raw_pages::text_of(r.get_ref(2)?).unwrap_or_default())),
                )
                .optional()?;
            let Some((alias, data_source_id, raw)) = row else {
                continue;
            };
            let page = serde_json::from_str(&raw)
                .ok()
                .and_then(|raw| Page::from_json(raw).ok());
            match (find_database(&alias), page) {
                (Some(definition), Some(page)) => {
                    let record = Record::from_page(definition.key, &page);
                    let edited = page
                        .last_edited_time
                        .to_rfc3339_opts(SecondsFormat::Millis, true);
                    let created = page
                        .created_time
                        .to_rfc3339_opts(SecondsFormat::Millis, true);
                    write_record(&tx, &record, &data_source_id, (&created, &edited), 0)?;
                    raw_pages::write(&tx, &page.id, &PackedPage::of(page.raw.get()))?;
                }
                _ => {
                    tx.execute("DELETE FROM records WHERE page_id = ?1", params![page_id])?;
                }
            }
        }
        tx.commit()?;
        Ok(())
    }
}

/// Records, already failed, something hsn decided not to send (it changed nothing): it is
/// listed with the writes Notion refused. Returns its number.
pub(super) fn insert_failed(
    tx: &rusqlite::Transaction<'_>,
    op: &str,
    body: &Value,
    reason: &str,
) -> rusqlite::Result<i64> {
    tx.execute(
        "INSERT INTO outbox (op, body, touched, state, last_error, created_at, updated_at)
         VALUES (?1, ?2, '[]', 'failed', ?3, ?4, ?4)",
        params![op, body.to_string(), reason, now_text()],
    )?;
    Ok(tx.last_insert_rowid())
}

/// Marks a write settled and takes it off its pages' pending counts; returns those pages.
fn settle(
    tx: &rusqlite::Transaction<'_>,
    seq: i64,
    state: OutboxState,
    error: Option<&str>,
) -> rusqlite::Result<Vec<String>> {
    let touched: String = tx.query_row(
        "SELECT touched FROM outbox WHERE seq = ?1",
        params![seq],
        |r| r.get(0),
    )?;
    let touched: Vec<String> = serde_json::from_str(&touched).unwrap_or_default();
    tx.execute(
        "UPDATE outbox SET state = ?2, last_error = coalesce(?3, last_error), updated_at = ?4 WHERE seq = ?1",
        params![seq, state.as_str(), error, now_text()],
    )?;
    for page_id in &touched {
        tx.execute(
            "UPDATE records SET pending = max(pending - 1, 0) WHERE page_id = ?1",
            params![page_id],
        )?;
    }
    Ok(touched)
}
