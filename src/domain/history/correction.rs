//! Corrections in the log: entries an operator writes when fixing an instance by hand
//! (resolving an error, holding, resuming, reverting a transition), outside its workflow.
//!
//! A revert changes the state, but it is not a transition: its entry carries the undone
//! move under `details.reverted_from` / `reverted_to` (never `from` / `to`, which would make
//! it read as a transition), so nothing that walks the workflow's transitions mistakes it
//! for one. What asks "which entry set the state" (`state_change`,
//! `HistoryLog::last_state_change`) counts it as moving the state back.

use chrono::{DateTime, Utc};
use serde_json::{Map, json};

use super::{HistoryEntry, HistoryLog};

/// What an entry is, for showing it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    /// A move of the workflow (`Transitioned from X to Y`).
    Transition,
    /// An operator's correction outside the workflow (resolve, hold, resume, revert).
    Correction,
    /// A task created from the instance (`Created task: NAME`).
    TaskCreated,
    /// A task's status, priority, assignee or due date changed (`Task TASK-…: …`).
    TaskEdit,
    /// Anything else (a lead scored).
    Event,
}

impl EntryKind {
    /// The kind as `hsn history --json` and the Activity list name it: both task kinds
    /// are `task`.
    pub fn name(self) -> &'static str {
        match self {
            EntryKind::Transition => "transition",
            EntryKind::Correction => "correction",
            EntryKind::TaskCreated | EntryKind::TaskEdit => "task",
            EntryKind::Event => "event",
        }
    }
}

const REVERT_PREFIX: &str = "Reverted transition from ";

impl HistoryEntry {
    /// A correction by `actor`: action `"[ACTOR] ACTION"` with `details.correction` set to
    /// `kind` (`resolve`, `hold`, `resume`, `revert`) and `details` added.
    pub fn correction(
        actor: &str,
        kind: &str,
        action: &str,
        mut details: Map<String, serde_json::Value>,
        at: DateTime<Utc>,
    ) -> Self {
        details.insert("correction".into(), json!(kind));
        Self::event(actor, action, details, at)
    }

    /// The transition a revert entry undid, `(from, to)` of that move (the state goes back
    /// to `from`); `None` for any other entry.
    pub fn reverted_transition(&self) -> Option<(&str, &str)> {
        if let (Some(from), Some(to)) = (self.detail("reverted_from"), self.detail("reverted_to")) {
            return Some((from, to));
        }
        let (from, to) = self
            .summary()
            .strip_prefix(REVERT_PREFIX)?
            .split_once(" to ")?;
        let to = to.split_once(" — ").map_or(to, |(to, _)| to);
        Some((from, to))
    }

    /// The state this entry left and the one it entered: a transition's `(from, to)`, a
    /// revert's `(to, from)` of the move it undid. `None` for entries that leave the state
    /// alone.
    pub fn state_change(&self) -> Option<(&str, &str)> {
        self.transition_states()
            .or_else(|| self.reverted_transition().map(|(from, to)| (to, from)))
    }

    pub fn kind(&self) -> EntryKind {
        if self.edited_task().is_some() {
            EntryKind::TaskEdit
        } else if self.transition_states().is_some() {
            EntryKind::Transition
        } else if self.detail("correction").is_some() || self.reverted_transition().is_some() {
            EntryKind::Correction
        } else if self.is_task_created() {
            EntryKind::TaskCreated
        } else {
            EntryKind::Event
        }
    }
}

impl HistoryLog {
    /// The latest entry that set the state: a transition or a revert (the later in the log
    /// on a tie). Its actor is who last moved the instance.
    pub fn last_state_change(&self) -> Option<&HistoryEntry> {
        self.history_entries()
            .filter(|e| e.state_change().is_some())
            .fold(None, |last: Option<&HistoryEntry>, e| match last {
                Some(last) if last.timestamp > e.timestamp => Some(last),
                _ => Some(e),
            })
    }

