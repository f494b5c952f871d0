//! What the fuzz targets check, one function per target. Each takes the fuzzer's bytes and
//! panics only when hsn breaks one of its promises: a parser panicking on what others wrote,
//! or an invariant below failing.
//!
//! Shared, not copied: the targets in `fuzz_targets/` and `tests/fuzz_regression.rs`
//! (which runs in plain `cargo test`) include this file with `#[path]`, so a crash the
//! fuzzer found is replayed in CI by the same code.

use hsn::config::{ConfigFile, parse_env};
use hsn::domain::history::{HistoryLog, LogEntry};
use hsn::domain::models::{Agent, BusinessEntity, Task, Workflow, WorkflowInstance};
use hsn::domain::record::Record;
use hsn::domain::schema::DATABASES;
use hsn::domain::workflow::{StateMachine, WorkflowError};
use hsn::notion::{
    Block, DataSource, Database, ListPage, Page, RICH_TEXT_MAX_CHARS, RICH_TEXT_MAX_OBJECTS,
    TEXT_OBJECT_MAX, text_chunks,
};
use serde_json::Value;

/// A target's check of one input: returns, or panics.
pub type Check = fn(&[u8]);

/// The targets, by name: the fuzz binaries, `fuzz/seeds/<name>/` and
/// `fuzz/regressions/<name>/`.
pub const TARGETS: [(&str, Check); 5] = [
    ("page", page),
    ("list", list),
    ("history", history),
    ("workflow", workflow),
    ("config", config),
];

/// A page body (`GET /v1/pages/{id}`), read as sync reads every page: `Page::from_json`,
/// then `Record::from_page` for each of the 16 databases and the typed models.
pub fn page(data: &[u8]) {
    if let Ok(raw) = serde_json::from_slice::<Value>(data) {
        check_page_value(raw);
    }
}

/// A paginated list body (a data source query, search, block children): the `ListPage`
/// the client decodes, then each result as the object it says it is.
pub fn list(data: &[u8]) {
    let Ok(list) = serde_json::from_slice::<ListPage>(data) else {
        return;
    };
    let _ = list.is_incomplete();
    for raw in list.results {
        match raw.get("object").and_then(Value::as_str) {
            Some("data_source") => {
                if let Ok(source) = DataSource::from_json(raw) {
                    let _ = source.database_id();
                    for column in &source.properties {
                        assert!(source.property(&column.name).is_some(), "{}", column.name);
                        let _ = (column.option_names(), column.relation_target());
                    }
                }
            }
            Some("database") => {
                let _ = Database::from_json(raw);
            }
            Some("block") => {
                if let Ok(block) = Block::from_json(raw) {
                    let _ = (block.plain_text(), block.child_title());
                }
            }
            _ => check_page_value(raw),
        }
    }
}

fn check_page_value(raw: Value) {
    let Ok(page) = Page::from_json(raw) else {
        return;
    };
    let _ = page.title();
    for (name, property) in &page.properties {
        let _ = property.value.plain();
        assert!(page.property(name).is_some(), "property {name:?} not found");
    }
    for schema in &DATABASES {
        let record = Record::from_page(schema.key, &page);
        assert_eq!(record.page_id.as_deref(), Some(page.id.as_str()));
        // Every column is read or reported as drift, never both, never neither.
        assert_eq!(
            record.values.len() + record.drift.len(),
            schema.columns.len(),
            "{}: values {:?}, drift {:?}",
            schema.title,
            record.values.keys(),
            record.drift
        );
        for drift in &record.drift {
            assert!(!record.values.contains_key(drift.column), "{drift}");
            let _ = drift.to_string();
        }
        // The store keeps `values_json`; reading it back gives the same record.
        let stored =
            Record::from_values_json(schema.key, record.page_id.clone(), &record.values_json());
        assert_eq!(
            stored.values, record.values,
            "{}: the stored copy differs",
            schema.title
        );
        let _ = record.title();
        let _ = record.to_properties();
    }
    let _ = BusinessEntity::from_page(&page);
    let _ = Agent::from_page(&page);
    let _ = Workflow::from_page(&page);
    let _ = WorkflowInstance::from_page(&page);
    let _ = Task::from_page(&page);
}

