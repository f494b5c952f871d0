//! The Overview tab: the funnel of each workflow, the exceptions (error, stuck), the
//! tasks that are late or due, the activity of the last 14 days, and a freshness line.
//! Wide, the panels sit in two columns; narrow, they stack and the focused one grows.

use chrono::{DateTime, Duration, Utc};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line as TextLine, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::super::app::App;
use super::super::overview::{Line, PANELS, Panel, TaskGroup, lines};
use super::super::theme::Theme;
use super::{count, fit};
use crate::domain::overview::{DayCount, Overview};
use crate::present::{duration_text, for_people, inert};

pub fn draw(frame: &mut Frame, app: &mut App, area: Rect) {
    app.hits.overview.clear();
    app.hits.rows = Rect::default();
    let theme = app.theme;
    let Some(data) = app.overview.data.take() else {
        let block = Block::new().borders(Borders::TOP).title(" Overview ");
        let inner = block.inner(area);
        frame.render_widget(block, area);
        frame.render_widget(Paragraph::new("computing…").style(theme.dim()), inner);
        return;
    };
    let since = app
        .looked
        .summary
        .map(|summary| summary.line(app.now, app.looked.offset));
    // Credentials stored in Notion (the secret scan after each sync): said until fixed.
    let credentials = app.credentials.filter(|n| *n > 0).map(|n| {
        format!(
            " {}{} stored in Notion — run hsn doctor --secrets",
            crate::domain::secrets::MARK,
            crate::ui::bulk::count_of(n, "credential", "credentials")
        )
    });
    let [title, credentials_area, since_area, body, fresh] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(u16::from(credentials.is_some())),
        Constraint::Length(u16::from(since.is_some())),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(area);
    let width = usize::from(area.width);
    frame.render_widget(
        Paragraph::new(super::fit_line(title_line(&data, theme), width)),
        title,
    );
    if let Some(line) = credentials {
        let line = crate::present::fit(&line, usize::from(area.width));
        frame.render_widget(
            Paragraph::new(TextLine::styled(line, theme.error())),
            credentials_area,
        );
    }
    if let Some(since) = since {
        frame.render_widget(
            Paragraph::new(super::fit_line(
                TextLine::styled(format!(" {since}"), theme.warn()),
                width,
            )),
            since_area,
        );
    }
    let areas = panel_areas(body, app.overview.focus);
    for (panel, rect) in PANELS.iter().zip(areas) {
        draw_panel(frame, app, &data, *panel, rect);
    }
    frame.render_widget(
        Paragraph::new(super::fit_line(freshness_line(app, &data), width)),
        fresh,
    );
    app.overview.data = Some(data);
}

fn title_line(data: &Overview, theme: Theme) -> TextLine<'static> {
    TextLine::from(vec![
        Span::styled(" Overview ", theme.header()),
        // "N open of M instances": how much of the work is still moving.
        Span::raw(format!(
            "{} open of {} instances · {} open tasks · {} in error · {} stuck · {} overdue",
            count(data.open_instances),
            count(data.instances),
            count(data.tasks.open),
            data.error_count,
            data.stuck_count,
            data.tasks.overdue.len(),
        )),
    ])
}

/// Each panel's rectangle, in [`PANELS`] order.
fn panel_areas(body: Rect, focus: Panel) -> [Rect; 4] {
    if body.width >= 100 && body.height >= 16 {
        let [left, right] =
            Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
                .spacing(2)
                .areas(body);
        let [funnel, activity] =
            Layout::vertical([Constraint::Min(5), Constraint::Length(14)]).areas(left);
        let [exceptions, tasks] =
            Layout::vertical([Constraint::Percentage(45), Constraint::Percentage(55)]).areas(right);
        return [funnel, exceptions, tasks, activity];
    }
    // Narrow: stacked; the others keep a heading and two lines, the focused one the rest.
    let constraints = PANELS.map(|p| {
        if p == focus {
            Constraint::Min(3)
        } else {
            Constraint::Length(3)
        }
    });
    let areas: [Rect; 4] = Layout::vertical(constraints).areas(body);
    areas
}

fn panel_title(panel: Panel, data: &Overview) -> String {
    match panel {
        Panel::Funnel => format!(" f Workflows · {} ", data.funnels.len()),
        Panel::Exceptions => format!(
            " e Error {} · stuck {} (over {}d, {}) ",
            data.error_count,
            data.stuck_count,
            data.stuck_rule.default_days,
            data.stuck_rule.source
        ),
        Panel::Tasks => format!(
            " t Tasks · {} overdue · {} today ",
            data.tasks.overdue.len(),
            data.tasks.due_today.len()
        ),
        Panel::Activity => " a Activity · 14 days · latest entries ".to_string(),
    }
}

