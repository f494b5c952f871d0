//! `:filter` on a table tab: column filters that compose (`COLUMN=VALUE`, one per
//! column, all of which a row must pass), `-COLUMN` (or `COLUMN=`) to drop one, `stuck`,
//! any other text as the `/` filter, nothing to clear them all.

use crate::domain::schema::database;
use crate::domain::view::Quick;
use crate::table::{QuickFilter, TableData};
use crate::ui::app::App;

/// How many values a message lists before `…`.
const LISTED: usize = 8;

pub(super) fn filter_command(app: &mut App, rest: &str) {
    let (now, tab) = (app.now, app.tab);
    let table = app.table_mut();
    let flash = if rest.is_empty() {
        table.column_filters.clear();
        table.quick = QuickFilter::default_for(tab);
        None
    } else if rest == "stuck" {
        if !table.quick.has(&Quick::Stuck) {
            table.quick.toggle(Quick::Stuck);
        }
        None
    } else if let Some(column) = rest.strip_prefix('-') {
        return remove(app, column);
    } else if let Some((column, value)) = rest.split_once('=') {
        if value.trim().is_empty() {
            return remove(app, column);
        }
        let Some(index) = table.column_named(column) else {
            return app.flash_error(format!("no column \"{}\" here", column.trim()));
        };
        let message = match absent(table.data.as_ref(), index, value.trim()) {
            Absent::Present => None,
            Absent::Refused(message) => return app.flash_error(message),
            Absent::Choice(message) => Some(message),
        };
        table.set_column_filter(index, value);
        table.recompute(now);
        // Rows have the value, but another filter (the Tasks tab's `open`, say) hides
        // them: an empty table must say why.
        message.or_else(|| {
            table.visible.is_empty().then(|| {
                format!(
                    "rows with {} = {} are hidden by the other filters (esc clears them all)",
                    table.data.as_ref().map_or("", |d| d.columns[index].label),
                    value.trim()
                )
            })
        })
    } else {
        table.filter = rest.to_string();
        None
    };
    let table = app.table_mut();
    table.selected = 0;
    table.recompute(now);
    if let Some(message) = flash {
        app.flash(message);
    }
}

/// `:filter -COLUMN`: drops that column's filter, the others stay.
fn remove(app: &mut App, column: &str) {
    let now = app.now;
    let table = app.table_mut();
    let Some(index) = table.column_named(column) else {
        return app.flash_error(format!("no column \"{}\" here", column.trim()));
    };
    if !table.remove_column_filter(index) {
        return app.flash_error(format!("no filter on \"{}\" to remove", column.trim()));
    }
    table.selected = 0;
    table.recompute(now);
}

/// Whether a `:filter` value is one some row has.
enum Absent {
    Present,
    /// No row has it, nor does the schema offer it: most likely mistyped, so the filter
    /// is not applied (an empty table would say nothing of why).
    Refused(String),
    /// No row has it now, but the schema offers it (`Status=Blocked`): a fair question
    /// whose answer may change with the next sync, so the filter applies, and says so.
    Choice(String),
}

fn absent(data: Option<&TableData>, column: usize, value: &str) -> Absent {
    // Still loading: nothing to judge by.
    let Some(data) = data.filter(|d| d.complete) else {
        return Absent::Present;
    };
    let values = column_values(data, column);
    if values.present.iter().any(|v| v.eq_ignore_ascii_case(value)) {
        return Absent::Present;
    }
    let label = data.columns[column].label;
    let noun = database(data.key).alias;
    let listed = if values.present.is_empty() {
        "every row's is empty".to_string()
    } else {
        let shown: Vec<&str> = values
            .present
            .iter()
            .take(LISTED)
            .map(String::as_str)
            .collect();
        let more = if values.present.len() > LISTED {
            ", …"
        } else {
            ""
        };
        format!("values: {}{more}", shown.join(", "))
    };
    let head = format!("no row of {noun} has {label} = {value}");
    if values.choices.iter().any(|c| c.eq_ignore_ascii_case(value)) {
        Absent::Choice(format!("{head} now ({listed}); filtering on it anyway"))
    } else {
        Absent::Refused(format!("{head}; {listed}"))
    }
}

/// A column's values: those of the rows, and the schema's choices.
pub(super) struct ColumnValues {
    /// Distinct non-empty cells, in the schema's option order, then alphabetical.
    pub present: Vec<String>,
    pub choices: Vec<&'static str>,
}

pub(super) fn column_values(data: &TableData, column: usize) -> ColumnValues {
    let choices: Vec<&'static str> = data.columns[column]
        .choices
        .iter()
        .map(|c| c.name)
        .collect();
    let cells: std::collections::BTreeSet<&str> = (0..data.rows.len())
        .map(|row| data.cell(row, column))
        .filter(|cell| !cell.is_empty())
        .collect();
    let rank = |v: &&str| choices.iter().position(|c| c == v).unwrap_or(usize::MAX);
    let mut present: Vec<&str> = cells.into_iter().collect();
    // Stable: equal ranks (not choices) stay alphabetical.
    present.sort_by_key(rank);
    ColumnValues {
        present: present.into_iter().map(str::to_string).collect(),
        choices,
    }
}
