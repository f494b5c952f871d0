//! "Since you last looked": when the operator last closed the dashboard (the store is the
//! workspace's, so this is per workspace), the records they have seen since, and what
//! changed meanwhile. Also which pages the operator's own writes touched, so that nothing
//! alerts for them.

use std::collections::HashSet;
use std::path::Path;

use chrono::{DateTime, SecondsFormat, Timelike, Utc};
use color_eyre::eyre::{Result, WrapErr};
use rusqlite::{Connection, OptionalExtension, params};

use super::Store;
use super::outbox::PLACEHOLDER;
use super::overview::load_alert_facts;
use super::records::read_row;
use crate::domain::alerts::{Alert, AlertKinds, AlertWatch};
use crate::domain::history::parse_timestamp;
use crate::domain::models::{Task, WorkflowInstance};
use crate::domain::overview::StuckRule;
use crate::domain::schema::{DatabaseKey, database};
use crate::domain::since::SinceSummary;

/// As `records.last_edited_time` is written (milliseconds, `Z`), so text order is time
/// order.
fn stamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// The first `last_edited_time` that may be an edit made after `since`: Notion rounds it
/// down to the minute, so an edit in the minute the dashboard closed reads as made at that
/// minute's start. It counts (an edit seen before closing may be marked again; none made
/// after is missed).
pub fn edited_from(since: DateTime<Utc>) -> DateTime<Utc> {
    since
        .with_second(0)
        .and_then(|t| t.with_nanosecond(0))
        .unwrap_or(since)
}

/// Remembers that `operator` closed the dashboard at `at`, and forgets what they saw
/// before (everything edited until now is behind them). One small transaction on a
/// connection of its own: quitting waits for nothing else (not the engine's connection,
/// which a sync may hold).
pub fn record_closed(path: &Path, operator: &str, at: DateTime<Utc>) -> Result<()> {
    let mut conn = Connection::open(path)
        .wrap_err_with(|| format!("cannot open the store {}", path.display()))?;
    conn.busy_timeout(std::time::Duration::from_secs(2))?;
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    set_closed(&tx, operator, at)?;
    tx.commit().wrap_err_with(|| {
        format!(
            "cannot remember when the dashboard closed in {}",
            path.display()
        )
    })
}

fn set_closed(conn: &Connection, operator: &str, at: DateTime<Utc>) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO looked (operator, last_closed) VALUES (?1, ?2)
         ON CONFLICT(operator) DO UPDATE SET last_closed = excluded.last_closed",
        params![operator, stamp(at)],
    )?;
    conn.execute("DELETE FROM seen WHERE operator = ?1", params![operator])?;
    Ok(())
}

impl Store {
    /// When `operator` last closed the dashboard; `None` before the first time.
    pub fn last_closed(&self, operator: &str) -> Result<Option<DateTime<Utc>>> {
        let text: Option<String> = self
            .conn
            .query_row(
                "SELECT last_closed FROM looked WHERE operator = ?1",
                params![operator],
                |row| row.get(0),
            )
            .optional()?;
        Ok(text.as_deref().and_then(parse_timestamp))
    }

    /// [`record_closed`] on this connection.
    pub fn set_last_closed(&mut self, operator: &str, at: DateTime<Utc>) -> Result<()> {
        let tx = self.write_transaction()?;
        set_closed(&tx, operator, at)?;
        Ok(tx.commit()?)
    }

    /// `operator` has seen these records (opened them, or cleared their marks): they are
    /// no longer marked as changed.
    pub fn mark_seen(&mut self, operator: &str, pages: &[String]) -> Result<()> {
        let tx = self.write_transaction()?;
        {
            let mut insert =
                tx.prepare("INSERT OR IGNORE INTO seen (operator, page_id) VALUES (?1, ?2)")?;
            for page in pages {
                insert.execute(params![operator, page])?;
            }
        }
        Ok(tx.commit()?)
    }

    /// The records edited after `since` that `operator` has not seen since (archived ones
    /// and those on their way to the trash left out).
    pub fn changed_since(&self, operator: &str, since: DateTime<Utc>) -> Result<HashSet<String>> {
        let mut statement = self.conn.prepare(
            "SELECT page_id FROM records
             WHERE last_edited_time >= ?1 AND archived = 0 AND trashing = 0
               AND page_id NOT IN (SELECT page_id FROM seen WHERE operator = ?2)",
        )?;
        let from = stamp(edited_from(since));
        let pages = statement.query_map(params![from, operator], |row| row.get(0))?;
        Ok(pages.collect::<rusqlite::Result<_>>()?)
    }

