//! A tab's table: its columns, its rows in one text buffer, each column's sort order.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use color_eyre::eyre::Result;

use super::layout::{Measure, Placed, layout};
use super::order::column_order;
use super::{link_ref, machines};
use crate::domain::models::WorkflowInstance;
use crate::domain::schema::{ColumnFit, ColumnKind, DatabaseKey, DatabaseSchema, database};
use crate::domain::timeline::start_time;
use crate::domain::workflow::StateMachine;
use crate::present::{Titles, cell};
use crate::store::Store;

/// Where a table column's text comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnSource {
    Field(&'static str),
    /// Instances: how long since the last transition, computed against the clock at draw.
    TimeInState,
}

#[derive(Debug, Clone)]
pub struct TableColumn {
    pub source: ColumnSource,
    pub label: &'static str,
    /// The widest cell (with a pending row's ` ⟳` in the title), measured once per load.
    pub widest: u16,
    /// How its cells may be shortened, and its priority to stay (see [`super::layout`]).
    pub fit: ColumnFit,
    pub priority: u8,
    /// For select and status columns, the schema's option order sorts (High before Low).
    pub choices: &'static [crate::domain::schema::Choice],
    pub numeric: bool,
}

/// One record as a table shows it. Its cells' text is in [`TableData`] (see
/// [`TableData::cell`]): a tab may hold 100,000 rows, and one string for all of them is
/// both smaller and faster to filter than one per row. The few distinct states, statuses
/// and workflows are shared, not copied.
#[derive(Debug, Clone)]
pub struct Row {
    pub page_id: String,
    pub status: Option<Arc<str>>,
    /// When the instance entered its current state.
    pub entered: Option<DateTime<Utc>>,
    pub pending: bool,
    /// Instances: the key of its workflow in [`TableData::machines`].
    pub workflow: Option<Arc<str>>,
    pub current_state: Arc<str>,
}

/// A row with its text: what the table's selection and lookups hand out.
#[derive(Debug, Clone, Copy)]
pub struct RowView<'a> {
    data: &'a TableData,
    pub index: usize,
}

impl std::ops::Deref for RowView<'_> {
    type Target = Row;

    fn deref(&self) -> &Row {
        &self.data.rows[self.index]
    }
}

impl<'a> RowView<'a> {
    /// The text of column `column` (empty for computed columns and past the last).
    pub fn cell(&self, column: usize) -> &'a str {
        self.data.cell(self.index, column)
    }

    /// The record's title: the first column.
    pub fn title(&self) -> &'a str {
        self.cell(0)
    }
}

/// Set in a row's [`TableData::letters`] when its text is not all ASCII (the filter then
/// converts it for matching; an ASCII row is matched as it is).
pub const NOT_ASCII: u64 = 1 << 63;

/// The ASCII letters (without case) and digits in `text`, one bit each.
pub fn letters(text: &str) -> u64 {
    text.bytes().fold(0, |set, b| match b.to_ascii_lowercase() {
        c @ b'a'..=b'z' => set | 1 << (c - b'a'),
        c @ b'0'..=b'9' => set | 1 << (26 + c - b'0'),
        _ => set,
    })
}

/// The rows of a table sorted by one column, computed once per load so a sort or a
/// filter keystroke on a sorted table never compares text.
#[derive(Debug, Clone, Default)]
pub struct ColumnOrder {
    /// Row indices, ascending; equal cells keep the store's order.
    pub ascending: Vec<u32>,
    /// Each row's place in that order; equal cells share one.
    pub rank: Vec<u32>,
}

/// How fresh a database's cache is, as the footer says it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Freshness {
    pub last_refresh: Option<DateTime<Utc>>,
}

/// A database's table, ready to filter, sort and draw.
#[derive(Debug, Clone)]
pub struct TableData {
    pub key: DatabaseKey,
    pub columns: Vec<TableColumn>,
    pub rows: Vec<Row>,
    /// Every row's cells, one after another, a space between two cells of a row: row
    /// `i`'s run is what the fuzzy filter matches.
    text: String,
    /// Where each cell ends in `text`: `columns.len()` per row.
    cell_ends: Vec<u32>,
    /// Which letters and digits each row's text holds (see [`letters`]), and [`NOT_ASCII`]: a filter word
    /// with one a row lacks cannot match it, which is known without matching. Apart from
    /// the rows, so a keystroke reads 8 bytes per row, not a whole row.
    pub letters: Vec<u64>,
    /// How many of a row's first cells name the record (see [`name_cells`]): a filter
    /// word found there ranks the row higher.
    pub name_cells: usize,
    /// False while only a first screenful is loaded (the rest is on its way).
    pub complete: bool,
    /// Per column, the rows in the column's sort order (see [`ColumnOrder`]).
    pub orders: Vec<ColumnOrder>,
    /// Instances: each workflow's state machine, by the reference rows hold.
    pub machines: HashMap<String, StateMachine>,
    pub freshness: Freshness,
    pub pending_writes: usize,
}

