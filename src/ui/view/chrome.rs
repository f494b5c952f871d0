//! The header (tabs), the flash line, the status line and the keys line.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::super::app::{App, MAIN_TABS, Mode, Screen};
use super::super::commands::hints;
use super::super::input::LineInput;
use super::super::keys::bindings;
use super::{count, fit, fit_line};
use crate::domain::schema::{DatabaseKey, database};
use crate::present::{duration_text, for_people};

const SPINNER: [char; 4] = ['⠋', '⠙', '⠹', '⠸'];

pub fn tab_label(key: DatabaseKey) -> &'static str {
    match key {
        DatabaseKey::BusinessEntities => "Entities",
        DatabaseKey::AgentRegistry => "Agents",
        DatabaseKey::WorkflowsLibrary => "Workflows",
        DatabaseKey::ActiveWorkflowInstances => "Instances",
        DatabaseKey::Tasks => "Tasks",
        other => database(other).alias,
    }
}

pub fn header(frame: &mut Frame, app: &mut App, area: Rect) {
    let theme = app.theme;
    let mut spans = vec![Span::styled(" hsn ", theme.title())];
    let mut x = area.x + 5;
    app.hits.tabs.clear();
    // The Overview is `0`, so the database tabs keep their digits; the Activity tab is `6`.
    let mut tabs: Vec<(String, Screen)> = vec![(" 0 Overview ".into(), Screen::Overview)];
    tabs.extend(
        MAIN_TABS
            .iter()
            .enumerate()
            .map(|(i, k)| (format!(" {} {} ", i + 1, tab_label(*k)), Screen::Table(*k))),
    );
    tabs.push((" 6 Activity ".into(), Screen::Activity));
    if !MAIN_TABS.contains(&app.tab) {
        tabs.push((format!(" :{} ", tab_label(app.tab)), Screen::Table(app.tab)));
    }
    let shown = app.screen();
    for (label, key) in tabs {
        let width = label.chars().count() as u16;
        let style = if key == shown {
            theme.tab_active()
        } else {
            Style::new()
        };
        if x + width <= area.right() {
            app.hits.tabs.push((Rect::new(x, area.y, width, 1), key));
        }
        x += width + 1;
        spans.push(Span::styled(label, style));
        spans.push(Span::raw(" "));
    }
    frame.render_widget(
        Paragraph::new(fit_line(Line::from(spans), usize::from(area.width))),
        area,
    );
}

pub fn flash(frame: &mut Frame, app: &App, area: Rect) {
    if area.height == 0 {
        return;
    }
    let theme = app.theme;
    let line = match &app.mode {
        Mode::Filter => {
            let filter = if app.on_activity {
                app.activity.text.as_str()
            } else {
                app.table().map_or("", |t| t.filter.as_str())
            };
            // The cursor is at the end: a long filter shows its end.
            let (before, _) = LineInput::with(filter).window(usize::from(area.width) - 1);
            Line::from(vec![
                Span::styled("/", theme.key()),
                Span::raw(before),
                Span::raw("▏"),
            ])
        }
        Mode::Command(input) => {
            let width = usize::from(area.width).saturating_sub(1);
            let (before, after) = input.window(width);
            let used = 1 + before.chars().count() + after.chars().count();
            let mut spans = vec![
                Span::styled(":", theme.key()),
                Span::raw(before),
                Span::raw("▏"),
                Span::raw(after),
            ];
            let hints: Vec<String> = hints(app, input.text());
            if !hints.is_empty() {
                let room = usize::from(area.width).saturating_sub(used + 2);
                spans.push(Span::styled(
                    format!("  {}", fit(&hints.join("  "), room)),
                    theme.dim(),
                ));
            }
            Line::from(spans)
        }
        _ => match &app.flash {
            // Flashes carry Notion's answers and record titles.
            Some(flash) if flash.error => Line::styled(for_people(&flash.text, ""), theme.error()),
            Some(flash) => Line::styled(for_people(&flash.text, ""), theme.ok()),
            // A batch on its way (`Assign 30 tasks to Nyra: 12/30 sent`) for the moment it
            // takes; the alerts stay until dismissed.
            None => match (&app.progress, alert_line(app)) {
                (Some(progress), _) => Line::styled(for_people(&progress.line(), ""), theme.warn()),
                (None, Some(line)) => line,
                (None, None) => Line::raw(""),
            },
        },
    };
    frame.render_widget(
        Paragraph::new(fit_line(line, usize::from(area.width))),
        area,
    );
}

