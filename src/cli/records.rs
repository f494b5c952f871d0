//! `hsn list` and `hsn show`: records of the 16 databases, read from Notion.

use clap::Args;
use color_eyre::eyre::{Result, bail, eyre};
use serde_json::{Value, json};

use super::display::{Titles, cell, record_json};
use super::table::{render, wants_json};
use crate::domain::record::Record;
use crate::domain::schema::{DATABASES, DatabaseKey, DatabaseSchema, database, find_database};
use crate::notion::{NotionClient, NotionId};
use crate::operations::{OperationError, find_page};
use crate::workspace::sources::DataSources;

#[derive(Debug, Args)]
pub struct ListArgs {
    /// entities, agents, workflows, instances, tasks, or any other database (contacts,
    /// campaigns, products, …).
    pub database: String,
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

fn database_named(name: &str) -> Result<&'static DatabaseSchema> {
    find_database(name).ok_or_else(|| {
        let names: Vec<&str> = DATABASES.iter().map(|d| d.alias).collect();
        eyre!(
            "no database called \"{name}\": use one of {}",
            names.join(", ")
        )
    })
}

/// The Notion filter for the options given, checked against the database's columns.
async fn filter_for(
    client: &NotionClient,
    sources: &DataSources,
    definition: &DatabaseSchema,
    args: &ListArgs,
) -> Result<Option<Value>> {
    let column_for = |flag: &str, column: &'static str| -> Result<&'static str> {
        definition.column(column).map(|c| c.name).ok_or_else(|| {
            eyre!(
                "--{flag} does not apply to {}: it has no \"{column}\" column",
                definition.title
            )
        })
    };
    let mut all = Vec::new();
    if let Some(state) = &args.state {
        let column = column_for("state", "Current State")?;
        all.push(json!({"property": column, "rich_text": {"equals": state}}));
    }
    if let Some(status) = &args.status {
        let column = definition
            .column(column_for("status", "Status")?)
            .expect("checked");
        let name = column
            .kind
            .choices()
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(status))
            .map(|c| c.name)
            .ok_or_else(|| {
                let names: Vec<&str> = column.kind.choices().iter().map(|c| c.name).collect();
                eyre!(
                    "\"{status}\" is not a Status of {}: use one of {}",
                    definition.title,
                    names.join(", ")
                )
            })?;
        all.push(json!({"property": "Status", column.kind.notion_type(): {"equals": name}}));
    }
    if let Some(assignee) = &args.assignee {
        let column = column_for("assignee", "Assigned To")?;
        all.push(json!({"property": column, "rich_text": {"contains": assignee}}));
    }
    if let Some(workflow) = &args.workflow {
        let column = column_for("workflow", "Workflow")?;
        // The column is a relation in workspaces made by hsn, text in the original's.
        let live = client
            .retrieve_data_source(sources.get(definition.key)?)
            .await
            .map_err(|e| eyre!(e.explain(&format!("the database {}", definition.title))))?;
        if live.property(column).is_some_and(|p| p.kind == "relation") {
            let page = find_page(client, sources, DatabaseKey::WorkflowsLibrary, workflow).await?;
            all.push(json!({"property": column, "relation": {"contains": page.id}}));
        } else {
            all.push(json!({"property": column, "rich_text": {"equals": workflow}}));
        }
    }
    Ok(match all.len() {
        0 => None,
        1 => all.pop(),
        _ => Some(json!({"and": all})),
    })
}

pub async fn run_list(args: ListArgs, client: &NotionClient, sources: &DataSources) -> Result<()> {
    let definition = database_named(&args.database)?;
    let filter = filter_for(client, sources, definition, &args).await?;
    let title = definition.title_column().name;
    let mut query = client
        .query_data_source(sources.get(definition.key)?)?
        .sorts(vec![json!({"property": title, "direction": "ascending"})]);
    if let Some(filter) = filter {
        query = query.filter(filter);
    }
    if let Some(limit) = args.limit {
        query = query.limit(limit);
    }
    let pages = query
        .collect_all()
        .await
        .map_err(|e| eyre!(e.explain(&format!("the database {}", definition.title))))?;
    let records: Vec<Record> = pages
        .iter()
        .map(|p| Record::from_page(definition.key, p))
        .collect();
    let mut columns = vec![title];
    columns.extend(definition.summary.iter().copied());
    let titles = Titles::for_columns(client, sources, definition.key, &columns).await?;
    let mut out = std::io::stdout().lock();
    if wants_json(args.json) {
        for record in &records {
            if !super::print_line(
                &mut out,
                &record_json(record, &columns, &titles).to_string(),
            )? {
                break;
            }
        }
        return Ok(());
    }
    let headers: Vec<String> = columns.iter().map(|c| c.to_string()).collect();
    let rows: Vec<Vec<String>> = records
        .iter()
        .map(|r| columns.iter().map(|c| cell(r.value(c), &titles)).collect())
        .collect();
    super::print_line(&mut out, &render(&headers, &rows))?;
    super::print_line(&mut out, &format!("{} {}", records.len(), definition.alias))?;
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

async fn find_anywhere(
    client: &NotionClient,
    sources: &DataSources,
    reference: &str,
) -> Result<Record> {
    if let Ok(id) = NotionId::parse(reference) {
        let page = client
            .retrieve_page(id.as_str())
            .await
            .map_err(|e| eyre!(e.explain(&format!("page {}", id.short()))))?;
        let key = page
            .parent
            .data_source_id
            .as_deref()
            .and_then(|ds| sources.key_of(ds))
            .ok_or_else(|| {
                eyre!(
                    "page {} is not in one of the 16 configured databases",
                    id.short()
                )
            })?;
        return Ok(Record::from_page(key, &page));
    }
    for key in likely_databases(reference) {
        if sources.get(key).is_err() {
            continue;
        }
        match find_page(client, sources, key, reference).await {
            Ok(page) => return Ok(Record::from_page(key, &page)),
            Err(OperationError::NotFound { .. }) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    bail!("nothing titled \"{reference}\" in the configured databases")
}

pub async fn run_show(args: ShowArgs, client: &NotionClient, sources: &DataSources) -> Result<()> {
    let record = find_anywhere(client, sources, &args.id).await?;
    let definition = database(record.database);
    let columns: Vec<&str> = definition.columns.iter().map(|c| c.name).collect();
    // Titles of exactly the pages this record links to.
    let mut titles = Titles::default();
    for column in &columns {
        if let Some(crate::domain::record::FieldValue::Link(crate::domain::record::Link::Pages(
            ids,
        ))) = record.value(column)
        {
            for id in ids {
                if let Ok(page) = client.retrieve_page(id).await {
                    titles.insert(id.clone(), page.title());
                }
            }
        }
    }
    let mut out = std::io::stdout().lock();
    if args.json {
        let mut value = record_json(&record, &columns, &titles);
        value["drift"] = json!(
            record
                .drift
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
        );
        super::print_line(&mut out, &value.to_string())?;
        return Ok(());
    }
    let width = columns.iter().map(|c| c.chars().count()).max().unwrap_or(0);
    super::print_line(
        &mut out,
        &format!("{} — {}", record.title(), definition.title),
    )?;
    for column in &columns {
        let drift = record.drift.iter().find(|d| d.column == *column);
        let text = match drift {
            Some(drift) => format!("(not readable: {drift})"),
            None => cell(record.value(column), &titles),
        };
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
        super::print_line(&mut out, &format!("{column:>width$}  {text}"))?;
    }
    Ok(())
}
