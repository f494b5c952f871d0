//! Draining the outbox: each queued write claimed under this engine's lease, sent through
//! `execute`, and settled (done, refused, held, or left for later) in the store.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use color_eyre::eyre::Result;

use super::engine::{Backend, Engine};
use super::execute::{Outcome, execute};
use super::runner::Event;
use crate::domain::history::{HistoryEntry, HistoryLog};
use crate::domain::models::WorkflowInstance;
use crate::domain::record::Record;
use crate::domain::schema::DatabaseKey;
use crate::domain::write::Write;
use crate::notion::{NotionClient, Page};
use crate::operations::{SendGuard, find_page};
use crate::store::own_entries::OwnWrites;
use crate::store::{Holder, LEASE, Landed, Store};
use crate::workspace::sources::DataSources;

/// What one drain of the outbox did.
#[derive(Debug, Clone, Default)]
pub struct DrainReport {
    pub sent: usize,
    /// `(seq, what, Notion's reason)` for each write refused and rolled back.
    pub failed: Vec<(i64, String, String)>,
    /// `(seq, what, why)` for each write held until the operator acts (block limit).
    pub held: Vec<(i64, String, String)>,
    /// `(seq, what, how)` for each write sent that landed other than plainly: "already
    /// applied", or partly.
    pub notes: Vec<(i64, String, String)>,
    /// Writes still queued after the drain (Notion unreachable, rate-limited, held, …).
    pub waiting: usize,
    /// Of those, the ones held or tried again and again.
    pub stuck: usize,
    /// Why the drain stopped before the queue was empty (Notion cannot be reached).
    pub stopped_by: Option<String>,
}

/// How long a write whose request timed out waits before anyone looks for it: Notion may
/// still be applying it.
const UNCERTAIN_WAIT: Duration = Duration::from_secs(2);

/// Writes in a row that could not go (each on its own records) before a drain gives up.
const WAITS_BEFORE_STOPPING: usize = 3;

