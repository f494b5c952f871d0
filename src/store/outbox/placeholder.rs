//! A record created in hsn goes by a placeholder id (`local:TASK-…`) until Notion gives
//! it its own: on confirmation, the writes queued against the placeholder and the links
//! other cached records hold to it follow the real page.

use rusqlite::{Transaction, params};
use serde_json::Value;

use super::settle::queued_on;
use crate::domain::record::{FieldValue, Link, Record};
use crate::domain::schema::find_database;

/// The prefix of the id a record created in hsn goes by until Notion gives it its own.
pub(in crate::store) const PLACEHOLDER: &str = "local:";

/// Points the writes queued against a placeholder at the page Notion created, and the
/// links other records hold to it (an instance's `Related Tasks`) at the real page.
pub(super) fn follow_created(
    tx: &Transaction<'_>,
    placeholder: &str,
    real: &str,
) -> rusqlite::Result<()> {
    relink(tx, placeholder, real)?;
    for entry in queued_on(tx, placeholder)? {
        let touched: Vec<&str> = entry
            .touched
            .iter()
            .map(|p| if p == placeholder { real } else { p.as_str() })
            .collect();
        let mut body = entry.body.clone();
        if body.get("task_page").and_then(Value::as_str) == Some(placeholder) {
            body["task_page"] = Value::String(real.to_string());
        }
        tx.execute(
            "UPDATE outbox SET touched = ?2, body = ?3 WHERE seq = ?1",
            params![
                entry.seq,
                serde_json::to_string(&touched).unwrap_or_default(),
                body.to_string()
            ],
        )?;
    }
    Ok(())
}

/// Replaces `placeholder` by `real` in every link of the cached records that holds it.
fn relink(tx: &Transaction<'_>, placeholder: &str, real: &str) -> rusqlite::Result<()> {
    let holding: Vec<(String, String, String)> = {
        let mut statement = tx.prepare(
            "SELECT page_id, database, fields FROM records WHERE page_id != ?1 AND instr(fields, ?1) > 0",
        )?;
        statement
            .query_map(params![placeholder], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?
            .collect::<rusqlite::Result<_>>()?
    };
    for (page_id, alias, fields) in holding {
        let Some(definition) = find_database(&alias) else {
            continue;
        };
        let fields: Value = serde_json::from_str(&fields).unwrap_or(Value::Null);
        let mut record = Record::from_values_json(definition.key, Some(page_id.clone()), &fields);
        let mut changed = false;
        for value in record.values.values_mut() {
            if let FieldValue::Link(Link::Pages(ids)) = value {
                for id in ids.iter_mut().filter(|id| *id == placeholder) {
                    *id = real.to_string();
                    changed = true;
                }
            }
        }
        if changed {
            tx.execute(
                "UPDATE records SET fields = ?2 WHERE page_id = ?1",
                params![
                    page_id,
                    serde_json::to_string(&record.values).unwrap_or_default()
                ],
            )?;
        }
    }
    Ok(())
}
