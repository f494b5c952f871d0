//! `hsn history INSTANCE`: an instance's audit trail, oldest first.
#![deny(clippy::print_stdout, clippy::print_stderr)] // print through `say`: see table.rs

use clap::Args;
use color_eyre::eyre::Result;
use serde_json::json;

use super::session::Session;
use super::table::{render, say, say_json, say_lines, wants_json};
use crate::domain::history::{HistoryLog, LogEntry};
use crate::domain::models::WorkflowInstance;
use crate::domain::schema::DatabaseKey;
use crate::present::duration_text;
use crate::present::inert;

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// The instance: INST-… or its page id.
    pub instance: String,
    /// The entries as JSON lines (the default when stdout is not a terminal).
    #[arg(long)]
    pub json: bool,
}

pub async fn run(args: HistoryArgs, session: &Session) -> Result<()> {
    session
        .refresh(&[DatabaseKey::ActiveWorkflowInstances])
        .await;
    let record = session.find(DatabaseKey::ActiveWorkflowInstances, &args.instance)?;
    let instance = WorkflowInstance::from_record(&record);
    let log = HistoryLog::decode(&instance.history_log);
    let mut out = std::io::stdout().lock();
    if wants_json(args.json) {
        for item in log.entries() {
            let line = match item {
                LogEntry::Entry(e) => json!({
                    "timestamp": e.timestamp().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                    "actor": e.actor(),
                    "action": e.summary(),
                    // A correction (a revert among them) is not a transition: no from/to.
                    "kind": e.kind().name(),
                    "from": e.transition_states().map(|(from, _)| from),
                    "to": e.transition_states().map(|(_, to)| to),
                    "note": e.note(),
                    "details": e.details(),
                }),
                LogEntry::Raw(text) => json!({"raw": text}),
            };
            if !say_json(&mut out, &line)? {
                break;
            }
        }
        return Ok(());
    }
    let headers: Vec<String> = ["Time (UTC)", "Elapsed", "Actor", "Action", "Note"]
        .iter()
        .map(|h| h.to_string())
        .collect();
    let mut previous = None;
    let rows: Vec<Vec<String>> = log
        .entries()
        .iter()
        .map(|item| match item {
            LogEntry::Entry(e) => {
                let elapsed = previous
                    .map(|p| format!("+{}", duration_text(e.timestamp() - p)))
                    .unwrap_or_default();
                previous = Some(e.timestamp());
                vec![
                    e.timestamp().format("%Y-%m-%d %H:%M").to_string(),
                    elapsed,
                    inert(e.actor().unwrap_or("")),
                    inert(e.summary()),
                    inert(e.note().unwrap_or("")),
                ]
            }
            LogEntry::Raw(text) => vec![
                String::new(),
                String::new(),
                String::new(),
                format!("(unreadable) {}", inert(text)),
                String::new(),
            ],
        })
        .collect();
    let heading = say(
        &mut out,
        &format!(
            "{} — {} in \"{}\"",
            instance.instance_id,
            instance.status.as_deref().unwrap_or("no status"),
            instance.current_state
        ),
    )?;
    if !heading {
        return Ok(());
    }
    if rows.is_empty() {
        say(&mut out, "no history yet")?;
    } else {
        say_lines(&mut out, &render(&headers, &rows))?;
    }
    Ok(())
}
