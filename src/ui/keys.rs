//! Keys: the dialogs' keys, the views' fixed keys (navigation, tabs, sort letters), and
//! the remappable actions (`perform.rs`, keys from the key map); `help.rs` lists them.

mod help;
mod perform;

pub use help::{Binding, bindings};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::app::{Action, App, MAIN_TABS, Mode, OutboxView, Screen};
use super::bulk::{Confirm, SAMPLE, Then};
use super::commands::run_command;
use super::edits::refuse_readonly;
use super::forms::Outcome;
use super::input::LineInput;
use crate::table::TableView;

/// Handles a key.
pub fn handle_key(app: &mut App, key: KeyEvent) {
    if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
        app.quit = true;
        return;
    }
    match std::mem::take(&mut app.mode) {
        Mode::Normal => normal(app, key),
        Mode::Help { scroll } => {
            // Scrolls past the end are stopped where it is drawn.
            let scroll = match key.code {
                KeyCode::Esc | KeyCode::Char('?') | KeyCode::Char('q') => return,
                KeyCode::Char('j') | KeyCode::Down => scroll.saturating_add(1),
                KeyCode::Char('k') | KeyCode::Up => scroll.saturating_sub(1),
                KeyCode::PageDown | KeyCode::Char(' ') => scroll.saturating_add(10),
                KeyCode::PageUp => scroll.saturating_sub(10),
                KeyCode::Char('g') | KeyCode::Home => 0,
                KeyCode::Char('G') | KeyCode::End => usize::MAX,
                _ => scroll,
            };
            app.mode = Mode::Help { scroll };
        }
        Mode::Filter => filter(app, key),
        Mode::Command(mut input) => match key.code {
            KeyCode::Esc => app.completions = None,
            KeyCode::Enter => {
                app.completions = None;
                run_command(app, input.text().trim())
            }
            KeyCode::Tab => {
                if let Some(done) = super::commands::complete(app, input.text()) {
                    input.set(&done);
                }
                app.mode = Mode::Command(input);
            }
            _ => {
                input.handle(key);
                app.mode = Mode::Command(input);
            }
        },
        Mode::Picker(mut picker) => match picker.handle(key) {
            Outcome::Stay => app.mode = Mode::Picker(picker),
            outcome => finish(app, outcome, Mode::Picker(picker)),
        },
        Mode::Prompt(mut prompt) => match prompt.handle(key) {
            Outcome::Stay => app.mode = Mode::Prompt(prompt),
            outcome => finish(app, outcome, Mode::Prompt(prompt)),
        },
        Mode::TaskForm(mut form) => match form.handle(key) {
            Outcome::Stay => app.mode = Mode::TaskForm(form),
            outcome => finish(app, outcome, Mode::TaskForm(form)),
        },
        Mode::Outbox(view) => outbox_key(app, view, key),
        Mode::Confirm(confirm) => {
            if matches!(key.code, KeyCode::Char('y' | 'Y')) && !refuse_readonly(app) {
                app.actions.push(match confirm.then {
                    Then::Submit { label, changes } => Action::Submit { label, changes },
                    Then::Undo(step) => Action::Undo(step),
                });
            } else {
                if let Then::Undo(step) = confirm.then {
                    // Not undone: still the next step `u` offers.
                    app.undo.push(step);
                }
                app.flash("nothing changed");
            }
        }
        Mode::Report(report) => {
            if !matches!(key.code, KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q')) {
                app.mode = Mode::Report(report);
            }
        }
    }
}

/// `u`: asks whether to undo the last step of this session.
pub(super) fn undo(app: &mut App) {
    if refuse_readonly(app) {
        return;
    }
    let Some(step) = app.undo.pop() else {
        return app.flash("nothing to undo: no change made in this session yet");
    };
    let sample = step
        .writes
        .iter()
        .take(SAMPLE)
        .map(|q| q.write.summary())
        .collect();
    app.mode = Mode::Confirm(Confirm {
        question: format!("Undo: {}?", step.label),
        sample,
        more: step.writes.len().saturating_sub(SAMPLE),
        then: Then::Undo(step),
    });
}

