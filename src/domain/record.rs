//! One page of any of the 16 databases, read and written through its schema.
//!
//! A [`Record`] holds a value for each column the page had in the type the schema expects;
//! what it could not read is listed as [`Drift`] instead of failing, so a dashboard shows
//! what it can and marks the rest. One implementation serves all 16 databases; the typed
//! models in `models.rs` are thin views over it.

use std::collections::BTreeMap;
use std::fmt;

use serde_json::{Map, Value};

use super::schema::{ColumnKind, DatabaseKey, DatabaseSchema, database};
use crate::notion::{self, Page, PropertyValue, TextTooLong, plain_text};

mod field;

pub use field::{FieldType, FieldValue, Link};

/// A column the page does not hold as the schema says: missing (`found: None`), or of
/// another Notion type (`found: Some("rich_text")`). Its value is left out of the record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drift {
    pub column: &'static str,
    /// The Notion type the schema expects.
    pub expected: &'static str,
    pub found: Option<String>,
}

impl Drift {
    pub fn is_missing(&self) -> bool {
        self.found.is_none()
    }
}

impl fmt::Display for Drift {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.found {
            None => write!(
                f,
                "\"{}\" is missing (expected {})",
                self.column, self.expected
            ),
            Some(found) => write!(
                f,
                "\"{}\" is {found}, expected {}",
                self.column, self.expected
            ),
        }
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RecordError {
    #[error("{database}, column \"{column}\": {source}")]
    TextTooLong {
        database: &'static str,
        column: &'static str,
        #[source]
        source: TextTooLong,
    },
    #[error("{database}, column \"{column}\": a {kind} column cannot hold {found}")]
    WrongShape {
        database: &'static str,
        column: &'static str,
        kind: &'static str,
        found: &'static str,
    },
    #[error("{database} has no column \"{column}\"")]
    UnknownColumn {
        database: &'static str,
        column: &'static str,
    },
}

/// One page of one of the 16 databases.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub database: DatabaseKey,
    /// `None` for a record not yet created in Notion.
    pub page_id: Option<String>,
    /// By the schema's column name; only columns read from the page or set since.
    pub values: BTreeMap<&'static str, FieldValue>,
    pub drift: Vec<Drift>,
}

impl Record {
    /// An empty record, to be filled with [`Record::set`] and created.
    pub fn new(database: DatabaseKey) -> Record {
        Record {
            database,
            page_id: None,
            values: BTreeMap::new(),
            drift: Vec::new(),
        }
    }

    pub fn schema(&self) -> &'static DatabaseSchema {
        database(self.database)
    }

    /// Reads every column of the schema from the page. Never fails: a column that is
    /// missing or of another type is listed in `drift` and left out of `values`.
    pub fn from_page(database_key: DatabaseKey, page: &Page) -> Record {
        let mut record = Record::new(database_key);
        record.page_id = Some(page.id.clone());
        for column in database(database_key).columns {
            let expected = column.kind.notion_type();
            let Some(property) = page.property(column.name) else {
                record.drift.push(Drift {
                    column: column.name,
                    expected,
                    found: None,
                });
                continue;
            };
            match read(column.kind, &property.value) {
                Some(value) => {
                    record.values.insert(column.name, value);
                }
                None => record.drift.push(Drift {
                    column: column.name,
                    expected,
                    found: Some(found_kind(&property.value)),
                }),
            }
        }
        record
    }

    /// The request-shape `properties` object for creating or updating this record's page:
    /// the columns in `values`, by the schema's names. A `Link::Pages` is written as a
    /// relation, a `Link::Text` as rich_text, each in the form it was read.
    pub fn to_properties(&self) -> Result<Value, RecordError> {
        let schema = self.schema();
        let mut properties = Map::new();
        for (&name, value) in &self.values {
            let column = schema.column(name).ok_or(RecordError::UnknownColumn {
                database: schema.title,
                column: name,
            })?;
            let written = write(column.kind, value).map_err(|e| match e {
                WriteError::TooLong(source) => RecordError::TextTooLong {
                    database: schema.title,
                    column: column.name,
                    source,
                },
                WriteError::Shape => RecordError::WrongShape {
                    database: schema.title,
                    column: column.name,
                    kind: column.kind.notion_type(),
                    found: value.shape(),
                },
            })?;
            properties.insert(column.name.to_string(), written);
        }
        Ok(Value::Object(properties))
    }

    /// The value of a column, or the type's empty value when the record has none (never
    /// read, or drifted).
    ///
    /// # Panics
    /// If the schema has no such column or `T` does not fit its kind: a programming error.
    pub fn get<T: FieldType>(&self, column: &str) -> T {
        let name = self.checked_column::<T>(column);
        self.values
            .get(name)
            .and_then(T::from_field)
            .unwrap_or_default()
    }

    /// Sets a column's value; it will be written by [`Record::to_properties`].
    ///
    /// # Panics
    /// If the schema has no such column or `T` does not fit its kind: a programming error.
    pub fn set<T: FieldType>(&mut self, column: &str, value: T) {
        let name = self.checked_column::<T>(column);
        self.values.insert(name, value.into_field());
    }

    /// The values as JSON, keyed by column: how the local store keeps a record.
    pub fn values_json(&self) -> Value {
        serde_json::to_value(&self.values).unwrap_or(Value::Null)
    }

    /// A record from [`Record::values_json`]. Columns the schema no longer has, or values
    /// that no longer fit their column, are left out (the page is re-read on the next sync).
    pub fn from_values_json(
        database_key: DatabaseKey,
        page_id: Option<String>,
        json: &Value,
    ) -> Record {
        let mut record = Record::new(database_key);
        record.page_id = page_id;
        for (name, value) in json.as_object().into_iter().flatten() {
            if let Ok(value) = serde::Deserialize::deserialize(value) {
                record.insert_stored(name, value);
            }
        }
        record
    }

    /// Sets a column to a value read back from the store, if the schema has the column and
    /// the value fits its kind (a store written by another version may differ); else
    /// leaves the record as it was.
    pub fn insert_stored(&mut self, name: &str, value: FieldValue) {
        if let Some(column) = self.schema().column(name)
            && value.fits(column.kind)
        {
            self.values.insert(column.name, value);
        }
    }

    /// The raw value of a column, if the record holds one.
    pub fn value(&self, column: &str) -> Option<&FieldValue> {
        self.values.get(column)
    }

    /// The text of the title column.
    pub fn title(&self) -> String {
        self.get(self.schema().title_column().name)
    }

    fn checked_column<T: FieldType>(&self, column: &str) -> &'static str {
        let schema = self.schema();
        let Some(found) = schema.column(column) else {
            panic!("{} has no column \"{column}\"", schema.title);
        };
        assert!(
            T::fits(found.kind),
            "{}, column \"{column}\" is {}, which a {} cannot hold",
            schema.title,
            found.kind.notion_type(),
            std::any::type_name::<T>(),
        );
        found.name
    }
}

