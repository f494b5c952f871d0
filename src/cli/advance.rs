//! `hsn advance INSTANCE [STATE]`: move an instance, or list where it can go.

use clap::Args;
use color_eyre::eyre::{Result, bail};

use crate::notion::NotionClient;
use crate::operations::{Advance, OperationError, Operator, advance, legal_moves};
use crate::workspace::sources::DataSources;

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

pub async fn run(
    args: AdvanceArgs,
    client: &NotionClient,
    sources: &DataSources,
    operator: &Operator,
) -> Result<()> {
    let Some(to) = args.state else {
        let (instance, machine, moves) = legal_moves(client, sources, &args.instance).await?;
        if moves.is_empty() {
            println!(
                "{} is in \"{}\" ({}), a terminal state: no moves",
                instance.instance_id,
                instance.current_state,
                machine.workflow_id()
            );
        } else {
            println!(
                "{} is in \"{}\" ({}); it can move to: {}",
                instance.instance_id,
                instance.current_state,
                machine.workflow_id(),
                moves.join(", ")
            );
        }
        return Ok(());
    };
    let request = Advance {
        instance: args.instance,
        to,
        note: args.note,
        expected_from: args.from,
    };
    match advance(client, sources, operator, &request, chrono::Utc::now()).await {
        Ok(done) => {
            let completed = if done.completed {
                "; the instance is Completed"
            } else {
                ""
            };
            println!(
                "{}: {} → {}{completed}",
                done.instance_id, done.from, done.to
            );
            Ok(())
        }
        Err(e @ OperationError::Conflict { .. }) => {
            bail!("{e}; read it again with `hsn advance {}`", request.instance)
        }
        Err(e) => Err(e.into()),
    }
}
