//! The Overview: where every workflow stands, what is stuck or in error, which tasks are
//! late, what moved lately, and how fresh the cache is. Pure: [`compute`] takes facts
//! already read from the records (history logs parsed once, at load) and a clock, so the
//! dashboard and `hsn overview` give the same figures and the recompute stays a single
//! pass over the instances (the lead benchmarks it at 100,000).

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;

use super::history::HistoryLog;
use super::models::{Task, Workflow, WorkflowInstance};
use super::record::Link;
use super::timeline::start_time;
use super::workflow::StateMachine;

/// The days of the activity series, today included.
pub const ACTIVITY_DAYS: usize = 14;
/// The history entries the activity list shows.
pub const RECENT_ENTRIES: usize = 10;

/// How long in one state makes an instance stuck: a default and per-workflow overrides
/// (by Workflow ID), from `HSN_STUCK_DAYS` and the config file (`Settings::stuck_rule`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StuckRule {
    pub default_days: u32,
    pub per_workflow: HashMap<String, u32>,
    /// Where the default came from, said on screen (`HSN_STUCK_DAYS`, `default`).
    pub source: &'static str,
}

impl Default for StuckRule {
    fn default() -> Self {
        StuckRule {
            default_days: 7,
            per_workflow: HashMap::new(),
            source: "default",
        }
    }
}

impl StuckRule {
    /// The rule from the `HSN_STUCK_DAYS` setting (a whole number of days, at least 1).
    pub fn from_setting(value: Option<&str>) -> Result<StuckRule, String> {
        let Some(text) = value.map(str::trim).filter(|t| !t.is_empty()) else {
            return Ok(StuckRule::default());
        };
        match text.parse::<u32>() {
            Ok(days) if days > 0 => Ok(StuckRule {
                default_days: days,
                per_workflow: HashMap::new(),
                source: "HSN_STUCK_DAYS",
            }),
            _ => Err(format!(
                "HSN_STUCK_DAYS must be a whole number of days (at least 1), not \"{text}\""
            )),
        }
    }

    pub fn days_for(&self, workflow_id: Option<&str>) -> u32 {
        workflow_id
            .and_then(|w| self.per_workflow.get(w))
            .copied()
            .unwrap_or(self.default_days)
    }

    pub fn threshold(&self, workflow_id: Option<&str>) -> Duration {
        Duration::days(i64::from(self.days_for(workflow_id)))
    }
}

/// A workflow as the funnel needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkflowFacts {
    pub page_id: Option<String>,
    pub workflow_id: String,
    pub name: String,
    pub status: Option<String>,
    /// The states in order, with whether each is terminal; empty when unreadable.
    pub states: Vec<(String, bool)>,
}

impl WorkflowFacts {
    pub fn from_workflow(workflow: &Workflow) -> WorkflowFacts {
        let states = StateMachine::from_workflow(workflow)
            .map(|m| {
                m.states()
                    .into_iter()
                    .map(|s| (s.to_string(), m.is_terminal(s)))
                    .collect()
            })
            .unwrap_or_default();
        WorkflowFacts {
            page_id: workflow.page_id.clone(),
            workflow_id: workflow.workflow_id.clone(),
            name: workflow.name.clone(),
            status: workflow.status.clone(),
            states,
        }
    }
}

/// One readable history entry, reduced to what the activity shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Moment {
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub transition: bool,
}

/// An instance's place in the funnels: its workflow's position in
/// [`OverviewInput::workflows`], and its state's among that workflow's states (`None` for a
/// state the workflow does not define).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    pub workflow: usize,
    pub state: Option<usize>,
}

/// An instance as the overview needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct InstanceFacts {
    pub page_id: String,
    pub instance_id: String,
    /// The Workflow link's first target: a page id, or a Workflow ID (old text links).
    pub workflow: Option<String>,
    pub state: String,
    pub status: Option<String>,
    /// When it entered its current state (Last Transition Date, else Start Date).
    pub entered: Option<DateTime<Utc>>,
    pub error_message: String,
    pub priority: Option<String>,
    pub history: Vec<Moment>,
    /// Where it counts in the funnels, found once at load by [`OverviewInput::resolve`];
    /// `None` is found by name at each recompute.
    pub slot: Option<Slot>,
}

