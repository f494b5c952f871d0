//! An instance's timeline: the spans it spent in each state, read from its history log,
//! and the other events in between (the view of Temporal's history, DESIGN.md §7).

use chrono::{DateTime, Duration, Utc};

use super::history::{HistoryEntry, HistoryLog, parse_timestamp};
use crate::notion::DateValue;

/// A stretch of time in one state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub state: String,
    pub start: DateTime<Utc>,
    /// `None` for the current state, still open.
    pub end: Option<DateTime<Utc>>,
    /// Who moved the instance into the state; `None` when no entry says.
    pub entered_by: Option<String>,
    /// Entered by a correction (a transition reverted), not by a move of the workflow.
    pub by_correction: bool,
}

impl Span {
    /// How long the span lasted, or has lasted by `now` if open. Never negative: clocks
    /// and hand-edited dates disagree.
    pub fn duration(&self, now: DateTime<Utc>) -> Duration {
        (self.end.unwrap_or(now) - self.start).max(Duration::zero())
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Timeline {
    pub spans: Vec<Span>,
    /// The entries that are not transitions, in time order: corrections among them
    /// (`HistoryEntry::kind`), a revert too, though it also opens a span.
    pub events: Vec<HistoryEntry>,
}

/// The start of a Notion date (a bare date is midnight UTC), for [`timeline`]'s `start`.
pub fn start_time(date: Option<&DateValue>) -> Option<DateTime<Utc>> {
    parse_timestamp(&date?.start)
}

/// Builds the timeline of an instance from its start date, its workflow's initial state,
/// its current state and its log.
///
/// The first span starts at `start` (else the first entry's time) in the state the first
/// transition left (else `initial_state`, else `current_state`); each transition closes
/// the open span and opens its target; so does a revert (the undone move's source, marked
/// `by_correction`), which is not a transition but sets the state all the same. When the instance's current state is not where
/// the log leaves it (the state changed without an entry, as the original server's update
/// path did), the last span closes at the last entry and `current_state` follows, entered
/// by nobody known. With no start and no entries there is no time to place a span: no
/// spans.
pub fn timeline(
    start: Option<DateTime<Utc>>,
    initial_state: Option<&str>,
    current_state: &str,
    log: &HistoryLog,
) -> Timeline {
    let mut entries: Vec<&HistoryEntry> = log.history_entries().collect();
    // Stable: entries at the same instant keep their log order.
    entries.sort_by_key(|e| e.timestamp());
    let events = entries
        .iter()
        .filter(|e| e.transition_states().is_none())
        .map(|e| (*e).clone())
        .collect();
    // Every entry that set the state: transitions, and reverts of them.
    let transitions: Vec<&HistoryEntry> = entries
        .iter()
        .copied()
        .filter(|e| e.state_change().is_some())
        .collect();

    let first_time = entries.first().map(|e| e.timestamp());
    let Some(mut start) = start.or(first_time) else {
        return Timeline {
            spans: Vec::new(),
            events,
        };
    };
    // A start date later than the first move (hand-edited) would make spans run backwards.
    if let Some(first_move) = transitions.first() {
        start = start.min(first_move.timestamp());
    }

    let first_state = transitions
        .first()
        .and_then(|t| t.state_change())
        .map(|(from, _)| from)
        .or(initial_state.filter(|s| !s.trim().is_empty()))
        .unwrap_or(current_state);
    let mut spans = vec![Span {
        state: first_state.to_string(),
        start,
        end: None,
        entered_by: None,
        by_correction: false,
    }];
    for transition in &transitions {
        let Some((_, to)) = transition.state_change() else {
            continue;
        };
        let at = transition.timestamp();
        close_and_open(&mut spans, at, to, transition.actor());
        if let Some(open) = spans.last_mut() {
            open.by_correction = transition.transition_states().is_none();
        }
    }

    let last_state = spans.last().map(|s| s.state.as_str());
    if last_state != Some(current_state) {
        match entries.last() {
            Some(last) => close_and_open(&mut spans, last.timestamp(), current_state, None),
            // Nothing says when: the instance has simply been in its current state.
            None => {
                spans = vec![Span {
                    state: current_state.to_string(),
                    start,
                    end: None,
                    entered_by: None,
                    by_correction: false,
                }]
            }
        }
    }
    Timeline { spans, events }
}

fn close_and_open(spans: &mut Vec<Span>, at: DateTime<Utc>, state: &str, by: Option<&str>) {
    let mut start = at;
    if let Some(open) = spans.last_mut() {
        start = at.max(open.start);
        open.end = Some(start);
    }
    spans.push(Span {
        state: state.to_string(),
        start,
        end: None,
        entered_by: by.map(String::from),
        by_correction: false,
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use serde_json::Map;

    fn day(d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 6, d, h, 0, 0).unwrap()
    }

    /// A span as (state, start, end, entered_by).
    type Row<'a> = (
        &'a str,
        DateTime<Utc>,
        Option<DateTime<Utc>>,
        Option<&'a str>,
    );

    fn states(timeline: &Timeline) -> Vec<Row<'_>> {
        timeline
            .spans
            .iter()
            .map(|s| (s.state.as_str(), s.start, s.end, s.entered_by.as_deref()))
            .collect()
    }

    #[test]
    fn spans_follow_transitions_with_events_between() {
        let mut log = HistoryLog::default();
        log.push(HistoryEntry::event(
            "LeadCaptureAgent",
            "Lead captured from typeform",
            Map::new(),
            day(1, 9),
        ));
        log.push(HistoryEntry::transition(
            "Grace",
            "inquiry",
            "consultation",
            None,
            day(2, 10),
        ));
        log.push(HistoryEntry::event(
            "Grace",
            "Created task: Call Ana",
            Map::new(),
            day(3, 8),
        ));
        log.push(HistoryEntry::transition(
            "Nyra",
            "consultation",
            "quote_provided",
            Some("sent"),
            day(5, 10),
        ));
        let t = timeline(Some(day(1, 0)), Some("inquiry"), "quote_provided", &log);
        assert_eq!(
            states(&t),
            [
                ("inquiry", day(1, 0), Some(day(2, 10)), None),
                ("consultation", day(2, 10), Some(day(5, 10)), Some("Grace")),
                ("quote_provided", day(5, 10), None, Some("Nyra")),
            ]
        );
        let summaries: Vec<&str> = t.events.iter().map(HistoryEntry::summary).collect();
        assert_eq!(
            summaries,
            ["Lead captured from typeform", "Created task: Call Ana"]
        );

        let now = day(6, 10);
        assert_eq!(t.spans[0].duration(now), Duration::hours(34));
        assert_eq!(t.spans[1].duration(now), Duration::days(3));
        assert_eq!(
            t.spans[2].duration(now),
            Duration::days(1),
            "open: until now"
        );
        assert_eq!(
            t.spans[2].duration(day(1, 0)),
            Duration::zero(),
            "never negative"
        );
    }

    #[test]
    fn without_a_start_date_the_first_entry_starts_it() {
        // Logged out of order by a blind writer: time order wins.
        let text = r#"[
          {"timestamp": "2025-06-04T10:00:00", "action": "[BookingAgent] Transitioned from payment_pending to payment_confirmed via pay", "details": {}},
          {"timestamp": "2025-06-02T10:00:00", "action": "[BookingAgent] New booking detected from Amelia", "details": {}}
        ]"#;
        let t = timeline(None, None, "payment_confirmed", &HistoryLog::decode(text));
        assert_eq!(
            states(&t),
            [
                ("payment_pending", day(2, 10), Some(day(4, 10)), None),
                ("payment_confirmed", day(4, 10), None, Some("BookingAgent")),
            ]
        );
        assert_eq!(t.events.len(), 1);
    }

