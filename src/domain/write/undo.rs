//! Undoing a write that went to Notion: its inverse, planned against the record as it is
//! now, and refused when someone changed what the write set since (an undo never
//! overwrites a later change).

use chrono::{DateTime, NaiveDate, Utc};

use super::correct::Correction;
use super::task::{TaskChanges, plan_task_changes, plan_trash};
use super::{PlanError, Write, plan_hold, plan_resume, plan_revert};
use crate::domain::record::{FieldValue, Record};

/// The inverse of `landed` (a write Notion has), planned against `current` (the record it
/// changed, as cached now: the task of an edit or a create, the instance of an advance or a
/// correction), by `actor` at `at`:
///
/// - an edit → an edit putting back the values it replaced (a column that had none is
///   cleared), refused if the task no longer holds what the edit set; sent only while it
///   still does (`conditional`);
/// - a new task → the task moved to the trash;
/// - an advance → a revert (`Correction::Revert`), refused once the instance left the
///   target state;
/// - a hold ↔ a resume;
/// - a resolved error, a revert, a restoration of history, a trash: refused (nothing to
///   put back that hsn can set right).
pub fn plan_undo(
    landed: &Write,
    current: &Record,
    actor: &str,
    at: DateTime<Utc>,
) -> Result<(Write, Record), PlanError> {
    let refuse = |why: &str| Err(PlanError::Invalid(format!("{}: {why}", landed.summary())));
    match landed {
        Write::EditTask { task_page, .. } => {
            same_page(current, task_page, landed)?;
            undo_edit(landed, current, actor, at)
        }
        Write::CreateTask { task_id, .. } => {
            if current.title() != *task_id {
                return refuse(&format!("the record given is not the task {task_id}"));
            }
            plan_trash(current, at)
        }
        Write::Advance {
            instance_page,
            from,
            to,
            completes,
            status_before,
            ..
        } => {
            same_page(current, instance_page, landed)?;
            // A completing advance was made on a running instance: Active, unless it said.
            let status_before = completes.then(|| status_before.as_deref().unwrap_or("Active"));
            plan_revert(current, from, to, status_before, None, actor, at)
        }
        Write::Correct {
            instance_page,
            correction,
            ..
        } => {
            same_page(current, instance_page, landed)?;
            match correction {
                Correction::Hold => plan_resume(current, None, actor, at),
                Correction::Resume => plan_hold(current, None, actor, at),
                Correction::Resolve { .. } => {
                    refuse("an error once resolved is not put back; nothing was changed")
                }
                Correction::Revert { .. } => refuse(
                    "a revert is not undone; advance the instance again instead; nothing was changed",
                ),
            }
        }
        Write::TrashTask { .. } => {
            refuse("a task in the trash is restored from Notion's trash; nothing was changed")
        }
        Write::RestoreHistory { .. } => {
            refuse("history put back is not taken out again; nothing was changed")
        }
    }
}

fn same_page(current: &Record, page: &str, landed: &Write) -> Result<(), PlanError> {
    if current.page_id.as_deref() == Some(page) {
        return Ok(());
    }
    Err(PlanError::Invalid(format!(
        "{}: the record given is not the one it changed",
        landed.summary()
    )))
}

/// The edit that puts back what `landed` (an edit) replaced, while `current` still holds
/// what it set.
fn undo_edit(
    landed: &Write,
    current: &Record,
    actor: &str,
    at: DateTime<Utc>,
) -> Result<(Write, Record), PlanError> {
    let Write::EditTask {
        task_id,
        status,
        priority,
        assignee,
        due,
        was,
        ..
    } = landed
    else {
        unreachable!("undo_edit is called with an edit");
    };
    let set = |column: &str| -> Option<FieldValue> {
        match column {
            "Status" => status.clone().map(|s| FieldValue::OptText(Some(s))),
            "Priority" => priority.clone().map(|p| FieldValue::OptText(Some(p))),
            "Assigned To" => assignee.clone().map(FieldValue::Text),
            _ => Some(FieldValue::Date(due.and_then(super::date))),
        }
    };
    let mut changes = TaskChanges::default();
    for column in landed.edited_columns() {
        let ours = set(column).unwrap_or(FieldValue::Text(String::new()));
        let now = current.value(column);
        if !same_value(now, Some(&ours)) {
            return Err(PlanError::Invalid(format!(
                "{task_id} changed since this edit: {column} is now {}, not {} as the edit \
                 set it; undoing it would overwrite that change, so nothing was changed",
                shown(now),
                shown(Some(&ours))
            )));
        }
        let before = was.get(column);
        match column {
            "Status" | "Priority" => {
                let Some(FieldValue::OptText(Some(value))) = before else {
                    return Err(PlanError::Invalid(format!(
                        "{task_id} had no {column} before this edit, and a {column} cannot be \
                         cleared; nothing was changed"
                    )));
                };
                if column == "Status" {
                    changes.status = Some(value.clone());
                } else {
                    changes.priority = Some(value.clone());
                }
            }
            "Assigned To" => {
                changes.assignee = Some(match before {
                    Some(FieldValue::Text(name)) => name.clone(),
                    _ => String::new(),
                });
            }
            _ => changes.due = Some(day_of(before)),
        }
    }
    let (mut write, after) = plan_task_changes(current, &changes, actor, at)?;
    if let Write::EditTask { conditional, .. } = &mut write {
        *conditional = true;
    }
    Ok((write, after))
}

/// Whether two values of a column say the same: empty is empty however it is held, and a
/// date is its start.
pub(crate) fn same_value(a: Option<&FieldValue>, b: Option<&FieldValue>) -> bool {
    shown_value(a) == shown_value(b)
}

/// A column's value as text (a date its start); `None` when empty.
pub(crate) fn shown_value(value: Option<&FieldValue>) -> Option<String> {
    match value? {
        FieldValue::Text(text) => Some(text.trim().to_string()).filter(|t| !t.is_empty()),
        FieldValue::OptText(text) => text.clone(),
        FieldValue::Date(date) => date.as_ref().map(|d| d.start.clone()),
        other => Some(format!("{other:?}")),
    }
}

fn shown(value: Option<&FieldValue>) -> String {
    shown_value(value).map_or_else(|| "empty".to_string(), |v| format!("\"{v}\""))
}

/// The day a Due Date held (`None`: none).
fn day_of(value: Option<&FieldValue>) -> Option<NaiveDate> {
    match value {
        Some(FieldValue::Date(Some(date))) => {
            NaiveDate::parse_from_str(date.start.get(..10)?, "%Y-%m-%d").ok()
        }
        _ => None,
    }
}
