//! `hsn list` and `hsn show`: records of the 16 databases, from the local store brought up
//! to date first.
#![deny(clippy::print_stdout, clippy::print_stderr)] // print through `say`: see table.rs

use clap::Args;
use color_eyre::eyre::{Result, bail, eyre};
use serde_json::json;

use super::session::Session;
use super::table::{render, say, say_json, say_lines, wants_json};
use crate::config::Settings;
use crate::domain::record::{Link, Record};
use crate::domain::schema::{DATABASES, DatabaseKey, DatabaseSchema, database, find_database};
use crate::present::{Titles, cell, record_json};
use crate::store::{RecordFilter, StoredRecord};

#[derive(Debug, Args)]
pub struct ListArgs {
    /// entities, agents, workflows, instances, tasks, or any other database (contacts,
    /// campaigns, products, …). With --view: the view's own (may be left out).
    pub database: Option<String>,
    /// The records a saved view shows: its filter text, quick filters and sort. Built in:
    /// mine, overdue, errors, stuck, unassigned; more in the config file's [views.NAME].
    #[arg(long, value_name = "NAME", conflicts_with_all = ["state", "status", "workflow", "assignee"])]
    pub view: Option<String>,
    /// Instances in this Current State.
    #[arg(long)]
    pub state: Option<String>,
    /// Records with this Status (e.g. Active, Error, "To Do").
    #[arg(long)]
    pub status: Option<String>,
    /// Instances of this workflow (its Workflow ID, e.g. WF-WELL-BOOK).
    #[arg(long)]
    pub workflow: Option<String>,
    /// Records whose Assigned To contains this text.
    #[arg(long)]
    pub assignee: Option<String>,
    /// At most this many records.
    #[arg(long)]
    pub limit: Option<usize>,
    /// JSON lines (the default when stdout is not a terminal).
    #[arg(long)]
    pub json: bool,
}

pub(super) fn database_named(name: &str) -> Result<&'static DatabaseSchema> {
    find_database(name).ok_or_else(|| {
        let names: Vec<&str> = DATABASES.iter().map(|d| d.alias).collect();
        eyre!(
            "no database called \"{name}\": use one of {}",
            names.join(", ")
        )
    })
}

/// The store filter for the options given, checked against the database's columns.
fn filter_for(definition: &DatabaseSchema, args: &ListArgs) -> Result<RecordFilter> {
    let needs = |flag: &str, column: &str| -> Result<()> {
        match definition.column(column) {
            Some(_) => Ok(()),
            None => bail!(
                "--{flag} does not apply to {}: it has no \"{column}\" column",
                definition.title
            ),
        }
    };
    let mut filter = RecordFilter {
        limit: args.limit,
        ..RecordFilter::default()
    };
    if let Some(state) = &args.state {
        needs("state", "Current State")?;
        filter.current_state = Some(state.clone());
    }
    if let Some(status) = &args.status {
        needs("status", "Status")?;
        filter.status = Some(crate::domain::write::choice(
            definition.key,
            "Status",
            status,
        )?);
    }
    if let Some(assignee) = &args.assignee {
        needs("assignee", "Assigned To")?;
        filter.assigned_to = Some(assignee.clone());
    }
    if args.workflow.is_some() {
        needs("workflow", "Workflow")?;
        // Applied after loading: the link is a relation or text.
        filter.limit = None;
    }
    Ok(filter)
}

/// The databases a table of `definition` shows titles from: its own and its links' targets.
pub(super) fn shown_databases(definition: &DatabaseSchema, columns: &[&str]) -> Vec<DatabaseKey> {
    let mut keys = vec![definition.key];
    keys.extend(
        columns
            .iter()
            .filter_map(|c| definition.column(c)?.relation_target()),
    );
    keys.sort();
    keys.dedup();
    keys
}

pub async fn run_list(args: ListArgs, settings: &Settings, session: &Session) -> Result<()> {
    if let Some(name) = &args.view {
        return super::views::run_view_list(name, &args, settings, session).await;
    }
    let Some(name) = &args.database else {
        bail!("name a database to list (instances, tasks, …), or a view with --view NAME");
    };
    let definition = database_named(name)?;
    let filter = filter_for(definition, &args)?;
    let columns = list_columns(definition);
    let mut refresh = shown_databases(definition, &columns);
    if args.workflow.is_some() {
        refresh.push(DatabaseKey::WorkflowsLibrary);
    }
    session.refresh(&refresh).await;

    let mut records: Vec<StoredRecord> = session.engine.store().records(definition.key, &filter)?;
    if let Some(workflow) = &args.workflow {
        let page = session
            .find(DatabaseKey::WorkflowsLibrary, workflow)
            .ok()
            .and_then(|r| r.page_id);
        records.retain(|r| match r.record.get::<Link>("Workflow") {
            Link::Pages(ids) => page.as_ref().is_some_and(|p| ids.contains(p)),
            text @ Link::Text(_) => text.ids().iter().any(|id| id == workflow),
        });
        if let Some(limit) = args.limit {
            records.truncate(limit);
        }
    }
    let records: Vec<&StoredRecord> = records.iter().collect();
    print_records(session, definition, &columns, &records, args.json)
}

