//! An instance's compact seed history made into a real `History Log`, each move checked
//! against its workflow, and the columns that follow from where the moves leave it.
//!
//! An item with `actor` is written the way hsn writes (`HistoryEntry::transition` and
//! `::event`: RFC 3339 time, `details.actor`); one with `agent` the way the original
//! agents wrote (`"[Agent] …"` action, Python's naive `isoformat()` time, no
//! `details.actor`), so the demo shows both kinds an operator meets.

use chrono::{DateTime, Duration, Utc};
use serde_json::{Map, Value, json};

use super::time::{When, anchor, resolve};
use super::{Ctx, Problem};
use crate::domain::history::{HistoryEntry, HistoryLog};
use crate::domain::schema::{DatabaseKey, database};
use crate::domain::workflow::StateMachine;

/// What a seed history gives the instance.
pub(super) struct Built {
    /// The log as JSON array text.
    pub text: String,
    /// Where the moves leave the instance (the initial state when there are none).
    pub state: String,
    /// When the last move was logged (original entries are not minute-aligned).
    pub last_transition: Option<DateTime<Utc>>,
    /// Every entry's time, for the page's created and edited times.
    pub times: Vec<DateTime<Utc>>,
}

const KEYS: [&str; 7] = ["at", "actor", "agent", "to", "action", "note", "details"];

/// An instance's history made into its `History Log`, and the columns that follow from it
/// (`Current State`, `Status`, `Last Transition Date`) where the seed leaves them out.
pub(super) fn instance_columns(
    ctx: &Ctx,
    title: &str,
    record: &Map<String, Value>,
    derived: &mut Map<String, Value>,
    times: &mut Vec<DateTime<Utc>>,
) -> Result<(), (&'static str, Problem)> {
    let workflow = record.get("Workflow").and_then(Value::as_str).unwrap_or("");
    let machine = ctx.machines.get(workflow).ok_or_else(|| {
        let target = Problem::UnknownTarget {
            database: database(DatabaseKey::WorkflowsLibrary).alias,
            title: workflow.to_string(),
        };
        ("Workflow", target)
    })?;
    let empty = json!([]);
    let log = record.get("History Log").unwrap_or(&empty);
    let built = build(machine, log, ctx.anchor, title).map_err(|p| ("History Log", p))?;
    times.extend(&built.times);
    let terminal = machine.is_terminal(&built.state);
    let derived_status = if terminal { "Completed" } else { "Active" };

    let given = |column| record.get(column).and_then(Value::as_str);
    let disagrees = |column, given: &str, derived: &str| {
        let problem = Problem::Disagrees {
            given: given.to_string(),
            derived: derived.to_string(),
        };
        Err((column, problem))
    };
    match given("Current State") {
        Some(state) if state != built.state => {
            return disagrees("Current State", state, &built.state);
        }
        Some(_) => {}
        None => {
            let text =
                super::page::rich_text(&built.state).map_err(|e| ("Current State", e.into()))?;
            derived.insert("Current State".into(), text);
        }
    }
    match given("Status") {
        Some(status) if (status == "Completed") != terminal => {
            return disagrees("Status", status, derived_status);
        }
        Some(_) => {}
        None => {
            let column = database(DatabaseKey::ActiveWorkflowInstances).column("Status");
            let column = column.expect("instances have a Status");
            derived.insert(
                "Status".into(),
                super::page::option(DatabaseKey::ActiveWorkflowInstances, column, derived_status),
            );
        }
    }
    if record
        .get("Last Transition Date")
        .is_none_or(Value::is_null)
    {
        let start = record.get("Start Date").and_then(Value::as_str);
        let start = start.and_then(|s| resolve(s, ctx.anchor).ok());
        // Minute-rounded as every demo date is; an original entry's seconds stay in the log.
        let moved = built.last_transition.map(|t| When::Instant(anchor(t)));
        let last = moved.or(start);
        if let Some(last) = last {
            derived.insert(
                "Last Transition Date".into(),
                json!({"start": last.notion_start(), "end": null, "time_zone": null}),
            );
        }
    }
    let text = super::page::rich_text(&built.text).map_err(|e| ("History Log", e.into()))?;
    derived.insert("History Log".into(), text);
    Ok(())
}

