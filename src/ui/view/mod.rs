//! Drawing: the whole screen from the app's state, nothing else. Every area copes with
//! any size down to 20×6; below that, a plain message.

mod activity;
mod bulk;
mod chrome;
mod detail;
mod overlay;
mod overview;
mod preview;
mod table;
mod workflow;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::app::{App, Mode};
pub use crate::present::fit;

pub const MIN_WIDTH: u16 = 20;
pub const MIN_HEIGHT: u16 = 6;

pub fn draw(frame: &mut Frame, app: &mut App) {
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        frame.render_widget(
            Paragraph::new(format!(
                "hsn needs at least {MIN_WIDTH}×{MIN_HEIGHT}; this terminal is {}×{}",
                area.width, area.height
            ))
            .wrap(Wrap { trim: true }),
            area,
        );
        return;
    }
    let flash_lines = u16::from(
        app.flash.is_some()
            || app.progress.is_some()
            || !app.alerts.list.is_empty()
            || matches!(app.mode, Mode::Filter | Mode::Command(_)),
    );
    let [header, main, flash, status, keys] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(flash_lines),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    chrome::header(frame, app, header);
    if app.detail().is_some() {
        detail::draw(frame, app, main);
    } else if app.on_overview {
        overview::draw(frame, app, main);
    } else if app.on_activity {
        activity::draw(frame, app, main);
    } else {
        table::draw(frame, app, main);
    }
    chrome::flash(frame, app, flash);
    chrome::status(frame, app, status);
    chrome::keys(frame, app, keys);
    // The help's scroll stops at its last screenful, whatever keys asked for.
    if let Mode::Help { scroll } = app.mode {
        let (_, _, last_top) = overlay::help_layout(app, area);
        app.mode = Mode::Help {
            scroll: scroll.min(last_top),
        };
    }
    overlay::draw(frame, app, area);
}

/// Draws `lines` in a box of at most `width`, as tall as they wrap to (up to the screen).
pub fn boxed(frame: &mut Frame, area: Rect, width: u16, title: String, lines: Vec<Line<'static>>) {
    let width = area.width.min(width);
    let room = usize::from(width.saturating_sub(2)).max(1);
    let height: usize = lines
        .iter()
        .map(|l| l.width().div_ceil(room).max(1))
        .sum::<usize>()
        + 2;
    let height = height.min(usize::from(area.height)) as u16;
    let popup = centered(area, width, height);
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(Block::bordered().title(title)),
        popup,
    );
}

/// A rectangle of at most `width`×`height` centred in `area`.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    }
}

/// A number with thousands separators: `1,230`.
pub fn count(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `line` cut to `width` columns, the cut marked `…` in the span it falls in: status
/// lines, titles and footers never end silently at the terminal's edge.
pub fn fit_line(line: Line<'static>, width: usize) -> Line<'static> {
    if line.width() <= width {
        return line;
    }
    let mut left = width;
    let mut spans = Vec::new();
    for span in line.spans {
        let span_width = span.width();
        if span_width < left {
            left -= span_width;
            spans.push(span);
            continue;
        }
        // The span the edge falls in: cut, and the line ends here.
        let style = span.style;
        spans.push(ratatui::text::Span::styled(fit(&span.content, left), style));
        break;
    }
    Line::from(spans).style(line.style)
}

pub fn line(text: impl Into<String>) -> Line<'static> {
    Line::raw(text.into())
}