    /// What happened after `since`, counted over the records edited since (only those are
    /// read): transitions, instances now in Error, open tasks assigned to `operator`.
    pub fn since_summary(&self, since: DateTime<Utc>, operator: &str) -> Result<SinceSummary> {
        let mut summary = SinceSummary::new(since);
        let mut statement = self.conn.prepare(
            "SELECT * FROM records
             WHERE last_edited_time >= ?1 AND database = ?2 AND archived = 0 AND trashing = 0",
        )?;
        let from = stamp(edited_from(since));
        for key in [DatabaseKey::ActiveWorkflowInstances, DatabaseKey::Tasks] {
            let rows = statement.query_map(params![from, database(key).alias], read_row)?;
            for stored in rows {
                let Some(stored) = stored? else { continue };
                match key {
                    DatabaseKey::Tasks => {
                        summary.count_task(&Task::from_record(&stored.record), operator)
                    }
                    _ => summary.count_instance(&WorkflowInstance::from_record(&stored.record)),
                }
            }
        }
        Ok(summary)
    }

    /// The pages the operator's own writes touched: those queued after write `after` (in
    /// any state since), those settled since `settled_since` (a confirmed create shows
    /// under Notion's page id from then on), and those of writes still unsettled; with the
    /// newest write's number, for the next call.
    pub fn touched_by_own_writes(
        &self,
        after: i64,
        settled_since: DateTime<Utc>,
    ) -> Result<(i64, HashSet<String>)> {
        let mut statement = self.conn.prepare(
            "SELECT seq, touched FROM outbox
             WHERE seq > ?1 OR updated_at >= ?2 OR state IN ('pending', 'sending', 'held')",
        )?;
        let mut newest = after;
        let mut pages = HashSet::new();
        let rows = statement.query_map(params![after, stamp(settled_since)], |row| {
            Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?))
        })?;
        let mut created = Vec::new();
        for row in rows {
            let (seq, touched) = row?;
            newest = newest.max(seq);
            let touched: Vec<String> = serde_json::from_str(&touched).unwrap_or_default();
            created.extend(
                touched
                    .iter()
                    .filter_map(|p| p.strip_prefix(PLACEHOLDER))
                    .map(str::to_string),
            );
            pages.extend(touched);
        }
        // A task created here kept its placeholder in the write that made it; once Notion
        // has it, the record goes by Notion's page id (found by its Task ID).
        drop(statement);
        for task_id in created {
            for record in self.find_by_title(DatabaseKey::Tasks, &task_id)? {
                pages.extend(record.record.page_id);
            }
        }
        Ok((newest, pages))
    }
}

/// Alerts computed after each sync, as the dashboard does: the facts read from the store
/// against the last computation's, the pages of the operator's own writes since left out.
#[derive(Debug, Default)]
pub struct AlertCheck {
    watch: AlertWatch,
    /// The newest outbox write seen by the last computation, and when it began.
    newest_write: i64,
    last_run: Option<DateTime<Utc>>,
}

impl AlertCheck {
    /// The alerts since the last call (none the first time: a baseline).
    pub fn run(
        &mut self,
        store: &Store,
        data_source: impl Fn(DatabaseKey) -> Option<String>,
        rule: &StuckRule,
        operator: &str,
        kinds: &AlertKinds,
        now: DateTime<Utc>,
    ) -> Result<Vec<Alert>> {
        // The wall clock (not `now`, which may be a test's): the outbox stamps with it.
        let started = Utc::now();
        let facts = load_alert_facts(store, data_source, rule, operator, now)?;
        let settled_since = self.last_run.unwrap_or(started);
        let (newest, own) = store.touched_by_own_writes(self.newest_write, settled_since)?;
        self.newest_write = newest;
        self.last_run = Some(started);
        Ok(self.watch.next(facts, &own, kinds))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::tests::task_page;

    fn at(text: &str) -> DateTime<Utc> {
        parse_timestamp(text).unwrap()
    }

    fn store_with_tasks(dir: &tempfile::TempDir) -> Store {
        let mut store = Store::open(&dir.path().join("s.sqlite")).unwrap();
        let pages = [
            task_page("old", "To Do", "2026-12-06T10:00:00.000Z"),
            task_page("new", "To Do", "2026-12-06T19:00:00.000Z"),
            task_page("newer", "To Do", "2026-12-07T08:00:00.000Z"),
        ];
        store
            .upsert_pages(DatabaseKey::Tasks, "ds-tasks", &pages)
            .unwrap();
        store
    }

    #[test]
    fn last_closed_round_trips_per_operator_and_a_reopened_file_keeps_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.sqlite");
        let mut store = Store::open(&path).unwrap();
        assert_eq!(store.last_closed("ana").unwrap(), None, "never closed");
        store
            .set_last_closed("ana", at("2026-12-06T18:02:00Z"))
            .unwrap();
        drop(store);
        record_closed(&path, "ana", at("2026-12-07T09:15:30.250Z")).unwrap();
        let store = Store::open(&path).unwrap();
        assert_eq!(
            store.last_closed("ana").unwrap(),
            Some(at("2026-12-07T09:15:30.250Z"))
        );
        assert_eq!(store.last_closed("nyra").unwrap(), None);
    }

