//! `hsn overview`: the Overview tab's figures, headless, for a morning report or a chat
//! bot. The same loader and the same pure computation as the dashboard's tab.
#![deny(clippy::print_stdout, clippy::print_stderr)] // print through `say`: see table.rs

use chrono::{DateTime, Utc};
use clap::Args;
use color_eyre::eyre::{Result, eyre};

use super::session::Session;
use super::table::{say, say_json};
use crate::config::Settings;
use crate::domain::overview::{InstanceItem, Overview, TaskItem};
use crate::present::{duration_text, inert};
use crate::store::overview::{OVERVIEW_SOURCES, load_overview};

#[derive(Debug, Args)]
pub struct OverviewArgs {
    /// One JSON object with every figure.
    #[arg(long)]
    pub json: bool,
}

/// The clock: `HSN_NOW` (RFC 3339) when set, for tests that compare figures; else now.
pub(super) fn clock(settings: &Settings) -> Result<DateTime<Utc>> {
    match settings.get("HSN_NOW") {
        None => Ok(Utc::now()),
        Some(text) => DateTime::parse_from_rfc3339(text.trim())
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| eyre!("HSN_NOW is not an RFC 3339 time ({e}): \"{text}\"")),
    }
}

pub async fn run(args: OverviewArgs, settings: &Settings, session: &Session) -> Result<()> {
    let rule = settings.stuck_rule()?;
    let now = clock(settings)?;
    session.refresh(&OVERVIEW_SOURCES).await;
    let operator = session.operator.name();
    let (overview, since) = {
        let engine = &session.engine;
        let store = engine.store();
        let overview = load_overview(&store, |key| engine.data_source(key), &rule, now)?;
        // What changed since this operator last closed the dashboard (none before the first).
        let since = match store.last_closed(operator)? {
            Some(closed) => Some(store.since_summary(closed, operator)?),
            None => None,
        };
        (overview, since)
    };
    let mut out = std::io::stdout().lock();
    if args.json {
        let mut json = serde_json::to_value(&overview)?;
        json["since_last_looked"] = serde_json::to_value(since)?;
        say_json(&mut out, &json)?;
        return Ok(());
    }
    let mut lines = report(&overview);
    if let Some(since) = since {
        let utc = chrono::FixedOffset::east_opt(0).expect("zero is an offset");
        let moment = crate::domain::since::moment_text(since.since, now, utc);
        let counts = since.counts();
        lines.insert(1, format!("Since you last looked ({moment} UTC): {counts}"));
    }
    for line in lines {
        if !say(&mut out, &line)? {
            break;
        }
    }
    Ok(())
}

fn instance_line(item: &InstanceItem, extra: &str) -> String {
    format!(
        "  {:<14} {:<14} {:<22} {:>8}  {}",
        inert(&item.instance_id),
        inert(&item.workflow_id),
        inert(&item.state),
        duration_text(chrono::Duration::seconds(item.seconds_in_state)),
        inert(extra)
    )
}

fn task_line(item: &TaskItem) -> String {
    format!(
        "  {:<13} {:<6} {:<10} {:<14} {}",
        inert(&item.task_id),
        item.priority.as_deref().unwrap_or("-"),
        item.due.map(|d| d.to_string()).unwrap_or_default(),
        inert(if item.assignee.is_empty() {
            "(unassigned)"
        } else {
            &item.assignee
        }),
        inert(&item.name)
    )
}

/// The report as text lines.
pub fn report(o: &Overview) -> Vec<String> {
    let mut lines = vec![format!(
        "Overview at {} UTC: {} instances, {} open; {} open tasks",
        o.now.format("%Y-%m-%d %H:%M"),
        o.instances,
        o.open_instances,
        o.tasks.open
    )];
    lines.push(String::new());
    lines.push("Workflows (open instances by state; ended after |)".into());
    for funnel in &o.funnels {
        let states = |terminal: bool| -> Vec<String> {
            funnel
                .states
                .iter()
                .filter(|s| s.terminal == terminal)
                .map(|s| format!("{} {}", inert(&s.state), s.count))
                .collect()
        };
        lines.push(format!(
            "  {:<16} open {:>3}  {} | {}",
            inert(&funnel.workflow_id),
            funnel.open,
            states(false).join(", "),
            states(true).join(", ")
        ));
    }
    lines.push(String::new());
    let rule = &o.stuck_rule;
    lines.push(format!(
        "Stuck: {} active instance(s) in their state over {} days ({}; no per-workflow config file yet)",
        o.stuck_count,
        rule.default_days,
        rule.source
    ));
    lines.extend(o.stuck.iter().map(|i| instance_line(i, "")));
    lines.push(format!("In error: {}", o.error_count));
    lines.extend(o.errors.iter().map(|i| instance_line(i, &i.error_message)));
    lines.push(String::new());
    let t = &o.tasks;
    for (label, list) in [
        ("Overdue tasks", &t.overdue),
        ("Due today", &t.due_today),
        ("Due in the next 6 days", &t.due_this_week),
        ("Unassigned high-priority tasks", &t.unassigned_high),
    ] {
        lines.push(format!("{label}: {}", list.len()));
        lines.extend(list.iter().map(task_line));
    }
    lines.push(String::new());
    lines.push("Activity, last 14 days (UTC): transitions / tasks created".into());
    lines.push(format!(
        "  {}",
        o.activity
            .iter()
            .map(|d| format!(
                "{} {}/{}",
                d.date.format("%m-%d"),
                d.transitions,
                d.tasks_created
            ))
            .collect::<Vec<_>>()
            .join("  ")
    ));
    lines.push("Latest history entries:".into());
    for entry in &o.recent {
        lines.push(format!(
            "  {}  {:<16} {:<14} {}",
            entry.at.format("%Y-%m-%d %H:%M"),
            inert(&entry.actor),
            inert(&entry.instance_id),
            inert(&entry.action)
        ));
    }
    lines.push(String::new());
    lines.push("Freshness:".into());
    for source in &o.freshness {
        lines.push(format!(
            "  {:<16} {}  {} pending write(s)",
            source.database,
            source
                .last_sync
                .map(|t| format!("synced {} ago", duration_text(o.now - t)))
                .unwrap_or_else(|| "never synced (local or not configured)".into()),
            source.pending_writes
        ));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stuck_threshold_comes_from_the_config_file_unless_the_environment_says() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config.toml");
        std::fs::write(
            &config,
            "[stuck]\ndays = 5\n[stuck.workflows]\nWF-WELL-BOOK = 2\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join(".env"),
            format!("HSN_CONFIG={}\n", config.display()),
        )
        .unwrap();
        let rule = Settings::load(dir.path()).unwrap().stuck_rule().unwrap();
        assert_eq!((rule.default_days, rule.source), (5, "config file"));
        assert_eq!(rule.days_for(Some("WF-WELL-BOOK")), 2);
        assert_eq!(rule.days_for(Some("WF-CONSULT")), 5);
    }
}
