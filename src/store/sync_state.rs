//! How far each data source is synced.

use chrono::{DateTime, SecondsFormat, Utc};
use color_eyre::eyre::Result;
use rusqlite::{OptionalExtension, params};

use super::Store;
use crate::domain::schema::{DatabaseKey, database};

#[derive(Debug, Clone, PartialEq)]
pub struct SyncState {
    pub data_source_id: String,
    pub database: String,
    /// The newest `last_edited_time` seen: the next refresh reads from a minute before it.
    pub watermark: Option<DateTime<Utc>>,
    pub last_refresh: Option<DateTime<Utc>>,
    pub last_full: Option<DateTime<Utc>>,
}

fn parse(text: Option<String>) -> Option<DateTime<Utc>> {
    text.and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
        .map(|t| t.with_timezone(&Utc))
}

fn stamp(time: Option<DateTime<Utc>>) -> Option<String> {
    time.map(|t| t.to_rfc3339_opts(SecondsFormat::Millis, true))
}

impl Store {
    pub fn sync_state(&self, data_source_id: &str) -> Result<Option<SyncState>> {
        Ok(self
            .conn
            .query_row(
                "SELECT data_source_id, database, watermark, last_refresh, last_full FROM sync_state WHERE data_source_id = ?1",
                params![data_source_id],
                |row| {
                    Ok(SyncState {
                        data_source_id: row.get(0)?,
                        database: row.get(1)?,
                        watermark: parse(row.get(2)?),
                        last_refresh: parse(row.get(3)?),
                        last_full: parse(row.get(4)?),
                    })
                },
            )
            .optional()?)
    }

    /// Records a successful refresh: the new watermark (never moved back), when, and
    /// whether it was a full read.
    pub fn set_refreshed(
        &mut self,
        key: DatabaseKey,
        data_source_id: &str,
        watermark: Option<DateTime<Utc>>,
        at: DateTime<Utc>,
        full: bool,
    ) -> Result<()> {
        let old = self.sync_state(data_source_id)?;
        let watermark = watermark.max(old.as_ref().and_then(|s| s.watermark));
        let last_full = if full {
            Some(at)
        } else {
            old.and_then(|s| s.last_full)
        };
        self.conn.execute(
            "INSERT INTO sync_state (data_source_id, database, watermark, last_refresh, last_full)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT(data_source_id) DO UPDATE SET database = excluded.database,
                watermark = excluded.watermark, last_refresh = excluded.last_refresh, last_full = excluded.last_full",
            params![data_source_id, database(key).alias, stamp(watermark), stamp(Some(at)), stamp(last_full)],
        )?;
        Ok(())
    }

    /// The ids of the data source's properties as its schema had them when last read.
    pub fn property_ids(&self, data_source_id: &str) -> Result<Option<Vec<String>>> {
        let text: Option<Option<String>> = self
            .conn
            .query_row(
                "SELECT property_ids FROM sync_state WHERE data_source_id = ?1",
                params![data_source_id],
                |row| row.get(0),
            )
            .optional()?;
        Ok(text
            .flatten()
            .and_then(|t| serde_json::from_str::<Vec<String>>(&t).ok())
            .filter(|ids| !ids.is_empty()))
    }

    /// Remembers the ids of the data source's properties (`None`: forget them, so the
    /// schema is read again).
    pub fn set_property_ids(
        &mut self,
        key: DatabaseKey,
        data_source_id: &str,
        ids: Option<&[String]>,
    ) -> Result<()> {
        let text = ids.map(serde_json::to_string).transpose()?;
        self.conn.execute(
            "INSERT INTO sync_state (data_source_id, database, property_ids) VALUES (?1, ?2, ?3)
             ON CONFLICT(data_source_id) DO UPDATE SET property_ids = excluded.property_ids",
            params![data_source_id, database(key).alias, text],
        )?;
        Ok(())
    }
}
