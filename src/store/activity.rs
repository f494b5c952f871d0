//! The audit log's index: every entry of every instance's History Log as a row of
//! `entries`, kept in step with the cached instance in the same transaction that writes
//! it (`records::write_record`: a sync, a local write, a settle), so the Activity tab and
//! `hsn log` filter and page 600,000 entries through SQLite's indexes instead of decoding
//! every log.
//!
//! An entry is *pending* while it is in the cached log but not in Notion's copy (the raw
//! page): a write that adds it is still queued. Confirmed, the instance is written again
//! and the same entry is indexed once, no longer pending.

use std::collections::HashMap;

use chrono::DateTime;
use color_eyre::eyre::{Result, WrapErr};
use rusqlite::{Connection, OptionalExtension, Transaction, params, params_from_iter};

use super::Store;
use super::raw_pages;
use crate::domain::activity::{Activity, ActivityFilter, ActivityKind, activities};
use crate::domain::history::HistoryLog;
use crate::domain::record::{Link, Record};
use crate::domain::schema::DatabaseKey;
use crate::notion::Page;

/// One row of the audit log as the store serves it.
#[derive(Debug, Clone, PartialEq)]
pub struct ActivityRow {
    /// The instance whose log holds the entry.
    pub page_id: String,
    pub instance_id: String,
    /// The instance's workflow: the Workflow ID of the linked page when the store holds
    /// it, else the link as it is (a legacy text link, or a page id not synced yet).
    pub workflow: Option<String>,
    pub activity: Activity,
    /// Added by a write still queued: not in Notion's copy yet.
    pub pending: bool,
}

/// Re-indexes the entries of the instance `record` (already written to `records`).
pub(super) fn index_instance(
    tx: &Transaction<'_>,
    record: &Record,
    created_time: &str,
) -> rusqlite::Result<()> {
    let Some(page_id) = record.page_id.as_deref() else {
        return Ok(());
    };
    tx.prepare_cached("DELETE FROM entries WHERE page_id = ?1 AND origin = 'log'")?
        .execute(params![page_id])?;
    let log = HistoryLog::decode(&record.get::<String>("History Log"));
    if log.entries().is_empty() {
        return Ok(());
    }
    let fallback = crate::domain::history::parse_timestamp(created_time).unwrap_or_default();
    let rows = activities(&log, fallback);
    let confirmed = confirmed_log(tx, page_id)?;
    let workflow = match record.get::<Link>("Workflow") {
        Link::Pages(pages) => pages.into_iter().next(),
        Link::Text(text) => Some(text).filter(|t| !t.trim().is_empty()),
    };
    let mut insert = tx.prepare_cached(
        "INSERT INTO entries (page_id, origin, instance_id, workflow, position, at, actor, kind,
            from_state, to_state, action, note, details, pending)
         VALUES (?1, 'log', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?;
    for (row, item) in rows.iter().zip(log.entries()) {
        let pending = confirmed
            .as_ref()
            .is_some_and(|notion| !notion.entries().iter().any(|held| held_same(held, item)));
        insert.execute(params![
            page_id,
            record.title(),
            workflow,
            row.position as i64,
            row.at.timestamp_millis(),
            row.actor,
            row.kind.as_str(),
            row.from,
            row.to,
            row.action,
            row.note,
            row.details.to_string(),
            pending,
        ])?;
    }
    Ok(())
}

/// Indexes an entry only the store keeps (`origin = 'store'`: the trail of a task with
/// no workflow instance), under the task's page and no instance.
pub(super) fn index_store_entry(
    tx: &Transaction<'_>,
    task_page: &str,
    entry: &crate::domain::history::HistoryEntry,
) -> rusqlite::Result<()> {
    let mut log = HistoryLog::default();
    log.push(entry.clone());
    let Some(row) = activities(&log, entry.timestamp()).pop() else {
        return Ok(());
    };
    tx.prepare_cached(
        "INSERT INTO entries (page_id, origin, instance_id, workflow, position, at, actor, kind,
            from_state, to_state, action, note, details, pending)
         VALUES (?1, 'store', '', NULL, 0, ?2, ?3, ?4, NULL, NULL, ?5, ?6, ?7, 0)",
    )?
    .execute(params![
        task_page,
        row.at.timestamp_millis(),
        row.actor,
        row.kind.as_str(),
        row.action,
        row.note,
        row.details.to_string(),
    ])?;
    Ok(())
}

fn held_same(a: &crate::domain::history::LogEntry, b: &crate::domain::history::LogEntry) -> bool {
    use crate::domain::history::LogEntry;
    match (a, b) {
        (LogEntry::Entry(a), LogEntry::Entry(b)) => a.same_as(b),
        (LogEntry::Raw(a), LogEntry::Raw(b)) => a == b,
        _ => false,
    }
}

