//! The overview's facts arranged once, at load, by what a recompute asks of them. Nothing
//! here depends on the clock or on the stuck rule, so [`super::compute`] only has to cut
//! these lists where its clock falls, and make strings for what it lists.

use std::cmp::{Ordering, Reverse};
use std::collections::{BTreeMap, BinaryHeap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};

use super::facts::{InstanceFacts, Moment, OverviewInput, TaskFacts, WorkflowFacts};
use super::{Funnel, RECENT_ENTRIES, RecentEntry, StateCount};
use crate::domain::history::EntryKind;

/// The overview's facts, arranged for recomputing at any clock with any stuck rule.
#[derive(Debug, Clone)]
pub struct OverviewIndex {
    pub(super) facts: OverviewInput,
    /// The funnels as shown: their counts do not change with the clock.
    pub(super) funnels: Vec<Funnel>,
    /// Instances neither in a terminal state nor Completed.
    pub(super) open_instances: usize,
    /// Each instance's workflow, by position in `facts.workflows` (`None`: not found).
    pub(super) workflow_of: Vec<Option<usize>>,
    /// The instances that become stuck with time (Active, in a non-terminal state, with an
    /// entry time), by workflow (each has its threshold), longest in state first (see
    /// `oldest_first_order`): at a clock, the stuck ones of a workflow are a prefix, found
    /// by a binary search.
    pub(super) waiting: Vec<Waiting>,
    /// Instances with Status Error, longest in state first (see `oldest_first_order`).
    pub(super) errors: Vec<InState>,
    /// Transitions and task creations by UTC day, for the activity series.
    pub(super) days: BTreeMap<NaiveDate, DayTally>,
    /// The newest history entries across instances, newest first: whatever the clock,
    /// they are the same.
    pub(super) recent: Vec<RecentEntry>,
    /// Open tasks in the order the task lists show them: by priority, then due date, then
    /// Task ID.
    pub(super) open_tasks: Vec<OpenTask>,
}

/// An open task (by position in `facts.tasks`), with what says which lists it is on, so
/// that a recompute reads the facts of listed tasks only.
#[derive(Debug, Clone, Copy)]
pub(super) struct OpenTask {
    pub task: usize,
    pub due: Option<NaiveDate>,
    /// High priority, and nobody is assigned.
    pub unassigned_high: bool,
}

/// An instance (by position in `facts.instances`) and when it entered its current state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct InState {
    pub since: Option<DateTime<Utc>>,
    pub instance: usize,
}

/// One workflow's instances that can become stuck, the earliest entered first.
#[derive(Debug, Clone)]
pub(super) struct Waiting {
    /// By position in `facts.workflows`; `None` for instances of no known workflow.
    pub workflow: Option<usize>,
    pub oldest_first: Vec<InState>,
}

#[derive(Debug, Clone, Copy, Default)]
pub(super) struct DayTally {
    pub transitions: usize,
    pub tasks_created: usize,
}

