//! Writing to an instance together with History Log entries, without losing anyone's
//! entries.
//!
//! Notion has no compare-and-swap, and the original agents rewrite the whole log blindly.
//! So every write re-reads the instance, checks it is still as the operator saw it, merges
//! the new entry into the log as it is now, writes, and reads back: if its entry or any
//! entry it had seen is gone (a concurrent writer), it goes round again. Putting back
//! entries a blind writer dropped later (`restore_history`) takes the same path.

use super::error::OperationError;
use crate::domain::history::{HistoryEntry, HistoryLog, LogEntry};
use crate::domain::models::WorkflowInstance;
use crate::domain::record::Record;
use crate::domain::schema::DatabaseKey;
use crate::notion::{NotionClient, Page};

const HISTORY_COLUMN: &str = "History Log";
const ATTEMPTS: usize = 3;

/// Where entries the log lacks go.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Placement {
    /// At the end: a new entry.
    Append,
    /// In their place in time, and without any write when the log already holds them all:
    /// entries put back.
    Restore,
}

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
    changes: Record,
    entry: &HistoryEntry,
    still_valid: impl Fn(&WorkflowInstance) -> Result<(), OperationError>,
    still_ours: impl Fn(&WorkflowInstance) -> bool,
) -> Result<Page, OperationError> {
    write_entries(
        client,
        page_id,
        label,
        changes,
        std::slice::from_ref(entry),
        Placement::Append,
        still_valid,
        still_ours,
    )
    .await
    .map(|(page, _)| page)
}

/// What `restore_history` did.
#[derive(Debug, Clone)]
pub struct Restored {
    /// The instance page as Notion now has it.
    pub page: Page,
    /// The entries that were missing when it re-read the page, and are back now. Empty:
    /// they were all there (someone put them back first), and nothing was written.
    pub restored: Vec<HistoryEntry>,
}

/// Puts `entries` (hsn's own, which a blind writer dropped) back into the instance's
/// History Log: re-reads the page, merges in by identity those the log lacks, each in its
/// place in time, writes, and reads back (again if a concurrent writer dropped them or any
/// entry it had seen). Nobody's entry is removed, none is added twice, and when every one
/// is already there nothing is written.
pub async fn restore_history(
    client: &NotionClient,
    page_id: &str,
    label: &str,
    entries: &[HistoryEntry],
) -> Result<Restored, OperationError> {
    let (page, restored) = write_entries(
        client,
        page_id,
        label,
        Record::new(DatabaseKey::ActiveWorkflowInstances),
        entries,
        Placement::Restore,
        |_| Ok(()),
        |_| true,
    )
    .await?;
    Ok(Restored { page, restored })
}

/// The loop both share. Returns the page as read back, and the entries that were missing
/// at the first read.
#[allow(clippy::too_many_arguments)]
async fn write_entries(
    client: &NotionClient,
    page_id: &str,
    label: &str,
    mut changes: Record,
    entries: &[HistoryEntry],
    placement: Placement,
    still_valid: impl Fn(&WorkflowInstance) -> Result<(), OperationError>,
    still_ours: impl Fn(&WorkflowInstance) -> bool,
) -> Result<(Page, Vec<HistoryEntry>), OperationError> {
    let subject = format!("instance {label}");
    // Once our update has landed, its other changes are in Notion: a later round only puts
    // the history back (checking `still_valid` then would refuse our own move as a conflict).
    let mut landed = false;
    let mut missing_at_first: Option<Vec<HistoryEntry>> = None;
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
        // Those the log lacks, each once.
        let mut missing: Vec<HistoryEntry> = Vec::new();
        for entry in entries {
            if !log.contains(entry) && !missing.iter().any(|m| m.same_as(entry)) {
                missing.push(entry.clone());
            }
        }
        let first = missing_at_first.get_or_insert_with(|| missing.clone());
        if !missing.is_empty() {
            // Only while our entry is not in yet: once it is, the state is ours.
            if !landed || !still_ours(&instance) {
                still_valid(&instance)?;
            }
            match placement {
                Placement::Append => missing.into_iter().for_each(|e| log.push(e)),
                Placement::Restore => {
                    log.restore(&missing);
                }
            }
        } else if placement == Placement::Restore && changes.values.is_empty() {
            return Ok((fresh, first.clone()));
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
        if entries.iter().all(|e| back.contains(e)) && kept_all {
            return Ok((written, missing_at_first.unwrap_or_default()));
        }
        tracing::warn!(
            instance = label,
            "history changed while writing; merging again"
        );
    }
    Err(OperationError::Unsettled(label.to_string()))
}
