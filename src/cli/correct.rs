//! `hsn resolve`, `hsn hold` and `hsn resume INSTANCE [--note TEXT]`: corrections of an
//! instance by hand, queued and sent like an advance.
#![deny(clippy::print_stdout, clippy::print_stderr)] // print through `say`: see table.rs

use clap::Args;
use color_eyre::eyre::Result;

use super::session::Session;
use super::table::say;
use crate::domain::record::Record;
use crate::domain::schema::DatabaseKey;
use crate::domain::write::{PlanError, Write, plan_hold, plan_resolve, plan_resume};

#[derive(Debug, Args)]
pub struct CorrectArgs {
    /// The instance: INST-… or its page id.
    pub instance: String,
    /// A note for the history entry.
    #[arg(long)]
    pub note: Option<String>,
}

/// Which correction a command makes.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    Resolve,
    Hold,
    Resume,
}

type Plan = fn(
    &Record,
    Option<&str>,
    &str,
    chrono::DateTime<chrono::Utc>,
) -> Result<(Write, Record), PlanError>;

pub async fn run(kind: Kind, args: CorrectArgs, session: &Session) -> Result<()> {
    session
        .refresh(&[DatabaseKey::ActiveWorkflowInstances])
        .await;
    let record = session.find(DatabaseKey::ActiveWorkflowInstances, &args.instance)?;
    let plan: Plan = match kind {
        Kind::Resolve => plan_resolve,
        Kind::Hold => plan_hold,
        Kind::Resume => plan_resume,
    };
    let (write, after) = plan(
        &record,
        args.note.as_deref(),
        session.operator.name(),
        chrono::Utc::now(),
    )?;
    let seq = session.engine.submit(&write, vec![after])?;
    session.settle(seq).await?;
    say(&mut std::io::stdout().lock(), &write.summary())?;
    Ok(())
}