impl Engine {
    /// Sends the queued writes this process may send until none is left that may go now.
    ///
    /// Each write is claimed under this engine's lease (no other process sends it
    /// meanwhile) and tried once per drain. Order is kept per record: a write waits while
    /// an earlier one on the same record is queued. A write that cannot go now waits (with
    /// its attempts and last error) and the others go on; the drain stops only when Notion
    /// cannot be reached or refuses everything for now. A write Notion refuses is failed
    /// and rolled back; one the operator must unblock is held.
    pub async fn drain(&self) -> Result<DrainReport> {
        let mut report = DrainReport::default();
        if self.readonly {
            // Read-only sends nothing, not even what an earlier run queued.
            return self.report_queue(report);
        }
        let _one_at_a_time = self.draining.lock().await;
        // None of this engine's writes is in flight now: one still `sending` under its lease
        // is left from a drain that ended on an error of the store. Release it (it may have
        // landed: its attempt stays counted), or nobody would ever send it again.
        self.store().release_own_leases(&self.holder)?;
        let mut tried = HashSet::new();
        let mut waits_in_a_row = 0;
        loop {
            let Some(claimed) = self.store().claim_write(&self.holder, &tried)? else {
                break;
            };
            let seq = claimed.entry.seq;
            tried.insert(seq);
            let write: Write = match serde_json::from_value(claimed.entry.body.clone()) {
                Ok(write) => write,
                Err(e) => {
                    let reason = format!("this write cannot be read back from the outbox: {e}");
                    self.store()
                        .reject(seq, &self.holder, &reason, &OwnWrites::default())?;
                    report.failed.push((seq, claimed.entry.op.clone(), reason));
                    continue;
                }
            };
            let Backend::Notion { client, sources } = &self.backend else {
                // Locally the optimistic change is the change.
                self.store()
                    .confirm(seq, &self.holder, &Landed::default())?;
                report.sent += 1;
                self.emit(Event::WriteConfirmed {
                    seq,
                    summary: write.summary(),
                    note: None,
                });
                continue;
            };
            let write = if claimed.may_have_landed {
                write
            } else {
                let stamped = write.stamped(Utc::now());
                let stamped = planned_over_notion(client, sources, stamped).await;
                let body = serde_json::to_value(&stamped)?;
                if !self.store().restamp_write(seq, &self.holder, &body)? {
                    continue;
                }
                stamped
            };
            let guard = self.send_guard(seq);
            match execute(client, sources, &write, claimed.may_have_landed, &guard).await {
                Outcome::TakenOver => {
                    tracing::warn!(seq, "another process took this write over; it sends it");
                }
                Outcome::Done(landed) => {
                    waits_in_a_row = 0;
                    self.landed(seq, &write, landed, &mut report)?;
                }
                Outcome::Refused(reason) => {
                    waits_in_a_row = 0;
                    // A refused restoration counts as one restore: bounded like the others.
                    let own = own_writes(&write, &[], write.restored_entries());
                    if self.store().reject(seq, &self.holder, &reason, &own)? {
                        report.failed.push((seq, write.summary(), reason.clone()));
                        self.emit(Event::WriteFailed {
                            seq,
                            summary: write.summary(),
                            error: reason,
                        });
                    }
                }
                Outcome::Blocked(reason) => {
                    // Kept; Notion saved nothing of this attempt. Nothing more goes this
                    // drain: every request would be refused.
                    if claimed.may_have_landed {
                        self.store().release_for_retry(
                            seq,
                            &self.holder,
                            &reason,
                            Duration::ZERO,
                        )?;
                    } else {
                        self.store().release_unsent(seq, &self.holder, &reason)?;
                    }
                    report.stopped_by = Some(reason.clone());
                    self.emit(Event::Offline { error: reason });
                    break;
                }
                Outcome::Held(reason) => {
                    let reason = format!(
                        "{reason}: `hsn outbox retry {seq}` sends it again, `hsn outbox drop {seq}` gives it up"
                    );
                    self.store().hold_write(seq, &self.holder, &reason)?;
                    report.held.push((seq, write.summary(), reason.clone()));
                    self.emit(Event::WriteHeld {
                        seq,
                        summary: write.summary(),
                        error: reason,
                    });
                }
                Outcome::Later(later) => {
                    if let Some(retry) = &later.retry_as
                        && !self.store().restamp_write(
                            seq,
                            &self.holder,
                            &serde_json::to_value(retry)?,
                        )?
                    {
                        continue;
                    }
                    let wait = if later.uncertain {
                        UNCERTAIN_WAIT
                    } else {
                        Duration::ZERO
                    };
                    self.store()
                        .release_for_retry(seq, &self.holder, &later.reason, wait)?;
                    waits_in_a_row += 1;
                    if later.everywhere || waits_in_a_row >= WAITS_BEFORE_STOPPING {
                        report.stopped_by = Some(later.reason.clone());
                        self.emit(Event::Offline {
                            error: later.reason,
                        });
                        break;
                    }
                }
            }
        }
        self.report_queue(report)
    }

    /// Asks, before each request that changes something in Notion, whether this engine
    /// still holds write `seq` (and extends its lease): a process that stalled past its
    /// lease sends nothing more of a write another process took over.
    fn send_guard(&self, seq: i64) -> SendGuard {
        let store = Arc::downgrade(&self.store);
        let holder = self.holder.clone();
        SendGuard::new(move || {
            let Some(store) = store.upgrade() else {
                return false;
            };
            let mut store = store.lock().unwrap_or_else(|p| p.into_inner());
            store.keep_lease(seq, &holder).unwrap_or(false)
        })
    }

