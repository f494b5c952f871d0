//! Corrections of an instance by hand, outside its workflow: an error resolved, a hold and
//! its end, a transition reverted. Each is refused unless the instance is as it expects
//! (in Error, Active, On Hold; still in the state a revert undoes), when planned and again
//! when sent.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, json};

use super::{PlanError, Write, instant, typed_text};
use crate::domain::history::{HistoryEntry, HistoryLog};
use crate::domain::models::WorkflowInstance;
use crate::domain::record::Record;
use crate::domain::schema::DatabaseKey;

/// What a `Write::Correct` does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Correction {
    /// Status Error → Active, Error Message cleared. `error` is the message resolved.
    Resolve { error: String },
    /// Status Active → On Hold.
    Hold,
    /// Status On Hold → Active.
    Resume,
    /// Undoes an advance `from` → `to`: Current State back to `from` while it is still
    /// `to`, and the Status the advance completed back to `status_before`.
    Revert {
        from: String,
        to: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        status_before: Option<String>,
    },
}

impl Correction {
    /// The Status the instance must have for the correction to apply (`None`: any; a
    /// revert checks the state instead).
    pub fn expected_status(&self) -> Option<&'static str> {
        match self {
            Correction::Resolve { .. } => Some("Error"),
            Correction::Hold => Some("Active"),
            Correction::Resume => Some("On Hold"),
            Correction::Revert { .. } => None,
        }
    }

    /// The Status the correction sets, if it sets one.
    pub fn status_after(&self) -> Option<&str> {
        match self {
            Correction::Resolve { .. } | Correction::Resume => Some("Active"),
            Correction::Hold => Some("On Hold"),
            Correction::Revert { status_before, .. } => status_before.as_deref(),
        }
    }

    /// The columns it changes on the instance (the history entry aside), as they will be.
    pub fn changes(&self, at: DateTime<Utc>) -> Record {
        let mut record = Record::new(DatabaseKey::ActiveWorkflowInstances);
        self.apply(&mut record, at);
        record
    }

    /// Sets the columns it changes on `record` (an instance).
    pub fn apply(&self, record: &mut Record, at: DateTime<Utc>) {
        if let Some(status) = self.status_after() {
            record.set("Status", Some(status.to_string()));
        }
        match self {
            Correction::Resolve { .. } => record.set("Error Message", String::new()),
            Correction::Revert { from, .. } => {
                record.set("Current State", from.clone());
                record.set("Last Transition Date", instant(at));
            }
            Correction::Hold | Correction::Resume => {}
        }
    }

    /// The history entry it adds: `Resolved error: MESSAGE`, `Put on hold`, `Resumed`,
    /// `Reverted transition from X to Y`, each followed by ` — NOTE` when there is one.
    pub fn entry(&self, actor: &str, note: Option<&str>, at: DateTime<Utc>) -> HistoryEntry {
        let mut details = Map::new();
        let (kind, action) = match self {
            Correction::Resolve { error } => {
                details.insert("error".into(), json!(error));
                ("resolve", format!("Resolved error: {error}"))
            }
            Correction::Hold => ("hold", "Put on hold".to_string()),
            Correction::Resume => ("resume", "Resumed".to_string()),
            Correction::Revert { from, to, .. } => {
                // Not `from`/`to`: the entry must never read as a transition.
                details.insert("reverted_from".into(), json!(from));
                details.insert("reverted_to".into(), json!(to));
                ("revert", format!("Reverted transition from {from} to {to}"))
            }
        };
        let action = match note {
            Some(note) => format!("{action} — {note}"),
            None => action,
        };
        HistoryEntry::correction(actor, kind, &action, details, at)
    }

    /// For a write's summary: `error resolved`, `put on hold`, `resumed`,
    /// `consultation → inquiry (reverted)`.
    pub fn describe(&self) -> String {
        match self {
            Correction::Resolve { .. } => "error resolved".into(),
            Correction::Hold => "put on hold".into(),
            Correction::Resume => "resumed".into(),
            Correction::Revert { from, to, .. } => format!("{to} → {from} (reverted)"),
        }
    }

    /// Why `instance` does not take this correction now, if it does not.
    pub fn refusal(&self, instance: &WorkflowInstance) -> Option<String> {
        let label = &instance.instance_id;
        if let Correction::Revert {
            to, status_before, ..
        } = self
        {
            if instance.current_state == *to {
                // The advance completed it: its Status goes back only from Completed, never
                // over a Status another writer set since (an Error, say).
                let status = instance.status.as_deref().unwrap_or("no status");
                return (status_before.is_some() && status != "Completed").then(|| {
                    format!(
                        "{label} is {status} now, not Completed as the advance left it: \
                         reverting would overwrite that; nothing was changed"
                    )
                });
            }
            let by = HistoryLog::decode(&instance.history_log)
                .last_state_change()
                .and_then(|e| e.actor().map(|a| format!(" (moved by {a})")))
                .unwrap_or_default();
            return Some(format!(
                "{label} is now in \"{}\", not \"{to}\" as when you read it{by}; nothing was changed",
                instance.current_state
            ));
        }
        let expected = self.expected_status()?;
        let status = instance.status.as_deref().unwrap_or("no status");
        if let Correction::Resolve { error } = self
            && status == expected
            && instance.error_message.trim() != error.trim()
        {
            // In Error again since, with another message: resolving would clear an error
            // nobody read, under an entry naming the old one.
            return Some(format!(
                "{label} is in Error with another message now (\"{}\"), not the one you read \
                 (\"{}\"); nothing was changed",
                instance.error_message.trim(),
                error.trim()
            ));
        }
        (status != expected).then(|| match self {
            Correction::Resolve { .. } => {
                format!("{label} is {status}, not in Error: there is no error to resolve; nothing was changed")
            }
            Correction::Hold => format!("{label} is {status}: only an Active instance is put on hold; nothing was changed"),
            _ => format!("{label} is {status}, not On Hold: there is nothing to resume; nothing was changed"),
        })
    }
}

