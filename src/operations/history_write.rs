//! Writing to an instance together with a new History Log entry, without losing anyone's
//! entries.
//!
//! Notion has no compare-and-swap, and the original agents rewrite the whole log blindly.
//! So every write re-reads the instance, checks it is still as the operator saw it, merges
//! the new entry into the log as it is now, writes, and reads back: if its entry or any
//! entry it had seen is gone (a concurrent writer), it goes round again.

use super::error::OperationError;
use crate::domain::history::{HistoryEntry, HistoryLog, LogEntry};
use crate::domain::models::WorkflowInstance;
use crate::domain::record::Record;
use crate::notion::{NotionClient, Page};

const HISTORY_COLUMN: &str = "History Log";
const ATTEMPTS: usize = 3;

/// Sets `changes` on the instance page and appends `entry` to its history, in one page
/// update. `still_valid` is checked on every fresh read until the entry is in the log (it
/// refuses, for example, an advance from a state the instance has left). `still_ours` says
/// whether a fresh read still holds what our update set (the state we moved to): after our
/// update landed and a concurrent writer dropped our entry, only the history is put back if
/// it does; if another writer moved the instance on since, that is a conflict.
pub(crate) async fn write_with_history(
    client: &NotionClient,
    page_id: &str,
    label: &str,
    mut changes: Record,
    entry: &HistoryEntry,
    still_valid: impl Fn(&WorkflowInstance) -> Result<(), OperationError>,
    still_ours: impl Fn(&WorkflowInstance) -> bool,
) -> Result<Page, OperationError> {
    let subject = format!("instance {label}");
    // Once our update has landed, its other changes are in Notion: a later round only puts
    // the history back (checking `still_valid` then would refuse our own move as a conflict).
    let mut landed = false;
    for _ in 0..ATTEMPTS {
        if landed {
            changes = Record::new(changes.database);
        }
        let fresh = client
            .retrieve_page(page_id)
            .await
            .map_err(OperationError::notion(&subject))?;
        let instance = WorkflowInstance::from_page(&fresh);
        let seen = HistoryLog::decode(&instance.history_log);
        let mut log = seen.clone();
        if !log.contains(entry) {
            // Only while our entry is not in yet: once it is, the state is ours.
            if !landed || !still_ours(&instance) {
                still_valid(&instance)?;
            }
            log.push(entry.clone());
        }
        changes.set(HISTORY_COLUMN, log.encode_text());
        let properties = changes.to_properties()?;
        client
            .update_page(page_id, properties)
            .await
            .map_err(OperationError::notion(&subject))?;
        landed = true;
        let written = client
            .retrieve_page(page_id)
            .await
            .map_err(OperationError::notion(&subject))?;
        let back = HistoryLog::decode(&WorkflowInstance::from_page(&written).history_log);
        let kept_all = seen.entries().iter().all(|e| match e {
            LogEntry::Entry(e) => back.contains(e),
            LogEntry::Raw(_) => true,
        });
        if back.contains(entry) && kept_all {
            return Ok(written);
        }
        tracing::warn!(
            instance = label,
            "history changed while writing; merging again"
        );
    }
    Err(OperationError::Unsettled(label.to_string()))
}