impl InstanceFacts {
    /// Parses the history log: done once per load, never per recompute.
    pub fn from_instance(instance: &WorkflowInstance) -> InstanceFacts {
        let mut history: Vec<Moment> = HistoryLog::decode(&instance.history_log)
            .history_entries()
            .map(|e| Moment {
                at: e.timestamp(),
                actor: e.actor().unwrap_or("").to_string(),
                action: e.summary().to_string(),
                transition: e.transition_states().is_some(),
            })
            .collect();
        // In time order (stable for equal times), so a recompute can read from the newest
        // end and stop at the first moment too old to count.
        history.sort_by_key(|m| m.at);
        let workflow = match &instance.workflow {
            Link::Pages(ids) => ids.first().cloned(),
            Link::Text(text) => Some(text.trim().to_string()).filter(|t| !t.is_empty()),
        };
        InstanceFacts {
            page_id: instance.page_id.clone().unwrap_or_default(),
            instance_id: instance.instance_id.clone(),
            workflow,
            state: instance.current_state.clone(),
            status: instance.status.clone(),
            entered: start_time(instance.last_transition_date.as_ref())
                .or_else(|| start_time(instance.start_date.as_ref())),
            error_message: instance.error_message.clone(),
            priority: instance.priority.clone(),
            history,
            slot: None,
        }
    }
}

/// A task as the overview needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskFacts {
    pub page_id: String,
    pub task_id: String,
    pub name: String,
    pub status: Option<String>,
    pub priority: Option<String>,
    pub due: Option<NaiveDate>,
    pub assignee: String,
    pub created: Option<DateTime<Utc>>,
}

impl TaskFacts {
    /// `created_time` is the page's, for a task without a Created Date.
    pub fn from_task(task: &Task, created_time: Option<&str>) -> TaskFacts {
        let created = start_time(task.created_date.as_ref())
            .or_else(|| created_time.and_then(super::history::parse_timestamp));
        TaskFacts {
            page_id: task.page_id.clone().unwrap_or_default(),
            task_id: task.task_id.clone(),
            name: task.task_name.clone(),
            status: task.status.clone(),
            priority: task.priority.clone(),
            due: start_time(task.due_date.as_ref()).map(|t| t.date_naive()),
            assignee: task.assigned_to.trim().to_string(),
            created,
        }
    }

    fn is_open(&self) -> bool {
        !matches!(self.status.as_deref(), Some("Done" | "Cancelled"))
    }
}

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

/// Everything the overview is computed from.
#[derive(Debug, Clone, Default)]
pub struct OverviewInput {
    pub workflows: Vec<WorkflowFacts>,
    pub instances: Vec<InstanceFacts>,
    pub tasks: Vec<TaskFacts>,
    pub freshness: Vec<SourceFreshness>,
}

impl OverviewInput {
    /// Finds each instance's place in the funnels once, so that recomputing (on every change
    /// the sync engine reports) compares no names.
    pub fn resolve(&mut self) {
        let mut by_ref: HashMap<&str, usize> = HashMap::new();
        for (i, w) in self.workflows.iter().enumerate() {
            by_ref.insert(w.workflow_id.as_str(), i);
            if let Some(page) = &w.page_id {
                by_ref.insert(page.as_str(), i);
            }
        }
        for instance in &mut self.instances {
            instance.slot = instance
                .workflow
                .as_deref()
                .and_then(|r| by_ref.get(r))
                .map(|&workflow| Slot {
                    workflow,
                    state: self.workflows[workflow]
                        .states
                        .iter()
                        .position(|(s, _)| *s == instance.state),
                });
        }
    }
}

/// A funnel in the making: the workflow's states, and the counts by position.
struct Building<'a> {
    facts: Option<&'a WorkflowFacts>,
    states: Vec<StateCount>,
}

impl Building<'_> {
    fn count(&mut self, state: &str) -> bool {
        if let Some(found) = self.states.iter_mut().find(|s| s.state == state) {
            found.count += 1;
            return found.terminal;
        }
        self.states.push(StateCount {
            state: state.to_string(),
            count: 1,
            terminal: false,
            known: false,
        });
        false
    }
}

fn priority_rank(priority: Option<&str>) -> u8 {
    match priority {
        Some("High") => 0,
        Some("Medium") => 1,
        Some("Low") => 2,
        _ => 3,
    }
}

/// Computes every figure of the overview at `now` (days are UTC days).
/// How many stuck and error instances the overview lists (it counts them all).
pub const LISTED: usize = 200;

