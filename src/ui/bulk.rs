//! Changes the operator asks for, on one record or on every marked one: what each is, the
//! question asked before many are queued, their progress once queued, and the steps `u`
//! undoes. Each record's change is its own write in the outbox: one refused rolls back
//! nothing but itself.

use std::collections::{HashMap, VecDeque};

use chrono::NaiveDate;

use crate::domain::write::{TaskRequest, Write};

/// A task's columns an edit changes; `None` leaves one as it is. `due: Some(None)` clears
/// the due date, an empty assignee clears the assignee.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TaskEdit {
    pub status: Option<String>,
    pub priority: Option<String>,
    pub assignee: Option<String>,
    pub due: Option<Option<NaiveDate>>,
}

/// One record's change, before it is planned.
#[derive(Debug, Clone)]
pub enum Change {
    Advance {
        instance_page: String,
        from: String,
        to: String,
        note: Option<String>,
    },
    CreateTask {
        instance_page: String,
        request: TaskRequest,
    },
    EditTask {
        task_page: String,
        edit: TaskEdit,
    },
}

/// A record a dialog acts on: its page, its title, and the value the dialog changes as it
/// is now (a task's status, an instance's state…).
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub page: String,
    pub title: String,
    pub current: String,
}

/// How many sample lines a question shows.
pub const SAMPLE: usize = 5;

/// "30 tasks", "1 instance".
pub fn count_of(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// What `y` does after a question.
#[derive(Debug, Clone)]
pub enum Then {
    Submit {
        label: String,
        changes: Vec<(String, Change)>,
    },
    Undo(UndoStep),
}

/// The question before many changes are queued, or before an undo: only `y` goes on.
#[derive(Debug, Clone)]
pub struct Confirm {
    /// "Assign 30 tasks to Nyra?"
    pub question: String,
    /// A sample of what changes, one line per record.
    pub sample: Vec<String>,
    /// How many records the sample leaves out.
    pub more: usize,
    pub then: Then,
}

/// A write queued by the dashboard: its outbox row, the write, the record's title.
#[derive(Debug, Clone, PartialEq)]
pub struct Queued {
    pub seq: i64,
    pub write: Write,
    pub title: String,
}

/// One step `u` undoes: every write one action queued (a bulk action is one step).
#[derive(Debug, Clone, PartialEq)]
pub struct UndoStep {
    pub label: String,
    pub writes: Vec<Queued>,
}

/// How a queued write ended, as the engine said.
#[derive(Debug, Clone, PartialEq)]
pub enum Settled {
    Sent,
    Refused(String),
    Held(String),
}

/// A batch of writes on its way: how many went, which were refused and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    pub label: String,
    /// Each write's record title, by outbox row.
    pub waiting: HashMap<i64, String>,
    pub total: usize,
    pub sent: usize,
    /// Record title and Notion's reason (refused) or why it waits (held).
    pub failures: Vec<(String, String)>,
}

impl Progress {
    /// A batch whose writes are queued; `refused` were refused before queuing (planning).
    pub fn new(label: String, queued: &[Queued], refused: Vec<(String, String)>) -> Progress {
        Progress {
            label,
            waiting: queued.iter().map(|q| (q.seq, q.title.clone())).collect(),
            total: queued.len() + refused.len(),
            sent: 0,
            failures: refused,
        }
    }

    /// Takes the engine's word on one write; returns whether it was one of this batch's.
    pub fn settle(&mut self, seq: i64, settled: &Settled) -> bool {
        let Some(title) = self.waiting.remove(&seq) else {
            return false;
        };
        match settled {
            Settled::Sent => self.sent += 1,
            Settled::Refused(why) => self.failures.push((title, why.clone())),
            Settled::Held(why) => self.failures.push((title, format!("held: {why}"))),
        }
        true
    }

    pub fn finished(&self) -> bool {
        self.waiting.is_empty()
    }

    /// `Assign 30 tasks to Nyra: 12/30 sent`, then `…: 28 of 30 applied, 2 refused`.
    pub fn line(&self) -> String {
        if self.finished() {
            if self.failures.is_empty() {
                format!("{}: all {} applied", self.label, self.total)
            } else {
                format!(
                    "{}: {} of {} applied, {} not",
                    self.label,
                    self.sent,
                    self.total,
                    self.failures.len()
                )
            }
        } else {
            format!("{}: {}/{} sent", self.label, self.sent, self.total)
        }
    }
}

/// The engine's last words on writes, kept a while: a write may settle (the demo settles at
/// once) before the dashboard hears that it was queued.
#[derive(Debug, Clone, Default)]
pub struct RecentlySettled(VecDeque<(i64, Settled)>);

impl RecentlySettled {
    const KEEP: usize = 4_096;

    pub fn push(&mut self, seq: i64, settled: Settled) {
        if self.0.len() == Self::KEEP {
            self.0.pop_front();
        }
        self.0.push_back((seq, settled));
    }

    /// Gives `progress` what already settled of its writes.
    pub fn apply_to(&self, progress: &mut Progress) {
        for (seq, settled) in &self.0 {
            progress.settle(*seq, settled);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn queued(seq: i64, title: &str) -> Queued {
        Queued {
            seq,
            write: Write::RestoreHistory {
                instance_page: "p".into(),
                instance_id: "INST".into(),
                entries: Vec::new(),
            },
            title: title.into(),
        }
    }

    #[test]
    fn progress_counts_each_write_once_and_lists_failures_by_record() {
        let mut progress = Progress::new(
            "Assign 3 tasks to Nyra".into(),
            &[queued(1, "TASK-1"), queued(2, "TASK-2"), queued(3, "TASK-3")],
            Vec::new(),
        );
        assert_eq!(progress.line(), "Assign 3 tasks to Nyra: 0/3 sent");
        assert!(progress.settle(1, &Settled::Sent));
        assert!(!progress.settle(1, &Settled::Sent), "counted once");
        assert!(!progress.settle(9, &Settled::Sent), "not this batch's");
        assert_eq!(progress.line(), "Assign 3 tasks to Nyra: 1/3 sent");
        progress.settle(2, &Settled::Refused("validation_error".into()));
        assert!(!progress.finished());
        progress.settle(3, &Settled::Sent);
        assert!(progress.finished());
        assert_eq!(
            progress.line(),
            "Assign 3 tasks to Nyra: 2 of 3 applied, 1 not"
        );
        assert_eq!(
            progress.failures,
            [("TASK-2".to_string(), "validation_error".to_string())]
        );
    }

    #[test]
    fn writes_settled_before_their_batch_was_heard_of_count() {
        let mut recent = RecentlySettled::default();
        recent.push(7, Settled::Sent);
        recent.push(8, Settled::Refused("no".into()));
        let mut progress = Progress::new("x".into(), &[queued(7, "a"), queued(8, "b")], vec![]);
        recent.apply_to(&mut progress);
        assert!(progress.finished());
        assert_eq!(progress.sent, 1);
        assert_eq!(progress.failures.len(), 1);
    }
}
