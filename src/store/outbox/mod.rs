//! The outbox: writes queued in the same transaction that applied them to the cache, sent
//! in order per record by exactly one process at a time (`lease.rs`), and settled only once
//! Notion answered (`settle.rs`).

mod lease;
mod placeholder;
pub(super) use placeholder::PLACEHOLDER;
mod settle;
#[cfg(test)]
mod tests;

use chrono::{DateTime, SecondsFormat, Utc};
use color_eyre::eyre::{Result, bail};
use rusqlite::{OptionalExtension, params};
use serde_json::Value;

use super::Store;
use super::records::write_record;
use crate::domain::record::Record;
use crate::domain::write::Write;

pub use lease::{Claimed, Holder, LEASE};
pub use settle::Landed;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxState {
    /// Waiting to be sent (again).
    Pending,
    /// Leased by a process that is sending it; if that process dies, nobody knows whether
    /// it landed, so the next attempt first checks.
    Sending,
    /// Stopped for a reason only the operator can clear (the workspace's block limit): kept
    /// with its change, not retried until `hsn outbox retry`, or dropped.
    Held,
    Done,
    /// Refused by Notion (or dropped by the operator); its optimistic change was rolled back.
    Failed,
}

impl OutboxState {
    pub fn as_str(self) -> &'static str {
        match self {
            OutboxState::Pending => "pending",
            OutboxState::Sending => "sending",
            OutboxState::Held => "held",
            OutboxState::Done => "done",
            OutboxState::Failed => "failed",
        }
    }

    fn parse(text: &str) -> OutboxState {
        match text {
            "sending" => OutboxState::Sending,
            "held" => OutboxState::Held,
            "done" => OutboxState::Done,
            "failed" => OutboxState::Failed,
            _ => OutboxState::Pending,
        }
    }

    /// Still to be sent (or being sent, or held for the operator).
    pub fn is_queued(self) -> bool {
        matches!(
            self,
            OutboxState::Pending | OutboxState::Sending | OutboxState::Held
        )
    }
}

/// The states of a queued write, in SQL.
const QUEUED: &str = "('pending', 'sending', 'held')";

/// Attempts after which a write still queued counts as stuck (shown in the footer).
pub const STUCK_AFTER_ATTEMPTS: u32 = 3;

#[derive(Debug, Clone)]
pub struct OutboxEntry {
    pub seq: i64,
    pub op: String,
    pub body: Value,
    /// The pages whose cached records this write changed.
    pub touched: Vec<String>,
    pub state: OutboxState,
    pub attempts: u32,
    /// Its attempts are known not to have landed (it was held: Notion saved nothing).
    pub unsent: bool,
    pub last_error: Option<String>,
    /// How a write that landed went, when not plainly: "already applied", or what of it
    /// exists when only part could be made.
    pub outcome: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl OutboxEntry {
    /// It was sent before and may have landed without hsn hearing so.
    pub fn may_have_landed(&self) -> bool {
        self.attempts > 0 && !self.unsent
    }

    /// Held for the operator, or tried again and again without landing.
    pub fn is_stuck(&self) -> bool {
        self.state == OutboxState::Held
            || (self.state.is_queued() && self.attempts >= STUCK_AFTER_ATTEMPTS)
    }
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
        unsent: row.get("unsent")?,
        last_error: row.get("last_error")?,
        outcome: row.get("outcome")?,
        created_at: row.get("created_at")?,
        updated_at: row.get("updated_at")?,
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
        self.submit_linked(changes, op, body, at, None)
    }

    /// `submit` for the inverse of write `undoes` (an undo of a write already sent or being
    /// sent): if that write is refused or dropped, this one fails with it.
    pub fn submit_undo(
        &mut self,
        changes: &[(Record, String)],
        op: &str,
        body: &Value,
        at: DateTime<Utc>,
        undoes: i64,
    ) -> Result<i64> {
        self.submit_linked(changes, op, body, at, Some(undoes))
    }

