//! The Overview: where every workflow stands, what is stuck or in error, which tasks are
//! late, what moved lately, and how fresh the cache is. Pure, and in two steps, because the
//! dashboard recomputes it on every clock tick and every change the sync reports (the lead
//! benchmarks that at 100,000 instances, under 5 ms):
//! - at load, the records are reduced to facts (history logs parsed once) and an
//!   [`OverviewIndex`] does all that does not depend on the clock or the stuck rule: the
//!   funnels' counts, who can be stuck or is in error (longest in state first), the days
//!   transitions and tasks happened on, the newest history entries, the open tasks in
//!   listing order;
//! - [`compute`] cuts those lists where its clock falls (a binary search per workflow for
//!   the stuck), reads 14 days of tallies, and makes strings only for what it lists.
//!
//! `hsn overview` and the dashboard go through the same two steps, so they agree.

mod facts;
mod index;
mod rule;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;

pub use facts::{InstanceFacts, Moment, OverviewInput, TaskFacts, WorkflowFacts};
use index::InState;
pub use index::OverviewIndex;
pub use rule::StuckRule;

/// The days of the activity series, today included.
pub const ACTIVITY_DAYS: usize = 14;
/// The history entries the activity list shows.
pub const RECENT_ENTRIES: usize = 10;
/// How many stuck and error instances the overview lists (it counts them all).
pub const LISTED: usize = 200;

