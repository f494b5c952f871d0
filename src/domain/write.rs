//! The writes an operator makes, planned against the records at hand: checked, turned into
//! the optimistic change to show at once, and described for the outbox so the sync engine
//! can send them (and send them again after a crash, with the same effect).

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::history::{HistoryEntry, HistoryLog};
use super::models::WorkflowInstance;
use super::record::{Link, Record};
use super::schema::{DatabaseKey, TASK_INSTANCE_COLUMN, database};
use super::workflow::{StateMachine, WorkflowError};
use crate::notion::DateValue;

/// One write, as queued in the outbox. Times and ids are fixed when it is planned, so
/// sending it twice makes the same change (the history entry is recognised as already
/// there, the task is found by its Task ID).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op")]
pub enum Write {
    Advance {
        instance_page: String,
        instance_id: String,
        from: String,
        to: String,
        note: Option<String>,
        actor: String,
        at: DateTime<Utc>,
    },
    CreateTask {
        task_id: String,
        /// The id the optimistic record goes by until Notion gives the page its own.
        local_page: String,
        instance_page: String,
        instance_id: String,
        name: String,
        description: Option<String>,
        priority: String,
        due: Option<NaiveDate>,
        assignee: Option<String>,
        actor: String,
        at: DateTime<Utc>,
    },
    EditTask {
        task_page: String,
        task_id: String,
        status: Option<String>,
        priority: Option<String>,
        assignee: Option<String>,
        due: Option<NaiveDate>,
        at: DateTime<Utc>,
    },
}

impl Write {
    pub fn kind(&self) -> &'static str {
        match self {
            Write::Advance { .. } => "advance",
            Write::CreateTask { .. } => "create_task",
            Write::EditTask { .. } => "edit_task",
        }
    }

    /// One line for people: `INST-1a2b3c4d: inquiry → consultation`.
    pub fn summary(&self) -> String {
        match self {
            Write::Advance {
                instance_id,
                from,
                to,
                ..
            } => format!("{instance_id}: {from} → {to}"),
            Write::CreateTask {
                task_id,
                name,
                instance_id,
                ..
            } => format!("{task_id} \"{name}\" from {instance_id}"),
            Write::EditTask { task_id, .. } => format!("{task_id} edited"),
        }
    }
}

/// Why a write cannot be planned. Nothing is queued or changed.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error(transparent)]
    Workflow(#[from] WorkflowError),
    #[error("{0}")]
    Invalid(String),
}

fn date(day: NaiveDate) -> Option<DateValue> {
    Some(DateValue {
        start: day.format("%Y-%m-%d").to_string(),
        end: None,
        time_zone: None,
    })
}

fn instant(at: DateTime<Utc>) -> Option<DateValue> {
    Some(DateValue {
        start: at.to_rfc3339_opts(SecondsFormat::Millis, true),
        end: None,
        time_zone: None,
    })
}

/// The option of a select or status column that `value` names, in the schema's spelling
/// (`done` is `Done`), or an error listing the options.
pub fn choice(key: DatabaseKey, column: &str, value: &str) -> Result<String, PlanError> {
    let definition = database(key);
    let choices = definition
        .column(column)
        .map(|c| c.kind.choices())
        .unwrap_or_default();
    choices
        .iter()
        .find(|c| c.name.eq_ignore_ascii_case(value.trim()))
        .map(|c| c.name.to_string())
        .ok_or_else(|| {
            let names: Vec<&str> = choices.iter().map(|c| c.name).collect();
            PlanError::Invalid(format!(
                "\"{value}\" is not a {column} of {}: use one of {}",
                definition.title,
                names.join(", ")
            ))
        })
}

