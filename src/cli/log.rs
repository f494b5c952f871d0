//! `hsn log`: the audit log across every instance (each entry of every History Log), newest
//! first, filtered by who, what, which workflow or instance, and when.
#![deny(clippy::print_stdout, clippy::print_stderr)] // print through `say`: see table.rs

use chrono::{DateTime, SecondsFormat, Utc};
use clap::Args;
use color_eyre::eyre::Result;
use serde_json::{Value, json};

use super::Usage;
use super::session::Session;
use super::table::{render, say, say_json, say_lines, wants_json};
use crate::config::Settings;
use crate::domain::activity::{ActivityFilter, ActivityKind, TIME_FORMS, parse_since, parse_until};
use crate::domain::schema::DatabaseKey;
use crate::store::ActivityRow;

/// How many entries a terminal shows when `--limit` is not given.
const TERMINAL_LIMIT: usize = 50;

#[derive(Debug, Args)]
#[command(after_help = "Examples:
  hsn log --actor Solari --since 2d         what Solari did in the last two days
  hsn log --kind error --since 1w           which instances went to Error this week
  hsn log --kind transition --to completed --workflow WF-WELL-BOOK --since yesterday
  hsn log --kind error,correction --json | jq -r .instance_id

Times: 30m, 6h, 2d, 1w (before now), today, yesterday (midnight UTC), a date (2026-12-01)
or a time (2026-12-01T09:00, UTC). A date given to --until keeps that whole day.")]
pub struct LogArgs {
    /// Entries by this actor: the name's start, any case (`--actor sol` is Solari).
    #[arg(long, value_name = "NAME")]
    pub actor: Option<String>,
    /// Entries of these kinds, comma-separated: transition, task_created, task, error,
    /// correction, other, unreadable.
    #[arg(long, value_name = "KINDS", value_delimiter = ',', value_parser = ActivityKind::parse)]
    pub kind: Vec<ActivityKind>,
    /// Entries of this workflow's instances (its Workflow ID, e.g. WF-WELL-BOOK).
    #[arg(long, value_name = "WF")]
    pub workflow: Option<String>,
    /// Moves into this state (any case).
    #[arg(long, value_name = "STATE")]
    pub to: Option<String>,
    /// One instance's entries: INST-… or its page id.
    #[arg(long, value_name = "INSTANCE")]
    pub instance: Option<String>,
    /// Entries at or after this time (see below).
    #[arg(long, value_name = "WHEN")]
    pub since: Option<String>,
    /// Entries before this time (see below).
    #[arg(long, value_name = "WHEN")]
    pub until: Option<String>,
    /// At most the newest N entries; 0 for all. Default: 50 in a terminal (the last line
    /// says how many there are), all of them when piped or with --json.
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    /// JSON lines, one object per entry (the default when stdout is not a terminal).
    #[arg(long)]
    pub json: bool,
}

