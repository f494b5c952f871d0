//! An instance's history in its detail: each entry wrapped under itself (never cut), the
//! selected one marked while the history has the focus (`tab`), and `enter` shows it
//! whole with its details.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::super::super::app::{App, DetailView};
use super::super::super::data::{AuditEntry, History};
use super::super::{boxed, line};
use super::value_lines;
use crate::present::duration_text;

/// The time and the time since the entry before: the width of an entry's lead.
const WHEN: usize = 16;
const ELAPSED: usize = 7;

fn when(app: &App, entry: &AuditEntry) -> String {
    match entry.at {
        None => String::new(),
        Some(at) if app.relative_time => format!("{} ago", duration_text(app.now - at)),
        Some(at) => at.format("%Y-%m-%d %H:%M").to_string(),
    }
}

/// The text after an entry's lead: who, what, and its note.
fn text_of(entry: &AuditEntry) -> String {
    let mut text = format!("{} {}", entry.actor, entry.action);
    if !entry.note.is_empty() {
        text.push_str(" — ");
        text.push_str(&entry.note);
    }
    text.trim_start().to_string()
}

/// One entry's lines in `width`: the lead, then its text, continued under itself.
fn entry_lines(
    app: &App,
    entry: &AuditEntry,
    elapsed: &str,
    width: usize,
    selected: bool,
) -> Vec<Line<'static>> {
    let theme = app.theme;
    let mark = if selected { "▶ " } else { "" };
    let lead = WHEN + 1 + ELAPSED + 1 + mark.chars().count();
    let room = width.saturating_sub(lead).max(8);
    let text = text_of(entry);
    let actor = entry.actor.chars().count();
    let mut lines = Vec::new();
    for (i, part) in value_lines(&text, room).into_iter().enumerate() {
        let mut spans = Vec::new();
        if i == 0 {
            if selected {
                spans.push(Span::styled(mark, theme.key()));
            }
            spans.push(Span::styled(
                format!("{:<WHEN$} ", when(app, entry)),
                theme.dim(),
            ));
            spans.push(Span::raw(format!("{elapsed:>ELAPSED$} ")));
            // The actor in its colour when it is on this line whole.
            if actor > 0 && part.chars().count() > actor {
                let split = part
                    .char_indices()
                    .nth(actor)
                    .map_or(part.len(), |(at, _)| at);
                spans.push(Span::styled(part[..split].to_string(), theme.key()));
                spans.push(Span::raw(part[split..].to_string()));
            } else {
                spans.push(Span::raw(part.to_string()));
            }
        } else {
            spans.push(Span::raw(" ".repeat(lead)));
            spans.push(Span::raw(part.to_string()));
        }
        let built = Line::from(spans);
        lines.push(if selected {
            built.style(theme.selected())
        } else {
            built
        });
    }
    lines
}

pub(super) fn draw(frame: &mut Frame, app: &App, view: &DetailView, history: &History, area: Rect) {
    let theme = app.theme;
    let focus = if view.history_focus {
        "j/k, enter: whole entry"
    } else {
        "tab: select"
    };
    let title = if app.relative_time {
        format!(" History (t: absolute · {focus}) ")
    } else {
        format!(" History, UTC (t: relative · {focus}) ")
    };
    let block = Block::new()
        .borders(Borders::TOP)
        .title(crate::present::fit(&title, usize::from(area.width)));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if history.entries.is_empty() {
        frame.render_widget(Paragraph::new("no history yet").style(theme.dim()), inner);
        return;
    }
    let width = inner.width as usize;
    let height = inner.height as usize;
    let elapsed_of = |i: usize| -> String {
        let previous = history.entries[..i].iter().rev().find_map(|e| e.at);
        match (previous, history.entries[i].at) {
            (Some(p), Some(t)) => format!("+{}", duration_text(t - p)),
            _ => String::new(),
        }
    };
    let selected = view.scroll.min(history.entries.len() - 1);
    let marked = |i: usize| view.marked == Some(i) || (view.history_focus && i == selected);
    let block_of =
        |i: usize| entry_lines(app, &history.entries[i], &elapsed_of(i), width, marked(i));
    // The selected entry on screen, newest at the bottom: entries above it while they fit,
    // then below it.
    let mut first = selected;
    let mut used = block_of(selected).len();
    while first > 0 {
        let above = block_of(first - 1).len();
        if used + above > height {
            break;
        }
        used += above;
        first -= 1;
    }
    let lines: Vec<Line> = (first..history.entries.len())
        .flat_map(block_of)
        .take(height)
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
    if view.entry_open {
        whole(frame, app, &history.entries[selected]);
    }
}

/// The selected entry whole: every field, then its details JSON.
fn whole(frame: &mut Frame, app: &App, entry: &AuditEntry) {
    let theme = app.theme;
    let field = |name: &str, value: String| {
        Line::from(vec![
            Span::styled(format!("{name}: "), theme.header()),
            Span::raw(value),
        ])
    };
    let mut lines = vec![
        field(
            "When",
            entry
                .at
                .map(|at| at.format("%Y-%m-%d %H:%M:%S UTC").to_string())
                .unwrap_or_default(),
        ),
        field("Actor", entry.actor.clone()),
        field("Action", entry.action.clone()),
    ];
    if !entry.note.is_empty() {
        lines.push(field("Note", entry.note.clone()));
    }
    if !entry.details.is_empty() {
        lines.push(Line::styled("Details:", theme.header()));
        lines.extend(entry.details.lines().map(line));
    }
    let area = frame.area();
    boxed(
        frame,
        area,
        100,
        " History entry (any key closes) ".into(),
        lines,
    );
}
