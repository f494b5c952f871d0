//! The `:` command line: switching databases, filters, sorts, the outbox, quitting; with
//! completion.

use super::app::{App, Mode};
use crate::domain::schema::{DATABASES, INSTANCE_STATUSES, find_database};

const WORDS: [&str; 9] = [
    "q", "quit", "help", "overview", "outbox", "refresh", "db ", "filter ", "sort ",
];

/// Every command `:` completes to.
fn candidates(text: &str) -> Vec<String> {
    let mut all: Vec<String> = WORDS.iter().map(|w| w.to_string()).collect();
    all.extend(DATABASES.iter().map(|d| d.alias.to_string()));
    all.extend(DATABASES.iter().map(|d| format!("db {}", d.alias)));
    all.extend(
        INSTANCE_STATUSES
            .iter()
            .map(|s| format!("filter status={}", s.name)),
    );
    all.push("filter stuck".into());
    all.into_iter()
        .filter(|c| c.starts_with(text) && c != text)
        .collect()
}

/// The longest completion all candidates share, or the first when they share nothing more.
pub fn complete(text: &str) -> Option<String> {
    let found = candidates(text);
    let first = found.first()?;
    let mut common = first.clone();
    for other in &found[1..] {
        while !other.starts_with(&common) {
            common.pop();
        }
    }
    Some(if common.len() > text.len() {
        common
    } else {
        first.clone()
    })
}

/// The completions shown under the command line.
pub fn hints(text: &str) -> Vec<String> {
    let mut found = candidates(text);
    found.truncate(6);
    found
}

pub fn run_command(app: &mut App, command: &str) {
    let now = app.now;
    let (word, rest) = command.split_once(' ').unwrap_or((command, ""));
    let rest = rest.trim();
    match word {
        "" => {}
        "q" | "quit" | "q!" => app.quit = true,
        "help" => app.mode = Mode::Help,
        "overview" => app.show_overview(),
        "outbox" => app.open_outbox(),
        "refresh" => {
            app.actions.push(super::app::Action::Refresh(app.tab));
        }
        "db" => match find_database(rest) {
            Some(d) => app.switch_tab(d.key),
            None => unknown_database(app, rest),
        },
        "filter" => {
            let table = app.table_mut();
            if rest.is_empty() {
                table.column_filter = None;
                table.quick = Default::default();
            } else if rest == "stuck" {
                table.quick.stuck = true;
            } else if let Some((column, value)) = rest.split_once('=') {
                match table.column_named(column) {
                    Some(index) => table.column_filter = Some((index, value.trim().to_string())),
                    None => {
                        app.flash_error(format!("no column \"{}\" here", column.trim()));
                        return;
                    }
                }
            } else {
                table.filter = rest.to_string();
            }
            table.selected = 0;
            table.recompute(now);
        }
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
                "unknown command \":{command}\": try :instances, :tasks, :db NAME, :filter status=Error, :sort COLUMN, :outbox, :q"
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
