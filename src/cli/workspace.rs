//! `hsn setup` and `hsn doctor`.
#![deny(clippy::print_stdout, clippy::print_stderr)] // print through `say`: see table.rs

use clap::Args;
use color_eyre::eyre::{Result, bail, eyre};

use super::table::say;
use crate::config::Settings;
use crate::notion::NotionId;
use crate::workspace::{doctor, setup};

#[derive(Debug, Args)]
pub struct SetupArgs {
    /// The Notion page the databases go under (default: NOTION_PARENT_PAGE_ID).
    #[arg(long, value_name = "PAGE_ID")]
    pub parent: Option<String>,
    /// Print what setup would do, without calling Notion.
    #[arg(long)]
    pub dry_run: bool,
}

pub async fn run_setup(args: SetupArgs, settings: &Settings) -> Result<()> {
    let setting = |key: &str| settings.get(key);
    let parent = args
        .parent
        .or_else(|| settings.get("NOTION_PARENT_PAGE_ID"))
        .filter(|p| !p.trim().is_empty())
        .map(|p| NotionId::parse(&p).map(|id| id.to_string()))
        .transpose()?;
    if args.dry_run {
        let mut out = std::io::stdout().lock();
        for line in setup::plan(&setting, parent.as_deref()) {
            if !say(&mut out, &line)? {
                break;
            }
        }
        return Ok(());
    }
    let client = super::notion_client(settings)?;
    let env_path = std::env::current_dir()?.join(".env.notion");
    // A closed stdout does not stop setup half way: the databases matter more.
    let mut progress = |line: &str| {
        let _ = say(&mut std::io::stdout().lock(), line);
    };
    let report = setup::setup(
        &client,
        &setting,
        parent.as_deref(),
        &env_path,
        &mut progress,
    )
    .await
    .map_err(|e| eyre!(setup::describe_failure(&e)))?;
    let mut out = std::io::stdout().lock();
    for warning in &report.warnings {
        say(&mut out, &format!("warn {warning}"))?;
    }
    for problem in &report.problems {
        say(&mut out, &format!("FAIL {problem}"))?;
    }
    say(
        &mut out,
        &format!(
            "{} databases ready: {} created, {} found, {} properties added; ids written to {}",
            report.created.len() + report.found.len(),
            report.created.len(),
            report.found.len(),
            report.added.len(),
            env_path.display()
        ),
    )?;
    if !report.problems.is_empty() {
        bail!("{} problems remain (see above)", report.problems.len());
    }
    Ok(())
}

pub async fn run_doctor(settings: &Settings) -> Result<()> {
    let client = super::notion_client(settings)?;
    let setting = |key: &str| settings.get(key);
    let mut failures = 0;
    let mut print = |check: &doctor::Check| {
        if check.verdict == doctor::Verdict::Failure {
            failures += 1;
        }
        let _ = say(&mut std::io::stdout().lock(), &check.to_string());
    };
    if !doctor::doctor(&client, &setting, &mut print).await {
        bail!("{failures} checks failed");
    }
    Ok(())
}
