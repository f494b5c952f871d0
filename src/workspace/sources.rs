//! The data source of each of the 16 databases, as configured in `.env.notion`.

use std::collections::BTreeMap;

use color_eyre::eyre::{Result, eyre};

use super::locate::{Lookup, lookup_configured};
use crate::domain::schema::{DATABASES, DatabaseKey, database};
use crate::notion::NotionClient;

/// Where each configured database's rows live. Built once per command; a `_DS` id is taken
/// as it is (no request), a `_DB` id alone is resolved to its data source on first use.
#[derive(Debug, Clone, Default)]
pub struct DataSources {
    ids: BTreeMap<DatabaseKey, String>,
}

impl DataSources {
    /// Reads the `_DS` ids; databases configured only by `_DB` are resolved with one request
    /// each. Unconfigured databases are simply absent.
    pub async fn from_settings(
        client: &NotionClient,
        setting: &impl Fn(&str) -> Option<String>,
    ) -> Result<Self> {
        let mut ids = BTreeMap::new();
        for definition in &DATABASES {
            if let Some(id) =
                setting(&definition.env_data_source_key()).filter(|v| !v.trim().is_empty())
            {
                ids.insert(definition.key, id.trim().to_string());
            } else if setting(&definition.env_database_key()).is_some()
                && let Lookup::Found(located) = lookup_configured(client, definition, setting)
                    .await
                    .map_err(|e| eyre!(e.explain(&format!("the database {}", definition.title))))?
            {
                ids.insert(definition.key, located.data_source_id().to_string());
            }
        }
        Ok(DataSources { ids })
    }

    /// For tests and the demo: ids known already.
    pub fn from_ids(ids: impl IntoIterator<Item = (DatabaseKey, String)>) -> Self {
        DataSources {
            ids: ids.into_iter().collect(),
        }
    }

    /// The data source of `key`, or an error saying how to configure it.
    pub fn get(&self, key: DatabaseKey) -> Result<&str> {
        self.ids.get(&key).map(String::as_str).ok_or_else(|| {
            let definition = database(key);
            eyre!(
                "the {} database is not configured ({} is not set): run `hsn setup`, or `hsn doctor` to see what is missing",
                definition.title,
                definition.env_database_key()
            )
        })
    }
}
