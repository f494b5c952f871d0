//! Sending one queued write to Notion through the operations, and sorting the result into
//! done, refused (roll back) or later (keep it queued).

use crate::domain::history::HistoryEntry;
use crate::domain::schema::DatabaseKey;
use crate::domain::write::Write;
use crate::notion::{NotionClient, NotionError, Page};
use crate::operations::{
    Advance, Correct, EditTrail, NewTask, OperationError, Operator, SendGuard, TaskEdit, advance,
    correct, create_task, edit_task, restore_history, trash_task,
};
use crate::store::TrailEntry;
use crate::workspace::sources::DataSources;

pub(super) enum Outcome {
    /// Notion has it.
    Done(Landed),
    /// Notion refused it, with its reason: roll back.
    Refused(String),
    /// It cannot go until the operator acts (the workspace's block limit): keep it, and its
    /// change, without retrying.
    Held(String),
    /// The connection is blocked (429 `public_api_request_blocked`) and nothing of the
    /// write landed in this attempt: kept as unsent (so it may be dropped), and the drain
    /// stops (every request would be refused).
    Blocked(String),
    /// It could not be sent now: try later.
    Later(Later),
    /// Another process took it over (this one stalled past its lease): leave it alone.
    TakenOver,
}

/// A write that landed.
#[derive(Debug, Default)]
pub(super) struct Landed {
    /// How Notion now holds the records it touched.
    pub pages: Vec<(DatabaseKey, Page)>,
    /// For a restoration, the entries that were missing and are back.
    pub restored: Vec<HistoryEntry>,
    /// "already applied", or what exists of a write only partly made.
    pub outcome: Option<String>,
    /// An edit of a task with no workflow instance: its entry, for the store's trail.
    pub trail: Option<TrailEntry>,
}

/// Why a write waits, and what that says about the others.
#[derive(Debug)]
pub(super) struct Later {
    pub reason: String,
    /// The request may still be in Notion's hands (a timeout): wait a moment before anyone
    /// looks for it, in case Notion is still applying it.
    pub uncertain: bool,
    /// Notion cannot be reached, or refuses every request for now (rate limit, token):
    /// the writes behind it would fail the same way, so the drain stops.
    pub everywhere: bool,
    /// The write as it must be kept for its retry: part of it landed, and the retry must
    /// know (an edit whose task Notion updated, its entry left to write).
    pub retry_as: Option<Write>,
}

/// Sorts what sending a write came to. A restoration whose log kept changing under it is
/// refused rather than kept: it counts as one restore, and the next sync that finds the
/// entries missing tries again, up to the bound.
fn sort(result: Result<Landed, OperationError>, restoring: bool) -> Outcome {
    let error = match result {
        Ok(landed) => return Outcome::Done(landed),
        Err(OperationError::LeaseLost) => return Outcome::TakenOver,
        Err(e) => e,
    };
    let notion = error.notion_error();
    if notion.is_some_and(|e| matches!(e, NotionError::Withdrawn(_))) {
        return Outcome::TakenOver;
    }
    if let Some(blocked) = notion.filter(|e| e.is_blocked()) {
        let reason = blocked.explain("this write");
        // Part of it landed: not held (a retry must know it may have landed), kept.
        if matches!(error, OperationError::Partial { .. }) {
            return Outcome::Later(Later {
                reason: format!("{error}; {reason}"),
                uncertain: false,
                everywhere: true,
                retry_as: None,
            });
        }
        return Outcome::Blocked(reason);
    }
    if notion.is_some_and(NotionError::is_block_limit) {
        return Outcome::Held(format!(
            "{error}. The Notion workspace has used its free blocks: no page can be created \
             until its plan is upgraded or blocks are freed. The change is kept"
        ));
    }
    if matches!(error, OperationError::Unsettled(_)) && restoring {
        return Outcome::Refused(error.to_string());
    }
    if !error.is_temporary() {
        return Outcome::Refused(error.to_string());
    }
    // A timeout: Notion may still be applying it. (A connection lost mid-answer was
    // answered: whatever happened is over.)
    let uncertain = notion.is_some_and(|e| matches!(e, NotionError::Timeout(_)));
    let everywhere = notion.is_some_and(|e| {
        matches!(e, NotionError::Connect(_) | NotionError::Network(_))
            || uncertain
            || e.is_rate_limit()
            || e.status() == Some(401)
    });
    Outcome::Later(Later {
        reason: error.to_string(),
        uncertain,
        everywhere,
        retry_as: None,
    })
}

