//! The engine as one background task: what the dashboard sends it, and what it tells the
//! dashboard.

use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::mpsc;

use super::engine::Engine;
use crate::domain::schema::{DATABASES, DatabaseKey};

/// What the dashboard asks of the engine.
#[derive(Debug, Clone)]
pub enum Command {
    /// Refresh this data source now (the visible tab), then the others in turn.
    Refresh(DatabaseKey),
    /// Read every data source in full, removing what Notion no longer has.
    Reconcile,
    /// Send queued writes now.
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

/// Runs the engine until `Shutdown` or until the command channel closes: drains the outbox,
/// refreshes every data source each `interval` (the one asked for first), reconciles every
/// `reconcile_every` refreshes, and backs off (up to five minutes) while Notion fails.
pub async fn run(
    engine: Engine,
    mut commands: mpsc::Receiver<Command>,
    interval: Duration,
    reconcile_every: u32,
) {
    let mut first: Option<DatabaseKey> = None;
    let mut rounds: u32 = 0;
    let mut backoff = interval;
    let mut full = false;
    loop {
        let failed = round(&engine, first.take(), full).await;
        rounds = rounds.wrapping_add(1);
        full = reconcile_every > 0 && rounds.is_multiple_of(reconcile_every);
        backoff = if failed {
            (backoff * 2).min(Duration::from_secs(300))
        } else {
            interval
        };
        tokio::select! {
            command = commands.recv() => match command {
                None | Some(Command::Shutdown) => return,
                Some(Command::Refresh(key)) => first = Some(key),
                Some(Command::Reconcile) => full = true,
                Some(Command::Drain) => {}
            },
            () = tokio::time::sleep(backoff) => {}
        }
    }
}

/// One round: the outbox, then every configured data source (and the outbox again if a
/// refresh queued the restoration of dropped history entries). Returns whether Notion
/// failed.
async fn round(engine: &Engine, first: Option<DatabaseKey>, full: bool) -> bool {
    let mut failed = match engine.drain().await {
        Ok(report) => report.stopped_by.is_some(),
        Err(_) => true,
    };
    if engine.is_local() {
        return failed;
    }
    let order = first.into_iter().chain(
        DATABASES
            .iter()
            .map(|d| d.key)
            .filter(|k| Some(*k) != first),
    );
    let mut restoring = 0;
    for key in order {
        if engine.data_source(key).is_none() {
            continue;
        }
        match engine.refresh(key, full).await {
            Ok(done) => restoring += done.restoring,
            Err(_) => {
                failed = true;
                // Notion is down or refusing: the others would fail the same way.
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
