//! A record's detail: every property, its links (navigable), and for an instance the
//! audit trail and the timeline of its state spans drawn to scale.

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::super::app::{App, DetailView};
use super::super::data::{Detail, History};
use super::fit;
use crate::domain::schema::database;
use crate::present::duration_text;

mod audit;

pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    let Some(view) = app.detail() else { return };
    let Some(detail) = &view.detail else {
        frame.render_widget(Paragraph::new("loading…"), area);
        return;
    };
    let theme = app.theme;
    let mut title = vec![
        Span::styled(format!(" {} ", detail.title), theme.title()),
        Span::styled(format!("· {} ", database(detail.key).title), theme.dim()),
    ];
    if detail.pending {
        title.push(Span::styled("⟳ pending ", theme.warn()));
    }
    if app.follow {
        title.push(Span::styled("[following] ", theme.key()));
    }
    let block = Block::new()
        .borders(Borders::TOP)
        .title(super::fit_line(Line::from(title), usize::from(area.width)));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if detail.machine.is_some() {
        return super::workflow::draw(frame, app, view, detail, inner);
    }
    let Some(history) = &detail.history else {
        let [left, right] = split(inner, 2);
        properties(frame, app, detail, left);
        links(frame, app, Some(view.link), detail, right);
        return;
    };
    let timeline_height = (history.spans.len() as u16 + 2)
        .min(inner.height / 3)
        .max(3);
    if inner.width >= 100 {
        let [left, right] =
            Layout::horizontal([Constraint::Percentage(40), Constraint::Percentage(60)])
                .areas(inner);
        let [props, link_area] = Layout::vertical([
            Constraint::Min(3),
            Constraint::Length(links_height(detail, left)),
        ])
        .areas(left);
        properties(frame, app, detail, props);
        links(frame, app, Some(view.link), detail, link_area);
        let [time, audit_area] =
            Layout::vertical([Constraint::Length(timeline_height), Constraint::Min(3)])
                .areas(right);
        timeline(frame, app, view, history, time);
        audit::draw(frame, app, view, history, audit_area);
    } else {
        let [time, audit_area, link_area, props] = Layout::vertical([
            Constraint::Length(timeline_height),
            Constraint::Min(3),
            Constraint::Length(links_height(detail, inner).min(5)),
            Constraint::Min(0),
        ])
        .areas(inner);
        timeline(frame, app, view, history, time);
        audit::draw(frame, app, view, history, audit_area);
        links(frame, app, Some(view.link), detail, link_area);
        properties(frame, app, detail, props);
    }
}

pub(super) fn split(area: Rect, parts: u32) -> [Rect; 2] {
    if area.width >= 80 {
        Layout::horizontal([Constraint::Ratio(1, parts), Constraint::Ratio(1, parts)]).areas(area)
    } else {
        Layout::vertical([Constraint::Min(3), Constraint::Min(3)]).areas(area)
    }
}

fn links_height(detail: &Detail, area: Rect) -> u16 {
    (detail.links.len() as u16 + 2).min(area.height / 2).max(3)
}

pub(super) fn properties(frame: &mut Frame, app: &App, detail: &Detail, area: Rect) {
    let theme = app.theme;
    let label_width = detail
        .properties
        .iter()
        .map(|(n, _)| n.chars().count())
        .max()
        .unwrap_or(0);
    // A long value continues under itself, not under the labels.
    let room = (area.width as usize).saturating_sub(label_width + 1).max(8);
    let lines: Vec<Line> = detail
        .properties
        .iter()
        .flat_map(|(name, value)| {
            let style = theme.value(value);
            let mut lines: Vec<Line> = value_lines(value, room)
                .into_iter()
                .enumerate()
                .map(|(i, part)| {
                    let label: &str = if i == 0 { name } else { "" };
                    Line::from(vec![
                        Span::styled(format!("{label:>label_width$} "), theme.header()),
                        Span::styled(part.to_string(), style),
                    ])
                })
                .collect();
            // A masked credential: what it looks like and what to do, under it.
            for (_, hint) in detail.hints.iter().filter(|(column, _)| column == name) {
                for part in value_lines(hint, room) {
                    lines.push(Line::from(vec![
                        Span::raw(format!("{:label_width$} ", "")),
                        Span::styled(part.to_string(), theme.warn()),
                    ]));
                }
            }
            lines
        })
        .collect();
    frame.render_widget(
        Paragraph::new(lines)
            .block(Block::new().borders(Borders::TOP).title(" Properties "))
            .wrap(Wrap { trim: false }),
        area,
    );
}

