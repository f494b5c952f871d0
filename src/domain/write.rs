//! The writes an operator makes, planned against the records at hand: checked, turned into
//! the optimistic change to show at once, and described for the outbox so the sync engine
//! can send them (and send them again after a crash, with the same effect).

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::history::{HistoryEntry, HistoryLog};
use super::record::{FieldValue, Link, Record};
use super::schema::{DatabaseKey, INSTANCE_TASKS_COLUMN, TASK_INSTANCE_COLUMN, database};
use super::workflow::WorkflowError;
use crate::notion::DateValue;
use std::collections::BTreeMap;

mod correct;
mod instance;
mod task;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_kinds;
#[cfg(test)]
mod tests_trail;
mod undo;

pub use correct::{Correction, plan_hold, plan_resolve, plan_resume, plan_revert};
pub use instance::{plan_advance, plan_restore};
pub use task::{
    TaskChanges, TaskRequest, plan_new_task, plan_task_changes, plan_task_edit, plan_trash,
    task_created_entry,
};
pub use undo::plan_undo;
pub(crate) use undo::same_value;

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
        /// The instance's Status before a completing advance (what an undo puts back).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        status_before: Option<String>,
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
        /// Clears the Due Date (`due` is then `None`).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        clear_due: bool,
        at: DateTime<Utc>,
        /// The edited columns as the operator saw them before this edit: a retry whose
        /// answer was lost tells from them whether someone changed the task since (a value
        /// neither this nor ours).
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        was: BTreeMap<String, FieldValue>,
        /// Sent only while the task still holds `was` (an undo: it must not undo over
        /// someone's later change); otherwise refused.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        conditional: bool,
        /// Who made the edit, recorded in its history entry. Empty in an edit queued by a
        /// version that recorded no task edits: it records none.
        #[serde(default, skip_serializing_if = "String::is_empty")]
        actor: String,
        /// The operator's note, kept in the entry.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
        /// The task's workflow instance (its `Related Workflow Instance` when planned),
        /// whose History Log records the edit. Both `None`: the task has none, and the
        /// entry is kept in hsn's store only (`Write::store_trail`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        instance_page: Option<String>,
        /// Its Instance ID, when known (a link held as text names only that).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        instance_id: Option<String>,
        /// Notion applied the task's update (it answered it) and only the entry is left:
        /// a retry writes the entry whatever the task holds by then (`Write::task_landed`).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        task_landed: bool,
    },
    /// A correction of an instance by hand, outside its workflow: an error resolved, a hold
    /// or its end, a transition reverted. Checked against the instance when planned and
    /// again when sent; its history entry proves it landed.
    Correct {
        instance_page: String,
        instance_id: String,
        correction: Correction,
        note: Option<String>,
        actor: String,
        at: DateTime<Utc>,
    },
    /// Moves a task to Notion's trash. The store stops showing it as soon as it is queued.
    TrashTask {
        task_page: String,
        task_id: String,
        at: DateTime<Utc>,
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
            Write::Correct { .. } => "correct",
            Write::TrashTask { .. } => "trash_task",
        }
    }

    /// The page a `TrashTask` moves to the trash.
    pub fn trashed_page(&self) -> Option<&str> {
        match self {
            Write::TrashTask { task_page, .. } => Some(task_page),
            _ => None,
        }
    }

    /// The columns an `EditTask` sets.
    pub fn edited_columns(&self) -> Vec<&'static str> {
        let Write::EditTask {
            status,
            priority,
            assignee,
            due,
            clear_due,
            ..
        } = self
        else {
            return Vec::new();
        };
        [
            ("Status", status.is_some()),
            ("Priority", priority.is_some()),
            ("Assigned To", assignee.is_some()),
            ("Due Date", due.is_some() || *clear_due),
        ]
        .into_iter()
        .filter_map(|(column, set)| set.then_some(column))
        .collect()
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
            | Write::EditTask { at, .. }
            | Write::Correct { at, .. }
            | Write::TrashTask { at, .. } => *at = now,
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
                clear_due,
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
                } else if *clear_due {
                    record.set::<Option<DateValue>>("Due Date", None);
                }
                record.set("Last Edited Date", date(at.date_naive()));
            }
            Write::CreateTask {
                instance_page,
                local_page,
                ..
            } if *instance_page == page => link_task(record, local_page),
            Write::Correct {
                instance_page,
                correction,
                at,
                ..
            } if *instance_page == page => correction.apply(record, *at),
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
            | Write::RestoreHistory { instance_page, .. }
            | Write::Correct { instance_page, .. } => Some(instance_page),
            Write::EditTask { instance_page, .. } => instance_page.as_ref(),
            Write::TrashTask { .. } => None,
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
            Write::Correct {
                correction,
                note,
                actor,
                at,
                ..
            } => Some(correction.entry(actor, note.as_deref(), *at)),
            Write::EditTask { .. } => task::edit_entry(self),
            Write::RestoreHistory { .. } | Write::TrashTask { .. } => None,
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
            Write::EditTask {
                task_id,
                status,
                priority,
                assignee,
                due,
                clear_due,
                ..
            } => {
                let mut set = Vec::new();
                if let Some(status) = status {
                    set.push(format!("status {status}"));
                }
                if let Some(priority) = priority {
                    set.push(format!("priority {priority}"));
                }
                match assignee.as_deref().map(str::trim) {
                    Some("") => set.push("unassigned".to_string()),
                    Some(name) => set.push(format!("assigned to {name}")),
                    None => {}
                }
                if let Some(due) = due {
                    set.push(format!("due {due}"));
                } else if *clear_due {
                    set.push("no due date".to_string());
                }
                match set.is_empty() {
                    true => format!("{task_id} edited"),
                    false => format!("{task_id}: {}", set.join(", ")),
                }
            }
            Write::Correct {
                instance_id,
                correction,
                ..
            } => format!("{instance_id}: {}", correction.describe()),
            Write::TrashTask { task_id, .. } => format!("{task_id} moved to the trash"),
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

/// Links a task made from the instance `record` into its `Related Tasks` (Notion fills
/// that side of the two-way relation itself; this is the cache's view until it does). A
/// column held as text (a workspace of the original tool) is left alone.
fn link_task(record: &mut Record, task_page: &str) {
    let mut ids = match record.value(INSTANCE_TASKS_COLUMN) {
        None => Vec::new(),
        Some(FieldValue::Link(Link::Pages(ids))) => ids.clone(),
        Some(_) => return,
    };
    if !ids.iter().any(|id| id == task_page) {
        ids.push(task_page.to_string());
        record.set(INSTANCE_TASKS_COLUMN, Link::Pages(ids));
    }
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
