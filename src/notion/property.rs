//! Page property values, parsed leniently.
//!
//! Notion adds property types and fields over time. Each value is parsed by its `type` tag;
//! a type we do not know, or a known type whose body we cannot read, becomes
//! [`PropertyValue::Unknown`] holding the raw JSON, so one odd property never fails a page.

use serde::Deserialize;
use serde_json::{Value, json};

use super::object::{RichText, User, plain_text};

/// One property of a page: its schema id (URL-encoded, as Notion gives it) and its value.
#[derive(Debug, Clone, PartialEq)]
pub struct Property {
    pub id: String,
    pub value: PropertyValue,
}

#[derive(Debug, Clone, PartialEq)]
pub enum PropertyValue {
    Title(Vec<RichText>),
    RichText(Vec<RichText>),
    Number(Option<f64>),
    Select(Option<SelectOption>),
    MultiSelect(Vec<SelectOption>),
    Status(Option<SelectOption>),
    Date(Option<DateValue>),
    People(Vec<User>),
    /// `has_more` is true when Notion left out ids past the first 25; the client completes
    /// them through the property-item endpoint before handing a page out.
    Relation {
        ids: Vec<String>,
        has_more: bool,
    },
    Checkbox(bool),
    Url(Option<String>),
    Email(Option<String>),
    PhoneNumber(Option<String>),
    Files(Vec<FileRef>),
    Formula(FormulaValue),
    Rollup(RollupValue),
    CreatedTime(String),
    LastEditedTime(String),
    CreatedBy(User),
    LastEditedBy(User),
    UniqueId {
        prefix: Option<String>,
        number: Option<i64>,
    },
    Verification(Value),
    /// A type this client does not know, or a body it could not read: kept verbatim.
    Unknown {
        kind: String,
        raw: Value,
    },
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SelectOption {
    #[serde(default)]
    pub id: Option<String>,
    pub name: String,
    #[serde(default)]
    pub color: Option<String>,
}

/// A Notion date: `start` is a date (`2026-03-14`) or a datetime with offset; kept as text
/// because Notion's distinction between the two matters when writing it back.
#[derive(Debug, Clone, PartialEq, Deserialize, serde::Serialize)]
pub struct DateValue {
    pub start: String,
    #[serde(default)]
    pub end: Option<String>,
    #[serde(default)]
    pub time_zone: Option<String>,
}

impl DateValue {
    fn plain(&self) -> Value {
        json!({"start": self.start, "end": self.end, "time_zone": self.time_zone})
    }
}

/// A file attached to a page, hosted by Notion (with an expiring URL) or external.
#[derive(Debug, Clone, PartialEq)]
pub struct FileRef {
    pub name: String,
    pub url: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum FormulaValue {
    String(Option<String>),
    Number(Option<f64>),
    Boolean(Option<bool>),
    Date(Option<DateValue>),
    Other { kind: String, raw: Value },
}

#[derive(Debug, Clone, PartialEq)]
pub enum RollupValue {
    Number(Option<f64>),
    Date(Option<DateValue>),
    /// Items are property values without ids (`{"type":"title","title":[…]}`).
    Array(Vec<PropertyValue>),
    Other {
        kind: String,
        raw: Value,
    },
}

impl Property {
    /// Reads one entry of a page's `properties` object.
    pub fn from_json(raw: &Value) -> Property {
        Property {
            id: raw
                .get("id")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            value: PropertyValue::from_json(raw),
        }
    }
}

fn parse<T: for<'de> Deserialize<'de>>(value: &Value) -> Option<T> {
    T::deserialize(value).ok()
}

impl PropertyValue {
    /// Reads a value envelope `{"type": T, T: …}`; never fails.
    pub fn from_json(raw: &Value) -> PropertyValue {
        let kind = raw.get("type").and_then(Value::as_str).unwrap_or_default();
        let body = raw.get(kind).unwrap_or(&Value::Null);
        Self::from_parts(kind, body, raw).unwrap_or_else(|| PropertyValue::Unknown {
            kind: kind.to_string(),
            raw: raw.clone(),
        })
    }