/// Notion's copy of the instance's log, when writes on it are queued (only then may the
/// cached log hold entries Notion does not). `None`: every cached entry is Notion's.
fn confirmed_log(tx: &Transaction<'_>, page_id: &str) -> rusqlite::Result<Option<HistoryLog>> {
    let pending: u32 = tx
        .prepare_cached("SELECT pending FROM records WHERE page_id = ?1")?
        .query_row(params![page_id], |r| r.get(0))
        .optional()?
        .unwrap_or(0);
    if pending == 0 {
        return Ok(None);
    }
    // No raw page: never in Notion (the demo): nothing to wait for.
    let Some(raw) = raw_pages::read(tx, page_id)? else {
        return Ok(None);
    };
    let Ok(page) = Page::from_json(serde_json::from_str(&raw).unwrap_or_default()) else {
        return Ok(None);
    };
    let notion = Record::from_page(DatabaseKey::ActiveWorkflowInstances, &page);
    Ok(Some(HistoryLog::decode(
        &notion.get::<String>("History Log"),
    )))
}

/// Indexes every cached instance again: once, for a store that had instances before the
/// index existed (`store_flags.rebuild_entries`).
pub(super) fn rebuild(conn: &mut Connection) -> Result<()> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let flagged: bool = tx
        .query_row(
            "SELECT 1 FROM store_flags WHERE name = 'rebuild_entries'",
            [],
            |_| Ok(true),
        )
        .optional()?
        .unwrap_or(false);
    if !flagged {
        return Ok(());
    }
    let instances: Vec<(String, String, String)> = tx
        .prepare("SELECT page_id, fields, created_time FROM records WHERE database = ?1")?
        .query_map(
            params![crate::domain::schema::database(DatabaseKey::ActiveWorkflowInstances).alias],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?
        .collect::<rusqlite::Result<_>>()?;
    for (page_id, fields, created) in instances {
        let fields = serde_json::from_str(&fields).unwrap_or_default();
        let record =
            Record::from_values_json(DatabaseKey::ActiveWorkflowInstances, Some(page_id), &fields);
        index_instance(&tx, &record, &created)?;
    }
    tx.execute("DELETE FROM store_flags WHERE name = 'rebuild_entries'", [])?;
    tx.commit()?;
    Ok(())
}

/// The SQL of `filter` over `entries e`, with its parameters.
fn where_clause(
    conn: &Connection,
    filter: &ActivityFilter,
) -> rusqlite::Result<(String, Vec<rusqlite::types::Value>)> {
    use rusqlite::types::Value as V;
    let mut clauses = vec!["1".to_string()];
    let mut values: Vec<V> = Vec::new();
    fn bind(clauses: &mut Vec<String>, values: &mut Vec<V>, sql: &str, value: V) {
        values.push(value);
        clauses.push(sql.replace('?', &format!("?{}", values.len())));
    }
    if let Some(actor) = &filter.actor {
        // A prefix, any case: `LIKE` on the NOCASE index (an `_` or `%` typed is literal).
        let escaped = actor
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        bind(
            &mut clauses,
            &mut values,
            "e.actor LIKE ? ESCAPE '\\'",
            V::Text(format!("{escaped}%")),
        );
    }
    if !filter.kinds.is_empty() {
        let kinds: Vec<String> = filter
            .kinds
            .iter()
            .map(|k| format!("'{}'", k.as_str()))
            .collect();
        clauses.push(format!("e.kind IN ({})", kinds.join(",")));
    }
    if let Some(to) = &filter.to {
        bind(
            &mut clauses,
            &mut values,
            "e.to_state = ? COLLATE NOCASE",
            V::Text(to.clone()),
        );
    }
    if let Some(instance) = &filter.instance {
        bind(
            &mut clauses,
            &mut values,
            "(e.instance_id = ? COLLATE NOCASE OR e.page_id = ?)",
            V::Text(instance.clone()),
        );
    }
    if let Some(workflow) = &filter.workflow {
        // The link as stored (a page id or legacy text), or a page whose Workflow ID is
        // the one asked for.
        let mut pages = vec![workflow.clone()];
        pages.extend(workflow_pages(conn, workflow)?);
        let marks: Vec<String> = pages
            .into_iter()
            .map(|p| {
                values.push(V::Text(p));
                format!("?{}", values.len())
            })
            .collect();
        clauses.push(format!(
            "e.workflow COLLATE NOCASE IN ({})",
            marks.join(",")
        ));
    }
    if let Some(since) = filter.since {
        bind(
            &mut clauses,
            &mut values,
            "e.at >= ?",
            V::Integer(since.timestamp_millis()),
        );
    }
    if let Some(until) = filter.until {
        bind(
            &mut clauses,
            &mut values,
            "e.at < ?",
            V::Integer(until.timestamp_millis()),
        );
    }
    Ok((clauses.join(" AND "), values))
}

