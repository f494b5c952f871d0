//! A Notion page, read in one pass from the text Notion sent: the text is kept as the
//! page's raw JSON, titles and rich text are read straight from it, and every other
//! property goes through [`Property::from_json`].

use std::borrow::Cow;

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;

use super::object::{Parent, RichText, TrashFlags, User, plain_text};
use super::property::{Property, PropertyValue};

/// A page, with its properties in Notion's order.
#[derive(Debug, Clone)]
pub struct Page {
    pub id: String,
    pub created_time: DateTime<Utc>,
    pub last_edited_time: DateTime<Utc>,
    pub created_by: Option<User>,
    pub last_edited_by: Option<User>,
    pub parent: Parent,
    pub in_trash: bool,
    /// Archived in Notion (2026): out of its views and of default queries, not trashed.
    pub is_archived: bool,
    pub url: Option<String>,
    pub properties: Vec<(String, Property)>,
    /// The page's JSON text exactly as Notion sent it (relations past 25 are completed in
    /// `properties` only). Kept as text, not as a parsed tree: storing it costs no
    /// re-serialisation, and it is a fraction of a tree's memory. [`Page::raw_value`]
    /// parses it.
    pub raw: Box<RawValue>,
}

/// The top-level fields of a page, read in one pass over its JSON (no
/// `#[serde(flatten)]`, which buffers the whole page once more). `P` reads `properties`.
#[derive(Deserialize)]
struct PageFields<P> {
    #[serde(default)]
    object: Option<String>,
    id: String,
    created_time: DateTime<Utc>,
    last_edited_time: DateTime<Utc>,
    #[serde(default)]
    created_by: Option<User>,
    #[serde(default)]
    last_edited_by: Option<User>,
    #[serde(default)]
    parent: Parent,
    #[serde(default)]
    in_trash: Option<bool>,
    #[serde(default)]
    archived: Option<bool>,
    #[serde(default)]
    is_archived: Option<bool>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    properties: P,
}

/// A page's `properties` object read from text, in Notion's order: each value is read as
/// JSON once and typed leniently ([`Property::from_json`] never fails).
#[derive(Default)]
struct PropertyList(Vec<(String, Property)>);

impl<'de> Deserialize<'de> for PropertyList {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = PropertyList;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object of page properties")
            }
            // Anything but an object reads as no properties, as in `Page::from_json`.
            fn visit_unit<E>(self) -> Result<PropertyList, E> {
                Ok(PropertyList::default())
            }
            fn visit_bool<E>(self, _: bool) -> Result<PropertyList, E> {
                Ok(PropertyList::default())
            }
            fn visit_i64<E>(self, _: i64) -> Result<PropertyList, E> {
                Ok(PropertyList::default())
            }
            fn visit_u64<E>(self, _: u64) -> Result<PropertyList, E> {
                Ok(PropertyList::default())
            }
            fn visit_f64<E>(self, _: f64) -> Result<PropertyList, E> {
                Ok(PropertyList::default())
            }
            fn visit_str<E>(self, _: &str) -> Result<PropertyList, E> {
                Ok(PropertyList::default())
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<PropertyList, A::Error> {
                while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                Ok(PropertyList::default())
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<PropertyList, A::Error> {
                let mut properties = Vec::with_capacity(map.size_hint().unwrap_or(16));
                while let Some((name, envelope)) = map.next_entry::<String, Envelope<'de>>()? {
                    properties.push((name, envelope.property()));
                }
                Ok(PropertyList(properties))
            }
        }
        deserializer.deserialize_any(Visit)
    }
}

/// A property's envelope (`{"id", "type", <type>: body, …}`) as text borrowed from the
/// page, not yet parsed: the common text types are read straight from it, without an
/// intermediate JSON tree (building that tree cost most of a page's parsing).
enum Envelope<'de> {
    Object(Vec<(JsonKey<'de>, &'de RawValue)>),
    /// Not an object (Notion never sends one): kept for `Property::from_json` to judge.
    Other(Value),
}