/// How an edit of a task with no workflow instance settles: its trail is hsn's alone.
pub(crate) const NO_INSTANCE: &str =
    "applied (no workflow instance: the trail is kept in hsn's store only)";

/// Sends `write` (`may_have_landed`: it was sent before without an answer), asking `guard`
/// before each request that changes something.
pub(super) async fn execute(
    client: &NotionClient,
    sources: &DataSources,
    write: &Write,
    may_have_landed: bool,
    guard: &SendGuard,
) -> Outcome {
    let restoring = matches!(write, Write::RestoreHistory { .. });
    // Asked again by the transport right before each write request, after any wait.
    let client = match guard.may_send() {
        Some(may_send) => client.guarded(may_send),
        None => client.clone(),
    };
    let sent = send(&client, sources, write, may_have_landed, guard).await;
    // An edit's Partial: Notion answered the task's update, the entry is left. Its values
    // may not be there by the retry (someone may set the task on): keep that it landed.
    let retry_as = match &sent {
        Err(OperationError::Partial { .. }) => write.task_landed(),
        _ => None,
    };
    let mut outcome = sort(sent, restoring);
    if let Outcome::Later(later) = &mut outcome {
        later.retry_as = retry_as;
    }
    outcome
}

async fn send(
    client: &NotionClient,
    sources: &DataSources,
    write: &Write,
    may_have_landed: bool,
    guard: &SendGuard,
) -> Result<Landed, OperationError> {
    match write {
        Write::Advance {
            instance_page,
            from,
            to,
            note,
            actor,
            at,
            ..
        } => {
            let request = Advance {
                instance: instance_page.clone(),
                to: to.clone(),
                note: note.clone(),
                expected_from: Some(from.clone()),
                may_have_landed,
                guard: guard.clone(),
            };
            let done = advance(client, sources, &Operator(actor.clone()), &request, *at).await?;
            let outcome = match (done.overwritten, done.already_applied, done.moved_on()) {
                (true, _, now) => Some(format!(
                    "applied, then overwritten: another writer moved it to {} and dropped \
                     its history entry, which hsn did not put back (the history would say \
                     the instance is where it is not)",
                    now.unwrap_or_default()
                )),
                (false, true, Some(now)) => {
                    Some(format!("already applied; since moved on to {now}"))
                }
                (false, true, None) => Some("already applied".to_string()),
                (false, false, _) => None,
            };
            Ok(Landed {
                pages: vec![(DatabaseKey::ActiveWorkflowInstances, done.page)],
                outcome,
                ..Landed::default()
            })
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
            at,
            ..
        } => {
            let request = NewTask {
                instance: instance_page.clone(),
                name: name.clone(),
                description: description.clone(),
                priority: Some(priority.clone()),
                due: *due,
                assignee: assignee.clone(),
                guard: guard.clone(),
            };
            let made = create_task(
                client,
                sources,
                &Operator(actor.clone()),
                &request,
                task_id,
                *at,
                may_have_landed,
            )
            .await?;
            let outcome = match (&made.history_error, made.already_existed) {
                (Some(why), _) => Some(format!(
                    "partly done: {task_id} exists in Notion, but its entry in the instance's history could not be written: {why}"
                )),
                (None, true) => Some("already applied".to_string()),
                (None, false) => None,
            };
            let mut pages = vec![(DatabaseKey::Tasks, made.task_page)];
            pages.extend(
                made.instance_page
                    .map(|page| (DatabaseKey::ActiveWorkflowInstances, page)),
            );
            Ok(Landed {
                pages,
                outcome,
                ..Landed::default()
            })
        }
        Write::EditTask {
            task_page,
            task_id,
            status,
            priority,
            assignee,
            due,
            clear_due,
            at,
            was,
            conditional,
            instance_page,
            instance_id,
            task_landed,
            ..
        } => {
            // Still a placeholder (a store written before edits followed their create):
            // the task goes by its Task ID.
            let task = if task_page.starts_with("local:") {
                task_id.clone()
            } else {
                task_page.clone()
            };
            let trail = write.history_entry().and_then(|entry| {
                let instance = instance_page.clone().or_else(|| instance_id.clone())?;
                Some(EditTrail {
                    label: instance_id.clone().unwrap_or_else(|| instance.clone()),
                    instance,
                    entry,
                })
            });
            let edit = TaskEdit {
                task,
                status: status.clone(),
                priority: priority.clone(),
                assignee: assignee.clone(),
                due: *due,
                clear_due: *clear_due,
                conditional: *conditional,
                may_have_landed,
                task_landed: *task_landed,
                was: was.clone(),
                trail,
                guard: guard.clone(),
            };
            let edited = edit_task(client, sources, &edit, *at).await?;
            // Not sent over someone's later change: nothing of it is recorded.
            let kept = write
                .store_trail()
                .filter(|_| !edited.changed_since)
                .map(|(page, id, entry)| (page.to_string(), id.to_string(), entry));
            let outcome = if edited.already_applied {
                Some("already applied".to_string())
            } else if edited.changed_since {
                Some(
                    "not sent again: the task changed in Notion after this edit was first \
                     sent (it may have landed and been changed since); Notion's copy stands"
                        .to_string(),
                )
            } else if let Some(why) = &edited.history_error {
                Some(format!(
                    "partly done: {task_id} is changed in Notion, but its entry in the \
                     instance's history could not be written: {why}"
                ))
            } else {
                kept.as_ref().map(|_| NO_INSTANCE.to_string())
            };
            let mut pages = vec![(DatabaseKey::Tasks, edited.page)];
            pages.extend(
                edited
                    .instance_page
                    .map(|page| (DatabaseKey::ActiveWorkflowInstances, page)),
            );
            Ok(Landed {
                pages,
                outcome,
                trail: kept,
                ..Landed::default()
            })
        }
        Write::Correct {
            instance_page,
            instance_id,
            correction,
            note,
            actor,
            at,
        } => {
            let request = Correct {
                instance_page: instance_page.clone(),
                instance_id: instance_id.clone(),
                correction: correction.clone(),
                note: note.clone(),
                may_have_landed,
                guard: guard.clone(),
            };
            let done = correct(client, &Operator(actor.clone()), &request, *at).await?;
            let outcome = if done.overwritten {
                Some(
                    "applied, then overwritten: another writer moved the instance and dropped \
                     its history entry, which hsn did not put back (the history would say the \
                     instance is where it is not)"
                        .to_string(),
                )
            } else {
                done.already_applied.then(|| "already applied".to_string())
            };
            Ok(Landed {
                pages: vec![(DatabaseKey::ActiveWorkflowInstances, done.page)],
                outcome,
                ..Landed::default()
            })
        }
        Write::TrashTask { task_page, .. } => {
            let done = trash_task(client, task_page, guard).await?;
            Ok(Landed {
                pages: vec![(DatabaseKey::Tasks, done.page)],
                outcome: done.already_applied.then(|| "already applied".to_string()),
                ..Landed::default()
            })
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
                guard,
            )
            .await?;
            Ok(Landed {
                pages: vec![(DatabaseKey::ActiveWorkflowInstances, done.page)],
                restored: done.restored,
                ..Landed::default()
            })
        }
    }
}
