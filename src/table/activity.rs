//! The audit log as the Activity tab holds it: every entry the store's structured filters
//! pass, newest first, in a compact form that 600,000 entries fit in (see ARCHITECTURE.md:
//! the table engine's one haystack string per row would not). Each row is a few numbers;
//! its texts (actor, instance, workflow, kind, action — note) are interned once each, so
//! an instance's six entries share its ID and a thousand "Transitioned from inquiry to
//! consultation" share one string. The fuzzy filter (`filter.rs`) scores each distinct
//! string once per word, not each row.

mod filter;

pub use filter::{ActivityMatcher, Filtered, Histogram};

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use color_eyre::eyre::Result;

use crate::domain::activity::{ActivityFilter, ActivityKind};
use crate::present::for_people;
use crate::store::{ActivityRow, Store};
use crate::table::data::{NOT_ASCII, letters};

/// A day in milliseconds: rows are counted per UTC day.
pub const DAY_MS: i64 = 86_400_000;

/// Distinct strings, each stored once in one arena.
#[derive(Debug, Clone, Default)]
pub struct Strings {
    text: String,
    ends: Vec<u32>,
    /// Which letters and digits each string holds (`table::letters`, with `NOT_ASCII`):
    /// a word whose letters a string lacks is not scored against it.
    letters: Vec<u64>,
    /// Only while rows are added: dropped by [`ActivityIndex::finish`].
    ids: HashMap<Box<str>, u32>,
}

impl Strings {
    /// The id of `text`, added if new.
    fn intern(&mut self, text: &str) -> u32 {
        if let Some(&id) = self.ids.get(text) {
            return id;
        }
        let id = self.ends.len() as u32;
        self.text.push_str(text);
        self.ends.push(self.text.len() as u32);
        let ascii = if text.is_ascii() { 0 } else { NOT_ASCII };
        self.letters.push(letters(text) | ascii);
        self.ids.insert(text.into(), id);
        id
    }

    pub fn get(&self, id: u32) -> &str {
        let id = id as usize;
        let start = if id == 0 {
            0
        } else {
            self.ends[id - 1] as usize
        };
        &self.text[start..self.ends[id] as usize]
    }

    pub fn letters(&self, id: u32) -> u64 {
        self.letters[id as usize]
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    fn bytes(&self) -> usize {
        self.text.capacity() + self.ends.capacity() * 4 + self.letters.capacity() * 8
    }
}

/// The columns the fuzzy filter searches, as ids into [`ActivityIndex::strings`].
pub const SEARCHED: usize = 5;

/// One entry of the audit log: 40 bytes, its texts in [`Strings`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Entry {
    /// Milliseconds since 1970, UTC.
    pub at: i64,
    /// actor, instance, workflow, kind, action (with the note after " — ").
    pub texts: [u32; SEARCHED],
    /// The instance's page id.
    pub page: u32,
    /// The entry's position in its instance's log (what the detail's timeline marks).
    pub position: u32,
    pub kind: ActivityKind,
    pub pending: bool,
}

impl Entry {
    pub fn time(&self) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(self.at).unwrap_or_default()
    }

    pub fn day(&self) -> i64 {
        self.at.div_euclid(DAY_MS)
    }
}

/// The rows of the audit log a structured filter passes, newest first.
#[derive(Debug, Clone, Default)]
pub struct ActivityIndex {
    pub rows: Vec<Entry>,
    /// The searched texts.
    pub strings: Strings,
    /// The instances' page ids (apart: never searched).
    pub pages: Strings,
    /// Every row the filter passes is here (else: a first screenful, the rest loading).
    pub complete: bool,
    /// Per searched column, its widest text (measured once per distinct string), for the
    /// table's layout.
    pub widest: [u16; SEARCHED],
    /// Whether any row is pending (its time then carries ` ⟳`).
    pub any_pending: bool,
}

impl ActivityIndex {
    /// Adds a row as the store serves it; texts are made harmless (`present::inert`) once,
    /// here, so what is searched is what is shown.
    pub fn push(&mut self, row: &ActivityRow) {
        let activity = &row.activity;
        let action = match &activity.note {
            Some(note) if !note.is_empty() => format!("{} — {}", activity.action, note),
            _ => activity.action.clone(),
        };
        let mut intern = |text: &str| {
            let known = self.strings.len();
            // Masked as everywhere on screen: what is searched is what is shown.
            let id = self.strings.intern(&for_people(text, "History Log"));
            // A new string is measured once; a known one was.
            let width = if id as usize >= known {
                self.strings
                    .get(id)
                    .chars()
                    .count()
                    .min(usize::from(u16::MAX)) as u16
            } else {
                0
            };
            (id, width)
        };
        let interned = [
            intern(activity.actor.as_deref().unwrap_or("")),
            intern(&row.instance_id),
            intern(row.workflow.as_deref().unwrap_or("")),
            intern(activity.kind.as_str()),
            intern(&action),
        ];
        for (widest, (_, width)) in self.widest.iter_mut().zip(interned) {
            *widest = (*widest).max(width);
        }
        let texts = interned.map(|(id, _)| id);
        self.any_pending |= row.pending;
        let page = self.pages.intern(&row.page_id);
        self.rows.push(Entry {
            at: activity.at.timestamp_millis(),
            texts,
            page,
            position: activity.position as u32,
            kind: activity.kind,
            pending: row.pending,
        });
    }

    /// Done adding: the lookup table of the strings is dropped, and spare room given back.
    pub fn finish(mut self, complete: bool) -> ActivityIndex {
        for strings in [&mut self.strings, &mut self.pages] {
            strings.ids = HashMap::new();
            strings.text.shrink_to_fit();
            strings.ends.shrink_to_fit();
            strings.letters.shrink_to_fit();
        }
        self.rows.shrink_to_fit();
        self.complete = complete;
        self
    }

    pub fn text(&self, row: &Entry, column: usize) -> &str {
        self.strings.get(row.texts[column])
    }

    pub fn page_id(&self, row: &Entry) -> &str {
        self.pages.get(row.page)
    }

    /// The memory the rows and their strings hold, in bytes.
    pub fn bytes(&self) -> usize {
        self.rows.capacity() * std::mem::size_of::<Entry>()
            + self.strings.bytes()
            + self.pages.bytes()
    }
}

/// Reads the rows `filter` passes, newest first, at most `limit` (`None`: all of them),
/// while `go_on` says so (a newer load makes it stop early: `None` then).
pub fn load_activity(
    store: &Store,
    filter: &ActivityFilter,
    limit: Option<usize>,
    go_on: impl Fn() -> bool,
) -> Result<Option<ActivityIndex>> {
    let mut index = ActivityIndex::default();
    let mut stopped = false;
    store.each_activity(filter, limit, |row| {
        if index.rows.len() % 4096 == 0 && !go_on() {
            stopped = true;
            return false;
        }
        index.push(&row);
        true
    })?;
    if stopped {
        return Ok(None);
    }
    let complete = limit.is_none_or(|limit| index.rows.len() < limit);
    Ok(Some(index.finish(complete)))
}

#[cfg(test)]
mod tests;
