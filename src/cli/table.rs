//! Aligned text tables for terminals, the choice between a table and JSON lines, and the
//! two ways a command prints: [`say`] for a line people read, [`say_json`] for a line
//! scripts read. Both keep text from Notion from acting on the terminal.

use std::io::{IsTerminal, Write};

use color_eyre::eyre::Result;

use crate::domain::secrets::shown;
use crate::present::{fit, inert, json_text};

/// Prints one line for people, made [`inert`]: controls, escape sequences and bidi
/// overrides in it (from a Notion title, state, actor or message) are shown as `�`, and
/// a newline in it is a space, so it stays one line; a credential in it (a Stripe key
/// pasted into a note) is masked (`domain::secrets`). Every human-readable line of the
/// commands goes through here. `false` when stdout is a closed pipe.
pub fn say(out: &mut impl Write, line: &str) -> Result<bool> {
    match shown(line, "") {
        Some((masked, _)) => super::print_line(out, &inert(&masked)),
        None => super::print_line(out, &inert(line)),
    }
}

/// Prints a block of lines for people, each through [`say`]: for text whose line breaks
/// are ours, such as a [`render`]ed table (which has already turned the line breaks inside
/// its cells into spaces). Text from Notion goes to [`say`], where a newline is a space.
pub fn say_lines(out: &mut impl Write, text: &str) -> Result<bool> {
    for line in text.split('\n') {
        if !say(out, line)? {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Prints one value as a JSON line for scripts: exact JSON, with the characters a
/// terminal acts on escaped (see [`json_text`]). `false` when stdout is a closed pipe.
pub fn say_json(out: &mut impl Write, value: &impl serde::Serialize) -> Result<bool> {
    super::print_line(out, &json_text(value)?)
}

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
        // Masked before the cut: half a key no longer looks like one.
        let one_line = shown(&one_line, "").map_or(one_line, |(masked, _)| masked);
        fit(&one_line, MAX_CELL)
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

    #[test]
    fn said_lines_are_inert_and_json_lines_exact() {
        let hostile = "INST-1\u{1b}]52;c;aGk=\u{7}\u{1b}[2J\u{9b}0m\u{202e}\nsecond";
        let mut out = Vec::new();
        assert!(say(&mut out, hostile).unwrap());
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            "INST-1\u{FFFD}]52;c;aGk=\u{FFFD}\u{FFFD}[2J\u{FFFD}0m\u{FFFD} second\n"
        );

        let mut out = Vec::new();
        assert!(say_lines(&mut out, &format!("a\n{hostile}")).unwrap());
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text.lines().count(), 3);
        assert!(
            !text
                .chars()
                .any(|c| c != '\n' && crate::present::hazardous(c))
        );

        let mut out = Vec::new();
        assert!(say_json(&mut out, &serde_json::json!({"title": hostile})).unwrap());
        let text = String::from_utf8(out).unwrap();
        assert!(
            !text.trim_end().chars().any(crate::present::hazardous),
            "{text}"
        );
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back["title"], hostile);
    }
}
