//! Task entries in an instance's log: a task created from it, and each edit of a task
//! (status, priority, assignee, due date) hsn makes, so "who closed this task, when?" has
//! an answer.
//!
//! Neither is a transition: a task edit keeps its columns under `details.changes` (never a
//! top-level `from` / `to`) and its action starts with `Task `, so nothing that walks the
//! workflow's transitions reads one, whatever its values say.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use super::HistoryEntry;

/// What an empty value reads as in a task edit's action.
pub const NO_VALUE: &str = "(none)";

const CREATED_PREFIX: &str = "Created task: ";
const EDIT_PREFIX: &str = "Task ";

/// One column a task edit changed, as the entry records it (`None`: empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskChange {
    /// The column's name in the Tasks database (`Status`, `Due Date`).
    pub column: String,
    pub from: Option<String>,
    pub to: Option<String>,
}

impl TaskChange {
    pub fn new(column: &str, from: Option<String>, to: Option<String>) -> TaskChange {
        let given = |v: Option<String>| v.map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        TaskChange {
            column: column.to_string(),
            from: given(from),
            to: given(to),
        }
    }

    /// `status To Do → Done`.
    fn text(&self) -> String {
        let shown = |v: &Option<String>| v.clone().unwrap_or_else(|| NO_VALUE.to_string());
        format!(
            "{} {} → {}",
            short_name(&self.column),
            shown(&self.from),
            shown(&self.to)
        )
    }
}

/// How an action names a column: `status`, `priority`, `assignee`, `due`.
fn short_name(column: &str) -> String {
    match column {
        "Assigned To" => "assignee".to_string(),
        "Due Date" => "due".to_string(),
        other => other.to_lowercase(),
    }
}

impl HistoryEntry {
    /// A task edit by `actor`: action `"[ACTOR] Task TASK-0042: status To Do → Done,
    /// priority Medium → High"`, with `actor`, `task`, `task_page`, `changes` (each
    /// `{column, from, to}`, an empty value `null`) and `note` (when given) in `details`.
    pub fn task_edit(
        actor: &str,
        task_id: &str,
        task_page: &str,
        changes: &[TaskChange],
        note: Option<&str>,
        at: DateTime<Utc>,
    ) -> Self {
        let listed: Vec<String> = changes.iter().map(TaskChange::text).collect();
        let mut details = Map::new();
        details.insert("actor".into(), json!(actor));
        details.insert("task".into(), json!(task_id));
        details.insert("task_page".into(), json!(task_page));
        details.insert(
            "changes".into(),
            Value::Array(
                changes
                    .iter()
                    .map(|c| json!({"column": c.column, "from": c.from, "to": c.to}))
                    .collect(),
            ),
        );
        if let Some(note) = note.map(str::trim).filter(|n| !n.is_empty()) {
            details.insert("note".into(), json!(note));
        }
        Self::event(
            actor,
            &format!("{EDIT_PREFIX}{task_id}: {}", listed.join(", ")),
            details,
            at,
        )
    }

    /// The Task ID of a task edit entry (`details.task` beside a `changes` array, or an
    /// action `Task TASK-…: …`); `None` for any other entry.
    pub fn edited_task(&self) -> Option<&str> {
        if self.details().get("changes").is_some_and(Value::is_array)
            && let Some(task) = self.details().get("task").and_then(Value::as_str)
        {
            return Some(task);
        }
        let (task, _) = self.summary().strip_prefix(EDIT_PREFIX)?.split_once(": ")?;
        task.starts_with("TASK-").then_some(task)
    }

