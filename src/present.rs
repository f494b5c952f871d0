//! Showing record values to people, the same way on the command line and in the
//! dashboard: text for tables, plain JSON for scripts, related pages by their titles,
//! dates and durations as people read them, and text from Notion made safe to print.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::domain::record::{FieldValue, Link, Record};
use crate::notion::DateValue;
use crate::store::Store;

/// Titles of related pages, by page id, from the store.
#[derive(Debug, Default)]
pub struct Titles(HashMap<String, String>);

impl Titles {
    /// The titles of every page that `columns` of `records` link to (those the store holds;
    /// the others show as ids).
    pub fn for_records(
        store: &Store,
        records: &[&Record],
        columns: &[&str],
    ) -> color_eyre::Result<Titles> {
        let mut ids = Vec::new();
        for record in records {
            for column in columns {
                if let Some(FieldValue::Link(Link::Pages(pages))) = record.value(column) {
                    ids.extend(pages.iter().cloned());
                }
            }
        }
        ids.sort();
        ids.dedup();
        Ok(Titles(store.titles(&ids)?))
    }

    /// Adds the titles of the pages `columns` of `record` link to that are not known yet:
    /// for reading records one at a time.
    pub fn learn(
        &mut self,
        store: &Store,
        record: &Record,
        columns: &[&str],
    ) -> color_eyre::Result<()> {
        let mut unknown = Vec::new();
        for column in columns {
            if let Some(FieldValue::Link(Link::Pages(pages))) = record.value(column) {
                unknown.extend(pages.iter().filter(|id| !self.0.contains_key(*id)).cloned());
            }
        }
        if !unknown.is_empty() {
            let found = store.titles(&unknown)?;
            for id in unknown {
                // An id the store lacks shows as itself; remembering it saves asking again.
                let title = found.get(&id).cloned().unwrap_or_else(|| id.clone());
                self.0.insert(id, title);
            }
        }
        Ok(())
    }

    fn title<'a>(&'a self, id: &'a str) -> &'a str {
        self.0.get(id).map(String::as_str).unwrap_or(id)
    }
}

/// A date as people read it: the day, and the minute when there is a time (in UTC).
pub fn date_text(date: &DateValue) -> String {
    let show = |text: &str| match DateTime::parse_from_rfc3339(text) {
        Ok(at) => at.with_timezone(&Utc).format("%Y-%m-%d %H:%M").to_string(),
        Err(_) => text.to_string(),
    };
    match &date.end {
        Some(end) => format!("{} → {}", show(&date.start), show(end)),
        None => show(&date.start),
    }
}

/// Text from Notion made safe for a terminal: control characters (ESC starting an escape
/// or OSC sequence, BEL, backspace, …) and bidirectional overrides are replaced by `�`, so a
/// record cannot move the cursor, retitle the window, or reorder what is shown. Newlines
/// and tabs become spaces.
///
/// Control characters are the C0 set (U+0000–U+001F, ESC among them), DEL and the C1 set
/// (U+0080–U+009F: U+009B is CSI and U+009D OSC for terminals that read 8-bit controls).
/// Everything else (accents, emoji, CJK, right-to-left letters) is kept as it is.
pub fn inert(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\n' | '\r' | '\t' => ' ',
            c if hazardous(c) => '\u{FFFD}',
            c => c,
        })
        .collect()
}

/// A character a terminal acts on instead of showing: a C0 or C1 control or DEL
/// (`char::is_control`), or a bidi embedding, override or isolate (U+202A–U+202E,
/// U+2066–U+2069).
pub fn hazardous(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// A value as one line of JSON, safe to reach a terminal: the exact JSON `serde_json`
/// writes (which escapes U+0000–U+001F), with DEL, the C1 controls and the bidi controls
/// escaped as `\uXXXX` too, so `hsn … --json` shown raw cannot drive the terminal. It
/// parses back to exactly the same value.
pub fn json_text<T: serde::Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    let mut out = Vec::new();
    value.serialize(&mut serde_json::Serializer::with_formatter(
        &mut out, InertJson,
    ))?;
    // Only `str` fragments and ASCII escapes were written.
    Ok(String::from_utf8(out).expect("serde_json writes UTF-8"))
}

/// `serde_json`'s compact formatter, escaping [`hazardous`] characters it leaves raw.
struct InertJson;

