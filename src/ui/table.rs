//! One tab's table: its loaded data, and which rows show in which order (filter, quick
//! filters, sort) as indices into the data, so a frame never copies a row.

use std::cmp::Ordering;

use chrono::{DateTime, Duration, Utc};
use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

use super::data::{ColumnSource, Row, TableData};
use crate::domain::overview::StuckRule;

/// The quick filters of the Instances tab.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QuickFilter {
    pub status: Option<String>,
    /// From the Overview's funnel: a workflow (its ID and page id) and a state.
    pub workflow: Option<(String, Option<String>)>,
    pub state: Option<String>,
    /// Only rows in their state for longer than the stuck threshold.
    pub stuck: bool,
}

#[derive(Debug, Clone, Default)]
pub struct TableView {
    pub data: Option<TableData>,
    /// Indices into `data.rows`, filtered and sorted.
    pub visible: Vec<usize>,
    /// Index into `visible`.
    pub selected: usize,
    /// The first visible row drawn.
    pub offset: usize,
    pub filter: String,
    /// Column index and whether descending.
    pub sort: Option<(usize, bool)>,
    pub quick: QuickFilter,
    /// `:filter COLUMN=VALUE`: column index and the value (case-insensitive, whole cell).
    pub column_filter: Option<(usize, String)>,
    pub stuck_rule: StuckRule,
}

/// How long `row` may stay in one state before it is stuck, by its workflow's rule.
pub fn stuck_threshold(rule: &StuckRule, data: &TableData, row: &Row) -> Duration {
    let workflow = row
        .workflow
        .as_ref()
        .and_then(|w| data.machines.get(w))
        .map(|m| m.workflow_id());
    rule.threshold(workflow)
}

/// Whether an instance row is stuck at `now` (Active, in its state past the threshold).
pub fn is_stuck(rule: &StuckRule, data: &TableData, row: &Row, now: DateTime<Utc>) -> bool {
    row.status.as_deref() == Some("Active")
        && row
            .entered
            .is_some_and(|t| now - t > stuck_threshold(rule, data, row))
}

impl TableView {
    pub fn total(&self) -> usize {
        self.data.as_ref().map_or(0, |d| d.rows.len())
    }

    pub fn selected_row(&self) -> Option<&Row> {
        let data = self.data.as_ref()?;
        data.rows.get(*self.visible.get(self.selected)?)
    }

    /// Takes newly loaded data, keeping the selection on the same record when it is still there.
    pub fn replace(&mut self, data: TableData, now: DateTime<Utc>) {
        let keep = self.selected_row().map(|r| r.page_id.clone());
        self.data = Some(data);
        self.recompute(now);
        if let Some(id) = keep {
            self.select_page(&id);
        }
    }

    pub fn select_page(&mut self, page_id: &str) -> bool {
        let Some(data) = &self.data else { return false };
        if let Some(at) = self
            .visible
            .iter()
            .position(|&i| data.rows[i].page_id == page_id)
        {
            self.selected = at;
            return true;
        }
        false
    }

