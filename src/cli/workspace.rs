//! `hsn setup` and `hsn doctor`.
#![deny(clippy::print_stdout, clippy::print_stderr)] // print through `say`: see table.rs

use clap::Args;
use color_eyre::eyre::{Result, bail, eyre};

use super::session::Session;
use super::table::{say, say_json};
use crate::config::Settings;
use crate::domain::schema::{DATABASES, DatabaseKey};
use crate::notion::NotionId;
use crate::store::secrets::scan_store;
use crate::workspace::{doctor, setup, token_place};

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

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Only the secret scan of the synced records (credentials stored in Notion).
    #[arg(long)]
    pub secrets: bool,
    /// One JSON object per line: each check (`"kind": "check"`) and each finding
    /// (`"kind": "secret"`, masked like every other output).
    #[arg(long)]
    pub json: bool,
}

/// `hsn doctor`: where the token lives, the workspace (token, databases, schemas), then
/// the secret scan of the local store, refreshed first when connected. Exits non-zero
/// when a check fails or a credential is found.
pub async fn run_doctor(args: DoctorArgs, settings: &Settings, demo: bool) -> Result<()> {
    let setting = |key: &str| settings.get(key);
    let mut failures = 0;
    let mut print = |check: &doctor::Check| {
        if check.verdict == doctor::Verdict::Failure {
            failures += 1;
        }
        let mut out = std::io::stdout().lock();
        let _ = if args.json {
            say_json(&mut out, &check_json(check))
        } else {
            say(&mut out, &check.to_string())
        };
    };
    // The demo has no token and no workspace: only its records are scanned.
    if !args.secrets && !demo {
        let token = settings.get("NOTION_API_TOKEN");
        let from_environment =
            std::env::var("NOTION_API_TOKEN").is_ok_and(|t| !t.trim().is_empty());
        let histories = directories::BaseDirs::new()
            .map(|dirs| token_place::shell_histories(dirs.home_dir()))
            .unwrap_or_default();
        let dir = std::env::current_dir()?;
        for check in token_place::token_place(token.as_deref(), from_environment, &dir, &histories)
        {
            print(&check);
        }
        if token.is_some_and(|t| !t.trim().is_empty()) {
            let client = super::notion_client(settings)?;
            doctor::doctor(&client, &setting, &mut print).await;
        }
    }
    let session = Session::open(settings, demo, true).await?;
    let every: Vec<DatabaseKey> = DATABASES.iter().map(|d| d.key).collect();
    session.refresh(&every).await;
    let forms = settings.config_file()?.secrets.reference_forms();
    let findings = scan_store(&session.engine.store(), &forms)?;
    let mut out = std::io::stdout().lock();
    for finding in &findings {
        if args.json {
            let mut json = serde_json::to_value(finding)?;
            json["kind"] = "secret".into();
            say_json(&mut out, &json)?;
        } else {
            say(&mut out, &format!("FAIL secrets: {finding}"))?;
        }
    }
    if findings.is_empty() {
        print(&doctor::Check {
            verdict: doctor::Verdict::Ok,
            subject: "secrets".into(),
            message: "no credentials stored in the synced records; API Keys Reference holds references only".into(),
            fix: None,
        });
    } else if !args.json {
        say(
            &mut out,
            "     → move each to your secret store (vault://…, op://…, env:NAME) and keep only the reference in Notion; rotate any key that was stored",
        )?;
    }
    let credentials = |n: usize| if n == 1 { "credential" } else { "credentials" };
    let checks = |n: usize| if n == 1 { "check" } else { "checks" };
    match (failures, findings.len()) {
        (0, 0) => Ok(()),
        (0, n) => bail!("{n} {} stored in Notion (see above)", credentials(n)),
        (f, 0) => bail!("{f} {} failed", checks(f)),
        (f, n) => bail!(
            "{f} {} failed and {n} {} stored in Notion",
            checks(f),
            credentials(n)
        ),
    }
}

fn check_json(check: &doctor::Check) -> serde_json::Value {
    let verdict = match check.verdict {
        doctor::Verdict::Ok => "ok",
        doctor::Verdict::Warning => "warn",
        doctor::Verdict::Failure => "fail",
    };
    serde_json::json!({
        "kind": "check",
        "verdict": verdict,
        "subject": check.subject,
        "message": check.message,
        "fix": check.fix,
    })
}
