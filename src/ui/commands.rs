//! The `:` command line: switching databases, filters, sorts, saved views, the outbox,
//! quitting; with completion (`complete.rs`); `:filter` on a table (`filter.rs`).

mod complete;
mod filter;

pub use complete::{complete, hints};

use super::app::{Action, App, Mode};
use crate::domain::schema::{DATABASES, database, find_database};
use crate::domain::view::{View, check_view_name, find_view};
use crate::table::QuickFilter;

pub fn run_command(app: &mut App, command: &str) {
    let now = app.now;
    let (word, rest) = command.split_once(' ').unwrap_or((command, ""));
    let rest = rest.trim();
    match word {
        "" => {}
        "q" | "quit" | "q!" => app.quit = true,
        "help" => app.mode = Mode::Help { scroll: 0 },
        "overview" => app.show_overview(),
        "activity" => app.show_activity(),
        "filter" if app.on_activity && app.detail().is_none() => {
            super::activity::filter_command(app, rest)
        }
        "outbox" => app.open_outbox(),
        "refresh" => {
            app.actions.push(super::app::Action::Refresh(app.focus_database()));
        }
        "db" => match find_database(rest) {
            Some(d) => app.switch_tab(d.key),
            None => unknown_database(app, rest),
        },
        "filter" => filter::filter_command(app, rest),
        "view" => open_view(app, rest),
        "save" => save_view(app, rest),
        "sort" => {
            let table = app.table_mut();
            match table.column_named(rest) {
                Some(index) => table.sort_by(index, now),
                None => app.flash_error(format!("no column \"{rest}\" here")),
            }
        }
        name => match find_database(name) {
            Some(d) => app.switch_tab(d.key),
            None => app.flash_error(format!(
                "unknown command \":{command}\": try :instances, :tasks, :activity, :db NAME, :filter status=Error, :sort COLUMN, :view NAME, :save NAME, :outbox, :q"
            )),
        },
    }
}

fn unknown_database(app: &mut App, name: &str) {
    let names: Vec<&str> = DATABASES.iter().map(|d| d.alias).collect();
    app.flash_error(format!(
        "no database \"{name}\": one of {}",
        names.join(", ")
    ));
}

/// `:view NAME`: its tab, with its filter text, quick filters and sort.
fn open_view(app: &mut App, name: &str) {
    let view = match find_view(&app.views, name) {
        Ok(view) => view.clone(),
        Err(e) => return app.flash_error(e),
    };
    app.switch_tab(view.tab);
    let now = app.now;
    let table = app.table_mut();
    table.filter = view.filter.clone();
    table.column_filters.clear();
    table.quick = QuickFilter {
        only: view.quick.clone(),
        ..QuickFilter::default()
    };
    table.marks.clear();
    table.sort = None;
    // A built-in view's sort is a default: a `/` filter typed there ranks by match.
    table.sort_is_default = view.builtin;
    let mut missing = None;
    if let Some((column, descending)) = &view.sort {
        match table.column_named(column) {
            Some(index) => table.sort = Some((index, *descending)),
            // The table may still be loading: the view opens unsorted, and says so.
            None => missing = Some(column.clone()),
        }
    }
    table.selected = 0;
    table.recompute(now);
    match missing {
        Some(column) => app.flash_error(format!(
            "view {}: no column \"{column}\" here to sort by",
            view.name
        )),
        None => app.flash(format!("view {}", view.name)),
    }
}

/// `:save NAME`: the current tab's filter text, quick filters and sort, as a view in the
/// config file (its other content kept).
fn save_view(app: &mut App, name: &str) {
    if let Err(e) = check_view_name(name) {
        return app.flash_error(e);
    }
    if app.on_overview && app.detail().is_none() {
        return app.flash_error("a view is a table's: open a tab first (:save NAME there)");
    }
    let Some(table) = app.table() else {
        return app.flash_error("this tab is still loading");
    };
    if table.quick.workflow.is_some() || table.quick.state.is_some() {
        return app.flash_error(
            "the Overview's workflow and state filter cannot be saved: esc clears it",
        );
    }
    let sort = table.sort.and_then(|(column, descending)| {
        let data = table.data.as_ref()?;
        Some((data.columns.get(column)?.label.to_string(), descending))
    });
    let view = View {
        name: name.to_string(),
        tab: app.tab,
        filter: table.filter.clone(),
        quick: table.quick.only.clone(),
        sort,
        builtin: false,
    };
    let Some(path) = app.config_path.clone() else {
        return app.flash_error("no config file to save to: set HSN_CONFIG");
    };
    match app.views.iter_mut().find(|v| v.name == view.name) {
        Some(same) => *same = view.clone(),
        None => app.views.push(view.clone()),
    }
    app.flash(format!(
        "saving view {name} ({}) to {}…",
        database(view.tab).alias,
        path.display()
    ));
    app.actions.push(Action::SaveView { path, view });
}
