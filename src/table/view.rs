//! One tab's table: its loaded data, and which rows show in which order (the rows
//! `quick.rs` offers, the `/` filter, the sort) as indices into the data, so a frame
//! never copies a row.

use chrono::{DateTime, Utc};

use super::data::{RowView, TableData};
use super::fuzzy::{Kept, Match, best_first, in_column_order, kept_scores, narrows, score_rows};
use super::marks::Marks;
use super::quick::{QuickFilter, Viewer, candidates};
use crate::domain::overview::StuckRule;
use crate::domain::schema::DatabaseKey;

#[derive(Debug, Clone, Default)]
pub struct TableView {
    pub data: Option<TableData>,
    /// Indices into `data.rows`, filtered and sorted.
    pub visible: Vec<usize>,
    /// Index into `visible`.
    pub selected: usize,
    /// The first visible row drawn.
    pub offset: usize,
    /// The `/` filter's text (see `table::query` for its syntax).
    pub filter: String,
    /// Column index and whether descending.
    pub sort: Option<(usize, bool)>,
    /// `sort` is a default (a built-in view's), not the operator's choice: while the `/`
    /// filter is typed, the best matches come first. A sort the operator chose (`s`, a
    /// shifted letter, `:sort`, a view they saved) keeps its column order.
    pub sort_is_default: bool,
    pub quick: QuickFilter,
    /// `:filter COLUMN=VALUE`, one per column, all of which a row must pass: column
    /// index and the value (case-insensitive, whole cell).
    pub column_filters: Vec<(usize, String)>,
    pub stuck_rule: StuckRule,
    pub viewer: Viewer,
    /// The rows marked for a bulk action.
    pub marks: Marks,
    narrowing: Narrowing,
}

impl TableView {
    /// An empty table of `key`'s tab with its default quick filters.
    pub fn for_tab(key: DatabaseKey, viewer: Viewer) -> TableView {
        TableView {
            quick: QuickFilter::default_for(key),
            viewer,
            ..TableView::default()
        }
    }

    pub fn total(&self) -> usize {
        self.data.as_ref().map_or(0, |d| d.rows.len())
    }