    #[test]
    fn changed_since_is_what_was_edited_after_minus_what_was_seen() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = store_with_tasks(&dir);
        let since = at("2026-12-06T18:02:00Z");
        let changed = |store: &Store| {
            let mut pages: Vec<String> = store
                .changed_since("ana", since)
                .unwrap()
                .into_iter()
                .collect();
            pages.sort();
            pages
        };
        assert_eq!(changed(&store), ["new", "newer"]);
        store.mark_seen("ana", &["new".to_string()]).unwrap();
        assert_eq!(changed(&store), ["newer"]);
        assert_eq!(
            store.changed_since("nyra", since).unwrap().len(),
            2,
            "what one operator saw is theirs"
        );
        // Closing puts everything behind: the seen marks go with it.
        store
            .set_last_closed("ana", at("2026-12-07T09:00:00Z"))
            .unwrap();
        assert!(
            store
                .changed_since("ana", at("2026-12-07T09:00:00Z"))
                .unwrap()
                .is_empty()
        );
        assert_eq!(changed(&store), ["new", "newer"], "seen marks were cleared");
    }

    #[test]
    fn an_edit_in_the_minute_the_dashboard_closed_is_marked() {
        // Notion rounds last_edited_time down to the minute: an agent's edit at 17:28:40
        // reads 17:28:00, before a close at 17:28:03.
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("s.sqlite")).unwrap();
        store
            .upsert_pages(
                DatabaseKey::Tasks,
                "ds-tasks",
                &[
                    task_page("before", "To Do", "2026-12-07T17:27:00.000Z"),
                    task_page("same-minute", "Done", "2026-12-07T17:28:00.000Z"),
                ],
            )
            .unwrap();
        let closed = at("2026-12-07T17:28:03.211Z");
        let changed: Vec<String> = store
            .changed_since("ana", closed)
            .unwrap()
            .into_iter()
            .collect();
        assert_eq!(changed, ["same-minute"]);
    }

    #[test]
    fn the_summary_counts_only_records_edited_since() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("s.sqlite")).unwrap();
        let now = at("2026-12-07T12:00:00Z");
        store.seed_demo(now).unwrap();
        let all = crate::store::RecordFilter::default();
        // Every record, counted by hand where it was edited after `since`.
        let by_hand = |since: DateTime<Utc>, operator: &str| {
            let mut summary = SinceSummary::new(since);
            let edited = |s: &crate::store::StoredRecord| {
                parse_timestamp(&s.last_edited_time).is_some_and(|t| t >= edited_from(since))
            };
            for s in store
                .records(DatabaseKey::ActiveWorkflowInstances, &all)
                .unwrap()
            {
                if edited(&s) {
                    summary.count_instance(&WorkflowInstance::from_record(&s.record));
                }
            }
            for s in store.records(DatabaseKey::Tasks, &all).unwrap() {
                if edited(&s) {
                    summary.count_task(&Task::from_record(&s.record), operator);
                }
            }
            summary
        };
        let operator = store
            .records(DatabaseKey::Tasks, &all)
            .unwrap()
            .iter()
            .map(|s| Task::from_record(&s.record).assigned_to)
            .find(|a| !a.trim().is_empty())
            .expect("the demo assigns tasks");
        let long_ago = at("2000-01-01T00:00:00Z");
        let everything = store.since_summary(long_ago, &operator).unwrap();
        assert_eq!(everything, by_hand(long_ago, &operator));
        assert!(everything.transitions > 0 && everything.assigned_to_you > 0);
        let recent = now - chrono::Duration::days(2);
        assert_eq!(
            store.since_summary(recent, &operator).unwrap(),
            by_hand(recent, &operator)
        );
        assert!(store.since_summary(now, &operator).unwrap().transitions == 0);
    }
}