/// A History Log's text: decoding never fails; writing back what was read and reading it
/// again gives the same items (and after one write the text is stable); the property value
/// it is written as splits into text objects of at most 2,000 UTF-16 units that join back
/// to the same text.
pub fn history(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    check_chunks(text);

    let log = HistoryLog::decode(text);
    let written = log.encode_text();
    let again = HistoryLog::decode(&written);
    assert_eq!(
        again.len(),
        log.len(),
        "rewriting changed the number of items: {written}"
    );
    for (read, reread) in log.entries().iter().zip(again.entries()) {
        match (read, reread) {
            (LogEntry::Entry(a), LogEntry::Entry(b)) => {
                assert!(a.same_as(b), "{a:?} became {b:?}");
                assert_eq!(a.to_json(), b.to_json());
            }
            (LogEntry::Raw(a), LogEntry::Raw(b)) => {
                assert_eq!(item(a), item(b), "raw item {a:?} became {b:?}");
            }
            (a, b) => panic!("an item changed kind on rewrite: {a:?} became {b:?}"),
        }
    }
    assert_eq!(
        again.encode_text(),
        written,
        "the written text is not stable"
    );
    for entry in log.history_entries() {
        assert!(log.contains(entry));
        let _ = (
            entry.summary(),
            entry.actor(),
            entry.note(),
            entry.transition_states(),
        );
    }
    let _ = log.last_transition();

    // Merging the log with its own rewrite adds nothing.
    let mut merged = log.clone();
    merged.merge(&again);
    assert_eq!(merged.len(), log.len(), "merge duplicated an item");

    // The property value: text objects within Notion's limits, joining back to the text.
    match log.encode() {
        Ok(value) => {
            let objects = value["rich_text"].as_array().expect("a rich_text array");
            assert!(objects.len() <= RICH_TEXT_MAX_OBJECTS);
            let mut joined = String::new();
            for object in objects {
                let piece = object["text"]["content"].as_str().expect("text content");
                assert!(!piece.is_empty(), "an empty text object");
                assert!(
                    piece.encode_utf16().count() <= TEXT_OBJECT_MAX,
                    "a text object too long"
                );
                joined.push_str(piece);
            }
            assert_eq!(joined, written);
            assert_eq!(HistoryLog::decode(&joined), again);
        }
        Err(too_long) => {
            assert!(
                written.encode_utf16().count() >= RICH_TEXT_MAX_CHARS,
                "{too_long}"
            );
        }
    }
}

/// `text_chunks` on any text: pieces of at most 2,000 UTF-16 units, none empty, that join
/// back to the text; refused only past 100 pieces.
fn check_chunks(text: &str) {
    match text_chunks(text) {
        Ok(chunks) => {
            assert!(chunks.len() <= RICH_TEXT_MAX_OBJECTS);
            for chunk in &chunks {
                assert!(!chunk.is_empty());
                assert!(chunk.encode_utf16().count() <= TEXT_OBJECT_MAX);
            }
            assert_eq!(chunks.concat(), text);
        }
        Err(e) => assert!(e.chars >= RICH_TEXT_MAX_CHARS, "{e}"),
    }
}

/// The array item a raw history item is written as (JSON if it is JSON, else a string).
fn item(raw: &str) -> Value {
    serde_json::from_str(raw).unwrap_or_else(|_| Value::String(raw.to_string()))
}