pub fn compute(input: &OverviewInput, rule: &StuckRule, now: DateTime<Utc>) -> Overview {
    // Funnels: every workflow that is not a Draft, and any workflow instances point at.
    let mut funnels: Vec<Building> = input
        .workflows
        .iter()
        .map(|w| Building {
            facts: Some(w),
            states: w
                .states
                .iter()
                .map(|(state, terminal)| StateCount {
                    state: state.clone(),
                    count: 0,
                    terminal: *terminal,
                    known: true,
                })
                .collect(),
        })
        .collect();
    let mut by_ref: HashMap<&str, usize> = HashMap::new();
    for (i, w) in input.workflows.iter().enumerate() {
        by_ref.insert(w.workflow_id.as_str(), i);
        if let Some(page) = &w.page_id {
            by_ref.insert(page.as_str(), i);
        }
    }
    let mut unknown: Option<usize> = None;
    let mut open_instances = 0;
    let mut stuck = Vec::new();
    let mut errors = Vec::new();
    let start_day = now.date_naive() - Duration::days(ACTIVITY_DAYS as i64 - 1);
    let mut activity: Vec<DayCount> = (0..ACTIVITY_DAYS)
        .map(|i| DayCount {
            date: start_day + Duration::days(i as i64),
            transitions: 0,
            tasks_created: 0,
        })
        .collect();
    let window_start = start_day.and_time(chrono::NaiveTime::MIN).and_utc();
    let day_index = |at: DateTime<Utc>| -> Option<usize> {
        let offset = (at.date_naive() - start_day).num_days();
        (0..ACTIVITY_DAYS as i64)
            .contains(&offset)
            .then_some(offset as usize)
    };
    // The newest entries: a min-heap of at most RECENT_ENTRIES (instance, entry) indices.
    let mut recent: BinaryHeap<Reverse<(DateTime<Utc>, usize, usize)>> = BinaryHeap::new();

    for (i, instance) in input.instances.iter().enumerate() {
        let (index, terminal) = match instance.slot {
            // Resolved at load: no names to compare (what a recompute spends most on).
            Some(Slot {
                workflow,
                state: Some(state),
            }) if workflow < input.workflows.len() => {
                let counted = &mut funnels[workflow].states[state];
                counted.count += 1;
                (workflow, counted.terminal)
            }
            _ => {
                let index = match instance.workflow.as_deref().and_then(|r| by_ref.get(r)) {
                    Some(&index) => index,
                    None => *unknown.get_or_insert_with(|| {
                        funnels.push(Building {
                            facts: None,
                            states: Vec::new(),
                        });
                        funnels.len() - 1
                    }),
                };
                (index, funnels[index].count(&instance.state))
            }
        };
        let workflow_id = funnels[index].facts.map(|f| f.workflow_id.as_str());
        let ended = terminal || instance.status.as_deref() == Some("Completed");
        if !ended {
            open_instances += 1;
        }
        let in_state = instance.entered.map(|t| (now - t).max(Duration::zero()));
        // Only (time in state, index) here: the items, with their strings, are made for
        // the few that are listed (a large workspace can have tens of thousands stuck).
        let key = (in_state.map_or(0, |d| d.num_seconds()), i, index);
        match instance.status.as_deref() {
            Some("Error") => errors.push(key),
            Some("Active")
                if !terminal && in_state.is_some_and(|d| d > rule.threshold(workflow_id)) =>
            {
                stuck.push(key)
            }
            _ => {}
        }
        // Newest first; stop once a moment is older than the 14 days and than every entry
        // already kept: nothing older can count (the history is in time order).
        for (j, moment) in instance.history.iter().enumerate().rev() {
            let in_window = day_index(moment.at);
            let newer_than_kept = recent.len() < RECENT_ENTRIES
                || recent
                    .peek()
                    .is_some_and(|Reverse(oldest)| moment.at > oldest.0);
            if in_window.is_none() && !newer_than_kept && moment.at < window_start {
                break;
            }
            if moment.transition
                && let Some(day) = in_window
            {
                activity[day].transitions += 1;
            }
            if newer_than_kept {
                if recent.len() == RECENT_ENTRIES {
                    recent.pop();
                }
                recent.push(Reverse((moment.at, i, j)));
            }
        }
    }
    let longest_first = |a: &(i64, usize, usize), b: &(i64, usize, usize)| {
        b.0.cmp(&a.0).then_with(|| {
            input.instances[a.1]
                .instance_id
                .cmp(&input.instances[b.1].instance_id)
        })
    };
    let (stuck_count, error_count) = (stuck.len(), errors.len());
    let listed = |mut keys: Vec<(i64, usize, usize)>| -> Vec<InstanceItem> {
        if keys.len() > LISTED {
            keys.select_nth_unstable_by(LISTED - 1, longest_first);
            keys.truncate(LISTED);
        }
        keys.sort_by(longest_first);
        keys.into_iter()
            .map(|(seconds, i, index)| {
                let instance = &input.instances[i];
                let workflow_id = funnels[index].facts.map(|f| f.workflow_id.as_str());
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
    };
    let stuck = listed(stuck);
    let errors = listed(errors);

    let mut recent: Vec<RecentEntry> = recent
        .into_sorted_vec()
        .into_iter()
        .map(|Reverse((_, i, j))| {
            let instance = &input.instances[i];
            let moment = &instance.history[j];
            RecentEntry {
                at: moment.at,
                actor: moment.actor.clone(),
                instance_id: instance.instance_id.clone(),
                page_id: instance.page_id.clone(),
                action: moment.action.clone(),
            }
        })
        .collect();
    // `into_sorted_vec` of `Reverse` is newest first already; keep ties stable by name.
    recent.sort_by(|a, b| {
        b.at.cmp(&a.at)
            .then_with(|| a.instance_id.cmp(&b.instance_id))
    });

    let tasks = task_figures(&input.tasks, now.date_naive(), &mut activity, &day_index);

    let mut funnels: Vec<Funnel> = funnels
        .into_iter()
        .filter(|b| {
            b.facts.is_none_or(|f| f.status.as_deref() != Some("Draft"))
                || b.states.iter().any(|s| s.count > 0)
        })
        .map(|mut b| {
            // Terminal states apart, after the others, each group in workflow order.
            b.states.sort_by_key(|s| s.terminal);
            let open = b
                .states
                .iter()
                .filter(|s| !s.terminal)
                .map(|s| s.count)
                .sum();
            let ended = b
                .states
                .iter()
                .filter(|s| s.terminal)
                .map(|s| s.count)
                .sum();
            let (workflow_id, name, page_id, status) = match b.facts {
                Some(f) => (
                    f.workflow_id.clone(),
                    f.name.clone(),
                    f.page_id.clone(),
                    f.status.clone(),
                ),
                None => ("(no workflow)".into(), String::new(), None, None),
            };
            Funnel {
                workflow_id,
                name,
                page_id,
                status,
                states: b.states,
                open,
                ended,
            }
        })
        .collect();
    // The biggest backlog first.
    funnels.sort_by(|a, b| {
        b.open
            .cmp(&a.open)
            .then_with(|| a.workflow_id.cmp(&b.workflow_id))
    });

    Overview {
        now,
        instances: input.instances.len(),
        open_instances,
        stuck_rule: rule.clone(),
        funnels,
        stuck,
        stuck_count,
        errors,
        error_count,
        tasks,
        activity,
        recent,
        freshness: input.freshness.clone(),
    }
}

fn task_figures(
    tasks: &[TaskFacts],
    today: NaiveDate,
    activity: &mut [DayCount],
    day_index: &impl Fn(DateTime<Utc>) -> Option<usize>,
) -> TaskFigures {
    let mut figures = TaskFigures::default();
    let week_end = today + Duration::days(6);
    for task in tasks {
        if let Some(day) = task.created.and_then(day_index) {
            activity[day].tasks_created += 1;
        }
        if !task.is_open() {
            continue;
        }
        figures.open += 1;
        let item = || TaskItem {
            page_id: task.page_id.clone(),
            task_id: task.task_id.clone(),
            name: task.name.clone(),
            priority: task.priority.clone(),
            due: task.due,
            assignee: task.assignee.clone(),
            status: task.status.clone(),
        };
        match task.due {
            Some(due) if due < today => figures.overdue.push(item()),
            Some(due) if due == today => figures.due_today.push(item()),
            Some(due) if due <= week_end => figures.due_this_week.push(item()),
            _ => {}
        }
        if task.priority.as_deref() == Some("High") && task.assignee.is_empty() {
            figures.unassigned_high.push(item());
        }
    }
    let by_priority = |a: &TaskItem, b: &TaskItem| {
        priority_rank(a.priority.as_deref())
            .cmp(&priority_rank(b.priority.as_deref()))
            .then_with(|| a.due.cmp(&b.due))
            .then_with(|| a.task_id.cmp(&b.task_id))
    };
    for list in [
        &mut figures.overdue,
        &mut figures.due_today,
        &mut figures.due_this_week,
        &mut figures.unassigned_high,
    ] {
        list.sort_by(by_priority);
    }
    figures
}
