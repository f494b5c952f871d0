//! `hsn advance INSTANCE [STATE]`: move an instance, or list where it can go.
#![deny(clippy::print_stdout, clippy::print_stderr)] // print through `say`: see table.rs

use clap::Args;
use color_eyre::eyre::{Result, eyre};

use super::session::Session;
use super::table::say;
use crate::domain::models::{Workflow, WorkflowInstance};
use crate::domain::record::{Link, Record};
use crate::domain::schema::DatabaseKey;
use crate::domain::workflow::StateMachine;
use crate::domain::write::plan_advance;

#[derive(Debug, Args)]
pub struct AdvanceArgs {
    /// The instance: INST-… or its page id.
    pub instance: String,
    /// The state to move to; without it, the legal moves are listed.
    pub state: Option<String>,
    /// A note for the history entry.
    #[arg(long)]
    pub note: Option<String>,
    /// Refuse unless the instance is still in this state (what you saw).
    #[arg(long, value_name = "STATE")]
    pub from: Option<String>,
}

/// The instance's workflow from the store: a relation to its page, or (databases made by
/// the original tool) its Workflow ID as text.
pub fn workflow_of(session: &Session, instance: &Record) -> Result<StateMachine> {
    let current = WorkflowInstance::from_record(instance);
    let reference = match instance.get::<Link>("Workflow") {
        Link::Pages(ids) => ids.first().cloned(),
        text => text.ids().first().cloned(),
    }
    .ok_or_else(|| {
        eyre!(
            "{} has no workflow, so it has no states to move through",
            current.instance_id
        )
    })?;
    let workflow = Workflow::from_record(&session.find(DatabaseKey::WorkflowsLibrary, &reference)?);
    Ok(StateMachine::from_workflow(&workflow)?)
}

pub async fn run(args: AdvanceArgs, session: &Session) -> Result<()> {
    session
        .refresh(&[
            DatabaseKey::ActiveWorkflowInstances,
            DatabaseKey::WorkflowsLibrary,
        ])
        .await;
    let record = session.find(DatabaseKey::ActiveWorkflowInstances, &args.instance)?;
    let instance = WorkflowInstance::from_record(&record);
    let machine = workflow_of(session, &record)?;
    let Some(to) = args.state else {
        let moves = machine.next_states(&instance.current_state);
        let line = if moves.is_empty() {
            format!(
                "{} is in \"{}\" ({}), a terminal state: no moves",
                instance.instance_id,
                instance.current_state,
                machine.workflow_id()
            )
        } else {
            format!(
                "{} is in \"{}\" ({}); it can move to: {}",
                instance.instance_id,
                instance.current_state,
                machine.workflow_id(),
                moves.join(", ")
            )
        };
        say(&mut std::io::stdout().lock(), &line)?;
        return Ok(());
    };
    let (write, after) = plan_advance(
        &record,
        &machine,
        args.from.as_deref(),
        &to,
        args.note.as_deref(),
        session.operator.name(),
        chrono::Utc::now(),
    )?;
    let seq = session.engine.submit(&write, vec![after])?;
    session.settle(seq).await?;
    let completed = if machine.is_terminal(&to) {
        "; the instance is Completed"
    } else {
        ""
    };
    say(
        &mut std::io::stdout().lock(),
        &format!("{}{completed}", write.summary()),
    )?;
    Ok(())
}