    #[test]
    fn no_history_is_one_open_span_of_the_current_state() {
        let empty = HistoryLog::default();
        let t = timeline(Some(day(1, 0)), Some("inquiry"), "consultation", &empty);
        assert_eq!(states(&t), [("consultation", day(1, 0), None, None)]);
        assert!(t.events.is_empty());
        assert_eq!(t.spans[0].duration(day(2, 0)), Duration::days(1));
        assert_eq!(timeline(None, None, "inquiry", &empty), Timeline::default());
    }

    #[test]
    fn a_state_changed_without_an_entry_follows_the_last_entry() {
        let mut log = HistoryLog::default();
        log.push(HistoryEntry::transition(
            "Grace",
            "inquiry",
            "consultation",
            None,
            day(2, 0),
        ));
        log.push(HistoryEntry::event(
            "Nyra",
            "Sent reminder",
            Map::new(),
            day(3, 0),
        ));
        let t = timeline(Some(day(1, 0)), Some("inquiry"), "payment_pending", &log);
        assert_eq!(
            states(&t),
            [
                ("inquiry", day(1, 0), Some(day(2, 0)), None),
                ("consultation", day(2, 0), Some(day(3, 0)), Some("Grace")),
                ("payment_pending", day(3, 0), None, None),
            ]
        );
        // Only events, and a state the initial one is not: the same rule.
        let mut log = HistoryLog::default();
        log.push(HistoryEntry::event(
            "LeadCaptureAgent",
            "Lead captured",
            Map::new(),
            day(2, 0),
        ));
        let t = timeline(Some(day(1, 0)), Some("inquiry"), "new_booking", &log);
        assert_eq!(
            states(&t),
            [
                ("inquiry", day(1, 0), Some(day(2, 0)), None),
                ("new_booking", day(2, 0), None, None)
            ]
        );
    }

