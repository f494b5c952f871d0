//! The small dialogs writes go through: a picker of states or options (with a note for
//! an advance), a prompt for an assignee or a due date, and the new-task form. Each
//! starts on the value the record holds, and answers with the changes to make, one per
//! record: a dialog opened on many marked records changes each of them.

use chrono::NaiveDate;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::app::Action;
use super::bulk::{Change, Confirm, SAMPLE, TaskEdit, Target, Then, count_of};
use super::input::LineInput;
use crate::domain::dates::{DayInput, parse_day};
use crate::domain::write::TaskRequest;

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

/// What a picker's choice does.
#[derive(Debug, Clone, PartialEq)]
pub enum PickerPurpose {
    /// Move instances (each target's `current` is its state).
    Advance { targets: Vec<Target> },
    /// Set a task column to one of its options.
    Task {
        field: TaskField,
        targets: Vec<Target>,
    },
}

#[derive(Debug, Clone)]
pub struct Picker {
    pub title: String,
    pub purpose: PickerPurpose,
    pub options: Vec<String>,
    pub selected: usize,
    /// Advances take an optional note.
    pub note: Option<LineInput>,
}

impl Picker {
    /// A picker starting on the targets' current value when they share one (else the
    /// first option).
    pub fn new(
        title: String,
        purpose: PickerPurpose,
        options: Vec<String>,
        note: Option<LineInput>,
    ) -> Picker {
        let targets = match &purpose {
            PickerPurpose::Advance { .. } => &[][..],
            PickerPurpose::Task { targets, .. } => targets.as_slice(),
        };
        let selected = shared_value(targets)
            .and_then(|v| options.iter().position(|o| o.eq_ignore_ascii_case(v)))
            .unwrap_or(0);
        Picker {
            title,
            purpose,
            options,
            selected,
            note,
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

impl Picker {
    pub fn handle(&mut self, key: KeyEvent) -> Outcome {
        let last = self.options.len().saturating_sub(1);
        match key.code {
            KeyCode::Esc => Outcome::Cancel,
            KeyCode::Up => {
                self.selected = self.selected.saturating_sub(1);
                Outcome::Stay
            }
            KeyCode::Down | KeyCode::Tab => {
                self.selected = (self.selected + 1).min(last);
                Outcome::Stay
            }
            // Without a note field, j and k move too.
            KeyCode::Char('k') if self.note.is_none() => {
                self.selected = self.selected.saturating_sub(1);
                Outcome::Stay
            }
            KeyCode::Char('j') if self.note.is_none() => {
                self.selected = (self.selected + 1).min(last);
                Outcome::Stay
            }
            KeyCode::Enter => {
                let Some(choice) = self.options.get(self.selected).cloned() else {
                    return Outcome::Cancel;
                };
                let note = self
                    .note
                    .as_ref()
                    .map(|n| n.text().trim().to_string())
                    .filter(|n| !n.is_empty());
                match &self.purpose {
                    PickerPurpose::Advance { targets } => {
                        let changes = targets
                            .iter()
                            .map(|t| {
                                let change = Change::Advance {
                                    instance_page: t.page.clone(),
                                    from: t.current.clone(),
                                    to: choice.clone(),
                                    note: note.clone(),
                                };
                                (t.title.clone(), change)
                            })
                            .collect();
                        let label = match targets.as_slice() {
                            [one] => format!("Move {} from {} to {choice}", one.title, one.current),
                            _ => format!(
                                "Move {} to {choice}",
                                count_of(targets.len(), "instance", "instances")
                            ),
                        };
                        submit(label, changes, targets, |_| choice.clone())
                    }
                    PickerPurpose::Task { field, targets } => {
                        set_tasks(*field, targets, Some(&choice), None)
                    }
                }
            }
            _ => {
                if let Some(note) = &mut self.note {
                    note.handle(key);
                }
                Outcome::Stay
            }
        }
    }
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

/// The prompts that take typed text: an assignee (with names to choose from) or a day.
#[derive(Debug, Clone)]
pub struct Prompt {
    pub title: String,
    pub field: TaskField,
    pub targets: Vec<Target>,
    pub input: LineInput,
    /// Assignee: the names to choose from (agents, people seen in the workspace).
    pub names: Vec<String>,
    /// The chosen line of [`Prompt::choices`]; `None`: the typed text.
    pub chosen: Option<usize>,
    /// The operator's today, for `today`, `+3d`, `fri`.
    pub today: NaiveDate,
}

/// The line of an assignee prompt's list that clears the assignee.
pub const NO_ASSIGNEE: &str = "(none: unassign)";

impl Prompt {
    /// An assignee prompt: the names listed, the targets' shared assignee chosen.
    pub fn assignee(title: String, targets: Vec<Target>, names: Vec<String>, today: NaiveDate) -> Prompt {
        let mut prompt = Prompt {
            title,
            field: TaskField::Assignee,
            input: LineInput::default(),
            names,
            chosen: None,
            today,
            targets,
        };
        prompt.choose_current();
        prompt
    }

    /// A due-date prompt holding the targets' shared due date.
    pub fn due(title: String, targets: Vec<Target>, today: NaiveDate) -> Prompt {
        let current = shared_value(&targets).unwrap_or("").to_string();
        Prompt {
            title,
            field: TaskField::Due,
            input: LineInput::with(&current),
            names: Vec::new(),
            chosen: None,
            today,
            targets,
        }
    }

    /// The names matching what is typed (case-insensitive, anywhere in the name), then
    /// the line that clears.
    pub fn choices(&self) -> Vec<&str> {
        if self.field != TaskField::Assignee {
            return Vec::new();
        }
        let typed = self.input.text().trim().to_lowercase();
        let mut found: Vec<&str> = self
            .names
            .iter()
            .map(String::as_str)
            .filter(|n| n.to_lowercase().contains(&typed))
            .collect();
        found.push(NO_ASSIGNEE);
        found
    }

    /// New names arrived (they load off the loop): the current assignee is chosen again.
    pub fn set_names(&mut self, names: Vec<String>) {
        self.names = names;
        if self.input.text().is_empty() {
            self.choose_current();
        }
    }

    fn choose_current(&mut self) {
        let current = shared_value(&self.targets).map(str::to_string);
        let choices = self.choices();
        self.chosen = match current.as_deref() {
            Some("") => choices.iter().position(|c| *c == NO_ASSIGNEE),
            Some(name) => choices.iter().position(|c| c.eq_ignore_ascii_case(name)),
            None => None,
        };
    }

    pub fn handle(&mut self, key: KeyEvent) -> Outcome {
        let listed = self.choices().len();
        match key.code {
            KeyCode::Esc => Outcome::Cancel,
            KeyCode::Down | KeyCode::Tab if listed > 0 => {
                self.chosen = Some(self.chosen.map_or(0, |c| (c + 1).min(listed - 1)));
                Outcome::Stay
            }
            KeyCode::Up | KeyCode::BackTab if listed > 0 => {
                // Above the first name: back to the typed text.
                self.chosen = self.chosen.and_then(|c| c.checked_sub(1));
                Outcome::Stay
            }
            KeyCode::Enter => self.answer(),
            _ => {
                self.input.handle(key);
                // Typing narrows the list; the choice goes back to the typed text.
                self.chosen = None;
                Outcome::Stay
            }
        }
    }

    fn answer(&self) -> Outcome {
        let typed = self.input.text().trim();
        match self.field {
            TaskField::Assignee => {
                let chosen = self.chosen.and_then(|c| self.choices().get(c).copied());
                let name = match chosen {
                    Some(NO_ASSIGNEE) => None,
                    Some(name) => Some(name.to_string()),
                    None if typed == "-" => None,
                    None if typed.is_empty() => {
                        return Outcome::Invalid(
                            "type a name or choose one (↑/↓); - or (none) unassigns".into(),
                        );
                    }
                    None => Some(typed.to_string()),
                };
                set_tasks(TaskField::Assignee, &self.targets, name.as_deref(), None)
            }
            TaskField::Due => match parse_day(typed, self.today) {
                Ok(DayInput::Day(day)) => {
                    let text = day.format("%Y-%m-%d").to_string();
                    set_tasks(TaskField::Due, &self.targets, Some(&text), Some(day))
                }
                Ok(DayInput::Clear) => set_tasks(TaskField::Due, &self.targets, None, None),
                Err(e) => Outcome::Invalid(e),
            },
            // Status and priority are pickers.
            TaskField::Status | TaskField::Priority => Outcome::Cancel,
        }
    }
}

pub const PRIORITIES: [&str; 3] = ["High", "Medium", "Low"];

/// The new-task form of an instance.
#[derive(Debug, Clone)]
pub struct TaskForm {
    pub instance_page: String,
    pub instance_id: String,
    /// What the task will be linked to, shown read-only.
    pub links: Vec<String>,
    pub name: LineInput,
    pub description: LineInput,
    pub priority: usize,
    pub due: LineInput,
    pub assignee: LineInput,
    /// 0 name, 1 description, 2 priority, 3 due, 4 assignee.
    pub focus: usize,
    /// The operator's today, for `today`, `+3d`, `fri` in the due date.
    pub today: NaiveDate,
    pub error: Option<String>,
}

pub const TASK_FIELDS: [&str; 5] = ["Name", "Description", "Priority", "Due date", "Assignee"];

impl TaskForm {
    pub fn new(
        instance_page: String,
        instance_id: String,
        links: Vec<String>,
        today: NaiveDate,
    ) -> TaskForm {
        TaskForm {
            instance_page,
            instance_id,
            links,
            name: LineInput::default(),
            description: LineInput::default(),
            priority: 1,
            due: LineInput::default(),
            assignee: LineInput::default(),
            focus: 0,
            today,
            error: None,
        }
    }

    fn field(&mut self) -> Option<&mut LineInput> {
        match self.focus {
            0 => Some(&mut self.name),
            1 => Some(&mut self.description),
            3 => Some(&mut self.due),
            4 => Some(&mut self.assignee),
            _ => None,
        }
    }

    pub fn handle(&mut self, key: KeyEvent) -> Outcome {
        let shift = key.modifiers.contains(KeyModifiers::SHIFT);
        match key.code {
            KeyCode::Esc => return Outcome::Cancel,
            KeyCode::Tab if !shift => self.focus = (self.focus + 1) % TASK_FIELDS.len(),
            KeyCode::Down => self.focus = (self.focus + 1) % TASK_FIELDS.len(),
            KeyCode::BackTab | KeyCode::Up | KeyCode::Tab => {
                self.focus = (self.focus + TASK_FIELDS.len() - 1) % TASK_FIELDS.len();
            }
            KeyCode::Left if self.focus == 2 => self.priority = self.priority.saturating_sub(1),
            KeyCode::Right | KeyCode::Char(' ') if self.focus == 2 => {
                self.priority = (self.priority + 1) % PRIORITIES.len();
            }
            KeyCode::Char(c) if self.focus == 2 => {
                if let Some(i) = PRIORITIES
                    .iter()
                    .position(|p| p.starts_with(c.to_ascii_uppercase()))
                {
                    self.priority = i;
                }
            }
            KeyCode::Enter => return self.submit(),
            _ => {
                if let Some(field) = self.field() {
                    field.handle(key);
                }
            }
        }
        Outcome::Stay
    }

    fn submit(&mut self) -> Outcome {
        let name = self.name.text().trim();
        if name.is_empty() {
            self.focus = 0;
            self.error = Some("a task needs a name".into());
            return Outcome::Stay;
        }
        let due = match self.due.text().trim() {
            "" => Ok(None),
            typed => match parse_day(typed, self.today) {
                Ok(DayInput::Day(day)) => Ok(Some(day)),
                Ok(DayInput::Clear) => Ok(None),
                Err(e) => Err(e),
            },
        };
        let due = match due {
            Ok(due) => due,
            Err(e) => {
                self.focus = 3;
                self.error = Some(e);
                return Outcome::Stay;
            }
        };
        let text =
            |input: &LineInput| Some(input.text().trim().to_string()).filter(|t| !t.is_empty());
        let request = TaskRequest {
            name: name.to_string(),
            description: text(&self.description),
            priority: Some(PRIORITIES[self.priority].to_string()),
            due,
            assignee: text(&self.assignee),
        };
        Outcome::Done(Action::Submit {
            label: format!("New task \"{name}\" from {}", self.instance_id),
            changes: vec![(
                self.instance_id.clone(),
                Change::CreateTask {
                    instance_page: self.instance_page.clone(),
                    request,
                },
            )],
        })
    }
}
