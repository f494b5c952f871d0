//! The list of keys `?` and the footer show, built from the key map (so help never lies
//! about a key, remapped or not).

use super::super::app::{App, Mode};
use crate::config::keys::Action as Act;
use crate::domain::schema::DatabaseKey;

/// One key of the current view: its keys, what it does, whether the footer shows it.
pub struct Binding {
    pub keys: String,
    pub what: String,
    pub footer: bool,
}

fn bind(keys: impl Into<String>, what: impl Into<String>, footer: bool) -> Binding {
    Binding {
        keys: keys.into(),
        what: what.into(),
        footer,
    }
}

/// The keys that work in the current view.
pub fn bindings(app: &App) -> Vec<Binding> {
    let k = |action: Act| app.keymap.key_label(action);
    let writable = !app.readonly;
    let database = app.focus_database();
    let mut keys = Vec::new();
    match &app.mode {
        Mode::Filter => {
            return vec![
                bind("type", "filter as you type (words; ~ fuzzy)", true),
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
        Mode::Picker(picker) => {
            let mut keys = vec![if picker.note_focused {
                bind("↑/↓", "choose (typing goes to the note)", true)
            } else {
                bind("j/k ↑/↓", "choose", true)
            }];
            if picker.note.is_some() {
                let what = if picker.note_focused {
                    "back to the list"
                } else {
                    "write a note"
                };
                keys.push(bind("tab", what, true));
            }
            keys.push(bind("enter", "confirm", true));
            keys.push(bind("esc", "cancel", true));
            return keys;
        }
        Mode::Prompt(prompt) => {
            let mut keys = Vec::new();
            if prompt.field == crate::ui::forms::TaskField::Assignee {
                keys.push(bind(
                    "type",
                    "narrows the list (enter takes the highlighted name)",
                    true,
                ));
                keys.push(bind(
                    "↑/↓",
                    "choose (↑ past the top: the text as typed)",
                    true,
                ));
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
        Mode::Help { .. } | Mode::Normal => {}
    }
    let overview = app.on_overview && app.detail().is_none();
    let activity = app.on_activity && app.detail().is_none();
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
    } else if activity {
        keys.push(bind(
            "0-6 tab",
            "switch tab (6 is this Activity tab)",
            false,
        ));
        keys.push(bind("j/k ↑/↓", "move", false));
        keys.push(bind("PgUp/PgDn g/G", "page, first, last", false));
        keys.push(bind(
            "enter",
            "open the instance, its history at this entry",
            true,
        ));
        keys.push(bind(
            k(Act::Filter),
            "filter the text shown (words; ~ fuzzy)",
            true,
        ));
        keys.push(bind("t", "absolute / relative times", true));
        keys.push(bind(
            k(Act::ActivityTransitions),
            "only transitions (again: every kind)",
            true,
        ));
        keys.push(bind(
            k(Act::ActivityErrors),
            "only errors (again: every kind)",
            true,
        ));
        keys.push(bind(
            k(Act::ActivityMine),
            "only mine: entries by HSN_OPERATOR (again: everyone's)",
            false,
        ));
        keys.push(bind(
            format!("{} {}", k(Act::ActivityShorter), k(Act::ActivityLonger)),
            "a shorter / longer window: 1, 7, 30 days, all time",
            true,
        ));
        keys.push(bind(
            k(Act::ActivityClear),
            "clear the structured filters",
            false,
        ));
        keys.push(bind(
            ":filter K=V",
            "actor= kind= workflow= to= instance= since= until= (K= removes one; they add up)",
            false,
        ));
        keys.push(bind(
            "esc",
            "clear the text filter, then the structured ones",
            false,
        ));
    } else if app.detail().is_some() {
        keys.push(bind("esc", "back", true));
        if super::super::workflow::open_rows(app).is_empty() {
            keys.push(bind("j/k", "choose a link", false));
            keys.push(bind("enter", "open the chosen link", true));
        } else {
            keys.push(bind("j/k", "choose a state, then a link", false));
            keys.push(bind(
                "enter",
                "a state: its instances; a link: open it",
                true,
            ));
        }
        if database == DatabaseKey::ActiveWorkflowInstances {
            keys.push(bind(
                "tab",
                "links ↔ history (there j/k an entry, enter shows it whole)",
                false,
            ));
            keys.push(bind("t", "absolute / relative times", true));
            keys.push(bind("f", "follow live updates", true));
            keys.push(bind("PgUp/PgDn", "scroll the history", false));
        }
    } else {
        keys.push(bind(
            "0-6 tab",
            "switch tab (0 Overview, 6 Activity)",
            false,
        ));
        keys.push(bind("j/k ↑/↓", "move", false));
        keys.push(bind("PgUp/PgDn g/G", "page, first, last", false));
        keys.push(bind("enter", "open", true));
        keys.push(bind(k(Act::Filter), "filter", true));
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
        keys.push(bind(k(Act::SortNext), "sort by the next column", false));
        // Only the letters of columns this table has.
        let letters: Vec<(char, &str)> = super::SORT_LETTERS
            .iter()
            .filter(|(letter, _, _)| {
                app.table()
                    .is_some_and(|t| super::sort_letter_column(t, *letter).is_some())
            })
            .map(|(letter, _, what)| (*letter, *what))
            .collect();
        if !letters.is_empty() {
            let (keys_text, whats): (Vec<String>, Vec<&str>) =
                letters.iter().map(|(l, w)| (l.to_string(), *w)).unzip();
            keys.push(bind(
                keys_text.join(" "),
                format!("sort by {} (twice: reverse)", whats.join(", ")),
                false,
            ));
        }
        keys.push(bind(k(Act::Preview), "detail pane", false));
        if markable {
            keys.push(bind(
                k(Act::Mark),
                "mark / unmark the row (and move down)",
                false,
            ));
            keys.push(bind(
                k(Act::MarkRange),
                "mark every row from the last marked one to here",
                false,
            ));
            keys.push(bind(
                k(Act::MarkAll),
                "mark every row the filters show",
                false,
            ));
        }
        if app
            .table()
            .is_some_and(|t| t.column_named("Assigned To").is_some())
        {
            keys.push(bind(
                k(Act::QuickMine),
                "only mine (assigned to HSN_OPERATOR)",
                false,
            ));
        }
        if database == DatabaseKey::ActiveWorkflowInstances {
            keys.push(bind(
                format!(
                    "{} {} {}",
                    k(Act::QuickActive),
                    k(Act::QuickError),
                    k(Act::QuickHold)
                ),
                "only Active, Error, On Hold",
                false,
            ));
            keys.push(bind(
                k(Act::QuickStuck),
                "only stuck (in its state over HSN_STUCK_DAYS, 7 by default)",
                false,
            ));
        }
        if database == DatabaseKey::Tasks {
            keys.push(bind(
                k(Act::QuickClosed),
                "show Done and Cancelled tasks too (hidden by default)",
                false,
            ));
            keys.push(bind(k(Act::QuickOverdue), "only overdue", false));
            keys.push(bind(k(Act::QuickUnassigned), "only unassigned", false));
            keys.push(bind(
                k(Act::SortDue),
                "sort by due date (twice: reverse)",
                false,
            ));
        }
        keys.push(bind(k(Act::QuickClear), "clear quick filters", false));
        keys.push(bind(
            k(Act::ClearChanged),
            "clear the • of rows changed since you last looked",
            false,
        ));
    }
    let marked =
        !overview && app.detail().is_none() && app.table().is_some_and(|t| !t.marks.is_empty());
    if writable && !overview && !activity && database == DatabaseKey::ActiveWorkflowInstances {
        if marked {
            keys.push(bind(
                k(Act::Advance),
                "move every marked instance (states legal from all)",
                true,
            ));
        } else {
            keys.push(bind(k(Act::Advance), "move to a next state", true));
            keys.push(bind(k(Act::NewTask), "new task", true));
        }
        keys.push(bind(
            k(Act::Resolve),
            "resolve an Error: back to Active, with a note",
            false,
        ));
        keys.push(bind(
            k(Act::Hold),
            "hold an Active instance, or resume a held one",
            false,
        ));
    }
    if writable && !overview && database == DatabaseKey::Tasks {
        let of = if marked { " of every marked task" } else { "" };
        keys.push(bind(k(Act::TaskStatus), format!("status{of}"), true));
        keys.push(bind(k(Act::TaskPriority), format!("priority{of}"), false));
        keys.push(bind(k(Act::TaskAssignee), format!("assignee{of}"), false));
        keys.push(bind(k(Act::TaskDue), format!("due date{of}"), false));
    }
    if writable {
        match app.undo.last() {
            Some(step) => keys.push(bind(
                k(Act::Undo),
                format!("undo: {} (asks first)", step.label),
                false,
            )),
            None => keys.push(bind(
                k(Act::Undo),
                "undo this session's last change (nothing yet)",
                false,
            )),
        }
    }
    // The alerts' keys are always listed; the footer shows one while an alert is up.
    let alerting = !app.alerts.list.is_empty();
    keys.push(bind(
        k(Act::AlertOpen),
        "open the alert's record (the flash line's, newest first)",
        alerting,
    ));
    keys.push(bind(k(Act::AlertNext), "next alert", false));
    keys.push(bind(k(Act::AlertDismiss), "dismiss the alert", false));
    keys.push(bind(k(Act::Refresh), "refresh now", false));
    keys.push(bind(k(Act::OpenBrowser), "open in the browser", false));
    keys.push(bind(k(Act::CopyUrl), "copy the Notion URL", false));
    keys.push(bind(
        k(Act::Command),
        "command (:tasks :activity :view NAME :save NAME :filter status=Error :sort COL)",
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
    keys.push(bind(k(Act::Help), "all keys", true));
    keys.push(bind(k(Act::Quit), "quit", true));
    keys
}
