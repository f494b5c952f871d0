//! "Since you last looked": what happened between the operator's last close of the
//! dashboard and now, counted from the records edited since (the store reads only those).
//!
//! Pure: the store hands each record edited since that moment to [`SinceSummary::count_instance`]
//! or [`SinceSummary::count_task`].

use chrono::{DateTime, Datelike, Duration, FixedOffset, Utc};
use serde::Serialize;

use super::history::HistoryLog;
use super::models::{Task, WorkflowInstance};
use super::view::{is_assigned_to, is_open};

/// What changed since `since` (the operator's last close of the dashboard).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SinceSummary {
    pub since: DateTime<Utc>,
    /// Transition entries stamped after `since`, in the logs of instances edited since.
    pub transitions: usize,
    /// Instances edited since that are now in Error.
    pub new_errors: usize,
    /// Open tasks assigned to the operator, edited since.
    pub assigned_to_you: usize,
}

impl SinceSummary {
    pub fn new(since: DateTime<Utc>) -> SinceSummary {
        SinceSummary {
            since,
            transitions: 0,
            new_errors: 0,
            assigned_to_you: 0,
        }
    }

    /// Counts an instance edited after `since`: its transitions stamped after it, and
    /// whether it is in Error now (edited since, so it entered Error or its error changed
    /// meanwhile: either is news).
    pub fn count_instance(&mut self, instance: &WorkflowInstance) {
        self.transitions += HistoryLog::decode(&instance.history_log)
            .history_entries()
            .filter(|e| e.timestamp() > self.since && e.transition_states().is_some())
            .count();
        if instance.status.as_deref() == Some("Error") {
            self.new_errors += 1;
        }
    }

    /// Counts a task edited after `since`: open and assigned to `operator`.
    pub fn count_task(&mut self, task: &Task, operator: &str) {
        if is_open(task.status.as_deref()) && is_assigned_to(&task.assigned_to, operator) {
            self.assigned_to_you += 1;
        }
    }

    /// The Overview's header line: "since 18:02 yesterday: 23 transitions, 2 new errors,
    /// 4 tasks assigned to you", the moment in `offset`'s time.
    pub fn line(&self, now: DateTime<Utc>, offset: FixedOffset) -> String {
        format!(
            "since {}: {}",
            moment_text(self.since, now, offset),
            self.counts()
        )
    }

    /// "23 transitions, 2 new errors, 4 tasks assigned to you".
    pub fn counts(&self) -> String {
        format!(
            "{}, {}, {} assigned to you",
            plural(self.transitions, "transition", "transitions"),
            plural(self.new_errors, "new error", "new errors"),
            plural(self.assigned_to_you, "task", "tasks"),
        )
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A past moment as the operator says it: "18:02 today", "18:02 yesterday", "18:02
/// Monday" (within the week), else "18:02 2026-11-28".
pub fn moment_text(at: DateTime<Utc>, now: DateTime<Utc>, offset: FixedOffset) -> String {
    let at = at.with_timezone(&offset);
    let today = now.with_timezone(&offset).date_naive();
    let day = at.date_naive();
    let clock = at.format("%H:%M");
    if day == today {
        format!("{clock} today")
    } else if day == today - Duration::days(1) {
        format!("{clock} yesterday")
    } else if day < today && day > today - Duration::days(7) {
        format!("{clock} {}", weekday_name(day.weekday()))
    } else {
        format!("{clock} {}", day.format("%Y-%m-%d"))
    }
}

fn weekday_name(day: chrono::Weekday) -> &'static str {
    use chrono::Weekday::*;
    match day {
        Mon => "Monday",
        Tue => "Tuesday",
        Wed => "Wednesday",
        Thu => "Thursday",
        Fri => "Friday",
        Sat => "Saturday",
        Sun => "Sunday",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().to_utc()
    }

    fn entry(at: &str, from: &str, to: &str) -> serde_json::Value {
        serde_json::json!({
            "timestamp": at, "action": format!("Transitioned from {from} to {to}"),
            "details": {"from": from, "to": to, "actor": "agent"}
        })
    }

    fn instance(status: &str, entries: Vec<serde_json::Value>) -> WorkflowInstance {
        WorkflowInstance {
            instance_id: "INST-1".into(),
            status: Some(status.into()),
            history_log: serde_json::Value::Array(entries).to_string(),
            ..WorkflowInstance::default()
        }
    }

    #[test]
    fn only_transitions_after_the_moment_count_and_errors_are_instances_in_error() {
        let since = at("2026-12-06T18:02:00Z");
        let mut summary = SinceSummary::new(since);
        summary.count_instance(&instance(
            "Active",
            vec![
                entry("2026-12-06T10:00:00Z", "A", "B"),
                entry("2026-12-06T19:00:00Z", "B", "C"),
                entry("2026-12-07T08:00:00Z", "C", "D"),
            ],
        ));
        summary.count_instance(&instance(
            "Error",
            vec![entry("2026-12-07T09:00:00Z", "A", "B")],
        ));
        assert_eq!(summary.transitions, 3);
        assert_eq!(summary.new_errors, 1);
    }

    #[test]
    fn assigned_to_you_counts_open_tasks_of_the_operator_only() {
        let mut summary = SinceSummary::new(at("2026-12-06T18:02:00Z"));
        let task = |assignee: &str, status: &str| Task {
            task_id: "TASK-1".into(),
            assigned_to: assignee.into(),
            status: Some(status.into()),
            ..Task::default()
        };
        summary.count_task(&task("Nyra, ana", "To Do"), "ana");
        summary.count_task(&task("ana", "Done"), "ana");
        summary.count_task(&task("Nyra", "To Do"), "ana");
        assert_eq!(summary.assigned_to_you, 1);
    }

    #[test]
    fn the_line_names_the_day_as_people_do() {
        let utc = FixedOffset::east_opt(0).unwrap();
        let now = Utc.with_ymd_and_hms(2026, 12, 7, 9, 30, 0).unwrap(); // a Monday
        let summary = SinceSummary {
            since: at("2026-12-06T18:02:00Z"),
            transitions: 23,
            new_errors: 2,
            assigned_to_you: 4,
        };
        assert_eq!(
            summary.line(now, utc),
            "since 18:02 yesterday: 23 transitions, 2 new errors, 4 tasks assigned to you"
        );
        assert_eq!(
            moment_text(at("2026-12-07T08:00:00Z"), now, utc),
            "08:00 today"
        );
        assert_eq!(
            moment_text(at("2026-12-03T08:00:00Z"), now, utc),
            "08:00 Thursday"
        );
        assert_eq!(
            moment_text(at("2026-11-28T08:00:00Z"), now, utc),
            "08:00 2026-11-28"
        );
        // In the operator's time zone, 23:30 UTC on the 6th is already the 7th.
        let east = FixedOffset::east_opt(3600).unwrap();
        assert_eq!(
            moment_text(at("2026-12-06T23:30:00Z"), now, east),
            "00:30 today"
        );
        let one = SinceSummary {
            transitions: 1,
            new_errors: 0,
            assigned_to_you: 1,
            ..summary
        };
        assert!(
            one.line(now, utc)
                .ends_with("1 transition, 0 new errors, 1 task assigned to you")
        );
    }
}