    fn submit_linked(
        &mut self,
        changes: &[(Record, String)],
        op: &str,
        body: &Value,
        at: DateTime<Utc>,
        undoes: Option<i64>,
    ) -> Result<i64> {
        // On disk before hsn says the change is queued, whatever else the file trades away.
        self.conn.pragma_update(None, "synchronous", "FULL")?;
        let seq = self.submit_in_transaction(changes, op, body, at, undoes);
        self.conn.pragma_update(None, "synchronous", "NORMAL")?;
        seq
    }

    fn submit_in_transaction(
        &mut self,
        changes: &[(Record, String)],
        op: &str,
        body: &Value,
        at: DateTime<Utc>,
        undoes: Option<i64>,
    ) -> Result<i64> {
        let tx = self.write_transaction()?;
        // Refused or dropped already (between the undo's look and now): nothing of ours to
        // undo. Judged in this transaction: failing it later takes this write with it.
        if let Some(undoes) = undoes {
            let state: Option<String> = tx
                .query_row(
                    "SELECT state FROM outbox WHERE seq = ?1",
                    params![undoes],
                    |r| r.get(0),
                )
                .optional()?;
            if state.as_deref() == Some(OutboxState::Failed.as_str()) {
                bail!("the write it undoes ({undoes}) was not applied: nothing to undo");
            }
        }
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
        let write = serde_json::from_value::<Write>(body.clone()).ok();
        // The instance whose history it adds to is one of its records, cached or not: the
        // writes on it go in order.
        if let Some(page) = write.as_ref().and_then(Write::instance_page)
            && !touched.contains(page)
        {
            touched.push(page.clone());
        }
        // A task on its way to the trash leaves the tables now (`settle::rebuild` puts it
        // back if the write is refused or dropped).
        if let Some(page) = write.as_ref().and_then(Write::trashed_page) {
            tx.execute(
                "UPDATE records SET trashing = 1 WHERE page_id = ?1",
                params![page],
            )?;
        }
        tx.execute(
            "INSERT INTO outbox (op, body, touched, state, created_at, updated_at, undoes) VALUES (?1, ?2, ?3, 'pending', ?4, ?4, ?5)",
            params![op, body.to_string(), serde_json::to_string(&touched)?, now_text(), undoes],
        )?;
        let seq = tx.last_insert_rowid();
        tx.commit()?;
        Ok(seq)
    }

    /// Every write not yet settled (pending, being sent, held), oldest first.
    pub fn unsettled_writes(&self) -> Result<Vec<OutboxEntry>> {
        self.writes_where(&format!("state IN {QUEUED}"))
    }

    /// Every write the outbox holds, settled ones too, oldest first.
    pub fn all_writes(&self) -> Result<Vec<OutboxEntry>> {
        self.writes_where("1")
    }

    fn writes_where(&self, condition: &str) -> Result<Vec<OutboxEntry>> {
        let mut statement = self.conn.prepare(&format!(
            "SELECT * FROM outbox WHERE {condition} ORDER BY seq"
        ))?;
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

    /// `hsn outbox retry`: a held or waiting write goes out at the next drain, whatever
    /// made it wait.
    pub fn retry_write(&mut self, seq: i64) -> Result<()> {
        let Some(entry) = self.write_state(seq)? else {
            bail!("no write {seq} in the outbox");
        };
        match entry.state {
            OutboxState::Pending | OutboxState::Held => {
                self.conn.execute(
                    "UPDATE outbox SET state = 'pending', not_before = 0, updated_at = ?2 WHERE seq = ?1",
                    params![seq, now_text()],
                )?;
                Ok(())
            }
            OutboxState::Sending => bail!("write {seq} is being sent right now"),
            OutboxState::Done => bail!("write {seq} was sent already"),
            OutboxState::Failed => {
                bail!("write {seq} was refused and rolled back; make the change again to send it")
            }
        }
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