/// A key in the `:outbox` list.
fn outbox_key(app: &mut App, mut view: OutboxView, key: KeyEvent) {
    if let Some(seq) = view.confirm_drop.take() {
        // Only `y` drops; anything else keeps the write.
        if matches!(key.code, KeyCode::Char('y' | 'Y')) && !refuse_readonly(app) {
            app.actions.push(Action::DropWrite(seq));
            app.flash(format!("dropping write {seq}…"));
        } else {
            app.flash(format!("write {seq} kept"));
        }
        app.mode = Mode::Outbox(view);
        return;
    }
    match key.code {
        KeyCode::Esc | KeyCode::Char('q') => return,
        KeyCode::Char('j') | KeyCode::Down => view.move_by(1),
        KeyCode::Char('k') | KeyCode::Up => view.move_by(-1),
        KeyCode::PageDown => view.move_by(10),
        KeyCode::PageUp => view.move_by(-10),
        KeyCode::Char('g') | KeyCode::Home => view.selected = 0,
        KeyCode::Char('G') | KeyCode::End => view.move_by(isize::MAX / 2),
        KeyCode::Char('r') => {
            if !refuse_readonly(app)
                && let Some(row) = view.selected_row()
            {
                app.actions.push(Action::RetryWrite(row.seq));
                app.flash(format!("retrying write {}…", row.seq));
            }
        }
        KeyCode::Char('d') => {
            if !refuse_readonly(app)
                && let Some(row) = view.selected_row()
            {
                view.confirm_drop = Some(row.seq);
            }
        }
        _ => {}
    }
    app.mode = Mode::Outbox(view);
}

fn finish(app: &mut App, outcome: Outcome, dialog: Mode) {
    match outcome {
        Outcome::Done(action) => app.actions.push(action),
        Outcome::Ask(confirm) => app.mode = Mode::Confirm(confirm),
        Outcome::Unchanged(message) => app.flash(message),
        Outcome::Invalid(message) => {
            app.flash_error(message);
            app.mode = dialog;
        }
        Outcome::Cancel | Outcome::Stay => {}
    }
}

fn filter(app: &mut App, key: KeyEvent) {
    if app.on_activity && app.detail().is_none() {
        return super::activity::filter_key(app, key);
    }
    let now = app.now;
    let table = app.table_mut();
    match key.code {
        KeyCode::Esc => {
            table.filter.clear();
            table.recompute(now);
        }
        KeyCode::Enter => {}
        KeyCode::Down | KeyCode::Up => {
            table.move_by(if key.code == KeyCode::Down { 1 } else { -1 });
            app.mode = Mode::Filter;
        }
        _ => {
            let mut input = LineInput::with(&table.filter);
            input.handle(key);
            table.filter = input.text().to_string();
            table.selected = 0;
            table.recompute(now);
            app.mode = Mode::Filter;
        }
    }
}

fn normal(app: &mut App, key: KeyEvent) {
    let now = app.now;
    let in_detail = app.detail().is_some();
    if let Some(action) = app.keymap.action(perform::context(app), &key)
        && perform::perform(app, action)
    {
        return;
    }
    let elsewhere = (app.on_overview || app.on_activity) && !in_detail;
    match key.code {
        KeyCode::Char('0') if !in_detail => app.show_overview(),
        KeyCode::Char('6') if !in_detail => app.show_activity(),
        KeyCode::Char('1'..='5') | KeyCode::Tab | KeyCode::BackTab if elsewhere => {
            table_key(app, key, now)
        }
        _ if app.on_overview && !in_detail => super::overview::key(app, key),
        _ if app.on_activity && !in_detail => super::activity::key(app, key),
        _ if in_detail => detail_key(app, key),
        _ => table_key(app, key, now),
    }
}

fn detail_key(app: &mut App, key: KeyEvent) {
    // A workflow's states come first in what `j`/`k` choose, then its links.
    let states = super::workflow::open_rows(app);
    let Some(view) = app.details.last_mut() else {
        return;
    };
    let links = states.len() + view.detail.as_ref().map_or(0, |d| d.links.len());
    let entries = view
        .detail
        .as_ref()
        .and_then(|d| d.history.as_ref())
        .map_or(0, |h| h.entries.len());
    if view.entry_open {
        // The entry shown whole: any key closes it (esc, enter, q…).
        view.entry_open = false;
        return;
    }
    match key.code {
        KeyCode::Esc | KeyCode::Backspace | KeyCode::Char('h') | KeyCode::Left => {
            app.details.pop();
        }
        KeyCode::Tab | KeyCode::BackTab if entries > 0 => {
            view.history_focus = !view.history_focus;
        }
        KeyCode::Char('j') | KeyCode::Down if view.history_focus => {
            view.scroll = (view.scroll + 1).min(entries.saturating_sub(1))
        }
        KeyCode::Char('k') | KeyCode::Up if view.history_focus => {
            view.scroll = view.scroll.saturating_sub(1)
        }
        KeyCode::Enter if view.history_focus => view.entry_open = true,
        KeyCode::Char('j') | KeyCode::Down => {
            view.link = (view.link + 1).min(links.saturating_sub(1))
        }
        KeyCode::Char('k') | KeyCode::Up => view.link = view.link.saturating_sub(1),
        KeyCode::PageDown => view.scroll = (view.scroll + 5).min(entries.saturating_sub(1)),
        KeyCode::PageUp => view.scroll = view.scroll.saturating_sub(5),
        KeyCode::Char('t') => app.relative_time = !app.relative_time,
        KeyCode::Char('f') => {
            app.follow = !app.follow;
            if app.follow {
                view.scroll = entries.saturating_sub(1);
            }
            let text = if app.follow {
                "following live updates"
            } else {
                "stopped following"
            };
            app.flash(text);
        }
        KeyCode::Enter if view.link < states.len() => {
            let state = states[view.link].clone();
            super::workflow::open_state(app, &state);
        }
        KeyCode::Enter => {
            let target = view
                .detail
                .as_ref()
                .and_then(|d| d.links.get(view.link - states.len()))
                .map(|l| (l.page_id.clone(), l.title.clone()));
            match target {
                Some((Some(page), _)) => app.open_detail(page),
                Some((None, title)) => app.flash_error(format!("{title} is not in the store")),
                None => {}
            }
        }
        _ => {}
    }
}

