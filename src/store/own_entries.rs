//! The history entries hsn wrote and Notion confirmed, by instance page (DESIGN §4).
//!
//! The original agents rewrite a whole History Log blindly, so one of hsn's entries can
//! vanish after hsn wrote it and read it back. The store remembers each entry the moment
//! the outbox marks its write confirmed; a later sync that finds one missing from the
//! page queues a restoration through the outbox. How often an entry was put back is
//! counted so a writer that keeps dropping it does not make hsn write forever; the rows
//! are forgotten after a while, or with their page.

use std::collections::HashMap;

use chrono::{DateTime, SecondsFormat, Utc};
use color_eyre::eyre::Result;
use rusqlite::{Transaction, params};
use serde_json::Value;

use super::Store;
use super::outbox::insert_failed;
use crate::domain::history::HistoryEntry;

/// How many times hsn puts back one of its entries that another writer keeps dropping
/// (each restoration Notion refused counts too) before it gives up and says so.
pub const RESTORES_PER_ENTRY: u32 = 3;

/// How long hsn remembers the entries it wrote, to put them back if a blind writer drops
/// them. An entry is also forgotten with its instance (trashed, deleted).
pub const REMEMBER_ENTRIES_DAYS: i64 = 30;

/// One remembered entry.
#[derive(Debug, Clone)]
pub struct OwnEntry {
    pub page_id: String,
    pub entry: HistoryEntry,
    /// How many times hsn put it back (or tried to and Notion refused).
    pub restores: u32,
    /// hsn stopped putting it back (it kept being dropped).
    pub given_up: bool,
}

/// What a settled write means for the remembered entries.
#[derive(Debug, Clone, Default)]
pub struct OwnWrites {
    /// Entries the write added that Notion's read-back holds: remember them.
    pub remember: Vec<(String, HistoryEntry)>,
    /// Entries a restoration put back, or tried to: one more restore each.
    pub restored: Vec<(String, HistoryEntry)>,
}

/// Times in this table: every digit, one width, so they sort as text.
fn stamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Nanos, true)
}

pub(super) fn apply_in(
    tx: &Transaction<'_>,
    writes: &OwnWrites,
    at: DateTime<Utc>,
) -> rusqlite::Result<()> {
    for (page_id, entry) in &writes.remember {
        tx.execute(
            "INSERT INTO own_entries (page_id, entry_key, entry, remembered_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(page_id, entry_key) DO NOTHING",
            params![
                page_id,
                entry.identity_key(),
                Value::Object(entry.to_json().clone()).to_string(),
                stamp(at)
            ],
        )?;
    }
    for (page_id, entry) in &writes.restored {
        tx.execute(
            "UPDATE own_entries SET restores = restores + 1 WHERE page_id = ?1 AND entry_key = ?2",
            params![page_id, entry.identity_key()],
        )?;
    }
    Ok(())
}

fn read_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Option<OwnEntry>> {
    let text: String = row.get("entry")?;
    let entry = serde_json::from_str(&text)
        .ok()
        .and_then(|json| HistoryEntry::from_json(&json));
    Ok(match entry {
        Some(entry) => Some(OwnEntry {
            page_id: row.get("page_id")?,
            entry,
            restores: row.get("restores")?,
            given_up: row.get::<_, i64>("given_up")? != 0,
        }),
        None => None,
    })
}

impl Store {
    /// The remembered entries a sync should look for, by page: those hsn has not given up
    /// on, remembered before `before` (a sync that began earlier may hold the page from
    /// before the write, and would take the entry for dropped).
    pub fn own_entries(&self, before: DateTime<Utc>) -> Result<HashMap<String, Vec<OwnEntry>>> {
        let mut statement = self.conn.prepare(
            "SELECT * FROM own_entries WHERE given_up = 0 AND remembered_at < ?1 ORDER BY rowid",
        )?;
        let rows = statement.query_map(params![stamp(before)], read_row)?;
        let mut by_page: HashMap<String, Vec<OwnEntry>> = HashMap::new();
        for row in rows {
            if let Some(own) = row? {
                by_page.entry(own.page_id.clone()).or_default().push(own);
            }
        }
        Ok(by_page)
    }

    /// Every remembered entry of one page, given up or not.
    pub fn own_entries_of(&self, page_id: &str) -> Result<Vec<OwnEntry>> {
        let mut statement = self
            .conn
            .prepare("SELECT * FROM own_entries WHERE page_id = ?1 ORDER BY rowid")?;
        let rows = statement.query_map(params![page_id], read_row)?;
        Ok(rows
            .filter_map(|r| r.transpose())
            .collect::<rusqlite::Result<_>>()?)
    }

    /// hsn stops putting `entries` of `page_id` back, and says so where refused writes
    /// are listed: a failed outbox row (`op`, `body`) with `reason`. Returns its number.
    pub fn give_up_restoring(
        &mut self,
        page_id: &str,
        entries: &[HistoryEntry],
        op: &str,
        body: &Value,
        reason: &str,
    ) -> Result<i64> {
        let tx = self.write_transaction()?;
        for entry in entries {
            tx.execute(
                "UPDATE own_entries SET given_up = 1 WHERE page_id = ?1 AND entry_key = ?2",
                params![page_id, entry.identity_key()],
            )?;
        }
        let seq = insert_failed(&tx, op, body, reason)?;
        tx.commit()?;
        Ok(seq)
    }

