//! The codec of an instance's `History Log`: one JSON array of entries in the original
//! server's envelope `{"timestamp", "action", "details"}`, split across text objects.
//!
//! The log is shared with the original agents, which rewrite it blindly, so reading never
//! fails and never drops anything: an item that is not a readable entry is kept as raw
//! text and written back as it was, and entries are re-encoded from the JSON object they
//! were read from (DESIGN.md §4).

use chrono::{DateTime, NaiveDate, NaiveDateTime, SecondsFormat, Utc};
use serde_json::{Map, Value, json};

use crate::notion::{TextTooLong, rich_text_value};

mod correction;
mod task;

pub use correction::EntryKind;
pub use task::{NO_VALUE, TaskChange};

/// One readable entry of the log.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryEntry {
    timestamp: DateTime<Utc>,
    action: String,
    /// The object as read (or as hsn built it): what is written back. Its `details`
    /// (an object, or absent, or null) are the entry's details.
    json: Map<String, Value>,
}

/// The details of an entry without any.
static NO_DETAILS: std::sync::LazyLock<Map<String, Value>> = std::sync::LazyLock::new(Map::new);

impl HistoryEntry {
    /// A state change by `actor`: action `"[ACTOR] Transitioned from X to Y"`, with
    /// `actor`, `from`, `to` and `note` (when given) in `details`.
    pub fn transition(
        actor: &str,
        from: &str,
        to: &str,
        note: Option<&str>,
        at: DateTime<Utc>,
    ) -> Self {
        let mut details = Map::new();
        // First, so the stored object reads actor, from, to, note.
        details.insert("actor".into(), json!(actor));
        details.insert("from".into(), json!(from));
        details.insert("to".into(), json!(to));
        if let Some(note) = note {
            details.insert("note".into(), json!(note));
        }
        Self::event(
            actor,
            &format!("Transitioned from {from} to {to}"),
            details,
            at,
        )
    }

    /// Any other entry: the action gets the `"[actor] "` prefix the original agents used,
    /// and `details.actor` is set to `actor`.
    pub fn event(
        actor: &str,
        action: &str,
        mut details: Map<String, Value>,
        at: DateTime<Utc>,
    ) -> Self {
        details.insert("actor".into(), json!(actor));
        let action = format!("[{actor}] {action}");
        let mut json = Map::new();
        // Every digit of the instant, so reading it back gives the same entry.
        json.insert(
            "timestamp".into(),
            json!(at.to_rfc3339_opts(SecondsFormat::AutoSi, true)),
        );
        json.insert("action".into(), json!(action));
        json.insert("details".into(), Value::Object(details));
        HistoryEntry {
            timestamp: at,
            action,
            json,
        }
    }

    /// Reads one item of the array; `None` when it is not an entry (no readable
    /// timestamp, no action text, or details that are not an object).
    pub fn from_json(item: &Value) -> Option<Self> {
        Self::from_value(item.clone()).ok()
    }

    /// [`HistoryEntry::from_json`] taking the item, which it gives back when it is not an
    /// entry.
    pub fn from_value(item: Value) -> Result<Self, Value> {
        let Value::Object(json) = item else {
            return Err(item);
        };
        let read = || {
            let timestamp = parse_timestamp(json.get("timestamp")?.as_str()?)?;
            let action = json.get("action")?.as_str()?.to_string();
            match json.get("details") {
                None | Some(Value::Null | Value::Object(_)) => Some((timestamp, action)),
                Some(_) => None,
            }
        };
        match read() {
            Some((timestamp, action)) => Ok(HistoryEntry {
                timestamp,
                action,
                json,
            }),
            None => Err(Value::Object(json)),
        }
    }

    /// The JSON object written to the log.
    pub fn to_json(&self) -> &Map<String, Value> {
        &self.json
    }

    pub fn timestamp(&self) -> DateTime<Utc> {
        self.timestamp
    }

    /// The action as stored, with its `[Actor] ` prefix if it has one.
    pub fn action(&self) -> &str {
        &self.action
    }

    /// The action without its `[Actor] ` prefix.
    pub fn summary(&self) -> &str {
        // The exact prefix of details.actor first: an actor may itself contain "] ".
        if let Some(rest) = self
            .detail("actor")
            .and_then(|actor| self.action.strip_prefix(&format!("[{actor}] ")))
        {
            return rest;
        }
        split_prefix(&self.action).map_or(&self.action, |(_, rest)| rest)
    }

    /// `details.actor`, else the `[prefix]` of the action.
    pub fn actor(&self) -> Option<&str> {
        self.detail("actor").or_else(|| {
            split_prefix(&self.action)
                .map(|(actor, _)| actor)
                .filter(|a| !a.is_empty())
        })
    }

