//! The audit log across every instance: each entry of every History Log as one row of
//! activity (who did what, when, to which instance), its kind, and the filters an operator
//! asks it with (`actor=Solari kind=transition since=2d`).
//!
//! Pure: the store keeps these rows in its `entries` table (`store::activity`), the
//! dashboard's Activity tab and `hsn log` read them.

use std::fmt;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde_json::{Map, Value};

use super::history::{EntryKind, HistoryEntry, HistoryLog, LogEntry, parse_timestamp};

/// What an entry is, for the audit log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ActivityKind {
    /// A move of the workflow (`Transitioned from X to Y`).
    Transition,
    /// A task made from the instance (`Created task: …`).
    TaskCreated,
    /// A change hsn made to a task of the instance (`Task TASK-…: status To Do → Done`).
    Task,
    /// Something went wrong (`Error confirming booking`, `sync failed`).
    Error,
    /// An operator's correction outside the workflow (resolve, hold, resume, revert).
    Correction,
    /// Any other readable entry.
    Other,
    /// An item of the log that is not a readable entry, shown as it is.
    Unreadable,
}

impl ActivityKind {
    pub const ALL: [ActivityKind; 7] = [
        ActivityKind::Transition,
        ActivityKind::TaskCreated,
        ActivityKind::Task,
        ActivityKind::Error,
        ActivityKind::Correction,
        ActivityKind::Other,
        ActivityKind::Unreadable,
    ];

    /// The name filters, JSON and the store use.
    pub fn as_str(self) -> &'static str {
        match self {
            ActivityKind::Transition => "transition",
            ActivityKind::TaskCreated => "task_created",
            ActivityKind::Task => "task",
            ActivityKind::Error => "error",
            ActivityKind::Correction => "correction",
            ActivityKind::Other => "other",
            ActivityKind::Unreadable => "unreadable",
        }
    }

    /// Reads a kind as typed: its name, any case, `-` or space for `_`, and a few
    /// short forms (`move`, `created`, `fix`, `raw`).
    pub fn parse(text: &str) -> Result<ActivityKind, String> {
        let norm = text.trim().to_lowercase().replace(['-', ' '], "_");
        let kind = match norm.as_str() {
            "transition" | "transitions" | "move" | "moves" => ActivityKind::Transition,
            "task_created" | "created" | "task_create" | "new_task" => ActivityKind::TaskCreated,
            "task" | "tasks" | "task_edit" => ActivityKind::Task,
            "error" | "errors" => ActivityKind::Error,
            "correction" | "corrections" | "fix" => ActivityKind::Correction,
            "other" => ActivityKind::Other,
            "unreadable" | "raw" => ActivityKind::Unreadable,
            _ => {
                return Err(format!(
                    "\"{text}\" is not a kind: {}",
                    ActivityKind::ALL.map(ActivityKind::as_str).join(", ")
                ));
            }
        };
        Ok(kind)
    }
}

impl fmt::Display for ActivityKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One entry of an instance's log, as the audit log shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Activity {
    /// The entry's position in its log (0 first): the timeline marks it by this.
    pub position: usize,
    pub at: DateTime<Utc>,
    pub actor: Option<String>,
    pub kind: ActivityKind,
    /// The states of a move (a revert's too: the state it left and the one it set).
    pub from: Option<String>,
    pub to: Option<String>,
    /// The action without its `[Actor] ` prefix; an unreadable item's text.
    pub action: String,
    pub note: Option<String>,
    /// The entry's details as JSON (`{}` when it has none or is unreadable).
    pub details: Value,
}

/// What an entry is: as the History Log reads it (`HistoryEntry::kind`: a `Resolved
/// error: …` is a correction, not an error), and among the other events, errors by the
/// words the original agents used.
pub fn kind_of(entry: &HistoryEntry) -> ActivityKind {
    match entry.kind() {
        EntryKind::Correction => return ActivityKind::Correction,
        EntryKind::Transition => return ActivityKind::Transition,
        EntryKind::TaskCreated => return ActivityKind::TaskCreated,
        EntryKind::TaskEdit => return ActivityKind::Task,
        EntryKind::Event => {}
    }
    let details = entry.details();
    let lower = entry.summary().to_lowercase();
    let says_error = ["error", "fail", "exception"]
        .iter()
        .any(|word| lower.contains(word));
    if says_error || details.contains_key("error") || details.contains_key("error_message") {
        return ActivityKind::Error;
    }
    ActivityKind::Other
}

