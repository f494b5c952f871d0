//! `hsn list --view NAME`: the records a saved view shows, as the dashboard shows them on
//! the view's tab: its filter text matched by the dashboard's own filter, its quick
//! filters, its sort.
#![deny(clippy::print_stdout, clippy::print_stderr)] // print through `say`: see table.rs

use std::collections::HashMap;

use color_eyre::eyre::{Result, bail, eyre};

use super::records::{ListArgs, database_named, list_columns, print_records, shown_databases};
use super::session::Session;
use crate::config::Settings;
use crate::domain::schema::{DatabaseKey, database};
use crate::domain::view::{View, find_view};
use crate::store::{RecordFilter, StoredRecord};
use crate::table::load_table;
use crate::table::{QuickFilter, TableView, Viewer};

pub async fn run_view_list(
    name: &str,
    args: &ListArgs,
    settings: &Settings,
    session: &Session,
) -> Result<()> {
    let views = settings.views()?;
    let view = find_view(&views, name).map_err(|e| eyre!(e))?;
    let definition = database(view.tab);
    if let Some(asked) = &args.database
        && database_named(asked)?.key != view.tab
    {
        bail!(
            "view \"{}\" lists {}, not {asked}: leave the database out, or choose another view",
            view.name,
            definition.alias
        );
    }
    let columns = list_columns(definition);
    let mut refresh = shown_databases(definition, &columns);
    if view.needs_stuck() {
        // Each workflow's stuck threshold goes by its Workflow ID.
        refresh.push(DatabaseKey::WorkflowsLibrary);
    }
    session.refresh(&refresh).await;

    let records = session
        .engine
        .store()
        .records(view.tab, &RecordFilter::default())?;
    let shown = shown_pages(view, settings, session)?;
    let mut by_page: HashMap<&str, &StoredRecord> = records
        .iter()
        .filter_map(|r| Some((r.record.page_id.as_deref()?, r)))
        .collect();
    let mut listed: Vec<&StoredRecord> = shown
        .iter()
        .filter_map(|page| by_page.remove(page.as_str()))
        .collect();
    if let Some(limit) = args.limit {
        listed.truncate(limit);
    }
    print_records(session, definition, &columns, &listed, args.json)
}

/// The page ids the view shows, in its order: the dashboard's table of the view's tab,
/// with its filter text, quick filters and sort, as the dashboard shows it.
fn shown_pages(view: &View, settings: &Settings, session: &Session) -> Result<Vec<String>> {
    let now = super::overview::clock(settings)?;
    let viewer = Viewer {
        operator: session.operator.name().to_string(),
        today: Some(now.with_timezone(&chrono::Local).date_naive()),
    };
    let store = session.engine.store();
    let mut table = TableView::for_tab(view.tab, viewer);
    table.data = Some(load_table(&store, view.tab, None, None)?);
    table.filter = view.filter.clone();
    table.quick = QuickFilter {
        only: view.quick.clone(),
        ..QuickFilter::default()
    };
    table.stuck_rule = settings.stuck_rule()?;
    if let Some((column, descending)) = &view.sort {
        let index = table.column_named(column).ok_or_else(|| {
            let labels: Vec<&str> = table
                .data
                .iter()
                .flat_map(|d| d.columns.iter().map(|c| c.label))
                .collect();
            eyre!(
                "view \"{}\" sorts by \"{column}\", but the {} table has no such column: use one of {}",
                view.name,
                database(view.tab).alias,
                labels.join(", ")
            )
        })?;
        table.sort = Some((index, *descending));
    }
    table.recompute(now);
    let data = table.data.as_ref().expect("loaded above");
    Ok(table
        .visible
        .iter()
        .map(|&i| data.rows[i].page_id.clone())
        .collect())
}
