//! The picker: a state to move instances to, a task's status or priority, a correction's
//! note; it starts on the targets' shared current value.

use crossterm::event::{KeyCode, KeyEvent};

use super::super::bulk::{Change, Fix, Target, count_of};
use super::super::input::LineInput;
use super::{Outcome, TaskField, set_tasks, shared_value, submit};

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
    /// Correct instances' status (each target's `current` is its status).
    Correct { fix: Fix, targets: Vec<Target> },
}

#[derive(Debug, Clone)]
pub struct Picker {
    pub title: String,
    pub purpose: PickerPurpose,
    pub options: Vec<String>,
    pub selected: usize,
    /// Advances take an optional note.
    pub note: Option<LineInput>,
    /// Whether keys go to the note (after `tab`) rather than the list: `j` and `k` move
    /// the selection until the operator chooses to write.
    pub note_focused: bool,
    /// Text was typed while the list had the keys: the popup says to press `tab` first.
    pub typed_on_list: bool,
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
            PickerPurpose::Advance { .. } | PickerPurpose::Correct { .. } => &[][..],
            PickerPurpose::Task { targets, .. } => targets.as_slice(),
        };
        let selected = shared_value(targets)
            .and_then(|v| options.iter().position(|o| o.eq_ignore_ascii_case(v)))
            .unwrap_or(0);
        Picker {
            title,
            purpose,
            selected,
            // With one option there is nothing to choose: the note has the keys.
            note_focused: note.is_some() && options.len() <= 1,
            typed_on_list: false,
            note,
            options,
        }
    }
}

impl Picker {
    pub fn handle(&mut self, key: KeyEvent) -> Outcome {
        let last = self.options.len().saturating_sub(1);
        match key.code {
            KeyCode::Esc => Outcome::Cancel,
            KeyCode::Tab | KeyCode::BackTab if self.note.is_some() => {
                self.note_focused = !self.note_focused;
                Outcome::Stay
            }
            KeyCode::Up => {
                self.selected = self.selected.saturating_sub(1);
                Outcome::Stay
            }
            KeyCode::Down | KeyCode::Tab => {
                self.selected = (self.selected + 1).min(last);
                Outcome::Stay
            }
            KeyCode::Char('k') if !self.note_focused => {
                self.selected = self.selected.saturating_sub(1);
                Outcome::Stay
            }
            KeyCode::Char('j') if !self.note_focused => {
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
                    PickerPurpose::Correct { fix, targets } => {
                        let changes = targets
                            .iter()
                            .map(|t| {
                                let change = Change::Correct {
                                    instance_page: t.page.clone(),
                                    fix: *fix,
                                    note: note.clone(),
                                };
                                (t.title.clone(), change)
                            })
                            .collect();
                        let of = match targets.as_slice() {
                            [one] => one.title.clone(),
                            _ => count_of(targets.len(), "instance", "instances"),
                        };
                        submit(fix.label(&of), changes, targets, |_| choice.clone())
                    }
                }
            }
            _ => {
                match self.note.as_mut() {
                    Some(note) if self.note_focused => {
                        note.handle(key);
                    }
                    Some(_) => self.typed_on_list |= matches!(key.code, KeyCode::Char(_)),
                    None => {}
                }
                Outcome::Stay
            }
        }
    }
}
