//! The small dialogs writes go through: a picker of states or options (with a note for
//! an advance), a prompt for an assignee or a due date, and the new-task form. Each
//! starts on the value the record holds, and answers with the changes to make, one per
//! record: a dialog opened on many marked records changes each of them.

mod picker;
mod prompt;
mod task_form;

pub use picker::{Picker, PickerPurpose};
pub use prompt::{NO_ASSIGNEE, Prompt};
pub use task_form::{PRIORITIES, TASK_FIELDS, TaskForm};

use chrono::NaiveDate;

use super::app::Action;
use super::bulk::{Change, Confirm, SAMPLE, Target, TaskEdit, Then, count_of};

/// A task column a dialog changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskField {
    Status,
    Priority,
    Assignee,
    Due,
}

impl TaskField {
    /// The column in the Master Tasks database.
    pub fn column(self) -> &'static str {
        match self {
            TaskField::Status => "Status",
            TaskField::Priority => "Priority",
            TaskField::Assignee => "Assigned To",
            TaskField::Due => "Due Date",
        }
    }

    /// The edit that sets this field to `value` (`None`: clears it).
    fn edit(self, value: Option<&str>, day: Option<NaiveDate>) -> TaskEdit {
        let text = value.map(str::to_string);
        match self {
            TaskField::Status => TaskEdit {
                status: text,
                ..TaskEdit::default()
            },
            TaskField::Priority => TaskEdit {
                priority: text,
                ..TaskEdit::default()
            },
            TaskField::Assignee => TaskEdit {
                assignee: Some(text.unwrap_or_default()),
                ..TaskEdit::default()
            },
            TaskField::Due => TaskEdit {
                due: Some(day),
                ..TaskEdit::default()
            },
        }
    }

    /// "Assign 30 tasks to Nyra", "Set 2 tasks to Done", "Clear the due date of 3 tasks".
    fn label(self, n: usize, value: Option<&str>) -> String {
        let tasks = count_of(n, "task", "tasks");
        match (self, value) {
            (TaskField::Status, Some(v)) => format!("Set {tasks} to {v}"),
            (TaskField::Priority, Some(v)) => format!("Set the priority of {tasks} to {v}"),
            (TaskField::Assignee, Some(v)) => format!("Assign {tasks} to {v}"),
            (TaskField::Assignee, None) => format!("Unassign {tasks}"),
            (TaskField::Due, Some(v)) => format!("Set the due date of {tasks} to {v}"),
            (_, None) => format!("Clear the {} of {tasks}", self.column().to_lowercase()),
        }
    }
}

/// The value every target holds, if they hold the same one.
fn shared_value(targets: &[Target]) -> Option<&str> {
    let first = targets.first()?;
    targets
        .iter()
        .all(|t| t.current == first.current)
        .then_some(first.current.as_str())
}

/// What a dialog key did.
pub enum Outcome {
    Stay,
    Cancel,
    Done(Action),
    /// Many records change: asked first.
    Ask(Confirm),
    /// The answer changes nothing: said, and nothing is queued.
    Unchanged(String),
    Invalid(String),
}

/// The changes that set `field` of every target not already holding `value` (`None`:
/// clears it), or `Unchanged` when every one holds it.
fn set_tasks(
    field: TaskField,
    targets: &[Target],
    value: Option<&str>,
    day: Option<NaiveDate>,
) -> Outcome {
    let shown = value.unwrap_or("");
    let changing: Vec<&Target> = targets
        .iter()
        .filter(|t| !t.current.trim().eq_ignore_ascii_case(shown.trim()))
        .collect();
    if changing.is_empty() {
        let what = if value.is_some() {
            format!("\"{shown}\"")
        } else {
            "empty".into()
        };
        return Outcome::Unchanged(match targets {
            [one] => format!("{} is {what} already: nothing changed", one.title),
            _ => format!("every marked task is {what} already: nothing changed"),
        });
    }
    let edit = field.edit(value, day);
    let changes = changing
        .iter()
        .map(|t| {
            let change = Change::EditTask {
                task_page: t.page.clone(),
                edit: edit.clone(),
            };
            (t.title.clone(), change)
        })
        .collect();
    let owned: Vec<Target> = changing.into_iter().cloned().collect();
    submit(field.label(owned.len(), value), changes, &owned, |_| {
        shown.to_string()
    })
}

/// The action for `changes`: queued at once for one record; for many, asked first with a
/// sample of what changes (`before → after` per record).
fn submit(
    label: String,
    changes: Vec<(String, Change)>,
    targets: &[Target],
    after: impl Fn(&Target) -> String,
) -> Outcome {
    if changes.len() <= 1 {
        return Outcome::Done(Action::Submit { label, changes });
    }
    let sample = targets
        .iter()
        .take(SAMPLE)
        .map(|t| {
            let shown = |v: &str| {
                if v.is_empty() {
                    "(none)".to_string()
                } else {
                    v.to_string()
                }
            };
            format!("{}: {} → {}", t.title, shown(&t.current), shown(&after(t)))
        })
        .collect();
    Outcome::Ask(Confirm {
        question: format!("{label}?"),
        sample,
        more: targets.len().saturating_sub(SAMPLE),
        then: Then::Submit { label, changes },
    })
}
