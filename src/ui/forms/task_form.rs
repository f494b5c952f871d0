//! The new-task form of an instance.

use chrono::NaiveDate;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::super::app::Action;
use super::super::bulk::Change;
use super::super::input::LineInput;
use super::Outcome;
use crate::domain::dates::{DayInput, parse_day};
use crate::domain::write::TaskRequest;
use crate::ui::data::Detail;

pub const PRIORITIES: [&str; 3] = ["High", "Medium", "Low"];

/// The new-task form of an instance.
#[derive(Debug, Clone)]
pub struct TaskForm {
    pub instance_page: String,
    pub instance_id: String,
    /// What the task will be linked to, shown read-only.
    pub links: Vec<String>,
    /// The instance's Business Entity, which the task is linked to as well: `None` while
    /// the instance's detail is read, `Some("")` when it has none.
    pub entity: Option<String>,
    pub name: LineInput,
    pub description: LineInput,
    pub priority: usize,
    pub due: LineInput,
    pub assignee: LineInput,
    /// 0 name, 1 description, 2 priority, 3 due, 4 assignee.
    pub focus: usize,
    /// The operator's today, for `today`, `+3d`, `fri` in the due date.
    pub today: NaiveDate,
    /// What stops the form from being sent, under the field it is about (see [`TASK_FIELDS`]).
    pub error: Option<(usize, String)>,
}

pub const TASK_FIELDS: [&str; 5] = ["Name", "Description", "Priority", "Due date", "Assignee"];

impl TaskForm {
    /// The Business Entity a task of this instance is linked to, by name (the instance's).
    pub fn entity_of(instance: &Detail) -> String {
        instance
            .links
            .iter()
            .filter(|l| l.column == "Business Entity")
            .map(|l| l.title.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The read-only lines of what the task is linked to.
    pub fn link_lines(&self) -> Vec<String> {
        let entity = match self.entity.as_deref() {
            None => "…",
            Some("") => "none (the instance has no entity)",
            Some(name) => name,
        };
        let mut lines = self.links.clone();
        lines.push(format!("Related Business Entity: {entity}"));
        lines
    }

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
            entity: None,
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
                self.clear_fixed_error();
            }
        }
        Outcome::Stay
    }

    /// An error goes away as soon as its field holds something that would be accepted.
    fn clear_fixed_error(&mut self) {
        let fixed = match &self.error {
            Some((0, _)) => !self.name.text().trim().is_empty(),
            Some((3, _)) => self.due_date().is_ok(),
            _ => false,
        };
        if fixed {
            self.error = None;
        }
    }

    fn due_date(&self) -> Result<Option<NaiveDate>, String> {
        match self.due.text().trim() {
            "" => Ok(None),
            typed => match parse_day(typed, self.today) {
                Ok(DayInput::Day(day)) => Ok(Some(day)),
                Ok(DayInput::Clear) => Ok(None),
                Err(e) => Err(e),
            },
        }
    }

    fn submit(&mut self) -> Outcome {
        let name = self.name.text().trim();
        if name.is_empty() {
            self.focus = 0;
            self.error = Some((0, "a task needs a name".into()));
            return Outcome::Stay;
        }
        let due = match self.due_date() {
            Ok(due) => due,
            Err(e) => {
                self.focus = 3;
                self.error = Some((3, e));
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