impl serde_json::ser::Formatter for InertJson {
    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        let mut start = 0;
        for (at, c) in fragment.char_indices() {
            if hazardous(c) {
                writer.write_all(&fragment.as_bytes()[start..at])?;
                // Every hazardous character is in the Basic Multilingual Plane: one escape.
                write!(writer, "\\u{:04x}", u32::from(c))?;
                start = at + c.len_utf8();
            }
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }
}

/// One cell of column `column` for people, safe to print: made [`inert`], and a
/// credential in it masked and marked (`⚠ sk_live_••••••••3kQ9`, see `domain::secrets`):
/// tables, the detail pane and text output show it so. JSON output uses [`plain`], exact.
pub fn cell(column: &str, value: Option<&FieldValue>, titles: &Titles) -> String {
    for_people(&raw_cell(value, titles), column)
}

/// What a cell of `column` holding a credential says beside its masked value
/// (`⚠ looks like a Stripe secret key — move it to your secret store`).
pub fn cell_hint(column: &str, value: Option<&FieldValue>, titles: &Titles) -> Option<String> {
    let (_, description) = crate::domain::secrets::shown(&raw_cell(value, titles), column)?;
    Some(crate::domain::secrets::hint(description))
}

/// Text of column `column` for people: [`inert`], credentials masked and marked.
pub fn for_people(text: &str, column: &str) -> String {
    match crate::domain::secrets::shown(text, column) {
        Some((masked, _)) => inert(&masked),
        None => inert(text),
    }
}

fn raw_cell(value: Option<&FieldValue>, titles: &Titles) -> String {
    match value {
        None => String::new(),
        Some(FieldValue::Text(text)) => text.clone(),
        Some(FieldValue::OptText(text)) => text.clone().unwrap_or_default(),
        Some(FieldValue::Names(names)) => names.join(", "),
        Some(FieldValue::Number(n)) => n.map(|n| n.to_string()).unwrap_or_default(),
        Some(FieldValue::Date(d)) => d.as_ref().map(date_text).unwrap_or_default(),
        Some(FieldValue::Link(Link::Pages(ids))) => ids
            .iter()
            .map(|id| titles.title(id))
            .collect::<Vec<_>>()
            .join(", "),
        Some(FieldValue::Link(Link::Text(text))) => text.clone(),
    }
}

/// One value for JSON output: links as `[{"id", "title"}]` (relations) or their text.
pub fn plain(value: Option<&FieldValue>, titles: &Titles) -> Value {
    match value {
        None => Value::Null,
        Some(FieldValue::Text(text)) => json!(text),
        Some(FieldValue::OptText(text)) => json!(text),
        Some(FieldValue::Names(names)) => json!(names),
        Some(FieldValue::Number(n)) => json!(n),
        Some(FieldValue::Date(d)) => d.as_ref().map_or(
            Value::Null,
            |d| json!({"start": d.start, "end": d.end, "time_zone": d.time_zone}),
        ),
        Some(FieldValue::Link(Link::Pages(ids))) => {
            json!(
                ids.iter()
                    .map(|id| json!({"id": id, "title": titles.title(id)}))
                    .collect::<Vec<_>>()
            )
        }
        Some(FieldValue::Link(Link::Text(text))) => json!(text),
    }
}

/// A record as one JSON object: its page id, its database alias, whether writes to it are
/// still pending, and the columns asked for.
pub fn record_json(record: &Record, columns: &[&str], titles: &Titles, pending: bool) -> Value {
    let mut properties = serde_json::Map::new();
    for column in columns {
        properties.insert(column.to_string(), plain(record.value(column), titles));
    }
    json!({
        "id": record.page_id,
        "database": record.schema().alias,
        "pending": pending,
        "properties": properties,
    })
}

/// Cuts text to `width` characters, marking the cut with `…`: the one way text is
/// shortened on screen, so a cut never goes unseen.
pub fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut cut: String = text.chars().take(width - 1).collect();
    cut.push('…');
    cut
}

