//! The operations an operator performs: advance an instance, create a task from it, edit a
//! task; and the one hsn performs for them, putting back history entries of theirs a blind
//! writer dropped. The command line calls them today; the dashboard and the sync engine's outbox
//! will call the same functions, so a change made from a script and one made from the
//! dashboard are the same operation.

mod advance;
mod correct;
mod error;
mod find;
mod history_write;
mod task;
mod task_edit;
mod trash;

pub use advance::{Advance, Advanced, advance, legal_moves};
pub use correct::{Correct, Corrected, correct};
pub use error::OperationError;
pub use find::{find_page, workflow_of};
pub use history_write::{Restored, longest_read_write_gap, restore_history};
pub use task::{CreatedTask, NewTask, create_task, new_task_id};
pub use task_edit::{EditTrail, TaskEdit, TaskEdited, edit_task};
pub use trash::{TaskTrashed, trash_task};

/// Asked right before each request that changes something in Notion: whether this process
/// may still send the write. The engine's answers whether it still holds the outbox's lease
/// on the write (a process that stalled past its lease lost the write to another, which
/// sends it instead). The default always may.
#[derive(Clone, Default)]
pub struct SendGuard(Option<std::sync::Arc<dyn Fn() -> bool + Send + Sync>>);

impl SendGuard {
    pub fn new(may_send: impl Fn() -> bool + Send + Sync + 'static) -> SendGuard {
        SendGuard(Some(std::sync::Arc::new(may_send)))
    }

    /// The client's side of the guard: asked by the transport right before each request
    /// that changes something (`NotionClient::guarded`).
    pub fn may_send(&self) -> Option<crate::notion::MaySend> {
        self.0.clone()
    }

    pub(crate) fn check(&self) -> Result<(), OperationError> {
        match &self.0 {
            Some(may_send) if !may_send() => Err(OperationError::LeaseLost),
            _ => Ok(()),
        }
    }
}

impl std::fmt::Debug for SendGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "SendGuard(lease)"
        } else {
            "SendGuard(none)"
        })
    }
}

/// Who is acting: `HSN_OPERATOR`, else the login name. Recorded in history entries and as
/// a task's `Created By`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operator(pub String);

impl Operator {
    pub fn from_settings(setting: impl Fn(&str) -> Option<String>) -> Operator {
        let name = ["HSN_OPERATOR", "USER", "LOGNAME", "USERNAME"]
            .into_iter()
            .find_map(|key| setting(key).filter(|v| !v.trim().is_empty()))
            .unwrap_or_else(|| "operator".to_string());
        Operator(name.trim().to_string())
    }

    pub fn name(&self) -> &str {
        &self.0
    }
}
