//! Which columns of a table show in a given width, and how wide: the one layout rule of
//! the dashboard's tables (and the Activity tab's). Pure: it reads widths measured once
//! per load, so it runs every frame whatever the number of rows.
//!
//! - Identifiers, dates and numbers are never cut (`ColumnFit::never_cut`): when the
//!   columns do not fit, whole columns are dropped, lowest priority first (the rightmost
//!   of equal ones), never the first (the title).
//! - Every column gets at least its minimum (the whole cell for what is never cut, a few
//!   characters for the rest, more on a wide screen); then choices and labels get their full width; then the
//!   free-text columns share what is left, each up to its widest cell.

use crate::domain::schema::ColumnFit;

/// Spaces between two columns.
pub const SPACING: u16 = 2;
/// The least a choice is given (when its cells are wider).
const LEAST_CHOICE: u16 = 8;
/// The least a free-text column is given (when its cells are wider): this, or an eighth
/// of the width, so a wide screen drops a column rather than squeeze the text.
const LEAST_TEXT: u16 = 16;

/// One column as the layout sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Measure {
    pub fit: ColumnFit,
    /// The header's width.
    pub label: u16,
    /// The widest cell, measured once per load.
    pub widest: u16,
    /// Kept longer the higher it is; the first column is always kept.
    pub priority: u8,
}

impl Measure {
    fn least(&self, width: u16) -> u16 {
        match self.fit {
            fit if fit.never_cut() => self.widest.max(1),
            ColumnFit::Choice => self.widest.clamp(1, LEAST_CHOICE),
            _ => self.widest.clamp(1, LEAST_TEXT.max(width / 8)),
        }
    }

    /// Wide enough for every cell and the whole header.
    fn wanted(&self) -> u16 {
        self.widest.max(self.label).max(1)
    }
}

/// A column that shows: its index in the measures, its width.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placed {
    pub column: usize,
    pub width: u16,
}

/// The columns that show in `width`, in their order, and their widths. Their widths and
/// the spacing between them never exceed `width` (but the first column's least, when the
/// screen is narrower than that: it is then cut like text).
pub fn layout(columns: &[Measure], width: u16) -> Vec<Placed> {
    if columns.is_empty() {
        return Vec::new();
    }
    let mut kept: Vec<usize> = (0..columns.len()).collect();
    let total = |kept: &[usize]| -> u32 {
        kept.iter()
            .map(|&c| u32::from(columns[c].least(width)))
            .sum::<u32>()
            + u32::from(SPACING) * (kept.len() as u32 - 1)
    };
    while kept.len() > 1 && total(&kept) > u32::from(width) {
        // The lowest priority goes; of equal ones, the rightmost.
        let drop = (1..kept.len())
            .rev()
            .min_by_key(|&k| columns[kept[k]].priority)
            .expect("more than one column kept");
        kept.remove(drop);
    }
    let mut widths: Vec<u16> = kept.iter().map(|&c| columns[c].least(width)).collect();
    if kept.len() == 1 {
        return vec![Placed {
            column: kept[0],
            width: columns[kept[0]].wanted().min(width),
        }];
    }
    let mut spare = u32::from(width).saturating_sub(total(&kept));
    // Choices, numbers and headers whole first: they are short.
    for (k, &c) in kept.iter().enumerate() {
        if columns[c].fit != ColumnFit::Text {
            let grow = u32::from(columns[c].wanted() - widths[k]).min(spare);
            widths[k] += grow as u16;
            spare -= grow;
        }
    }
    // Then the text columns share the rest, evenly, each up to its widest.
    loop {
        let hungry: Vec<usize> = (0..kept.len())
            .filter(|&k| columns[kept[k]].fit == ColumnFit::Text)
            .filter(|&k| widths[k] < columns[kept[k]].wanted())
            .collect();
        if hungry.is_empty() || spare == 0 {
            break;
        }
        let share = (spare / hungry.len() as u32).max(1);
        for k in hungry {
            let grow = u32::from(columns[kept[k]].wanted() - widths[k])
                .min(share)
                .min(spare);
            widths[k] += grow as u16;
            spare -= grow;
        }
    }
    kept.into_iter()
        .zip(widths)
        .map(|(column, width)| Placed { column, width })
        .collect()
}

/// A column's header in `width`: its label, then the sort arrow (` ↑`/` ↓`) if it sorts.
/// The label is shortened (with `…`) to make room; the arrow never is.
pub fn header(label: &str, width: u16, arrow: &str) -> String {
    let arrow_width = arrow.chars().count();
    let room = usize::from(width).saturating_sub(arrow_width);
    if room == 0 {
        return arrow.trim_start().to_string();
    }
    format!("{}{arrow}", crate::present::fit(label, room))
}

#[cfg(test)]
mod tests;
