//! Cached records: the fields the dashboard and the commands show (with any optimistic
//! change not yet confirmed), and beside them the raw page as Notion last sent it.

use std::collections::{HashMap, HashSet};
use std::ops::Not;

use color_eyre::eyre::Result;
use rusqlite::{OptionalExtension, Transaction, params};
use serde_json::Value;

use super::Store;
use super::raw_pages::{self, PackedPage};
use crate::domain::record::Record;
use crate::domain::schema::{DatabaseKey, database, find_database};
use crate::notion::Page;

/// A record as the store holds it.
#[derive(Debug, Clone)]
pub struct StoredRecord {
    pub record: Record,
    pub data_source_id: String,
    pub created_time: String,
    pub last_edited_time: String,
    /// Writes to this record queued and not yet confirmed by Notion.
    pub pending: u32,
    /// Archived in Notion: kept, but out of the tables.
    pub archived: bool,
}

/// Which records to load; empty means all of the database.
#[derive(Debug, Clone, Default)]
pub struct RecordFilter {
    pub status: Option<String>,
    pub current_state: Option<String>,
    /// Case-insensitive substring of Assigned To.
    pub assigned_to: Option<String>,
    pub limit: Option<usize>,
}

/// What an upsert did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Upserted {
    pub changed: usize,
    pub unchanged: usize,
    pub removed: usize,
}

fn text_of(record: &Record, column: &str) -> Option<String> {
    use crate::domain::record::FieldValue;
    match record.value(column)? {
        FieldValue::Text(t) => Some(t.clone()),
        FieldValue::OptText(t) => t.clone(),
        FieldValue::Date(d) => d.as_ref().map(|d| d.start.clone()),
        _ => None,
    }
}

/// Writes a record's fields (and its summary columns, which the indexes sort and filter
/// on). `pending_delta` adds to the pending count.
pub(super) fn write_record(
    tx: &Transaction<'_>,
    record: &Record,
    data_source_id: &str,
    times: (&str, &str),
    pending_delta: i64,
) -> rusqlite::Result<()> {
    let has = |column: &str| record.schema().column(column).is_some();
    let col = |column: &str| {
        if has(column) {
            text_of(record, column)
        } else {
            None
        }
    };
    // Cached statements: a sync writes thousands of rows in one transaction.
    tx.prepare_cached(
        "INSERT INTO records (page_id, database, data_source_id, title, status, current_state, priority,
            assigned_to, due, last_transition, fields, created_time, last_edited_time, pending)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, max(?14, 0))
         ON CONFLICT(page_id) DO UPDATE SET
            database = excluded.database, data_source_id = excluded.data_source_id,
            title = excluded.title, status = excluded.status, current_state = excluded.current_state,
            priority = excluded.priority, assigned_to = excluded.assigned_to, due = excluded.due,
            last_transition = excluded.last_transition, fields = excluded.fields,
            created_time = excluded.created_time, last_edited_time = excluded.last_edited_time,
            pending = max(records.pending + ?14, 0)",
    )?
    .execute(params![
            record.page_id.as_deref().unwrap_or_default(),
            record.schema().alias,
            data_source_id,
            record.title(),
            col("Status"),
            col("Current State"),
            col("Priority"),
            col("Assigned To"),
            col("Due Date"),
            col("Last Transition Date"),
            serde_json::to_string(&record.values).unwrap_or_default(),
            times.0,
            times.1,
            pending_delta,
        ],
    )?;
    if record.schema().key == DatabaseKey::ActiveWorkflowInstances {
        super::activity::index_instance(tx, record, times.0)?;
    }
    Ok(())
}