    fn from_parts(kind: &str, body: &Value, envelope: &Value) -> Option<PropertyValue> {
        use PropertyValue as P;
        Some(match kind {
            "title" => P::Title(parse(body)?),
            "rich_text" => P::RichText(parse(body)?),
            "number" => P::Number(parse(body)?),
            "select" => P::Select(parse(body)?),
            "multi_select" => P::MultiSelect(parse(body)?),
            "status" => P::Status(parse(body)?),
            "date" => P::Date(parse(body)?),
            "people" => P::People(parse(body)?),
            "relation" => {
                #[derive(Deserialize)]
                struct Ref {
                    id: String,
                }
                let refs: Vec<Ref> = parse(body)?;
                P::Relation {
                    ids: refs.into_iter().map(|r| r.id).collect(),
                    has_more: envelope
                        .get("has_more")
                        .and_then(Value::as_bool)
                        .unwrap_or(false),
                }
            }
            "checkbox" => P::Checkbox(parse(body)?),
            "url" => P::Url(parse(body)?),
            "email" => P::Email(parse(body)?),
            "phone_number" => P::PhoneNumber(parse(body)?),
            "files" => P::Files(
                body.as_array()?
                    .iter()
                    .map(FileRef::from_json)
                    .collect::<Option<_>>()?,
            ),
            "formula" => P::Formula(FormulaValue::from_json(body)?),
            "rollup" => P::Rollup(RollupValue::from_json(body)?),
            "created_time" => P::CreatedTime(parse(body)?),
            "last_edited_time" => P::LastEditedTime(parse(body)?),
            "created_by" => P::CreatedBy(parse(body)?),
            "last_edited_by" => P::LastEditedBy(parse(body)?),
            "unique_id" => {
                #[derive(Deserialize)]
                struct UniqueId {
                    #[serde(default)]
                    prefix: Option<String>,
                    #[serde(default)]
                    number: Option<i64>,
                }
                let id: UniqueId = parse(body)?;
                P::UniqueId {
                    prefix: id.prefix,
                    number: id.number,
                }
            }
            "verification" => P::Verification(body.clone()),
            _ => return None,
        })
    }

    /// The Notion type name of this value.
    pub fn kind(&self) -> &str {
        use PropertyValue as P;
        match self {
            P::Title(_) => "title",
            P::RichText(_) => "rich_text",
            P::Number(_) => "number",
            P::Select(_) => "select",
            P::MultiSelect(_) => "multi_select",
            P::Status(_) => "status",
            P::Date(_) => "date",
            P::People(_) => "people",
            P::Relation { .. } => "relation",
            P::Checkbox(_) => "checkbox",
            P::Url(_) => "url",
            P::Email(_) => "email",
            P::PhoneNumber(_) => "phone_number",
            P::Files(_) => "files",
            P::Formula(_) => "formula",
            P::Rollup(_) => "rollup",
            P::CreatedTime(_) => "created_time",
            P::LastEditedTime(_) => "last_edited_time",
            P::CreatedBy(_) => "created_by",
            P::LastEditedBy(_) => "last_edited_by",
            P::UniqueId { .. } => "unique_id",
            P::Verification(_) => "verification",
            P::Unknown { kind, .. } => kind,
        }
    }

    /// The value as plain JSON: text as a string, options by name, people by id, relations
    /// as ids, dates as `{start, end, time_zone}`. Unknown types stay raw.
    pub fn plain(&self) -> Value {
        use PropertyValue as P;
        let opt_name = |o: &Option<SelectOption>| json!(o.as_ref().map(|o| o.name.clone()));
        match self {
            P::Title(text) | P::RichText(text) => Value::String(plain_text(text)),
            P::Number(n) => number_json(*n),
            P::Select(o) | P::Status(o) => opt_name(o),
            P::MultiSelect(options) => json!(options.iter().map(|o| &o.name).collect::<Vec<_>>()),
            P::Date(d) => d.as_ref().map_or(Value::Null, DateValue::plain),
            P::People(users) => json!(users.iter().map(|u| &u.id).collect::<Vec<_>>()),
            P::Relation { ids, .. } => json!(ids),
            P::Checkbox(b) => json!(b),
            P::Url(s) | P::Email(s) | P::PhoneNumber(s) => json!(s),
            P::Files(files) => json!(files.iter().map(|f| &f.url).collect::<Vec<_>>()),
            P::Formula(f) => f.plain(),
            P::Rollup(r) => r.plain(),
            P::CreatedTime(t) | P::LastEditedTime(t) => json!(t),
            P::CreatedBy(u) | P::LastEditedBy(u) => json!(u.id),
            P::UniqueId { prefix, number } => match (prefix, number) {
                (Some(prefix), Some(n)) => json!(format!("{prefix}-{n}")),
                (None, Some(n)) => json!(n),
                _ => Value::Null,
            },
            P::Verification(raw) | P::Unknown { raw, .. } => raw.clone(),
        }
    }

