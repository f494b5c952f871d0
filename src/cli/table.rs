//! Aligned text tables for terminals, and the choice between a table and JSON lines.

use std::io::IsTerminal;

/// Cells longer than this are cut with an ellipsis, so one long description does not push
/// every other column off the screen.
const MAX_CELL: usize = 48;

/// Whether to print JSON lines: asked for, or stdout is not a terminal (a pipe, a file).
pub fn wants_json(flag: bool) -> bool {
    flag || !std::io::stdout().is_terminal()
}

/// Renders rows under headers, columns separated by two spaces, the last one not padded.
pub fn render(headers: &[String], rows: &[Vec<String>]) -> String {
    let cut = |text: &str| -> String {
        let one_line = text.replace(['\n', '\r', '\t'], " ");
        if one_line.chars().count() > MAX_CELL {
            let kept: String = one_line.chars().take(MAX_CELL - 1).collect();
            format!("{kept}…")
        } else {
            one_line
        }
    };
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| r.iter().map(|c| cut(c)).collect())
        .collect();
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in &rows {
        for (i, cell) in row.iter().enumerate() {
            if let Some(width) = widths.get_mut(i) {
                *width = (*width).max(cell.chars().count());
            }
        }
    }
    let line = |cells: &[String]| -> String {
        let mut out = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if i + 1 == cells.len() {
                out.push_str(cell);
            } else {
                out.push_str(cell);
                out.push_str(&" ".repeat(widths[i] - cell.chars().count() + 2));
            }
        }
        out.trim_end().to_string()
    };
    let mut out = line(headers);
    for row in &rows {
        out.push('\n');
        out.push_str(&line(row));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_line_up_and_long_cells_are_cut() {
        let headers = vec!["ID".to_string(), "State".to_string(), "Note".to_string()];
        let rows = vec![
            vec!["INST-1".into(), "inquiry".into(), "x".repeat(60)],
            vec!["INST-22".into(), "consultation".into(), "".into()],
        ];
        let text = render(&headers, &rows);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "ID       State         Note");
        assert!(lines[1].starts_with("INST-1   inquiry       xxx"));
        assert!(lines[1].ends_with('…'));
        assert_eq!(lines[2], "INST-22  consultation");
    }
}
