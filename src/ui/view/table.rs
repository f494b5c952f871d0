//! The main table: only the rows in the window are built each frame.

use crate::domain::view::Quick;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table};

use super::super::app::App;
use super::{count, fit};
use crate::domain::schema::database;
use crate::present::duration_text;
use crate::table::ColumnSource;
use crate::table::is_stuck;
use crate::table::layout::{Placed, SPACING, header};

pub fn draw(frame: &mut Frame, app: &mut App, area: Rect) {
    let (table_area, pane) = if app.preview {
        if area.width >= 100 {
            let [t, p] =
                Layout::horizontal([Constraint::Min(40), Constraint::Length(44)]).areas(area);
            (t, Some(p))
        } else {
            let [t, p] =
                Layout::vertical([Constraint::Min(3), Constraint::Percentage(40)]).areas(area);
            (t, Some(p))
        }
    } else {
        (area, None)
    };
    let shown = rows(frame, app, table_area);
    if let Some(pane) = pane {
        super::preview::draw(frame, app, pane, &shown);
    }
}

fn title_line(app: &App) -> Line<'static> {
    let theme = app.theme;
    let definition = database(app.tab);
    let Some(table) = app.table() else {
        return Line::raw("");
    };
    let mut spans = vec![Span::styled(
        format!(" {} ", definition.title),
        theme.header(),
    )];
    if table.data.as_ref().is_some_and(|d| !d.complete) {
        // A first screenful: how many there are is known once the rest is loaded.
        spans.push(Span::raw(format!("first {} ", count(table.total()))));
        spans.push(Span::styled("loading the rest… ", theme.dim()));
    } else {
        spans.push(Span::raw(format!(
            "{} of {} ",
            count(table.visible.len()),
            count(table.total())
        )));
    }
    if !table.marks.is_empty() {
        spans.push(Span::styled(
            format!("· {} marked ", count(table.marks.len())),
            theme.warn().add_modifier(Modifier::BOLD),
        ));
    }
    if !table.filter.is_empty() {
        spans.push(Span::styled(format!("/{} ", table.filter), theme.key()));
    }
    for quick in &table.quick.only {
        let label = match quick {
            Quick::Status(status) => status.clone(),
            Quick::Stuck => format!("stuck > {}d", table.stuck_rule.default_days),
            other => other.to_string(),
        };
        spans.push(Span::styled(format!("[{label}] "), theme.key()));
    }
    if let Some((workflow, _)) = &table.quick.workflow {
        spans.push(Span::styled(format!("[{workflow}] "), theme.key()));
    }
    if let Some(state) = &table.quick.state {
        spans.push(Span::styled(format!("[{state}] "), theme.key()));
    }
    for (column, value) in &table.column_filters {
        let label = table.data.as_ref().and_then(|d| d.columns.get(*column));
        let label = label.map_or("", |c| c.label);
        spans.push(Span::styled(format!("[{label}={value}] "), theme.key()));
    }
    Line::from(spans)
}

/// Draws the rows; answers the columns on screen (by the schema's name).
fn rows(frame: &mut Frame, app: &mut App, area: Rect) -> Vec<&'static str> {
    let theme = app.theme;
    let now = app.now;
    let block = Block::new()
        .borders(Borders::TOP)
        .title(super::fit_line(title_line(app), usize::from(area.width)));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let table_key = app.tab;
    let Some(view) = app.tables.get_mut(&table_key) else {
        return Vec::new();
    };
    let Some(_) = &view.data else {
        frame.render_widget(Paragraph::new("loading…"), inner);
        return Vec::new();
    };
    if view.visible.is_empty() {
        let text = if view.total() == 0 {
            "no records"
        } else {
            "nothing matches (esc clears the filters)"
        };
        frame.render_widget(Paragraph::new(text).style(theme.dim()), inner);
        return Vec::new();
    }
    // One line for the column names.
    let body_height = inner.height.saturating_sub(1) as usize;
    let offset = view.scroll_to_selection(body_height);
    let Some(data) = &view.data else {
        return Vec::new();
    };
    let changed = &app.looked.changed;
    let window = || view.visible.iter().skip(offset).take(body_height);
    // The first column makes room for a dot while any row is marked (●), or any row on
    // screen changed since the operator last looked (•).
    let marking = !view.marks.is_empty()
        || (!changed.is_empty() && window().any(|&i| changed.contains(&data.row(i).page_id)));
    // The columns that fit (`table::layout`): never an identifier or a date cut, never a
    // cell cut without `…`.
    let lead = if marking { 2 } else { 0 };
    let placed = data.layout(inner.width, lead, view.sort.map(|(column, _)| column));
    let widths: Vec<Constraint> = placed.iter().map(|p| Constraint::Length(p.width)).collect();
    let header = Row::new(placed.iter().map(|p| {
        let arrow = match view.sort {
            Some((s, false)) if s == p.column => " ↑",
            Some((s, true)) if s == p.column => " ↓",
            _ => "",
        };
        Cell::from(header(data.columns[p.column].label, p.width, arrow))
    }))
    .style(theme.header());
    let built: Vec<Row> = window()
        .enumerate()
        .map(|(i, &index)| {
            let row = data.row(index);
            let cells = placed.iter().map(|&Placed { column: c, width }| {
                let column = &data.columns[c];
                let text = match column.source {
                    ColumnSource::TimeInState => row
                        .entered
                        .map(|t| duration_text(now - t))
                        .unwrap_or_default(),
                    ColumnSource::Field(_) => row.cell(c).to_string(),
                };
                let text = if c == 0 && row.pending {
                    format!("{text} ⟳")
                } else {
                    text
                };
                // Marked rows lead with a dot (the mark shows without colour too), rows
                // changed since the operator last looked with a small one.
                let text = match (c, marking) {
                    (0, true) if view.marks.contains(&row.page_id) => format!("● {text}"),
                    (0, true) if changed.contains(&row.page_id) => format!("• {text}"),
                    (0, true) => format!("  {text}"),
                    _ => text,
                };
                let mut style = if column.choices.is_empty() {
                    Style::new()
                } else {
                    theme.value(&text)
                };
                if column.source == ColumnSource::TimeInState
                    && is_stuck(&view.stuck_rule, data, &row, now)
                {
                    style = theme.warn().add_modifier(Modifier::BOLD);
                }
                Cell::from(fit(&text, width.into())).style(style)
            });
            let mut built = Row::new(cells);
            if offset + i == view.selected {
                built = built.style(theme.selected());
            } else if view.marks.contains(&row.page_id) {
                built = built.style(theme.key());
            }
            built
        })
        .collect();
    frame.render_widget(
        Table::new(built, widths)
            .header(header)
            .column_spacing(SPACING),
        inner,
    );
    app.hits.rows = Rect {
        y: inner.y + 1,
        height: inner.height.saturating_sub(1),
        ..inner
    };
    app.hits.offset = offset;
    placed
        .iter()
        .filter_map(|p| match data.columns[p.column].source {
            ColumnSource::Field(name) => Some(name),
            ColumnSource::TimeInState => None,
        })
        .collect()
}