    /// The text of a title or rich_text value; `None` for other types.
    pub fn as_text(&self) -> Option<String> {
        match self {
            PropertyValue::Title(t) | PropertyValue::RichText(t) => Some(plain_text(t)),
            _ => None,
        }
    }
}

/// A number as JSON, whole numbers without a fraction (`3`, not `3.0`), as Notion writes them.
fn number_json(n: Option<f64>) -> Value {
    match n {
        Some(n) if n.fract() == 0.0 && n.abs() < 9.0e15 => json!(n as i64),
        other => json!(other),
    }
}

impl FileRef {
    fn from_json(raw: &Value) -> Option<FileRef> {
        let kind = raw.get("type").and_then(Value::as_str)?;
        let url = raw.get(kind)?.get("url").and_then(Value::as_str)?;
        Some(FileRef {
            name: raw
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            url: url.to_string(),
        })
    }
}

impl FormulaValue {
    fn from_json(body: &Value) -> Option<FormulaValue> {
        let kind = body.get("type").and_then(Value::as_str)?;
        let inner = body.get(kind).unwrap_or(&Value::Null);
        Some(match kind {
            "string" => FormulaValue::String(parse(inner)?),
            "number" => FormulaValue::Number(parse(inner)?),
            "boolean" => FormulaValue::Boolean(parse(inner)?),
            "date" => FormulaValue::Date(parse(inner)?),
            other => FormulaValue::Other {
                kind: other.to_string(),
                raw: body.clone(),
            },
        })
    }

    fn plain(&self) -> Value {
        match self {
            FormulaValue::String(s) => json!(s),
            FormulaValue::Number(n) => number_json(*n),
            FormulaValue::Boolean(b) => json!(b),
            FormulaValue::Date(d) => d.as_ref().map_or(Value::Null, DateValue::plain),
            FormulaValue::Other { raw, .. } => raw.clone(),
        }
    }
}

impl RollupValue {
    fn from_json(body: &Value) -> Option<RollupValue> {
        let kind = body.get("type").and_then(Value::as_str)?;
        let inner = body.get(kind).unwrap_or(&Value::Null);
        Some(match kind {
            "number" => RollupValue::Number(parse(inner)?),
            "date" => RollupValue::Date(parse(inner)?),
            "array" => RollupValue::Array(
                inner
                    .as_array()?
                    .iter()
                    .map(PropertyValue::from_json)
                    .collect(),
            ),
            other => RollupValue::Other {
                kind: other.to_string(),
                raw: body.clone(),
            },
        })
    }

    fn plain(&self) -> Value {
        match self {
            RollupValue::Number(n) => number_json(*n),
            RollupValue::Date(d) => d.as_ref().map_or(Value::Null, DateValue::plain),
            RollupValue::Array(items) => {
                Value::Array(items.iter().map(PropertyValue::plain).collect())
            }
            RollupValue::Other { raw, .. } => raw.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(raw: Value) -> PropertyValue {
        PropertyValue::from_json(&raw)
    }

    #[test]
    fn unknown_type_keeps_raw_json() {
        let raw = json!({"id": "x", "type": "place", "place": {"lat": 1.5}});
        let parsed = value(raw.clone());
        assert_eq!(
            parsed,
            PropertyValue::Unknown {
                kind: "place".into(),
                raw: raw.clone()
            }
        );
        assert_eq!(parsed.plain(), raw);
    }

    #[test]
    fn known_type_with_unreadable_body_falls_back_instead_of_failing() {
        let raw = json!({"id": "x", "type": "number", "number": "not a number"});
        assert!(matches!(value(raw), PropertyValue::Unknown { kind, .. } if kind == "number"));
    }

    #[test]
    fn plain_values_follow_the_contract() {
        assert_eq!(
            value(json!({"type": "number", "number": null})).plain(),
            Value::Null
        );
        assert_eq!(
            value(json!({"type": "unique_id", "unique_id": {"prefix": "TASK", "number": 7}}))
                .plain(),
            json!("TASK-7")
        );
        assert_eq!(
            value(json!({"type": "unique_id", "unique_id": {"prefix": null, "number": 7}})).plain(),
            json!(7)
        );
        let formula_date = json!({"type": "formula", "formula": {"type": "date", "date": {"start": "2025-09-08T03:52:00.000+00:00", "end": null, "time_zone": null}}});
        assert_eq!(
            value(formula_date).plain(),
            json!({"start": "2025-09-08T03:52:00.000+00:00", "end": null, "time_zone": null})
        );
        let rollup = json!({"type": "rollup", "rollup": {"type": "array", "function": "show_original", "array": [
            {"type": "multi_select", "multi_select": [{"id": "a", "name": "Red", "color": "red"}]},
            {"type": "number", "number": 3}
        ]}});
        assert_eq!(value(rollup).plain(), json!([["Red"], 3]));
        let files = json!({"type": "files", "files": [
            {"name": "a.pdf", "type": "file", "file": {"url": "https://files/a.pdf", "expiry_time": "2026-01-01T00:00:00.000Z"}},
            {"name": "b", "type": "external", "external": {"url": "https://example.com/b"}}
        ]});
        assert_eq!(
            value(files).plain(),
            json!(["https://files/a.pdf", "https://example.com/b"])
        );
    }

    #[test]
    fn relation_reads_has_more_from_the_envelope() {
        let raw =
            json!({"id": "r", "type": "relation", "relation": [{"id": "p1"}], "has_more": true});
        assert_eq!(
            value(raw),
            PropertyValue::Relation {
                ids: vec!["p1".into()],
                has_more: true
            }
        );
    }
}
