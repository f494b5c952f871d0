//! Dialogs over the screen: help, the picker, a prompt, the new-task form, the outbox.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use super::super::app::{App, Mode, OutboxView};
use super::super::forms::{PRIORITIES, TASK_FIELDS, TaskForm};
use super::super::input::LineInput;
use super::super::keys::bindings;
use super::detail::value_lines;
use super::{boxed, centered, fit};
use crate::present::for_people;

pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    let theme = app.theme;
    match &app.mode {
        Mode::Help { scroll } => help(frame, app, *scroll, area),
        Mode::Picker(picker) => {
            let mut lines: Vec<Line> = picker
                .options
                .iter()
                .enumerate()
                .map(|(i, option)| {
                    let style = if i == picker.selected {
                        theme.selected()
                    } else {
                        Style::new()
                    };
                    Line::styled(format!(" {option} "), style)
                })
                .collect();
            let room = usize::from(area.width.min(60).saturating_sub(2));
            if let Some(note) = &picker.note {
                lines.push(Line::raw(""));
                lines.push(field_line(app, "Note", note, picker.note_focused, room));
                let (hint, style) = if picker.note_focused {
                    (
                        " tab back to the list · enter chooses · esc cancels",
                        theme.dim(),
                    )
                } else if picker.typed_on_list {
                    // Typing went nowhere: say where it would go.
                    (
                        " the list has the keys: tab first to write a note",
                        theme.warn(),
                    )
                } else {
                    (
                        " j/k choose · tab writes a note · enter chooses",
                        theme.dim(),
                    )
                };
                lines.push(Line::styled(fit(hint, room), style));
            }
            let popup = centered(area, 60, lines.len() as u16 + 2);
            frame.render_widget(Clear, popup);
            frame.render_widget(
                Paragraph::new(lines).block(Block::bordered().title(fit(
                    &format!(" {} ", picker.title),
                    usize::from(area.width.min(60).saturating_sub(2)),
                ))),
                popup,
            );
        }
        Mode::Prompt(prompt) => {
            let room = usize::from(area.width.min(60).saturating_sub(2));
            let mut lines = vec![field_line(
                app,
                "",
                &prompt.input,
                prompt.chosen.is_none(),
                room,
            )];
            // The names to choose from, the chosen one highlighted, as many as fit.
            let choices = prompt.choices();
            let room = usize::from(area.height.saturating_sub(6)).max(1);
            let first = prompt.chosen.map_or(0, |c| (c + 1).saturating_sub(room));
            for (i, name) in choices.iter().enumerate().skip(first).take(room) {
                let style = if prompt.chosen == Some(i) {
                    theme.selected()
                } else {
                    Style::new()
                };
                lines.push(Line::styled(
                    fit(&format!(" {} ", for_people(name, "")), room),
                    style,
                ));
            }
            let popup = centered(area, 60, lines.len() as u16 + 2);
            frame.render_widget(Clear, popup);
            frame.render_widget(
                Paragraph::new(lines).block(
                    Block::bordered()
                        .title(fit(&format!(" {} ", for_people(&prompt.title, "")), room)),
                ),
                popup,
            );
        }
        Mode::Confirm(confirm) => super::bulk::confirm(frame, app, confirm, area),
        Mode::Report(progress) => super::bulk::report(frame, app, progress, area),
        Mode::TaskForm(form) => task_form(frame, app, form, area),
        Mode::Outbox(view) => outbox(frame, app, view, area),
        _ => {}
    }
}

/// A text field on one line of a popup whose inside is `room` wide: its label, then the
/// text, scrolled so the cursor shows when focused (see [`LineInput::window`]).
/// The widest the help popup gets.
const HELP_WIDTH: u16 = 90;

/// The help popup's lines in a terminal of `area`: each key, its description wrapped
/// under itself (so the popup scrolls by whole lines and nothing is cut).
fn help_lines(app: &App, area: Rect) -> Vec<Line<'static>> {
    let theme = app.theme;
    let keys = bindings(app);
    let key_width = keys
        .iter()
        .map(|b| b.keys.chars().count())
        .max()
        .unwrap_or(0);
    let room = usize::from(area.width.min(HELP_WIDTH).saturating_sub(2));
    let what_room = room.saturating_sub(key_width + 2).max(10);
    let mut lines = Vec::new();
    for binding in &keys {
        for (n, part) in value_lines(&binding.what, what_room)
            .into_iter()
            .enumerate()
        {
            let keys = if n == 0 { binding.keys.as_str() } else { "" };
            lines.push(Line::from(vec![
                Span::styled(format!("{keys:>key_width$}  "), theme.key()),
                Span::raw(part.trim_end().to_string()),
            ]));
        }
    }
    lines
}