    pub fn selected_row(&self) -> Option<RowView<'_>> {
        let data = self.data.as_ref()?;
        let index = *self.visible.get(self.selected)?;
        (index < data.rows.len()).then(|| data.row(index))
    }

    /// Takes newly loaded data, keeping the selection on the same record when it is still there.
    pub fn replace(&mut self, data: TableData, now: DateTime<Utc>) {
        let keep = self.selected_row().map(|r| r.page_id.clone());
        if data.complete {
            self.marks.keep_loaded(&data);
        }
        self.data = Some(data);
        self.narrowing = Narrowing::default();
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
        let criteria = Criteria {
            quick: self.quick.clone(),
            column_filters: self.column_filters.clone(),
            now: self.quick.needs_stuck().then_some(now),
            viewer: self.viewer.clone(),
        };
        if self.narrowing.criteria.as_ref() != Some(&criteria) {
            self.narrowing = Narrowing {
                criteria: Some(criteria),
                levels: Vec::new(),
            };
        }
        // Spaces around the words change nothing but are typed: the same answer (unless
        // the last one is escaped, `\ `, and so part of a word).
        let filter = match self.filter.trim() {
            trimmed if trimmed.ends_with('\\') => self.filter.trim_start(),
            trimmed => trimmed,
        };
        // The rows the quick filters and the column filter let through, unscored.
        let offered = || -> Vec<Match> {
            candidates(
                &self.quick,
                &self.column_filters,
                &self.stuck_rule,
                &self.viewer,
                data,
                now,
            )
            .into_iter()
            .map(Match::unscored)
            .collect()
        };
        let unfiltered: Vec<Match>;
        let matched: &[Match] = if filter.trim().is_empty() {
            unfiltered = offered();
            &unfiltered
        } else {
            let levels = &mut self.narrowing.levels;
            levels.retain(|(text, _)| narrows(filter, text));
            let found = match levels.last() {
                Some((text, _)) if text == filter => None,
                Some((text, found)) => {
                    Some(score_rows(data, found, filter, kept_scores(filter, text)))
                }
                None => Some(score_rows(data, &offered(), filter, Kept::Nothing)),
            };
            if let Some(found) = found {
                if levels.len() == MAX_LEVELS {
                    levels.remove(0);
                }
                levels.push((filter.to_string(), found));
            }
            levels.last().map_or(&[], |(_, found)| found.as_slice())
        };
        let filtering = !filter.trim().is_empty();
        let in_store_order = || matched.iter().map(|m| m.row as usize).collect();
        let sort = self.sort.filter(|_| !(filtering && self.sort_is_default));
        self.visible = match sort {
            Some((column, descending)) => match data.orders.get(column) {
                Some(order) => in_column_order(order, matched, descending),
                None => in_store_order(),
            },
            // Best match first while filtering (ties in the store's order); else the
            // store's order (by title).
            None if filtering => best_first(matched),
            None => in_store_order(),
        };
        self.selected = self.selected.min(self.visible.len().saturating_sub(1));
    }

    /// `space`: marks or unmarks the selected row, and moves down.
    pub fn toggle_mark(&mut self) {
        if let Some(page) = self.selected_row().map(|r| r.page_id.clone()) {
            self.marks.toggle(&page);
            self.move_by(1);
        }
    }

    /// `v`: marks every row shown between the last row marked and the selected one.
    pub fn mark_range(&mut self) {
        let Some(data) = &self.data else { return };
        let anchor = self
            .marks
            .anchor()
            .and_then(|a| self.visible.iter().position(|&i| data.rows[i].page_id == a));
        let Some(anchor) = anchor else {
            // No range started (or its row is filtered out): this row starts one.
            if let Some(page) = self.selected_row().map(|r| r.page_id.clone()) {
                self.marks.toggle(&page);
            }
            return;
        };
        let (from, to) = (anchor.min(self.selected), anchor.max(self.selected));
        let pages = self.visible[from..=to]
            .iter()
            .map(|&i| data.rows[i].page_id.as_str());
        self.marks.mark_all(pages);
    }

    /// `ctrl-a`: marks every row the filters show.
    pub fn mark_visible(&mut self) {
        let Some(data) = &self.data else { return };
        let pages = self.visible.iter().map(|&i| data.rows[i].page_id.as_str());
        self.marks.mark_all(pages);
    }

    pub fn move_by(&mut self, delta: isize) {
        self.selected = moved(self.selected, delta, self.visible.len());
    }

    /// Keeps the selection inside a window of `height` rows; returns the window's start.
    pub fn scroll_to_selection(&mut self, height: usize) -> usize {
        self.offset = window_start(self.selected, self.offset, height, self.visible.len());
        self.offset
    }

    /// Sorts by `column`; asked again, reverses.
    pub fn sort_by(&mut self, column: usize, now: DateTime<Utc>) {
        self.sort_is_default = false;
        self.sort = match self.sort {
            Some((c, descending)) if c == column => Some((c, !descending)),
            _ => Some((column, false)),
        };
        self.recompute(now);
    }

    /// `s`: the next column, then back to the store's order.
    pub fn cycle_sort(&mut self, now: DateTime<Utc>) {
        let columns = self.data.as_ref().map_or(0, |d| d.columns.len());
        self.sort_is_default = false;
        self.sort = match self.sort {
            None if columns > 0 => Some((0, false)),
            Some((c, _)) if c + 1 < columns => Some((c + 1, false)),
            _ => None,
        };
        self.recompute(now);
    }

    /// `:filter COLUMN=VALUE`: keeps only rows whose `column` is `value` (without case),
    /// with the column filters of other columns; one of the same column is replaced.
    pub fn set_column_filter(&mut self, column: usize, value: &str) {
        let value = value.trim().to_string();
        match self.column_filters.iter_mut().find(|(c, _)| *c == column) {
            Some(same) => same.1 = value,
            None => self.column_filters.push((column, value)),
        }
    }

    /// `:filter -COLUMN`: drops the column's filter; whether there was one.
    pub fn remove_column_filter(&mut self, column: usize) -> bool {
        let before = self.column_filters.len();
        self.column_filters.retain(|(c, _)| *c != column);
        self.column_filters.len() < before
    }

    /// `esc`: the `/` text, every column filter and the quick filters back to the tab's
    /// defaults (the sort stays).
    pub fn clear_filters(&mut self, key: DatabaseKey, now: DateTime<Utc>) {
        self.filter.clear();
        self.column_filters.clear();
        self.quick = QuickFilter::default_for(key);
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

/// How many filter texts [`Narrowing`] remembers.
const MAX_LEVELS: usize = 32;

/// What the rows offered to the `/` filter were chosen by.
#[derive(Debug, Clone, PartialEq)]
struct Criteria {
    quick: QuickFilter,
    column_filters: Vec<(usize, String)>,
    /// The clock, when the stuck filter makes the rows depend on it.
    now: Option<DateTime<Utc>>,
    viewer: Viewer,
}

/// The `/` filter's answers for each text typed so far over one set of candidate rows:
/// one more character only searches what the text before it matched, and a backspace
/// finds its answer here. A keystroke over 100,000 rows costs what it matches, not 100,000.
#[derive(Debug, Clone, Default)]
pub struct Narrowing {
    criteria: Option<Criteria>,
    /// Filter texts, each extending the one before, with the rows each matched in the
    /// store's order.
    levels: Vec<(String, Vec<Match>)>,
}

/// The row `delta` rows from `selected` among `len`, kept on a row.
pub fn moved(selected: usize, delta: isize, len: usize) -> usize {
    let last = len.saturating_sub(1) as isize;
    (selected as isize + delta).clamp(0, last.max(0)) as usize
}

/// Where a window of `height` rows over `len` starts so that it shows `selected`, moving
/// as little as it can from `offset`.
pub fn window_start(selected: usize, offset: usize, height: usize, len: usize) -> usize {
    let height = height.max(1);
    let offset = if selected < offset {
        selected
    } else if selected >= offset + height {
        selected + 1 - height
    } else {
        offset
    };
    offset.min(len.saturating_sub(height))
}

#[cfg(test)]
mod tests;