    /// Whether this entry records a task created from the instance.
    pub fn is_task_created(&self) -> bool {
        self.summary().starts_with(CREATED_PREFIX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::history::{EntryKind, HistoryLog};
    use chrono::TimeZone;

    fn at(minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 7, 10, minute, 0).unwrap()
    }

    #[test]
    fn one_column_reads_from_to() {
        let entry = HistoryEntry::task_edit(
            "alice",
            "TASK-0042",
            "page-42",
            &[TaskChange::new(
                "Status",
                Some("To Do".into()),
                Some("Done".into()),
            )],
            Some(" called back "),
            at(0),
        );
        assert_eq!(
            entry.action(),
            "[alice] Task TASK-0042: status To Do → Done"
        );
        assert_eq!(entry.summary(), "Task TASK-0042: status To Do → Done");
        assert_eq!(entry.actor(), Some("alice"));
        assert_eq!(entry.note(), Some("called back"));
        let details = entry.details();
        assert_eq!(details["task"], "TASK-0042");
        assert_eq!(details["task_page"], "page-42");
        assert_eq!(
            details["changes"],
            json!([{"column": "Status", "from": "To Do", "to": "Done"}])
        );
        assert_eq!(entry.edited_task(), Some("TASK-0042"));
    }

    #[test]
    fn several_columns_and_empty_values() {
        let entry = HistoryEntry::task_edit(
            "bob",
            "TASK-0042",
            "page-42",
            &[
                TaskChange::new("Status", Some("To Do".into()), Some("Done".into())),
                TaskChange::new("Priority", Some("Medium".into()), Some("High".into())),
                TaskChange::new("Assigned To", None, Some("Nyra".into())),
                TaskChange::new("Due Date", Some("2026-12-09".into()), None),
            ],
            None,
            at(1),
        );
        assert_eq!(
            entry.summary(),
            "Task TASK-0042: status To Do → Done, priority Medium → High, \
             assignee (none) → Nyra, due 2026-12-09 → (none)"
        );
        assert_eq!(entry.note(), None);
        assert!(entry.details().get("note").is_none());
        assert_eq!(entry.details()["changes"][3]["to"], Value::Null);
        assert_eq!(entry.details()["changes"][2]["from"], Value::Null);
        // An assignee cleared to blanks is empty too.
        let cleared = TaskChange::new("Assigned To", Some("Nyra".into()), Some("  ".into()));
        assert_eq!(cleared.to, None);
    }

    /// Values that look like a move ("to", "→", "Transitioned from …") never make an edit
    /// a transition, in the log or read back from its JSON or from its action alone.
    #[test]
    fn a_task_edit_is_never_a_transition() {
        let entry = HistoryEntry::task_edit(
            "alice",
            "TASK-0042",
            "page-42",
            &[
                TaskChange::new("Status", Some("To Do".into()), Some("Done".into())),
                TaskChange::new(
                    "Assigned To",
                    Some("Transitioned from a to b".into()),
                    Some("to".into()),
                ),
            ],
            Some("moved from inquiry to consultation"),
            at(2),
        );
        let read_back =
            HistoryEntry::from_json(&Value::Object(entry.to_json().clone())).expect("an entry");
        let bare = HistoryEntry::event(
            "alice",
            "Task TASK-0042: status To Do → Done",
            Map::new(),
            at(3),
        );
        for e in [&entry, &read_back, &bare] {
            assert_eq!(e.transition_states(), None, "{}", e.action());
            assert_eq!(e.state_change(), None);
            assert_eq!(e.kind(), EntryKind::TaskEdit);
            assert_eq!(e.kind().name(), "task");
        }
        let mut log = HistoryLog::default();
        log.push(HistoryEntry::transition(
            "bob",
            "inquiry",
            "consultation",
            None,
            at(0),
        ));
        log.push(entry.clone());
        assert_eq!(
            log.last_transition().unwrap().summary(),
            "Transitioned from inquiry to consultation"
        );
        assert!(!log.would_contradict(&entry, "inquiry"));
    }

    #[test]
    fn a_task_created_entry_is_a_task_entry() {
        let created = HistoryEntry::event("alice", "Created task: Call Ana", Map::new(), at(0));
        assert_eq!(created.kind(), EntryKind::TaskCreated);
        assert_eq!(created.kind().name(), "task");
        assert_eq!(created.transition_states(), None);
        let other = HistoryEntry::event("alice", "Lead scored", Map::new(), at(0));
        assert_eq!(other.kind(), EntryKind::Event);
        assert_eq!(other.kind().name(), "event");
    }
}
