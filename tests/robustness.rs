//! Property tests for every parser that reads what others wrote: Notion's pages and error
//! bodies, History Logs, workflow definitions, ids and `.env` files. Whatever the input, they
//! return a value or a clear error; they never panic. (The fuzz targets in `fuzz/` go
//! further, for longer; these run in CI on every change.)

use hsn::config::Settings;
use hsn::domain::history::{HistoryLog, LogEntry};
use hsn::domain::workflow::StateMachine;
use hsn::notion::{NotionError, NotionId, Page, PropertyValue};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        ".{0,12}".prop_map(Value::String),
        prop_oneof![
            Just("title"),
            Just("rich_text"),
            Just("relation"),
            Just("formula"),
            Just("rollup"),
            Just("date"),
            Just("select")
        ]
        .prop_map(|s| Value::String(s.into())),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop_oneof![
                        Just("type".to_string()),
                        Just("id".to_string()),
                        Just("title".to_string()),
                        Just("relation".to_string()),
                        Just("has_more".to_string()),
                        ".{0,6}".prop_map(|s| s)
                    ],
                    inner
                ),
                0..6
            )
            .prop_map(|pairs| Value::Object(pairs.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn any_property_value_parses_or_falls_back(raw in json_value()) {
        let value = PropertyValue::from_json(&raw);
        let _ = value.plain();
    }

    #[test]
    fn any_page_body_is_a_page_or_an_error(properties in json_value(), id in ".{0,40}") {
        let raw = json!({
            "object": "page", "id": id,
            "created_time": "2026-07-04T09:09:00.000Z", "last_edited_time": "2026-07-04T09:09:00.000+00:00",
            "properties": properties,
        });
        if let Ok(page) = Page::from_json(raw) {
            for (_, property) in &page.properties {
                let _ = property.value.plain();
            }
        }
    }

    #[test]
    fn any_error_body_becomes_an_error(status in 400u16..600, body in prop::collection::vec(any::<u8>(), 0..300)) {
        let error = NotionError::from_response(status, None, None, &body);
        prop_assert_eq!(error.status(), Some(status));
        let _ = error.explain("x");
    }

    #[test]
    fn any_history_text_decodes_and_survives_a_rewrite(text in ".{0,400}") {
        let log = HistoryLog::decode(&text);
        let again = HistoryLog::decode(&log.encode_text());
        prop_assert_eq!(log.entries().len(), again.entries().len(), "nothing dropped on rewrite");
        for (a, b) in log.entries().iter().zip(again.entries()) {
            match (a, b) {
                (LogEntry::Entry(a), LogEntry::Entry(b)) => prop_assert!(a.same_as(b)),
                (LogEntry::Raw(_), LogEntry::Raw(_)) => {}
                _ => prop_assert!(false, "an entry changed kind on rewrite"),
            }
        }
    }

    #[test]
    fn any_json_array_as_history_keeps_every_item(items in prop::collection::vec(json_value(), 0..8)) {
        let text = Value::Array(items.clone()).to_string();
        prop_assert_eq!(HistoryLog::decode(&text).entries().len(), items.len());
    }

    #[test]
    fn any_workflow_definition_parses_or_names_the_workflow(initial in ".{0,10}", states in ".{0,80}", transitions in ".{0,80}") {
        if let Err(e) = StateMachine::parse("WF-FUZZ", &initial, &states, &transitions) {
            prop_assert!(e.to_string().contains("WF-FUZZ"), "{}", e);
        }
    }

    #[test]
    fn any_states_list_gives_moves_within_it(names in prop::collection::vec("[a-z_]{1,8}", 1..8)) {
        let states = Value::from(names.clone()).to_string();
        if let Ok(machine) = StateMachine::parse("WF-FUZZ", "", &states, "") {
            for from in machine.states() {
                for to in machine.next_states(from) {
                    prop_assert!(names.iter().any(|n| n == to));
                    prop_assert!(machine.check_move(from, to).is_ok());
                }
            }
        }
    }

    #[test]
    fn any_id_text_is_an_id_or_refused(text in ".{0,60}") {
        if let Ok(id) = NotionId::parse(&text) {
            prop_assert_eq!(id.as_str().len(), 36);
        }
    }

    #[test]
    fn any_env_file_loads_or_names_the_file(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(".env"), &bytes).unwrap();
        if let Err(e) = Settings::load(dir.path()) {
            prop_assert!(format!("{e:#}").contains(".env"), "{e:#}");
        }
    }
}
