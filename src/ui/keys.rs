//! Keys: what each does in each view, and the list `?` and the footer show (one list, so
//! help never lies about a key).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::app::{Action, App, MAIN_TABS, Mode, OutboxView};
use super::commands::run_command;
use super::bulk::{Confirm, SAMPLE, Then};
use super::edits::{self, refuse_readonly};
use super::forms::{Outcome, TaskField};
use super::input::LineInput;
use crate::domain::schema::DatabaseKey;

/// One key of the current view: its keys, what it does, whether the footer shows it.
pub struct Binding {
    pub keys: &'static str,
    pub what: String,
    pub footer: bool,
}

fn bind(keys: &'static str, what: impl Into<String>, footer: bool) -> Binding {
    Binding {
        keys,
        what: what.into(),
        footer,
    }
}

/// The keys that work in the current view.
pub fn bindings(app: &App) -> Vec<Binding> {
    let writable = !app.readonly;
    let database = app.focus_database();
    let mut keys = Vec::new();
    match &app.mode {
        Mode::Filter => {
            return vec![
                bind("type", "filter as you type (fuzzy)", true),
                bind("enter", "keep the filter", true),
                bind("esc", "clear the filter", true),
            ];
        }
        Mode::Command(_) => {
            return vec![
                bind("tab", "complete", true),
                bind("enter", "run", true),
                bind("esc", "cancel", true),
            ];
        }
        Mode::Picker(_) => {
            return vec![
                bind("↑/↓", "choose", true),
                bind("enter", "confirm", true),
                bind("esc", "cancel", true),
            ];
        }
        Mode::Prompt(prompt) => {
            let mut keys = Vec::new();
            if prompt.field == super::forms::TaskField::Assignee {
                keys.push(bind("type", "a name (free text, or narrows the list)", true));
                keys.push(bind("↑/↓", "choose from the list", true));
                keys.push(bind("-", "unassign (or choose (none))", true));
            } else {
                keys.push(bind("type", crate::domain::dates::DAY_FORMS, true));
            }
            keys.push(bind("enter", "confirm", true));
            keys.push(bind("esc", "cancel", true));
            return keys;
        }
        Mode::Confirm(_) => {
            return vec![
                bind("y", "go on", true),
                bind("n esc", "change nothing (any other key too)", true),
            ];
        }
        Mode::Report(_) => return vec![bind("esc enter q", "close", true)],
        Mode::TaskForm(_) => {
            return vec![
                bind("tab/↑/↓", "next field", true),
                bind("←/→", "priority", true),
                bind("enter", "create", true),
                bind("esc", "cancel", true),
            ];
        }
        Mode::Outbox(view) => {
            if view.confirm_drop.is_some() {
                return vec![
                    bind("y", "drop it: nothing is sent to Notion", true),
                    bind("n esc", "keep it (any other key too)", true),
                ];
            }
            let mut keys = vec![bind("j/k ↑/↓", "choose a write", true)];
            if writable {
                keys.push(bind(
                    "r",
                    "retry now (sent at once, whatever made it wait)",
                    true,
                ));
                keys.push(bind(
                    "d",
                    "drop (asks first; nothing is sent, the record shows Notion's copy again)",
                    true,
                ));
            }
            keys.push(bind("esc q", "close", true));
            return keys;
        }
        Mode::Help | Mode::Normal => {}
    }
    let overview = app.on_overview && app.detail().is_none();
    if overview {
        keys.push(bind("0-5 tab", "switch tab (0 is this Overview)", false));
        keys.push(bind("←/→ h/l", "next / previous panel", true));
        keys.push(bind(
            "f e t a",
            "funnel, exceptions (error, stuck), tasks, activity",
            false,
        ));
        keys.push(bind("j/k ↑/↓", "choose a line", false));
        keys.push(bind("PgUp/PgDn g/G", "page, first, last", false));
        keys.push(bind(
            "enter",
            "open (a funnel state: its instances; else the record)",
            true,
        ));
    } else if app.detail().is_some() {
        keys.push(bind("esc", "back", true));
        keys.push(bind("j/k", "choose a link", false));
        keys.push(bind("enter", "open the chosen link", true));
        if database == DatabaseKey::ActiveWorkflowInstances {
            keys.push(bind("t", "absolute / relative times", true));
            keys.push(bind("f", "follow live updates", true));
            keys.push(bind("PgUp/PgDn", "scroll the history", false));
        }
    } else {
        keys.push(bind("1-5 tab", "switch tab", false));
        keys.push(bind("j/k ↑/↓", "move", false));
        keys.push(bind("PgUp/PgDn g/G", "page, first, last", false));
        keys.push(bind("enter", "open", true));
        keys.push(bind("/", "filter", true));
        let markable = writable
            && matches!(
                database,
                DatabaseKey::ActiveWorkflowInstances | DatabaseKey::Tasks
            );
        keys.push(bind(
            "esc",
            if markable {
                "clear the marks (then the filters)"
            } else {
                "clear filters"
            },
            false,
        ));
        keys.push(bind("s", "sort by the next column", false));
        keys.push(bind(
            "N S P A T L",
            "sort by name, status, priority, assignee, in state, last (twice: reverse)",
            false,
        ));
        keys.push(bind("i", "detail pane", false));
        if markable {
            keys.push(bind("space", "mark / unmark the row (and move down)", false));
            keys.push(bind("v", "mark every row from the last marked one to here", false));
            keys.push(bind("ctrl-a", "mark every row the filters show", false));
        }
        if database == DatabaseKey::ActiveWorkflowInstances {
            keys.push(bind("a e h", "only Active, Error, On Hold", false));
            keys.push(bind(
                "x",
                "only stuck (in its state over HSN_STUCK_DAYS, 7 by default)",
                false,
            ));
            keys.push(bind("c", "clear quick filters", false));
        }
    }
    let marked = !overview && app.detail().is_none() && app.table().is_some_and(|t| !t.marks.is_empty());
    if writable && !overview && database == DatabaseKey::ActiveWorkflowInstances {
        if marked {
            keys.push(bind("m", "move every marked instance (states legal from all)", true));
        } else {
            keys.push(bind("m", "move to a next state", true));
            keys.push(bind("n", "new task", true));
        }
    }
    if writable && !overview && database == DatabaseKey::Tasks {
        let of = if marked { " of every marked task" } else { "" };
        keys.push(bind("m", format!("status{of}"), true));
        keys.push(bind("p", format!("priority{of}"), false));
        keys.push(bind("a", format!("assignee{of}"), false));
        keys.push(bind("d", format!("due date{of}"), false));
    }
    if writable {
        match app.undo.last() {
            Some(step) => keys.push(bind("u", format!("undo: {} (asks first)", step.label), false)),
            None => keys.push(bind("u", "undo this session's last change (nothing yet)", false)),
        }
    }
    keys.push(bind("r", "refresh now", false));
    keys.push(bind("o", "open in the browser", false));
    keys.push(bind("y", "copy the Notion URL", false));
    keys.push(bind(
        ":",
        "command (:instances :tasks :db NAME :filter status=Error :sort COLUMN :q)",
        true,
    ));
    keys.push(bind(
        ":outbox",
        if writable {
            "the writes queued for Notion, stuck ones marked: retry or drop them"
        } else {
            "the writes queued for Notion, stuck ones marked"
        },
        false,
    ));
    keys.push(bind("?", "all keys", true));
    keys.push(bind("q", "quit", true));
    keys
}