/// Every item of `log` as activity, in log order. An unreadable item takes the time of
/// the readable entry before it (else after it, else `fallback`), so it sorts beside
/// its neighbours.
pub fn activities(log: &HistoryLog, fallback: DateTime<Utc>) -> Vec<Activity> {
    let items = log.entries();
    let time_near = |index: usize| {
        items[..index]
            .iter()
            .rev()
            .chain(items[index..].iter())
            .find_map(|item| match item {
                LogEntry::Entry(e) => Some(e.timestamp()),
                LogEntry::Raw(_) => None,
            })
            .unwrap_or(fallback)
    };
    items
        .iter()
        .enumerate()
        .map(|(position, item)| match item {
            LogEntry::Entry(entry) => of_entry(position, entry),
            LogEntry::Raw(text) => Activity {
                position,
                at: time_near(position),
                actor: None,
                kind: ActivityKind::Unreadable,
                from: None,
                to: None,
                action: text.clone(),
                note: None,
                details: Value::Object(Map::new()),
            },
        })
        .collect()
}

fn of_entry(position: usize, entry: &HistoryEntry) -> Activity {
    let (from, to) = match entry.state_change() {
        Some((from, to)) => (Some(from.to_string()), Some(to.to_string())),
        None => (None, None),
    };
    Activity {
        position,
        at: entry.timestamp(),
        actor: entry.actor().map(str::to_string),
        kind: kind_of(entry),
        from,
        to,
        action: entry.summary().to_string(),
        note: entry.note().map(str::to_string),
        details: Value::Object(entry.details().clone()),
    }
}

/// The structured filters of the audit log; every one given must hold (AND).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ActivityFilter {
    /// Who: the actor's name starts with this (any case).
    pub actor: Option<String>,
    /// Any of these kinds; empty is every kind.
    pub kinds: Vec<ActivityKind>,
    /// The instance's workflow, by Workflow ID or name (any case).
    pub workflow: Option<String>,
    /// Moves into this state (any case).
    pub to: Option<String>,
    /// This instance (its Instance ID, any case, or its page id).
    pub instance: Option<String>,
    /// At or after.
    pub since: Option<DateTime<Utc>>,
    /// Before.
    pub until: Option<DateTime<Utc>>,
}

/// The keys [`ActivityFilter::set`] takes, for messages and completion.
pub const FILTER_KEYS: [&str; 7] = [
    "actor", "kind", "workflow", "to", "instance", "since", "until",
];

impl ActivityFilter {
    /// Sets one filter from `key=value` as typed (`actor=Solari`, `since=2d`); an empty
    /// value clears it. `now` reads relative times.
    pub fn set(&mut self, key: &str, value: &str, now: DateTime<Utc>) -> Result<(), String> {
        let value = value.trim();
        let text = (!value.is_empty()).then(|| value.to_string());
        match key.trim().to_lowercase().as_str() {
            "actor" | "who" | "by" => self.actor = text,
            "kind" | "type" => {
                self.kinds = if value.is_empty() {
                    Vec::new()
                } else {
                    value
                        .split(',')
                        .map(ActivityKind::parse)
                        .collect::<Result<_, _>>()?
                };
            }
            "workflow" | "wf" => self.workflow = text,
            "to" | "state" => self.to = text,
            "instance" | "inst" => self.instance = text,
            "since" | "after" | "from" => {
                self.since = text.map(|t| parse_since(&t, now)).transpose()?;
            }
            "until" | "before" => {
                self.until = text.map(|t| parse_until(&t, now)).transpose()?;
            }
            other => {
                return Err(format!(
                    "\"{other}\" is not an activity filter: {}",
                    FILTER_KEYS.join(", ")
                ));
            }
        }
        Ok(())
    }

    /// Reads `key=value` terms separated by spaces (a value may be quoted: `to="closed
    /// lost"`).
    pub fn parse(text: &str, now: DateTime<Utc>) -> Result<ActivityFilter, String> {
        let mut filter = ActivityFilter::default();
        for term in terms(text) {
            let Some((key, value)) = term.split_once('=') else {
                return Err(format!(
                    "\"{term}\" is not a filter: write key=value ({})",
                    FILTER_KEYS.join(", ")
                ));
            };
            filter.set(key, value, now)?;
        }
        Ok(filter)
    }

    pub fn is_empty(&self) -> bool {
        *self == ActivityFilter::default()
    }