/// The popup `?` opens and how far its list may scroll in it: the line at its top is at
/// most `last_top`.
pub fn help_layout(app: &App, area: Rect) -> (Rect, Vec<Line<'static>>, usize) {
    let lines = help_lines(app, area);
    let popup = centered(area, HELP_WIDTH, lines.len() as u16 + 2);
    let body = usize::from(popup.height.saturating_sub(2)).max(1);
    let last_top = lines.len().saturating_sub(body);
    (popup, lines, last_top)
}

/// `?`: the keys of the view under it, scrolled (`j`/`k`, `PgUp`/`PgDn`) when they do
/// not fit, the title saying which lines show.
fn help(frame: &mut Frame, app: &App, scroll: usize, area: Rect) {
    let (popup, lines, last_top) = help_layout(app, area);
    let scroll = scroll.min(last_top);
    let body = usize::from(popup.height.saturating_sub(2));
    let title = if last_top == 0 {
        " Keys here (esc closes) ".to_string()
    } else {
        format!(
            " Keys here: {}–{} of {} (j/k PgUp/PgDn scroll, esc closes) ",
            scroll + 1,
            (scroll + body).min(lines.len()),
            lines.len()
        )
    };
    let title = fit(&title, usize::from(popup.width.saturating_sub(2)));
    scrolled_popup(frame, popup, title, lines, scroll);
}

/// A bordered popup over what is under it, its lines shown from `scroll`.
fn scrolled_popup(
    frame: &mut Frame,
    popup: Rect,
    title: String,
    lines: Vec<Line<'static>>,
    scroll: usize,
) {
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines)
            .scroll((scroll.min(usize::from(u16::MAX)) as u16, 0))
            .block(Block::bordered().title(title)),
        popup,
    );
}

fn field_line(
    app: &App,
    label: &str,
    input: &LineInput,
    focused: bool,
    room: usize,
) -> Line<'static> {
    let theme = app.theme;
    let mut spans = Vec::new();
    let label = if label.is_empty() {
        String::new()
    } else {
        format!("{label:>12}: ")
    };
    let room = room.saturating_sub(label.chars().count());
    if !label.is_empty() {
        spans.push(Span::styled(label, theme.header()));
    }
    if focused {
        let (before, after) = input.window(room);
        spans.push(Span::raw(before));
        spans.push(Span::styled("▏", theme.key()));
        spans.push(Span::raw(after));
    } else {
        spans.push(Span::raw(fit(input.text(), room)));
    }
    Line::from(spans)
}

fn task_form(frame: &mut Frame, app: &App, form: &TaskForm, area: Rect) {
    let theme = app.theme;
    let room = usize::from(area.width.min(70).saturating_sub(2));
    let mut lines: Vec<Line> = form
        .link_lines()
        .iter()
        .map(|l| Line::styled(fit(&format!(" {}", for_people(l, "")), room), theme.dim()))
        .collect();
    lines.push(Line::raw(""));
    for (i, name) in TASK_FIELDS.iter().enumerate() {
        let focused = form.focus == i;
        let line = match i {
            0 => field_line(app, name, &form.name, focused, room),
            1 => field_line(app, name, &form.description, focused, room),
            3 => field_line(app, name, &form.due, focused, room),
            4 => field_line(app, name, &form.assignee, focused, room),
            _ => {
                let mut spans = vec![Span::styled(format!("{name:>12}: "), theme.header())];
                for (p, priority) in PRIORITIES.iter().enumerate() {
                    let style = if p == form.priority {
                        if focused {
                            theme.selected()
                        } else {
                            theme.key()
                        }
                    } else {
                        theme.dim()
                    };
                    spans.push(Span::styled(format!(" {priority} "), style));
                }
                Line::from(spans)
            }
        };
        lines.push(line);
        if let Some((_, error)) = form.error.as_ref().filter(|(field, _)| *field == i) {
            // Under its field, where the label's column ends.
            let error = format!("{:>14}{}", "", for_people(error, ""));
            lines.push(Line::styled(fit(&error, room), theme.error()));
        }
    }
    let popup = centered(area, 70, lines.len() as u16 + 2);
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines).block(Block::bordered().title(fit(
            &format!(
                " New task for {} (enter creates, esc cancels) ",
                form.instance_id
            ),
            room,
        ))),
        popup,
    );
}