impl OverviewIndex {
    /// Arranges the facts: a pass over the instances, a few sorts. Done once per load.
    pub fn new(facts: OverviewInput) -> OverviewIndex {
        let workflow_by_ref = workflows_by_ref(&facts.workflows);
        // The funnels: the workflows', then one for instances of no known workflow.
        let mut funnels: Vec<Building> = facts
            .workflows
            .iter()
            .map(|w| Building::of_workflow(Some(w)))
            .collect();
        let mut no_workflow: Option<usize> = None;
        let mut workflow_of = Vec::with_capacity(facts.instances.len());
        let mut open_instances = 0;
        let mut waiting: Vec<Vec<InState>> = vec![Vec::new(); funnels.len()];
        let mut errors = Vec::new();
        let mut days: BTreeMap<NaiveDate, DayTally> = BTreeMap::new();
        let mut newest = NewestEntries::default();
        // One pass, as each instance's facts lie apart in memory (reading them is most of
        // the cost here, at 100,000).
        for (i, instance) in facts.instances.iter().enumerate() {
            let workflow = instance
                .workflow
                .as_deref()
                .and_then(|r| workflow_by_ref.get(r))
                .copied();
            workflow_of.push(workflow);
            let funnel = workflow.unwrap_or_else(|| {
                *no_workflow.get_or_insert_with(|| {
                    funnels.push(Building::of_workflow(None));
                    waiting.push(Vec::new());
                    funnels.len() - 1
                })
            });
            let terminal = funnels[funnel].count(&instance.state);
            if !terminal && instance.status.as_deref() != Some("Completed") {
                open_instances += 1;
            }
            let in_state = InState {
                since: instance.entered,
                instance: i,
            };
            match instance.status.as_deref() {
                Some("Error") => errors.push(in_state),
                Some("Active") if !terminal && in_state.since.is_some() => {
                    waiting[funnel].push(in_state)
                }
                _ => {}
            }
            for moment in instance
                .history
                .iter()
                .filter(|m| m.kind == EntryKind::Transition)
            {
                days.entry(moment.at.date_naive()).or_default().transitions += 1;
            }
            newest.offer(i, &instance.history);
        }
        let waiting = waiting
            .into_iter()
            .enumerate()
            .filter(|(_, oldest_first)| !oldest_first.is_empty())
            .map(|(funnel, mut oldest_first)| {
                oldest_first.sort_unstable_by(|a, b| oldest_first_order(&facts.instances, a, b));
                Waiting {
                    workflow: (funnel < facts.workflows.len()).then_some(funnel),
                    oldest_first,
                }
            })
            .collect();
        errors.sort_unstable_by(|a, b| oldest_first_order(&facts.instances, a, b));

        for created in facts.tasks.iter().filter_map(|t| t.created) {
            days.entry(created.date_naive()).or_default().tasks_created += 1;
        }

        OverviewIndex {
            funnels: finish_funnels(funnels),
            open_instances,
            workflow_of,
            waiting,
            errors,
            days,
            recent: newest.into_entries(&facts.instances),
            open_tasks: open_tasks(&facts.tasks),
            facts,
        }
    }

    /// The Workflow ID of an instance's workflow, `None` when it has no known workflow.
    pub(super) fn workflow_id(&self, instance: usize) -> Option<&str> {
        self.workflow_of[instance].map(|w| self.facts.workflows[w].workflow_id.as_str())
    }
}

/// Earliest in their state first, an unknown entry time last (it counts as no time in
/// state); those entered at the same moment by Instance ID, as they are listed, so that a
/// recompute can take the first few of a crowd that entered together (or at no known
/// time) and leave the rest unread.
fn oldest_first_order(instances: &[InstanceFacts], a: &InState, b: &InState) -> Ordering {
    (a.since.is_none(), a.since)
        .cmp(&(b.since.is_none(), b.since))
        .then_with(|| {
            instances[a.instance]
                .instance_id
                .cmp(&instances[b.instance].instance_id)
        })
        .then_with(|| a.instance.cmp(&b.instance))
}

/// Each workflow's position by the references an instance's link can hold: its page id,
/// or its Workflow ID (old text links).
fn workflows_by_ref(workflows: &[WorkflowFacts]) -> HashMap<&str, usize> {
    let mut by_ref: HashMap<&str, usize> = HashMap::new();
    for (i, w) in workflows.iter().enumerate() {
        by_ref.insert(w.workflow_id.as_str(), i);
        if let Some(page) = &w.page_id {
            by_ref.insert(page.as_str(), i);
        }
    }
    by_ref
}

/// A funnel in the making: the workflow's states, and the counts by state.
struct Building<'a> {
    facts: Option<&'a WorkflowFacts>,
    states: Vec<StateCount>,
}

impl<'a> Building<'a> {
    fn of_workflow(facts: Option<&'a WorkflowFacts>) -> Self {
        let states = facts.map_or_else(Vec::new, |w| {
            w.states
                .iter()
                .map(|(state, terminal)| StateCount {
                    state: state.clone(),
                    count: 0,
                    terminal: *terminal,
                    known: true,
                })
                .collect()
        });
        Building { facts, states }
    }