    /// The filters as they would be typed, for a header.
    pub fn describe(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut push = |key: &str, value: Option<String>| {
            if let Some(value) = value {
                out.push(format!("{key}={value}"));
            }
        };
        push("actor", self.actor.clone());
        push(
            "kind",
            (!self.kinds.is_empty()).then(|| {
                self.kinds
                    .iter()
                    .map(|k| k.as_str())
                    .collect::<Vec<_>>()
                    .join(",")
            }),
        );
        push("workflow", self.workflow.clone());
        push("to", self.to.clone());
        push("instance", self.instance.clone());
        let time = |t: DateTime<Utc>| t.format("%Y-%m-%d %H:%M").to_string();
        push("since", self.since.map(time));
        push("until", self.until.map(time));
        out
    }

    /// Whether an entry of `instance_id` (of the workflow titled `workflow`) passes the
    /// filters. The store applies the same rules in SQL; this is their definition.
    pub fn matches(&self, activity: &Activity, instance_id: &str, workflow: Option<&str>) -> bool {
        let same = |a: &str, b: &str| a.eq_ignore_ascii_case(b);
        self.actor.as_deref().is_none_or(|want| {
            activity
                .actor
                .as_deref()
                .is_some_and(|actor| starts_with_ignore_case(actor, want))
        }) && (self.kinds.is_empty() || self.kinds.contains(&activity.kind))
            && self
                .workflow
                .as_deref()
                .is_none_or(|want| workflow.is_some_and(|w| same(w, want)))
            && self
                .to
                .as_deref()
                .is_none_or(|want| activity.to.as_deref().is_some_and(|to| same(to, want)))
            && self
                .instance
                .as_deref()
                .is_none_or(|want| same(instance_id, want))
            && self.since.is_none_or(|since| activity.at >= since)
            && self.until.is_none_or(|until| activity.at < until)
    }
}

fn starts_with_ignore_case(text: &str, prefix: &str) -> bool {
    text.len() >= prefix.len()
        && text.is_char_boundary(prefix.len())
        && text[..prefix.len()].eq_ignore_ascii_case(prefix)
}

/// Splits on spaces outside double quotes; the quotes are removed.
pub fn terms(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => {
                if !current.is_empty() {
                    out.push(std::mem::take(&mut current));
                }
            }
            c => current.push(c),
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// What `since=` and `until=` take, for messages.
pub const TIME_FORMS: &str = "30m, 6h, 2d, 1w, today, yesterday, 2026-12-01 or 2026-12-01T09:00";

/// The start of a window: `2d` (two days before `now`), `6h`, `30m`, `1w`, `today`,
/// `yesterday` (their midnight, UTC), a date (its midnight) or a time.
pub fn parse_since(text: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    let text = text.trim();
    let midnight = |day: NaiveDate| day.and_hms_opt(0, 0, 0).map(|t| t.and_utc());
    let lower = text.to_lowercase();
    let found = match lower.as_str() {
        "today" => midnight(now.date_naive()),
        "yesterday" => midnight(now.date_naive() - Duration::days(1)),
        _ => ago(&lower)
            .map(|d| now - d)
            .or_else(|| parse_timestamp(text)),
    };
    found.ok_or_else(|| format!("\"{text}\" is not a time: {TIME_FORMS}"))
}

/// The end of a window (exclusive): a date means the end of that day (`until=2026-12-01`
/// keeps the 1st); the other forms as [`parse_since`].
pub fn parse_until(text: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    let trimmed = text.trim();
    let lower = trimmed.to_lowercase();
    let day = match lower.as_str() {
        "today" => Some(now.date_naive()),
        "yesterday" => Some(now.date_naive() - Duration::days(1)),
        _ => NaiveDate::parse_from_str(trimmed, "%Y-%m-%d").ok(),
    };
    match day {
        Some(day) => Ok((day + Duration::days(1))
            .and_hms_opt(0, 0, 0)
            .expect("midnight exists")
            .and_utc()),
        None => parse_since(trimmed, now),
    }
}

/// `30m`, `6h`, `2d`, `1w` as a duration.
fn ago(text: &str) -> Option<Duration> {
    let unit = text.chars().last()?;
    let number: i64 = text[..text.len() - unit.len_utf8()].trim().parse().ok()?;
    if !(0..=100_000).contains(&number) {
        return None;
    }
    match unit {
        'm' => Some(Duration::minutes(number)),
        'h' => Some(Duration::hours(number)),
        'd' => Some(Duration::days(number)),
        'w' => Some(Duration::weeks(number)),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
