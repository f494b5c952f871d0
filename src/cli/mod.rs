//! The headless commands. Each is thin: it parses arguments, calls the layers below, and
//! prints. Errors come back as one line for stderr.

mod advance;
mod bulk;
mod correct;
mod history;
mod log;
mod outbox;
pub(crate) mod overview;
mod query;
mod records;
pub mod session;
mod sync;
mod table;
mod task;
mod views;
mod workspace;

use std::io::Write;

use clap::{Parser, Subcommand};
use color_eyre::eyre::{Result, bail};

use crate::config::Settings;
use crate::notion::NotionClient;
pub use bulk::NotAllApplied;
use session::Session;

#[derive(Debug, Parser)]
#[command(
    name = "hsn",
    version,
    about = "The operations console of the HigherSelf Network, over its Notion workspace",
    after_help = "Without a command, hsn opens the dashboard over the workspace (the demo one when no NOTION_API_TOKEN is set); `?` in it lists every key. When stdout is not a terminal it lists the workflow instances instead."
)]
pub struct Cli {
    /// Use the demo workspace even when a Notion token is configured.
    #[arg(long, global = true)]
    pub demo: bool,
    /// Refuse every change, of every command and of the dashboard (also HSN_READONLY=1, or
    /// `readonly = true` in the config file): nothing is queued or sent; a refused change
    /// exits with status 2.
    #[arg(long, global = true)]
    pub readonly: bool,
    /// Dashboard: open on this tab: overview (the default), entities, agents, workflows,
    /// instances or tasks.
    #[arg(long, value_name = "TAB")]
    pub tab: Option<String>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// Forget every change made in the demo and load its seed again.
    #[arg(long)]
    pub reset: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Query a Notion data source and print its pages, one JSON object per line.
    Query(query::QueryArgs),
    /// Where every workflow stands, what is stuck or late, what moved (the Overview tab).
    Overview(overview::OverviewArgs),
    /// List the records of a database (entities, agents, workflows, instances, tasks, …).
    List(records::ListArgs),
    /// Show one record, its links by title.
    Show(records::ShowArgs),
    /// An instance's audit trail, oldest first.
    History(history::HistoryArgs),
    /// The audit log of every instance, newest first: who did what, when, filtered.
    Log(log::LogArgs),
    /// Move an instance to a new state (or list the states it can move to), or several.
    Advance(advance::AdvanceArgs),
    /// Resolve an instance in Error: Active again, its Error Message cleared.
    Resolve(correct::CorrectArgs),
    /// Put an Active instance on hold.
    Hold(correct::CorrectArgs),
    /// Make an instance on hold Active again.
    Resume(correct::CorrectArgs),
    /// Create a task from an instance, or triage one.
    #[command(subcommand)]
    Task(task::TaskCommand),
    /// Send queued writes and refresh every database from Notion (for cron and benchmarks).
    Sync(sync::SyncArgs),
    /// The writes queued for Notion: their state, attempts and last error; retry or drop one.
    Outbox(outbox::OutboxArgs),
    /// The demo workspace: `--reset` restores its seed.
    Demo(DemoArgs),
    /// Create the 16 HigherSelf databases under a page, or complete them; writes .env.notion.
    Setup(workspace::SetupArgs),
    /// Check the token and where it lives, the 16 databases and their schemas, and scan the
    /// synced records for credentials; say what fixes each problem.
    Doctor(workspace::DoctorArgs),
}

/// Runs a parsed command line.
pub async fn run(cli: Cli, settings: Settings) -> Result<()> {
    use std::io::IsTerminal;
    let readonly = settings.readonly(cli.readonly)?;
    let demo = cli.demo;
    let open = || Session::open(&settings, demo, readonly);
    if cli.command.is_none() && std::io::stdout().is_terminal() && std::io::stdin().is_terminal() {
        let tab = match cli.tab.as_deref() {
            None => None,
            Some(name) => crate::ui::app::main_tab(name)?,
        };
        return crate::ui::run(open().await?, readonly, tab).await;
    }
    // Piped, `hsn` alone prints what the dashboard opens on: the running instances.
    let command = cli.command.unwrap_or_else(|| {
        Command::List(records::ListArgs {
            database: Some("instances".into()),
            view: None,
            state: None,
            status: None,
            workflow: None,
            assignee: None,
            limit: None,
            json: false,
        })
    });
    if readonly && let Some(what) = command.change() {
        // Refused before anything is read or sent.
        return Err(crate::sync::ReadOnly(what.to_string()).into());
    }
    match command {
        Command::Query(args) => query::run(args, &notion_client(&settings)?).await,
        Command::Setup(args) => workspace::run_setup(args, &settings).await,
        Command::Overview(args) => overview::run(args, &settings, &open().await?).await,
        Command::List(args) => records::run_list(args, &settings, &open().await?).await,
        Command::Show(args) => records::run_show(args, &open().await?).await,
        Command::History(args) => history::run(args, &open().await?).await,
        Command::Log(args) => log::run(args, &settings, &open().await?).await,
        Command::Advance(args) => advance::run(args, &open().await?).await,
        Command::Resolve(args) => correct::run(correct::Kind::Resolve, args, &open().await?).await,
        Command::Hold(args) => correct::run(correct::Kind::Hold, args, &open().await?).await,
        Command::Resume(args) => correct::run(correct::Kind::Resume, args, &open().await?).await,
        Command::Task(command) => task::run(command, &open().await?).await,
        Command::Sync(args) => sync::run(args, &open().await?).await,
        Command::Outbox(args) => outbox::run(args, &open().await?).await,
        Command::Demo(args) => {
            let session = Session::open(&settings, true, readonly).await?;
            if args.reset {
                let mut store = session.engine.store();
                store.clear()?;
                store.seed_demo(chrono::Utc::now())?;
                println!(
                    "the demo workspace is back to its seed ({})",
                    store.path().display()
                );
            } else {
                println!(
                    "the demo workspace lives in {}; `hsn demo --reset` restores its seed",
                    session.engine.store().path().display()
                );
            }
            Ok(())
        }
        Command::Doctor(args) => workspace::run_doctor(args, &settings, demo).await,
    }
}

impl Command {
    /// What this command would change, if it changes anything (refused when read-only).
    fn change(&self) -> Option<&'static str> {
        match self {
            Command::Advance(args) if args.changes() => Some("the advance"),
            Command::Task(task::TaskCommand::Set(args)) if !args.changes() => None,
            Command::Task(_) => Some("the task change"),
            Command::Resolve(_) | Command::Hold(_) | Command::Resume(_) => Some("the correction"),
            Command::Setup(_) => Some("hsn setup (it creates and changes databases)"),
            Command::Outbox(args) if args.changes() => Some("the outbox change"),
            Command::Demo(args) if args.reset => Some("the demo reset"),
            _ => None,
        }
    }
}

/// A command line that cannot be run as given (a bad option value, options that
/// contradict each other): exit status 2, as for clap's own usage errors.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Usage(pub String);

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
