//! The engine as one background task: what the dashboard sends it, and what it tells the
//! dashboard.

use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::mpsc;

use super::engine::Engine;
use super::schedule::Schedule;
use crate::domain::schema::DatabaseKey;
use crate::notion::{Priority, RateLimitReason};

/// What the dashboard asks of the engine.
#[derive(Debug, Clone)]
pub enum Command {
    /// The operator asked for this data source now (`r`): refreshed at once, at the
    /// operator's priority.
    Refresh(DatabaseKey),
    /// What the dashboard shows: refreshed more often than the rest.
    Showing(Vec<DatabaseKey>),
    /// Read every data source in full, removing what Notion no longer has.
    Reconcile,
    /// Send queued writes now, even while a refresh runs.
    Drain,
    Shutdown,
}

/// What the engine tells the dashboard.
#[derive(Debug, Clone)]
pub enum Event {
    RecordsChanged {
        database: DatabaseKey,
        ids: Vec<String>,
    },
    SyncProgress {
        database: DatabaseKey,
        fetched: usize,
    },
    Refreshed {
        database: DatabaseKey,
        at: DateTime<Utc>,
    },
    SyncFailed {
        database: DatabaseKey,
        error: String,
    },
    /// Writes queued (not yet settled).
    PendingWrites(usize),
    /// Of those, the ones held for the operator or tried again and again.
    StuckWrites(usize),
    WriteConfirmed {
        seq: i64,
        summary: String,
        /// "already applied", or what exists of a write only partly made.
        note: Option<String>,
    },
    /// Kept, unsent, until the operator acts (`hsn outbox retry` or `drop`).
    WriteHeld {
        seq: i64,
        summary: String,
        error: String,
    },
    WriteFailed {
        seq: i64,
        summary: String,
        error: String,
    },
    /// Notion could not be reached; queued writes wait.
    Offline { error: String },
}

/// How long after a 429 about a shared budget (this connection's, or the workspace's) the
/// runner keeps its rounds four times further apart.
const SHARED_BUDGET_SLOWDOWN: Duration = Duration::from_secs(300);

/// Runs the engine until `Shutdown` or until the command channel closes. Each `interval` a
/// round drains the outbox and refreshes what changed (see [`Schedule`]); every
/// `reconcile_every` rounds it reads everything in full. While Notion fails it backs off (up
/// to five minutes), and after a 429 that says the budget is shared it slows down. A write
/// is sent as soon as it is queued, even in the middle of a round.
pub async fn run(
    engine: Engine,
    mut commands: mpsc::Receiver<Command>,
    interval: Duration,
    reconcile_every: u32,
) {
    let mut schedule = Schedule::default();
    let mut asked: Vec<DatabaseKey> = Vec::new();
    let mut rounds: u32 = 0;
    let mut backoff = interval;
    let mut full = false;
    loop {
        let mut showing = None;
        let mut again = false;
        let mut full_next = false;
        let failed = {
            let this_round = round(&engine, &mut schedule, std::mem::take(&mut asked), full);
            tokio::pin!(this_round);
            loop {
                tokio::select! {
                    failed = &mut this_round => break failed,
                    command = commands.recv() => match command {
                        None | Some(Command::Shutdown) => return,
                        Some(Command::Drain) => drain_now(&engine),
                        Some(Command::Refresh(key)) => {
                            asked.push(key);
                            again = true;
                        }
                        Some(Command::Showing(keys)) => showing = Some(keys),
                        Some(Command::Reconcile) => {
                            full_next = true;
                            again = true;
                        }
                    },
                }
            }
        };
        if let Some(keys) = showing {
            schedule.set_visible(keys);
        }
        rounds = rounds.wrapping_add(1);
        full = full_next || (reconcile_every > 0 && rounds.is_multiple_of(reconcile_every));
        backoff = if failed {
            (backoff * 2).min(Duration::from_secs(300))
        } else if budget_is_shared(&engine) {
            interval * 4
        } else {
            interval
        };
        if again {
            continue;
        }
        let next_round = tokio::time::Instant::now() + backoff;
        loop {
            tokio::select! {
                command = commands.recv() => match command {
                    None | Some(Command::Shutdown) => return,
                    Some(Command::Drain) => drain_now(&engine),
                    Some(Command::Refresh(key)) => {
                        asked.push(key);
                        break;
                    }
                    Some(Command::Showing(keys)) => schedule.set_visible(keys),
                    Some(Command::Reconcile) => {
                        full = true;
                        break;
                    }
                },
                () = tokio::time::sleep_until(next_round) => break,
            }
        }
    }
}

/// Sends queued writes now, beside whatever else runs (drains take turns among themselves).
fn drain_now(engine: &Engine) {
    let engine = engine.clone();
    tokio::spawn(async move {
        if let Err(e) = engine.drain().await {
            tracing::warn!(error = %e, "sending queued writes failed");
        }
    });
}

/// Whether Notion said lately that the budget is shared with others (a 429 about this
/// connection's budget or the workspace's).
fn budget_is_shared(engine: &Engine) -> bool {
    engine.rate_status().is_some_and(|status| {
        status.last_limited.is_some_and(|seen| {
            seen.ago < SHARED_BUDGET_SLOWDOWN
                && matches!(
                    seen.reason,
                    RateLimitReason::Connection | RateLimitReason::Workspace
                )
        })
    })
}

/// One round: the outbox; what the operator asked for; then what changed, what is on
/// screen and what is stale (everything when `full`); and the outbox again if a refresh
/// queued the restoration of dropped history entries. Returns whether Notion failed.
async fn round(
    engine: &Engine,
    schedule: &mut Schedule,
    asked: Vec<DatabaseKey>,
    full: bool,
) -> bool {
    let mut failed = match engine.drain().await {
        Ok(report) => report.stopped_by.is_some(),
        Err(_) => true,
    };
    if engine.is_local() {
        return failed;
    }
    if schedule.next_round() == 1 {
        match engine.synced_sources() {
            Ok(keys) => schedule.synced_before(keys),
            Err(e) => tracing::warn!(error = %e, "cannot read what the store synced before"),
        }
    }
    let mut restoring = 0;
    let mut done: Vec<DatabaseKey> = Vec::new();
    for key in asked {
        if done.contains(&key) || engine.data_source(key).is_none() {
            continue;
        }
        done.push(key);
        match engine.refresh_as(key, full, Priority::Interactive).await {
            Ok(refreshed) => {
                restoring += refreshed.restoring;
                schedule.refreshed(key);
            }
            // Notion is down or refusing: the others would fail the same way.
            Err(_) => return true,
        }
    }
    let planned = if full {
        schedule.plan(None)
    } else {
        match engine.edited_sources().await {
            Ok(changed) => schedule.plan(changed.as_ref()),
            Err(e) => {
                tracing::warn!(error = %e, "could not ask Notion what changed");
                return true;
            }
        }
    };
    for key in planned {
        if done.contains(&key) || engine.data_source(key).is_none() {
            continue;
        }
        match engine.refresh_as(key, full, Priority::Background).await {
            Ok(refreshed) => {
                restoring += refreshed.restoring;
                schedule.refreshed(key);
            }
            Err(_) => {
                failed = true;
                break;
            }
        }
    }
    // History entries of hsn's that a blind writer dropped go back now, not a round later.
    if restoring > 0 && !failed {
        failed = match engine.drain().await {
            Ok(report) => report.stopped_by.is_some(),
            Err(_) => true,
        };
    }
    failed
}