    /// Filters and sorts again (after a load, a filter keystroke or a sort change).
    pub fn recompute(&mut self, now: DateTime<Utc>) {
        let Some(data) = &self.data else {
            self.visible.clear();
            return;
        };
        let pattern = (!self.filter.trim().is_empty())
            .then(|| Pattern::parse(&self.filter, CaseMatching::Ignore, Normalization::Smart));
        let mut matcher = Matcher::new(Config::DEFAULT);
        let mut buffer = Vec::new();
        let mut scored: Vec<(usize, u32)> = data
            .rows
            .iter()
            .enumerate()
            .filter(|(_, row)| {
                self.quick
                    .status
                    .as_ref()
                    .is_none_or(|s| row.status.as_deref() == Some(s.as_str()))
                    && (!self.quick.stuck || is_stuck(&self.stuck_rule, data, row, now))
                    && self.quick.workflow.as_ref().is_none_or(|(id, page)| {
                        row.workflow
                            .as_ref()
                            .is_some_and(|w| w == id || page.as_ref().is_some_and(|p| p == w))
                    })
                    && self
                        .quick
                        .state
                        .as_ref()
                        .is_none_or(|s| &row.current_state == s)
                    && self.column_filter.as_ref().is_none_or(|(c, v)| {
                        row.cells.get(*c).is_some_and(|t| t.eq_ignore_ascii_case(v))
                    })
            })
            .filter_map(|(i, row)| match &pattern {
                None => Some((i, 0)),
                Some(p) => p
                    .score(Utf32Str::new(&row.haystack, &mut buffer), &mut matcher)
                    .map(|score| (i, score)),
            })
            .collect();
        match self.sort {
            Some((column, descending)) => {
                let source = data.columns.get(column).map(|c| c.source);
                let choices = data.columns.get(column).map(|c| c.choices).unwrap_or(&[]);
                let numeric = data.columns.get(column).is_some_and(|c| c.numeric);
                scored.sort_by(|(a, _), (b, _)| {
                    let (a, b) = (&data.rows[*a], &data.rows[*b]);
                    let order = match source {
                        Some(ColumnSource::TimeInState) => b.entered.cmp(&a.entered),
                        _ => compare_cells(a, b, column, choices, numeric),
                    };
                    if descending { order.reverse() } else { order }
                });
            }
            // Best match first while filtering; else the store's order (by title).
            None if pattern.is_some() => scored.sort_by_key(|(_, score)| std::cmp::Reverse(*score)),
            None => {}
        }
        self.visible = scored.into_iter().map(|(i, _)| i).collect();
        self.selected = self.selected.min(self.visible.len().saturating_sub(1));
    }

    pub fn move_by(&mut self, delta: isize) {
        let last = self.visible.len().saturating_sub(1) as isize;
        self.selected = (self.selected as isize + delta).clamp(0, last.max(0)) as usize;
    }

    /// Keeps the selection inside a window of `height` rows; returns the window's start.
    pub fn scroll_to_selection(&mut self, height: usize) -> usize {
        let height = height.max(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + height {
            self.offset = self.selected + 1 - height;
        }
        self.offset = self.offset.min(self.visible.len().saturating_sub(height));
        self.offset
    }

    /// Sorts by `column`; asked again, reverses.
    pub fn sort_by(&mut self, column: usize, now: DateTime<Utc>) {
        self.sort = match self.sort {
            Some((c, descending)) if c == column => Some((c, !descending)),
            _ => Some((column, false)),
        };
        self.recompute(now);
    }

    /// `s`: the next column, then back to the store's order.
    pub fn cycle_sort(&mut self, now: DateTime<Utc>) {
        let columns = self.data.as_ref().map_or(0, |d| d.columns.len());
        self.sort = match self.sort {
            None if columns > 0 => Some((0, false)),
            Some((c, _)) if c + 1 < columns => Some((c + 1, false)),
            _ => None,
        };
        self.recompute(now);
    }

    pub fn column_named(&self, name: &str) -> Option<usize> {
        let data = self.data.as_ref()?;
        let name = name.trim().to_lowercase();
        data.columns
            .iter()
            .position(|c| c.label.to_lowercase() == name)
            .or_else(|| {
                data.columns
                    .iter()
                    .position(|c| c.label.to_lowercase().starts_with(&name))
            })
    }
}

fn compare_cells(
    a: &Row,
    b: &Row,
    column: usize,
    choices: &[crate::domain::schema::Choice],
    numeric: bool,
) -> Ordering {
    let (x, y) = (
        a.cells.get(column).map_or("", String::as_str),
        b.cells.get(column).map_or("", String::as_str),
    );
    // Empty cells last, whatever the column.
    match (x.is_empty(), y.is_empty()) {
        (true, false) => return Ordering::Greater,
        (false, true) => return Ordering::Less,
        _ => {}
    }
    if !choices.is_empty() {
        let rank = |t: &str| {
            choices
                .iter()
                .position(|c| c.name == t)
                .unwrap_or(usize::MAX)
        };
        return rank(x).cmp(&rank(y));
    }
    if numeric && let (Ok(p), Ok(q)) = (x.parse::<f64>(), y.parse::<f64>()) {
        return p.total_cmp(&q);
    }
    x.to_lowercase().cmp(&y.to_lowercase())
}
