//! Dialogs over the screen: help, the picker, a prompt, the new-task form.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::super::app::{App, Mode};
use super::super::forms::{PRIORITIES, TASK_FIELDS, TaskForm};
use super::super::input::LineInput;
use super::super::keys::bindings;
use super::centered;

pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    let theme = app.theme;
    match &app.mode {
        Mode::Help => {
            let keys = bindings(app);
            let key_width = keys
                .iter()
                .map(|b| b.keys.chars().count())
                .max()
                .unwrap_or(0);
            let lines: Vec<Line> = keys
                .iter()
                .map(|b| {
                    Line::from(vec![
                        Span::styled(format!("{:>key_width$}  ", b.keys), theme.key()),
                        Span::raw(b.what),
                    ])
                })
                .collect();
            // Room for a wrapped line or two on narrow terminals.
            let popup = centered(area, 90, lines.len() as u16 + 3);
            frame.render_widget(Clear, popup);
            frame.render_widget(
                Paragraph::new(lines)
                    .wrap(Wrap { trim: false })
                    .block(Block::bordered().title(" Keys here (esc closes) ")),
                popup,
            );
        }
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
            if let Some(note) = &picker.note {
                lines.push(Line::raw(""));
                lines.push(field_line(app, "Note (optional)", note, true));
            }
            let popup = centered(area, 60, lines.len() as u16 + 2);
            frame.render_widget(Clear, popup);
            frame.render_widget(
                Paragraph::new(lines).block(Block::bordered().title(format!(" {} ", picker.title))),
                popup,
            );
        }
        Mode::Prompt(prompt) => {
            let popup = centered(area, 60, 3);
            frame.render_widget(Clear, popup);
            frame.render_widget(
                Paragraph::new(field_line(app, "", &prompt.input, true))
                    .block(Block::bordered().title(format!(" {} ", prompt.title))),
                popup,
            );
        }
        Mode::TaskForm(form) => task_form(frame, app, form, area),
        _ => {}
    }
}

fn field_line(app: &App, label: &str, input: &LineInput, focused: bool) -> Line<'static> {
    let theme = app.theme;
    let mut spans = Vec::new();
    if !label.is_empty() {
        spans.push(Span::styled(format!("{label:>12}: "), theme.header()));
    }
    let text = input.text();
    if focused {
        let (before, after): (String, String) = {
            let at = input.cursor();
            (
                text.chars().take(at).collect(),
                text.chars().skip(at).collect(),
            )
        };
        spans.push(Span::raw(before));
        spans.push(Span::styled("▏", theme.key()));
        spans.push(Span::raw(after));
    } else {
        spans.push(Span::raw(text.to_string()));
    }
    Line::from(spans)
}

fn task_form(frame: &mut Frame, app: &App, form: &TaskForm, area: Rect) {
    let theme = app.theme;
    let mut lines: Vec<Line> = form
        .links
        .iter()
        .map(|l| Line::styled(format!(" {l}"), theme.dim()))
        .collect();
    lines.push(Line::raw(""));
    for (i, name) in TASK_FIELDS.iter().enumerate() {
        let focused = form.focus == i;
        let line = match i {
            0 => field_line(app, name, &form.name, focused),
            1 => field_line(app, name, &form.description, focused),
            3 => field_line(app, name, &form.due, focused),
            4 => field_line(app, name, &form.assignee, focused),
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
    }
    if let Some(error) = &form.error {
        lines.push(Line::styled(error.clone(), theme.error()));
    }
    let popup = centered(area, 70, lines.len() as u16 + 2);
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines).block(Block::bordered().title(format!(
            " New task for {} (enter creates, esc cancels) ",
            form.instance_id
        ))),
        popup,
    );
}
