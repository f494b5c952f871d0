//! The headless commands. Each is thin: it parses arguments, calls the layers below, and
//! prints. Errors come back as one line for stderr.

mod advance;
mod display;
mod history;
mod query;
mod records;
mod table;
mod task;
mod workspace;

use std::io::Write;

use clap::{Parser, Subcommand};
use color_eyre::eyre::{Result, bail};

use crate::config::Settings;
use crate::notion::NotionClient;
use crate::operations::Operator;
use crate::workspace::sources::DataSources;

#[derive(Debug, Parser)]
#[command(
    name = "hsn",
    version,
    about = "The operations console of the HigherSelf Network, over its Notion workspace",
    arg_required_else_help = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Query a Notion data source and print its pages, one JSON object per line.
    Query(query::QueryArgs),
    /// List the records of a database (entities, agents, workflows, instances, tasks, …).
    List(records::ListArgs),
    /// Show one record, its links by title.
    Show(records::ShowArgs),
    /// An instance's audit trail, oldest first.
    History(history::HistoryArgs),
    /// Move an instance to a new state (or list the states it can move to).
    Advance(advance::AdvanceArgs),
    /// Create a task from an instance, or triage one.
    #[command(subcommand)]
    Task(task::TaskCommand),
    /// Create the 16 HigherSelf databases under a page, or complete them; writes .env.notion.
    Setup(workspace::SetupArgs),
    /// Check the token, the 16 databases and their schemas, and say what fixes each problem.
    Doctor,
}

/// Runs a parsed command line.
pub async fn run(cli: Cli, settings: Settings) -> Result<()> {
    match cli.command {
        Command::Query(args) => query::run(args, &notion_client(&settings)?).await,
        Command::Setup(args) => workspace::run_setup(args, &settings).await,
        Command::List(args) => {
            let (client, sources) = connect(&settings).await?;
            records::run_list(args, &client, &sources).await
        }
        Command::Show(args) => {
            let (client, sources) = connect(&settings).await?;
            records::run_show(args, &client, &sources).await
        }
        Command::History(args) => {
            let (client, sources) = connect(&settings).await?;
            history::run(args, &client, &sources).await
        }
        Command::Advance(args) => {
            let (client, sources) = connect(&settings).await?;
            advance::run(args, &client, &sources, &operator(&settings)).await
        }
        Command::Task(command) => {
            let (client, sources) = connect(&settings).await?;
            task::run(command, &client, &sources, &operator(&settings)).await
        }
        Command::Doctor => workspace::run_doctor(&settings).await,
    }
}

/// The client and the configured data sources, for the commands that work on records.
async fn connect(settings: &Settings) -> Result<(NotionClient, DataSources)> {
    let client = notion_client(settings)?;
    let sources = DataSources::from_settings(&client, &|key: &str| settings.get(key)).await?;
    Ok((client, sources))
}

fn operator(settings: &Settings) -> Operator {
    Operator::from_settings(|key| settings.get(key))
}

fn notion_client(settings: &Settings) -> Result<NotionClient> {
    let Some(config) = settings.notion()? else {
        bail!(
            "NOTION_API_TOKEN is not set: put your integration's token in the environment or in .env"
        );
    };
    Ok(NotionClient::new(config)?)
}

/// Writes one line to stdout. A closed pipe (`hsn query … | head`) ends the command quietly
/// instead of panicking.
pub(crate) fn print_line(out: &mut impl Write, line: &str) -> Result<bool> {
    match writeln!(out, "{line}") {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(false),
        Err(e) => Err(e.into()),
    }
}