/// How fresh one data source is; read from the store by the caller.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceFreshness {
    pub database: &'static str,
    pub last_sync: Option<DateTime<Utc>>,
    pub pending_writes: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StateCount {
    pub state: String,
    pub count: usize,
    pub terminal: bool,
    /// False for a state instances are in that the workflow does not define.
    pub known: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Funnel {
    pub workflow_id: String,
    pub name: String,
    #[serde(skip)]
    pub page_id: Option<String>,
    pub status: Option<String>,
    /// Every state in order, terminal ones last (apart), each with its count.
    pub states: Vec<StateCount>,
    /// Instances in a non-terminal state.
    pub open: usize,
    pub ended: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InstanceItem {
    #[serde(skip)]
    pub page_id: String,
    pub instance_id: String,
    pub workflow_id: String,
    pub state: String,
    pub entered: Option<DateTime<Utc>>,
    pub seconds_in_state: i64,
    pub threshold_days: u32,
    pub error_message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskItem {
    #[serde(skip)]
    pub page_id: String,
    pub task_id: String,
    pub name: String,
    pub priority: Option<String>,
    pub due: Option<NaiveDate>,
    pub assignee: String,
    pub status: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct TaskFigures {
    pub open: usize,
    pub overdue: Vec<TaskItem>,
    pub due_today: Vec<TaskItem>,
    /// Due in the six days after today.
    pub due_this_week: Vec<TaskItem>,
    pub unassigned_high: Vec<TaskItem>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DayCount {
    pub date: NaiveDate,
    pub transitions: usize,
    pub tasks_created: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecentEntry {
    pub at: DateTime<Utc>,
    pub actor: String,
    pub instance_id: String,
    #[serde(skip)]
    pub page_id: String,
    pub action: String,
    /// `transition`, `correction`, `task` (a task created or edited) or `event`.
    pub kind: &'static str,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Overview {
    pub now: DateTime<Utc>,
    pub instances: usize,
    pub open_instances: usize,
    pub stuck_rule: StuckRule,
    pub funnels: Vec<Funnel>,
    /// Active instances past their threshold, longest in state first (the first
    /// `LISTED` of `stuck_count`).
    pub stuck: Vec<InstanceItem>,
    pub stuck_count: usize,
    /// Instances with Status Error, longest in state first (the first `LISTED` of
    /// `error_count`).
    pub errors: Vec<InstanceItem>,
    pub error_count: usize,
    pub tasks: TaskFigures,
    /// Oldest day first; today last.
    pub activity: Vec<DayCount>,
    /// Newest first.
    pub recent: Vec<RecentEntry>,
    pub freshness: Vec<SourceFreshness>,
}

/// Computes every figure of the overview at `now` (days are UTC days).
pub fn compute(index: &OverviewIndex, rule: &StuckRule, now: DateTime<Utc>) -> Overview {
    let facts = &index.facts;

    // Stuck: of each workflow's waiting instances (oldest first), those that entered their
    // state before its threshold, a prefix. Only the worst of them get looked at further.
    let mut stuck_count = 0;
    let mut stuck = Vec::new();
    for past in index.stuck_prefixes(rule, now) {
        stuck_count += past.len();
        stuck.extend(shortlist(past, now));
    }
    let stuck = listed(index, stuck, rule);
    let errors = listed(index, shortlist(&index.errors, now), rule);

    let today = now.date_naive();
    let first_day = today - Duration::days(ACTIVITY_DAYS as i64 - 1);
    let activity = (0..ACTIVITY_DAYS as i64)
        .map(|n| {
            let date = first_day + Duration::days(n);
            let tally = index.days.get(&date).copied().unwrap_or_default();
            DayCount {
                date,
                transitions: tally.transitions,
                tasks_created: tally.tasks_created,
            }
        })
        .collect();

    Overview {
        now,
        instances: facts.instances.len(),
        open_instances: index.open_instances,
        stuck_rule: rule.clone(),
        funnels: index.funnels.clone(),
        stuck,
        stuck_count,
        errors,
        error_count: index.errors.len(),
        tasks: task_figures(index, today),
        activity,
        recent: index.recent.clone(),
        freshness: facts.freshness.clone(),
    }
}

impl OverviewIndex {
    /// Each workflow's stuck instances at `now`: a prefix of its waiting ones.
    fn stuck_prefixes<'a>(
        &'a self,
        rule: &'a StuckRule,
        now: DateTime<Utc>,
    ) -> impl Iterator<Item = &'a [InState]> + 'a {
        self.waiting.iter().map(move |waiting| {
            let workflow_id = waiting
                .workflow
                .map(|w| self.facts.workflows[w].workflow_id.as_str());
            // Past the threshold: in the state since strictly before `now - threshold`
            // (before the calendar's start, none is).
            let stuck_before = now.checked_sub_signed(rule.threshold(workflow_id));
            let past = stuck_before.map_or(0, |before| {
                waiting
                    .oldest_first
                    .partition_point(|e| e.since.is_some_and(|since| since < before))
            });
            &waiting.oldest_first[..past]
        })
    }

    /// The instances stuck at `now` under `rule` (as the Overview counts them).
    pub fn stuck_instances<'a>(
        &'a self,
        rule: &'a StuckRule,
        now: DateTime<Utc>,
    ) -> impl Iterator<Item = &'a InstanceFacts> + 'a {
        self.stuck_prefixes(rule, now)
            .flatten()
            .map(|e| &self.facts.instances[e.instance])
    }

    /// The instances with Status Error.
    pub fn error_instances(&self) -> impl Iterator<Item = &InstanceFacts> {
        self.errors
            .iter()
            .map(|e| &self.facts.instances[e.instance])
    }

    /// Every task read.
    pub fn tasks(&self) -> &[TaskFacts] {
        &self.facts.tasks
    }

    /// The Workflow ID (else the link as written) of an instance's workflow, for its alert.
    pub fn workflow_label<'a>(&'a self, instance: &'a InstanceFacts) -> Option<&'a str> {
        let known = self.facts.workflows.iter().find(|w| {
            instance
                .workflow
                .as_deref()
                .is_some_and(|r| r == w.workflow_id || w.page_id.as_deref() == Some(r))
        });
        known
            .map(|w| w.workflow_id.as_str())
            .or(instance.workflow.as_deref())
    }
}

/// How long an instance has been in its state at `now`, in whole seconds (none before it
/// entered, and none for an unknown entry time).
fn seconds_in_state(since: Option<DateTime<Utc>>, now: DateTime<Utc>) -> i64 {
    since.map_or(0, |t| (now - t).max(Duration::zero()).num_seconds())
}

/// The instances of `oldest_first` that can be among the `LISTED` longest in state, with
/// their seconds in state: the first `LISTED`, and any after them in their state just as
/// long (seconds in state only go down along the list, and equal ones are ordered by
/// Instance ID later). Of those that entered at the same moment, already in Instance ID
/// order, no more than `LISTED` are taken, so a crowd that entered together (or at no
/// known time, as in a workspace without dates) costs a binary search, not a read each.
fn shortlist(oldest_first: &[InState], now: DateTime<Utc>) -> Vec<(i64, usize)> {
    let mut shortlist: Vec<(i64, usize)> = Vec::with_capacity(oldest_first.len().min(LISTED));
    let mut rest = oldest_first;
    while let Some(first) = rest.first() {
        let seconds = seconds_in_state(first.since, now);
        if shortlist.len() >= LISTED && shortlist.last().is_some_and(|&(last, _)| last != seconds) {
            break;
        }
        let entered_together = rest.partition_point(|e| e.since == first.since);
        let taken = &rest[..entered_together.min(LISTED)];
        shortlist.extend(taken.iter().map(|e| (seconds, e.instance)));
        rest = &rest[entered_together..];
    }
    shortlist
}

/// The items listed from a shortlist of (seconds in state, instance): the `LISTED` longest
/// in state, then by Instance ID.
fn listed(
    index: &OverviewIndex,
    mut shortlist: Vec<(i64, usize)>,
    rule: &StuckRule,
) -> Vec<InstanceItem> {
    let instances = &index.facts.instances;
    let longest_first = |a: &(i64, usize), b: &(i64, usize)| {
        b.0.cmp(&a.0)
            .then_with(|| instances[a.1].instance_id.cmp(&instances[b.1].instance_id))
            .then_with(|| a.1.cmp(&b.1))
    };
    if shortlist.len() > LISTED {
        shortlist.select_nth_unstable_by(LISTED - 1, longest_first);
        shortlist.truncate(LISTED);
    }
    shortlist.sort_unstable_by(longest_first);
    shortlist
        .into_iter()
        .map(|(seconds, i)| {
            let instance = &instances[i];
            let workflow_id = index.workflow_id(i);
            InstanceItem {
                page_id: instance.page_id.clone(),
                instance_id: instance.instance_id.clone(),
                workflow_id: workflow_id.unwrap_or("").to_string(),
                state: instance.state.clone(),
                entered: instance.entered,
                seconds_in_state: seconds,
                threshold_days: rule.days_for(workflow_id),
                error_message: instance.error_message.clone(),
            }
        })
        .collect()
}

/// The task figures on `today`: the open tasks are in listing order already, so each list
/// is theirs, filtered; only listed tasks have their facts read.
fn task_figures(index: &OverviewIndex, today: NaiveDate) -> TaskFigures {
    let mut figures = TaskFigures {
        open: index.open_tasks.len(),
        ..TaskFigures::default()
    };
    let week_end = today + Duration::days(6);
    for open in &index.open_tasks {
        let task = &index.facts.tasks[open.task];
        let item = || TaskItem {
            page_id: task.page_id.clone(),
            task_id: task.task_id.clone(),
            name: task.name.clone(),
            priority: task.priority.clone(),
            due: task.due,
            assignee: task.assignee.clone(),
            status: task.status.clone(),
        };
        match open.due {
            Some(due) if due < today => figures.overdue.push(item()),
            Some(due) if due == today => figures.due_today.push(item()),
            Some(due) if due <= week_end => figures.due_this_week.push(item()),
            _ => {}
        }
        if open.unassigned_high {
            figures.unassigned_high.push(item());
        }
    }
    figures
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    /// The shortlist stops after `LISTED`, but not within a run of equal whole seconds in
    /// state, even from different entry times: those are ordered by Instance ID later.
    #[test]
    fn the_shortlist_keeps_every_instance_as_long_in_state_as_the_last_listed() {
        let now = Utc.with_ymd_and_hms(2026, 11, 27, 12, 0, 0).unwrap();
        let day = Duration::days(1);
        let mut oldest_first: Vec<InState> = (0..LISTED - 1)
            .map(|n| InState {
                since: Some(now - day * 10 - Duration::seconds((LISTED - n) as i64)),
                instance: n,
            })
            .collect();
        // Three more just under 10 days in, a fraction of a second apart (the first of them
        // is the `LISTED`th), then one at 9 days.
        for (n, late) in [(0, 100), (1, 300), (2, 900)] {
            oldest_first.push(InState {
                since: Some(now - day * 10 + Duration::milliseconds(late)),
                instance: LISTED - 1 + n,
            });
        }
        oldest_first.push(InState {
            since: Some(now - day * 9),
            instance: LISTED + 2,
        });
        let shortlist = shortlist(&oldest_first, now);
        assert_eq!(shortlist.len(), LISTED + 2);
        assert_eq!(shortlist[LISTED - 2].0, 10 * 86_400 + 2);
        assert!(
            shortlist[LISTED - 1..]
                .iter()
                .all(|&(s, _)| s == 10 * 86_400 - 1)
        );
        assert_eq!(shortlist[0], (10 * 86_400 + LISTED as i64, 0));
    }
}
