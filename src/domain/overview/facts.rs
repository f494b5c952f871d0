//! What the overview is computed from: the records reduced to the facts it reads, parsed
//! once at load (history logs included), never per recompute.

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};

use super::SourceFreshness;
use crate::domain::history::{EntryKind, HistoryLog, parse_timestamp};
use crate::domain::models::{Task, Workflow, WorkflowInstance};
use crate::domain::record::Link;
use crate::domain::timeline::start_time;
use crate::domain::workflow::StateMachine;

/// Everything the overview is computed from; [`super::OverviewIndex::new`] arranges it
/// for recomputing.
#[derive(Debug, Clone, Default)]
pub struct OverviewInput {
    pub workflows: Vec<WorkflowFacts>,
    pub instances: Vec<InstanceFacts>,
    pub tasks: Vec<TaskFacts>,
    pub freshness: Vec<SourceFreshness>,
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
    /// Shared texts: the same few actors and actions recur across thousands of entries, and
    /// a loader may keep one copy of each (see `store::overview`).
    pub actor: Arc<str>,
    pub action: Arc<str>,
    /// A transition, a correction, a task's creation or edit, another event.
    pub kind: EntryKind,
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
    /// In time order, oldest first (stable for equal times).
    pub history: Vec<Moment>,
}

impl InstanceFacts {
    /// Parses the history log.
    pub fn from_instance(instance: &WorkflowInstance) -> InstanceFacts {
        let mut history: Vec<Moment> = HistoryLog::decode(&instance.history_log)
            .history_entries()
            .map(|e| Moment {
                at: e.timestamp(),
                actor: e.actor().unwrap_or("").into(),
                action: e.summary().into(),
                kind: e.kind(),
            })
            .collect();
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
            .or_else(|| created_time.and_then(parse_timestamp));
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

    pub fn is_open(&self) -> bool {
        crate::domain::view::is_open(self.status.as_deref())
    }
}