/// A workflow definition, as the Workflows Library holds it. The input's first line is
/// `Initial State`; the rest is `States`, then a line `---`, then `Transitions`.
pub fn workflow(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let (initial, rest) = text.split_once('\n').unwrap_or((&text, ""));
    let (states, transitions) = rest.split_once("\n---\n").unwrap_or((rest, ""));
    let definition = Workflow {
        workflow_id: "WF-FUZZ".into(),
        initial_state: initial.into(),
        states: states.into(),
        transitions: transitions.into(),
        ..Workflow::default()
    };
    let machine = match StateMachine::from_workflow(&definition) {
        Ok(machine) => machine,
        Err(e) => {
            assert!(
                e.to_string().contains("WF-FUZZ"),
                "the error names no workflow: {e}"
            );
            return;
        }
    };
    let states = machine.states();
    assert!(!states.is_empty());
    assert!(states.contains(&machine.initial_state()));
    for (index, state) in states.iter().enumerate() {
        assert!(!states[..index].contains(state), "state {state:?} twice");
    }
    for transition in machine.transitions().unwrap_or_default() {
        assert!(states.contains(&transition.from.as_str()));
        assert!(states.contains(&transition.to.as_str()));
    }
    // Every pair, on workflows small enough not to turn the check quadratic in the input.
    for from in states.iter().take(48) {
        let next = machine.next_states(from);
        if machine.is_terminal(from) && machine.transitions().is_none() {
            assert!(next.is_empty(), "{from} is terminal but leads to {next:?}");
        }
        for to in states.iter().take(48) {
            match machine.check_move(from, to) {
                Ok(transition) => {
                    assert!(next.contains(to), "{from} -> {to} allowed but not listed");
                    assert_eq!(
                        (transition.from.as_str(), transition.to.as_str()),
                        (*from, *to)
                    );
                }
                Err(WorkflowError::IllegalMove { legal, .. }) => {
                    assert!(!next.contains(to), "{from} -> {to} listed but refused");
                    assert_eq!(legal, next);
                }
                Err(other) => panic!("{from} -> {to}: {other}"),
            }
        }
    }
    let missing = "\u{0}not a state";
    assert!(machine.next_states(missing).is_empty());
    assert!(matches!(
        machine.check_move(missing, machine.initial_state()),
        Err(WorkflowError::UnknownState { .. })
    ));
}

/// The settings files: the same bytes as a `.env` file and, when UTF-8, as `config.toml`.
/// A `.env` line hsn cannot read is reported by its key only: the value may be the token.
pub fn config(data: &[u8]) {
    match parse_env(data, ".env") {
        Ok(pairs) => {
            for (key, _) in pairs {
                assert!(!key.is_empty(), "an empty key");
            }
        }
        Err(e) => {
            let message = format!("{e:#}");
            assert!(
                message.contains(".env"),
                "the error names no file: {message}"
            );
            if let Some((_, shown)) =
                message.split_once(" has a line hsn cannot read at character ")
            {
                let (_, quoted) = shown.split_once(": ").expect("the key after the position");
                let key = quoted
                    .strip_prefix('"')
                    .and_then(|k| k.strip_suffix('"'))
                    .expect("the key, quoted");
                assert!(
                    key.chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.')),
                    "the error shows more than a key: {quoted}"
                );
            }
        }
    }
    if let Ok(text) = std::str::from_utf8(data) {
        match ConfigFile::parse(text) {
            Ok(file) => {
                assert!(file.stuck.days.is_none_or(|d| d >= 1));
                assert!(file.stuck.workflows.values().all(|d| *d >= 1));
                // A view read is one `--view` and `[views.NAME]` can name again.
                for view in &file.views {
                    assert!(hsn::domain::view::check_view_name(&view.name).is_ok());
                }
                // Every action keeps a key `?` can show.
                for (action, ..) in hsn::config::keys::ACTIONS {
                    assert!(!file.keys.key_label(*action).is_empty());
                }
            }
            Err(e) => assert!(!e.is_empty(), "an empty error"),
        }
    }
}