/// Appends an entry to a record's History Log.
fn push_history(record: &mut Record, entry: HistoryEntry) {
    let mut log = HistoryLog::decode(&record.get::<String>("History Log"));
    log.push(entry);
    record.set("History Log", log.encode_text());
}

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
            .last_transition()
            .and_then(|t| t.actor().map(|a| format!(" (moved by {a})")))
            .unwrap_or_default();
        return Err(PlanError::Invalid(format!(
            "{} is now in \"{}\", not \"{from}\" as when you read it{by}; nothing was changed",
            current.instance_id, current.current_state
        )));
    }
    machine.check_move(&from, to)?;
    let note = note.map(str::trim).filter(|n| !n.is_empty());
    let mut after = instance.clone();
    after.set("Current State", to.to_string());
    after.set("Last Transition Date", instant(at));
    if machine.is_terminal(to) {
        after.set("Status", Some("Completed".to_string()));
    }
    push_history(
        &mut after,
        HistoryEntry::transition(actor, &from, to, note, at),
    );
    let write = Write::Advance {
        instance_page: instance.page_id.clone().unwrap_or_default(),
        instance_id: current.instance_id,
        from,
        to: to.to_string(),
        note: note.map(str::to_string),
        actor: actor.to_string(),
        at,
    };
    Ok((write, after))
}

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
    let priority = choice(
        DatabaseKey::Tasks,
        "Priority",
        request.priority.as_deref().unwrap_or("Medium"),
    )?;
    let current = WorkflowInstance::from_record(instance);
    let instance_page = instance.page_id.clone().unwrap_or_default();

    let mut task = Record::new(DatabaseKey::Tasks);
    task.page_id = Some(local_page.to_string());
    task.set("Task ID", task_id.to_string());
    task.set("Task Name", name.to_string());
    task.set("Status", Some("To Do".to_string()));
    task.set("Priority", Some(priority.clone()));
    task.set("Created By", actor.to_string());
    task.set("Created Date", date(at.date_naive()));
    task.set(
        "Description",
        request.description.clone().unwrap_or_default(),
    );
    task.set("Assigned To", request.assignee.clone().unwrap_or_default());
    task.set("Due Date", request.due.and_then(date));
    task.set(
        TASK_INSTANCE_COLUMN,
        Link::Pages(vec![instance_page.clone()]),
    );
    task.set("Related Business Entity", current.business_entity.clone());

    let mut after = instance.clone();
    push_history(
        &mut after,
        task_created_entry(
            actor,
            name,
            task_id,
            request.assignee.as_deref(),
            request.due,
            at,
        ),
    );
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
    Ok((write, task, after))
}

/// Changes to a task's status, priority, assignee or due date; `None` leaves one as it is.
pub fn plan_task_edit(
    task: &Record,
    status: Option<&str>,
    priority: Option<&str>,
    assignee: Option<&str>,
    due: Option<NaiveDate>,
    at: DateTime<Utc>,
) -> Result<(Write, Record), PlanError> {
    let status = status
        .map(|s| choice(DatabaseKey::Tasks, "Status", s))
        .transpose()?;
    let priority = priority
        .map(|p| choice(DatabaseKey::Tasks, "Priority", p))
        .transpose()?;
    if status.is_none() && priority.is_none() && assignee.is_none() && due.is_none() {
        return Err(PlanError::Invalid(
            "nothing to change: give --status, --priority, --assignee or --due".into(),
        ));
    }
    let mut after = task.clone();
    if let Some(status) = &status {
        after.set("Status", Some(status.clone()));
    }
    if let Some(priority) = &priority {
        after.set("Priority", Some(priority.clone()));
    }
    if let Some(assignee) = assignee {
        after.set("Assigned To", assignee.trim().to_string());
    }
    if let Some(due) = due {
        after.set("Due Date", date(due));
    }
    after.set("Last Edited Date", date(at.date_naive()));
    let write = Write::EditTask {
        task_page: task.page_id.clone().unwrap_or_default(),
        task_id: task.title(),
        status,
        priority,
        assignee: assignee.map(|a| a.trim().to_string()),
        due,
        at,
    };
    Ok((write, after))
}
