//! Properties of the History Log codec: whatever people type (quotes, backslashes, emoji,
//! newlines, control characters), a log written as Notion text objects reads back as the
//! same entries, and no text object is over Notion's 2,000-character limit.

use chrono::{DateTime, TimeZone, Utc};
use hsn::domain::history::{HistoryEntry, HistoryLog, LogEntry};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

/// Any character, with the ones that break naive encoders drawn often.
fn tricky_char() -> impl Strategy<Value = char> {
    prop_oneof![
        3 => any::<char>(),
        1 => prop::sample::select(vec![
            '"', '\\', '\n', '\r', '\t', '\0', '[', ']', ' ', '😀', '🧘', '\u{2028}', '\u{FEFF}', 'é',
        ]),
    ]
}

fn text(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(tricky_char(), 0..max).prop_map(String::from_iter)
}

fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    (0i64..4_102_444_800, 0u32..1_000_000_000).prop_map(|(seconds, nanos)| {
        Utc.timestamp_opt(seconds, nanos)
            .single()
            .unwrap_or_default()
    })
}

fn entry() -> impl Strategy<Value = HistoryEntry> {
    prop_oneof![
        (
            text(40),
            text(40),
            text(40),
            prop::option::of(text(1_500)),
            instant()
        )
            .prop_map(|(actor, from, to, note, at)| HistoryEntry::transition(
                &actor,
                &from,
                &to,
                note.as_deref(),
                at
            )),
        (text(40), text(200), text(300), instant()).prop_map(|(actor, name, assignee, at)| {
            let mut details = Map::new();
            details.insert("task_id".into(), json!("TASK-0a1b2c3d"));
            details.insert("assigned_to".into(), json!(assignee));
            details.insert("due_date".into(), Value::Null);
            HistoryEntry::event(&actor, &format!("Created task: {name}"), details, at)
        }),
    ]
}

/// The property's text as a reader gets it back: the text objects' contents joined.
fn write_and_read(log: &HistoryLog) -> Result<(HistoryLog, Vec<String>), TestCaseError> {
    let value = log
        .encode()
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    let pieces: Vec<String> = value["rich_text"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|o| {
            o["text"]["content"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
        .collect();
    Ok((HistoryLog::decode(&pieces.concat()), pieces))
}

proptest! {
    #[test]
    fn entries_survive_encoding_and_chunking(entries in prop::collection::vec(entry(), 1..12)) {
        let mut log = HistoryLog::default();
        for e in &entries {
            log.push(e.clone());
        }
        let (back, pieces) = write_and_read(&log)?;
        for piece in &pieces {
            prop_assert!(piece.encode_utf16().count() <= 2_000, "a text object of {}", piece.len());
        }
        prop_assert_eq!(back.len(), entries.len());
        for (item, original) in back.entries().iter().zip(&entries) {
            let LogEntry::Entry(read) = item else {
                return Err(TestCaseError::fail(format!("read back as raw: {item:?}")));
            };
            prop_assert!(read.same_as(original), "{:?} != {:?}", read, original);
            prop_assert_eq!(read.note(), original.note());
            prop_assert_eq!(read.actor(), original.actor());
            prop_assert_eq!(read.summary(), original.summary());
            prop_assert_eq!(read.transition_states(), original.transition_states());
        }
        prop_assert_eq!(back, log);
    }

    #[test]
    fn any_text_reads_and_writes_back_without_loss(raw in text(300)) {
        let log = HistoryLog::decode(&raw);
        let again = HistoryLog::decode(&log.encode_text());
        // After one write the log is a JSON array; writing it again changes nothing.
        prop_assert_eq!(HistoryLog::decode(&again.encode_text()), again.clone());
        prop_assert_eq!(again.len(), log.len());
    }

    #[test]
    fn merging_keeps_every_entry_once(
        entries in prop::collection::vec(entry(), 0..10),
        mine in prop::collection::vec(any::<bool>(), 10),
        theirs in prop::collection::vec(any::<bool>(), 10),
    ) {
        let (mut a, mut b) = (HistoryLog::default(), HistoryLog::default());
        for (i, e) in entries.iter().enumerate() {
            if mine[i] { a.push(e.clone()); }
            if theirs[i] || !mine[i] { b.push(e.clone()); }
        }
        let (b, _) = write_and_read(&b)?;
        a.merge(&b);
        for e in &entries {
            let times = a.history_entries().filter(|x| x.same_as(e)).count();
            let distinct = entries.iter().filter(|x| x.same_as(e)).count();
            prop_assert!(times >= 1 && times <= distinct.max(1), "{} copies", times);
        }
        let stamps: Vec<_> = a.history_entries().map(HistoryEntry::timestamp).collect();
        prop_assert!(stamps.windows(2).all(|w| w[0] <= w[1]));
    }
}
