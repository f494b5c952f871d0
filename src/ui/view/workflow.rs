//! A workflow's detail: its properties and links beside the map of its states (each
//! with its count of instances now, start and end marked, its legal moves), instead of
//! the States and Transitions JSON.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::super::app::{App, DetailView};
use super::super::data::Detail;
use super::super::workflow::{StateRow, state_rows};
use super::detail::{links, properties, split};
use super::fit;

pub fn draw(frame: &mut Frame, app: &App, view: &DetailView, detail: &Detail, area: Rect) {
    let rows = state_rows(detail, app.overview.data.as_ref());
    // On a narrow screen the map goes first: it is what a workflow's detail is for.
    let [left, right] = if area.width >= 80 {
        split(area, 2)
    } else {
        let map = (rows.len() as u16 + 1).min(area.height / 2 + 1);
        let [map_area, rest] =
            Layout::vertical([Constraint::Length(map), Constraint::Min(3)]).areas(area);
        [rest, map_area]
    };
    let [props, link_area] = Layout::vertical([
        Constraint::Min(3),
        Constraint::Length((detail.links.len() as u16 + 1).clamp(2, left.height / 2)),
    ])
    .areas(left);
    // The map shows the States and Transitions; when they cannot be read, the raw text
    // stays for the operator to see what is wrong.
    let mut shown = detail.clone();
    if matches!(detail.machine, Some(Ok(_))) {
        shown
            .properties
            .retain(|(name, _)| !matches!(*name, "States" | "Transitions"));
    }
    properties(frame, app, &shown, props);
    let link = view.link.checked_sub(rows.len());
    links(frame, app, link, detail, link_area);
    states(frame, app, view, detail, &rows, right);
}

fn states(
    frame: &mut Frame,
    app: &App,
    view: &DetailView,
    detail: &Detail,
    rows: &[StateRow],
    area: Rect,
) {
    let theme = app.theme;
    let block = Block::new()
        .borders(Borders::TOP)
        .title(" States (j/k, enter: its instances) ");
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if let Some(Err(why)) = &detail.machine {
        frame.render_widget(
            Paragraph::new(why.as_str())
                .style(theme.error())
                .wrap(Wrap { trim: true }),
            inner,
        );
        return;
    }
    let room = usize::from(inner.width);
    let name_width = rows
        .iter()
        .map(|r| r.name.chars().count() + mark(r).chars().count())
        .max()
        .unwrap_or(0)
        .min(room / 2);
    let count_width = rows
        .iter()
        .map(|r| r.count.map_or(1, |c| c.to_string().len()))
        .max()
        .unwrap_or(1);
    let lines: Vec<Line> = rows
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let name = fit(&format!("{}{}", row.name, mark(row)), name_width);
            let count = row.count.map_or("…".to_string(), |c| c.to_string());
            let moves = if row.moves.is_empty() {
                String::new()
            } else {
                format!("→ {}", row.moves.join(", "))
            };
            // The chosen state is marked without colour too.
            let chosen = if i == view.link { '▸' } else { ' ' };
            let text = format!("{chosen}{name:<name_width$}  {count:>count_width$}  {moves}");
            let style = if i == view.link {
                theme.selected()
            } else if !row.known {
                theme.warn()
            } else if row.terminal {
                theme.dim()
            } else {
                Style::new()
            };
            Line::styled(fit(&text, room), style)
        })
        .collect();
    let height = usize::from(inner.height).max(1);
    let first = view.link.min(rows.len()).saturating_sub(height - 1);
    frame.render_widget(
        Paragraph::new(lines.into_iter().skip(first).collect::<Vec<_>>()),
        inner,
    );
}

/// What a state's name is followed by: where runs start and end, or that the workflow
/// does not define it.
fn mark(row: &StateRow) -> &'static str {
    match (row.known, row.initial, row.terminal) {
        (false, _, _) => " (not in the workflow)",
        (_, true, _) => " (start)",
        (_, _, true) => " (end)",
        _ => "",
    }
}