fn build(
    machine: &StateMachine,
    items: &Value,
    anchor: DateTime<Utc>,
    instance: &str,
) -> Result<Built, Problem> {
    let items = items.as_array().ok_or(Problem::WrongShape {
        expected: "a list of history items",
    })?;
    let mut log = HistoryLog::default();
    let mut state = machine.initial_state().to_string();
    let mut last_transition = None;
    let mut times: Vec<DateTime<Utc>> = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let bad = |reason: String| Problem::BadHistoryItem {
            number: index + 1,
            reason,
        };
        let item = item
            .as_object()
            .ok_or_else(|| bad("is not an object".into()))?;
        if let Some(key) = item.keys().find(|k| !KEYS.contains(&k.as_str())) {
            return Err(bad(format!(
                "has an unknown key \"{key}\" (the keys are {})",
                KEYS.join(", ")
            )));
        }
        let text = |key: &str| item.get(key).and_then(Value::as_str);
        let at_text = text("at").ok_or_else(|| bad("needs \"at\", a relative time".into()))?;
        let at = match resolve(at_text, anchor) {
            Ok(When::Instant(at)) => at,
            Ok(When::Day(_)) => return Err(bad("\"at\" must be a moment, not a day".into())),
            Err(reason) => {
                return Err(Problem::BadTime {
                    text: at_text.to_string(),
                    reason,
                });
            }
        };
        if at > anchor {
            return Err(bad(format!("is in the future ({at_text})")));
        }
        // Strictly later, so the seconds added to original entries never reorder them.
        if times.last().is_some_and(|last| at <= *last) {
            return Err(bad(format!(
                "is not later than the item before it ({at_text})"
            )));
        }
        let details = match item.get("details") {
            None => Map::new(),
            Some(Value::Object(details)) => details.clone(),
            Some(_) => return Err(bad("\"details\" must be an object".into())),
        };
        let note = text("note");

        let entry = match (text("actor"), text("agent"), text("to"), text("action")) {
            (Some(actor), None, Some(to), None) => {
                let to = machine
                    .check_move(&state, to)
                    .map_err(|e| Problem::IllegalMove(Box::new(e)))?
                    .to;
                let entry = HistoryEntry::transition(actor, &state, &to, note, at);
                (state, last_transition) = (to, Some(at));
                entry
            }
            (Some(actor), None, None, Some(action)) => {
                let mut details = details;
                if let Some(note) = note {
                    details.insert("note".into(), json!(note));
                }
                HistoryEntry::event(actor, action, details, at)
            }
            (None, Some(agent), Some(to), None) => {
                let transition = machine
                    .check_move(&state, to)
                    .map_err(|e| Problem::IllegalMove(Box::new(e)))?;
                // The original state machine's wording, with its transition's name.
                let mut action = format!("Transitioned from {state} to {}", transition.to);
                if let Some(name) = &transition.name {
                    action = format!("{action} via {name}");
                }
                let entry = original(agent, &action, details, note, at, instance, index)?;
                (state, last_transition) = (transition.to, Some(entry.timestamp()));
                entry
            }
            (None, Some(agent), None, Some(action)) => {
                original(agent, action, details, note, at, instance, index)?
            }
            _ => {
                return Err(bad(
                    "needs exactly one of \"actor\" and \"agent\", and exactly one of \"to\" and \
                     \"action\""
                        .into(),
                ));
            }
        };
        times.push(at);
        log.push(entry);
    }
    Ok(Built {
        text: log.encode_text(),
        state,
        last_transition,
        times,
    })
}

/// An entry as the original agents wrote it. Their clocks were not minute-aligned, so the
/// time loses a few seconds and microseconds derived from the instance and position: the
/// same on every load, never in the future, and never back to the item before.
fn original(
    agent: &str,
    action: &str,
    mut details: Map<String, Value>,
    note: Option<&str>,
    at: DateTime<Utc>,
    instance: &str,
    index: usize,
) -> Result<HistoryEntry, Problem> {
    if let Some(note) = note {
        details.insert("note".into(), json!(note));
    }
    let jitter = super::page::spread(&[instance, &index.to_string()], 59_000_000);
    let at = at - Duration::microseconds(1 + jitter as i64);
    let item = json!({
        "timestamp": at.naive_utc().format("%Y-%m-%dT%H:%M:%S%.6f").to_string(),
        "action": format!("[{agent}] {action}"),
        "details": details,
    });
    HistoryEntry::from_json(&item).ok_or(Problem::BadHistoryItem {
        number: index + 1,
        reason: "does not make a readable entry".into(),
    })
}
