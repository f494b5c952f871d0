//! Planning and queuing the dashboard's changes, and undoing them: on a blocking thread
//! (the store is disk), one outbox write per record.

use chrono::Utc;
use color_eyre::eyre::{Result, eyre};

use super::app::Msg;
use super::bulk::{Change, Fix, Queued, TaskEdit, UndoStep};
use super::data::machine_of;
use crate::domain::record::Record;
use crate::domain::schema::DatabaseKey;
use crate::domain::write::{
    TaskChanges, Write, plan_advance, plan_hold, plan_new_task, plan_resolve, plan_resume,
    plan_task_changes, plan_undo,
};
use crate::operations::new_task_id;
use crate::store::OutboxState;
use crate::sync::Engine;

/// Plans and queues each record's change; a record whose change cannot be planned (it
/// moved on, a value is refused) is listed with why, and the others go on.
pub fn submit_changes(
    engine: &Engine,
    operator: &str,
    label: String,
    changes: Vec<(String, Change)>,
) -> Msg {
    let mut queued = Vec::new();
    let mut refused = Vec::new();
    for (title, change) in changes {
        match submit_one(engine, operator, change) {
            Ok((seq, write)) => {
                tracing::info!("queued {}", write.summary());
                queued.push(Queued { seq, write, title });
            }
            Err(e) => refused.push((title, format!("{e}"))),
        }
    }
    Msg::Submitted {
        label,
        queued,
        refused,
        undoing: false,
    }
}

fn record(engine: &Engine, page: &str) -> Result<Record> {
    engine
        .store()
        .record(page)?
        .map(|s| s.record)
        .ok_or_else(|| eyre!("that record is no longer in the store"))
}

fn submit_one(engine: &Engine, operator: &str, change: Change) -> Result<(i64, Write)> {
    let now = Utc::now();
    let (write, changes) = match change {
        Change::Advance {
            instance_page,
            from,
            to,
            note,
        } => {
            let instance = record(engine, &instance_page)?;
            let machine = machine_of(&engine.store(), &instance)?;
            let (write, after) = plan_advance(
                &instance,
                &machine,
                Some(&from),
                &to,
                note.as_deref(),
                operator,
                now,
            )?;
            (write, vec![after])
        }
        Change::CreateTask {
            instance_page,
            request,
        } => {
            let instance = record(engine, &instance_page)?;
            let task_id = new_task_id();
            let local_page = engine.placeholder_page_id(&task_id);
            let (write, task, after) =
                plan_new_task(&instance, &request, &task_id, &local_page, operator, now)?;
            (write, vec![task, after])
        }
        Change::EditTask { task_page, edit } => {
            let task = record(engine, &task_page)?;
            let (write, after) = plan_edit(&task, &edit, operator, now)?;
            (write, vec![after])
        }
        Change::Correct {
            instance_page,
            fix,
            note,
        } => {
            let instance = record(engine, &instance_page)?;
            let plan = match fix {
                Fix::Resolve => plan_resolve,
                Fix::Hold => plan_hold,
                Fix::Resume => plan_resume,
            };
            let (write, after) = plan(&instance, note.as_deref(), operator, now)?;
            (write, vec![after])
        }
    };
    let seq = engine.submit(&write, changes)?;
    Ok((seq, write))
}

fn plan_edit(
    task: &Record,
    edit: &TaskEdit,
    operator: &str,
    now: chrono::DateTime<Utc>,
) -> Result<(Write, Record)> {
    let changes = TaskChanges {
        status: edit.status.clone(),
        priority: edit.priority.clone(),
        assignee: edit.assignee.clone(),
        due: edit.due,
        note: None,
    };
    Ok(plan_task_changes(task, &changes, operator, now)?)
}

/// Undoes a step, its last write first: a write still queued and never sent is dropped
/// (nothing is sent, the record shows Notion's copy again); one sent (or being sent, or
/// sent before with its answer lost: it may have landed) is answered by
/// its inverse, queued behind it and sent through the same checks. A write refused
/// already needs nothing.
pub fn undo(engine: &Engine, operator: &str, step: UndoStep) -> Vec<Msg> {
    let mut dropped = 0;
    let mut queued = Vec::new();
    let mut refused = Vec::new();
    for done in step.writes.into_iter().rev() {
        let state = engine.store().write_state(done.seq);
        let state = match state {
            Ok(Some(entry)) => entry.state,
            Ok(None) => OutboxState::Done,
            Err(e) => {
                refused.push((done.title, format!("cannot read the outbox: {e}")));
                continue;
            }
        };
        if state == OutboxState::Failed {
            continue;
        }
        if matches!(state, OutboxState::Pending | OutboxState::Held)
            && engine.store().drop_unsent(done.seq).is_ok()
        {
            tracing::info!("undo: write {} dropped", done.seq);
            dropped += 1;
            continue;
        }
        match submit_inverse(engine, operator, &done.write, done.seq) {
            Ok((seq, write)) => queued.push(Queued {
                seq,
                write,
                title: done.title,
            }),
            Err(e) => refused.push((done.title, format!("{e}"))),
        }
    }
    let mut said = Vec::new();
    if dropped > 0 {
        said.push(Msg::Dropped(dropped));
    }
    if !queued.is_empty() || !refused.is_empty() {
        said.push(Msg::Submitted {
            label: format!("Undo: {}", step.label),
            queued,
            refused,
            undoing: true,
        });
    }
    said
}

/// Queues the inverse of a write that went (or is going) to Notion, planned against the
/// record as the store holds it now (with every write queued on it): refused when the
/// record has moved on since (another writer changed what we set).
fn submit_inverse(
    engine: &Engine,
    operator: &str,
    write: &Write,
    seq: i64,
) -> Result<(i64, Write)> {
    let current = match write {
        Write::EditTask {
            task_page, task_id, ..
        } => record_or_titled(engine, task_page, task_id),
        Write::CreateTask {
            local_page,
            task_id,
            ..
        } => record_or_titled(engine, local_page, task_id),
        Write::Advance { instance_page, .. } | Write::Correct { instance_page, .. } => {
            record(engine, instance_page)
        }
        Write::TrashTask { .. } | Write::RestoreHistory { .. } => {
            return Err(eyre!("{}: cannot be undone", write.summary()));
        }
    }?;
    let (inverse, after) = plan_undo(write, &current, operator, Utc::now())?;
    // Refused or dropped, the write takes its inverse with it.
    let seq = engine.submit_undo(&inverse, vec![after], seq)?;
    Ok((seq, inverse))
}

/// A task by its page, or (a created task whose placeholder became Notion's page) by its
/// Task ID.
fn record_or_titled(engine: &Engine, page: &str, task_id: &str) -> Result<Record> {
    if let Ok(found) = record(engine, page) {
        return Ok(found);
    }
    engine
        .store()
        .find_by_title(DatabaseKey::Tasks, task_id)?
        .into_iter()
        .map(|s| s.record)
        .find(|r| {
            r.page_id
                .as_deref()
                .is_some_and(|p| !p.starts_with("local:"))
        })
        .ok_or_else(|| eyre!("{task_id} is no longer in the store"))
}