    /// The states of a transition: `details.from`/`to`, else read from a
    /// `"Transitioned from X to Y"` action (with or without the original `" via NAME"`).
    pub fn transition_states(&self) -> Option<(&str, &str)> {
        // A task edit names its values, which may read like a move: never one.
        if self.edited_task().is_some() {
            return None;
        }
        if let (Some(from), Some(to)) = (self.detail("from"), self.detail("to")) {
            return Some((from, to));
        }
        let (from, to) = self
            .summary()
            .strip_prefix("Transitioned from ")?
            .split_once(" to ")?;
        let to = to.split_once(" via ").map_or(to, |(to, _)| to);
        Some((from, to))
    }

    pub fn note(&self) -> Option<&str> {
        self.detail("note")
    }

    pub fn details(&self) -> &Map<String, Value> {
        match self.json.get("details") {
            Some(Value::Object(details)) => details,
            _ => &NO_DETAILS,
        }
    }

    /// Identity: the same instant, actor, action and details, however the timestamp was
    /// spelled (`…33.5` and `…33.500+00:00` are one entry).
    pub fn same_as(&self, other: &HistoryEntry) -> bool {
        self.timestamp == other.timestamp
            && self.action == other.action
            && self.actor() == other.actor()
            && self.details() == other.details()
    }

    /// A text equal for two entries exactly when they are the same entry (`same_as`): the
    /// instant (every digit), the action and the details with their keys sorted. It keys
    /// the entries the store remembers.
    pub fn identity_key(&self) -> String {
        json!([
            self.timestamp.to_rfc3339_opts(SecondsFormat::Nanos, true),
            self.action,
            canonical(&Value::Object(self.details().clone())),
        ])
        .to_string()
    }

    fn detail(&self, key: &str) -> Option<&str> {
        self.details()
            .get(key)
            .and_then(Value::as_str)
            .filter(|v| !v.is_empty())
    }
}

/// `value` with the keys of every object sorted, so equal values print alike.
fn canonical(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            Value::Object(
                keys.into_iter()
                    .map(|k| (k.clone(), canonical(&map[k])))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(canonical).collect()),
        other => other.clone(),
    }
}

fn split_prefix(action: &str) -> Option<(&str, &str)> {
    action.strip_prefix('[')?.split_once("] ")
}

/// Reads a timestamp as the original server or hsn wrote it: RFC 3339, or Python's naive
/// `isoformat()` (read as UTC), with `T` or a space; a bare date is midnight UTC.
pub fn parse_timestamp(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        return Some(time.with_timezone(&Utc));
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%d %H:%M:%S%.f%z"] {
        if let Ok(time) = DateTime::parse_from_str(text, format) {
            return Some(time.with_timezone(&Utc));
        }
    }
    for format in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(time) = NaiveDateTime::parse_from_str(text, format) {
            return Some(time.and_utc());
        }
    }
    let date = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
    Some(date.and_hms_opt(0, 0, 0)?.and_utc())
}

/// One item of the log.
#[derive(Debug, Clone, PartialEq)]
pub enum LogEntry {
    Entry(HistoryEntry),
    /// An item that is not a readable entry, as its JSON text; or the whole log text when
    /// it was not a JSON array at all.
    Raw(String),
}

impl LogEntry {
    fn same_as(&self, other: &LogEntry) -> bool {
        match (self, other) {
            (LogEntry::Entry(a), LogEntry::Entry(b)) => a.same_as(b),
            // By the item written, so a non-JSON text and the string item it became
            // after one write are the same item.
            (LogEntry::Raw(a), LogEntry::Raw(b)) => a == b || raw_item(a) == raw_item(b),
            _ => false,
        }
    }
}

/// The array item a raw text is written as: its JSON if it is JSON, else a string.
fn raw_item(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_string()))
}

/// The log does not fit in one Notion property; it is refused, never cut.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the history log has {} characters in {entries} entries, but one Notion property holds at \
     most {}",
    grouped(*.chars),
    grouped(*.limit)
)]
pub struct HistoryTooLong {
    pub chars: usize,
    pub limit: usize,
    pub entries: usize,
}

/// `200000` as `200,000`.
fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct HistoryLog {
    entries: Vec<LogEntry>,
}

impl HistoryLog {
    /// Reads the property's text (its text objects joined). Never fails: `""` is an empty
    /// log, text that is not a JSON array is one raw item, and array items that are not
    /// entries are raw items.
    pub fn decode(text: &str) -> HistoryLog {
        if text.trim().is_empty() {
            return HistoryLog::default();
        }
        let entries = match serde_json::from_str(text) {
            Ok(Value::Array(items)) => items
                .into_iter()
                .map(|item| {
                    HistoryEntry::from_value(item)
                        .map_or_else(|item| LogEntry::Raw(item.to_string()), LogEntry::Entry)
                })
                .collect(),
            // A log holding one bare entry (not in an array) is that entry: read as raw
            // text it would turn into an entry at the next write, and differ from itself.
            Ok(item @ Value::Object(_)) => vec![
                HistoryEntry::from_json(&item)
                    .map_or_else(|| LogEntry::Raw(text.to_string()), LogEntry::Entry),
            ],
            _ => vec![LogEntry::Raw(text.to_string())],
        };
        HistoryLog { entries }
    }

