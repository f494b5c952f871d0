use chrono::{TimeZone, Utc};
use serde_json::json;

use super::*;
use crate::domain::activity::Activity;

fn row(instance: &str, actor: &str, kind: ActivityKind, action: &str, day: u32) -> ActivityRow {
    ActivityRow {
        page_id: format!("page-{instance}"),
        instance_id: instance.to_string(),
        workflow: Some("WF-CONSULT".into()),
        activity: Activity {
            position: 0,
            at: Utc.with_ymd_and_hms(2026, 11, day, 10, 0, 0).unwrap(),
            actor: Some(actor.to_string()),
            kind,
            from: None,
            to: None,
            action: action.to_string(),
            note: Some("by hand".into()),
            details: json!({}),
        },
        pending: false,
    }
}

/// Newest first, as the store serves them.
fn index() -> ActivityIndex {
    let mut index = ActivityIndex::default();
    for r in [
        row(
            "INST-1",
            "Solari",
            ActivityKind::Transition,
            "Transitioned from a to b",
            27,
        ),
        row(
            "INST-2",
            "Nyra",
            ActivityKind::Error,
            "Error confirming booking",
            26,
        ),
        row("INST-1", "Nyra", ActivityKind::Other, "Lead captured", 26),
        row(
            "INST-3",
            "Solari",
            ActivityKind::Transition,
            "Transitioned from b to c",
            20,
        ),
        row(
            "INST-2",
            "Ruvo",
            ActivityKind::Unreadable,
            "garbled \u{1b}[31m item",
            1,
        ),
    ] {
        index.push(&r);
    }
    index.finish(true)
}

fn day(d: u32) -> i64 {
    Utc.with_ymd_and_hms(2026, 11, d, 0, 0, 0)
        .unwrap()
        .timestamp_millis()
        .div_euclid(DAY_MS)
}

fn shown(
    matcher: &mut ActivityMatcher,
    index: &ActivityIndex,
    text: &str,
    narrow: bool,
) -> Vec<u32> {
    matcher
        .filter(index, text, (day(20), day(27)), narrow)
        .visible
        .clone()
}

#[test]
fn texts_are_stored_once_and_made_harmless() {
    let index = index();
    // actor, instance, workflow, kind and action+note of five rows, repeats shared: the
    // same instance's rows point at one string.
    assert_eq!(index.rows[0].texts[1], index.rows[2].texts[1]);
    assert_eq!(index.rows[0].page, index.rows[2].page);
    assert_eq!(index.page_id(&index.rows[2]), "page-INST-1");
    assert_eq!(
        index.text(&index.rows[0], 4),
        "Transitioned from a to b — by hand"
    );
    let raw = index.text(&index.rows[4], 4);
    assert!(!raw.contains('\u{1b}'), "{raw:?}");
    assert!(raw.starts_with("garbled"));
    assert!(index.strings.len() < 5 * 5);
    assert!(index.bytes() > 0);
}

#[test]
fn words_match_any_column_and_all_words_must_match() {
    let index = index();
    let mut m = ActivityMatcher::default();
    assert_eq!(shown(&mut m, &index, "", false), [0, 1, 2, 3, 4]);
    // A word in the actor column, one in the instance's.
    assert_eq!(shown(&mut m, &index, "solari", false), [0, 3]);
    assert_eq!(shown(&mut m, &index, "solari inst-3", false), [3]);
    // A word is a substring, any case: letters in order are not enough …
    assert_eq!(shown(&mut m, &index, "errconf", false), [] as [u32; 0]);
    assert_eq!(shown(&mut m, &index, "CONFIRM", false), [1]);
    // … unless the text starts with `~`: fuzzy, letters in order, any case.
    assert_eq!(shown(&mut m, &index, "~errconf", false), [1]);
    // `!word`: no column holds it.
    assert_eq!(shown(&mut m, &index, "!nyra", false), [0, 3, 4]);
    // The kind column is searched too.
    assert_eq!(shown(&mut m, &index, "unreadable", false), [4]);
}

#[test]
fn narrowing_answers_as_a_fresh_filter_does() {
    let index = index();
    let mut typed = ActivityMatcher::default();
    for text in ["trans b", "~trans b", "tra !nyra"] {
        for end in 0..=text.len() {
            let narrowed = shown(&mut typed, &index, &text[..end], true);
            let fresh = shown(&mut ActivityMatcher::default(), &index, &text[..end], false);
            assert_eq!(narrowed, fresh, "at {:?}", &text[..end]);
        }
    }
    // Backspace: wider again.
    let fresh = shown(&mut ActivityMatcher::default(), &index, "~tra", false);
    assert_eq!(shown(&mut typed, &index, "~tra", true), fresh);
    assert!(fresh.len() > 2);
    // A reset (new rows) never narrows from what was shown before.
    typed.reset();
    assert_eq!(shown(&mut typed, &index, "trans", true), [0, 3]);
}

#[test]
fn the_histogram_counts_the_rows_shown_per_day_of_its_window() {
    let index = index();
    let mut m = ActivityMatcher::default();
    let filtered = m.filter(&index, "", (day(20), day(27)), false).clone();
    assert_eq!(filtered.histogram.first_day, day(20));
    // 20th: 1, 26th: 2, 27th: 1; the 1st is outside the window.
    assert_eq!(filtered.histogram.counts, [1, 0, 0, 0, 0, 0, 2, 1]);
    let filtered = m.filter(&index, "nyra", (day(20), day(27)), true).clone();
    assert_eq!(filtered.histogram.counts, [0, 0, 0, 0, 0, 0, 2, 0]);
}

#[test]
fn a_plain_word_matches_letters_in_order_in_any_case() {
    assert!(filter::in_order(b"errconf", b"Error confirming booking"));
    assert!(filter::in_order(b"", b"anything"));
    assert!(!filter::in_order(b"fnoc", b"confirm"));
    assert!(!filter::in_order(b"inst-9", b"INST-1"));
    assert!(filter::in_order(b"inst-1", b"INST-1"));
}
