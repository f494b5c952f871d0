//! Sending one queued write to Notion through the operations, and sorting the result into
//! done, refused (roll back) or later (keep it queued).

use chrono::{DateTime, Utc};

use crate::domain::history::HistoryEntry;
use crate::domain::schema::DatabaseKey;
use crate::domain::write::Write;
use crate::notion::{NotionClient, NotionError, Page};
use crate::operations::{
    Advance, NewTask, OperationError, Operator, TaskEdit, advance, create_task, edit_task,
    restore_history,
};
use crate::workspace::sources::DataSources;

pub(super) enum Outcome {
    /// Notion has it; these pages are how Notion now holds the records it touched, and
    /// (for a restoration) the entries that were missing and are back.
    Done(Vec<(DatabaseKey, Page)>, Vec<HistoryEntry>),
    /// Notion refused it, with its reason: roll back.
    Refused(String),
    /// It could not be sent now (network, rate limit, server trouble): try later.
    Later(String),
}

/// Whether a failure is worth another attempt later. Every write here can be sent twice
/// safely (see `Write`), so server errors and lost connections are retried too.
fn is_temporary(error: &OperationError) -> bool {
    match error {
        OperationError::Notion { source, .. } => match source.as_ref() {
            NotionError::Timeout(_) | NotionError::Connect(_) | NotionError::Network(_) => true,
            // A rejected token rejects every write: keep them until it is fixed.
            e => matches!(e.status(), Some(401 | 429 | 500..=599)),
        },
        OperationError::Unsettled(_) => true,
        _ => false,
    }
}

/// Sorts what sending a write came to. A restoration whose log kept changing under it is
/// refused rather than kept: it would hold up the writes behind it; it counts as one
/// restore, and the next sync that finds the entries missing tries again, up to the bound.
fn sort(result: Result<Sent, OperationError>, restoring: bool) -> Outcome {
    match result {
        Ok((pages, restored)) => Outcome::Done(pages, restored),
        Err(e @ OperationError::Unsettled(_)) if restoring => Outcome::Refused(e.to_string()),
        Err(e) if is_temporary(&e) => Outcome::Later(e.to_string()),
        Err(e) => Outcome::Refused(e.to_string()),
    }
}

/// The pages Notion now holds, and the entries a restoration put back.
type Sent = (Vec<(DatabaseKey, Page)>, Vec<HistoryEntry>);

pub(super) async fn execute(
    client: &NotionClient,
    sources: &DataSources,
    write: &Write,
    may_have_landed: bool,
) -> Outcome {
    let restoring = matches!(write, Write::RestoreHistory { .. });
    sort(
        send(client, sources, write, may_have_landed).await,
        restoring,
    )
}

async fn send(
    client: &NotionClient,
    sources: &DataSources,
    write: &Write,
    may_have_landed: bool,
) -> Result<Sent, OperationError> {
    let at = |at: &DateTime<Utc>| *at;
    let pages = match write {
        Write::Advance {
            instance_page,
            from,
            to,
            note,
            actor,
            at: when,
            ..
        } => {
            let request = Advance {
                instance: instance_page.clone(),
                to: to.clone(),
                note: note.clone(),
                expected_from: Some(from.clone()),
            };
            advance(
                client,
                sources,
                &Operator(actor.clone()),
                &request,
                at(when),
            )
            .await
            .map(|done| vec![(DatabaseKey::ActiveWorkflowInstances, done.page)])
        }
        Write::CreateTask {
            task_id,
            instance_page,
            name,
            description,
            priority,
            due,
            assignee,
            actor,
            at: when,
            ..
        } => {
            let request = NewTask {
                instance: instance_page.clone(),
                name: name.clone(),
                description: description.clone(),
                priority: Some(priority.clone()),
                due: *due,
                assignee: assignee.clone(),
            };
            create_task(
                client,
                sources,
                &Operator(actor.clone()),
                &request,
                task_id,
                at(when),
                may_have_landed,
            )
            .await
            .map(|made| {
                vec![
                    (DatabaseKey::Tasks, made.task_page),
                    (DatabaseKey::ActiveWorkflowInstances, made.instance_page),
                ]
            })
        }
        Write::EditTask {
            task_page,
            status,
            priority,
            assignee,
            due,
            at: when,
            ..
        } => {
            let edit = TaskEdit {
                task: task_page.clone(),
                status: status.clone(),
                priority: priority.clone(),
                assignee: assignee.clone(),
                due: *due,
            };
            edit_task(client, sources, &edit, at(when))
                .await
                .map(|page| vec![(DatabaseKey::Tasks, page)])
        }
        Write::RestoreHistory {
            instance_page,
            instance_id,
            ..
        } => {
            let done = restore_history(
                client,
                instance_page,
                instance_id,
                &write.restored_entries(),
            )
            .await?;
            return Ok((
                vec![(DatabaseKey::ActiveWorkflowInstances, done.page)],
                done.restored,
            ));
        }
    };
    Ok((pages?, Vec::new()))
}
