//! The small dialogs writes go through: a picker of states or options (with a note for
//! an advance), a one-line prompt, and the new-task form.

use chrono::NaiveDate;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::app::Action;
use super::input::LineInput;
use crate::domain::write::TaskRequest;

/// What a picker's choice does.
#[derive(Debug, Clone, PartialEq)]
pub enum PickerPurpose {
    Advance { instance_page: String, from: String },
    TaskStatus { task_page: String },
    TaskPriority { task_page: String },
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

/// What a dialog key did.
pub enum Outcome {
    Stay,
    Cancel,
    Done(Action),
    Invalid(String),
}

impl Picker {
    pub fn handle(&mut self, key: KeyEvent) -> Outcome {
        match key.code {
            KeyCode::Esc => Outcome::Cancel,
            KeyCode::Up => {
                self.selected = self.selected.saturating_sub(1);
                Outcome::Stay
            }
            KeyCode::Down | KeyCode::Tab => {
                self.selected = (self.selected + 1).min(self.options.len().saturating_sub(1));
                Outcome::Stay
            }
            // Without a note field, j and k move too.
            KeyCode::Char('k') if self.note.is_none() => {
                self.selected = self.selected.saturating_sub(1);
                Outcome::Stay
            }
            KeyCode::Char('j') if self.note.is_none() => {
                self.selected = (self.selected + 1).min(self.options.len().saturating_sub(1));
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
                Outcome::Done(match &self.purpose {
                    PickerPurpose::Advance {
                        instance_page,
                        from,
                    } => Action::Advance {
                        instance_page: instance_page.clone(),
                        from: from.clone(),
                        to: choice,
                        note,
                    },
                    PickerPurpose::TaskStatus { task_page } => edit(task_page, Some(choice), None),
                    PickerPurpose::TaskPriority { task_page } => {
                        edit(task_page, None, Some(choice))
                    }
                })
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

fn edit(task_page: &str, status: Option<String>, priority: Option<String>) -> Action {
    Action::EditTask {
        task_page: task_page.to_string(),
        status,
        priority,
        assignee: None,
        due: None,
    }
}

fn parse_day(text: &str) -> Result<Option<NaiveDate>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| format!("\"{text}\" is not a date like 2026-12-01"))
}

#[derive(Debug, Clone, PartialEq)]
pub enum PromptPurpose {
    Assignee { task_page: String },
    Due { task_page: String },
}

#[derive(Debug, Clone)]
pub struct Prompt {
    pub title: String,
    pub purpose: PromptPurpose,
    pub input: LineInput,
}

impl Prompt {
    pub fn handle(&mut self, key: KeyEvent) -> Outcome {
        match key.code {
            KeyCode::Esc => Outcome::Cancel,
            KeyCode::Enter => match &self.purpose {
                PromptPurpose::Assignee { task_page } => Outcome::Done(Action::EditTask {
                    task_page: task_page.clone(),
                    status: None,
                    priority: None,
                    assignee: Some(self.input.text().trim().to_string()),
                    due: None,
                }),
                PromptPurpose::Due { task_page } => match parse_day(self.input.text()) {
                    Ok(Some(due)) => Outcome::Done(Action::EditTask {
                        task_page: task_page.clone(),
                        status: None,
                        priority: None,
                        assignee: None,
                        due: Some(due),
                    }),
                    Ok(None) => Outcome::Invalid("type a date like 2026-12-01".into()),
                    Err(e) => Outcome::Invalid(e),
                },
            },
            _ => {
                self.input.handle(key);
                Outcome::Stay
            }
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
    pub error: Option<String>,
}

pub const TASK_FIELDS: [&str; 5] = ["Name", "Description", "Priority", "Due date", "Assignee"];

impl TaskForm {
    pub fn new(instance_page: String, instance_id: String, links: Vec<String>) -> TaskForm {
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
        let due = match parse_day(self.due.text()) {
            Ok(due) => due,
            Err(e) => {
                self.focus = 3;
                self.error = Some(e);
                return Outcome::Stay;
            }
        };
        let text =
            |input: &LineInput| Some(input.text().trim().to_string()).filter(|t| !t.is_empty());
        Outcome::Done(Action::CreateTask {
            instance_page: self.instance_page.clone(),
            request: TaskRequest {
                name: name.to_string(),
                description: text(&self.description),
                priority: Some(PRIORITIES[self.priority].to_string()),
                due,
                assignee: text(&self.assignee),
            },
        })
    }
}