/// Lines of an error under its write, at most.
const ERROR_LINES: usize = 3;
/// Where an error starts: under the state.
const ERROR_INDENT: &str = "         ";

/// `:outbox`: the queued writes as `hsn outbox` lists them, stuck ones marked, the
/// selected one's block kept in view; over it, the question `d` asks.
fn outbox(frame: &mut Frame, app: &App, view: &OutboxView, area: Rect) {
    let theme = app.theme;
    let popup_width = area.width.min(110);
    let room = usize::from(popup_width.saturating_sub(2));
    let mut lines: Vec<Line> = Vec::new();
    // The selected write's first line and the line after its last.
    let mut shown = (0, 0);
    let title = match &view.rows {
        None => {
            lines.push(Line::styled(" reading the outbox…", theme.dim()));
            " Outbox (esc closes) ".to_string()
        }
        Some(rows) if rows.is_empty() => {
            lines.push(Line::raw(
                " nothing queued: every change has reached Notion",
            ));
            " Outbox (esc closes) ".to_string()
        }
        Some(rows) => {
            for (i, row) in rows.iter().enumerate() {
                let selected = i == view.selected;
                let start = lines.len();
                let head = format!(
                    "{} {:>5}  {:<8} {} attempt{}{}  {}",
                    if selected { '▸' } else { ' ' },
                    row.seq,
                    row.state,
                    row.attempts,
                    if row.attempts == 1 { "" } else { "s" },
                    if row.stuck { " · stuck" } else { "" },
                    for_people(&row.summary, ""),
                );
                let style = if selected {
                    theme.selected()
                } else if row.stuck {
                    theme.error()
                } else {
                    Style::new()
                };
                lines.push(Line::styled(fit(&head, room), style));
                if let Some(error) = &row.error {
                    let error = for_people(error, "");
                    let width = room.saturating_sub(ERROR_INDENT.len()).max(1);
                    let parts = value_lines(&error, width);
                    let cut = parts.len() > ERROR_LINES;
                    for (n, part) in parts.iter().take(ERROR_LINES).enumerate() {
                        let part = if cut && n + 1 == ERROR_LINES {
                            // The rest does not fit: marked cut.
                            fit(&format!("{part}{}", parts[n + 1]), width)
                        } else {
                            part.to_string()
                        };
                        lines.push(Line::styled(format!("{ERROR_INDENT}{part}"), theme.warn()));
                    }
                }
                if selected {
                    shown = (start, lines.len());
                }
            }
            let stuck = rows.iter().filter(|r| r.stuck).count();
            format!(
                " Outbox: {} queued{} (esc closes) ",
                rows.len(),
                if stuck > 0 {
                    format!(", {stuck} stuck")
                } else {
                    String::new()
                }
            )
        }
    };
    // The header and the footer stay visible.
    let most = area.height.saturating_sub(2).max(3);
    let height = (lines.len() as u16).saturating_add(2).min(most);
    let body = usize::from(height.saturating_sub(2));
    let scroll = shown.1.saturating_sub(body).min(shown.0);
    let popup = centered(area, popup_width, height);
    scrolled_popup(frame, popup, title, lines, scroll);
    if let Some(seq) = view.confirm_drop {
        confirm_drop(frame, app, view, seq, area);
    }
}

/// `d`'s question: only `y` drops.
fn confirm_drop(frame: &mut Frame, app: &App, view: &OutboxView, seq: i64, area: Rect) {
    let theme = app.theme;
    let summary = view
        .rows
        .iter()
        .flatten()
        .find(|r| r.seq == seq)
        .map(|r| for_people(&r.summary, ""))
        .unwrap_or_default();
    let lines = vec![
        Line::raw(format!("Drop write {seq} ({summary})?")),
        Line::raw(""),
        Line::raw("Nothing is sent to Notion; the record shows Notion's copy again."),
        Line::raw(""),
        Line::from(vec![
            Span::styled("y", theme.key()),
            Span::raw(" drops it · "),
            Span::styled("n", theme.key()),
            Span::raw(", esc or any other key keeps it"),
        ]),
    ];
    boxed(frame, area, 70, format!(" Drop write {seq}? [y/N] "), lines);
}
