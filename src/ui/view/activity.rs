//! The Activity tab: the entries shown per day (a bar chart) above the audit log's table;
//! only the rows in the window are built each frame.

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, BarGroup, Block, Borders, Cell, Paragraph, Row, Table};

use super::super::app::App;
use super::{count, fit};
use crate::domain::activity::ActivityKind;
use crate::domain::schema::ColumnFit;
use crate::present::{duration_text, inert};
use crate::table::activity::{DAY_MS, Histogram};
use crate::table::layout::{Measure, Placed, SPACING, header, layout};

/// The table's columns: label, how it may be cut and its priority to stay when the width
/// runs out (`table::layout`, the tables' rule); the time is never dropped. The columns
/// after the time are the index's searched texts, in order.
const COLUMNS: [(&str, ColumnFit, u8); 6] = [
    ("TIME", ColumnFit::Date, u8::MAX),
    ("ACTOR", ColumnFit::Text, 2),
    ("INSTANCE", ColumnFit::Identifier, 4),
    ("WORKFLOW", ColumnFit::Identifier, 1),
    ("KIND", ColumnFit::Choice, 3),
    ("ACTION", ColumnFit::Text, 5),
];
/// The histogram's height, bars and the line of days under them; shown from this many
/// lines of room on.
const CHART_HEIGHT: u16 = 7;
const CHART_FROM: u16 = 16;

pub fn draw(frame: &mut Frame, app: &mut App, area: Rect) {
    let block = Block::new()
        .borders(Borders::TOP)
        .title(super::fit_line(title_line(app), usize::from(area.width)));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let theme = app.theme;
    if app.activity.data.is_none() {
        frame.render_widget(Paragraph::new("reading the audit log…"), inner);
        return;
    }
    let chart_height = if inner.height >= CHART_FROM {
        CHART_HEIGHT
    } else {
        0
    };
    let [chart, table] =
        Layout::vertical([Constraint::Length(chart_height), Constraint::Min(1)]).areas(inner);
    if chart_height > 0 {
        histogram(frame, app, chart);
    }
    let view = &app.activity;
    if view.visible().is_empty() {
        let text = if view.data.as_ref().is_some_and(|d| d.rows.is_empty()) {
            if view.filter.is_empty() {
                "no history entries yet"
            } else {
                "no entry passes these filters (esc clears them)"
            }
        } else {
            "nothing matches (esc clears the filter)"
        };
        frame.render_widget(Paragraph::new(text).style(theme.dim()), table);
        return;
    }
    rows(frame, app, table);
}

fn title_line(app: &App) -> Line<'static> {
    let theme = app.theme;
    let view = &app.activity;
    let mut spans = vec![Span::styled(" Activity ", theme.header())];
    match &view.data {
        Some(data) if !data.complete => {
            spans.push(Span::raw(format!("first {} ", count(data.rows.len()))));
            spans.push(Span::styled("loading the rest… ", theme.dim()));
        }
        Some(data) => spans.push(Span::raw(format!(
            "{} of {} ",
            count(view.visible().len()),
            count(data.rows.len())
        ))),
        None => {}
    }
    for term in view.filter.describe() {
        spans.push(Span::styled(format!("[{}] ", inert(&term)), theme.key()));
    }
    if !view.text.is_empty() {
        spans.push(Span::styled(
            format!("/{} ", inert(&view.text)),
            theme.key(),
        ));
    }
    Line::from(spans)
}

fn day_label(day: i64, format: &str) -> String {
    DateTime::<Utc>::from_timestamp_millis(day * DAY_MS)
        .map(|t| t.format(format).to_string())
        .unwrap_or_default()
}

/// The days that fit `width` (each bar and its gap), the latest kept.
fn fitting(histogram: &Histogram, width: u16) -> (i64, &[u32]) {
    let room = (width as usize / 2).max(1);
    let skip = histogram.counts.len().saturating_sub(room);
    (histogram.first_day + skip as i64, &histogram.counts[skip..])
}

