//! Editing a task (status, priority, assignee, due date), and recording the edit in its
//! workflow instance's History Log: the task first, then the entry, as a new task is made.
//! Once the task is changed, a failing entry is never a refusal: a temporary failure is
//! left to a retry (which finds the task changed and only writes the entry), a lasting one
//! is a partial outcome naming what exists.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};

use super::SendGuard;
use super::error::OperationError;
use super::find::find_page;
use super::history_write::{Checks, write_with_history};
use super::task::{choice, date};
use crate::domain::history::{HistoryEntry, HistoryLog};
use crate::domain::models::WorkflowInstance;
use crate::domain::record::{FieldValue, Record};
use crate::domain::schema::DatabaseKey;
use crate::domain::write::same_value;
use crate::notion::{DateValue, NotionClient, NotionId, Page};
use crate::workspace::sources::DataSources;

/// Changes to a task; `None` leaves a column as it is.
#[derive(Debug, Clone, Default)]
pub struct TaskEdit {
    /// `TASK-…` or the task's page id.
    pub task: String,
    pub status: Option<String>,
    pub priority: Option<String>,
    pub assignee: Option<String>,
    pub due: Option<NaiveDate>,
    /// Clears the Due Date (sent as a null date).
    pub clear_due: bool,
    /// Sent only while the task holds `was` (or already the edit's values): an undo never
    /// overwrites a change made after the edit it reverses. Refused otherwise.
    pub conditional: bool,
    /// This edit was sent before and its answer lost: the task is read first, and the edit
    /// is not sent again over a task changed since.
    pub may_have_landed: bool,
    /// An earlier attempt had the task's update applied (Notion answered it) and failed
    /// on the entry: only the entry is left, whatever the task holds now.
    pub task_landed: bool,
    /// The edited columns as they were when the edit was planned: a value now neither this
    /// nor the edit's means someone changed the task since.
    pub was: BTreeMap<String, FieldValue>,
    /// Where the edit is recorded; `None`: nowhere in Notion.
    pub trail: Option<EditTrail>,
    /// Asked right before each write.
    pub guard: SendGuard,
}

/// The history entry of an edit, and the instance whose log records it.
#[derive(Debug, Clone)]
pub struct EditTrail {
    /// The instance: its page id, or its Instance ID.
    pub instance: String,
    /// How messages name the instance (`INST-…`).
    pub label: String,
    pub entry: HistoryEntry,
}

/// An edit made.
#[derive(Debug, Clone)]
pub struct TaskEdited {
    /// The task as Notion now has it.
    pub page: Page,
    /// It had landed before (its answer was lost), its entry too: nothing was sent now.
    pub already_applied: bool,
    /// Sent before without an answer, and the task changed in Notion since: it may have
    /// landed and been changed again, so it was not sent over that change, and no entry
    /// was written. Notion's copy stands.
    pub changed_since: bool,
    /// The instance as Notion now has it, holding the entry; `None` without a trail, or
    /// when the entry could not be written (see `history_error`).
    pub instance_page: Option<Page>,
    /// The task is changed but its entry could not be written, for a reason no retry
    /// fixes (the instance was trashed, its log is full): a partial outcome.
    pub history_error: Option<String>,
}

impl TaskEdited {
    fn without_entry(page: Page) -> TaskEdited {
        TaskEdited {
            page,
            already_applied: false,
            changed_since: false,
            instance_page: None,
            history_error: None,
        }
    }
}

/// The columns `edit` sets, checked against the schema.
fn requested(edit: &TaskEdit) -> Result<Record, OperationError> {
    let mut changes = Record::new(DatabaseKey::Tasks);
    if let Some(status) = &edit.status {
        changes.set(
            "Status",
            Some(choice(DatabaseKey::Tasks, "Status", status)?),
        );
    }
    if let Some(priority) = &edit.priority {
        changes.set(
            "Priority",
            Some(choice(DatabaseKey::Tasks, "Priority", priority)?),
        );
    }
    if let Some(assignee) = &edit.assignee {
        changes.set("Assigned To", assignee.trim().to_string());
    }
    if let Some(due) = edit.due {
        changes.set("Due Date", date(due));
    } else if edit.clear_due {
        changes.set::<Option<DateValue>>("Due Date", None);
    }
    if changes.values.is_empty() {
        return Err(OperationError::Invalid(
            "nothing to change: give --status, --priority, --assignee or --due".into(),
        ));
    }
    Ok(changes)
}

