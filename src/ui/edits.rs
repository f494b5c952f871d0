//! The keys that change records: which records they act on (the open record, else the
//! marked rows, else the selected row) and the dialog each opens, starting on the value
//! the records hold.

use chrono::NaiveDate;

use super::app::{Action, App, Mode};
use super::bulk::{Fix, Target, count_of};
use super::forms::{Picker, PickerPurpose, Prompt, TaskField, TaskForm};
use super::input::LineInput;
use crate::domain::schema::{DatabaseKey, TASK_STATUSES};

/// Refuses (and says so) when the dashboard was started read-only.
pub fn refuse_readonly(app: &mut App) -> bool {
    if app.readonly {
        app.flash_error("read-only: started with --readonly, nothing can be changed");
    }
    app.readonly
}

/// The operator's today (due dates are days where the operator is).
pub fn today(app: &App) -> NaiveDate {
    app.now.with_timezone(&chrono::Local).date_naive()
}

/// The records a key acts on in `key`'s table, each with its `column` as it is now (an
/// instance's current state when `column` is "Current State"): the open record, else the
/// marked rows, else the selected one.
fn targets(app: &App, key: DatabaseKey, column: &str) -> Result<Vec<Target>, String> {
    let table = app.tables.get(&key);
    let data = table.and_then(|t| t.data.as_ref());
    let index = table.and_then(|t| t.column_named(column));
    let target_of = |row: usize| -> Option<Target> {
        let data = data?;
        let view = data.row(row);
        let current = if column == "Current State" {
            view.current_state.to_string()
        } else {
            index.map(|c| view.cell(c).to_string()).unwrap_or_default()
        };
        // A masked value is not the value: never offered back to be written.
        let current = if current.contains(crate::domain::secrets::MASKED) {
            String::new()
        } else {
            current
        };
        Some(Target {
            page: view.page_id.clone(),
            title: view.title().to_string(),
            current,
        })
    };
    if let Some(open) = app.detail() {
        let from_table = data
            .and_then(|d| d.rows.iter().position(|r| r.page_id == open.page_id))
            .and_then(target_of);
        let from_detail = || {
            let detail = open.detail.as_ref()?;
            let current = detail
                .properties
                .iter()
                .find(|(name, _)| *name == column)
                .map(|(_, value)| value.clone())
                .unwrap_or_default();
            Some(Target {
                page: open.page_id.clone(),
                title: detail.title.clone(),
                current,
            })
        };
        return from_table
            .or_else(from_detail)
            .map(|t| vec![t])
            .ok_or_else(|| "that record is still loading".to_string());
    }
    let table = table.filter(|_| app.tab == key).ok_or("nothing selected")?;
    let data = data.ok_or("the table is still loading")?;
    if !table.marks.is_empty() {
        return Ok(table
            .marks
            .rows(data)
            .into_iter()
            .filter_map(target_of)
            .collect());
    }
    table
        .visible
        .get(table.selected)
        .and_then(|&row| target_of(row))
        .map(|t| vec![t])
        .ok_or_else(|| "nothing selected".to_string())
}

/// `m` on instances: the states legal from every target's current state.
pub fn advance(app: &mut App) {
    if refuse_readonly(app) {
        return;
    }
    let targets = match targets(app, DatabaseKey::ActiveWorkflowInstances, "Current State") {
        Ok(targets) => targets,
        Err(e) => return app.flash_error(e),
    };
    let Some(data) = app
        .tables
        .get(&DatabaseKey::ActiveWorkflowInstances)
        .and_then(|t| t.data.as_ref())
    else {
        return app.flash_error("the instances are still loading");
    };
    // Each target's legal moves, in its workflow's order.
    let mut common: Option<Vec<String>> = None;
    let mut why = Vec::new();
    for target in &targets {
        let row = data.rows.iter().position(|r| r.page_id == target.page);
        let machine = row
            .and_then(|i| data.rows[i].workflow.as_ref())
            .and_then(|w| data.machines.get(&**w));
        let Some(machine) = machine else {
            return app.flash_error(format!(
                "{} has no workflow with readable states",
                target.title
            ));
        };
        let moves: Vec<String> = machine
            .next_states(&target.current)
            .into_iter()
            .map(str::to_string)
            .collect();
        if why.len() < 3 {
            why.push(match moves.as_slice() {
                [] => format!(
                    "{} ({}) is in a terminal state",
                    target.title, target.current
                ),
                _ => format!(
                    "{} ({}) can go to {}",
                    target.title,
                    target.current,
                    moves.join(", ")
                ),
            });
        }
        common = Some(match common {
            None => moves,
            Some(so_far) => so_far.into_iter().filter(|s| moves.contains(s)).collect(),
        });
    }
    let options = common.unwrap_or_default();
    if options.is_empty() {
        let message = match targets.as_slice() {
            [one] => format!(
                "{} is in \"{}\", a terminal state: no moves",
                one.title, one.current
            ),
            _ => format!(
                "no state is legal from every marked instance: {}",
                why.join("; ")
            ),
        };
        return app.flash_error(message);
    }
    let title = match targets.as_slice() {
        [one] => format!("Move {} from \"{}\" to", one.title, one.current),
        _ => format!(
            "Move {} to",
            count_of(targets.len(), "marked instance", "marked instances")
        ),
    };
    app.mode = Mode::Picker(Picker::new(
        title,
        PickerPurpose::Advance { targets },
        options,
        Some(LineInput::default()),
    ));
}

