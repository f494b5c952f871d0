//! What each remappable action does (its key comes from the key map: `[keys]`).

use super::super::activity;
use super::super::app::{Action, App, Mode};
use super::super::edits;
use super::super::forms::TaskField;
use super::super::input::LineInput;
use crate::config::keys::{Action as Act, Context};
use crate::domain::activity::ActivityKind;
use crate::domain::schema::DatabaseKey;
use crate::domain::view::Quick;

/// Where a key is pressed, for the key map: the Overview takes only the Global actions; a
/// table or a record open over it takes those of its database.
pub(super) fn context(app: &App) -> Context {
    if app.on_overview && app.detail().is_none() {
        return Context::Global;
    }
    if app.on_activity && app.detail().is_none() {
        return Context::Activity;
    }
    match app.focus_database() {
        DatabaseKey::ActiveWorkflowInstances => Context::Instances,
        DatabaseKey::Tasks => Context::Tasks,
        _ => Context::Table,
    }
}

/// The actions that change the record in focus: they work on an open record too. The
/// others of a table (filters, marks, sort) work on the table only.
fn acts_on_records(action: Act) -> bool {
    matches!(
        action,
        Act::Advance
            | Act::NewTask
            | Act::Resolve
            | Act::Hold
            | Act::TaskStatus
            | Act::TaskPriority
            | Act::TaskAssignee
            | Act::TaskDue
    )
}

/// Does `action`; `false` when it does not apply here (the key then goes on to the view's
/// own keys).
pub(super) fn perform(app: &mut App, action: Act) -> bool {
    let in_detail = app.detail().is_some();
    if in_detail && action.context() != Context::Global && !acts_on_records(action) {
        return false;
    }
    let now = app.now;
    let markable = !app.readonly
        && matches!(
            app.tab,
            DatabaseKey::ActiveWorkflowInstances | DatabaseKey::Tasks
        );
    match action {
        Act::Quit => app.quit = true,
        Act::Help => app.mode = Mode::Help { scroll: 0 },
        Act::Command => app.mode = Mode::Command(LineInput::default()),
        Act::Refresh if app.on_overview && !in_detail => {
            for key in crate::store::overview::OVERVIEW_SOURCES {
                app.actions.push(Action::Refresh(key));
            }
            app.actions.push(Action::LoadOverview);
            app.flash("refreshing…");
        }
        Act::Refresh if app.on_activity && !in_detail => {
            app.actions
                .push(Action::Refresh(DatabaseKey::ActiveWorkflowInstances));
            app.load_activity();
            app.flash("refreshing…");
        }
        Act::Refresh => {
            app.actions.push(Action::Refresh(app.focus_database()));
            app.actions.push(Action::LoadTable(app.tab));
            app.flash("refreshing…");
        }
        Act::OpenBrowser => {
            if let Some(page) = app.focus_page() {
                app.actions.push(Action::OpenUrl(page));
            }
        }
        Act::CopyUrl => {
            if let Some(why) = app.focus_credential() {
                app.flash_error(format!("not copied: {why}"));
            } else if let Some(page) = app.focus_page() {
                app.actions.push(Action::CopyUrl(page));
            }
        }
        Act::Undo => super::undo(app),
        Act::AlertOpen => return app.open_alert(),
        Act::AlertNext if app.alerts.list.len() > 1 => app.alerts.next(),
        Act::AlertDismiss if !app.alerts.list.is_empty() => drop(app.alerts.dismiss()),
        Act::AlertNext | Act::AlertDismiss => return false,
        Act::ClearChanged => app.clear_changed_here(),
        Act::Filter => app.mode = Mode::Filter,
        Act::Preview => app.preview = !app.preview,
        Act::SortNext => app.table_mut().cycle_sort(now),
        Act::Mark | Act::MarkRange | Act::MarkAll if !markable => return false,
        Act::Mark => app.table_mut().toggle_mark(),
        Act::MarkRange => app.table_mut().mark_range(),
        Act::MarkAll => app.table_mut().mark_visible(),
        Act::QuickMine => toggle_quick(app, Quick::Mine),
        Act::QuickClear => {
            let tab = app.tab;
            let table = app.table_mut();
            table.quick = crate::table::QuickFilter::default_for(tab);
            table.selected = 0;
            table.recompute(now);
        }
        Act::QuickActive => toggle_quick(app, Quick::Status("Active".into())),
        Act::QuickError => toggle_quick(app, Quick::Status("Error".into())),
        Act::QuickHold => toggle_quick(app, Quick::Status("On Hold".into())),
        Act::QuickStuck => toggle_quick(app, Quick::Stuck),
        // `Open` is on by default: the key shows closed tasks by taking it away.
        Act::QuickClosed => toggle_quick(app, Quick::Open),
        Act::QuickOverdue => toggle_quick(app, Quick::Overdue),
        Act::QuickUnassigned => toggle_quick(app, Quick::Unassigned),
        Act::SortDue => {
            let table = app.table_mut();
            match table.column_named("Due Date") {
                Some(column) => table.sort_by(column, now),
                None => app.flash_error("this table has no Due Date column"),
            }
        }
        Act::ActivityTransitions => activity::toggle_kind(app, ActivityKind::Transition),
        Act::ActivityErrors => activity::toggle_kind(app, ActivityKind::Error),
        Act::ActivityMine => activity::toggle_mine(app),
        Act::ActivityLonger => activity::step_window(app, true),
        Act::ActivityShorter => activity::step_window(app, false),
        Act::ActivityClear => activity::filter_command(app, ""),
        Act::Advance => edits::advance(app),
        Act::NewTask => edits::new_task(app),
        Act::Resolve => edits::resolve(app),
        Act::Hold => edits::hold_or_resume(app),
        Act::TaskStatus => edits::edit_task(app, TaskField::Status),
        Act::TaskPriority => edits::edit_task(app, TaskField::Priority),
        Act::TaskAssignee => edits::edit_task(app, TaskField::Assignee),
        Act::TaskDue => edits::edit_task(app, TaskField::Due),
    }
    true
}

fn toggle_quick(app: &mut App, quick: Quick) {
    let now = app.now;
    let table = app.table_mut();
    table.quick.toggle(quick);
    table.selected = 0;
    table.recompute(now);
}
