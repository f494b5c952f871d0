//! The plans of writes on tasks: a new task from an instance, an edit, the trash.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{Map, Value, json};

use super::undo::shown_value;
use super::{PlanError, Write, choice, typed_text};
use crate::domain::history::{HistoryEntry, TaskChange};
use crate::domain::models::WorkflowInstance;
use crate::domain::record::{Link, Record};
use crate::domain::schema::{DatabaseKey, TASK_INSTANCE_COLUMN};

/// What an operator asks for in a new task.
#[derive(Debug, Clone, Default)]
pub struct TaskRequest {
    pub name: String,
    pub description: Option<String>,
    pub priority: Option<String>,
    pub due: Option<NaiveDate>,
    pub assignee: Option<String>,
}

/// The history entry that records a task's creation on its instance.
pub fn task_created_entry(
    actor: &str,
    name: &str,
    task_id: &str,
    assignee: Option<&str>,
    due: Option<NaiveDate>,
    at: DateTime<Utc>,
) -> HistoryEntry {
    let mut details = Map::new();
    details.insert("task_id".into(), json!(task_id));
    details.insert("assigned_to".into(), json!(assignee));
    details.insert(
        "due_date".into(),
        due.map_or(Value::Null, |d| json!(d.to_string())),
    );
    HistoryEntry::event(actor, &format!("Created task: {name}"), details, at)
}

/// A task made from `instance`: status To Do, linked to the instance and its business
/// entity, created by `actor`. Returns the write, the new task as it will look (under
/// `local_page` until Notion gives it an id) and the instance with its history entry.
pub fn plan_new_task(
    instance: &Record,
    request: &TaskRequest,
    task_id: &str,
    local_page: &str,
    actor: &str,
    at: DateTime<Utc>,
) -> Result<(Write, Record, Record), PlanError> {
    let name = request.name.trim();
    if name.is_empty() {
        return Err(PlanError::Invalid("a task needs a name (--name)".into()));
    }
    typed_text("task name", name, false)?;
    if let Some(assignee) = &request.assignee {
        typed_text("assignee", assignee, false)?;
    }
    if let Some(description) = &request.description {
        typed_text("description", description, true)?;
    }
    let priority = choice(
        DatabaseKey::Tasks,
        "Priority",
        request.priority.as_deref().unwrap_or("Medium"),
    )?;
    let current = WorkflowInstance::from_record(instance);
    let instance_page = instance.page_id.clone().unwrap_or_default();

    let write = Write::CreateTask {
        task_id: task_id.to_string(),
        local_page: local_page.to_string(),
        instance_page,
        instance_id: current.instance_id,
        name: name.to_string(),
        description: request.description.clone(),
        priority,
        due: request.due,
        assignee: request.assignee.clone(),
        actor: actor.to_string(),
        at,
    };
    let mut task = write
        .created_task()
        .unwrap_or_else(|| Record::new(DatabaseKey::Tasks));
    task.set("Related Business Entity", current.business_entity.clone());
    let mut after = instance.clone();
    write.apply(&mut after);
    Ok((write, task, after))
}

/// Changes to a task; `None` leaves a column as it is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TaskChanges {
    pub status: Option<String>,
    pub priority: Option<String>,
    /// `Some("")` clears the assignee.
    pub assignee: Option<String>,
    /// `Some(None)` clears the due date.
    pub due: Option<Option<NaiveDate>>,
    /// The operator's note, kept in the edit's history entry.
    pub note: Option<String>,
}

/// Changes to a task's status, priority, assignee or due date by `actor`; `None` leaves
/// one as it is.
pub fn plan_task_edit(
    task: &Record,
    status: Option<&str>,
    priority: Option<&str>,
    assignee: Option<&str>,
    due: Option<NaiveDate>,
    actor: &str,
    at: DateTime<Utc>,
) -> Result<(Write, Record), PlanError> {
    let changes = TaskChanges {
        status: status.map(str::to_string),
        priority: priority.map(str::to_string),
        assignee: assignee.map(str::to_string),
        due: due.map(Some),
        note: None,
    };
    plan_task_changes(task, &changes, actor, at)
}

/// An edit of `task` by `actor`: the write and the task as it will look. The edit keeps, in
/// `was`, every column it sets as the task held it (a column the task held no value in is
/// left out): a retry tells from them whether someone changed the task since, an undo puts
/// them back, and its history entry reads them as the values before. The entry goes to the
/// task's workflow instance, read from the task now; queuing the edit adds it to the cached
/// instance's log too (`Engine::submit`).
pub fn plan_task_changes(
    task: &Record,
    changes: &TaskChanges,
    actor: &str,
    at: DateTime<Utc>,
) -> Result<(Write, Record), PlanError> {
    let status = changes
        .status
        .as_deref()
        .map(|s| choice(DatabaseKey::Tasks, "Status", s))
        .transpose()?;
    let priority = changes
        .priority
        .as_deref()
        .map(|p| choice(DatabaseKey::Tasks, "Priority", p))
        .transpose()?;
    if status.is_none() && priority.is_none() && changes.assignee.is_none() && changes.due.is_none()
    {
        return Err(PlanError::Invalid(
            "nothing to change: give --status, --priority, --assignee or --due".into(),
        ));
    }
    if let Some(assignee) = &changes.assignee {
        typed_text("assignee", assignee, false)?;
    }
    let note = changes
        .note
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty());
    if let Some(note) = note {
        typed_text("note", note, true)?;
    }
    let (instance_page, instance_id) = instance_of(task);
    let write = Write::EditTask {
        task_page: task.page_id.clone().unwrap_or_default(),
        task_id: task.title(),
        status,
        priority,
        assignee: changes.assignee.as_deref().map(|a| a.trim().to_string()),
        due: changes.due.flatten(),
        clear_due: changes.due == Some(None),
        at,
        was: BTreeMap::new(),
        conditional: false,
        actor: actor.to_string(),
        note: note.map(str::to_string),
        instance_page,
        instance_id,
        task_landed: false,
    };
    Ok(with_was(write, task))
}