/// The alert on show: "⚠ 1/3 INST-0042 (WF-CONSULT) entered Error: timeout  ! opens ·
/// ctrl-n next · ctrl-x dismisses" (the count only when there are several).
fn alert_line(app: &App) -> Option<Line<'static>> {
    use crate::config::keys::Action as Act;
    let alert = app.alerts.current()?;
    let theme = app.theme;
    let k = |action: Act| app.keymap.key_label(action);
    let mut spans = vec![Span::styled("⚠ ", theme.error())];
    let several = app.alerts.list.len() > 1;
    if several {
        spans.push(Span::styled(
            format!("{}/{} ", app.alerts.shown + 1, app.alerts.list.len()),
            theme.warn(),
        ));
    }
    // Alert texts carry record titles and Notion's error messages.
    spans.push(Span::styled(for_people(&alert.text, ""), theme.error()));
    let mut hint = format!("  {} opens", k(Act::AlertOpen));
    if several {
        hint.push_str(&format!(" · {} next", k(Act::AlertNext)));
    }
    hint.push_str(&format!(" · {} dismisses", k(Act::AlertDismiss)));
    spans.push(Span::styled(hint, theme.dim()));
    Some(Line::from(spans))
}

/// How fresh the visible database is: `synced 12s ago`, a spinner while syncing,
/// `offline — showing cache from 10:02`.
pub fn freshness(app: &App) -> String {
    let key = app.focus_database();
    let status = app.sync.get(&key).cloned().unwrap_or_default();
    if let Some(fetched) = status.fetching {
        return format!(
            "{} syncing {}",
            SPINNER[app.spinner % SPINNER.len()],
            count(fetched)
        );
    }
    if app.demo {
        return "local demo store".into();
    }
    if app.offline.is_some() || status.error.is_some() {
        return match status.last_refresh {
            Some(at) => format!("offline — showing cache from {}", at.format("%H:%M")),
            None => "offline — no cache yet".into(),
        };
    }
    match status.last_refresh {
        Some(at) => format!("synced {} ago", duration_text(app.now - at)),
        None => "not synced yet".into(),
    }
}

const READ_ONLY: &str = "READ-ONLY ";
const BANNER: &str =
    " DEMO — changes stay here; set NOTION_API_TOKEN and run hsn setup to connect Notion ";

pub fn status(frame: &mut Frame, app: &App, area: Rect) {
    let theme = app.theme;
    let width = area.width as usize;
    // The banner is long: the state goes first when the line is short.
    let banner_first = app.demo && area.width >= 110;
    let mut spans = Vec::new();
    if app.readonly {
        spans.push(Span::styled(READ_ONLY, theme.warn()));
    }
    let fresh = freshness(app);
    let fresh_style = if fresh.starts_with("offline") {
        theme.error()
    } else {
        theme.dim()
    };
    spans.push(Span::styled(fresh, fresh_style));
    if app.pending_writes > 0 {
        spans.push(Span::styled(
            format!(
                " · {} pending write{}",
                app.pending_writes,
                if app.pending_writes == 1 { "" } else { "s" }
            ),
            theme.warn(),
        ));
    }
    if app.stuck_writes > 0 {
        let stuck = format!(
            "{} write{} stuck · :outbox",
            app.stuck_writes,
            if app.stuck_writes == 1 { "" } else { "s" }
        );
        let banner = if banner_first {
            BANNER.chars().count() + 1
        } else {
            0
        };
        let used = banner + spans.iter().map(Span::width).sum::<usize>();
        if used + 3 + stuck.chars().count() <= width {
            spans.push(Span::styled(format!(" · {stuck}"), theme.error()));
        } else {
            // Short of room, what needs the operator goes first (after READ-ONLY).
            let lead = if app.readonly { READ_ONLY.len() } else { 0 };
            let text = if lead + stuck.chars().count() + 3 <= width {
                stuck
            } else {
                format!("{} stuck · :outbox", app.stuck_writes)
            };
            spans.insert(
                usize::from(app.readonly),
                Span::styled(format!("{text} · "), theme.error()),
            );
        }
    }
    if let Some(budget) = &app.budget {
        // Shown while it fits; a recent 429 matters more than the count.
        let used: usize = spans.iter().map(Span::width).sum();
        if used + 3 + budget.text.chars().count() <= width {
            let style = if budget.warn {
                theme.warn()
            } else {
                theme.dim()
            };
            spans.push(Span::styled(format!(" · {}", budget.text), style));
        }
    }
    if app.demo {
        let banner = [Span::styled(BANNER, theme.banner()), Span::raw(" ")];
        if banner_first {
            spans.splice(0..0, banner);
        } else {
            spans.extend(banner);
        }
    }
    frame.render_widget(Paragraph::new(fit_line(Line::from(spans), width)), area);
}

pub fn keys(frame: &mut Frame, app: &App, area: Rect) {
    let theme = app.theme;
    let mut spans = Vec::new();
    for binding in bindings(app).into_iter().filter(|b| b.footer) {
        spans.push(Span::styled(binding.keys, theme.key()));
        spans.push(Span::raw(format!(" {}  ", short(&binding.what))));
    }
    // The last binding's trailing spaces are not content.
    if let Some(last) = spans.last_mut() {
        *last = Span::styled(last.content.trim_end().to_string(), last.style);
    }
    frame.render_widget(
        Paragraph::new(fit_line(Line::from(spans), usize::from(area.width))),
        area,
    );
}

/// The footer's word for a binding: up to the first parenthesis.
fn short(what: &str) -> &str {
    what.split(" (").next().unwrap_or(what)
}
