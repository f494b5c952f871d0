use super::*;
use chrono::{Duration, TimeZone};

fn at(seconds: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 6, 18, 10, 0, 0).unwrap() + Duration::seconds(seconds)
}

/// The property's text as a reader sees it: the text objects' contents joined.
fn joined(value: &Value) -> (String, Vec<String>) {
    let pieces: Vec<String> = value["rich_text"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["text"]["content"].as_str().unwrap().to_string())
        .collect();
    (pieces.concat(), pieces)
}

fn entry(log: &HistoryLog, index: usize) -> &HistoryEntry {
    match &log.entries()[index] {
        LogEntry::Entry(entry) => entry,
        LogEntry::Raw(text) => panic!("item {index} is raw: {text}"),
    }
}

#[test]
fn a_600_entry_log_round_trips_through_many_text_objects() {
    let mut log = HistoryLog::default();
    for i in 0..600 {
        let note = format!("call {i}: client asked about the \"retreat\" — ok ✨");
        log.push(HistoryEntry::transition(
            "Grace Fields",
            &format!("state_{i}"),
            &format!("state_{}", i + 1),
            Some(&note),
            at(i * 3_600) + Duration::microseconds(i * 7),
        ));
    }
    log.push(HistoryEntry::event(
        "Nyra",
        "Sent reminder",
        Map::new(),
        at(1),
    ));
    let (text, pieces) = joined(&log.encode().unwrap());
    assert!(pieces.len() > 20, "{} text objects", pieces.len());
    assert!(pieces.iter().all(|p| p.encode_utf16().count() <= 2_000));
    assert_eq!(text, log.encode_text());
    assert!(!text.contains('\n'), "compact JSON");

    let back = HistoryLog::decode(&text);
    assert_eq!(back.len(), 601);
    for (a, b) in log.history_entries().zip(back.history_entries()) {
        assert!(a.same_as(b));
        assert_eq!(a.note(), b.note());
    }
    let first = entry(&back, 0);
    assert_eq!(first.actor(), Some("Grace Fields"));
    assert_eq!(first.transition_states(), Some(("state_0", "state_1")));
    assert_eq!(first.summary(), "Transitioned from state_0 to state_1");
    assert_eq!(
        back.last_transition().unwrap().transition_states(),
        Some(("state_599", "state_600"))
    );
    assert_eq!(back, log, "entries keep their JSON exactly");
}