fn histogram(frame: &mut Frame, app: &App, area: Rect) {
    let theme = app.theme;
    let shown = &app.activity.matcher.shown;
    let [bars, labels] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(area);
    let (first_day, counts) = fitting(&shown.histogram, area.width);
    let days = counts.len().max(1) as u16;
    // As wide as the days allow: each bar with a gap of one.
    let bar_width = ((area.width / days).saturating_sub(1)).clamp(1, 12);
    let data: Vec<Bar> = counts
        .iter()
        .map(|&n| Bar::default().value(u64::from(n)).text_value(String::new()))
        .collect();
    frame.render_widget(
        BarChart::default()
            .data(BarGroup::default().bars(&data))
            .bar_width(bar_width)
            .bar_gap(1)
            .bar_style(theme.key()),
        bars,
    );
    let in_days: u64 = counts.iter().map(|&n| u64::from(n)).sum();
    let peak = counts.iter().max().copied().unwrap_or(0);
    let last_day = first_day + counts.len() as i64 - 1;
    let left = day_label(first_day, "%b %-d");
    let right = day_label(last_day, "%b %-d");
    let plural = |n: u64, one: &str, many: &str| {
        format!("{} {}", count(n as usize), if n == 1 { one } else { many })
    };
    let middle = format!(
        "{} in {} · busiest day {}",
        plural(in_days, "entry", "entries"),
        plural(counts.len() as u64, "day", "days"),
        count(peak as usize)
    );
    // The labels span the bars, and room for the caption between the two dates.
    let used_width = (bar_width + 1) * days;
    let room =
        (used_width.max(56).min(area.width) as usize).saturating_sub(left.len() + right.len() + 2);
    let line = format!("{left} {:^room$} {right}", fit(&middle, room));
    frame.render_widget(Paragraph::new(line).style(theme.dim()), labels);
}

fn when(app: &App, at: DateTime<Utc>) -> String {
    if app.relative_time {
        format!("{} ago", duration_text(app.now - at))
    } else {
        at.format("%Y-%m-%d %H:%M").to_string()
    }
}

fn kind_style(app: &App, kind: ActivityKind) -> Style {
    match kind {
        ActivityKind::Error => app.theme.error(),
        ActivityKind::Unreadable => app.theme.warn(),
        ActivityKind::Transition => app.theme.ok(),
        _ => Style::new(),
    }
}

fn rows(frame: &mut Frame, app: &mut App, area: Rect) {
    let theme = app.theme;
    let body_height = area.height.saturating_sub(1) as usize;
    let offset = app.activity.scroll_to_selection(body_height);
    let view = &app.activity;
    let Some(data) = &view.data else { return };
    // The time as `when` writes it: `2026-11-05 14:32` or `3d 4h ago`, then ` ⟳`.
    let time_width = if app.relative_time { 11 } else { 16 } + if data.any_pending { 2 } else { 0 };
    let measures: Vec<Measure> = COLUMNS
        .iter()
        .enumerate()
        .map(|(i, &(label, fit, priority))| Measure {
            fit,
            label: label.len() as u16,
            widest: if i == 0 {
                time_width
            } else {
                data.widest[i - 1]
            },
            priority,
        })
        .collect();
    let placed = layout(&measures, area.width);
    let widths: Vec<Constraint> = placed.iter().map(|p| Constraint::Length(p.width)).collect();
    let header = Row::new(
        placed
            .iter()
            .map(|p| Cell::from(header(COLUMNS[p.column].0, p.width, ""))),
    )
    .style(theme.header());
    let built: Vec<Row> = view
        .visible()
        .iter()
        .skip(offset)
        .take(body_height)
        .enumerate()
        .map(|(i, &index)| {
            let entry = &data.rows[index as usize];
            let mut time = when(app, entry.time());
            if entry.pending {
                time.push_str(" ⟳");
            }
            let cells: Vec<Cell> = placed
                .iter()
                .map(|&Placed { column, width }| {
                    let text = match column {
                        0 => &time,
                        _ => data.text(entry, column - 1),
                    };
                    let style = if column == 4 {
                        kind_style(app, entry.kind)
                    } else {
                        Style::new()
                    };
                    Cell::from(fit(text, width.into())).style(style)
                })
                .collect();
            let row = Row::new(cells);
            if offset + i == view.selected {
                row.style(theme.selected())
            } else if entry.pending {
                row.style(theme.warn())
            } else {
                row
            }
        })
        .collect();
    frame.render_widget(
        Table::new(built, widths)
            .header(header)
            .column_spacing(SPACING),
        area,
    );
}