    /// Counts an instance in `state` (one the workflow does not define is added, not
    /// terminal), and says whether the state is terminal.
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

/// The funnels as shown: every workflow that is not a Draft, and any instances are in;
/// terminal states apart; the biggest backlog first.
fn finish_funnels(funnels: Vec<Building>) -> Vec<Funnel> {
    let mut funnels: Vec<Funnel> = funnels
        .into_iter()
        .filter(|b| {
            b.facts.is_none_or(|f| f.status.as_deref() != Some("Draft"))
                || b.states.iter().any(|s| s.count > 0)
        })
        .map(|mut b| {
            // Terminal states after the others, each group in workflow order.
            b.states.sort_by_key(|s| s.terminal);
            let count = |terminal: bool| -> usize {
                b.states
                    .iter()
                    .filter(|s| s.terminal == terminal)
                    .map(|s| s.count)
                    .sum()
            };
            let (open, ended) = (count(false), count(true));
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
    funnels.sort_by(|a, b| {
        b.open
            .cmp(&a.open)
            .then_with(|| a.workflow_id.cmp(&b.workflow_id))
    });
    funnels
}

/// The `RECENT_ENTRIES` newest history entries across instances, found in one pass over
/// them: a min-heap of at most that many (time, instance, entry), which an entry gets in
/// when it is newer than the oldest kept.
#[derive(Default)]
struct NewestEntries {
    kept: BinaryHeap<Reverse<(DateTime<Utc>, usize, usize)>>,
}

impl NewestEntries {
    fn offer(&mut self, instance: usize, history: &[Moment]) {
        for (j, moment) in history.iter().enumerate().rev() {
            let newer_than_kept = self.kept.len() < RECENT_ENTRIES
                || self
                    .kept
                    .peek()
                    .is_some_and(|Reverse(oldest)| moment.at > oldest.0);
            if !newer_than_kept {
                // The history is in time order: the rest are older still.
                break;
            }
            if self.kept.len() == RECENT_ENTRIES {
                self.kept.pop();
            }
            self.kept.push(Reverse((moment.at, instance, j)));
        }
    }

    /// Newest first (equal times by Instance ID).
    fn into_entries(self, instances: &[InstanceFacts]) -> Vec<RecentEntry> {
        let mut recent: Vec<RecentEntry> = self
            .kept
            .into_sorted_vec()
            .into_iter()
            .map(|Reverse((_, i, j))| {
                let instance = &instances[i];
                let moment = &instance.history[j];
                RecentEntry {
                    at: moment.at,
                    actor: moment.actor.to_string(),
                    instance_id: instance.instance_id.clone(),
                    page_id: instance.page_id.clone(),
                    action: moment.action.to_string(),
                    kind: moment.kind.name(),
                }
            })
            .collect();
        // `into_sorted_vec` of `Reverse` is newest first already; keep ties stable by name.
        recent.sort_by(|a, b| {
            b.at.cmp(&a.at)
                .then_with(|| a.instance_id.cmp(&b.instance_id))
        });
        recent
    }
}

/// The open tasks in the order the task lists show them: by priority, then due date, then
/// Task ID (equal ones in the order they were read).
fn open_tasks(tasks: &[TaskFacts]) -> Vec<OpenTask> {
    let mut open: Vec<OpenTask> = tasks
        .iter()
        .enumerate()
        .filter(|(_, task)| task.is_open())
        .map(|(t, task)| OpenTask {
            task: t,
            due: task.due,
            unassigned_high: task.priority.as_deref() == Some("High") && task.assignee.is_empty(),
        })
        .collect();
    open.sort_by(|a, b| {
        let (a, b) = (&tasks[a.task], &tasks[b.task]);
        priority_rank(a.priority.as_deref())
            .cmp(&priority_rank(b.priority.as_deref()))
            .then_with(|| a.due.cmp(&b.due))
            .then_with(|| a.task_id.cmp(&b.task_id))
    });
    open
}

fn priority_rank(priority: Option<&str>) -> u8 {
    match priority {
        Some("High") => 0,
        Some("Medium") => 1,
        Some("Low") => 2,
        _ => 3,
    }
}
