//! Alerts: news a sync brings that the operator must not miss. An instance entered Error,
//! an instance became stuck, a task was assigned to the operator, a task of theirs became
//! overdue. Each is a page joining one of the sets of [`AlertFacts`] between two
//! computations; pages the operator's own writes touched meanwhile never alert.
//!
//! Pure: the facts are computed from the Overview's index (read by the store), the clock
//! and the operator.

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};

use super::overview::{OverviewIndex, StuckRule};
use super::view::{is_assigned_to, is_open};

/// What an alert is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AlertKind {
    /// An instance entered Error.
    Error,
    /// An instance became stuck (the Overview's rule).
    Stuck,
    /// A task was assigned to the operator.
    Assigned,
    /// A task of the operator's became overdue.
    Overdue,
}

impl AlertKind {
    pub const ALL: [AlertKind; 4] = [
        AlertKind::Error,
        AlertKind::Stuck,
        AlertKind::Assigned,
        AlertKind::Overdue,
    ];

    /// Whether its page is an instance (else a task).
    pub fn is_instance(self) -> bool {
        matches!(self, AlertKind::Error | AlertKind::Stuck)
    }
}

impl fmt::Display for AlertKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AlertKind::Error => "error",
            AlertKind::Stuck => "stuck",
            AlertKind::Assigned => "assigned",
            AlertKind::Overdue => "overdue",
        })
    }
}

impl FromStr for AlertKind {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        AlertKind::ALL
            .into_iter()
            .find(|k| k.to_string().eq_ignore_ascii_case(text.trim()))
            .ok_or_else(|| {
                format!("\"{text}\" is not an alert: use error, stuck, assigned or overdue")
            })
    }
}

/// The kinds of alert the operator wants (`[alerts] events`); all by default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertKinds(pub HashSet<AlertKind>);

impl Default for AlertKinds {
    fn default() -> Self {
        AlertKinds(AlertKind::ALL.into_iter().collect())
    }
}

impl AlertKinds {
    pub fn parse<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<AlertKinds, String> {
        names
            .into_iter()
            .filter(|n| !n.trim().is_empty())
            .map(str::parse)
            .collect::<Result<_, _>>()
            .map(AlertKinds)
    }

    pub fn contains(&self, kind: AlertKind) -> bool {
        self.0.contains(&kind)
    }
}

/// One piece of news.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    pub kind: AlertKind,
    pub page_id: String,
    /// "INST-0042 (WF-CONSULT) entered Error: timeout", "TASK-0007 assigned to you".
    pub text: String,
}

/// The pages in each alerting condition at one moment, by page id, each with the text its
/// alert says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AlertFacts {
    pub in_error: BTreeMap<String, String>,
    pub stuck: BTreeMap<String, String>,
    pub mine: BTreeMap<String, String>,
    pub my_overdue: BTreeMap<String, String>,
}

impl AlertFacts {
    /// The facts at `now`: instances in Error and stuck (by `rule`), open tasks assigned
    /// to `operator`, and those of them due before today.
    pub fn of(
        index: &OverviewIndex,
        rule: &StuckRule,
        operator: &str,
        now: DateTime<Utc>,
    ) -> AlertFacts {
        let mut facts = AlertFacts::default();
        let name = |id: &str, workflow: Option<&str>| match workflow {
            Some(workflow) => format!("{id} ({workflow})"),
            None => id.to_string(),
        };
        for instance in index.error_instances() {
            let mut text = format!(
                "{} entered Error",
                name(&instance.instance_id, index.workflow_label(instance))
            );
            if !instance.error_message.trim().is_empty() {
                let message = instance.error_message.trim();
                // The line and a desktop notification show it: a credential masked.
                let message = crate::domain::secrets::shown(message, "Error Message")
                    .map_or_else(|| message.to_string(), |(masked, _)| masked);
                text.push_str(&format!(": {message}"));
            }
            facts.in_error.insert(instance.page_id.clone(), text);
        }
        for instance in index.stuck_instances(rule, now) {
            let days = instance.entered.map_or(0, |t| (now - t).num_days());
            facts.stuck.insert(
                instance.page_id.clone(),
                format!(
                    "{} stuck in {} for {days}d",
                    name(&instance.instance_id, index.workflow_label(instance)),
                    instance.state
                ),
            );
        }
        let today = now.date_naive();
        for task in index.tasks() {
            if !is_open(task.status.as_deref()) || !is_assigned_to(&task.assignee, operator) {
                continue;
            }
            facts.mine.insert(
                task.page_id.clone(),
                format!("{} assigned to you", task.task_id),
            );
            if let Some(due) = task.due.filter(|due| *due < today) {
                facts.my_overdue.insert(
                    task.page_id.clone(),
                    format!("{} is overdue (due {due})", task.task_id),
                );
            }
        }
        facts
    }

    fn of_kind(&self, kind: AlertKind) -> &BTreeMap<String, String> {
        match kind {
            AlertKind::Error => &self.in_error,
            AlertKind::Stuck => &self.stuck,
            AlertKind::Assigned => &self.mine,
            AlertKind::Overdue => &self.my_overdue,
        }
    }
}

/// The alerts between two computations: pages that joined a set of an enabled kind, but
/// not those in `own` (pages the operator's own writes touched meanwhile). In the order of
/// [`AlertKind::ALL`], then by page id.
pub fn alerts(
    before: &AlertFacts,
    after: &AlertFacts,
    own: &HashSet<String>,
    enabled: &AlertKinds,
) -> Vec<Alert> {
    let mut news = Vec::new();
    for kind in AlertKind::ALL.into_iter().filter(|k| enabled.contains(*k)) {
        let was = before.of_kind(kind);
        for (page_id, text) in after.of_kind(kind) {
            if !was.contains_key(page_id) && !own.contains(page_id) {
                news.push(Alert {
                    kind,
                    page_id: page_id.clone(),
                    text: text.clone(),
                });
            }
        }
    }
    news
}

/// Successive computations of the facts: the first is a baseline (nothing alerts), each
/// next one says what joined since the one before.
#[derive(Debug, Clone, Default)]
pub struct AlertWatch {
    last: Option<AlertFacts>,
}

impl AlertWatch {
    /// Takes the facts now; the alerts since the last call (none the first time).
    pub fn next(
        &mut self,
        now: AlertFacts,
        own: &HashSet<String>,
        enabled: &AlertKinds,
    ) -> Vec<Alert> {
        let news = match &self.last {
            Some(before) => alerts(before, &now, own, enabled),
            None => Vec::new(),
        };
        self.last = Some(now);
        news
    }
}

#[cfg(test)]
mod tests;
