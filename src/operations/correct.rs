//! Corrections of an instance by hand (`Correction`): resolve an error, hold, resume,
//! revert a transition. Sent like an advance: the instance is re-read and checked, the
//! change and its history entry go in one page update, and the entry in the log is the
//! proof that it landed (a retry finds it and sends nothing).

use chrono::{DateTime, Utc};

use super::advance::shows_move;
use super::error::OperationError;
use super::history_write::{Checks, write_with_history};
use super::{Operator, SendGuard};
use crate::domain::history::{HistoryEntry, HistoryLog};
use crate::domain::models::WorkflowInstance;
use crate::domain::write::Correction;
use crate::notion::{NotionClient, Page};

/// A correction to send.
#[derive(Debug, Clone)]
pub struct Correct {
    /// The instance's page id.
    pub instance_page: String,
    /// Its Instance ID, for messages.
    pub instance_id: String,
    pub correction: Correction,
    pub note: Option<String>,
    /// Sent before and its answer lost: if its entry is in the log, or the instance shows
    /// its change, it landed.
    pub may_have_landed: bool,
    /// Asked right before the write.
    pub guard: SendGuard,
}

/// What happened.
#[derive(Debug, Clone)]
pub struct Corrected {
    /// The instance page as Notion now has it.
    pub page: Page,
    pub entry: HistoryEntry,
    /// It had landed before (an earlier attempt whose answer was lost): nothing was sent.
    pub already_applied: bool,
    /// A revert that landed, then another writer moved the instance with its own
    /// (earlier-stamped) entry and dropped ours, which was not put back.
    pub overwritten: bool,
}

/// Whether `fresh` shows `correction` made at `at` although its entry is missing (a blind
/// writer dropped it after it landed).
fn shows_correction(correction: &Correction, fresh: &WorkflowInstance, at: DateTime<Utc>) -> bool {
    match correction {
        Correction::Revert { from, .. } => shows_move(fresh, from, at),
        Correction::Resolve { .. } => {
            fresh.status.as_deref() == Some("Active") && fresh.error_message.trim().is_empty()
        }
        other => fresh.status.as_deref() == other.status_after(),
    }
}

/// Sends a correction, refused (nothing written) when the instance is no longer as it
/// expects: a revert with a conflict naming who moved the instance, the others as stale.
pub async fn correct(
    client: &NotionClient,
    operator: &Operator,
    request: &Correct,
    now: DateTime<Utc>,
) -> Result<Corrected, OperationError> {
    let correction = &request.correction;
    let label = request.instance_id.clone();
    let entry = correction.entry(operator.name(), request.note.as_deref(), now);
    let still_valid = |fresh: &WorkflowInstance| {
        let Some(why) = correction.refusal(fresh) else {
            return Ok(());
        };
        Err(match correction {
            Correction::Revert { to, .. } if fresh.current_state != *to => {
                OperationError::Conflict {
                    instance: label.clone(),
                    expected: to.clone(),
                    found: fresh.current_state.clone(),
                    by: HistoryLog::decode(&fresh.history_log)
                        .last_state_change()
                        .and_then(|e| e.actor())
                        .map(|actor| format!(" (moved by {actor})"))
                        .unwrap_or_default(),
                }
            }
            _ => OperationError::Stale(why),
        })
    };
    let written = write_with_history(
        client,
        &request.instance_page,
        &label,
        correction.changes(now),
        &entry,
        Checks {
            still_valid,
            landed_before: |fresh: &WorkflowInstance| shows_correction(correction, fresh, now),
            may_have_landed: request.may_have_landed,
            guard: request.guard.clone(),
        },
    )
    .await?;
    Ok(Corrected {
        page: written.page,
        entry,
        already_applied: written.already,
        overwritten: written.overwritten,
    })
}