fn label(column: &'static str) -> &'static str {
    match column {
        "Client/Lead Name" => "Client",
        "Last Transition Date" => "Last Transition",
        "Related Workflow Instance" => "Instance",
        "Related Business Entity" => "Entity",
        other => other,
    }
}

/// The columns of a database's table: its title, then its summary (Instances add the
/// time spent in the current state before the last transition).
pub fn columns_of(definition: &'static DatabaseSchema) -> Vec<TableColumn> {
    // The title is never dropped.
    let mut sources = vec![(ColumnSource::Field(definition.title_column().name), u8::MAX)];
    for shown in definition.summary {
        if definition.key == DatabaseKey::ActiveWorkflowInstances
            && shown.name == "Last Transition Date"
        {
            // The time in state says more than the date it counts from.
            sources.push((ColumnSource::TimeInState, shown.priority.saturating_add(1)));
        }
        sources.push((ColumnSource::Field(shown.name), shown.priority));
    }
    sources
        .into_iter()
        .map(|(source, priority)| {
            let (label, choices, numeric, fit) = match source {
                ColumnSource::TimeInState => ("In State", &[][..], true, ColumnFit::Number),
                ColumnSource::Field(name) => {
                    let kind = definition.column(name).map(|c| c.kind);
                    (
                        label(name),
                        kind.map(|k| k.choices()).unwrap_or_default(),
                        matches!(kind, Some(ColumnKind::Number)),
                        definition.column_fit(name),
                    )
                }
            };
            TableColumn {
                source,
                label,
                widest: 0,
                fit,
                priority,
                choices,
                numeric,
            }
        })
        .collect()
}

/// How many of a table's first cells name a record: the title, and when the title is an
/// ID (`Task ID`), the text column after it (`Task Name`).
pub fn name_cells(definition: &DatabaseSchema) -> usize {
    let title = definition.title_column().name;
    let next_is_text = definition
        .summary
        .first()
        .and_then(|shown| definition.column(shown.name))
        .is_some_and(|c| c.kind == ColumnKind::Text);
    if title.ends_with(" ID") && next_is_text {
        2
    } else {
        1
    }
}

/// How many rows a first screenful loads: more than any terminal is tall.
pub const FIRST_SCREEN: usize = 200;

/// Reads one database's table from the store: the whole of it, or with `limit` only the
/// first rows by title (a first screenful, fast whatever the database's size).
/// `data_source` is where the database syncs from (for how fresh it is).
pub fn load_table(
    store: &Store,
    key: DatabaseKey,
    data_source: Option<&str>,
    limit: Option<usize>,
) -> Result<TableData> {
    let definition = database(key);
    let columns = columns_of(definition);
    let is_instances = key == DatabaseKey::ActiveWorkflowInstances;
    let has_status = definition.column("Status").is_some();
    let names: Vec<&'static str> = columns
        .iter()
        .filter_map(|c| match c.source {
            ColumnSource::Field(name) => Some(name),
            ColumnSource::TimeInState => None,
        })
        .collect();
    let mut wanted = names.clone();
    wanted.push("Status");
    if is_instances {
        wanted.extend([
            "Workflow",
            "Current State",
            "Last Transition Date",
            "Start Date",
        ]);
    }
    // One record at a time: a table of 100,000 never holds their fields all at once.
    let mut titles = Titles::default();
    let mut shared = Interned::default();
    let mut text = String::new();
    let mut cell_ends = Vec::new();
    let mut rows: Vec<Row> = Vec::new();
    let mut row_letters = Vec::new();
    store.each_record_summary(key, &wanted, limit, |s| {
        let record = &s.record;
        titles.learn(store, record, &names)?;
        let start = text.len();
        for (i, column) in columns.iter().enumerate() {
            if i > 0 {
                text.push(' ');
            }
            if let ColumnSource::Field(name) = column.source {
                text.push_str(&cell(name, record.value(name), &titles));
            }
            cell_ends.push(text.len() as u32);
        }
        let status = has_status
            .then(|| record.get::<Option<String>>("Status"))
            .flatten()
            .map(|s| shared.get(&s));
        let (entered, workflow, current_state) = if is_instances {
            let instance = WorkflowInstance::from_record(record);
            let entered = start_time(instance.last_transition_date.as_ref())
                .or_else(|| start_time(instance.start_date.as_ref()));
            (
                entered,
                link_ref(record, "Workflow").map(|w| shared.get(&w)),
                shared.get(&instance.current_state),
            )
        } else {
            (None, None, shared.get(""))
        };
        let row_text = &text[start..];
        row_letters.push(letters(row_text) | if row_text.is_ascii() { 0 } else { NOT_ASCII });
        rows.push(Row {
            page_id: record.page_id.clone().unwrap_or_default(),
            status,
            entered,
            pending: s.pending > 0,
            workflow,
            current_state,
        });
        Ok(())
    })?;
    text.shrink_to_fit();
    cell_ends.shrink_to_fit();
    rows.shrink_to_fit();
    let mut data = TableData {
        key,
        columns,
        rows,
        text,
        cell_ends,
        letters: row_letters,
        name_cells: name_cells(definition),
        complete: true,
        orders: Vec::new(),
        machines: HashMap::new(),
        freshness: Freshness::default(),
        pending_writes: 0,
    };
    let widths: Vec<u16> = (0..data.columns.len())
        .map(|c| {
            (0..data.rows.len())
                .map(|r| {
                    // A pending row's title carries ` ⟳`.
                    let mark = if c == 0 && data.rows[r].pending { 2 } else { 0 };
                    data.cell(r, c).chars().count() + mark
                })
                .max()
                .unwrap_or(0)
                .min(usize::from(u16::MAX)) as u16
        })
        .collect();
    for (column, widest) in data.columns.iter_mut().zip(widths) {
        column.widest = match column.source {
            // `12d 23h`, `59m`: as wide as it gets.
            ColumnSource::TimeInState => 7,
            ColumnSource::Field(_) => widest,
        };
    }
    data.orders = (0..data.columns.len())
        .map(|c| column_order(&data, c))
        .collect();
    data.freshness = Freshness {
        last_refresh: data_source
            .and_then(|source| store.sync_state(source).ok().flatten())
            .and_then(|s| s.last_refresh),
    };
    // Not counted: a count reads every record, and a first screenful must not.
    data.complete = limit.is_none_or(|limit| data.rows.len() < limit);
    if is_instances {
        data.machines = machines(store)?;
    }
    data.pending_writes = store.unsettled_writes()?.len();
    if limit.is_none() {
        store.release_memory()?;
    }
    Ok(data)
}

impl TableData {
    /// The columns that show in `width` and their widths (see [`super::layout`]): computed
    /// per frame from the widths measured per load. `lead` is room the first column needs
    /// before its text (a row's mark). The column the table sorts by (`sorted`) stays as
    /// long as the title does: its arrow says how the rows are ordered.
    pub fn layout(&self, width: u16, lead: u16, sorted: Option<usize>) -> Vec<Placed> {
        let measures: Vec<Measure> = self
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| Measure {
                fit: c.fit,
                label: c.label.chars().count() as u16,
                widest: c.widest + if i == 0 { lead } else { 0 },
                priority: if sorted == Some(i) {
                    u8::MAX
                } else {
                    c.priority
                },
            })
            .collect();
        layout(&measures, width)
    }

    pub fn row(&self, index: usize) -> RowView<'_> {
        RowView { data: self, index }
    }

    /// The text of row `row`'s column `column` (empty for computed columns).
    pub fn cell(&self, row: usize, column: usize) -> &str {
        let width = self.columns.len();
        if column >= width {
            return "";
        }
        let at = row * width + column;
        let start = match at {
            0 => 0,
            // A row's first cell starts where the row before ended; others after a space.
            _ if column == 0 => self.cell_ends[at - 1] as usize,
            _ => self.cell_ends[at - 1] as usize + 1,
        };
        &self.text[start..self.cell_ends[at] as usize]
    }

    /// How long the start of row `row`'s [`haystack`](Self::haystack) naming the record
    /// is (its first [`name_cells`](Self::name_cells) cells).
    pub fn name_len(&self, row: usize) -> usize {
        let last = self.name_cells.clamp(1, self.columns.len().max(1)) - 1;
        self.cell(row, 0).len()
            + (1..=last)
                .map(|c| 1 + self.cell(row, c).len())
                .sum::<usize>()
    }

    /// Row `row`'s text for the `/` filter: every cell.
    pub fn haystack(&self, row: usize) -> &str {
        let width = self.columns.len();
        let start = match row {
            0 => 0,
            _ => self.cell_ends[row * width - 1] as usize,
        };
        &self.text[start..self.cell_ends[(row + 1) * width - 1] as usize]
    }
}

/// One shared copy of each distinct text (states, statuses, workflows repeat by the
/// thousand).
#[derive(Default)]
struct Interned(HashMap<String, Arc<str>>);

impl Interned {
    fn get(&mut self, text: &str) -> Arc<str> {
        if let Some(shared) = self.0.get(text) {
            return shared.clone();
        }
        let shared: Arc<str> = Arc::from(text);
        self.0.insert(text.to_string(), shared.clone());
        shared
    }
}