/// The Notion type a drifted property was found as; a known type whose body could not be
/// read says so.
fn found_kind(value: &PropertyValue) -> String {
    match value {
        PropertyValue::Unknown { kind, .. } if kind.is_empty() => "a value without a type".into(),
        PropertyValue::Unknown { kind, .. } => format!("unreadable {kind}"),
        other => other.kind().to_string(),
    }
}

/// A property as the column's kind reads it; `None` when it is of another type.
fn read(kind: ColumnKind, value: &PropertyValue) -> Option<FieldValue> {
    use ColumnKind as K;
    use PropertyValue as P;
    let option_name = |o: &Option<notion::SelectOption>| o.as_ref().map(|o| o.name.clone());
    Some(match (kind, value) {
        (K::Title, P::Title(text)) | (K::Text, P::RichText(text)) => {
            FieldValue::Text(plain_text(text))
        }
        (K::Select(_), P::Select(o)) | (K::Status(_), P::Status(o)) => {
            FieldValue::OptText(option_name(o))
        }
        (K::Email, P::Email(s)) | (K::Phone, P::PhoneNumber(s)) | (K::Url, P::Url(s)) => {
            FieldValue::OptText(s.clone())
        }
        (K::MultiSelect, P::MultiSelect(options)) => {
            FieldValue::Names(options.iter().map(|o| o.name.clone()).collect())
        }
        (K::Number, P::Number(n)) => FieldValue::Number(*n),
        (K::Date, P::Date(d)) => FieldValue::Date(d.clone()),
        (K::Relation { .. }, P::Relation { ids, .. }) => FieldValue::Link(Link::Pages(ids.clone())),
        (K::Relation { .. }, P::RichText(text)) => FieldValue::Link(Link::Text(plain_text(text))),
        _ => return None,
    })
}

enum WriteError {
    TooLong(TextTooLong),
    Shape,
}

