//! Finding the 16 databases in a workspace from the configured ids.

use crate::domain::schema::DatabaseSchema;
use crate::notion::{DataSource, ErrorCode, NotionClient, NotionError};

/// A database of the schema as it exists in Notion.
#[derive(Debug, Clone)]
pub struct Located {
    pub database_id: String,
    pub data_source: DataSource,
}

impl Located {
    pub fn data_source_id(&self) -> &str {
        &self.data_source.id
    }
}

/// Where the configured ids of a database led.
#[derive(Debug)]
pub enum Lookup {
    Found(Box<Located>),
    /// Neither `_DS` nor `_DB` is set.
    NotConfigured,
    /// An id is set but Notion does not know it, or it is not shared with the integration.
    NotFound {
        key: String,
        id: String,
    },
}

fn is_not_found(error: &NotionError) -> bool {
    matches!(
        error,
        NotionError::Api {
            code: ErrorCode::ObjectNotFound,
            ..
        }
    )
}

/// Follows the `_DS` id, else the `_DB` id, of `definition`. Each id may be either kind:
/// a database id where a data source id belongs (and the reverse) is resolved, not refused.
pub async fn lookup_configured(
    client: &NotionClient,
    definition: &DatabaseSchema,
    setting: &impl Fn(&str) -> Option<String>,
) -> Result<Lookup, NotionError> {
    let keys = [
        definition.env_data_source_key(),
        definition.env_database_key(),
    ];
    let mut last_missing = None;
    for key in keys {
        let Some(id) = setting(&key).filter(|v| !v.trim().is_empty()) else {
            continue;
        };
        match resolve(client, id.trim()).await? {
            Some(located) => return Ok(Lookup::Found(Box::new(located))),
            None => last_missing = Some(Lookup::NotFound { key, id }),
        }
    }
    Ok(last_missing.unwrap_or(Lookup::NotConfigured))
}

/// The data source an id names: a data source id, or a database id with its first data
/// source. `None` when Notion knows neither (or they are not shared).
pub async fn resolve(client: &NotionClient, id: &str) -> Result<Option<Located>, NotionError> {
    match client.retrieve_data_source(id).await {
        Ok(data_source) => {
            let database_id = data_source.database_id().unwrap_or_default().to_string();
            return Ok(Some(Located {
                database_id,
                data_source,
            }));
        }
        Err(e) if is_not_found(&e) => {}
        Err(e) => return Err(e),
    }
    let database = match client.retrieve_database(id).await {
        Ok(database) => database,
        Err(e) if is_not_found(&e) => return Ok(None),
        Err(e) => return Err(e),
    };
    let Some(first) = database.data_sources.first() else {
        return Ok(None);
    };
    let data_source = client.retrieve_data_source(&first.id).await?;
    Ok(Some(Located {
        database_id: database.id,
        data_source,
    }))
}