/// The capital letters that sort a table by a column (twice: reverse): the letter, the
/// column (by [`TableView::column_named`]; `None` is the title) and how help names it.
pub const SORT_LETTERS: [(char, Option<&str>, &str); 6] = [
    ('N', None, "name"),
    ('S', Some("Status"), "status"),
    ('P', Some("Priority"), "priority"),
    ('A', Some("Assigned To"), "assignee"),
    ('T', Some("In State"), "time in state"),
    ('L', Some("Last"), "last date"),
];

/// The column a sort letter sorts `table` by, if the table has it.
pub fn sort_letter_column(table: &TableView, letter: char) -> Option<usize> {
    let (_, column, _) = SORT_LETTERS.iter().find(|(l, _, _)| *l == letter)?;
    match column {
        None => table.data.is_some().then_some(0),
        Some(name) => table.column_named(name),
    }
}

fn table_key(app: &mut App, key: KeyEvent, now: chrono::DateTime<chrono::Utc>) {
    match key.code {
        KeyCode::Char(c @ '1'..='5') => {
            let index = c as usize - '1' as usize;
            app.switch_tab(MAIN_TABS[index]);
        }
        KeyCode::Tab | KeyCode::BackTab => {
            // The Overview, the database tabs, then the Activity tab.
            let cycle: Vec<Screen> = std::iter::once(Screen::Overview)
                .chain(MAIN_TABS.iter().map(|k| Screen::Table(*k)))
                .chain(std::iter::once(Screen::Activity))
                .collect();
            let n = cycle.len();
            let next = match (cycle.iter().position(|s| *s == app.screen()), key.code) {
                (Some(i), KeyCode::Tab) => (i + 1) % n,
                (Some(i), _) => (i + n - 1) % n,
                (None, _) => 0,
            };
            app.show(cycle[next]);
        }
        KeyCode::Char('j') | KeyCode::Down => app.table_mut().move_by(1),
        KeyCode::Char('k') | KeyCode::Up => app.table_mut().move_by(-1),
        KeyCode::PageDown => app.table_mut().move_by(20),
        KeyCode::PageUp => app.table_mut().move_by(-20),
        KeyCode::Char('g') | KeyCode::Home => app.table_mut().selected = 0,
        KeyCode::Char('G') | KeyCode::End => app.table_mut().move_by(isize::MAX / 2),
        KeyCode::Enter | KeyCode::Right | KeyCode::Char('l') => {
            if let Some(page) = app
                .table()
                .and_then(|t| t.selected_row())
                .map(|r| r.page_id.clone())
            {
                app.open_detail(page);
            }
        }
        KeyCode::Esc if app.table().is_some_and(|t| !t.marks.is_empty()) => {
            app.table_mut().marks.clear();
            app.flash("marks cleared");
        }
        KeyCode::Esc => {
            let tab = app.tab;
            app.table_mut().clear_filters(tab, now);
        }
        KeyCode::Char(c) if c.is_ascii_uppercase() => {
            let Some((_, name, _)) = SORT_LETTERS.iter().find(|(l, _, _)| *l == c) else {
                return;
            };
            let table = app.table_mut();
            match sort_letter_column(table, c) {
                Some(column) => table.sort_by(column, now),
                None => app.flash_error(format!(
                    "this table has no {} column",
                    name.unwrap_or("title")
                )),
            }
        }
        _ => {}
    }
}
