//! Seed values made into Notion's response shapes, and the deterministic ids the demo
//! pages carry.
//!
//! Ids are hashes of stable names (a database's alias, a record's title), never random: a
//! demo loaded again gives every page, data source and option the id it had, so what the
//! local store remembers about a demo page still finds it.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use super::time::resolve;
use super::{Ctx, Problem};
use crate::domain::schema::{Backlink, Column, ColumnKind, DatabaseKey, database};
use crate::notion::{TextTooLong, text_chunks};

/// The one user every demo page is created and edited by.
const DEMO_USER: &str = "d3e10000-0000-8000-8000-000000000001";

/// FNV-1a over the parts (each ended by a byte no UTF-8 text holds, so `("ab","c")` and
/// `("a","bc")` differ), then a splitmix64 finish to spread the bits. Hand-rolled because
/// std's hasher may change between Rust releases, and these ids must not.
fn hash64(seed: u64, parts: &[&str]) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325 ^ seed.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    for part in parts {
        for byte in part.bytes().chain([0xff]) {
            h ^= u64::from(byte);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h = (h ^ (h >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    h ^ (h >> 31)
}

/// A dashed UUID derived from `parts`: version 8 (RFC 9562's custom version, which a
/// hash-derived id is) with the RFC variant, the shape Notion's own ids have.
pub(super) fn uuid(parts: &[&str]) -> String {
    let hex = format!("{:016x}{:016x}", hash64(1, parts), hash64(2, parts));
    let mut hex: Vec<char> = hex.chars().collect();
    hex[12] = '8';
    hex[16] = ['8', '9', 'a', 'b'][hex[16].to_digit(16).expect("hex digit") as usize % 4];
    let hex: String = hex.into_iter().collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// A number in `0..modulus` derived from `parts`, for spreading demo values.
pub(super) fn spread(parts: &[&str], modulus: u64) -> u64 {
    hash64(3, parts) % modulus
}

pub(super) fn page_id(key: DatabaseKey, title: &str) -> String {
    uuid(&["page", database(key).alias, title])
}

pub(super) fn data_source_id(key: DatabaseKey) -> String {
    uuid(&["data_source", database(key).alias])
}

pub(super) fn database_id(key: DatabaseKey) -> String {
    uuid(&["database", database(key).alias])
}

/// A column's property id: `title` for the title (as Notion names it), else four
/// characters, the last one the column's position so no two columns share an id.
pub(super) fn property_id(key: DatabaseKey, index: usize, column: &Column) -> String {
    const CHARS: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    if column.kind == ColumnKind::Title {
        return "title".into();
    }
    let h = hash64(4, &[database(key).alias, column.name]);
    let pick = |n: u64| CHARS[(n % CHARS.len() as u64) as usize] as char;
    [pick(h), pick(h >> 12), pick(h >> 24), pick(index as u64)]
        .into_iter()
        .collect()
}

/// A rich text array as Notion returns it, split into objects of at most 2,000 characters.
pub(super) fn rich_text(text: &str) -> Result<Value, TextTooLong> {
    Ok(Value::Array(
        text_chunks(text)?
            .into_iter()
            .map(|chunk| {
                json!({
                    "type": "text",
                    "text": {"content": chunk, "link": null},
                    "annotations": {
                        "bold": false, "italic": false, "strikethrough": false,
                        "underline": false, "code": false, "color": "default"
                    },
                    "plain_text": chunk,
                    "href": null,
                })
            })
            .collect(),
    ))
}

/// An option of a select, multi-select or status value: the schema's colour when the
/// column defines the option, else one picked from the name.
pub(super) fn option(key: DatabaseKey, column: &Column, name: &str) -> Value {
    const PALETTE: [&str; 9] = [
        "gray", "brown", "orange", "yellow", "green", "blue", "purple", "pink", "red",
    ];
    let color = column
        .kind
        .choices()
        .iter()
        .find(|c| c.name == name)
        .map_or_else(
            || PALETTE[spread(&[name], PALETTE.len() as u64) as usize],
            |c| c.color.as_str(),
        );
    json!({
        "id": uuid(&["option", database(key).alias, column.name, name]),
        "name": name,
        "color": color,
    })
}

/// Notion's envelope of one property value: `{id, type, <type>: body}`, plus `has_more`
/// for a relation (the demo gives every id, never a first 25).
pub(super) fn envelope(key: DatabaseKey, index: usize, column: &Column, body: Value) -> Value {
    let kind = column.kind.notion_type();
    let mut envelope = json!({"id": property_id(key, index, column), "type": kind, kind: body});
    if matches!(column.kind, ColumnKind::Relation { .. }) {
        envelope["has_more"] = json!(false);
    }
    envelope
}

/// Notion's `…:00.000Z` form of a page timestamp (the caller rounds to the minute).
fn timestamp(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// A whole page as `GET /v1/pages/{id}` returns it.
pub(super) fn page(
    key: DatabaseKey,
    id: &str,
    title: &str,
    created: DateTime<Utc>,
    edited: DateTime<Utc>,
    properties: Map<String, Value>,
) -> Value {
    let user = json!({"object": "user", "id": DEMO_USER});
    let slug: String = title
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    let compact = id.replace('-', "");
    let url = if slug.is_empty() {
        format!("https://app.notion.com/p/{compact}")
    } else {
        format!("https://app.notion.com/p/{slug}-{compact}")
    };
    json!({
        "object": "page",
        "id": id,
        "created_time": timestamp(created),
        "last_edited_time": timestamp(edited),
        "created_by": user,
        "last_edited_by": user,
        "cover": null,
        "icon": null,
        "parent": {
            "type": "data_source_id",
            "data_source_id": data_source_id(key),
            "database_id": database_id(key),
        },
        "in_trash": false,
        "is_locked": false,
        "properties": properties,
        "url": url,
        "public_url": null,
    })
}

/// A property's body (what goes under its type's key) from a seed value.
pub(super) fn body(
    ctx: &Ctx,
    key: DatabaseKey,
    column: &Column,
    value: &Value,
    times: &mut Vec<DateTime<Utc>>,
) -> Result<Value, Problem> {
    use ColumnKind as K;
    let string = |v: &Value| {
        v.as_str().map(str::to_string).ok_or(Problem::WrongShape {
            expected: "a string",
        })
    };
    if let K::Relation {
        backlink: Backlink::SyncedFrom(other),
        ..
    } = column.kind
        && !value.is_null()
    {
        return Err(Problem::SyncedColumn(other));
    }
    Ok(match (column.kind, value) {
        (K::Relation { target, .. }, v) => names(v)?
            .into_iter()
            .map(|title| match ctx.ids.get(&(target, title.clone())) {
                Some(id) => Ok(json!({"id": id})),
                None => Err(Problem::UnknownTarget {
                    database: database(target).alias,
                    title,
                }),
            })
            .collect::<Result<Value, _>>()?,
        (K::Title | K::Text | K::MultiSelect, Value::Null) => json!([]),
        (_, Value::Null) => Value::Null,
        (K::Title, v) => rich_text(&string(v)?)?,
        (K::Text, v) => rich_text(&text_of(v))?,
        (K::Number, Value::Number(n)) => json!(n),
        (K::Number, _) => {
            return Err(Problem::WrongShape {
                expected: "a number",
            });
        }
        (K::Select(choices) | K::Status(choices), v) => {
            let name = string(v)?;
            if !choices.iter().any(|c| c.name == name) {
                return Err(Problem::UnknownOption {
                    value: name,
                    options: choices.iter().map(|c| c.name).collect(),
                });
            }
            option(key, column, &name)
        }
        (K::MultiSelect, v) => names(v)?
            .iter()
            .map(|name| option(key, column, name))
            .collect(),
        (K::Date, v) => {
            let text = string(v)?;
            let when =
                resolve(&text, ctx.anchor).map_err(|reason| Problem::BadTime { text, reason })?;
            times.push(when.instant());
            json!({"start": when.notion_start(), "end": null, "time_zone": null})
        }
        (K::Email | K::Phone | K::Url, v) => json!(string(v)?),
    })
}

/// A name or a list of names (`null` is none).
fn names(value: &Value) -> Result<Vec<String>, Problem> {
    let shape = || Problem::WrongShape {
        expected: "a name or a list of names",
    };
    match value {
        Value::Null => Ok(Vec::new()),
        Value::String(name) => Ok(vec![name.clone()]),
        Value::Array(items) => items
            .iter()
            .map(|i| i.as_str().map(str::to_string).ok_or_else(shape))
            .collect(),
        _ => Err(shape()),
    }
}

/// Text of a text column as the seed gives it: a string, or other JSON as compact text.
pub(super) fn text_of(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}