/// A value in the request shape of the column's kind.
fn write(kind: ColumnKind, value: &FieldValue) -> Result<Value, WriteError> {
    use ColumnKind as K;
    use FieldValue as F;
    Ok(match (kind, value) {
        (K::Title, F::Text(text)) => notion::title_value(text).map_err(WriteError::TooLong)?,
        (K::Text, F::Text(text)) | (K::Relation { .. }, F::Link(Link::Text(text))) => {
            notion::rich_text_value(text).map_err(WriteError::TooLong)?
        }
        (K::Select(_), F::OptText(o)) => notion::select_value(o.as_deref()),
        (K::Status(_), F::OptText(o)) => notion::status_value(o.as_deref()),
        (K::Email, F::OptText(o)) => notion::email_value(o.as_deref()),
        (K::Phone, F::OptText(o)) => notion::phone_number_value(o.as_deref()),
        (K::Url, F::OptText(o)) => notion::url_value(o.as_deref()),
        (K::MultiSelect, F::Names(names)) => notion::multi_select_value(names),
        (K::Number, F::Number(n)) => notion::number_value(*n),
        (K::Date, F::Date(d)) => notion::date_value(d.as_ref()),
        (K::Relation { .. }, F::Link(Link::Pages(ids))) => notion::relation_value(ids),
        _ => return Err(WriteError::Shape),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn page(properties: Value) -> Page {
        Page::from_json(json!({
            "object": "page",
            "id": "59833787-2cf9-4fdf-8782-e53db20768a5",
            "created_time": "2026-03-01T10:00:00.000Z",
            "last_edited_time": "2026-03-02T10:00:00.000Z",
            "properties": properties,
        }))
        .unwrap()
    }

    fn rich(kind: &str, text: &str) -> Value {
        json!({"type": kind, kind: [{"type": "text", "text": {"content": text}, "plain_text": text}]})
    }

    #[test]
    fn a_page_reads_by_schema_and_drift_is_listed() {
        let record = Record::from_page(
            DatabaseKey::Tasks,
            &page(json!({
                "Task ID": rich("title", "TASK-1a2b3c4d"),
                "Task Name": rich("rich_text", "Follow up"),
                "Priority": rich("rich_text", "High"),
                "Status": {"type": "select", "select": {"name": "To Do"}},
                "Tags": {"type": "multi_select", "multi_select": [{"name": "retreat"}]},
                "Related Workflow Instance": rich("rich_text", "INST-0c9d8e7f"),
                "Related Business Entity": {"type": "relation", "relation": [{"id": "b1"}]},
                "Due Date": {"type": "date", "date": {"start": "2026-03-20"}},
            })),
        );
        assert_eq!(record.title(), "TASK-1a2b3c4d");
        assert_eq!(
            record.get::<Option<String>>("Status").as_deref(),
            Some("To Do")
        );
        assert_eq!(
            record.get::<Link>("Related Workflow Instance"),
            Link::Text("INST-0c9d8e7f".into())
        );
        assert_eq!(
            record.get::<Link>("Related Business Entity"),
            Link::Pages(vec!["b1".into()])
        );
        assert_eq!(record.get::<Option<String>>("Priority"), None);
        let priority = record
            .drift
            .iter()
            .find(|d| d.column == "Priority")
            .unwrap();
        assert_eq!(priority.found.as_deref(), Some("rich_text"));
        assert_eq!(
            priority.to_string(),
            "\"Priority\" is rich_text, expected select"
        );
        let missing: Vec<&str> = record
            .drift
            .iter()
            .filter(|d| d.is_missing())
            .map(|d| d.column)
            .collect();
        assert_eq!(
            missing,
            [
                "Description",
                "Assigned To",
                "Created By",
                "Created Date",
                "Last Edited Date"
            ]
        );
    }

    #[test]
    fn properties_are_written_by_schema_name_in_the_form_read() {
        let mut record = Record::new(DatabaseKey::ActiveWorkflowInstances);
        record.set("Instance ID", "INST-0c9d8e7f".to_string());
        record.set("Workflow", Link::Text("WF-WELL-BOOK".into()));
        record.set("Business Entity", Link::Pages(vec!["b1".into()]));
        record.set("Client/Lead Email", Some(String::new()));
        record.set("Status", Some("Active".to_string()));
        let properties = record.to_properties().unwrap();
        assert_eq!(
            properties["Workflow"]["rich_text"][0]["text"]["content"],
            "WF-WELL-BOOK"
        );
        assert_eq!(
            properties["Business Entity"],
            json!({"relation": [{"id": "b1"}]})
        );
        assert_eq!(properties["Client/Lead Email"], json!({"email": null}));
        assert_eq!(properties["Status"], json!({"status": {"name": "Active"}}));
        assert_eq!(properties.as_object().unwrap().len(), 5);
    }

    #[test]
    fn write_errors_name_the_database_and_column() {
        let mut record = Record::new(DatabaseKey::ActiveWorkflowInstances);
        record.set("History Log", "x".repeat(200_001));
        let err = record.to_properties().unwrap_err();
        assert!(matches!(
            err,
            RecordError::TextTooLong {
                column: "History Log",
                ..
            }
        ));
        assert!(
            err.to_string()
                .starts_with("Active Workflow Instances, column \"History Log\": text of 200001")
        );

        let mut record = Record::new(DatabaseKey::Tasks);
        record
            .values
            .insert("Status", FieldValue::Number(Some(1.0)));
        assert_eq!(
            record.to_properties().unwrap_err().to_string(),
            "Master Tasks Database, column \"Status\": a select column cannot hold a number"
        );
        record.values.clear();
        record.values.insert("status", FieldValue::OptText(None));
        assert!(matches!(
            record.to_properties(),
            Err(RecordError::UnknownColumn {
                column: "status",
                ..
            })
        ));
    }

    #[test]
    #[should_panic(expected = "Master Tasks Database has no column \"task_name\"")]
    fn setting_a_column_the_schema_lacks_panics() {
        Record::new(DatabaseKey::Tasks).set("task_name", "Follow up".to_string());
    }

    #[test]
    #[should_panic(expected = "Master Tasks Database, column \"Status\" is select")]
    fn setting_a_value_of_the_wrong_shape_panics() {
        Record::new(DatabaseKey::Tasks).set("Status", "Done".to_string());
    }
}
