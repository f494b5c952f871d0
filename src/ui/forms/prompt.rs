//! The prompts that take typed text: an assignee (names offered, narrowed as typed) or a
//! due date in words.

use chrono::NaiveDate;
use crossterm::event::{KeyCode, KeyEvent};

use super::super::bulk::Target;
use super::super::input::LineInput;
use super::{Outcome, TaskField, set_tasks, shared_value};
use crate::domain::dates::{DayInput, parse_day};

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
    pub fn assignee(
        title: String,
        targets: Vec<Target>,
        names: Vec<String>,
        today: NaiveDate,
    ) -> Prompt {
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
                // Typing narrows the list and highlights its best name (enter takes it: "ny"
                // means Nyra); past the top of the list (↑) is the typed text as it is.
                self.chosen = self.best_match();
                Outcome::Stay
            }
        }
    }

    /// The listed name the typed text means: the one it spells, else the first it is part of.
    fn best_match(&self) -> Option<usize> {
        let typed = self.input.text().trim();
        if typed.is_empty() || typed == "-" {
            return None;
        }
        let choices = self.choices();
        let names = &choices[..choices.len().saturating_sub(1)];
        names
            .iter()
            .position(|n| n.eq_ignore_ascii_case(typed))
            .or_else(|| (!names.is_empty()).then_some(0))
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