impl LogArgs {
    /// The store's filter for these options; `now` reads relative times. A bad value is a
    /// usage error naming the option and what it takes.
    fn filter(&self, now: DateTime<Utc>) -> Result<ActivityFilter, Usage> {
        type Parse = fn(&str, DateTime<Utc>) -> Result<DateTime<Utc>, String>;
        let time = |option: &str, text: &Option<String>, parse: Parse| {
            text.as_deref()
                .map(|t| parse(t, now))
                .transpose()
                .map_err(|_: String| {
                    Usage(format!(
                        "--{option} {:?} is not a time: use {TIME_FORMS}",
                        text.as_deref().unwrap_or_default()
                    ))
                })
        };
        let since = time("since", &self.since, parse_since)?;
        let until = time("until", &self.until, parse_until)?;
        if let (Some(since), Some(until)) = (since, until)
            && since >= until
        {
            return Err(Usage(format!(
                "--since ({}) is not before --until ({}): no entry can be in between",
                since.format("%Y-%m-%d %H:%M UTC"),
                until.format("%Y-%m-%d %H:%M UTC")
            )));
        }
        let text = |value: &Option<String>| {
            value
                .as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        Ok(ActivityFilter {
            actor: text(&self.actor),
            kinds: self.kind.clone(),
            workflow: text(&self.workflow),
            to: text(&self.to),
            instance: text(&self.instance),
            since,
            until,
        })
    }
}

pub async fn run(args: LogArgs, settings: &Settings, session: &Session) -> Result<()> {
    let now = super::overview::clock(settings)?;
    let mut filter = args.filter(now)?;
    // The workflows too: the entries name their instance's workflow by its Workflow ID.
    session
        .refresh(&[
            DatabaseKey::ActiveWorkflowInstances,
            DatabaseKey::WorkflowsLibrary,
        ])
        .await;
    if let Some(instance) = &filter.instance {
        // An instance that is not there is an error, as for `hsn history`, not an empty log.
        let record = session.find(DatabaseKey::ActiveWorkflowInstances, instance)?;
        filter.instance = record.page_id;
    }
    let store = session.engine.store();
    let mut out = std::io::stdout().lock();
    if wants_json(args.json) {
        let limit = args.limit.filter(|n| *n > 0);
        let mut failed = None;
        store.each_activity(&filter, limit, |row| {
            match say_json(&mut out, &entry_json(&row)) {
                Ok(open) => open,
                Err(e) => {
                    failed = Some(e);
                    false
                }
            }
        })?;
        return failed.map_or(Ok(()), Err);
    }
    let limit = match args.limit {
        None => Some(TERMINAL_LIMIT),
        Some(0) => None,
        Some(n) => Some(n),
    };
    let rows = store.activity(&filter, limit)?;
    let total = if limit.is_some_and(|l| rows.len() == l) {
        store.activity_count(&filter)?
    } else {
        rows.len()
    };
    let described = filter_text(&args, &filter);
    if rows.is_empty() {
        say(&mut out, &format!("no entries{described}"))?;
        return Ok(());
    }
    let headers: Vec<String> = [
        "Time (UTC)",
        "Actor",
        "Instance",
        "Workflow",
        "Kind",
        "Action",
    ]
    .iter()
    .map(|h| h.to_string())
    .collect();
    let cells: Vec<Vec<String>> = rows.iter().map(entry_cells).collect();
    if !say_lines(&mut out, &render(&headers, &cells))? {
        return Ok(());
    }
    let footer = if total > rows.len() {
        format!(
            "the newest {} of {total} entries{described}; --limit 0 for all",
            rows.len()
        )
    } else {
        let noun = if total == 1 { "entry" } else { "entries" };
        format!("{total} {noun}{described}")
    };
    say(&mut out, &footer)?;
    Ok(())
}

/// The filters as given, for the last line: ` (actor=Solari since=…)`, or nothing.
fn filter_text(args: &LogArgs, filter: &ActivityFilter) -> String {
    // The instance as typed, not the page id it was resolved to.
    let shown = ActivityFilter {
        instance: args.instance.clone(),
        ..filter.clone()
    };
    let terms = shown.describe();
    if terms.is_empty() {
        String::new()
    } else {
        format!(" ({})", terms.join(" "))
    }
}

/// One entry as a table row, made inert by `say` when printed.
fn entry_cells(row: &ActivityRow) -> Vec<String> {
    let activity = &row.activity;
    let mut time = activity.at.format("%Y-%m-%d %H:%M").to_string();
    if row.pending {
        time.push_str(" (pending)");
    }
    let action = match &activity.note {
        Some(note) if !note.is_empty() => format!("{} — {note}", activity.action),
        _ => activity.action.clone(),
    };
    vec![
        time,
        activity.actor.clone().unwrap_or_default(),
        row.instance_id.clone(),
        row.workflow.clone().unwrap_or_default(),
        activity.kind.as_str().to_string(),
        action,
    ]
}

/// One entry as the JSON line scripts read (exact text, every key present).
pub fn entry_json(row: &ActivityRow) -> Value {
    let activity = &row.activity;
    json!({
        "timestamp": activity.at.to_rfc3339_opts(SecondsFormat::Millis, true),
        "actor": activity.actor,
        "instance_id": row.instance_id,
        "instance_page": row.page_id,
        "workflow": row.workflow,
        "kind": activity.kind.as_str(),
        "from": activity.from,
        "to": activity.to,
        "action": activity.action,
        "note": activity.note,
        "details": activity.details,
        "pending": row.pending,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn args(since: Option<&str>, until: Option<&str>) -> LogArgs {
        LogArgs {
            actor: Some(" Solari ".into()),
            kind: vec![ActivityKind::Transition],
            workflow: None,
            to: Some(String::new()),
            instance: None,
            since: since.map(str::to_string),
            until: until.map(str::to_string),
            limit: None,
            json: false,
        }
    }

    #[test]
    fn options_make_the_stores_filter_and_bad_times_name_their_option() {
        let now = Utc.with_ymd_and_hms(2026, 12, 7, 12, 0, 0).unwrap();
        let filter = args(Some("2d"), Some("2026-12-07")).filter(now).unwrap();
        assert_eq!(filter.actor.as_deref(), Some("Solari"));
        assert_eq!(filter.to, None, "an empty --to filters nothing");
        assert_eq!(filter.since, Some(now - chrono::Duration::days(2)));
        assert_eq!(
            filter.until,
            Some(Utc.with_ymd_and_hms(2026, 12, 8, 0, 0, 0).unwrap()),
            "a date keeps its whole day"
        );

        let bad = args(Some("lastweek"), None).filter(now).unwrap_err();
        assert!(
            bad.0.starts_with("--since \"lastweek\" is not a time"),
            "{bad}"
        );
        assert!(bad.0.contains("2d"), "{bad}");
        let bad = args(None, Some("soon")).filter(now).unwrap_err();
        assert!(bad.0.starts_with("--until \"soon\""), "{bad}");
        let inverted = args(Some("2026-12-05"), Some("2026-12-01"))
            .filter(now)
            .unwrap_err();
        assert!(inverted.0.contains("is not before --until"), "{inverted}");
    }
}
