//! Which rows a tab offers to the `/` filter: its quick filters (`domain::view::Quick`,
//! the Overview's workflow and state) and its `:filter COLUMN=VALUE` column filters, over
//! who the operator is and which day it is.

use chrono::{DateTime, Duration, NaiveDate, Utc};

use super::data::{Row, TableData};
use crate::domain::overview::StuckRule;
use crate::domain::schema::DatabaseKey;
use crate::domain::view::{Quick, RowFacts};

/// The quick filters of a tab: each of `only` must admit a row (see [`Quick`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QuickFilter {
    pub only: Vec<Quick>,
    /// From the Overview's funnel: a workflow (its ID and page id) and a state.
    pub workflow: Option<(String, Option<String>)>,
    pub state: Option<String>,
}

impl QuickFilter {
    /// What a tab shows before any key: the Tasks tab hides Done and Cancelled tasks.
    pub fn default_for(key: DatabaseKey) -> QuickFilter {
        QuickFilter {
            only: if key == DatabaseKey::Tasks {
                vec![Quick::Open]
            } else {
                Vec::new()
            },
            ..QuickFilter::default()
        }
    }

    pub fn has(&self, quick: &Quick) -> bool {
        self.only.contains(quick)
    }

    /// Adds `quick`, or takes it away if it is there. A status replaces another status.
    pub fn toggle(&mut self, quick: Quick) {
        if let Some(at) = self.only.iter().position(|q| *q == quick) {
            self.only.remove(at);
            return;
        }
        if matches!(quick, Quick::Status(_)) {
            self.only.retain(|q| !matches!(q, Quick::Status(_)));
        }
        self.only.push(quick);
    }

    pub(super) fn needs_stuck(&self) -> bool {
        self.has(&Quick::Stuck)
    }
}

/// Who the operator is and which day it is where they are: what `mine` and `overdue` go by.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Viewer {
    pub operator: String,
    pub today: Option<NaiveDate>,
}

/// How long `row` may stay in one state before it is stuck, by its workflow's rule.
pub fn stuck_threshold(rule: &StuckRule, data: &TableData, row: &Row) -> Duration {
    let workflow = row
        .workflow
        .as_ref()
        .and_then(|w| data.machines.get(&**w))
        .map(|m| m.workflow_id());
    rule.threshold(workflow)
}

/// Whether an instance row is stuck at `now` (Active, in its state past the threshold).
pub fn is_stuck(rule: &StuckRule, data: &TableData, row: &Row, now: DateTime<Utc>) -> bool {
    row.status.as_deref() == Some("Active")
        && row
            .entered
            .is_some_and(|t| now - t > stuck_threshold(rule, data, row))
}

/// The rows the quick filters and the column filters let through, in the store's order.
pub(super) fn candidates(
    quick: &QuickFilter,
    column_filters: &[(usize, String)],
    rule: &StuckRule,
    viewer: &Viewer,
    data: &TableData,
    now: DateTime<Utc>,
) -> Vec<u32> {
    let column = |label: &str| data.columns.iter().position(|c| c.label == label);
    let (assignee, due) = (column("Assigned To"), column("Due Date"));
    let today = viewer
        .today
        .unwrap_or_else(|| now.with_timezone(&chrono::Local).date_naive());
    let facts = |i: usize, row: &Row| RowFacts {
        status: row.status.as_deref().map(str::to_string),
        assignee: assignee
            .map(|c| data.cell(i, c).to_string())
            .unwrap_or_default(),
        due: due.and_then(|c| {
            let text = data.cell(i, c);
            NaiveDate::parse_from_str(text.get(..10).unwrap_or(text), "%Y-%m-%d").ok()
        }),
        stuck: quick.needs_stuck() && is_stuck(rule, data, row, now),
    };
    (0..data.rows.len() as u32)
        .filter(|&i| {
            let row = &data.rows[i as usize];
            (quick.only.is_empty() || {
                let facts = facts(i as usize, row);
                quick
                    .only
                    .iter()
                    .all(|q| q.admits(&facts, &viewer.operator, today))
            }) && quick.workflow.as_ref().is_none_or(|(id, page)| {
                row.workflow
                    .as_deref()
                    .is_some_and(|w| w == id.as_str() || page.as_deref().is_some_and(|p| p == w))
            }) && quick
                .state
                .as_ref()
                .is_none_or(|s| &*row.current_state == s.as_str())
                && column_filters
                    .iter()
                    .all(|(c, v)| data.cell(i as usize, *c).eq_ignore_ascii_case(v))
        })
        .collect()
}