/// A duration as people say it: `3d 4h`, `5h 12m`, `42m`, `10s`.
pub fn duration_text(duration: chrono::Duration) -> String {
    let secs = duration.num_seconds().max(0);
    let (days, hours, minutes) = (secs / 86_400, secs % 86_400 / 3_600, secs % 3_600 / 60);
    match (days, hours, minutes) {
        (0, 0, 0) => format!("{secs}s"),
        (0, 0, m) => format!("{m}m"),
        (0, h, m) => format!("{h}h {m}m"),
        (d, h, _) => format!("{d}d {h}h"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_and_bidi_overrides_are_inert() {
        let hostile = "ok\u{1b}]0;pwned\u{7}\u{1b}[2J\u{202e}txt.exe\nnext";
        let safe = inert(hostile);
        assert!(!safe.chars().any(|c| c.is_control()), "{safe:?}");
        assert!(!safe.contains('\u{202e}'));
        assert_eq!(
            safe,
            "ok\u{FFFD}]0;pwned\u{FFFD}\u{FFFD}[2J\u{FFFD}txt.exe next"
        );
    }

    /// Every character a terminal acts on: C0 (ESC, BEL, …), DEL, C1 (CSI U+009B, OSC
    /// U+009D, …), bidi embeddings, overrides and isolates.
    fn hazards() -> Vec<char> {
        let mut all: Vec<char> = (0u32..0x20)
            .chain(0x7f..0xa0)
            .filter_map(char::from_u32)
            .collect();
        all.extend(('\u{202A}'..='\u{202E}').chain('\u{2066}'..='\u{2069}'));
        all
    }

    #[test]
    fn every_control_and_bidi_character_is_inert() {
        for c in hazards() {
            let safe = inert(&format!("a{c}b"));
            let expected = if matches!(c, '\n' | '\r' | '\t') {
                "a b"
            } else {
                "a\u{FFFD}b"
            };
            assert_eq!(safe, expected, "U+{:04X}", u32::from(c));
            assert!(hazardous(c), "U+{:04X}", u32::from(c));
        }
        let osc52 = "\u{1b}]52;c;aGk=\u{7}\u{9b}2J\u{9d}0;t\u{9c}\u{7f}";
        assert!(!inert(osc52).chars().any(hazardous), "{:?}", inert(osc52));
    }

    #[test]
    fn ordinary_text_is_left_alone() {
        let text = "Café crème, Ñandú, Grüße — 日本語のタスク, 한국어, 中文 🎉👩🏽‍💻 שלום مرحبا ½ € “quotes” \u{00A0}nbsp \u{200D}zwj";
        assert_eq!(inert(text), text);
        assert!(!text.chars().any(hazardous));
    }

    #[test]
    fn json_text_escapes_what_a_terminal_acts_on_and_parses_back_exactly() {
        let hostile = "t\u{1b}]52;c;aGk=\u{7}\u{1b}[2J\u{9b}31m\u{9d}0;x\u{7f}\u{202e}gnp.exe\u{2066}\"\\\n日本 🎉";
        let value = json!({"title": hostile, "list": [hostile], hostile: 1});
        let text = json_text(&value).unwrap();
        assert!(!text.chars().any(hazardous), "{text:?}");
        assert!(
            text.contains("\\u001b") && text.contains("\\u009b") && text.contains("\\u202e"),
            "{text}"
        );
        assert!(text.contains("日本 🎉"), "{text}");
        let back: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, value);
        assert_eq!(back["title"], hostile);
        // Without hazards it is exactly what serde_json writes.
        let plain = json!({"a": "Café 日本 🎉 \"q\" \u{1}", "n": [1, 2.5, null, true]});
        assert_eq!(json_text(&plain).unwrap(), plain.to_string());
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration_text(chrono::Duration::seconds(10)), "10s");
        assert_eq!(duration_text(chrono::Duration::minutes(42)), "42m");
        assert_eq!(
            duration_text(chrono::Duration::minutes(5 * 60 + 12)),
            "5h 12m"
        );
        assert_eq!(duration_text(chrono::Duration::hours(76)), "3d 4h");
    }

    #[test]
    fn dates_show_the_minute_in_utc() {
        let date = DateValue {
            start: "2026-11-20T14:03:00.000+01:00".into(),
            end: None,
            time_zone: None,
        };
        assert_eq!(date_text(&date), "2026-11-20 13:03");
        let day = DateValue {
            start: "2026-11-20".into(),
            end: None,
            time_zone: None,
        };
        assert_eq!(date_text(&day), "2026-11-20");
    }
}