/// An object key (or any string) read from JSON text: borrowed from the text unless it holds
/// escapes. (`Cow<str>` itself always copies when deserialized.)
pub struct JsonKey<'de>(pub Cow<'de, str>);

impl<'de> Deserialize<'de> for JsonKey<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = JsonKey<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, text: &'de str) -> Result<JsonKey<'de>, E> {
                Ok(JsonKey(Cow::Borrowed(text)))
            }
            fn visit_str<E>(self, text: &str) -> Result<JsonKey<'de>, E> {
                Ok(JsonKey(Cow::Owned(text.to_string())))
            }
        }
        deserializer.deserialize_str(Visit)
    }
}

impl<'de> Deserialize<'de> for Envelope<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Envelope<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a property value")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Envelope<'de>, A::Error> {
                let mut entries = Vec::with_capacity(4);
                while let Some(entry) = map.next_entry::<JsonKey<'de>, &'de RawValue>()? {
                    entries.push(entry);
                }
                Ok(Envelope::Object(entries))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                seq: A,
            ) -> Result<Envelope<'de>, A::Error> {
                let items = Value::deserialize(serde::de::value::SeqAccessDeserializer::new(seq))?;
                Ok(Envelope::Other(items))
            }
            fn visit_unit<E>(self) -> Result<Envelope<'de>, E> {
                Ok(Envelope::Other(Value::Null))
            }
            fn visit_bool<E>(self, value: bool) -> Result<Envelope<'de>, E> {
                Ok(Envelope::Other(Value::Bool(value)))
            }
            fn visit_i64<E>(self, value: i64) -> Result<Envelope<'de>, E> {
                Ok(Envelope::Other(Value::from(value)))
            }
            fn visit_u64<E>(self, value: u64) -> Result<Envelope<'de>, E> {
                Ok(Envelope::Other(Value::from(value)))
            }
            fn visit_f64<E>(self, value: f64) -> Result<Envelope<'de>, E> {
                Ok(Envelope::Other(Value::from(value)))
            }
            fn visit_str<E>(self, value: &str) -> Result<Envelope<'de>, E> {
                Ok(Envelope::Other(Value::String(value.to_string())))
            }
        }
        deserializer.deserialize_any(Visit)
    }
}

impl Envelope<'_> {
    /// The last entry named `key`, as a JSON object keeps it.
    fn get(&self, key: &str) -> Option<&RawValue> {
        match self {
            Envelope::Object(entries) => entries
                .iter()
                .rev()
                .find(|(name, _)| name.0 == key)
                .map(|(_, raw)| *raw),
            Envelope::Other(_) => None,
        }
    }

    fn string(&self, key: &str) -> Option<JsonKey<'_>> {
        serde_json::from_str(self.get(key)?.get()).ok()
    }

    /// The property, exactly as [`Property::from_json`] reads the envelope's JSON.
    fn property(self) -> Property {
        let text = match self.string("type").as_ref().map(|kind| kind.0.as_ref()) {
            Some(kind @ ("title" | "rich_text")) => self
                .get(kind)
                .and_then(|body| serde_json::from_str::<Vec<RichText>>(body.get()).ok())
                .map(|items| match kind {
                    "title" => PropertyValue::Title(items),
                    _ => PropertyValue::RichText(items),
                }),
            _ => None,
        };
        match text {
            Some(value) => Property {
                id: self
                    .string("id")
                    .map(|id| id.0.into_owned())
                    .unwrap_or_default(),
                value,
            },
            // Every other type, and a text body that does not read as rich text (which
            // `Property::from_json` turns into `Unknown`), through the JSON tree.
            None => Property::from_json(&self.into_value()),
        }
    }

    fn into_value(self) -> Value {
        match self {
            Envelope::Object(entries) => Value::Object(
                entries
                    .into_iter()
                    .map(|(key, raw)| {
                        let value = serde_json::from_str(raw.get()).unwrap_or(Value::Null);
                        (key.0.into_owned(), value)
                    })
                    .collect(),
            ),
            Envelope::Other(value) => value,
        }
    }
}