/// Changes a task's status, priority, assignee or due date (the other columns stay), then
/// records the edit in its instance's History Log (`edit.trail`). `now` is the edit's
/// stamp. An edit that may have landed before (`may_have_landed`) is looked for first: its
/// entry in the log, nothing is sent; the task holding its values, only the entry is
/// written; the task changed in Notion since it was planned (a value neither as it was nor
/// the edit's), nothing is sent over that change (`changed_since`).
pub async fn edit_task(
    client: &NotionClient,
    sources: &DataSources,
    edit: &TaskEdit,
    now: DateTime<Utc>,
) -> Result<TaskEdited, OperationError> {
    let mut changes = requested(edit)?;
    let page = find_page(client, sources, DatabaseKey::Tasks, &edit.task).await?;
    let mut task_landed = false;
    if edit.may_have_landed {
        if let Some(instance) = recorded_before(client, sources, edit).await? {
            return Ok(TaskEdited {
                already_applied: true,
                instance_page: Some(instance),
                ..TaskEdited::without_entry(page)
            });
        }
        let held = Record::from_page(DatabaseKey::Tasks, &page);
        task_landed = edit.task_landed
            || changes
                .values
                .iter()
                .all(|(column, value)| same_value(held.value(column), Some(value)));
        let changed_by_someone = edit.was.iter().any(|(column, before)| {
            let now = held.value(column);
            !same_value(now, Some(before)) && !same_value(now, changes.value(column))
        });
        if !task_landed && changed_by_someone {
            return Ok(TaskEdited {
                changed_since: true,
                ..TaskEdited::without_entry(page)
            });
        }
    }
    let page = if task_landed {
        page
    } else {
        if edit.conditional {
            refuse_if_moved(edit, &changes, &page)?;
        }
        changes.set("Last Edited Date", date(now.date_naive()));
        update(client, edit, &page, &changes).await?
    };
    let Some(trail) = &edit.trail else {
        return Ok(TaskEdited {
            already_applied: task_landed,
            ..TaskEdited::without_entry(page)
        });
    };
    match record_entry(client, sources, edit, trail).await {
        Ok(instance) => Ok(TaskEdited {
            instance_page: Some(instance),
            ..TaskEdited::without_entry(page)
        }),
        Err(e) if e.is_temporary() => Err(OperationError::Partial {
            done: format!("task {} is changed in Notion", edit.task),
            source: Box::new(e),
        }),
        Err(e) => Ok(TaskEdited {
            history_error: Some(e.to_string()),
            ..TaskEdited::without_entry(page)
        }),
    }
}

/// A conditional edit (an undo) whose task no longer holds what it was planned over is
/// refused: it would overwrite that change. Nothing is written, no entry either.
fn refuse_if_moved(edit: &TaskEdit, changes: &Record, page: &Page) -> Result<(), OperationError> {
    let held = Record::from_page(DatabaseKey::Tasks, page);
    // A column that held nothing when the edit was planned is not in `was`.
    let moved = changes.values.iter().find(|(column, value)| {
        let now = held.value(column);
        !same_value(now, edit.was.get(**column)) && !same_value(now, Some(value))
    });
    match moved {
        Some((column, _)) => Err(OperationError::Stale(format!(
            "task {} changed in Notion since: its {column} is no longer what this change \
             was planned over, so it was not sent (it would overwrite that change)",
            edit.task
        ))),
        None => Ok(()),
    }
}

async fn update(
    client: &NotionClient,
    edit: &TaskEdit,
    page: &Page,
    changes: &Record,
) -> Result<Page, OperationError> {
    let subject = format!("task {}", edit.task);
    edit.guard.check()?;
    match client.update_page(&page.id, changes.to_properties()?).await {
        Ok(page) => Ok(page),
        // Saved, though the answer says otherwise: read it back, never send it again.
        Err(e) if e.saved_anyway() => client
            .retrieve_page(&page.id)
            .await
            .map_err(OperationError::notion(&subject)),
        Err(e) => Err(OperationError::notion(subject)(e)),
    }
}

/// The instance, when its log already holds the edit's entry (an earlier attempt landed
/// whole). A lookup that fails for now is never a refusal; one that fails for good (the
/// instance is gone) finds nothing, and the entry's own write says so.
async fn recorded_before(
    client: &NotionClient,
    sources: &DataSources,
    edit: &TaskEdit,
) -> Result<Option<Page>, OperationError> {
    let Some(trail) = &edit.trail else {
        return Ok(None);
    };
    let instance = match find_page(
        client,
        sources,
        DatabaseKey::ActiveWorkflowInstances,
        &trail.instance,
    )
    .await
    {
        Ok(page) => page,
        Err(e) if e.is_temporary() => {
            return Err(OperationError::Undetermined {
                what: format!("the edit of task {} was recorded already", edit.task),
                source: Box::new(e),
            });
        }
        Err(_) => return Ok(None),
    };
    let log = HistoryLog::decode(&WorkflowInstance::from_page(&instance).history_log);
    Ok(log.contains(&trail.entry).then_some(instance))
}

/// Appends the edit's entry to the instance's log (re-read, merged, written, read back);
/// returns the instance as Notion now has it.
async fn record_entry(
    client: &NotionClient,
    sources: &DataSources,
    edit: &TaskEdit,
    trail: &EditTrail,
) -> Result<Page, OperationError> {
    let page_id = match NotionId::parse(&trail.instance) {
        Ok(id) => id.as_str().to_string(),
        Err(_) => {
            find_page(
                client,
                sources,
                DatabaseKey::ActiveWorkflowInstances,
                &trail.instance,
            )
            .await?
            .id
        }
    };
    let recorded = |instance: &WorkflowInstance| {
        HistoryLog::decode(&instance.history_log).contains(&trail.entry)
    };
    let written = write_with_history(
        client,
        &page_id,
        &trail.label,
        Record::new(DatabaseKey::ActiveWorkflowInstances),
        &trail.entry,
        Checks {
            // The task is changed already: nothing of the instance can refuse the entry.
            still_valid: |_: &WorkflowInstance| Ok(()),
            landed_before: recorded,
            may_have_landed: edit.may_have_landed,
            guard: edit.guard.clone(),
        },
    )
    .await?;
    Ok(written.page)
}