#[test]
fn the_original_servers_entries_read_with_actor_and_utc_time() {
    let text = r#"[
      {"timestamp": "2025-06-18T10:22:33.123456", "action": "[LeadCaptureAgent] Lead captured from typeform",
       "details": {"email": "ana@example.com", "source": "typeform", "source_id": "tf-1"}},
      {"timestamp": "2025-06-19T08:00:00+02:00", "action": "[BookingAgent] Transitioned from inquiry to payment_pending via approve",
       "details": {}},
      {"timestamp": "2025-06-20 09:30:00", "action": "New booking detected from Amelia", "details": {}}
    ]"#;
    let log = HistoryLog::decode(text);
    let lead = entry(&log, 0);
    assert_eq!(lead.actor(), Some("LeadCaptureAgent"));
    assert_eq!(lead.summary(), "Lead captured from typeform");
    assert_eq!(
        lead.action(),
        "[LeadCaptureAgent] Lead captured from typeform"
    );
    assert_eq!(
        lead.timestamp(),
        Utc.with_ymd_and_hms(2025, 6, 18, 10, 22, 33).unwrap() + Duration::microseconds(123_456)
    );
    assert_eq!(lead.details()["source"], "typeform");
    assert_eq!(lead.transition_states(), None);

    let moved = entry(&log, 1);
    assert_eq!(
        moved.timestamp(),
        Utc.with_ymd_and_hms(2025, 6, 19, 6, 0, 0).unwrap()
    );
    assert_eq!(
        moved.transition_states(),
        Some(("inquiry", "payment_pending"))
    );
    assert_eq!(moved.actor(), Some("BookingAgent"));
    assert_eq!(log.last_transition(), Some(moved));

    let amelia = entry(&log, 2);
    assert_eq!(amelia.actor(), None);
    assert_eq!(amelia.summary(), "New booking detected from Amelia");

    // Written back, the original spelling of each entry stays.
    let again = log.encode_text();
    assert!(
        again.contains(r#""timestamp":"2025-06-18T10:22:33.123456""#),
        "{again}"
    );
    assert!(again.contains(r#""timestamp":"2025-06-20 09:30:00""#));
}

#[test]
fn a_corrupt_item_survives_as_raw_and_is_written_back() {
    let text = r#"[{"timestamp": "2025-06-18T10:00:00Z", "action": "[Nyra] Hello", "details": {}},
        {"timestamp": "yesterday", "action": "lost?"}, "Workflow started", 42,
        {"timestamp": "2025-06-18T11:00:00Z", "action": "[Nyra] Bye", "details": "oops"}]"#;
    let log = HistoryLog::decode(text);
    assert_eq!(log.len(), 5);
    assert!(matches!(log.entries()[0], LogEntry::Entry(_)));
    assert_eq!(
        log.entries()[1],
        LogEntry::Raw(r#"{"timestamp":"yesterday","action":"lost?"}"#.into())
    );
    assert_eq!(
        log.entries()[2],
        LogEntry::Raw(r#""Workflow started""#.into())
    );
    assert_eq!(log.entries()[3], LogEntry::Raw("42".into()));
    assert!(matches!(log.entries()[4], LogEntry::Raw(_)));
    let written = log.encode_text();
    let items: Value = serde_json::from_str(&written).unwrap();
    let original: Value = serde_json::from_str(text).unwrap();
    assert_eq!(items, original, "nothing changed but whitespace");
    assert_eq!(HistoryLog::decode(&written), log);
}

#[test]
fn a_text_that_is_not_a_json_array_survives() {
    for text in [
        "Workflow created by the state machine",
        "[{\"timestamp\": \"2025-06-18",
        "{\"a\": 1}",
    ] {
        let log = HistoryLog::decode(text);
        assert_eq!(log.entries(), [LogEntry::Raw(text.to_string())]);
        let mut log = log;
        log.push(HistoryEntry::event("Nyra", "Checked", Map::new(), at(0)));
        let back = HistoryLog::decode(&log.encode_text());
        assert_eq!(back.len(), 2);
        let LogEntry::Raw(kept) = &back.entries()[0] else {
            panic!("{back:?}")
        };
        // Kept whole, as the string item (or the JSON) it was.
        assert_eq!(raw_item(kept), raw_item(text));
        assert!(back.entries()[0].same_as(&LogEntry::Raw(text.to_string())));
    }
    assert!(HistoryLog::decode("").is_empty());
    assert!(HistoryLog::decode("  \n").is_empty());
    assert!(HistoryLog::decode("[]").is_empty());
    assert_eq!(HistoryLog::default().encode_text(), "[]");
}

#[test]
fn merge_keeps_entries_from_both_sides_exactly_once() {
    let shared = HistoryEntry::transition("Grace", "inquiry", "consultation", None, at(10));
    let ours = HistoryEntry::transition(
        "Grace",
        "consultation",
        "quote_provided",
        Some("sent"),
        at(30),
    );
    let theirs = HistoryEntry::event("LeadCaptureAgent", "Lead updated", Map::new(), at(20));
    let mut mine = HistoryLog::decode(r#"["seed"]"#);
    mine.push(shared.clone());
    mine.push(ours.clone());
    // The other writer spelled the shared timestamp differently.
    let mut their_shared = shared.to_json().clone();
    their_shared.insert("timestamp".into(), json!("2025-06-18T10:00:10+00:00"));
    let their_text = json!(["seed", their_shared, theirs.to_json()]).to_string();
    let other = HistoryLog::decode(&their_text);
    assert!(other.contains(&shared));

    mine.merge(&other);
    let actions: Vec<&str> = mine.history_entries().map(HistoryEntry::summary).collect();
    assert_eq!(
        actions,
        [
            "Transitioned from inquiry to consultation",
            "Lead updated",
            "Transitioned from consultation to quote_provided"
        ]
    );
    assert_eq!(mine.len(), 4);
    assert_eq!(mine.entries()[0], LogEntry::Raw(r#""seed""#.into()));
    let once_more = mine.clone();
    mine.merge(&once_more);
    assert_eq!(mine, once_more);
    assert!(mine.contains(&ours) && mine.contains(&theirs));
}

#[test]
fn identity_ignores_the_timestamp_spelling_only() {
    let a = HistoryEntry::event("Nyra", "Sent", Map::new(), at(0));
    let mut spelled = a.to_json().clone();
    spelled.insert("timestamp".into(), json!("2025-06-18T10:00:00.000"));
    assert!(a.same_as(&HistoryEntry::from_json(&Value::Object(spelled)).unwrap()));
    assert!(!a.same_as(&HistoryEntry::event("Nyra", "Sent", Map::new(), at(1))));
    assert!(!a.same_as(&HistoryEntry::event("Solari", "Sent", Map::new(), at(0))));
    let mut details = Map::new();
    details.insert("x".into(), json!(1));
    assert!(!a.same_as(&HistoryEntry::event("Nyra", "Sent", details, at(0))));
}

#[test]
fn an_actor_with_brackets_keeps_its_summary() {
    let e = HistoryEntry::transition("ops] [lead", "a", "b", Some("n"), at(0));
    assert_eq!(e.action(), "[ops] [lead] Transitioned from a to b");
    assert_eq!(e.summary(), "Transitioned from a to b");
    assert_eq!(e.actor(), Some("ops] [lead"));
    assert_eq!(e.note(), Some("n"));
    let task = HistoryEntry::event("Grace", "Created task: Call Ana", Map::new(), at(0));
    assert_eq!(task.transition_states(), None);
    assert_eq!(task.details()["actor"], "Grace");
}

#[test]
fn a_log_too_big_is_an_error_naming_its_size() {
    let mut log = HistoryLog::default();
    let note = "x".repeat(5_000);
    for i in 0..41 {
        log.push(HistoryEntry::transition(
            "Grace",
            "a",
            "b",
            Some(&note),
            at(i),
        ));
    }
    let chars = log.encode_text().len();
    assert!(chars > 200_000);
    let err = log.encode().unwrap_err();
    assert_eq!(err.chars, chars);
    assert_eq!(
        err.to_string(),
        format!(
            "the history log has {} characters in 41 entries, but one Notion property holds at most 200,000",
            grouped(chars)
        )
    );
    assert_eq!(grouped(1_234_567), "1,234,567");
    assert_eq!(grouped(999), "999");
}

#[test]
fn timestamps_in_every_spelling() {
    let t = Utc.with_ymd_and_hms(2025, 6, 18, 10, 22, 33).unwrap();
    for text in [
        "2025-06-18T10:22:33Z",
        "2025-06-18T10:22:33+00:00",
        "2025-06-18T12:22:33+02:00",
        "2025-06-18 10:22:33+00:00",
        "2025-06-18T10:22:33",
        "2025-06-18 10:22:33",
        "2025-06-18T10:22:33.000",
        "2025-06-18T10:22:33+0000",
    ] {
        assert_eq!(parse_timestamp(text), Some(t), "{text}");
    }
    assert_eq!(
        parse_timestamp("2025-06-18"),
        Some(t - Duration::seconds(10 * 3600 + 22 * 60 + 33))
    );
    assert_eq!(parse_timestamp("soon"), None);
}

#[test]
fn the_identity_key_is_the_identity() {
    let a = HistoryEntry::transition("Grace", "inquiry", "consultation", Some("n"), at(0));
    // Another writer's spelling of the same entry: another timestamp text, keys reordered.
    let spelled = json!({
        "details": {"note": "n", "to": "consultation", "from": "inquiry", "actor": "Grace"},
        "action": "[Grace] Transitioned from inquiry to consultation",
        "timestamp": "2025-06-18T10:00:00.000",
    });
    let b = HistoryEntry::from_json(&spelled).unwrap();
    assert!(a.same_as(&b));
    assert_eq!(a.identity_key(), b.identity_key());
    for other in [
        HistoryEntry::transition("Grace", "inquiry", "consultation", Some("n"), at(1)),
        HistoryEntry::transition("Grace", "inquiry", "consultation", None, at(0)),
        HistoryEntry::transition("Nyra", "inquiry", "consultation", Some("n"), at(0)),
    ] {
        assert!(!a.same_as(&other));
        assert_ne!(a.identity_key(), other.identity_key());
    }
}

#[test]
fn restore_puts_back_only_what_is_missing_in_its_place_once() {
    let first = HistoryEntry::event("LeadCaptureAgent", "Lead captured", Map::new(), at(0));
    let ours = HistoryEntry::transition("Grace", "inquiry", "consultation", None, at(10));
    let task = HistoryEntry::event("Grace", "Created task: Call", Map::new(), at(15));
    let later = HistoryEntry::event("LeadCaptureAgent", "Lead scored", Map::new(), at(20));
    // A blind writer dropped ours and the task entry; a raw item follows its first entry,
    // and its own entries are out of time order at the end.
    let oddly = HistoryEntry::event("LeadCaptureAgent", "Late note", Map::new(), at(5));
    let text = json!([first.to_json(), "raw", later.to_json(), oddly.to_json()]).to_string();
    let mut log = HistoryLog::decode(&text);

    let put_back = log.restore(&[task.clone(), ours.clone(), ours.clone(), first.clone()]);
    assert_eq!(put_back.len(), 2, "only the missing ones, each once");
    assert!(put_back[0].same_as(&ours) && put_back[1].same_as(&task));
    let summaries: Vec<String> = log
        .entries()
        .iter()
        .map(|item| match item {
            LogEntry::Entry(e) => e.summary().to_string(),
            LogEntry::Raw(raw) => raw.clone(),
        })
        .collect();
    assert_eq!(
        summaries,
        [
            "Lead captured",
            r#""raw""#,
            "Transitioned from inquiry to consultation",
            "Created task: Call",
            "Lead scored",
            "Late note",
        ]
    );
    // Nothing of theirs removed or reordered relative to each other.
    let theirs: Vec<&str> = log
        .history_entries()
        .filter(|e| e.actor() == Some("LeadCaptureAgent"))
        .map(HistoryEntry::summary)
        .collect();
    assert_eq!(theirs, ["Lead captured", "Lead scored", "Late note"]);

    let again = log.clone();
    assert!(
        log.restore(&[ours, task, first]).is_empty(),
        "nothing twice"
    );
    assert_eq!(log, again);
}