/// Just the `object` field of a JSON object.
#[derive(Deserialize)]
struct ObjectKind {
    #[serde(default)]
    object: Option<String>,
}

impl Page {
    /// A page from its JSON text, as Notion sent it (kept as [`Page::raw`]).
    pub fn from_raw(raw: Box<RawValue>) -> Result<Page, serde_json::Error> {
        let mut fields: PageFields<PropertyList> = serde_json::from_str(raw.get())?;
        let properties = std::mem::take(&mut fields.properties).0;
        Ok(Page::assemble(fields, properties, raw))
    }

    /// A page from an item of a list Notion sent (a query's results, a search's): `None`
    /// when the item is another object (wiki data sources list data sources among their
    /// rows).
    pub fn from_listed(raw: Box<RawValue>) -> Result<Option<Page>, serde_json::Error> {
        match serde_json::from_str::<PageFields<PropertyList>>(raw.get()) {
            Ok(mut fields) if fields.object.as_deref() == Some("page") => {
                let properties = std::mem::take(&mut fields.properties).0;
                Ok(Some(Page::assemble(fields, properties, raw)))
            }
            Ok(_) => Ok(None),
            Err(e) => match serde_json::from_str::<ObjectKind>(raw.get()) {
                Ok(kind) if kind.object.as_deref() != Some("page") => Ok(None),
                _ => Err(e),
            },
        }
    }

    /// A page from parsed JSON (its text is written out once, for [`Page::raw`]).
    pub fn from_json(raw: Value) -> Result<Page, serde_json::Error> {
        let fields = PageFields::<serde::de::IgnoredAny>::deserialize(&raw)?;
        // Read in place, not copied into an owned map first.
        let properties = raw
            .get("properties")
            .and_then(Value::as_object)
            .map(|properties| {
                properties
                    .iter()
                    .map(|(name, value)| (name.clone(), Property::from_json(value)))
                    .collect()
            })
            .unwrap_or_default();
        Ok(Page::assemble(
            fields,
            properties,
            serde_json::value::to_raw_value(&raw)?,
        ))
    }

    fn assemble<P>(
        fields: PageFields<P>,
        properties: Vec<(String, Property)>,
        raw: Box<RawValue>,
    ) -> Page {
        Page {
            id: fields.id,
            created_time: fields.created_time,
            last_edited_time: fields.last_edited_time,
            created_by: fields.created_by,
            last_edited_by: fields.last_edited_by,
            parent: fields.parent,
            in_trash: TrashFlags {
                in_trash: fields.in_trash,
                archived: fields.archived,
            }
            .in_trash(),
            is_archived: fields.is_archived.unwrap_or(false),
            url: fields.url,
            properties,
            raw,
        }
    }

    /// The page as Notion sent it, parsed.
    pub fn raw_value(&self) -> Value {
        serde_json::from_str(self.raw.get()).unwrap_or(Value::Null)
    }

