//! The trail of edits of tasks that have no workflow instance: the entry hsn would have
//! written into an instance's History Log, kept here (Notion has no log to hold it). Written
//! when the edit is confirmed, in the transaction that settles it: a refused or dropped
//! edit leaves none.

use chrono::{DateTime, SecondsFormat, Utc};
use color_eyre::eyre::Result;
use rusqlite::{Transaction, params};
use serde_json::Value;

use super::Store;
use crate::domain::history::HistoryEntry;

/// The table, as one migration. `at` is the entry's instant, every digit and one width, so
/// it sorts as text; an entry is kept once per task (`entry_key`: its identity).
pub(super) const MIGRATION: &str = "CREATE TABLE task_trail (
        task_page TEXT NOT NULL,
        task_id TEXT NOT NULL,
        entry_key TEXT NOT NULL,
        entry TEXT NOT NULL,
        at TEXT NOT NULL,
        PRIMARY KEY (task_page, entry_key)
    );
    CREATE INDEX task_trail_at ON task_trail (at);";

/// One edit kept: the task's page, its Task ID, and the entry.
pub type TrailEntry = (String, String, HistoryEntry);

fn stamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Nanos, true)
}

/// Keeps `trail` (once: the same entry again is the same edit).
pub(super) fn keep_in(tx: &Transaction<'_>, trail: &TrailEntry) -> rusqlite::Result<()> {
    let (task_page, task_id, entry) = trail;
    let kept = tx.execute(
        "INSERT INTO task_trail (task_page, task_id, entry_key, entry, at) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT(task_page, entry_key) DO NOTHING",
        params![
            task_page,
            task_id,
            entry.identity_key(),
            Value::Object(entry.to_json().clone()).to_string(),
            stamp(entry.timestamp())
        ],
    )?;
    // The audit log shows it beside the instances' entries.
    if kept == 1 {
        super::activity::index_store_entry(tx, task_page, entry)?;
    }
    Ok(())
}

impl Store {
    /// The edits kept for tasks with no workflow instance, oldest first: those made at or
    /// after `since`, or all. A row whose entry no longer reads is left out.
    pub fn task_trail(&self, since: Option<DateTime<Utc>>) -> Result<Vec<TrailEntry>> {
        let since = since.map(stamp).unwrap_or_default();
        let mut statement = self.conn.prepare(
            "SELECT task_page, task_id, entry FROM task_trail WHERE at >= ?1 ORDER BY at, rowid",
        )?;
        let rows = statement.query_map(params![since], |row| {
            let entry: String = row.get(2)?;
            Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?, entry))
        })?;
        let mut trail = Vec::new();
        for row in rows {
            let (task_page, task_id, entry) = row?;
            let entry = serde_json::from_str(&entry)
                .ok()
                .and_then(|json| HistoryEntry::from_json(&json));
            if let Some(entry) = entry {
                trail.push((task_page, task_id, entry));
            }
        }
        Ok(trail)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::history::TaskChange;
    use chrono::TimeZone;

    fn entry(minute: u32) -> HistoryEntry {
        HistoryEntry::task_edit(
            "alice",
            "TASK-1",
            "page-1",
            &[TaskChange::new(
                "Status",
                Some("To Do".into()),
                Some("Done".into()),
            )],
            None,
            Utc.with_ymd_and_hms(2026, 12, 7, 10, minute, 0).unwrap(),
        )
    }

    #[test]
    fn kept_once_and_read_back_since_a_time() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("s.sqlite")).unwrap();
        let tx = store.write_transaction().unwrap();
        for minute in [5, 1, 5] {
            keep_in(&tx, &("page-1".into(), "TASK-1".into(), entry(minute))).unwrap();
        }
        tx.commit().unwrap();
        let all = store.task_trail(None).unwrap();
        assert_eq!(all.len(), 2, "the same entry is kept once");
        assert_eq!(all[0].2, entry(1), "oldest first, read back whole");
        assert_eq!((all[1].0.as_str(), all[1].1.as_str()), ("page-1", "TASK-1"));
        let later = store
            .task_trail(Some(Utc.with_ymd_and_hms(2026, 12, 7, 10, 3, 0).unwrap()))
            .unwrap();
        assert_eq!(later.len(), 1);
        assert_eq!(later[0].2, entry(5));
    }
}