    #[test]
    fn a_start_date_after_the_first_move_is_pulled_back() {
        let mut log = HistoryLog::default();
        log.push(HistoryEntry::transition("Grace", "a", "b", None, day(2, 0)));
        let date = DateValue {
            start: "2025-06-05".into(),
            end: None,
            time_zone: None,
        };
        assert_eq!(start_time(Some(&date)), Some(day(5, 0)));
        let t = timeline(start_time(Some(&date)), None, "b", &log);
        assert_eq!(
            states(&t),
            [
                ("a", day(2, 0), Some(day(2, 0)), None),
                ("b", day(2, 0), None, Some("Grace"))
            ]
        );
        assert_eq!(start_time(None), None);
    }

    #[test]
    fn a_revert_opens_the_earlier_state_again_marked_as_a_correction() {
        let mut log = HistoryLog::default();
        log.push(HistoryEntry::transition(
            "Grace",
            "inquiry",
            "consultation",
            None,
            day(2, 0),
        ));
        let mut details = Map::new();
        details.insert("reverted_from".into(), "inquiry".into());
        details.insert("reverted_to".into(), "consultation".into());
        log.push(HistoryEntry::correction(
            "Nyra",
            "revert",
            "Reverted transition from inquiry to consultation",
            details,
            day(3, 0),
        ));
        let t = timeline(Some(day(1, 0)), Some("inquiry"), "inquiry", &log);
        assert_eq!(
            states(&t),
            [
                ("inquiry", day(1, 0), Some(day(2, 0)), None),
                ("consultation", day(2, 0), Some(day(3, 0)), Some("Grace")),
                ("inquiry", day(3, 0), None, Some("Nyra")),
            ]
        );
        let marks: Vec<bool> = t.spans.iter().map(|s| s.by_correction).collect();
        assert_eq!(marks, [false, false, true]);
        assert_eq!(t.events.len(), 1, "the revert is listed as a correction");
        assert_eq!(
            t.events[0].kind(),
            crate::domain::history::EntryKind::Correction
        );
    }
}