    pub fn property(&self, name: &str) -> Option<&Property> {
        self.properties
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, p)| p)
    }

    pub fn property_mut(&mut self, name: &str) -> Option<&mut Property> {
        self.properties
            .iter_mut()
            .find(|(n, _)| n == name)
            .map(|(_, p)| p)
    }

    /// The text of the page's title property.
    pub fn title(&self) -> String {
        self.properties
            .iter()
            .find_map(|(_, p)| match &p.value {
                super::PropertyValue::Title(t) => Some(plain_text(t)),
                _ => None,
            })
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn page_with(properties: Value) -> Value {
        json!({
            "object": "page", "id": "p1",
            "created_time": "2026-11-01T09:00:00.000Z",
            "last_edited_time": "2026-11-02T09:00:00.000Z",
            "parent": {"type": "data_source_id", "data_source_id": "ds"},
            "properties": properties,
        })
    }

    fn text(content: &str) -> Value {
        json!({"type": "text", "text": {"content": content, "link": null},
            "annotations": {"bold": false, "color": "default"},
            "plain_text": content, "href": null})
    }

    /// Read from text (as a sync reads) or from a parsed tree, a page is the same page.
    #[test]
    fn text_and_tree_read_the_same_properties() {
        let odd = [
            json!({"id": "a", "type": "title", "title": [text("T"), text("é\"\\n")]}),
            json!({"id": "b", "type": "rich_text", "rich_text": []}),
            json!({"id": "c", "type": "rich_text", "rich_text": null}),
            json!({"id": "d", "type": "rich_text"}),
            json!({"id": "e", "type": "rich_text", "rich_text": [1, 2]}),
            json!({"id": 7, "type": "title", "title": [text("x")]}),
            json!({"type": "rich_text", "rich_text": [text("no id")]}),
            json!({"id": "f", "type": "select", "select": {"name": "A", "color": "red"}}),
            json!({"id": "g", "type": "relation", "relation": [{"id": "r"}], "has_more": true}),
            json!({"id": "h", "type": "number", "number": 1.5}),
            json!({"id": "i", "type": "mystery", "mystery": {"x": [1, {"y": null}]}}),
            json!({"id": "j", "type": 3}),
            json!({"id": "k\u{1}", "ty\\pe": "rich_text"}),
            json!(null),
            json!("a string"),
            json!([1, "two", {"three": 3}]),
            json!(12),
            json!(-3),
            json!(2.5),
            json!(true),
            json!({}),
        ];
        let properties: serde_json::Map<String, Value> = odd
            .iter()
            .enumerate()
            .map(|(n, value)| (format!("P{n}"), value.clone()))
            .collect();
        let tree = Page::from_json(page_with(Value::Object(properties.clone()))).unwrap();
        let text = serde_json::to_string(&page_with(Value::Object(properties))).unwrap();
        let from_text = Page::from_raw(RawValue::from_string(text.clone()).unwrap()).unwrap();
        assert_eq!(from_text.properties, tree.properties);
        assert_eq!(from_text.raw.get(), text, "kept as sent");
        assert_eq!(tree.raw.get(), text);
        // Duplicate keys: the last one counts, as in a parsed object.
        let duplicated = r#"{"object":"page","id":"p","created_time":"2026-11-01T09:00:00.000Z",
            "last_edited_time":"2026-11-01T09:00:00.000Z","properties":{"N":{"id":"x","type":"title",
            "title":[{"plain_text":"a","plain_text":"b"}],"id":"y"}}}"#;
        let from_text = Page::from_raw(RawValue::from_string(duplicated.into()).unwrap()).unwrap();
        let tree = Page::from_json(serde_json::from_str(duplicated).unwrap()).unwrap();
        assert_eq!(from_text.properties, tree.properties);
        for properties in [json!(null), json!([1]), json!("x")] {
            let text = serde_json::to_string(&page_with(properties.clone())).unwrap();
            let from_text = Page::from_raw(RawValue::from_string(text).unwrap()).unwrap();
            let tree = Page::from_json(page_with(properties)).unwrap();
            assert_eq!(from_text.properties, tree.properties);
        }
    }

    #[test]
    fn a_listed_data_source_is_skipped_and_a_broken_page_is_an_error() {
        let listed =
            |value: Value| Page::from_listed(serde_json::value::to_raw_value(&value).unwrap());
        assert!(
            listed(json!({"object": "data_source", "id": "d"}))
                .unwrap()
                .is_none()
        );
        assert!(listed(json!({"id": "no object"})).unwrap().is_none());
        assert!(listed(json!({"object": "page", "id": "p"})).is_err());
        let page = listed(page_with(json!({}))).unwrap().unwrap();
        assert_eq!(page.id, "p1");
        assert_eq!(page.raw_value(), page_with(json!({})));
    }
}
