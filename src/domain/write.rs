//! The writes an operator makes, planned against the records at hand: checked, turned into
//! the optimistic change to show at once, and described for the outbox so the sync engine
//! can send them (and send them again after a crash, with the same effect).

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::history::{HistoryEntry, HistoryLog};
use super::models::WorkflowInstance;
use super::record::{FieldValue, Link, Record};
use super::schema::{DatabaseKey, TASK_INSTANCE_COLUMN, database};
use super::workflow::{StateMachine, WorkflowError};
use crate::notion::DateValue;
use std::collections::BTreeMap;

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
        /// The target state is terminal: the instance becomes Completed.
        #[serde(default)]
        completes: bool,
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
        /// The edited columns as the operator saw them before this edit: a retry whose
        /// answer was lost tells from them whether someone changed the task since (a value
        /// neither this nor ours).
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        was: BTreeMap<String, FieldValue>,
    },
    /// Puts back history entries hsn wrote (and Notion confirmed) that a later sync found
    /// gone from the instance's log: a blind writer rewrote it. Sent like any history
    /// write (re-read, merge by identity, write, read back), so sending it twice, or after
    /// the entries came back by themselves, adds nothing.
    RestoreHistory {
        instance_page: String,
        instance_id: String,
        /// The entries, as the JSON objects hsn wrote.
        entries: Vec<Map<String, Value>>,
    },
}