/// Handles a key.
pub fn handle_key(app: &mut App, key: KeyEvent) {
    if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
        app.quit = true;
        return;
    }
    match std::mem::take(&mut app.mode) {
        Mode::Normal => normal(app, key),
        Mode::Help => {
            if !matches!(
                key.code,
                KeyCode::Esc | KeyCode::Char('?') | KeyCode::Char('q')
            ) {
                app.mode = Mode::Help;
            }
        }
        Mode::Filter => filter(app, key),
        Mode::Command(mut input) => match key.code {
            KeyCode::Esc => {}
            KeyCode::Enter => run_command(app, input.text().trim()),
            KeyCode::Tab => {
                if let Some(done) = super::commands::complete(input.text()) {
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
            if !matches!(
                key.code,
                KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q')
            ) {
                app.mode = Mode::Report(report);
            }
        }
    }
}

/// `u`: asks whether to undo the last step of this session.
fn undo(app: &mut App) {
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
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let database = app.focus_database();
    let in_detail = app.detail().is_some();
    match key.code {
        KeyCode::Char('q') => app.quit = true,
        KeyCode::Char('?') => app.mode = Mode::Help,
        KeyCode::Char(':') => app.mode = Mode::Command(LineInput::default()),
        KeyCode::Char('r') if app.on_overview && !in_detail => {
            for key in crate::store::overview::OVERVIEW_SOURCES {
                app.actions.push(Action::Refresh(key));
            }
            app.actions.push(Action::LoadOverview);
            app.flash("refreshing…");
        }
        KeyCode::Char('0') if !in_detail => app.show_overview(),
        KeyCode::Char('1'..='5') | KeyCode::Tab | KeyCode::BackTab
            if app.on_overview && !in_detail =>
        {
            table_key(app, key, now)
        }
        KeyCode::Char('r') => {
            app.actions.push(Action::Refresh(database));
            app.actions.push(Action::LoadTable(app.tab));
            app.flash("refreshing…");
        }
        KeyCode::Char('o') => {
            if let Some(page) = app.focus_page() {
                app.actions.push(Action::OpenUrl(page));
            }
        }
        KeyCode::Char('y') => {
            if let Some(page) = app.focus_page() {
                app.actions.push(Action::CopyUrl(page));
            }
        }
        _ if app.on_overview && !in_detail => super::overview::key(app, key),
        KeyCode::Char('u') => undo(app),
        KeyCode::Char('a') if ctrl && !in_detail => table_key(app, key, now),
        KeyCode::Char(c @ ('m' | 'p' | 'd' | 'a')) if database == DatabaseKey::Tasks => {
            let field = match c {
                'm' => TaskField::Status,
                'p' => TaskField::Priority,
                'a' => TaskField::Assignee,
                _ => TaskField::Due,
            };
            edits::edit_task(app, field)
        }
        KeyCode::Char('m') if database == DatabaseKey::ActiveWorkflowInstances => {
            edits::advance(app)
        }
        KeyCode::Char('n') if database == DatabaseKey::ActiveWorkflowInstances => {
            edits::new_task(app)
        }
        _ if in_detail => detail_key(app, key),
        _ => table_key(app, key, now),
    }
}

fn detail_key(app: &mut App, key: KeyEvent) {
    let Some(view) = app.details.last_mut() else {
        return;
    };
    let links = view.detail.as_ref().map_or(0, |d| d.links.len());
    let entries = view
        .detail
        .as_ref()
        .and_then(|d| d.history.as_ref())
        .map_or(0, |h| h.entries.len());
    match key.code {
        KeyCode::Esc | KeyCode::Backspace | KeyCode::Char('h') | KeyCode::Left => {
            app.details.pop();
        }
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
        KeyCode::Enter => {
            let target = view
                .detail
                .as_ref()
                .and_then(|d| d.links.get(view.link))
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

fn table_key(app: &mut App, key: KeyEvent, now: chrono::DateTime<chrono::Utc>) {
    let shift_sort = |label: &str| -> Option<&'static str> {
        Some(match label {
            "N" => "__title",
            "S" => "Status",
            "P" => "Priority",
            "A" => "Assigned To",
            "T" => "In State",
            "L" => "Last",
            _ => return None,
        })
    };
    let is_instances = app.tab == DatabaseKey::ActiveWorkflowInstances;
    let markable = !app.readonly && (is_instances || app.tab == DatabaseKey::Tasks);
    match key.code {
        KeyCode::Char(c @ '1'..='5') => {
            let index = c as usize - '1' as usize;
            app.switch_tab(MAIN_TABS[index]);
        }
        KeyCode::Tab | KeyCode::BackTab => {
            // The Overview sits before the first database tab: position 0 of the cycle.
            let at = if app.on_overview {
                Some(0)
            } else {
                MAIN_TABS.iter().position(|k| *k == app.tab).map(|i| i + 1)
            };
            let n = MAIN_TABS.len() + 1;
            let next = match (at, key.code) {
                (Some(i), KeyCode::Tab) => (i + 1) % n,
                (Some(i), _) => (i + n - 1) % n,
                (None, _) => 0,
            };
            match next {
                0 => app.show_overview(),
                i => app.switch_tab(MAIN_TABS[i - 1]),
            }
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
        KeyCode::Char('/') => app.mode = Mode::Filter,
        KeyCode::Char('i') => app.preview = !app.preview,
        KeyCode::Char(' ') if markable => app.table_mut().toggle_mark(),
        KeyCode::Char('v') if markable => app.table_mut().mark_range(),
        KeyCode::Char('a')
            if markable && key.modifiers.contains(KeyModifiers::CONTROL) =>
        {
            app.table_mut().mark_visible()
        }
        KeyCode::Esc if app.table().is_some_and(|t| !t.marks.is_empty()) => {
            app.table_mut().marks.clear();
            app.flash("marks cleared");
        }
        KeyCode::Esc => {
            let table = app.table_mut();
            table.filter.clear();
            table.quick = Default::default();
            table.column_filter = None;
            table.recompute(now);
        }
        KeyCode::Char('s') => app.table_mut().cycle_sort(now),
        KeyCode::Char(c @ ('a' | 'e' | 'h')) if is_instances => {
            let status = match c {
                'a' => "Active",
                'e' => "Error",
                _ => "On Hold",
            };
            let table = app.table_mut();
            table.quick.status =
                (table.quick.status.as_deref() != Some(status)).then(|| status.to_string());
            table.selected = 0;
            table.recompute(now);
        }
        KeyCode::Char('x') if is_instances => {
            let table = app.table_mut();
            table.quick.stuck = !table.quick.stuck;
            table.selected = 0;
            table.recompute(now);
        }
        KeyCode::Char('c') if is_instances => {
            let table = app.table_mut();
            table.quick = Default::default();
            table.recompute(now);
        }
        KeyCode::Char(c) if c.is_ascii_uppercase() => {
            let Some(name) = shift_sort(&c.to_string()) else {
                return;
            };
            let table = app.table_mut();
            let column = if name == "__title" {
                Some(0)
            } else {
                table.column_named(name)
            };
            match column {
                Some(column) => table.sort_by(column, now),
                None => app.flash_error(format!("this table has no {name} column")),
            }
        }
        _ => {}
    }
}