    /// Forgets the entries remembered before `remembered_before`, and those of pages the
    /// store no longer holds (trashed, deleted, or the store cleared). Returns how many.
    pub fn forget_own_entries(&mut self, remembered_before: DateTime<Utc>) -> Result<usize> {
        Ok(self.conn.execute(
            "DELETE FROM own_entries WHERE remembered_at < ?1
                OR page_id NOT IN (SELECT page_id FROM records)",
            params![stamp(remembered_before)],
        )?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::schema::DatabaseKey;
    use crate::notion::Page;
    use chrono::{Duration, TimeZone};
    use serde_json::json;

    fn instance_page(id: &str) -> Page {
        Page::from_json(json!({
            "object": "page", "id": id,
            "created_time": "2026-11-01T09:00:00.000Z", "last_edited_time": "2026-11-01T09:00:00.000Z",
            "parent": {"type": "data_source_id", "data_source_id": "ds-inst"},
            "properties": {
                "Instance ID": {"id": "title", "type": "title", "title": [{"type": "text", "plain_text": id}]}
            }
        }))
        .unwrap()
    }

    fn entry(seconds: i64) -> HistoryEntry {
        let at = Utc.with_ymd_and_hms(2026, 11, 1, 9, 0, 0).unwrap() + Duration::seconds(seconds);
        HistoryEntry::transition("alice", "inquiry", "consultation", None, at)
    }

    fn remember(store: &mut Store, page: &str, entry: &HistoryEntry, at: DateTime<Utc>) {
        let tx = store.conn.transaction().unwrap();
        let writes = OwnWrites {
            remember: vec![(page.to_string(), entry.clone())],
            ..OwnWrites::default()
        };
        apply_in(&tx, &writes, at).unwrap();
        tx.commit().unwrap();
    }

    #[test]
    fn an_entry_is_remembered_once_counted_given_up_and_forgotten_with_age_or_its_page() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("s.sqlite")).unwrap();
        store
            .upsert_pages(
                DatabaseKey::ActiveWorkflowInstances,
                "ds-inst",
                &[instance_page("p1"), instance_page("p2")],
            )
            .unwrap();
        let now = Utc::now();
        let old = now - Duration::days(31);
        remember(&mut store, "p1", &entry(0), now);
        // The same entry under another spelling of its timestamp is the same row.
        let mut respelled = entry(0).to_json().clone();
        respelled.insert("timestamp".into(), json!("2026-11-01T09:00:00.000"));
        let respelled = HistoryEntry::from_json(&Value::Object(respelled)).unwrap();
        remember(&mut store, "p1", &respelled, now);
        remember(&mut store, "p1", &entry(1), old);
        remember(&mut store, "p2", &entry(2), now);
        assert_eq!(store.own_entries_of("p1").unwrap().len(), 2);

        // Only entries remembered before the sync began are looked for.
        assert_eq!(store.own_entries(now).unwrap()["p1"].len(), 1);
        assert_eq!(
            store.own_entries(now + Duration::seconds(1)).unwrap()["p1"].len(),
            2
        );

        let tx = store.conn.transaction().unwrap();
        let restored = OwnWrites {
            restored: vec![("p1".into(), entry(0)), ("p1".into(), entry(0))],
            ..OwnWrites::default()
        };
        apply_in(&tx, &restored, now).unwrap();
        tx.commit().unwrap();
        let seq = store
            .give_up_restoring("p1", &[entry(0)], "restore_history", &json!({}), "dropped")
            .unwrap();
        let p1 = store.own_entries_of("p1").unwrap();
        assert_eq!((p1[0].restores, p1[0].given_up), (2, true));
        assert!(!p1[1].given_up);
        let failed = store.write_state(seq).unwrap().unwrap();
        assert_eq!(
            (failed.state, failed.last_error.as_deref()),
            (crate::store::OutboxState::Failed, Some("dropped"))
        );
        assert!(
            store.unsettled_writes().unwrap().is_empty(),
            "nothing to send"
        );
        let watched = store.own_entries(now + Duration::seconds(1)).unwrap();
        assert_eq!(
            watched["p1"].len(),
            1,
            "the given-up entry is not looked for"
        );

        // Older than the bound: forgotten. Its page gone: forgotten.
        store.forget("p2").unwrap();
        assert_eq!(
            store.forget_own_entries(now - Duration::days(30)).unwrap(),
            2
        );
        let left: Vec<_> = store
            .own_entries_of("p1")
            .unwrap()
            .into_iter()
            .map(|o| o.entry)
            .collect();
        assert!(left.len() == 1 && left[0].same_as(&entry(0)));
        assert!(store.own_entries_of("p2").unwrap().is_empty());
    }
}
