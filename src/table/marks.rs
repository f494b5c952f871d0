//! The rows a table has marked for a bulk action (`space`, a range, every row shown). Marks
//! are pages, not positions: they survive filtering, sorting and a refresh that keeps the
//! record.

use std::collections::HashSet;

use super::data::TableData;

#[derive(Debug, Clone, Default)]
pub struct Marks {
    pages: HashSet<String>,
    /// Where a range mark starts: the row marked or unmarked last.
    anchor: Option<String>,
}

impl Marks {
    pub fn len(&self) -> usize {
        self.pages.len()
    }

    pub fn is_empty(&self) -> bool {
        self.pages.is_empty()
    }

    pub fn contains(&self, page: &str) -> bool {
        self.pages.contains(page)
    }

    pub fn anchor(&self) -> Option<&str> {
        self.anchor.as_deref()
    }

    /// Marks `page`, or unmarks it if marked; it becomes the anchor of a range.
    pub fn toggle(&mut self, page: &str) {
        if !self.pages.remove(page) {
            self.pages.insert(page.to_string());
        }
        self.anchor = Some(page.to_string());
    }

    /// Marks every page of `pages`.
    pub fn mark_all<'a>(&mut self, pages: impl IntoIterator<Item = &'a str>) {
        self.pages.extend(pages.into_iter().map(str::to_string));
    }

    pub fn clear(&mut self) {
        self.pages.clear();
        self.anchor = None;
    }

    /// After a reload: marks on records no longer in the table go.
    pub fn keep_loaded(&mut self, data: &TableData) {
        if self.pages.is_empty() {
            return;
        }
        let mut kept = HashSet::with_capacity(self.pages.len());
        for row in &data.rows {
            if let Some(page) = self.pages.take(row.page_id.as_str()) {
                kept.insert(page);
            }
        }
        self.pages = kept;
        if self
            .anchor
            .as_deref()
            .is_some_and(|a| !data.rows.iter().any(|r| r.page_id == a))
        {
            self.anchor = None;
        }
    }

    /// The marked rows of `data`, as indices, in the store's order.
    pub fn rows(&self, data: &TableData) -> Vec<usize> {
        if self.pages.is_empty() {
            return Vec::new();
        }
        (0..data.rows.len())
            .filter(|&i| self.pages.contains(&data.rows[i].page_id))
            .collect()
    }
}
