//! The `i` pane beside (or under) a table: what the selected row does not show. A task's
//! Description, an instance's Error Message and its last history entry, then every other
//! property the table has no column for on this screen. The record is read off the loop
//! when the selection changes (`App::previewed`).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::Line;
use ratatui::widgets::{Block, Paragraph};

use super::super::app::App;
use super::super::data::Detail;
use super::detail::value_lines;
use super::fit;

/// Shown first when the record has them: what a row never has room for.
const FIRST: &[&str] = &["Description", "Error Message", "Notes"];

pub fn draw(frame: &mut Frame, app: &App, area: Rect, shown: &[&str]) {
    let theme = app.theme;
    let block = Block::bordered().title(" Detail (i hides, enter opens) ");
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let Some(row) = app.table().and_then(|t| t.selected_row()) else {
        return;
    };
    let width = usize::from(inner.width);
    let mut lines = vec![Line::styled(
        fit(row.title(), width),
        theme.header().add_modifier(Modifier::BOLD),
    )];
    match app.previewed.as_ref().filter(|d| d.page_id == row.page_id) {
        Some(detail) => {
            // A credential masked in the row or below: what it is and what to do, first.
            for (column, hint) in &detail.hints {
                for part in value_lines(&format!("{column}: {hint}"), width.max(1)) {
                    lines.push(Line::styled(part.to_string(), theme.warn()));
                }
            }
            lines.extend(unshown(app, detail, shown, width))
        }
        None => lines.push(Line::styled("loading…", theme.dim())),
    }
    let height = usize::from(inner.height);
    if lines.len() > height && height > 0 {
        // Cut at the bottom, and said so.
        lines.truncate(height - 1);
        lines.push(Line::styled(
            fit("… enter opens the whole record", width),
            theme.dim(),
        ));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

/// The record's properties the table does not show, `FIRST` first, each value wrapped
/// under its label; an instance's last history entry after its error.
fn unshown(app: &App, detail: &Detail, shown: &[&str], width: usize) -> Vec<Line<'static>> {
    let theme = app.theme;
    let mut fields: Vec<(&str, String)> = Vec::new();
    let property = |name: &str| detail.properties.iter().find(|(n, _)| *n == name);
    for name in FIRST.iter().filter(|name| !shown.contains(name)) {
        if let Some((name, value)) = property(name) {
            fields.push((name, value.clone()));
        }
    }
    if let Some(last) = detail.history.as_ref().and_then(|h| h.entries.last()) {
        let when = last.at.map(|at| at.format("%Y-%m-%d %H:%M ").to_string());
        let mut text = format!("{}{} {}", when.unwrap_or_default(), last.actor, last.action);
        if !last.note.is_empty() {
            text.push_str(" — ");
            text.push_str(&last.note);
        }
        fields.push(("Last history entry", text));
    }
    for (name, value) in &detail.properties {
        if !FIRST.contains(name) && !shown.contains(name) {
            fields.push((name, value.clone()));
        }
    }
    let room = width.saturating_sub(2).max(1);
    let mut lines = Vec::new();
    for (name, value) in fields.into_iter().filter(|(_, v)| !v.trim().is_empty()) {
        lines.push(Line::styled(fit(name, width), theme.header()));
        for part in value.lines().flat_map(|l| value_lines(l, room)) {
            lines.push(Line::raw(format!("  {part}")));
        }
    }
    if lines.is_empty() {
        lines.push(Line::styled("the row shows it all", theme.dim()));
    }
    lines
}
