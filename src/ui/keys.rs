//! Keys: what each does in each view, and the list `?` and the footer show (one list, so
//! help never lies about a key).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::app::{Action, App, MAIN_TABS, Mode, OutboxView};
use super::commands::run_command;
use super::forms::{Outcome, Picker, PickerPurpose, Prompt, PromptPurpose, TaskForm};
use super::input::LineInput;
use crate::domain::schema::{DatabaseKey, TASK_STATUSES};

/// One key of the current view: its keys, what it does, whether the footer shows it.
pub struct Binding {
    pub keys: &'static str,
    pub what: &'static str,
    pub footer: bool,
}

const fn bind(keys: &'static str, what: &'static str, footer: bool) -> Binding {
    Binding { keys, what, footer }
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
        Mode::Picker(_) | Mode::Prompt(_) => {
            return vec![
                bind("↑/↓", "choose", true),
                bind("enter", "confirm", true),
                bind("esc", "cancel", true),
            ];
        }
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
        keys.push(bind("esc", "clear filters", false));
        keys.push(bind("s", "sort by the next column", false));
        keys.push(bind(
            "N S P A T L",
            "sort by name, status, priority, assignee, in state, last (twice: reverse)",
            false,
        ));
        keys.push(bind("i", "detail pane", false));
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
    if writable && !overview && database == DatabaseKey::ActiveWorkflowInstances {
        keys.push(bind("m", "move to a next state", true));
        keys.push(bind("n", "new task", true));
    }
    if writable && !overview && database == DatabaseKey::Tasks {
        keys.push(bind("m", "status", true));
        keys.push(bind("p", "priority", false));
        keys.push(bind("a", "assignee", false));
        keys.push(bind("d", "due date", false));
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
    }
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

fn refuse_readonly(app: &mut App) -> bool {
    if app.readonly {
        app.flash_error("read-only: started with --readonly, nothing can be changed");
    }
    app.readonly
}

fn normal(app: &mut App, key: KeyEvent) {
    let now = app.now;
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
        KeyCode::Char('m' | 'p' | 'd' | 'a') if database == DatabaseKey::Tasks => {
            task_key(app, key.code)
        }
        KeyCode::Char('m') if database == DatabaseKey::ActiveWorkflowInstances => advance(app),
        KeyCode::Char('n') if database == DatabaseKey::ActiveWorkflowInstances => new_task(app),
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

/// The selected instance's legal next states, from the table's workflows.
fn advance(app: &mut App) {
    if refuse_readonly(app) {
        return;
    }
    let Some(page) = app.focus_page() else { return };
    let Some(table) = app.tables.get(&DatabaseKey::ActiveWorkflowInstances) else {
        app.flash_error("the instances are still loading");
        return;
    };
    let Some(data) = &table.data else {
        app.flash_error("the instances are still loading");
        return;
    };
    let Some(row) = data
        .rows
        .iter()
        .position(|r| r.page_id == page)
        .map(|i| data.row(i))
    else {
        app.flash_error("that instance is not loaded yet");
        return;
    };
    let Some(machine) = row.workflow.as_ref().and_then(|w| data.machines.get(&**w)) else {
        app.flash_error(format!(
            "{} has no workflow with readable states",
            row.title()
        ));
        return;
    };
    let options: Vec<String> = machine
        .next_states(&row.current_state)
        .into_iter()
        .map(str::to_string)
        .collect();
    if options.is_empty() {
        app.flash_error(format!(
            "{} is in \"{}\", a terminal state: no moves",
            row.title(),
            row.current_state
        ));
        return;
    }
    app.mode = Mode::Picker(Picker {
        title: format!("Move {} from \"{}\" to", row.title(), row.current_state),
        purpose: PickerPurpose::Advance {
            instance_page: page,
            from: row.current_state.to_string(),
        },
        options,
        selected: 0,
        note: Some(LineInput::default()),
    });
}

fn new_task(app: &mut App) {
    if refuse_readonly(app) {
        return;
    }
    let Some(page) = app.focus_page() else { return };
    let found = app
        .tables
        .get(&DatabaseKey::ActiveWorkflowInstances)
        .and_then(|t| t.data.as_ref())
        .and_then(|d| {
            let row = d.row(d.rows.iter().position(|r| r.page_id == page)?);
            Some((row.title().to_string(), row.cell(6).to_string()))
        });
    let Some((title, client)) = found else {
        app.flash_error("that instance is not loaded yet");
        return;
    };
    let mut links = vec![format!("Related Workflow Instance: {title}")];
    if !client.is_empty() {
        links.push(format!("Client: {client}"));
    }
    links.push("Related Business Entity: the instance's".into());
    app.mode = Mode::TaskForm(Box::new(TaskForm::new(page, title, links)));
}

fn task_key(app: &mut App, code: KeyCode) {
    if refuse_readonly(app) {
        return;
    }
    let Some(task_page) = app.focus_page() else {
        return;
    };
    // The open record first: the table's selection is another record then.
    let title = app
        .detail()
        .and_then(|d| d.detail.as_ref())
        .map(|d| d.title.clone())
        .or_else(|| {
            app.table()
                .and_then(|t| t.selected_row())
                .map(|r| r.title().to_string())
        })
        .unwrap_or_default();
    app.mode = match code {
        KeyCode::Char('m') => Mode::Picker(Picker {
            title: format!("Status of {title}"),
            purpose: PickerPurpose::TaskStatus { task_page },
            options: TASK_STATUSES.iter().map(|c| c.name.to_string()).collect(),
            selected: 0,
            note: None,
        }),
        KeyCode::Char('p') => Mode::Picker(Picker {
            title: format!("Priority of {title}"),
            purpose: PickerPurpose::TaskPriority { task_page },
            options: super::forms::PRIORITIES
                .iter()
                .map(|p| p.to_string())
                .collect(),
            selected: 0,
            note: None,
        }),
        KeyCode::Char('a') => Mode::Prompt(Prompt {
            title: format!("Assignee of {title}"),
            purpose: PromptPurpose::Assignee { task_page },
            input: LineInput::default(),
        }),
        KeyCode::Char('d') => Mode::Prompt(Prompt {
            title: format!("Due date of {title} (YYYY-MM-DD)"),
            purpose: PromptPurpose::Due { task_page },
            input: LineInput::default(),
        }),
        _ => Mode::Normal,
    };
}