fn draw_panel(frame: &mut Frame, app: &mut App, data: &Overview, panel: Panel, area: Rect) {
    let theme = app.theme;
    let focused = app.overview.focus == panel;
    let title_style = if focused {
        theme.key().add_modifier(Modifier::REVERSED)
    } else {
        theme.header()
    };
    let block = Block::new().borders(Borders::TOP).title(Span::styled(
        super::fit(&panel_title(panel, data), usize::from(area.width)),
        title_style,
    ));
    let mut inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height == 0 {
        return;
    }
    if panel == Panel::Activity {
        let spark = spark_lines(&data.activity, inner.width, theme);
        let used = (spark.len() as u16).min(inner.height);
        frame.render_widget(
            Paragraph::new(spark),
            Rect {
                height: used,
                ..inner
            },
        );
        inner.y += used;
        inner.height -= used;
    }
    let all = lines(panel, data);
    if all.is_empty() || inner.height == 0 {
        return;
    }
    // Which line holds the selected item, and a window that shows it (with its heading).
    let selected_item = app.overview.selected(panel);
    let mut item = 0;
    let mut selected_line = 0;
    let items: Vec<Option<usize>> = all
        .iter()
        .enumerate()
        .map(|(i, l)| {
            l.target().map(|_| {
                if item == selected_item {
                    selected_line = i;
                }
                item += 1;
                item - 1
            })
        })
        .collect();
    let height = inner.height as usize;
    let offset = &mut app.overview.offset[PANELS.iter().position(|p| *p == panel).unwrap_or(0)];
    if selected_line < *offset + 1 {
        *offset = selected_line.saturating_sub(1);
    } else if selected_line >= *offset + height {
        *offset = selected_line + 1 - height;
    }
    *offset = (*offset).min(all.len().saturating_sub(height));
    let scale = data
        .funnels
        .iter()
        .flat_map(|f| f.states.iter().filter(|s| !s.terminal).map(|s| s.count))
        .max()
        .unwrap_or(0)
        .max(1);
    let now = app.now;
    for (row, (line, item)) in all
        .iter()
        .zip(&items)
        .enumerate()
        .skip(*offset)
        .take(height)
    {
        let rect = Rect {
            y: inner.y + (row - *offset) as u16,
            height: 1,
            ..inner
        };
        let mut text = render_line(line, inner.width as usize, scale, now, theme);
        if let Some(item) = item {
            app.hits.overview.push((rect, panel, *item));
            if focused && *item == selected_item {
                text = text.patch_style(theme.selected());
            }
        }
        frame.render_widget(Paragraph::new(text), rect);
    }
}

/// A bar of `count` out of `scale` in `width` cells, with eighth blocks.
fn bar(count: usize, scale: usize, width: usize) -> String {
    let eighths = (count.min(scale) * width * 8).div_ceil(scale.max(1));
    let mut out = "█".repeat(eighths / 8);
    const PARTS: [&str; 8] = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];
    out.push_str(PARTS[eighths % 8]);
    out
}

fn age(entered: Option<DateTime<Utc>>, seconds: i64, now: DateTime<Utc>) -> String {
    let duration = entered.map_or(Duration::seconds(seconds), |t| now - t);
    duration_text(duration)
}

fn render_line(
    line: &Line,
    width: usize,
    scale: usize,
    now: DateTime<Utc>,
    theme: Theme,
) -> TextLine<'static> {
    match line {
        Line::Heading(label, n) => TextLine::styled(format!("{label} ({n})"), theme.header()),
        Line::Workflow(f) => {
            let head = format!("{} {}", inert(&f.workflow_id), inert(&f.name));
            let tail = format!(" {} open · {} ended", f.open, f.ended);
            let room = width.saturating_sub(tail.chars().count());
            TextLine::from(vec![
                Span::styled(fit(&head, room), theme.header()),
                Span::raw(tail),
            ])
        }
        Line::State(_, s) => {
            let label_width = (width / 3).clamp(8, 22);
            let mark = if s.terminal { "✓ " } else { "  " };
            let label = fit(&format!("{mark}{}", inert(&s.state)), label_width);
            let number = if s.count == 0 {
                "·".to_string()
            } else {
                s.count.to_string()
            };
            let bar_width = width.saturating_sub(label_width + 6);
            let style = if s.terminal || s.count == 0 {
                theme.dim()
            } else if s.known {
                theme.span(0)
            } else {
                theme.warn()
            };
            TextLine::from(vec![
                Span::raw(format!("{label:<label_width$} ")),
                Span::styled(
                    format!("{:<bar_width$}", bar(s.count, scale, bar_width)),
                    style,
                ),
                Span::raw(format!(" {number:>4}")),
            ])
        }
        Line::Error(i) => {
            let head = format!(
                "{} {:<16} {:>7}  ",
                inert(&i.instance_id),
                fit(&inert(&i.state), 16),
                age(i.entered, i.seconds_in_state, now)
            );
            let room = width.saturating_sub(head.chars().count());
            TextLine::from(vec![
                Span::raw(head),
                Span::styled(
                    fit(&for_people(&i.error_message, "Error Message"), room),
                    theme.error(),
                ),
            ])
        }
        Line::Stuck(i) => TextLine::from(vec![
            Span::raw(format!("{} ", inert(&i.instance_id))),
            Span::styled(
                format!("{:>7} ", age(i.entered, i.seconds_in_state, now)),
                theme.warn().add_modifier(Modifier::BOLD),
            ),
            Span::raw(fit(
                &format!("{} · {}", inert(&i.workflow_id), inert(&i.state)),
                width.saturating_sub(23),
            )),
        ]),
        Line::Task(t, group) => {
            let when = match (group, t.due) {
                (TaskGroup::Overdue, Some(due)) => {
                    format!("{}d late", (now.date_naive() - due).num_days())
                }
                (_, Some(due)) => due.format("%m-%d").to_string(),
                (_, None) => "no due".into(),
            };
            let priority = t.priority.clone().unwrap_or_else(|| "-".into());
            let who = if t.assignee.is_empty() {
                "unassigned".to_string()
            } else {
                for_people(&t.assignee, "Assigned To")
            };
            let head = format!("{when:>8} ");
            let tail = format!("  {:<14}", fit(&who, 14));
            let room = width.saturating_sub(head.len() + 7 + tail.chars().count());
            TextLine::from(vec![
                Span::raw(head),
                Span::styled(format!("{priority:<7}"), theme.value(&priority)),
                Span::raw(format!(
                    "{:<room$}",
                    fit(&for_people(&t.name, "Task Name"), room)
                )),
                Span::styled(tail, theme.dim()),
            ])
        }
        Line::Recent(e) => {
            let head = format!(
                "{} {:<12} {} ",
                e.at.format("%m-%d %H:%M"),
                fit(&for_people(&e.actor, "History Log"), 12),
                inert(&e.instance_id)
            );
            let room = width.saturating_sub(head.chars().count());
            TextLine::from(vec![
                Span::styled(head, theme.dim()),
                Span::raw(fit(&for_people(&e.action, "History Log"), room)),
            ])
        }
    }
}

