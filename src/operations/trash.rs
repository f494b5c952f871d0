//! Moving a task to Notion's trash (the undo of a task made in hsn).

use super::SendGuard;
use super::error::OperationError;
use crate::notion::{NotionClient, Page};

/// A task moved to the trash.
#[derive(Debug, Clone)]
pub struct TaskTrashed {
    /// The task as Notion now has it (in the trash).
    pub page: Page,
    /// It was in the trash already (an earlier attempt whose answer was lost, or someone
    /// else): nothing was sent now.
    pub already_applied: bool,
}

/// Moves the task page `task_page` to Notion's trash. Read first: a task already there is
/// left alone, so sending it twice changes nothing.
pub async fn trash_task(
    client: &NotionClient,
    task_page: &str,
    guard: &SendGuard,
) -> Result<TaskTrashed, OperationError> {
    let subject = format!("task page {task_page}");
    let page = client
        .retrieve_page(task_page)
        .await
        .map_err(OperationError::notion(&subject))?;
    if page.in_trash {
        return Ok(TaskTrashed {
            page,
            already_applied: true,
        });
    }
    guard.check()?;
    let page = match client.set_page_trashed(task_page, true).await {
        Ok(page) => page,
        // Saved, though the answer says otherwise: read it back, never send it again.
        Err(e) if e.saved_anyway() => client
            .retrieve_page(task_page)
            .await
            .map_err(OperationError::notion(&subject))?,
        Err(e) => return Err(OperationError::notion(subject)(e)),
    };
    Ok(TaskTrashed {
        page,
        already_applied: false,
    })
}
