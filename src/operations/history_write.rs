//! Writing to an instance together with History Log entries, without losing anyone's
//! entries and without ever sending a change twice.
//!
//! Notion has no compare-and-swap, and the original agents rewrite the whole log blindly.
//! So every write re-reads the instance, checks it is still as the operator saw it, merges
//! the new entry into the log as it is now, writes, and reads back: if its entry or any
//! entry it had seen is gone (a concurrent writer), it goes round again. Putting back
//! entries a blind writer dropped later (`restore_history`) takes the same path.
//!
//! Our entry in the log is the proof that our write landed: a write sent before whose
//! answer was lost finds its entry and sends nothing more (never its other changes over a
//! state that moved on since). The read and the write go back to back, paid for at the
//! rate gate together and never retried after a wait, so the window in which a blind
//! writer's change can be overwritten is one round trip.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use super::SendGuard;
use super::error::OperationError;
use crate::domain::history::{HistoryEntry, HistoryLog, LogEntry};
use crate::domain::models::WorkflowInstance;
use crate::domain::record::Record;
use crate::domain::schema::DatabaseKey;
use crate::notion::{NotionClient, NotionError, Page};

const HISTORY_COLUMN: &str = "History Log";
/// Rounds of read, merge, write, read back before giving up (another writer every time).
const ATTEMPTS: usize = 4;

/// The longest time, in microseconds, between sending a read of a History Log and the
/// answer to the write made from it, over this process.
static LONGEST_GAP_MICROS: AtomicU64 = AtomicU64::new(0);

/// The longest read→write window any history write of this process had: a blind writer's
/// change that lands inside it can be overwritten (Notion has no compare-and-swap).
pub fn longest_read_write_gap() -> Duration {
    Duration::from_micros(LONGEST_GAP_MICROS.load(Ordering::Relaxed))
}

fn note_gap(gap: Duration) {
    LONGEST_GAP_MICROS.fetch_max(gap.as_micros() as u64, Ordering::Relaxed);
}

/// Where entries the log lacks go.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Placement {
    /// At the end: a new entry.
    Append,
    /// In their place in time, and without any write when the log already holds them all:
    /// entries put back.
    Restore,
}

/// What a history write did.
#[derive(Debug, Clone)]
pub(crate) struct HistoryWritten {
    /// The instance page as Notion now has it.
    pub page: Page,
    /// The entries that were missing at the first read.
    pub missing_at_first: Vec<HistoryEntry>,
    /// The entry was there already at the first read: an earlier attempt landed (its
    /// answer was lost), and nothing was sent now.
    pub already: bool,
    /// Our update landed, then a blind writer overwrote it with its own move (stamped
    /// earlier) and dropped our entry: the entry was not put back (it would contradict the
    /// state).
    pub overwritten: bool,
}

/// What the instance is checked against on each read.
pub(crate) struct Checks<V, O> {
    /// Checked on every fresh read until our update has landed (it refuses, for example,
    /// an advance from a state the instance has left). Never after: a write that landed is
    /// not refused; its entry is put back if a concurrent writer dropped it.
    pub still_valid: V,
    /// Whether a fresh read shows our update landed although our entry is missing (the
    /// state we set, or what followed it): asked only when `may_have_landed`.
    pub landed_before: O,
    /// An earlier attempt may have landed (its answer was lost, or the process died while
    /// sending).
    pub may_have_landed: bool,
    /// Asked right before the write.
    pub guard: SendGuard,
}

/// Sets `changes` on the instance page and appends `entry` to its history, in one page
/// update (see the module's notes).
pub(crate) async fn write_with_history(
    client: &NotionClient,
    page_id: &str,
    label: &str,
    changes: Record,
    entry: &HistoryEntry,
    checks: Checks<
        impl Fn(&WorkflowInstance) -> Result<(), OperationError>,
        impl Fn(&WorkflowInstance) -> bool,
    >,
) -> Result<HistoryWritten, OperationError> {
    write_entries(
        client,
        page_id,
        label,
        changes,
        std::slice::from_ref(entry),
        Placement::Append,
        checks,
    )
    .await
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
    guard: &SendGuard,
) -> Result<Restored, OperationError> {
    let written = write_entries(
        client,
        page_id,
        label,
        Record::new(DatabaseKey::ActiveWorkflowInstances),
        entries,
        Placement::Restore,
        Checks {
            still_valid: |_: &WorkflowInstance| Ok(()),
            landed_before: |_: &WorkflowInstance| false,
            may_have_landed: false,
            guard: guard.clone(),
        },
    )
    .await?;
    Ok(Restored {
        page: written.page,
        restored: written.missing_at_first,
    })
}

/// An error met once our update has landed is never a refusal: it is what is left to do.
fn partly(error: OperationError, landed: bool) -> OperationError {
    if !landed || matches!(error, OperationError::Partial { .. }) {
        return error;
    }
    OperationError::Partial {
        done: "the change is in Notion".to_string(),
        source: Box::new(error),
    }
}

/// Whether a failed page update is worth another round at once (read again, merge,
/// write): Notion saved nothing and says to try again.
fn another_round(error: &NotionError) -> bool {
    error.is_rate_limit() || error.is_conflict()
}

