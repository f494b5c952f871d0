//! The messages between the dashboard's state and its runner: the [`Action`]s the app
//! asks for, and the [`Msg`]s the runner answers with.

use crate::domain::activity::ActivityFilter;
use crate::domain::overview::Overview;
use crate::domain::schema::DatabaseKey;
use crate::domain::view::View;
use crate::sync::Event;
use crate::table::TableData;
use crate::table::activity::ActivityIndex;
use crate::ui::bulk::{Change, Queued, UndoStep};
use crate::ui::data::{Detail, OutboxRow};

/// What the app asks the runner to do.
#[derive(Debug, Clone)]
pub enum Action {
    LoadTable(DatabaseKey),
    /// Compute the Overview's figures from the store.
    LoadOverview,
    LoadDetail(String),
    /// The operator asked for fresh data now (`r`).
    Refresh(DatabaseKey),
    /// What is on screen now: the runner refreshes it more often than the rest.
    Showing(Vec<DatabaseKey>),
    /// Plan and queue these changes (one write per record), as one step `u` undoes.
    Submit {
        label: String,
        /// Each record's title and change.
        changes: Vec<(String, Change)>,
    },
    /// Undo a step: drop its writes still queued, queue the inverse of those sent.
    Undo(UndoStep),
    /// Read the names an assignee may be chosen from.
    LoadNames,
    /// `:save NAME`: write the view into the config file.
    SaveView {
        path: std::path::PathBuf,
        view: View,
    },
    OpenUrl(String),
    CopyUrl(String),
    /// Read the queued writes for `:outbox`.
    LoadOutbox,
    /// Read the audit log's rows `filter` passes for the Activity tab: a screenful, then
    /// all. `generation` tells its answers from those of an older load.
    LoadActivity {
        generation: u64,
        filter: ActivityFilter,
    },
    /// `hsn outbox retry`: send this queued write at the next drain (asked for now).
    RetryWrite(i64),
    /// `hsn outbox drop`: give this queued write up (nothing is sent to Notion).
    DropWrite(i64),
    /// Read which records changed since the operator last looked, and what happened.
    LoadChanged,
    /// The operator has seen these records: remember it in the store.
    MarkSeen(Vec<String>),
    /// After a sync: compute what alerts, against the last computation.
    CheckAlerts,
    /// Count the credentials stored in the synced records (the secret scan), for the
    /// Overview's line.
    CountCredentials,
}

/// What the runner tells the app.
#[derive(Debug, Clone)]
pub enum Msg {
    Table(Box<TableData>),
    /// Rows of the audit log, for the Activity tab's load `generation`.
    Activity {
        generation: u64,
        index: Box<ActivityIndex>,
    },
    Overview(Box<Overview>),
    OverviewFailed(String),
    /// How many credentials the secret scan found in the synced records.
    Credentials(usize),
    Detail(Box<Detail>),
    DetailMissing(String),
    Engine(Event),
    /// Changes were planned and queued (shown as pending until confirmed): the writes
    /// queued, and the records refused before queuing with why. `undoing`: an undo's.
    Submitted {
        label: String,
        queued: Vec<Queued>,
        refused: Vec<(String, String)>,
        undoing: bool,
    },
    /// What an undo did with writes still queued: how many were dropped unsent.
    Dropped(usize),
    /// The names an assignee may be chosen from.
    Names(Vec<String>),
    /// Something the operator asked for could not be done.
    Failed(String),
    Info(String),
    /// The queued writes, oldest first (for `:outbox`).
    Outbox(Vec<OutboxRow>),
    OutboxFailed(String),
    /// A queued write was retried or dropped: what to say.
    OutboxChanged(String),
    /// The records changed since the operator last looked, and what happened meanwhile.
    Changed {
        changed: std::collections::HashSet<String>,
        summary: Option<crate::domain::since::SinceSummary>,
    },
    ChangedFailed(String),
    /// News from a sync, in order.
    Alerts(Vec<crate::domain::alerts::Alert>),
}