/// The pages of the Workflows Library whose Workflow ID (the title) is `name`.
fn workflow_pages(conn: &Connection, name: &str) -> rusqlite::Result<Vec<String>> {
    let alias = crate::domain::schema::database(DatabaseKey::WorkflowsLibrary).alias;
    conn.prepare_cached(
        "SELECT page_id FROM records WHERE database = ?1 AND title = ?2 COLLATE NOCASE",
    )?
    .query_map(params![alias, name], |r| r.get(0))?
    .collect()
}

/// Workflow page id → Workflow ID, for every workflow the store holds.
fn workflow_titles(conn: &Connection) -> rusqlite::Result<HashMap<String, String>> {
    let alias = crate::domain::schema::database(DatabaseKey::WorkflowsLibrary).alias;
    conn.prepare_cached("SELECT page_id, title FROM records WHERE database = ?1")?
        .query_map(params![alias], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect()
}

/// The columns [`read_row`] reads, in its order.
const COLUMNS: &str = "e.page_id, e.instance_id, e.workflow, e.position, e.at, e.actor, e.kind,
    e.from_state, e.to_state, e.action, e.note, e.details, e.pending";

fn read_row(
    row: &rusqlite::Row<'_>,
    titles: &HashMap<String, String>,
) -> rusqlite::Result<ActivityRow> {
    let workflow: Option<String> = row.get(2)?;
    let at: i64 = row.get(4)?;
    let kind: String = row.get(6)?;
    let details: String = row.get(11)?;
    Ok(ActivityRow {
        page_id: row.get(0)?,
        instance_id: row.get(1)?,
        workflow: workflow.map(|w| titles.get(&w).cloned().unwrap_or(w)),
        activity: Activity {
            position: row.get::<_, i64>(3)?.max(0) as usize,
            at: DateTime::from_timestamp_millis(at).unwrap_or_default(),
            actor: row.get(5)?,
            kind: ActivityKind::parse(&kind).unwrap_or(ActivityKind::Other),
            from: row.get(7)?,
            to: row.get(8)?,
            action: row.get(9)?,
            note: row.get(10)?,
            details: serde_json::from_str(&details).unwrap_or_default(),
        },
        pending: row.get(12)?,
    })
}

impl Store {
    /// The audit log's rows passing `filter`, newest first, at most `limit`.
    pub fn activity(
        &self,
        filter: &ActivityFilter,
        limit: Option<usize>,
    ) -> Result<Vec<ActivityRow>> {
        let mut rows = Vec::new();
        self.each_activity(filter, limit, |row| {
            rows.push(row);
            true
        })?;
        Ok(rows)
    }

    /// Calls `each` with the rows passing `filter`, newest first, until it answers `false`
    /// or `limit` rows were given: for readers that keep less than every row.
    pub fn each_activity(
        &self,
        filter: &ActivityFilter,
        limit: Option<usize>,
        mut each: impl FnMut(ActivityRow) -> bool,
    ) -> Result<()> {
        let mut read = || -> rusqlite::Result<()> {
            let titles = workflow_titles(&self.conn)?;
            let (clause, values) = where_clause(&self.conn, filter)?;
            let limit = limit.map_or(-1, |l| l as i64);
            let sql = format!(
                "SELECT {COLUMNS} FROM entries e WHERE {clause} ORDER BY e.at DESC, e.id DESC LIMIT {limit}"
            );
            let mut statement = self.conn.prepare(&sql)?;
            let mut rows = statement.query(params_from_iter(values))?;
            while let Some(row) = rows.next()? {
                if !each(read_row(row, &titles)?) {
                    break;
                }
            }
            Ok(())
        };
        read().wrap_err("cannot read the audit log from the store")
    }

    /// How many rows pass `filter`.
    pub fn activity_count(&self, filter: &ActivityFilter) -> Result<usize> {
        let count = || -> rusqlite::Result<usize> {
            let (clause, values) = where_clause(&self.conn, filter)?;
            self.conn.query_row(
                &format!("SELECT count(*) FROM entries e WHERE {clause}"),
                params_from_iter(values),
                |r| r.get::<_, i64>(0).map(|n| n.max(0) as usize),
            )
        };
        count().wrap_err("cannot count the audit log's rows in the store")
    }
}

#[cfg(test)]
mod tests;