/// The task's workflow instance as its `Related Workflow Instance` names it: the page of a
/// relation, or the Instance ID a text column holds (a workspace of the original tool).
fn instance_of(task: &Record) -> (Option<String>, Option<String>) {
    match task.get::<Link>(TASK_INSTANCE_COLUMN) {
        Link::Pages(pages) => (pages.into_iter().next(), None),
        text @ Link::Text(_) => (None, text.ids().into_iter().next()),
    }
}

/// The history entry of `edit` (an `EditTask`): each column it sets, from the value it was
/// planned over (`was`) to its own, leaving out the columns it sets to the value they
/// held. `None` when it changes nothing, and for an edit queued by a version that recorded
/// none (no actor).
pub(super) fn edit_entry(edit: &Write) -> Option<HistoryEntry> {
    let Write::EditTask {
        task_page,
        task_id,
        status,
        priority,
        assignee,
        due,
        at,
        was,
        actor,
        note,
        ..
    } = edit
    else {
        return None;
    };
    if actor.is_empty() {
        return None;
    }
    let changes: Vec<TaskChange> = edit
        .edited_columns()
        .into_iter()
        .map(|column| {
            let to = match column {
                "Status" => status.clone(),
                "Priority" => priority.clone(),
                "Assigned To" => assignee.clone(),
                _ => due.map(|d| d.to_string()),
            };
            let to = to.filter(|v| !v.trim().is_empty());
            (column, shown_value(was.get(column)), to)
        })
        // A column set to the value it held changes nothing: not in the trail.
        .filter(|(_, from, to)| from != to)
        .map(|(column, from, to)| TaskChange::new(column, from, to))
        .collect();
    if changes.is_empty() {
        return None;
    }
    Some(HistoryEntry::task_edit(
        actor,
        task_id,
        task_page,
        &changes,
        note.as_deref(),
        *at,
    ))
}

impl Write {
    /// The task page, Task ID and entry of an edit of a task that has no workflow
    /// instance: hsn's store is the only place that keeps its trail (written once the edit
    /// is confirmed). `None` for any other write.
    pub fn store_trail(&self) -> Option<(&str, &str, HistoryEntry)> {
        match self {
            Write::EditTask {
                task_page,
                task_id,
                instance_page: None,
                instance_id: None,
                ..
            } => Some((task_page.as_str(), task_id.as_str(), edit_entry(self)?)),
            _ => None,
        }
    }

    /// This edit once Notion has applied its task's update (it answered it) but not yet
    /// its entry: the retry writes only the entry, even over a task someone changed since
    /// (the edit happened; its trail is owed). `None` for any other write.
    pub fn task_landed(&self) -> Option<Write> {
        let mut landed = self.clone();
        match &mut landed {
            Write::EditTask { task_landed, .. } => *task_landed = true,
            _ => return None,
        }
        Some(landed)
    }
}

impl Write {
    /// This edit planned over `task` as Notion holds it when it is first sent (the cache
    /// may have been behind): its entry says what it changed, a retry compares against
    /// that, and its undo puts that back. `None` for any other write, and for an undo
    /// (`conditional`: its `was` is what it must find).
    pub fn planned_over(&self, task: &Record) -> Option<Write> {
        let Write::EditTask {
            conditional: false, ..
        } = self
        else {
            return None;
        };
        let mut write = self.clone();
        if let Write::EditTask { was, .. } = &mut write {
            was.clear();
        }
        Some(with_was(write, task).0)
    }
}

/// `write` (an edit of `task`) with `was` filled from `task`, and the task as it will look.
pub(super) fn with_was(mut write: Write, task: &Record) -> (Write, Record) {
    let mut after = task.clone();
    write.apply(&mut after);
    let columns = write.edited_columns();
    if let Write::EditTask { was, .. } = &mut write {
        for column in columns {
            if let Some(value) = task.value(column) {
                was.insert(column.to_string(), value.clone());
            }
        }
    }
    (write, after)
}

/// Moves `task` to Notion's trash. Refused for a task Notion has not created yet (its
/// create is still queued: drop that instead).
pub fn plan_trash(task: &Record, at: DateTime<Utc>) -> Result<(Write, Record), PlanError> {
    let page = task.page_id.clone().unwrap_or_default();
    if page.is_empty() || page.starts_with("local:") {
        return Err(PlanError::Invalid(format!(
            "{} is not in Notion yet (its creation is still queued): drop that write instead",
            task.title()
        )));
    }
    let write = Write::TrashTask {
        task_page: page,
        task_id: task.title(),
        at,
    };
    Ok((write, task.clone()))
}
