//! `hsn advance INSTANCE [STATE]`: move an instance, or list where it can go; `hsn advance
//! INSTANCE... --to STATE`: move several (see bulk.rs).
#![deny(clippy::print_stdout, clippy::print_stderr)] // print through `say`: see table.rs

use clap::Args;
use color_eyre::eyre::{Result, bail, eyre};

use super::bulk::{self, Batch};
use super::session::Session;
use super::table::say;
use crate::domain::models::{Workflow, WorkflowInstance};
use crate::domain::record::{Link, Record};
use crate::domain::schema::{DatabaseKey, database};
use crate::domain::workflow::StateMachine;
use crate::domain::write::plan_advance;

#[derive(Debug, Args)]
#[command(after_help = bulk::EXIT_STATUSES)]
pub struct AdvanceArgs {
    /// The instance (INST-… or its page id) and, for one instance, the state to move it to
    /// (`hsn advance INST-0001 consultation`); without a state, the legal moves are listed.
    /// Several instances move with --to (asked first); `-` reads them from stdin, one a
    /// line: plain ids, or the JSON lines of `hsn list instances --json`.
    #[arg(required = true, value_name = "INSTANCE")]
    pub names: Vec<String>,
    /// The state to move every instance named to.
    #[arg(long, value_name = "STATE")]
    pub to: Option<String>,
    /// A note for the history entry.
    #[arg(long)]
    pub note: Option<String>,
    /// Refuse unless the instance is still in this state (what you saw).
    #[arg(long, value_name = "STATE")]
    pub from: Option<String>,
    /// Move several instances without asking first (needed when there is no terminal).
    #[arg(long)]
    pub yes: bool,
    /// Print what would change for each instance (old → new); change nothing.
    #[arg(long)]
    pub dry_run: bool,
}

impl AdvanceArgs {
    /// Whether this moves anything (refused when read-only): a state is given, and it is
    /// not a dry run.
    pub fn changes(&self) -> bool {
        !self.dry_run && (self.to.is_some() || self.names.len() == 2)
    }

    /// The instances named and the state to move them to, if one is given: `--to`, or the
    /// second of two arguments without it (`hsn advance INSTANCE STATE`, as always).
    fn split(&self) -> Result<(&[String], Option<&str>)> {
        match (self.to.as_deref(), self.names.as_slice()) {
            (Some(to), names) => Ok((names, Some(to))),
            (None, [_]) => Ok((&self.names, None)),
            (None, [_, state]) if state.to_ascii_uppercase().starts_with("INST-") => bail!(
                "\"{state}\" is an instance, not a state: several instances move with --to STATE"
            ),
            (None, [_, state]) => Ok((&self.names[..1], Some(state))),
            (None, _) => bail!(
                "several instances move with --to STATE: `hsn advance INSTANCE... --to STATE`"
            ),
        }
    }
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
    let (names, to) = args.split()?;
    let ids = bulk::ids_named(names, database(DatabaseKey::ActiveWorkflowInstances))?;
    if let [one] = ids.as_slice()
        && (to.is_none() || !args.dry_run)
    {
        return advance_one(one, to, &args, session).await;
    }
    let Some(to) = to else {
        bail!(
            "several instances: give the state to move them to with --to STATE (`hsn advance INSTANCE` lists where one can go)"
        );
    };
    refresh(session).await;
    let mut batch = Batch::new(bulk::Kind {
        one: "instance",
        many: "instances",
        describe: |record| {
            let instance = WorkflowInstance::from_record(record);
            format!("{} {}", instance.instance_id, instance.client_name)
                .trim()
                .to_string()
        },
        columns: &["Current State", "Status"],
    });
    for id in &ids {
        let found = session.find(DatabaseKey::ActiveWorkflowInstances, id);
        batch.add(id, found, |record| plan(record, to, &args, session));
    }
    let options = bulk::Options {
        yes: args.yes,
        dry_run: args.dry_run,
    };
    batch
        .run(session, options, |instances| {
            format!("Move {instances} to {to}")
        })
        .await
}

async fn refresh(session: &Session) {
    session
        .refresh(&[
            DatabaseKey::ActiveWorkflowInstances,
            DatabaseKey::WorkflowsLibrary,
        ])
        .await;
}

/// The move of `record` to `to`, checked against its workflow (and `--from`).
fn plan(
    record: &Record,
    to: &str,
    args: &AdvanceArgs,
    session: &Session,
) -> Result<(crate::domain::write::Write, Record)> {
    let machine = workflow_of(session, record)?;
    Ok(plan_advance(
        record,
        &machine,
        args.from.as_deref(),
        to,
        args.note.as_deref(),
        session.operator.name(),
        chrono::Utc::now(),
    )?)
}

/// One instance: where it can go (no state), or its move, sent; a refusal is the
/// command's error.
async fn advance_one(
    id: &str,
    to: Option<&str>,
    args: &AdvanceArgs,
    session: &Session,
) -> Result<()> {
    refresh(session).await;
    let record = session.find(DatabaseKey::ActiveWorkflowInstances, id)?;
    let Some(to) = to else {
        let instance = WorkflowInstance::from_record(&record);
        let machine = workflow_of(session, &record)?;
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
    let (write, after) = plan(&record, to, args, session)?;
    let seq = session.engine.submit(&write, vec![after])?;
    session.settle(seq).await?;
    let completed = if matches!(
        &write,
        crate::domain::write::Write::Advance {
            completes: true,
            ..
        }
    ) {
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