/// `n` on an instance: the new-task form (one instance: not with marks).
pub fn new_task(app: &mut App) {
    if refuse_readonly(app) {
        return;
    }
    let marked = app
        .tables
        .get(&DatabaseKey::ActiveWorkflowInstances)
        .map_or(0, |t| t.marks.len());
    if marked > 0 && app.detail().is_none() && app.tab == DatabaseKey::ActiveWorkflowInstances {
        return app.flash_error(format!(
            "n makes one task for one instance: {marked} marked (esc clears the marks)"
        ));
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
        return app.flash_error("that instance is not loaded yet");
    };
    let mut links = vec![format!("Related Workflow Instance: {title}")];
    if !client.is_empty() {
        links.push(format!("Client: {client}"));
    }
    // The entity's name comes with the instance's detail: from the one open, else read
    // now and filled in when it arrives.
    let entity = app
        .details
        .iter()
        .rev()
        .filter(|v| v.page_id == page)
        .find_map(|v| v.detail.as_ref())
        .map(TaskForm::entity_of);
    if entity.is_none() {
        app.actions.push(Action::LoadDetail(page.clone()));
    }
    let today = today(app);
    let mut form = TaskForm::new(page, title, links, today);
    form.entity = entity;
    app.mode = Mode::TaskForm(Box::new(form));
}

/// `m` `p` `a` `d` on tasks: status, priority, assignee, due date.
pub fn edit_task(app: &mut App, field: TaskField) {
    if refuse_readonly(app) {
        return;
    }
    let targets = match targets(app, DatabaseKey::Tasks, field.column()) {
        Ok(targets) => targets,
        Err(e) => return app.flash_error(e),
    };
    let of = match targets.as_slice() {
        [one] => one.title.clone(),
        _ => count_of(targets.len(), "marked task", "marked tasks"),
    };
    let today = today(app);
    app.mode = match field {
        TaskField::Status => Mode::Picker(Picker::new(
            format!("Status of {of}"),
            PickerPurpose::Task { field, targets },
            TASK_STATUSES.iter().map(|c| c.name.to_string()).collect(),
            None,
        )),
        TaskField::Priority => Mode::Picker(Picker::new(
            format!("Priority of {of}"),
            PickerPurpose::Task { field, targets },
            super::forms::PRIORITIES
                .iter()
                .map(|p| p.to_string())
                .collect(),
            None,
        )),
        TaskField::Assignee => {
            app.actions.push(Action::LoadNames);
            Mode::Prompt(Prompt::assignee(
                format!("Assignee of {of}"),
                targets,
                app.names.clone(),
                today,
            ))
        }
        TaskField::Due => Mode::Prompt(Prompt::due(format!("Due date of {of}"), targets, today)),
    };
}

/// `R` on instances: resolve the error of each one in Error (back to Active, its message
/// cleared, a history entry with the note).
pub fn resolve(app: &mut App) {
    correct(app, |status| (status == "Error").then_some(Fix::Resolve))
}

/// `H` on instances: put Active ones on hold, or resume held ones.
pub fn hold_or_resume(app: &mut App) {
    correct(app, |status| match status {
        "Active" => Some(Fix::Hold),
        "On Hold" => Some(Fix::Resume),
        _ => None,
    })
}

/// Opens the note picker for the fix `fix_for` gives every target's status; refuses when
/// a target's status allows none, or the targets need different ones.
fn correct(app: &mut App, fix_for: impl Fn(&str) -> Option<Fix>) {
    if refuse_readonly(app) {
        return;
    }
    let targets = match targets(app, DatabaseKey::ActiveWorkflowInstances, "Status") {
        Ok(targets) => targets,
        Err(e) => return app.flash_error(e),
    };
    let mut fix = None;
    for target in &targets {
        let Some(this) = fix_for(&target.current) else {
            let status = match target.current.as_str() {
                "" => "no status".to_string(),
                s => format!("\"{s}\""),
            };
            return app.flash_error(format!(
                "{} has {status}: this key resolves an Error, holds an Active or resumes an On Hold instance",
                target.title
            ));
        };
        if fix.is_some_and(|f| f != this) {
            return app.flash_error(
                "the marked instances need different changes (some held, some active): mark one kind",
            );
        }
        fix = Some(this);
    }
    let Some(fix) = fix else { return };
    let of = match targets.as_slice() {
        [one] => one.title.clone(),
        _ => count_of(targets.len(), "marked instance", "marked instances"),
    };
    let (_, to) = fix.statuses();
    app.mode = Mode::Picker(Picker::new(
        format!("{} (status becomes {to}); note:", fix.label(&of)),
        PickerPurpose::Correct { fix, targets },
        vec![to.to_string()],
        Some(LineInput::default()),
    ));
}