/// The loop both share.
async fn write_entries(
    client: &NotionClient,
    page_id: &str,
    label: &str,
    mut changes: Record,
    entries: &[HistoryEntry],
    placement: Placement,
    checks: Checks<
        impl Fn(&WorkflowInstance) -> Result<(), OperationError>,
        impl Fn(&WorkflowInstance) -> bool,
    >,
) -> Result<HistoryWritten, OperationError> {
    let subject = format!("instance {label}");
    // Once our update has landed, its other changes are in Notion: a later round only puts
    // the history back, and is never refused (it landed).
    let mut landed = false;
    // It had landed before this call (an earlier attempt whose answer was lost).
    let mut landed_earlier = false;
    let mut missing_at_first: Option<Vec<HistoryEntry>> = None;
    let mut last_error = None;
    for _ in 0..ATTEMPTS {
        // The read and the write it leads to, paid for together: no wait between them.
        let budget = client.reserve(2).await;
        // Still ours to send? Asked after any wait for the budget, and before the read: the
        // answer may wait on the store's lock, which must not widen the read→write window.
        checks.guard.check()?;
        let read_at = std::time::Instant::now();
        let mut fresh = client
            .retrieve_page_within(&budget, page_id)
            .await
            .map_err(OperationError::notion(&subject))
            .map_err(|e| partly(e, landed))?;
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
        if missing.is_empty() {
            // Every entry is there: for a restoration, someone put them back; for a new
            // entry, an earlier attempt of ours landed (its answer was lost), or this one
            // did. Nothing more to send: above all not our other changes again.
            complete(client, &mut fresh, &subject, landed).await?;
            return Ok(HistoryWritten {
                page: fresh,
                missing_at_first: first.clone(),
                already: landed_earlier || (!landed && placement == Placement::Append),
                overwritten: false,
            });
        }
        if !landed && checks.may_have_landed && (checks.landed_before)(&instance) {
            // Our update landed before (its answer was lost) and a blind writer dropped our
            // entry since: put the entry back, send nothing else.
            landed = true;
            landed_earlier = true;
        }
        if landed || placement == Placement::Restore {
            // A move of ours that a blind writer overwrote with its own (stamped earlier):
            // put back, it would be the newest transition while the state is theirs.
            let before = missing.len();
            (missing, _) = seen.restorable(&missing, &instance.current_state);
            if missing.is_empty() {
                complete(client, &mut fresh, &subject, landed).await?;
                return Ok(HistoryWritten {
                    page: fresh,
                    missing_at_first: Vec::new(),
                    already: landed_earlier,
                    overwritten: landed && before > 0,
                });
            }
        }
        if landed {
            changes = Record::new(changes.database);
        } else {
            (checks.still_valid)(&instance)?;
        }
        match placement {
            Placement::Append => missing.into_iter().for_each(|e| log.push(e)),
            Placement::Restore => {
                log.restore(&missing);
            }
        }
        changes.set(HISTORY_COLUMN, log.encode_text());
        let properties = changes
            .to_properties()
            .map_err(|e| partly(e.into(), landed))?;
        let sent = client.update_page_once(&budget, page_id, properties).await;
        note_gap(read_at.elapsed());
        match sent {
            Ok(_) => {}
            // Saved although the answer says otherwise: read it back like any landed write.
            Err(e) if e.saved_anyway() => {}
            Err(e) if another_round(&e) => {
                tracing::info!(instance = label, error = %e, "history write not saved; reading again");
                last_error = Some(e);
                continue;
            }
            Err(e) => return Err(partly(OperationError::notion(&subject)(e), landed)),
        }
        landed = true;
        changes = Record::new(changes.database);
        let written = client
            .retrieve_page(page_id)
            .await
            .map_err(OperationError::notion(&subject))
            .map_err(|e| partly(e, true))?;
        let back = HistoryLog::decode(&WorkflowInstance::from_page(&written).history_log);
        let kept_all = seen.entries().iter().all(|e| match e {
            LogEntry::Entry(e) => back.contains(e),
            LogEntry::Raw(_) => true,
        });
        if entries.iter().all(|e| back.contains(e)) && kept_all {
            return Ok(HistoryWritten {
                page: written,
                missing_at_first: missing_at_first.unwrap_or_default(),
                already: landed_earlier,
                overwritten: false,
            });
        }
        tracing::warn!(
            instance = label,
            "history changed while writing; merging again"
        );
    }
    match last_error {
        // Never landed, and Notion kept saying "not now": worth another attempt later.
        Some(e) if !landed => Err(OperationError::notion(&subject)(e)),
        _ => Err(OperationError::Unsettled(label.to_string())),
    }
}

/// Completes the relations of a page read for a history write (left cut at 25 ids so that
/// nothing waited between the read and the write), before it is handed back as Notion's
/// copy.
async fn complete(
    client: &NotionClient,
    page: &mut Page,
    subject: &str,
    landed: bool,
) -> Result<(), OperationError> {
    client
        .complete_relations(page)
        .await
        .map_err(OperationError::notion(subject))
        .map_err(|e| partly(e, landed))
}
