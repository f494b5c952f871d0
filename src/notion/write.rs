//! Property values in Notion's *request* shape, for creating and updating pages.
//!
//! Each builder returns one entry of a page's `properties` object (`{"select": {…}}`), so
//! a caller assembles `{"Column": select_value(…), …}`. Notion refuses some values a naive
//! writer would send: text objects over 2,000 characters, more than 100 of them, and empty
//! strings in url, email and phone columns. The builders split or clear those instead,
//! and the one thing they cannot fix, text too long for any property, is an error.

use serde_json::{Value, json};

use super::property::DateValue;

/// The most characters (UTF-16 code units, as Notion counts) in one text object.
pub const TEXT_OBJECT_MAX: usize = 2_000;
/// The most text objects in one rich text array.
pub const RICH_TEXT_MAX_OBJECTS: usize = 100;
/// The longest text one title or rich_text property can hold.
pub const RICH_TEXT_MAX_CHARS: usize = TEXT_OBJECT_MAX * RICH_TEXT_MAX_OBJECTS;

/// Text that does not fit in one Notion property even when split, measured in UTF-16
/// code units. (In the rare case where surrogate pairs at every boundary push text just
/// under the limit into a 101st object, `chars` may equal `limit`.)
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "text of {chars} characters is too long for a Notion property, which holds at most {limit} \
     (100 text objects of 2,000)"
)]
pub struct TextTooLong {
    pub chars: usize,
    pub limit: usize,
}

/// Splits text into pieces of at most [`TEXT_OBJECT_MAX`] UTF-16 code units, never inside
/// a character (so never between the halves of a surrogate pair). Empty text gives no
/// pieces.
pub fn text_chunks(text: &str) -> Result<Vec<&str>, TextTooLong> {
    let too_long = |chars| TextTooLong {
        chars,
        limit: RICH_TEXT_MAX_CHARS,
    };
    // Cheap early refusal: a UTF-8 byte is at most one UTF-16 unit, so short text passes.
    let units = if text.len() <= RICH_TEXT_MAX_CHARS {
        None
    } else {
        let units = text.encode_utf16().count();
        if units > RICH_TEXT_MAX_CHARS {
            return Err(too_long(units));
        }
        Some(units)
    };
    let mut chunks = Vec::new();
    let (mut start, mut width) = (0, 0);
    for (at, c) in text.char_indices() {
        if width + c.len_utf16() > TEXT_OBJECT_MAX {
            chunks.push(&text[start..at]);
            (start, width) = (at, 0);
        }
        width += c.len_utf16();
    }
    if start < text.len() {
        chunks.push(&text[start..]);
    }
    if chunks.len() > RICH_TEXT_MAX_OBJECTS {
        return Err(too_long(
            units.unwrap_or_else(|| text.encode_utf16().count()),
        ));
    }
    Ok(chunks)
}

fn text_objects(text: &str) -> Result<Value, TextTooLong> {
    Ok(Value::Array(
        text_chunks(text)?
            .into_iter()
            .map(|chunk| json!({"type": "text", "text": {"content": chunk}}))
            .collect(),
    ))
}

/// A rich_text value holding `text`, split across text objects as needed.
pub fn rich_text_value(text: &str) -> Result<Value, TextTooLong> {
    Ok(json!({"rich_text": text_objects(text)?}))
}

/// A title value holding `text`, split across text objects as needed.
pub fn title_value(text: &str) -> Result<Value, TextTooLong> {
    Ok(json!({"title": text_objects(text)?}))
}

/// An option by name, or null. Notion has no empty option name, so `""` clears too.
fn option(name: Option<&str>) -> Value {
    match name {
        Some(name) if !name.is_empty() => json!({"name": name}),
        _ => Value::Null,
    }
}

/// A select value; `None` (or `""`) clears it.
pub fn select_value(name: Option<&str>) -> Value {
    json!({"select": option(name)})
}

/// A status value; `None` (or `""`) clears it.
pub fn status_value(name: Option<&str>) -> Value {
    json!({"status": option(name)})
}

/// A multi_select value; Notion adds options it does not know yet (for select too).
pub fn multi_select_value<S: AsRef<str>>(names: &[S]) -> Value {
    let options: Vec<Value> = names.iter().map(|n| json!({"name": n.as_ref()})).collect();
    json!({"multi_select": options})
}

/// A number value; `None` clears it. (JSON has no NaN or infinity: those clear it too.)
pub fn number_value(number: Option<f64>) -> Value {
    json!({"number": number})
}

/// A date value; `None` clears it. `end` and `time_zone` are sent only when set.
pub fn date_value(date: Option<&DateValue>) -> Value {
    let Some(date) = date else {
        return json!({"date": null});
    };
    let mut body = json!({"start": date.start});
    if let Some(end) = &date.end {
        body["end"] = json!(end);
    }
    if let Some(zone) = &date.time_zone {
        body["time_zone"] = json!(zone);
    }
    json!({"date": body})
}

/// Notion refuses an empty string in url, email and phone columns; null is how to clear.
fn non_empty(text: Option<&str>) -> Value {
    match text {
        Some(text) if !text.is_empty() => json!(text),
        _ => Value::Null,
    }
}

pub fn url_value(url: Option<&str>) -> Value {
    json!({"url": non_empty(url)})
}

pub fn email_value(email: Option<&str>) -> Value {
    json!({"email": non_empty(email)})
}

pub fn phone_number_value(phone: Option<&str>) -> Value {
    json!({"phone_number": non_empty(phone)})
}

