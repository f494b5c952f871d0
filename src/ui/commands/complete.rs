//! Completion of the `:` line. The candidates know where the operator is: `:filter`
//! offers the current tab's columns, then the values of one (its rows' and the schema's
//! choices); `:sort` the tab's columns; `:db` the databases; `:view` the views. `tab`
//! completes the prefix all candidates share; once they share no more, each `tab` shows
//! the next candidate in turn.

use super::filter::column_values;
use crate::domain::activity::{ActivityKind, FILTER_KEYS};
use crate::domain::schema::DATABASES;
use crate::domain::schema::DatabaseKey;
use crate::ui::app::{App, Completions};

const WORDS: [&str; 12] = [
    "q", "quit", "help", "overview", "activity", "outbox", "refresh", "db ", "filter ", "sort ",
    "view ", "save ",
];

/// Every completion of `text`: those starting with it (without case), not `text` itself.
pub(super) fn candidates(app: &App, text: &str) -> Vec<String> {
    let all: Vec<String> = match text.split_once(' ') {
        None => WORDS
            .iter()
            .map(|w| w.to_string())
            .chain(DATABASES.iter().map(|d| d.alias.to_string()))
            .collect(),
        Some(("db", _)) => DATABASES
            .iter()
            .map(|d| format!("db {}", d.alias))
            .collect(),
        Some(("view", _)) => app
            .views
            .iter()
            .map(|v| format!("view {}", v.name))
            .collect(),
        Some(("sort", _)) => labels(app).map(|l| format!("sort {l}")).collect(),
        Some(("filter", _)) if app.on_activity && app.detail().is_none() => FILTER_KEYS
            .iter()
            .map(|k| format!("filter {k}="))
            .chain(ActivityKind::ALL.iter().map(|k| format!("filter kind={k}")))
            .collect(),
        Some(("filter", rest)) => table_filters(app, rest),
        Some(_) => Vec::new(),
    };
    let typed = text.to_lowercase();
    all.into_iter()
        .filter(|c| c.to_lowercase().starts_with(&typed) && c != text)
        .collect()
}

/// The current tab's column labels.
fn labels(app: &App) -> impl Iterator<Item = &'static str> + '_ {
    app.table()
        .and_then(|t| t.data.as_ref())
        .into_iter()
        .flat_map(|d| d.columns.iter().map(|c| c.label))
}

/// `:filter` on a table: `COLUMN=`, then that column's values; `-COLUMN` for the
/// column filters set.
fn table_filters(app: &App, rest: &str) -> Vec<String> {
    let Some(table) = app.table() else {
        return Vec::new();
    };
    let Some(data) = &table.data else {
        return Vec::new();
    };
    if let Some((column, _)) = rest.split_once('=') {
        let Some(index) = table.column_named(column) else {
            return Vec::new();
        };
        let values = column_values(data, index);
        let mut offered = values.present;
        for choice in values.choices {
            if !offered.iter().any(|v| v == choice) {
                offered.push(choice.to_string());
            }
        }
        return offered
            .into_iter()
            .map(|value| format!("filter {column}={value}"))
            .collect();
    }
    if rest.starts_with('-') {
        return table
            .column_filters
            .iter()
            .filter_map(|(c, _)| data.columns.get(*c))
            .map(|c| format!("filter -{}", c.label))
            .collect();
    }
    let mut offered: Vec<String> = labels(app).map(|l| format!("filter {l}=")).collect();
    if app.tab == DatabaseKey::ActiveWorkflowInstances {
        offered.push("filter stuck".into());
    }
    offered
}

/// `tab`: the prefix every candidate shares when it is longer than `text`; else the next
/// candidate in turn (the first, after a text of its own).
pub fn complete(app: &mut App, text: &str) -> Option<String> {
    if let Some(cycle) = &mut app.completions
        && cycle.candidates.get(cycle.at).is_some_and(|c| c == text)
    {
        cycle.at = (cycle.at + 1) % cycle.candidates.len();
        return Some(cycle.candidates[cycle.at].clone());
    }
    app.completions = None;
    let found = candidates(app, text);
    let first = found.first()?.clone();
    let common = common_prefix(&found);
    if found.len() == 1 || common.chars().count() > text.chars().count() {
        return Some(if found.len() == 1 { first } else { common });
    }
    app.completions = Some(Completions {
        candidates: found,
        at: 0,
    });
    Some(first)
}

/// The longest start all of `texts` share (without case), as the first writes it.
fn common_prefix(texts: &[String]) -> String {
    let Some((first, others)) = texts.split_first() else {
        return String::new();
    };
    let mut end = first.len();
    for other in others {
        end = first
            .char_indices()
            .zip(other.chars())
            .take_while(|((_, a), b)| a.to_lowercase().eq(b.to_lowercase()))
            .last()
            .map_or(0, |((at, a), _)| at + a.len_utf8())
            .min(end);
    }
    first[..end].to_string()
}

/// The completions shown under the command line.
pub fn hints(app: &App, text: &str) -> Vec<String> {
    let mut found = candidates(app, text);
    found.truncate(6);
    found
}
