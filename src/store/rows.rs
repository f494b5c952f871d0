//! What a table shows of each record, read without the rest of it: SQLite picks the listed
//! fields out of each record's JSON, so a tab of 100,000 records neither parses nor holds
//! their History Logs. A first screenful comes from the title index with a `LIMIT`.

use color_eyre::eyre::{Result, WrapErr};
use rusqlite::params_from_iter;
use rusqlite::types::ValueRef;

use super::{Store, StoredRecord};
use crate::domain::record::{FieldValue, Record};
use crate::domain::schema::{DatabaseKey, database};

impl Store {
    /// The records of `key` in title order holding only the fields named in `columns`
    /// (any other field reads as absent); at most `limit` of them.
    pub fn record_summaries(
        &self,
        key: DatabaseKey,
        columns: &[&str],
        limit: Option<usize>,
    ) -> Result<Vec<StoredRecord>> {
        let mut found = Vec::new();
        self.each_record_summary(key, columns, limit, |record| {
            found.push(record);
            Ok(())
        })?;
        Ok(found)
    }

    /// [`Store::record_summaries`] one record at a time, none kept: reading 100,000
    /// records costs the memory of one.
    pub fn each_record_summary(
        &self,
        key: DatabaseKey,
        columns: &[&str],
        limit: Option<usize>,
        each: impl FnMut(StoredRecord) -> Result<()>,
    ) -> Result<()> {
        self.scan(key, columns, Some(limit), each)
    }

    /// [`Store::each_record_summary`] of every record in the order they are stored: for
    /// totals, where the order does not matter and reading the file front to back is
    /// faster than following the title index.
    pub fn each_record_unordered(
        &self,
        key: DatabaseKey,
        columns: &[&str],
        each: impl FnMut(StoredRecord) -> Result<()>,
    ) -> Result<()> {
        self.scan(key, columns, None, each)
    }

    /// Reads records of `key` with only `columns`; `by_title` orders them by title (and
    /// takes at most the limit it holds).
    fn scan(
        &self,
        key: DatabaseKey,
        columns: &[&str],
        by_title: Option<Option<usize>>,
        mut each: impl FnMut(StoredRecord) -> Result<()>,
    ) -> Result<()> {
        let definition = database(key);
        let columns: Vec<&str> = columns
            .iter()
            .copied()
            .filter(|name| definition.column(name).is_some())
            .collect();
        // One `fields -> path` per column; the path quotes the name (names hold '/' and spaces).
        let picks: String = (0..columns.len())
            .map(|i| format!(", fields -> ?{}", i + 2))
            .collect();
        let mut sql = format!(
            "SELECT page_id, data_source_id, created_time, last_edited_time, pending{picks}
             FROM records WHERE database = ?1"
        );
        match by_title {
            // `+database`: not through an index, so the table is read in file order.
            None => sql = sql.replace("WHERE database", "WHERE +database"),
            Some(limit) => {
                sql.push_str(" ORDER BY title");
                if let Some(limit) = limit {
                    sql.push_str(&format!(" LIMIT {limit}"));
                }
            }
        }
        let paths = columns
            .iter()
            .map(|name| format!("$.\"{}\"", name.replace('"', "\\\"")));
        let args: Vec<String> = std::iter::once(definition.alias.to_string())
            .chain(paths)
            .collect();
        let mut statement = self.conn.prepare_cached(&sql)?;
        let mut rows = statement.query(params_from_iter(args.iter()))?;
        let context = || format!("cannot read the {} table from the store", definition.title);
        while let Some(row) = rows.next().wrap_err_with(context)? {
            let mut record = Record::new(key);
            record.page_id = Some(row.get(0)?);
            for (i, name) in columns.iter().enumerate() {
                // Each field straight from SQLite's text to its value.
                if let ValueRef::Text(text) = row.get_ref(5 + i)?
                    && let Ok(value) = serde_json::from_slice::<FieldValue>(text)
                {
                    record.insert_stored(name, value);
                }
            }
            each(StoredRecord {
                record,
                data_source_id: row.get(1)?,
                created_time: row.get(2)?,
                last_edited_time: row.get(3)?,
                pending: row.get(4)?,
            })?;
        }
        Ok(())
    }

    /// Gives back the memory SQLite's page cache holds (after reading a whole table, it is
    /// full of pages no one will ask for soon).
    pub fn release_memory(&self) -> Result<()> {
        self.conn.execute_batch("PRAGMA shrink_memory")?;
        Ok(())
    }
}