impl Write {
    pub fn kind(&self) -> &'static str {
        match self {
            Write::Advance { .. } => "advance",
            Write::CreateTask { .. } => "create_task",
            Write::EditTask { .. } => "edit_task",
            Write::RestoreHistory { .. } => "restore_history",
        }
    }

    /// The same write stamped `now`: done once, just before it is first sent, so its history
    /// entry carries the time it reached Notion (an advance queued for an hour must not be
    /// older than the entries written while it waited: the newest transition is the state).
    /// Retries send the stamped write unchanged, so the entry is still recognised.
    pub fn stamped(&self, now: DateTime<Utc>) -> Write {
        let mut write = self.clone();
        match &mut write {
            Write::Advance { at, .. }
            | Write::CreateTask { at, .. }
            | Write::EditTask { at, .. } => *at = now,
            Write::RestoreHistory { .. } => {}
        }
        write
    }

    /// Applies the write's change to `record` (the cached copy of one of the pages it
    /// touches): what Notion will hold once it lands. The plans build their optimistic
    /// records with it, and the store replays still-queued writes with it over Notion's copy
    /// after another write settles. Applying twice changes nothing more.
    pub fn apply(&self, record: &mut Record) {
        let page = record.page_id.clone().unwrap_or_default();
        match self {
            Write::Advance {
                instance_page,
                to,
                at,
                completes,
                ..
            } if *instance_page == page => {
                record.set("Current State", to.clone());
                record.set("Last Transition Date", instant(*at));
                if *completes {
                    record.set("Status", Some("Completed".to_string()));
                }
            }
            Write::EditTask {
                task_page,
                status,
                priority,
                assignee,
                due,
                at,
                ..
            } if *task_page == page => {
                if let Some(status) = status {
                    record.set("Status", Some(status.clone()));
                }
                if let Some(priority) = priority {
                    record.set("Priority", Some(priority.clone()));
                }
                if let Some(assignee) = assignee {
                    record.set("Assigned To", assignee.clone());
                }
                if let Some(due) = due {
                    record.set("Due Date", date(*due));
                }
                record.set("Last Edited Date", date(at.date_naive()));
            }
            Write::RestoreHistory { instance_page, .. } if *instance_page == page => {
                let mut log = HistoryLog::decode(&record.get::<String>("History Log"));
                if !log.restore(&self.restored_entries()).is_empty() {
                    record.set("History Log", log.encode_text());
                }
            }
            _ => {}
        }
        if let (Some(entry), Some(instance)) = (self.history_entry(), self.instance_page())
            && *instance == page
        {
            let mut log = HistoryLog::decode(&record.get::<String>("History Log"));
            if !log.contains(&entry) {
                log.push(entry);
                record.set("History Log", log.encode_text());
            }
        }
    }

    /// The task a `CreateTask` makes, as it will look (under its placeholder id), but for
    /// its business entity, which comes from the instance.
    pub fn created_task(&self) -> Option<Record> {
        let Write::CreateTask {
            task_id,
            local_page,
            instance_page,
            name,
            description,
            priority,
            due,
            assignee,
            actor,
            at,
            ..
        } = self
        else {
            return None;
        };
        let mut task = Record::new(DatabaseKey::Tasks);
        task.page_id = Some(local_page.clone());
        task.set("Task ID", task_id.clone());
        task.set("Task Name", name.clone());
        task.set("Status", Some("To Do".to_string()));
        task.set("Priority", Some(priority.clone()));
        task.set("Created By", actor.clone());
        task.set("Created Date", date(at.date_naive()));
        task.set("Description", description.clone().unwrap_or_default());
        task.set("Assigned To", assignee.clone().unwrap_or_default());
        task.set("Due Date", due.and_then(date));
        task.set(
            TASK_INSTANCE_COLUMN,
            Link::Pages(vec![instance_page.clone()]),
        );
        Some(task)
    }

    /// The instance page whose history this write adds to.
    pub fn instance_page(&self) -> Option<&String> {
        match self {
            Write::Advance { instance_page, .. }
            | Write::CreateTask { instance_page, .. }
            | Write::RestoreHistory { instance_page, .. } => Some(instance_page),
            Write::EditTask { .. } => None,
        }
    }

    /// The history entry this write adds to an instance, rebuilt from the write (times and
    /// ids are fixed when it is planned, so it is the entry the write sent).
    pub fn history_entry(&self) -> Option<HistoryEntry> {
        match self {
            Write::Advance {
                from,
                to,
                note,
                actor,
                at,
                ..
            } => Some(HistoryEntry::transition(
                actor,
                from,
                to,
                note.as_deref(),
                *at,
            )),
            Write::CreateTask {
                task_id,
                name,
                due,
                assignee,
                actor,
                at,
                ..
            } => Some(task_created_entry(
                actor,
                name,
                task_id,
                assignee.as_deref(),
                *due,
                *at,
            )),
            Write::EditTask { .. } | Write::RestoreHistory { .. } => None,
        }
    }

    /// The entries a `RestoreHistory` puts back (none for the other writes).
    pub fn restored_entries(&self) -> Vec<HistoryEntry> {
        match self {
            Write::RestoreHistory { entries, .. } => entries
                .iter()
                .filter_map(|e| HistoryEntry::from_json(&Value::Object(e.clone())))
                .collect(),
            _ => Vec::new(),
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
            Write::RestoreHistory {
                instance_id,
                entries,
                ..
            } => match entries.len() {
                1 => format!("{instance_id}: put back 1 dropped history entry"),
                n => format!("{instance_id}: put back {n} dropped history entries"),
            },
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

/// Refuses text an operator typed that holds control characters (an escape sequence
/// pasted into a task name would reach every terminal that shows it); a description may
/// hold line breaks and tabs.
pub fn typed_text(what: &str, text: &str, multiline: bool) -> Result<(), PlanError> {
    let allowed = |c: char| multiline && matches!(c, '\n' | '\t' | '\r');
    match text
        .chars()
        .find(|c| (c.is_control() || is_bidi_control(*c)) && !allowed(*c))
    {
        Some(c) => Err(PlanError::Invalid(format!(
            "the {what} holds a control character (U+{:04X}); type it without one",
            c as u32
        ))),
        None => Ok(()),
    }
}

/// The characters that reorder text on screen (a right-to-left override hides what follows).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
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
    };
    let mut after = instance.clone();
    write.apply(&mut after);
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
    if let Some(assignee) = assignee {
        typed_text("assignee", assignee, false)?;
    }
    let mut write = Write::EditTask {
        task_page: task.page_id.clone().unwrap_or_default(),
        task_id: task.title(),
        status,
        priority,
        assignee: assignee.map(|a| a.trim().to_string()),
        due,
        at,
        was: BTreeMap::new(),
    };
    let mut after = task.clone();
    write.apply(&mut after);
    if let Write::EditTask { was, .. } = &mut write {
        // The columns the edit changes, as they were.
        for column in after.values.keys().filter(|c| **c != "Last Edited Date") {
            if after.value(column) != task.value(column)
                && let Some(value) = task.value(column)
            {
                was.insert(column.to_string(), value.clone());
            }
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::history::LogEntry;
    use crate::domain::models::Workflow;
    use chrono::TimeZone;

    fn instance(history: &str) -> Record {
        let mut record = Record::new(DatabaseKey::ActiveWorkflowInstances);
        record.page_id = Some("page-1".into());
        record.set("Instance ID", "INST-0001".to_string());
        record.set("Current State", "inquiry".to_string());
        record.set("History Log", history.to_string());
        record
    }

    fn machine() -> StateMachine {
        StateMachine::from_workflow(&Workflow {
            workflow_id: "WF".into(),
            initial_state: "inquiry".into(),
            states: r#"["inquiry","consultation","completed"]"#.into(),
            ..Workflow::default()
        })
        .unwrap()
    }

    fn at(minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 20, 10, minute, 0).unwrap()
            + chrono::Duration::nanoseconds(123_456_789)
    }

    /// The entry a queued write reports is the one its planned change added, even after a
    /// trip through the outbox's JSON.
    #[test]
    fn a_write_knows_the_history_entry_it_adds() {
        let (write, after) = plan_advance(
            &instance(""),
            &machine(),
            None,
            "consultation",
            Some("  booked  "),
            "alice",
            at(0),
        )
        .unwrap();
        let (task_write, _, task_after) = plan_new_task(
            &instance(""),
            &TaskRequest {
                name: " Call Jane ".into(),
                assignee: Some("Solari".into()),
                due: NaiveDate::from_ymd_opt(2026, 12, 1),
                ..TaskRequest::default()
            },
            "TASK-00000001",
            "local:TASK-00000001",
            "alice",
            at(1),
        )
        .unwrap();
        for (write, after) in [(write, after), (task_write, task_after)] {
            let queued: Write =
                serde_json::from_value(serde_json::to_value(&write).unwrap()).unwrap();
            let entry = queued.history_entry().unwrap();
            let log = HistoryLog::decode(&after.get::<String>("History Log"));
            assert!(log.contains(&entry), "{write:?}");
            assert_eq!(log.len(), 1);
        }
    }

    #[test]
    fn a_restoration_plans_only_what_is_missing_and_round_trips() {
        let ours = HistoryEntry::transition("alice", "inquiry", "consultation", None, at(0));
        let theirs = HistoryEntry::event("LeadCaptureAgent", "Lead scored", Map::new(), at(5));
        let dropped = instance(&json!([theirs.to_json()]).to_string());
        let (write, after) = plan_restore(&dropped, &[ours.clone(), theirs.clone()]).unwrap();
        assert_eq!(write.kind(), "restore_history");
        assert_eq!(
            write.summary(),
            "INST-0001: put back 1 dropped history entry"
        );
        let log = HistoryLog::decode(&after.get::<String>("History Log"));
        let order: Vec<&str> = log.history_entries().map(HistoryEntry::action).collect();
        assert_eq!(
            order,
            [
                "[alice] Transitioned from inquiry to consultation",
                "[LeadCaptureAgent] Lead scored"
            ]
        );
        let queued: Write = serde_json::from_value(serde_json::to_value(&write).unwrap()).unwrap();
        assert_eq!(queued, write);
        let entries = queued.restored_entries();
        assert_eq!(entries.len(), 1);
        assert!(entries[0].same_as(&ours));
        assert_eq!(entries[0].timestamp(), at(0), "every digit of the instant");
        assert!(queued.history_entry().is_none());

        // Nothing missing: nothing to plan.
        assert!(plan_restore(&after, &[ours]).is_none());
        assert!(matches!(log.entries()[1], LogEntry::Entry(_)));
    }
}