/// `value` cut into lines of at most `room` characters, after a space where there is one
/// in the second half of the line.
pub(super) fn value_lines(value: &str, room: usize) -> Vec<&str> {
    let mut lines = Vec::new();
    let mut rest = value;
    while rest.chars().count() > room {
        let cut = rest
            .char_indices()
            .nth(room)
            .map_or(rest.len(), |(at, _)| at);
        let at = match rest[..cut].rfind(' ') {
            Some(space) if space >= cut / 2 => space + 1,
            _ => cut,
        };
        lines.push(&rest[..at]);
        rest = &rest[at..];
    }
    lines.push(rest);
    lines
}

/// The record's links, `selected` (an index into them) highlighted and kept in view.
pub(super) fn links(
    frame: &mut Frame,
    app: &App,
    selected: Option<usize>,
    detail: &Detail,
    area: Rect,
) {
    let theme = app.theme;
    let lines: Vec<Line> = if detail.links.is_empty() {
        vec![Line::styled("no links", theme.dim())]
    } else {
        detail
            .links
            .iter()
            .enumerate()
            .map(|(i, link)| {
                let style = if Some(i) == selected {
                    theme.selected()
                } else {
                    ratatui::style::Style::new()
                };
                let text = format!("{}: {}", link.column, link.title);
                Line::styled(fit(&text, area.width.into()), style)
            })
            .collect()
    };
    let height = area.height.saturating_sub(1) as usize;
    let skip = selected
        .unwrap_or(0)
        .saturating_sub(height.saturating_sub(1));
    frame.render_widget(
        Paragraph::new(lines.into_iter().skip(skip).collect::<Vec<_>>()).block(
            Block::new()
                .borders(Borders::TOP)
                .title(" Links (j/k, enter opens) "),
        ),
        area,
    );
}

/// The spans on one time axis, from the first start to now: each state a bar where it
/// was, with its duration; the current one open-ended.
fn timeline(frame: &mut Frame, app: &App, view: &DetailView, history: &History, area: Rect) {
    let theme = app.theme;
    let block = Block::new().borders(Borders::TOP).title(" Timeline ");
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let Some(first) = history.spans.first() else {
        frame.render_widget(
            Paragraph::new("no time to place a span on").style(theme.dim()),
            inner,
        );
        return;
    };
    let label_width = history
        .spans
        .iter()
        .map(|s| s.state.chars().count())
        .max()
        .unwrap_or(0)
        .min(18);
    let duration_width = 8;
    let bar_width = (inner.width as usize).saturating_sub(label_width + duration_width + 2);
    let start = first.start;
    let total = (app.now - start).num_seconds().max(1) as f64;
    let position = |t: DateTime<Utc>| -> usize {
        (((t - start).num_seconds().max(0) as f64 / total) * bar_width as f64).round() as usize
    };
    // The marked entry's moment, on the span it happened in: `◆`.
    let marked = view
        .marked
        .and_then(|at| history.entries.get(at)?.at)
        .filter(|at| *at >= start);
    let lines: Vec<Line> = history
        .spans
        .iter()
        .enumerate()
        .map(|(i, span)| {
            let from = position(span.start).min(bar_width.saturating_sub(1));
            let to = position(span.end.unwrap_or(app.now)).clamp(from + 1, bar_width.max(from + 1));
            let mark = if span.end.is_none() { '▓' } else { '█' };
            let mut bar: Vec<char> = std::iter::repeat_n(' ', from)
                .chain(std::iter::repeat_n(mark, to - from))
                .collect();
            if let Some(at) = marked
                && at >= span.start
                && span.end.is_none_or(|end| at < end)
            {
                let x = position(at).clamp(from, to - 1);
                bar[x] = '◆';
            }
            let bar: String = bar.into_iter().collect();
            let bar = format!("{bar:<bar_width$}");
            let open = if span.end.is_none() { "+" } else { "" };
            Line::from(vec![
                Span::styled(
                    format!("{:<label_width$} ", fit(&span.state, label_width)),
                    theme.span(i),
                ),
                Span::styled(bar, theme.span(i)),
                Span::raw(format!(
                    " {:>7}",
                    format!("{}{open}", duration_text(span.duration(app.now)))
                )),
            ])
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}

#[cfg(test)]
mod tests {
    use super::value_lines;

    #[test]
    fn a_long_value_is_cut_after_a_space_or_at_the_edge() {
        assert_eq!(value_lines("short", 10), vec!["short"]);
        assert_eq!(
            value_lines("aaaa bbbb cccc", 10),
            vec!["aaaa bbbb ", "cccc"]
        );
        assert_eq!(value_lines("abcdefghijkl", 5), vec!["abcde", "fghij", "kl"]);
        // A space early in the line is not worth a ragged line.
        assert_eq!(
            value_lines("a bcdefghijkl", 6),
            vec!["a bcde", "fghijk", "l"]
        );
        assert_eq!(value_lines("ééééé", 2), vec!["éé", "éé", "é"]);
        assert_eq!(value_lines("", 4), vec![""]);
    }
}