/// Two sparklines (transitions, tasks created), one cell or more per day, and their totals.
fn spark_lines(days: &[DayCount], width: u16, theme: Theme) -> Vec<TextLine<'static>> {
    const LEVELS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let label = 8;
    let total = 6;
    let cell = ((width as usize).saturating_sub(label + total) / days.len().max(1)).clamp(1, 3);
    let series = |name: &str, values: Vec<usize>, style: Style| {
        let max = values.iter().copied().max().unwrap_or(0).max(1);
        let spark: String = values
            .iter()
            .map(|&v| {
                let c = if v == 0 {
                    ' '
                } else {
                    LEVELS[(v * 7).div_ceil(max).min(7)]
                };
                std::iter::repeat_n(c, cell).collect::<String>()
            })
            .collect();
        TextLine::from(vec![
            Span::raw(format!("{name:<label$}")),
            Span::styled(spark, style),
            Span::raw(format!(" {:>4}", values.iter().sum::<usize>())),
        ])
    };
    let first = days.first().map(|d| d.date.format("%m-%d").to_string());
    let last = days.last().map(|d| d.date.format("%m-%d").to_string());
    let span = days.len() * cell;
    let axis = match (first, last) {
        (Some(a), Some(b)) if span >= 12 => {
            format!("{:<label$}{a}{:>w$}", "", b, w = span - 5)
        }
        _ => String::new(),
    };
    vec![
        series(
            "moves",
            days.iter().map(|d| d.transitions).collect(),
            theme.span(0),
        ),
        series(
            "tasks",
            days.iter().map(|d| d.tasks_created).collect(),
            theme.span(3),
        ),
        TextLine::styled(axis, theme.dim()),
    ]
}

/// When each source the Overview reads was synced, and the writes waiting.
fn freshness_line(app: &App, data: &Overview) -> TextLine<'static> {
    let theme = app.theme;
    let pending: usize = app.pending_writes;
    let mut parts: Vec<String> = Vec::new();
    if app.demo {
        parts.push("local demo store (nothing to sync)".into());
    } else {
        for source in data.freshness.iter().take(3) {
            let live = app
                .sync
                .iter()
                .find(|(k, _)| crate::domain::schema::database(**k).alias == source.database)
                .and_then(|(_, s)| s.last_refresh);
            let at = live.max(source.last_sync);
            parts.push(format!(
                "{} {}",
                source.database,
                at.map_or("never synced".into(), |t| format!(
                    "{} ago",
                    duration_text(app.now - t)
                ))
            ));
        }
    }
    let by_source: Vec<String> = data
        .freshness
        .iter()
        .filter(|s| s.pending_writes > 0)
        .map(|s| format!("{} {}", s.database, s.pending_writes))
        .collect();
    let writes = match (pending, by_source.is_empty()) {
        (0, _) => "no pending writes".to_string(),
        (n, true) => format!("{n} pending"),
        (n, false) => format!("{n} pending ({})", by_source.join(", ")),
    };
    let style = if pending > 0 {
        theme.warn()
    } else {
        theme.dim()
    };
    TextLine::from(vec![
        Span::styled(" synced: ", theme.dim()),
        Span::styled(parts.join(" · "), theme.dim()),
        Span::styled(format!(" · {writes}"), style),
    ])
}