    /// The items in log order.
    pub fn entries(&self) -> &[LogEntry] {
        &self.entries
    }

    /// The readable entries in log order.
    pub fn history_entries(&self) -> impl Iterator<Item = &HistoryEntry> {
        self.entries.iter().filter_map(|e| match e {
            LogEntry::Entry(entry) => Some(entry),
            LogEntry::Raw(_) => None,
        })
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn push(&mut self, entry: HistoryEntry) {
        self.entries.push(LogEntry::Entry(entry));
    }

    /// The log as compact JSON array text.
    pub fn encode_text(&self) -> String {
        #[derive(serde::Serialize)]
        #[serde(untagged)]
        enum Item<'a> {
            Entry(&'a Map<String, Value>),
            Raw(Value),
        }
        let items: Vec<Item<'_>> = self
            .entries
            .iter()
            .map(|e| match e {
                LogEntry::Entry(entry) => Item::Entry(&entry.json),
                LogEntry::Raw(text) => Item::Raw(raw_item(text)),
            })
            .collect();
        serde_json::to_string(&items).expect("JSON values always serialise")
    }

    /// The request value of the `History Log` property, split into text objects.
    pub fn encode(&self) -> Result<Value, HistoryTooLong> {
        rich_text_value(&self.encode_text()).map_err(|TextTooLong { chars, limit }| {
            HistoryTooLong {
                chars,
                limit,
                entries: self.entries.len(),
            }
        })
    }

    /// Adds the items of `other` this log lacks (by identity), then orders everything by
    /// time, stably. A raw item has no time: it keeps its place after the entry it
    /// followed in its own log.
    pub fn merge(&mut self, other: &HistoryLog) {
        let mut keyed = timed(&self.entries);
        for (time, item) in timed(&other.entries) {
            if !keyed.iter().any(|(_, have)| have.same_as(&item)) {
                keyed.push((time, item));
            }
        }
        keyed.sort_by_key(|(time, _)| *time);
        self.entries = keyed.into_iter().map(|(_, item)| item).collect();
    }

    /// Puts back those of `entries` the log lacks (by identity, each once); returns the
    /// ones it put back. Each goes before the first entry later than it, so the rest of the log
    /// keeps its order: nothing the log holds is removed, moved or added twice.
    pub fn restore(&mut self, entries: &[HistoryEntry]) -> Vec<HistoryEntry> {
        let mut missing: Vec<HistoryEntry> = Vec::new();
        for entry in entries {
            if !self.contains(entry) && !missing.iter().any(|m| m.same_as(entry)) {
                missing.push(entry.clone());
            }
        }
        missing.sort_by_key(|e| e.timestamp);
        for entry in &missing {
            // Before the first entry later than it (raw items keep following theirs).
            let at = self
                .entries
                .iter()
                .position(
                    |item| matches!(item, LogEntry::Entry(e) if e.timestamp > entry.timestamp),
                )
                .unwrap_or(self.entries.len());
            self.entries.insert(at, LogEntry::Entry(entry.clone()));
        }
        missing
    }

    pub fn contains(&self, entry: &HistoryEntry) -> bool {
        self.history_entries().any(|e| e.same_as(entry))
    }

    /// Whether putting `entry` back would make the log contradict the instance's state
    /// (`current`): a change of state (a transition, or a revert) newer than every one the
    /// log holds, into another state. A blind writer overwrote that move with its own,
    /// stamped earlier; the newest change of state must stay the one that made the state.
    pub fn would_contradict(&self, entry: &HistoryEntry, current: &str) -> bool {
        let Some((_, entered)) = entry.state_change() else {
            return false;
        };
        entered != current
            && self
                .last_state_change()
                .is_none_or(|last| last.timestamp < entry.timestamp)
    }

    /// The latest transition entry (the later in the log on a tie). A revert is not one:
    /// who last moved the state is `last_state_change`.
    pub fn last_transition(&self) -> Option<&HistoryEntry> {
        self.history_entries()
            .filter(|e| e.transition_states().is_some())
            .fold(None, |last: Option<&HistoryEntry>, e| match last {
                Some(last) if last.timestamp > e.timestamp => Some(last),
                _ => Some(e),
            })
    }
}

/// Each item with its sort time: an entry's own, a raw item's predecessor's.
fn timed(entries: &[LogEntry]) -> Vec<(Option<DateTime<Utc>>, LogEntry)> {
    let mut last = None;
    entries
        .iter()
        .map(|item| {
            if let LogEntry::Entry(entry) = item {
                last = Some(entry.timestamp);
            }
            (last, item.clone())
        })
        .collect()
}

#[cfg(test)]
mod tests;
