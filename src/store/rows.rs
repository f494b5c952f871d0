//! What a table shows of each record, read without the rest of it: the listed fields are
//! picked out of each record's JSON as it is read and the others only scanned past, so a
//! tab of 100,000 records neither parses nor holds their History Logs. A first screenful
//! comes from the title index with a `LIMIT`.

use color_eyre::eyre::{Result, WrapErr};

use rusqlite::types::ValueRef;
use serde::Deserializer as _;
use serde::de::{IgnoredAny, MapAccess, Visitor};
use serde_json::value::RawValue;

use super::{Store, StoredRecord};
use crate::domain::record::{FieldValue, Record};
use crate::domain::schema::{DatabaseKey, database};
use crate::notion::JsonKey;

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
        self.scan(key, columns, Some(limit), &|_| true, each)
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
        self.scan(key, columns, None, &|_| true, each)
    }

    /// [`Store::each_record_unordered`] of the records whose stored fields JSON `keep`
    /// passes, looked at before any is decoded: a scan for something most records lack
    /// (a credential) reads only the records that may hold it.
    pub fn each_record_where(
        &self,
        key: DatabaseKey,
        columns: &[&str],
        keep: &dyn Fn(&[u8]) -> bool,
        each: impl FnMut(StoredRecord) -> Result<()>,
    ) -> Result<()> {
        self.scan(key, columns, None, keep, each)
    }

    /// Reads records of `key` with only `columns`; `by_title` orders them by title (and
    /// takes at most the limit it holds).
    fn scan(
        &self,
        key: DatabaseKey,
        columns: &[&str],
        by_title: Option<Option<usize>>,
        keep: &dyn Fn(&[u8]) -> bool,
        mut each: impl FnMut(StoredRecord) -> Result<()>,
    ) -> Result<()> {
        let definition = database(key);
        let columns: Vec<&str> = columns
            .iter()
            .copied()
            .filter(|name| definition.column(name).is_some())
            .collect();
        let mut sql = String::from(
            "SELECT page_id, data_source_id, created_time, last_edited_time, pending, fields
             FROM records WHERE database = ?1 AND archived = 0 AND trashing = 0",
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
        let mut statement = self.conn.prepare_cached(&sql)?;
        let mut rows = statement.query([definition.alias])?;
        let context = || format!("cannot read the {} table from the store", definition.title);
        while let Some(row) = rows.next().wrap_err_with(context)? {
            let fields = match row.get_ref(5)? {
                ValueRef::Text(fields) => Some(fields),
                _ => None,
            };
            if !keep(fields.unwrap_or_default()) {
                continue;
            }
            let mut record = Record::new(key);
            record.page_id = Some(row.get(0)?);
            if let Some(fields) = fields {
                pick_fields(fields, &columns, &mut record);
            }
            each(StoredRecord {
                record,
                data_source_id: row.get(1)?,
                created_time: row.get(2)?,
                last_edited_time: row.get(3)?,
                pending: row.get(4)?,
                archived: false,
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

/// Sets in `record` the fields named in `columns` from a stored record's fields JSON,
/// skipping the others unparsed (a History Log is only scanned past). A field that does
/// not read back is left out, as a missing one is.
fn pick_fields(fields: &[u8], columns: &[&str], record: &mut Record) {
    let mut reader = serde_json::Deserializer::from_slice(fields);
    let Ok(picked) = reader.deserialize_map(Picked(columns)) else {
        return;
    };
    for (name, raw) in picked {
        if let Ok(value) = serde_json::from_str::<FieldValue>(raw.get()) {
            record.insert_stored(name, value);
        }
    }
}

/// Reads a fields object keeping the raw JSON of the named fields only.
struct Picked<'c>(&'c [&'c str]);

impl<'de, 'c> Visitor<'de> for Picked<'c> {
    type Value = Vec<(&'c str, &'de RawValue)>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an object of fields")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut picked = Vec::with_capacity(self.0.len());
        while let Some(JsonKey(key)) = map.next_key()? {
            match self.0.iter().find(|name| **name == key) {
                Some(name) => picked.push((*name, map.next_value()?)),
                None => map.next_value::<IgnoredAny>().map(drop)?,
            }
        }
        Ok(picked)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::record::FieldValue;

    #[test]
    fn only_the_named_fields_are_read_and_a_bad_one_is_left_out() {
        let fields = br#"{
            "History Log": {"kind": "Text", "value": "[{\"timestamp\":\"2026-11-10T21:35:00Z\"}]"},
            "Instance ID": {"kind": "Text", "value": "INST-1"},
            "Current State": {"kind": "Nonsense", "value": 3},
            "Status": {"kind": "OptText", "value": "Active"}
        }"#;
        let mut record = Record::new(DatabaseKey::ActiveWorkflowInstances);
        pick_fields(
            fields,
            &["Instance ID", "Current State", "Status"],
            &mut record,
        );
        assert_eq!(
            record.value("Instance ID"),
            Some(&FieldValue::Text("INST-1".into()))
        );
        assert_eq!(
            record.value("Status"),
            Some(&FieldValue::OptText(Some("Active".into())))
        );
        assert_eq!(record.value("Current State"), None, "unreadable: left out");
        assert_eq!(record.value("History Log"), None, "not asked for");
        // Not an object at all: nothing set, nothing panics.
        let mut record = Record::new(DatabaseKey::ActiveWorkflowInstances);
        pick_fields(b"[1, 2]", &["Instance ID"], &mut record);
        assert!(record.values.is_empty());
    }
}