fn stamp(time: &chrono::DateTime<chrono::Utc>) -> String {
    time.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Stores pages as Notion sent them. A page edited since the cached copy replaces it (with
/// `force`, even one that looks unchanged); one with writes pending keeps its optimistic
/// fields (only its raw page is updated) until the outbox settles; a trashed page is removed.
/// `read_at` (ms since the epoch): when the pages were asked for; a record a write settled
/// on since holds a newer copy, and is left alone.
pub(super) fn upsert_in(
    tx: &Transaction<'_>,
    key: DatabaseKey,
    data_source_id: &str,
    pages: &[Page],
    force: bool,
    read_at: Option<i64>,
) -> rusqlite::Result<Upserted> {
    let mut done = Upserted::default();
    // Pages a write moved to the trash after this batch was read: looked up once, for the
    // first page the cache does not hold.
    let mut trashed: Option<HashSet<String>> = None;
    for page in pages {
        let known: Option<(String, u32, bool, i64)> = tx
            .prepare_cached(
                "SELECT last_edited_time, pending, archived, settled_at FROM records WHERE page_id = ?1",
            )?
            .query_row(params![page.id], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
            })
            .optional()?;
        if let (Some(read_at), Some(known)) = (read_at, &known)
            && known.3 > read_at
        {
            done.unchanged += 1;
            continue;
        }
        // Gone from the cache because a write moved it to the trash after this was read:
        // an older copy must not bring it back.
        if let (Some(read_at), None) = (read_at, &known) {
            if trashed.is_none() {
                trashed = Some(trashed_since(tx, read_at)?);
            }
            if trashed.as_ref().is_some_and(|t| t.contains(&page.id)) {
                done.unchanged += 1;
                continue;
            }
        }
        let known = known.map(|(edited, pending, archived, _)| (edited, pending, archived));
        let archived_before = known.as_ref().is_some_and(|k| k.2);
        let edited = stamp(&page.last_edited_time);
        if page.in_trash {
            if known.as_ref().is_some_and(|(_, pending, _)| *pending == 0) {
                tx.execute("DELETE FROM records WHERE page_id = ?1", params![page.id])?;
                done.removed += 1;
            }
            continue;
        }
        let packed = PackedPage::of(page.raw.get());
        match known {
            // Notion rounds `last_edited_time` down to the minute: a second edit in the
            // same minute keeps the stamp, so an equal stamp is unchanged only if the page
            // is the same too.
            Some((cached, _, archived))
                if cached == edited
                    && archived == page.is_archived
                    && !force
                    && raw_pages::holds(tx, &page.id, &packed)? =>
            {
                done.unchanged += 1
            }
            Some((_, pending, _)) if pending > 0 => {
                raw_pages::write(tx, &page.id, &packed)?;
                done.changed += 1;
            }
            _ => {
                let record = Record::from_page(key, page);
                write_record(
                    tx,
                    &record,
                    data_source_id,
                    (&stamp(&page.created_time), &edited),
                    0,
                )?;
                raw_pages::write(tx, &page.id, &packed)?;
                done.changed += 1;
            }
        }
        if archived_before != page.is_archived {
            tx.prepare_cached("UPDATE records SET archived = ?2 WHERE page_id = ?1")?
                .execute(params![page.id, page.is_archived])?;
        }
    }
    Ok(done)
}

/// The pages a write moved to the trash, confirmed at or after `read_at` (ms since the
/// epoch).
fn trashed_since(tx: &Transaction<'_>, read_at: i64) -> rusqlite::Result<HashSet<String>> {
    let Some(since) = chrono::DateTime::from_timestamp_millis(read_at) else {
        return Ok(HashSet::new());
    };
    let since = since.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let mut statement = tx.prepare_cached(
        "SELECT touched FROM outbox WHERE op = 'trash_task' AND state = 'done' AND updated_at >= ?1",
    )?;
    let rows = statement.query_map(params![since], |row| row.get::<_, String>(0))?;
    let mut pages = HashSet::new();
    for touched in rows {
        pages.extend(serde_json::from_str::<Vec<String>>(&touched?).unwrap_or_default());
    }
    Ok(pages)
}

pub(super) fn read_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Option<StoredRecord>> {
    let page_id: String = row.get("page_id")?;
    let alias: String = row.get("database")?;
    let Some(definition) = find_database(&alias) else {
        return Ok(None);
    };
    let fields: String = row.get("fields")?;
    let fields: Value = serde_json::from_str(&fields).unwrap_or(Value::Null);
    Ok(Some(StoredRecord {
        record: Record::from_values_json(definition.key, Some(page_id), &fields),
        data_source_id: row.get("data_source_id")?,
        created_time: row.get("created_time")?,
        last_edited_time: row.get("last_edited_time")?,
        pending: row.get("pending")?,
        archived: row.get("archived")?,
    }))
}

impl Store {
    /// Stores pages fetched from Notion (see `upsert_in`).
    pub fn upsert_pages(
        &mut self,
        key: DatabaseKey,
        data_source_id: &str,
        pages: &[Page],
    ) -> Result<Upserted> {
        let tx = self.write_transaction()?;
        let done = upsert_in(&tx, key, data_source_id, pages, false, None)?;
        tx.commit()?;
        Ok(done)
    }

    /// `upsert_pages` for pages asked for at `read_at` (ms since the epoch): a record a
    /// write settled on since keeps its copy (it is newer).
    pub fn upsert_read(
        &mut self,
        key: DatabaseKey,
        data_source_id: &str,
        pages: &[Page],
        read_at: i64,
    ) -> Result<Upserted> {
        let tx = self.write_transaction()?;
        let done = upsert_in(&tx, key, data_source_id, pages, false, Some(read_at))?;
        tx.commit()?;
        Ok(done)
    }

    /// Removes the records of `key` that a full read of Notion started at `since` (ms since
    /// the epoch) did not return (trashed or deleted pages), except those with writes
    /// pending and those a write settled on since (a task created meanwhile). Returns their
    /// ids.
    pub fn remove_missing(
        &mut self,
        key: DatabaseKey,
        seen: &HashSet<String>,
        since: i64,
    ) -> Result<Vec<String>> {
        let tx = self.write_transaction()?;
        let cached: Vec<(String, u32, i64)> = {
            let mut statement =
                tx.prepare("SELECT page_id, pending, settled_at FROM records WHERE database = ?1")?;
            statement
                .query_map(params![database(key).alias], |row| {
                    Ok((row.get(0)?, row.get(1)?, row.get(2)?))
                })?
                .collect::<rusqlite::Result<_>>()?
        };
        let gone: Vec<String> = cached
            .into_iter()
            .filter(|(id, pending, settled)| {
                *pending == 0 && *settled < since && !seen.contains(id)
            })
            .map(|(id, _, _)| id)
            .collect();
        for id in &gone {
            tx.execute("DELETE FROM records WHERE page_id = ?1", params![id])?;
        }
        tx.commit()?;
        Ok(gone)
    }

    /// Records of a database, by title.
    pub fn records(&self, key: DatabaseKey, filter: &RecordFilter) -> Result<Vec<StoredRecord>> {
        let mut sql = String::from(
            "SELECT * FROM records WHERE database = ?1 AND archived = 0 AND trashing = 0",
        );
        let mut args: Vec<String> = vec![database(key).alias.to_string()];
        let mut add = |clause: &str, value: String| {
            args.push(value);
            sql.push_str(&format!(" AND {clause} ?{}", args.len()));
        };
        if let Some(status) = &filter.status {
            add("status =", status.clone());
        }
        if let Some(state) = &filter.current_state {
            add("current_state =", state.clone());
        }
        if let Some(assignee) = &filter.assigned_to {
            add(
                "lower(assigned_to) LIKE",
                format!("%{}%", assignee.to_lowercase()),
            );
        }
        sql.push_str(" ORDER BY title");
        if let Some(limit) = filter.limit {
            sql.push_str(&format!(" LIMIT {limit}"));
        }
        let mut statement = self.conn.prepare(&sql)?;
        let rows = statement.query_map(rusqlite::params_from_iter(args.iter()), read_row)?;
        Ok(rows
            .filter_map(|r| r.transpose())
            .collect::<rusqlite::Result<_>>()?)
    }

    pub fn record(&self, page_id: &str) -> Result<Option<StoredRecord>> {
        let mut statement = self
            .conn
            .prepare("SELECT * FROM records WHERE page_id = ?1")?;
        Ok(statement
            .query_row(params![page_id], read_row)
            .optional()?
            .flatten())
    }

    /// Records of `key` whose title is exactly `title`.
    pub fn find_by_title(&self, key: DatabaseKey, title: &str) -> Result<Vec<StoredRecord>> {
        let mut statement = self
            .conn
            .prepare("SELECT * FROM records WHERE database = ?1 AND title = ?2")?;
        let rows = statement.query_map(params![database(key).alias, title], read_row)?;
        Ok(rows
            .filter_map(|r| r.transpose())
            .collect::<rusqlite::Result<_>>()?)
    }

    /// Titles of the given pages (those the store holds).
    pub fn titles(&self, page_ids: &[String]) -> Result<HashMap<String, String>> {
        let mut statement = self
            .conn
            .prepare("SELECT title FROM records WHERE page_id = ?1")?;
        let mut titles = HashMap::new();
        for id in page_ids {
            if let Some(title) = statement
                .query_row(params![id], |row| row.get::<_, String>(0))
                .optional()?
            {
                titles.insert(id.clone(), title);
            }
        }
        Ok(titles)
    }

    /// The page as Notion last sent it.
    pub fn raw_page(&self, page_id: &str) -> Result<Option<Value>> {
        let raw = raw_pages::read(&self.conn, page_id)?;
        Ok(raw.and_then(|r| serde_json::from_str(&r).ok()))
    }

    pub fn count(&self, key: DatabaseKey) -> Result<usize> {
        Ok(self.conn.query_row(
            "SELECT count(*) FROM records WHERE database = ?1 AND archived = 0 AND trashing = 0",
            params![database(key).alias],
            |row| row.get::<_, i64>(0),
        )? as usize)
    }

    /// Whether the store holds nothing at all (a first start).
    pub fn is_empty(&self) -> Result<bool> {
        Ok(self
            .conn
            // EXISTS stops at the first row: a start costs the same with 100,000 records.
            .query_row("SELECT EXISTS (SELECT 1 FROM records)", [], |row| {
                row.get::<_, bool>(0)
            })?
            .not())
    }

    /// Forgets one record (the placeholder of a task once Notion gave it its own page).
    pub fn forget(&mut self, page_id: &str) -> Result<()> {
        self.conn
            .execute("DELETE FROM records WHERE page_id = ?1", params![page_id])?;
        Ok(())
    }

    /// Forgets every record, raw page, watermark and write: `hsn demo --reset`.
    pub fn clear(&mut self) -> Result<()> {
        self.conn.execute_batch("DELETE FROM outbox; DELETE FROM sync_state; DELETE FROM pages_raw; DELETE FROM records;")?;
        Ok(())
    }
}