    /// Splits `entries` (to be put back together) into those that can go back and those
    /// that would contradict the state (`would_contradict`), judged newest first, each
    /// against the log with the newer ones kept: a transition of ours that we reverted
    /// since goes back with its revert, while two moves a blind writer overwrote both stay
    /// out. Each list keeps the order of `entries`.
    pub fn restorable(
        &self,
        entries: &[HistoryEntry],
        current: &str,
    ) -> (Vec<HistoryEntry>, Vec<HistoryEntry>) {
        let mut newest_first: Vec<&HistoryEntry> = entries.iter().collect();
        newest_first.sort_by_key(|e| std::cmp::Reverse(e.timestamp));
        let mut log = self.clone();
        let mut contradicting: Vec<&HistoryEntry> = Vec::new();
        for entry in newest_first {
            if log.would_contradict(entry, current) {
                contradicting.push(entry);
            } else {
                log.restore(std::slice::from_ref(entry));
            }
        }
        entries
            .iter()
            .cloned()
            .partition(|e| !contradicting.iter().any(|c| c.same_as(e)))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_advance_goes_back_with_its_revert_but_overwritten_moves_stay_out() {
        let advance = HistoryEntry::transition("alice", "inquiry", "consultation", None, at(1));
        let reverted = revert(at(5));
        let (back, out) =
            HistoryLog::default().restorable(&[advance.clone(), reverted.clone()], "inquiry");
        assert_eq!((back.len(), out.len()), (2, 0));

        // Two moves of ours, both overwritten by a blind writer's (stamped before them).
        let mut theirs = HistoryLog::default();
        theirs.push(HistoryEntry::transition(
            "Solari",
            "inquiry",
            "canceled",
            None,
            at(0),
        ));
        let next = HistoryEntry::transition("alice", "consultation", "quote_provided", None, at(2));
        let (back, out) = theirs.restorable(&[advance, next], "canceled");
        assert_eq!((back.len(), out.len()), (0, 2));
    }

    use super::*;
    use chrono::TimeZone;

    fn at(minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 20, 10, minute, 0).unwrap()
    }

    fn revert(at: DateTime<Utc>) -> HistoryEntry {
        let mut details = Map::new();
        details.insert("reverted_from".into(), json!("inquiry"));
        details.insert("reverted_to".into(), json!("consultation"));
        HistoryEntry::correction(
            "alice",
            "revert",
            "Reverted transition from inquiry to consultation",
            details,
            at,
        )
    }

    #[test]
    fn a_revert_is_a_correction_that_moves_the_state_back_but_no_transition() {
        let entry = revert(at(5));
        assert_eq!(
            entry.transition_states(),
            None,
            "never read as a transition"
        );
        assert_eq!(entry.kind(), EntryKind::Correction);
        assert_eq!(
            entry.reverted_transition(),
            Some(("inquiry", "consultation"))
        );
        assert_eq!(entry.state_change(), Some(("consultation", "inquiry")));
        // Read back from the log's JSON, and from the action alone (a writer that kept only
        // the action).
        let back = HistoryEntry::from_json(&serde_json::Value::Object(entry.to_json().clone()));
        assert_eq!(
            back.unwrap().state_change(),
            Some(("consultation", "inquiry"))
        );
        let bare = HistoryEntry::event(
            "bob",
            "Reverted transition from a to b — wrong client",
            Map::new(),
            at(6),
        );
        assert_eq!(bare.reverted_transition(), Some(("a", "b")));

        let mut log = HistoryLog::default();
        log.push(HistoryEntry::transition(
            "bob",
            "inquiry",
            "consultation",
            None,
            at(1),
        ));
        log.push(entry.clone());
        assert_eq!(log.last_state_change(), Some(&entry));
        assert_eq!(
            log.last_transition().unwrap().transition_states(),
            Some(("inquiry", "consultation"))
        );
        // The revert says the state is inquiry: putting the advance back would not
        // contradict it (it is older), nor would the revert itself.
        let advance = HistoryEntry::transition("bob", "inquiry", "consultation", None, at(1));
        assert!(!log.would_contradict(&advance, "inquiry"));
        let mut without = HistoryLog::default();
        without.push(advance);
        assert!(!without.would_contradict(&entry, "inquiry"));
        assert!(without.would_contradict(&entry, "quote_provided"));
    }

    #[test]
    fn other_corrections_leave_the_state() {
        let hold = HistoryEntry::correction("alice", "hold", "Put on hold", Map::new(), at(1));
        assert_eq!(hold.kind(), EntryKind::Correction);
        assert_eq!(hold.state_change(), None);
        let plain = HistoryEntry::event("alice", "Lead scored", Map::new(), at(1));
        assert_eq!(plain.kind(), EntryKind::Event);
    }
}
