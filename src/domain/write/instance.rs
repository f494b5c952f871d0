//! The plans of writes on an instance through its workflow: an advance, and putting back
//! history entries a blind writer dropped.

use chrono::{DateTime, Utc};

use super::{PlanError, Write, typed_text};
use crate::domain::history::{HistoryEntry, HistoryLog};
use crate::domain::models::WorkflowInstance;
use crate::domain::record::Record;
use crate::domain::workflow::StateMachine;

/// An advance of `instance` (a record of Active Workflow Instances) to `to`: checked
/// against its workflow, from `from` (the state the operator saw; default its current
/// one). Returns the write and the instance as it will look.
pub fn plan_advance(
    instance: &Record,
    machine: &StateMachine,
    from: Option<&str>,
    to: &str,
    note: Option<&str>,
    actor: &str,
    at: DateTime<Utc>,
) -> Result<(Write, Record), PlanError> {
    let current = WorkflowInstance::from_record(instance);
    let from = from.unwrap_or(&current.current_state).to_string();
    if from != current.current_state {
        let by = HistoryLog::decode(&current.history_log)
            .last_state_change()
            .and_then(|t| t.actor().map(|a| format!(" (moved by {a})")))
            .unwrap_or_default();
        return Err(PlanError::Invalid(format!(
            "{} is now in \"{}\", not \"{from}\" as when you read it{by}; nothing was changed",
            current.instance_id, current.current_state
        )));
    }
    machine.check_move(&from, to)?;
    if let Some(note) = note {
        typed_text("note", note, false)?;
    }
    let note = note.map(str::trim).filter(|n| !n.is_empty());
    let write = Write::Advance {
        instance_page: instance.page_id.clone().unwrap_or_default(),
        instance_id: current.instance_id,
        from,
        to: to.to_string(),
        note: note.map(str::to_string),
        actor: actor.to_string(),
        at,
        completes: machine.is_terminal(to),
        status_before: machine
            .is_terminal(to)
            .then(|| current.status.clone())
            .flatten(),
    };
    let mut after = instance.clone();
    write.apply(&mut after);
    Ok((write, after))
}

/// Puts back into `instance`'s History Log those of `entries` (hsn's own, confirmed once)
/// it lacks. Returns the write and the instance as it will look, or `None` when the log
/// already holds every one.
pub fn plan_restore(instance: &Record, entries: &[HistoryEntry]) -> Option<(Write, Record)> {
    let current = WorkflowInstance::from_record(instance);
    let mut log = HistoryLog::decode(&current.history_log);
    let missing = log.restore(entries);
    if missing.is_empty() {
        return None;
    }
    let mut after = instance.clone();
    after.set("History Log", log.encode_text());
    let write = Write::RestoreHistory {
        instance_page: instance.page_id.clone().unwrap_or_default(),
        instance_id: current.instance_id,
        entries: missing.iter().map(|e| e.to_json().clone()).collect(),
    };
    Some((write, after))
}
