//! Each column's sort order, computed once per load so a sort or a filter keystroke on a
//! sorted table never compares text.

use super::data::{ColumnOrder, ColumnSource, TableData};

/// What a column sorts by: empty cells last; then the schema's option order for selects,
/// numbers as numbers, else text without case. Time in state sorts shortest first.
#[derive(Debug, Clone, PartialEq, PartialOrd)]
enum SortKey {
    Choice(usize),
    Number(f64),
    Text(String),
    Empty,
}

pub(super) fn column_order(data: &TableData, column: usize) -> ColumnOrder {
    let (rows, definition) = (&data.rows, &data.columns[column]);
    let key = |row: usize| -> SortKey {
        let text = data.cell(row, column);
        if text.is_empty() {
            return SortKey::Empty;
        }
        if !definition.choices.is_empty() {
            let rank = definition.choices.iter().position(|c| c.name == text);
            return SortKey::Choice(rank.unwrap_or(usize::MAX));
        }
        if definition.numeric
            && let Ok(number) = text.parse::<f64>()
        {
            return SortKey::Number(number);
        }
        SortKey::Text(text.to_lowercase())
    };
    let mut ascending: Vec<u32> = (0..rows.len() as u32).collect();
    let mut rank = vec![0; rows.len()];
    if definition.source == ColumnSource::TimeInState {
        // Shortest time in state first: the latest entry first.
        ascending.sort_by_key(|&i| std::cmp::Reverse(rows[i as usize].entered));
        let mut place = 0;
        for (n, &i) in ascending.iter().enumerate() {
            if n > 0 && rows[ascending[n - 1] as usize].entered != rows[i as usize].entered {
                place = n as u32;
            }
            rank[i as usize] = place;
        }
    } else {
        let keys: Vec<SortKey> = (0..rows.len()).map(key).collect();
        ascending.sort_by(|&a, &b| {
            keys[a as usize]
                .partial_cmp(&keys[b as usize])
                .unwrap_or(std::cmp::Ordering::Equal)
        });
        let mut place = 0;
        for (n, &i) in ascending.iter().enumerate() {
            if n > 0 && keys[ascending[n - 1] as usize] != keys[i as usize] {
                place = n as u32;
            }
            rank[i as usize] = place;
        }
    }
    ColumnOrder { ascending, rank }
}