    /// Settles a write Notion has: the records it touched become Notion's copy (with the
    /// writes still queued on them replayed), its history entries are remembered.
    fn landed(
        &self,
        seq: i64,
        write: &Write,
        landed: super::execute::Landed,
        report: &mut DrainReport,
    ) -> Result<()> {
        let own = own_writes(write, &landed.pages, landed.restored);
        let created = match write {
            Write::CreateTask { local_page, .. } => landed
                .pages
                .iter()
                .find(|(key, _)| *key == DatabaseKey::Tasks)
                .map(|(_, page)| (local_page.clone(), page.id.clone())),
            _ => None,
        };
        let pages: Vec<_> = landed
            .pages
            .into_iter()
            .map(|(key, page)| (key, self.data_source(key).unwrap_or_default(), page))
            .collect();
        let settled = self.store().confirm(
            seq,
            &self.holder,
            &Landed {
                pages,
                own,
                outcome: landed.outcome.as_deref(),
                created: created
                    .as_ref()
                    .filter(|(local, real)| local != real)
                    .map(|(local, real)| (local.as_str(), real.as_str())),
                trail: landed.trail,
            },
        )?;
        if !settled {
            return Ok(());
        }
        report.sent += 1;
        if let Some(note) = &landed.outcome {
            report.notes.push((seq, write.summary(), note.clone()));
        }
        self.emit(Event::WriteConfirmed {
            seq,
            summary: write.summary(),
            note: landed.outcome,
        });
        Ok(())
    }

    /// Completes a drain's report with what is still queued, and tells the dashboard.
    fn report_queue(&self, mut report: DrainReport) -> Result<DrainReport> {
        let queued = self.store().unsettled_writes()?;
        report.waiting = queued.len();
        report.stuck = queued.iter().filter(|w| w.is_stuck()).count();
        self.emit(Event::PendingWrites(report.waiting));
        self.emit(Event::StuckWrites(report.stuck));
        Ok(report)
    }
}

/// Renews, from a thread of its own on the wall clock, the leases of the writes `holder`
/// is sending, until the engine is gone. (A tokio timer would move tokio's paused clock in
/// tests while a request waits on the network.)
pub(super) fn keep_leases(store: std::sync::Weak<Mutex<Store>>, holder: Holder) {
    let renew = std::thread::Builder::new()
        .name("hsn-leases".into())
        .spawn(move || {
            loop {
                std::thread::sleep(LEASE / 4);
                let Some(store) = store.upgrade() else {
                    return;
                };
                let mut store = store.lock().unwrap_or_else(|p| p.into_inner());
                if let Err(e) = store.renew_leases(&holder) {
                    tracing::warn!(error = %e, "could not renew the outbox leases");
                }
            }
        });
    if let Err(e) = renew {
        tracing::warn!(error = %e, "cannot start the thread that renews outbox leases");
    }
}

/// An edit about to be sent for the first time, planned over the task as Notion holds it
/// now (`Write::planned_over`), so its entry's values before are Notion's, not a cache's
/// that was behind. A task that cannot be read leaves the edit as planned: its own send
/// meets the same failure and reports it.
async fn planned_over_notion(client: &NotionClient, sources: &DataSources, write: Write) -> Write {
    let Write::EditTask {
        task_page,
        task_id,
        conditional: false,
        ..
    } = &write
    else {
        return write;
    };
    let reference = if task_page.starts_with("local:") {
        task_id
    } else {
        task_page
    };
    match find_page(client, sources, DatabaseKey::Tasks, reference).await {
        Ok(page) => write
            .planned_over(&Record::from_page(DatabaseKey::Tasks, &page))
            .unwrap_or(write),
        Err(_) => write,
    }
}

/// What a settled write means for the entries the store remembers: the entry an advance or
/// a new task added, if the instance as Notion confirmed it holds it; the entries a
/// restoration put back (or, refused, tried to).
fn own_writes(
    write: &Write,
    pages: &[(DatabaseKey, Page)],
    restored: Vec<HistoryEntry>,
) -> OwnWrites {
    let mut own = OwnWrites::default();
    if let Write::RestoreHistory { instance_page, .. } = write {
        own.restored = restored
            .into_iter()
            .map(|e| (instance_page.clone(), e))
            .collect();
    } else if let Some(entry) = write.history_entry() {
        for (key, page) in pages {
            if *key != DatabaseKey::ActiveWorkflowInstances {
                continue;
            }
            let log = HistoryLog::decode(&WorkflowInstance::from_page(page).history_log);
            if log.contains(&entry) {
                own.remember.push((page.id.clone(), entry.clone()));
            }
        }
    }
    own
}