/// A relation to the given page ids, replacing the current ones (empty clears it).
pub fn relation_value(page_ids: &[String]) -> Value {
    let refs: Vec<Value> = page_ids.iter().map(|id| json!({"id": id})).collect();
    json!({"relation": refs})
}

pub fn checkbox_value(checked: bool) -> Value {
    json!({"checkbox": checked})
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contents(value: &Value, kind: &str) -> Vec<String> {
        value[kind]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["text"]["content"].as_str().unwrap().to_string())
            .collect()
    }

    fn units(s: &str) -> usize {
        s.encode_utf16().count()
    }

    #[test]
    fn text_up_to_2000_is_one_object_and_2001_is_two() {
        let exact = "a".repeat(2_000);
        assert_eq!(
            contents(&rich_text_value(&exact).unwrap(), "rich_text"),
            [exact]
        );
        let over = "a".repeat(2_001);
        let pieces = contents(&rich_text_value(&over).unwrap(), "rich_text");
        assert_eq!(
            pieces.iter().map(|p| p.len()).collect::<Vec<_>>(),
            [2_000, 1]
        );
        assert_eq!(pieces.concat(), over);
        let title = title_value("Nyra").unwrap();
        assert_eq!(
            title,
            json!({"title": [{"type": "text", "text": {"content": "Nyra"}}]})
        );
        assert_eq!(rich_text_value("").unwrap(), json!({"rich_text": []}));
    }

    #[test]
    fn an_emoji_at_the_boundary_is_never_split() {
        // 1,999 units, then a two-unit emoji: it does not fit in the first object whole.
        let text = format!("{}🌿tail", "a".repeat(1_999));
        let pieces = text_chunks(&text).unwrap();
        assert_eq!(pieces, [&text[..1_999], "🌿tail"]);
        // Non-BMP characters count two units each, as Notion counts them.
        let emojis = "🌿".repeat(1_001);
        let pieces = text_chunks(&emojis).unwrap();
        assert_eq!(
            pieces.iter().map(|p| units(p)).collect::<Vec<_>>(),
            [2_000, 2]
        );
        // A character outside the BMP exactly filling the object stays whole too.
        let filled = format!("{}🌿", "a".repeat(1_998));
        assert_eq!(text_chunks(&filled).unwrap(), [filled.as_str()]);
    }

    #[test]
    fn one_hundred_objects_fit_and_a_hundred_and_first_is_refused() {
        let full = "x".repeat(RICH_TEXT_MAX_CHARS);
        assert_eq!(text_chunks(&full).unwrap().len(), 100);
        let over = "x".repeat(RICH_TEXT_MAX_CHARS + 1);
        let err = rich_text_value(&over).unwrap_err();
        assert_eq!(
            err,
            TextTooLong {
                chars: 200_001,
                limit: 200_000
            }
        );
        let message = err.to_string();
        assert!(
            message.contains("200001") && message.contains("200000"),
            "{message}"
        );
        // Surrogate pairs at every boundary: just under the limit, yet 101 objects.
        // Each object holds 1,999 units because the next character is an emoji.
        let tricky = format!("🌿{}🌿", "a".repeat(1_995)).repeat(100) + "🌿" + &"a".repeat(98);
        assert_eq!(units(&tricky), RICH_TEXT_MAX_CHARS);
        assert_eq!(text_chunks(&tricky).unwrap_err().chars, RICH_TEXT_MAX_CHARS);
    }

    #[test]
    fn empty_and_none_clear_the_value() {
        assert_eq!(select_value(None), json!({"select": null}));
        assert_eq!(select_value(Some("")), json!({"select": null}));
        assert_eq!(
            select_value(Some("High")),
            json!({"select": {"name": "High"}})
        );
        assert_eq!(status_value(None), json!({"status": null}));
        assert_eq!(
            status_value(Some("Active")),
            json!({"status": {"name": "Active"}})
        );
        assert_eq!(url_value(Some("")), json!({"url": null}));
        assert_eq!(email_value(None), json!({"email": null}));
        assert_eq!(
            email_value(Some("jane@example.com")),
            json!({"email": "jane@example.com"})
        );
        assert_eq!(phone_number_value(Some("")), json!({"phone_number": null}));
        assert_eq!(number_value(None), json!({"number": null}));
        assert_eq!(number_value(Some(4.5)), json!({"number": 4.5}));
        assert_eq!(date_value(None), json!({"date": null}));
        assert_eq!(relation_value(&[]), json!({"relation": []}));
        assert_eq!(multi_select_value::<&str>(&[]), json!({"multi_select": []}));
        assert_eq!(checkbox_value(true), json!({"checkbox": true}));
    }

    #[test]
    fn dates_relations_and_options_are_request_shapes() {
        let day = DateValue {
            start: "2026-03-14".into(),
            end: None,
            time_zone: None,
        };
        assert_eq!(
            date_value(Some(&day)),
            json!({"date": {"start": "2026-03-14"}})
        );
        let span = DateValue {
            start: "2026-03-14T09:00:00.000".into(),
            end: Some("2026-03-14T10:00:00.000".into()),
            time_zone: Some("America/New_York".into()),
        };
        assert_eq!(
            date_value(Some(&span)),
            json!({"date": {"start": "2026-03-14T09:00:00.000", "end": "2026-03-14T10:00:00.000", "time_zone": "America/New_York"}})
        );
        assert_eq!(
            relation_value(&["p1".into()]),
            json!({"relation": [{"id": "p1"}]})
        );
        assert_eq!(
            multi_select_value(&["CRM Sync", "Lead Processing"]),
            json!({"multi_select": [{"name": "CRM Sync"}, {"name": "Lead Processing"}]})
        );
    }
}