/// A correction of `instance`, checked against it now.
fn plan(
    instance: &Record,
    correction: Correction,
    note: Option<&str>,
    actor: &str,
    at: DateTime<Utc>,
) -> Result<(Write, Record), PlanError> {
    let current = WorkflowInstance::from_record(instance);
    if let Some(why) = correction.refusal(&current) {
        return Err(PlanError::Invalid(why));
    }
    if let Some(note) = note {
        typed_text("note", note, false)?;
    }
    let write = Write::Correct {
        instance_page: instance.page_id.clone().unwrap_or_default(),
        instance_id: current.instance_id,
        correction,
        note: note
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_string),
        actor: actor.to_string(),
        at,
    };
    let mut after = instance.clone();
    write.apply(&mut after);
    Ok((write, after))
}

/// Resolves an instance in Error: Active again, its Error Message cleared.
pub fn plan_resolve(
    instance: &Record,
    note: Option<&str>,
    actor: &str,
    at: DateTime<Utc>,
) -> Result<(Write, Record), PlanError> {
    let error = WorkflowInstance::from_record(instance).error_message;
    plan(instance, Correction::Resolve { error }, note, actor, at)
}

/// Puts an Active instance on hold.
pub fn plan_hold(
    instance: &Record,
    note: Option<&str>,
    actor: &str,
    at: DateTime<Utc>,
) -> Result<(Write, Record), PlanError> {
    plan(instance, Correction::Hold, note, actor, at)
}

/// Makes an instance On Hold Active again.
pub fn plan_resume(
    instance: &Record,
    note: Option<&str>,
    actor: &str,
    at: DateTime<Utc>,
) -> Result<(Write, Record), PlanError> {
    plan(instance, Correction::Resume, note, actor, at)
}

/// Reverts the advance `from` → `to` of `instance` (still in `to`): back in `from`, its
/// Status back to `status_before` when the advance had completed it. Outside the workflow:
/// no move is checked against the state machine.
pub fn plan_revert(
    instance: &Record,
    from: &str,
    to: &str,
    status_before: Option<&str>,
    note: Option<&str>,
    actor: &str,
    at: DateTime<Utc>,
) -> Result<(Write, Record), PlanError> {
    let correction = Correction::Revert {
        from: from.to_string(),
        to: to.to_string(),
        status_before: status_before.map(str::to_string),
    };
    plan(instance, correction, note, actor, at)
}
