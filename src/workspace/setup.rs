//! `hsn setup`: creates the 16 databases under a parent page, or completes them.
//!
//! Pass 1 creates each missing database with its non-relation columns (and adds columns or
//! options missing from one that exists); pass 2 adds the relations, by data source id,
//! once every database exists, so the order of creation never matters. Everything is
//! found again on the next run (by `.env.notion`, else by title among the parent's
//! children), so a run that stopped halfway is finished by running it again.

use std::collections::BTreeMap;
use std::path::Path;

use color_eyre::eyre::{Result, eyre};
use serde_json::{Map, Value, json};

use super::compare::{Finding, compare};
use super::env_file::update_env_file;
use super::locate::{Located, Lookup, lookup_configured, resolve};
use crate::domain::schema::{Column, ColumnKind, DATABASES, DatabaseKey, DatabaseSchema, database};
use crate::notion::{NotionClient, NotionError};

/// What a run did.
#[derive(Debug, Default)]
pub struct SetupReport {
    pub created: Vec<&'static str>,
    pub found: Vec<&'static str>,
    /// `(database title, column)` for every column or option set added.
    pub added: Vec<(&'static str, String)>,
    /// What works but deserves a look (text link columns, status groups, unknown columns).
    pub warnings: Vec<String>,
    /// What is still wrong after the run (a type changed by hand, a missing synced side).
    pub problems: Vec<String>,
}

/// The database ids found or made so far, written to `.env.notion` even when a run fails.
type Workspace = BTreeMap<DatabaseKey, Located>;

/// Runs setup. `setting` reads configuration (ids from `.env.notion`); `parent_page_id` is
/// where new databases go; `progress` receives one line per step.
pub async fn setup(
    client: &NotionClient,
    setting: &impl Fn(&str) -> Option<String>,
    parent_page_id: Option<&str>,
    env_path: &Path,
    progress: &mut dyn FnMut(&str),
) -> Result<SetupReport> {
    let mut report = SetupReport::default();
    let mut workspace = Workspace::new();
    let result = run_passes(
        client,
        setting,
        parent_page_id,
        &mut workspace,
        &mut report,
        progress,
    )
    .await;
    // Keep what was made, even after a failure: the next run starts from it.
    if !workspace.is_empty() {
        update_env_file(env_path, &env_values(&workspace))?;
    }
    result.map(|()| report)
}

async fn run_passes(
    client: &NotionClient,
    setting: &impl Fn(&str) -> Option<String>,
    parent_page_id: Option<&str>,
    workspace: &mut Workspace,
    report: &mut SetupReport,
    progress: &mut dyn FnMut(&str),
) -> Result<()> {
    let mut children: Option<BTreeMap<String, String>> = None;
    let total = DATABASES.len();
    for (n, definition) in DATABASES.iter().enumerate() {
        let step = format!("[{}/{total}] {}", n + 1, definition.title);
        let located = match find(client, setting, definition, parent_page_id, &mut children).await {
            Ok(found) => found,
            Err(e) => {
                return Err(eyre!(
                    "{step}: {}",
                    e.explain(&format!("the database {}", definition.title))
                ));
            }
        };
        let located = match located {
            Some(located) => {
                let added = complete_columns(client, definition, &located)
                    .await
                    .map_err(|e| eyre!("{step}: {e}"))?;
                report.found.push(definition.title);
                if added.is_empty() {
                    progress(&format!("{step} … found"));
                } else {
                    progress(&format!("{step} … found, added {}", added.join(", ")));
                    report
                        .added
                        .extend(added.into_iter().map(|c| (definition.title, c)));
                }
                located
            }
            None => {
                let parent = parent_page_id.ok_or_else(|| {
                    eyre!("{step}: not found; set NOTION_PARENT_PAGE_ID or pass --parent so setup can create it")
                })?;
                let located = create(client, definition, parent)
                    .await
                    .map_err(|e| eyre!("{step}: {e}"))?;
                report.created.push(definition.title);
                progress(&format!("{step} … created"));
                located
            }
        };
        workspace.insert(definition.key, located);
    }
    add_relations(client, workspace, report, progress).await?;
    verify(client, workspace, report, progress).await
}

/// The database of `definition` if it already exists: by configured id, else by title
/// among the parent page's children.
async fn find(
    client: &NotionClient,
    setting: &impl Fn(&str) -> Option<String>,
    definition: &DatabaseSchema,
    parent_page_id: Option<&str>,
    children: &mut Option<BTreeMap<String, String>>,
) -> Result<Option<Located>, NotionError> {
    if let Lookup::Found(located) = lookup_configured(client, definition, setting).await? {
        return Ok(Some(*located));
    }
    let Some(parent) = parent_page_id else {
        return Ok(None);
    };
    if children.is_none() {
        let blocks = client.list_block_children(parent).await?;
        *children = Some(
            blocks
                .iter()
                .filter(|b| b.kind == "child_database")
                .filter_map(|b| Some((b.child_title()?.to_string(), b.id.clone())))
                .collect(),
        );
    }
    match children.as_ref().and_then(|c| c.get(definition.title)) {
        Some(database_id) => resolve(client, database_id).await,
        None => Ok(None),
    }
}

/// The create-or-update config of one column, options merged with those already there.
fn column_config(
    column: &Column,
    existing_options: &[String],
    targets: &Workspace,
) -> Option<Value> {
    let mut config =
        column.notion_config(|key| targets.get(&key).map(|l| l.data_source_id().to_string()))?;
    if let Some(options) = config
        .get_mut(column.kind.notion_type())
        .and_then(|c| c.get_mut("options"))
        .and_then(Value::as_array_mut)
    {
        // Keep the options already there (someone may use them), by name.
        let mut merged: Vec<Value> = existing_options
            .iter()
            .map(|name| json!({"name": name}))
            .collect();
        merged.extend(options.drain(..).filter(|o| {
            !existing_options
                .iter()
                .any(|e| Some(e.as_str()) == o["name"].as_str())
        }));
        *options = merged;
    }
    Some(config)
}

async fn create(
    client: &NotionClient,
    definition: &DatabaseSchema,
    parent: &str,
) -> Result<Located> {
    let properties: Map<String, Value> = definition
        .plain_columns()
        .filter_map(|c| {
            Some((
                c.name.to_string(),
                column_config(c, &[], &Workspace::new())?,
            ))
        })
        .collect();
    let made = client
        .create_database(
            parent,
            definition.title,
            definition.description,
            Value::Object(properties),
        )
        .await
        .map_err(|e| eyre!(e.explain(&format!("the new database {}", definition.title))))?;
    let first = made
        .data_sources
        .first()
        .ok_or_else(|| eyre!("Notion created {} without a data source", definition.title))?;
    let data_source = client
        .retrieve_data_source(&first.id)
        .await
        .map_err(|e| eyre!(e.explain(&format!("the data source of {}", definition.title))))?;
    Ok(Located {
        database_id: made.id,
        data_source,
    })
}

/// Adds the non-relation columns and options missing from an existing database, one
/// property per request so a failure names its property. Returns what was added.
async fn complete_columns(
    client: &NotionClient,
    definition: &DatabaseSchema,
    located: &Located,
) -> Result<Vec<String>> {
    let mut added = Vec::new();
    for finding in compare(definition, &located.data_source, |_| None) {
        let (column, label) = match &finding {
            Finding::Missing { column, .. } => (*column, format!("\"{column}\"")),
            Finding::MissingOptions { column, options } => (
                *column,
                format!("options {} of \"{column}\"", options.join(", ")),
            ),
            _ => continue,
        };
        let column = definition
            .column(column)
            .expect("findings name defined columns");
        if matches!(column.kind, ColumnKind::Relation { .. }) {
            continue; // pass 2
        }
        let existing = located
            .data_source
            .property(column.name)
            .map(|p| p.option_names())
            .unwrap_or_default();
        let config = column_config(column, &existing, &Workspace::new())
            .expect("non-relation columns need no target");
        client
            .update_data_source(
                located.data_source_id(),
                json!({"properties": {column.name: config}}),
            )
            .await
            .map_err(|e| {
                eyre!(
                    "property \"{}\": {}",
                    column.name,
                    e.explain(&format!("the database {}", definition.title))
                )
            })?;
        added.push(label);
    }
    Ok(added)
}

/// Pass 2: every relation column that is missing, now that every target exists.
async fn add_relations(
    client: &NotionClient,
    workspace: &Workspace,
    report: &mut SetupReport,
    progress: &mut dyn FnMut(&str),
) -> Result<()> {
    let mut count = 0;
    for definition in &DATABASES {
        let located = &workspace[&definition.key];
        for column in definition.relation_columns() {
            if located.data_source.property(column.name).is_some() {
                continue; // there already, as a relation or as text (compared in verify)
            }
            let config =
                column_config(column, &[], workspace).expect("every target exists after pass 1");
            client
                .update_data_source(
                    located.data_source_id(),
                    json!({"properties": {column.name: config}}),
                )
                .await
                .map_err(|e| {
                    eyre!(
                        "relations: {} property \"{}\": {}",
                        definition.title,
                        column.name,
                        e.explain(&format!("the database {}", definition.title))
                    )
                })?;
            count += 1;
            report
                .added
                .push((definition.title, format!("\"{}\"", column.name)));
        }
    }
    progress(&format!("relations … {count} added"));
    Ok(())
}

/// Reads every schema back and compares it with the definition, relations included.
async fn verify(
    client: &NotionClient,
    workspace: &mut Workspace,
    report: &mut SetupReport,
    progress: &mut dyn FnMut(&str),
) -> Result<()> {
    let targets: BTreeMap<DatabaseKey, String> = workspace
        .iter()
        .map(|(k, l)| (*k, l.data_source_id().to_string()))
        .collect();
    for definition in &DATABASES {
        let located = workspace
            .get_mut(&definition.key)
            .expect("located in pass 1");
        located.data_source = client
            .retrieve_data_source(located.data_source_id())
            .await
            .map_err(|e| eyre!(e.explain(&format!("the database {}", definition.title))))?;
        for finding in compare(definition, &located.data_source, |k| {
            targets.get(&k).cloned()
        }) {
            let line = format!("{}: {finding} → {}", definition.title, finding.fix());
            if finding.is_warning() {
                report.warnings.push(line);
            } else {
                report.problems.push(line);
            }
        }
    }
    progress("schemas read back … checked");
    Ok(())
}

/// The `.env.notion` lines for what was found or made.
fn env_values(workspace: &Workspace) -> Vec<(String, String)> {
    workspace
        .iter()
        .flat_map(|(key, located)| {
            let definition = database(*key);
            [
                (definition.env_database_key(), located.database_id.clone()),
                (
                    definition.env_data_source_key(),
                    located.data_source_id().to_string(),
                ),
            ]
        })
        .collect()
}

/// `--dry-run`: what setup would do, from the configuration alone (no request to Notion).
pub fn plan(
    setting: &impl Fn(&str) -> Option<String>,
    parent_page_id: Option<&str>,
) -> Vec<String> {
    let mut lines = Vec::new();
    let total = DATABASES.len();
    lines.push(match parent_page_id {
        Some(parent) => format!("parent page: {parent}"),
        None => "parent page: not set (NOTION_PARENT_PAGE_ID or --parent); only configured databases can be completed".into(),
    });
    for (n, definition) in DATABASES.iter().enumerate() {
        let configured = [
            definition.env_data_source_key(),
            definition.env_database_key(),
        ]
        .into_iter()
        .find(|k| setting(k).is_some_and(|v| !v.trim().is_empty()));
        let columns: Vec<String> = definition
            .plain_columns()
            .map(|c| format!("{} ({})", c.name, c.kind.notion_type()))
            .collect();
        let action = match configured {
            Some(key) => format!("check {key} and add what is missing of"),
            None => "find by title under the parent, or create with".to_string(),
        };
        lines.push(format!(
            "[{}/{total}] {}: {action} {} properties: {}",
            n + 1,
            definition.title,
            columns.len(),
            columns.join(", ")
        ));
    }
    for definition in &DATABASES {
        for column in definition.relation_columns() {
            if let ColumnKind::Relation { target, backlink } = column.kind {
                let two_way = match backlink {
                    crate::domain::schema::Backlink::Creates(other) => {
                        format!(" (two-way, with \"{other}\")")
                    }
                    _ => String::new(),
                };
                lines.push(format!(
                    "relation: {}.\"{}\" → {}{two_way}",
                    definition.title,
                    column.name,
                    database(target).title
                ));
            }
        }
    }
    lines.push(
        "then: read every schema back, report status groups, write .env.notion (mode 0600)".into(),
    );
    lines
}

/// Explains a failure in the context of the whole run.
pub fn describe_failure(error: &color_eyre::eyre::Report) -> String {
    format!("{error:#}; what was made is kept: run `hsn setup` again to finish")
}
