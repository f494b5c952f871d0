//! A workflow's detail as a map of its states: each state in order with how many
//! instances are in it now (the Overview's funnel counts), whether it starts or ends a
//! run, and its legal moves; `enter` on a state opens the Instances tab filtered to the
//! workflow and that state, as the Overview's funnel does.

use super::app::App;
use super::data::Detail;
use super::overview::{Target, follow};
use crate::domain::overview::Overview;

/// One line of a workflow's map.
#[derive(Debug, Clone, PartialEq)]
pub struct StateRow {
    pub name: String,
    /// Instances in the state now; `None` until the Overview's counts are read.
    pub count: Option<usize>,
    pub initial: bool,
    pub terminal: bool,
    /// False for a state instances are in that the workflow does not define.
    pub known: bool,
    pub moves: Vec<String>,
}

/// The states of a workflow's detail (none for any other record), then the states its
/// instances are in that it does not define.
pub fn state_rows(detail: &Detail, overview: Option<&Overview>) -> Vec<StateRow> {
    let Some(Ok(machine)) = &detail.machine else {
        return Vec::new();
    };
    let funnel = overview.and_then(|o| {
        o.funnels.iter().find(|f| {
            f.page_id.as_deref() == Some(detail.page_id.as_str())
                || f.workflow_id == machine.workflow_id()
        })
    });
    // With the Overview read, a state no instance is in counts 0.
    let count = |state: &str| {
        overview.map(|_| {
            funnel
                .and_then(|f| f.states.iter().find(|s| s.state == state))
                .map_or(0, |s| s.count)
        })
    };
    let mut rows: Vec<StateRow> = machine
        .steps()
        .into_iter()
        .map(|step| StateRow {
            name: step.name.to_string(),
            count: count(step.name),
            initial: step.initial,
            terminal: step.terminal,
            known: true,
            moves: step.moves.iter().map(|m| m.to_string()).collect(),
        })
        .collect();
    for unknown in funnel
        .into_iter()
        .flat_map(|f| &f.states)
        .filter(|s| !s.known && s.count > 0)
    {
        rows.push(StateRow {
            name: unknown.state.clone(),
            count: Some(unknown.count),
            initial: false,
            terminal: false,
            known: false,
            moves: Vec::new(),
        });
    }
    rows
}

/// The open workflow's states, as drawn.
pub fn open_rows(app: &App) -> Vec<StateRow> {
    app.detail()
        .and_then(|v| v.detail.as_ref())
        .map(|d| state_rows(d, app.overview.data.as_ref()))
        .unwrap_or_default()
}

/// `enter` on a workflow's state: the Instances tab, filtered to the workflow and state.
pub fn open_state(app: &mut App, row: &StateRow) {
    let Some(detail) = app.detail().and_then(|v| v.detail.clone()) else {
        return;
    };
    let Some(Ok(machine)) = &detail.machine else {
        return;
    };
    let target = Target::Instances {
        workflow_id: machine.workflow_id().to_string(),
        workflow_page: Some(detail.page_id.clone()),
        state: row.name.clone(),
    };
    // Switching to the Instances tab closes the detail.
    follow(app, target);
}