/// The columns `hsn list` shows: the title, then the database's summary.
pub(super) fn list_columns(definition: &DatabaseSchema) -> Vec<&'static str> {
    let mut columns = vec![definition.title_column().name];
    columns.extend(definition.summary_names());
    columns
}

/// Prints records as a table with their count, or as JSON lines.
pub(super) fn print_records(
    session: &Session,
    definition: &DatabaseSchema,
    columns: &[&str],
    records: &[&StoredRecord],
    json: bool,
) -> Result<()> {
    let refs: Vec<&Record> = records.iter().map(|r| &r.record).collect();
    let titles = Titles::for_records(&session.engine.store(), &refs, columns)?;
    let mut out = std::io::stdout().lock();
    if wants_json(json) {
        for stored in records {
            let line = record_json(&stored.record, columns, &titles, stored.pending > 0);
            if !say_json(&mut out, &line)? {
                break;
            }
        }
        return Ok(());
    }
    let headers: Vec<String> = columns.iter().map(|c| c.to_string()).collect();
    let rows: Vec<Vec<String>> = records
        .iter()
        .map(|r| {
            let mut row: Vec<String> = columns
                .iter()
                .map(|c| cell(c, r.record.value(c), &titles))
                .collect();
            if r.pending > 0 {
                row[0].push_str(" (pending)");
            }
            row
        })
        .collect();
    if say_lines(&mut out, &render(&headers, &rows))? {
        say(&mut out, &format!("{} {}", records.len(), definition.alias))?;
    }
    Ok(())
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// A page id, or a title such as INST-1a2b3c4d, TASK-…, WF-WELL-BOOK.
    pub id: String,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// The databases to look in for a title: by its prefix when it has a known one, else all.
fn likely_databases(reference: &str) -> Vec<DatabaseKey> {
    let upper = reference.to_ascii_uppercase();
    let by_prefix = [
        ("INST-", DatabaseKey::ActiveWorkflowInstances),
        ("TASK-", DatabaseKey::Tasks),
        ("WF-", DatabaseKey::WorkflowsLibrary),
    ];
    match by_prefix
        .iter()
        .find(|(prefix, _)| upper.starts_with(prefix))
    {
        Some((_, key)) => vec![*key],
        None => DATABASES.iter().map(|d| d.key).collect(),
    }
}

/// Finds the record in the store, looking first where its name suggests.
fn find_anywhere(session: &Session, reference: &str) -> Option<Record> {
    if let Ok(id) = crate::notion::NotionId::parse(reference)
        && let Ok(Some(found)) = session.engine.store().record(id.as_str())
    {
        return Some(found.record);
    }
    likely_databases(reference)
        .into_iter()
        .find_map(|key| session.find(key, reference).ok())
}

pub async fn run_show(args: ShowArgs, session: &Session) -> Result<()> {
    // Cached already? Refresh its database only; else the likely ones, then look again.
    let record = match find_anywhere(session, &args.id) {
        Some(record) => {
            session.refresh(&[record.database]).await;
            find_anywhere(session, &args.id)
        }
        None => {
            session.refresh(&likely_databases(&args.id)).await;
            find_anywhere(session, &args.id)
        }
    }
    .ok_or_else(|| eyre!("nothing titled \"{}\" in the configured databases", args.id))?;
    let definition = database(record.database);
    let columns: Vec<&str> = definition.columns.iter().map(|c| c.name).collect();
    let titles = Titles::for_records(&session.engine.store(), &[&record], &columns)?;
    let (pending, archived) = session
        .engine
        .store()
        .record(record.page_id.as_deref().unwrap_or_default())?
        .map_or((false, false), |r| (r.pending > 0, r.archived));
    let mut out = std::io::stdout().lock();
    if args.json {
        let mut value = record_json(&record, &columns, &titles, pending);
        value["archived"] = json!(archived);
        value["drift"] = json!(
            record
                .drift
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
        );
        say_json(&mut out, &value)?;
        return Ok(());
    }
    let width = columns.iter().map(|c| c.chars().count()).max().unwrap_or(0);
    let marker = match (pending, archived) {
        (true, _) => " (changes pending)",
        (false, true) => " (archived in Notion)",
        (false, false) => "",
    };
    if !say(
        &mut out,
        &format!("{} — {}{marker}", record.title(), definition.title),
    )? {
        return Ok(());
    }
    for column in &columns {
        let text = cell(column, record.value(column), &titles);
        // The history log is long JSON: `hsn history` shows it properly.
        let text = if *column == "History Log" && !text.is_empty() {
            format!(
                "{} characters (see `hsn history {}`)",
                text.chars().count(),
                record.title()
            )
        } else {
            text
        };
        if !say(&mut out, &format!("{column:>width$}  {text}"))? {
            break;
        }
    }
    Ok(())
}
