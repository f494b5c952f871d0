//! Moving a workflow instance to its next state.

use chrono::{DateTime, SecondsFormat, Utc};

use super::error::OperationError;
use super::find::{find_page, workflow_of};
use super::history_write::{Checks, write_with_history};
use super::{Operator, SendGuard};
use crate::domain::history::{HistoryEntry, HistoryLog};
use crate::domain::models::WorkflowInstance;
use crate::domain::record::Record;
use crate::domain::schema::DatabaseKey;
use crate::domain::workflow::StateMachine;
use crate::notion::{DateValue, NotionClient, Page};
use crate::workspace::sources::DataSources;

/// What the operator asked for.
#[derive(Debug, Clone, Default)]
pub struct Advance {
    /// `INST-…` or the page id.
    pub instance: String,
    pub to: String,
    pub note: Option<String>,
    /// The state the operator saw; the move is refused if the instance has left it since.
    /// `None`: the state read now.
    pub expected_from: Option<String>,
    /// This advance was sent before and its answer lost (or the sender died): if its entry
    /// is in the history, or the instance shows its move (in the target state, its Last
    /// Transition Date, a later move out of the target state), it landed.
    pub may_have_landed: bool,
    /// Asked right before the write.
    pub guard: SendGuard,
}

/// What happened.
#[derive(Debug, Clone)]
pub struct Advanced {
    pub instance_id: String,
    pub page_id: String,
    pub from: String,
    pub to: String,
    /// The target state is terminal, so the instance is now Completed.
    pub completed: bool,
    pub entry: HistoryEntry,
    /// The instance page as Notion now has it.
    pub page: Page,
    /// It had landed before (an earlier attempt whose answer was lost): nothing was sent
    /// now.
    pub already_applied: bool,
    /// It landed, then another writer overwrote it with its own move and dropped its
    /// entry, which was not put back (the history would contradict the state).
    pub overwritten: bool,
}

impl Advanced {
    /// For an advance that had landed already: where the instance is now, if another
    /// writer moved it on since (` (moved by NAME)` when its history says who).
    pub fn moved_on(&self) -> Option<String> {
        let now = WorkflowInstance::from_page(&self.page);
        (now.current_state != self.to).then(|| {
            let by = HistoryLog::decode(&now.history_log)
                .last_state_change()
                .and_then(|t| t.actor().map(|a| format!(" by {a}")))
                .unwrap_or_default();
            format!("\"{}\"{by}", now.current_state)
        })
    }
}

/// An instance, its workflow's state machine, and the states it may move to now.
pub async fn legal_moves(
    client: &NotionClient,
    sources: &DataSources,
    instance: &str,
) -> Result<(WorkflowInstance, StateMachine, Vec<String>), OperationError> {
    let page = find_page(
        client,
        sources,
        DatabaseKey::ActiveWorkflowInstances,
        instance,
    )
    .await?;
    let instance = WorkflowInstance::from_page(&page);
    let machine = StateMachine::from_workflow(&workflow_of(client, sources, &instance).await?)?;
    let moves = machine
        .next_states(&instance.current_state)
        .into_iter()
        .map(str::to_string)
        .collect();
    Ok((instance, machine, moves))
}

/// Whether `instance` shows a move to `to` made at `at` (ours, whose entry a blind writer
/// dropped): it is in `to`, or its Last Transition Date is `at`, or its log moves out of
/// `to` after `at` (a transition, or a revert of ours).
pub(super) fn shows_move(instance: &WorkflowInstance, to: &str, at: DateTime<Utc>) -> bool {
    let stamped = instance
        .last_transition_date
        .as_ref()
        .and_then(|d| DateTime::parse_from_rfc3339(&d.start).ok())
        .is_some_and(|d| d.timestamp_millis() == at.timestamp_millis());
    let moved_on_from = HistoryLog::decode(&instance.history_log)
        .history_entries()
        .any(|e| e.timestamp() > at && e.state_change().is_some_and(|(left, _)| left == to));
    instance.current_state == to || stamped || moved_on_from
}

/// Moves an instance: a legal move only, refused with a conflict if the instance left the
/// state the operator saw; Current State, Last Transition Date, Status (Completed on a
/// terminal state) and the history entry go in one page update.
pub async fn advance(
    client: &NotionClient,
    sources: &DataSources,
    operator: &Operator,
    request: &Advance,
    now: DateTime<Utc>,
) -> Result<Advanced, OperationError> {
    let (instance, machine, _) = legal_moves(client, sources, &request.instance).await?;
    let from = request
        .expected_from
        .clone()
        .unwrap_or_else(|| instance.current_state.clone());
    machine.check_move(&from, &request.to)?;
    let completed = machine.is_terminal(&request.to);
    let page_id = instance.page_id.clone().unwrap_or_default();
    let label = instance.instance_id.clone();

    let mut changes = Record::new(DatabaseKey::ActiveWorkflowInstances);
    changes.set("Current State", request.to.clone());
    changes.set(
        "Last Transition Date",
        Some(DateValue {
            start: now.to_rfc3339_opts(SecondsFormat::Millis, true),
            end: None,
            time_zone: None,
        }),
    );
    if completed {
        changes.set("Status", Some("Completed".to_string()));
    }
    let entry = HistoryEntry::transition(
        operator.name(),
        &from,
        &request.to,
        request.note.as_deref(),
        now,
    );
    let still_valid = |fresh: &WorkflowInstance| {
        if fresh.current_state == from {
            return Ok(());
        }
        let log = HistoryLog::decode(&fresh.history_log);
        let by = log
            .last_state_change()
            .and_then(|t| t.actor())
            .map(|actor| format!(" (moved by {actor})"))
            .unwrap_or_default();
        Err(OperationError::Conflict {
            instance: label.clone(),
            expected: from.clone(),
            found: fresh.current_state.clone(),
            by,
        })
    };
    let written = write_with_history(
        client,
        &page_id,
        &label,
        changes,
        &entry,
        Checks {
            still_valid,
            landed_before: |fresh: &WorkflowInstance| shows_move(fresh, &request.to, now),
            may_have_landed: request.may_have_landed,
            guard: request.guard.clone(),
        },
    )
    .await?;
    Ok(Advanced {
        instance_id: label,
        page_id,
        from,
        to: request.to.clone(),
        completed,
        entry,
        page: written.page,
        already_applied: written.already,
        overwritten: written.overwritten,
    })
}
