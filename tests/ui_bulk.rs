//! Triage at speed in the dashboard, without a terminal: marks that survive filtering and
//! sorting, the changes a bulk action asks for (one per marked record), the question
//! before them, their progress and failures, and the step `u` undoes.

use std::collections::BTreeSet;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use hsn::domain::schema::DatabaseKey;
use hsn::domain::write::Write;
use hsn::store::Store;
use hsn::sync::Event;
use hsn::ui::app::{Action, App, Mode, Msg};
use hsn::ui::bulk::{Change, Fix, Queued};
use hsn::ui::keys::handle_key;

mod ui_support;
use ui_support::*;

fn ctrl(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
}

fn tasks_app(store: &Store) -> App {
    let mut app = demo_app(store);
    keys(&mut app, "5");
    app.take_actions();
    app
}

fn selected_page(app: &App) -> String {
    app.table().unwrap().selected_row().unwrap().page_id.clone()
}

fn visible_pages(app: &App) -> Vec<String> {
    let table = app.table().unwrap();
    let data = table.data.as_ref().unwrap();
    table
        .visible
        .iter()
        .map(|&i| data.rows[i].page_id.clone())
        .collect()
}

/// The pages the changes the actions ask for act on.
fn changed_pages(actions: &[Action]) -> BTreeSet<String> {
    changes(actions)
        .into_iter()
        .map(|c| match c {
            Change::EditTask { task_page, .. } => task_page,
            Change::Advance { instance_page, .. } => instance_page,
            Change::CreateTask { instance_page, .. } => instance_page,
            Change::Correct { instance_page, .. } => instance_page,
        })
        .collect()
}

fn enter(app: &mut App) {
    handle_key(app, key(KeyCode::Enter));
}

#[test]
fn marks_survive_filter_and_sort_and_the_bulk_action_changes_every_marked_task() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir);
    let mut app = tasks_app(&store);

    // Two marked by hand: `space` marks and moves down.
    let first = selected_page(&app);
    keys(&mut app, " ");
    let second = selected_page(&app);
    assert_ne!(first, second, "space moves down");
    keys(&mut app, " ");
    assert!(render(&mut app, 120, 12).contains("2 marked"));

    // Filtered to other rows, sorted: the marks stay, and ctrl-a adds what shows.
    let wanted = {
        let table = app.table().unwrap();
        table
            .data
            .as_ref()
            .unwrap()
            .row(table.visible[20])
            .title()
            .to_string()
    };
    keys(&mut app, "/");
    keys(&mut app, &wanted);
    enter(&mut app);
    keys(&mut app, "P");
    let shown = visible_pages(&app);
    assert!(!shown.is_empty() && !shown.contains(&first), "{shown:?}");
    handle_key(&mut app, ctrl('a'));
    let mut expected: BTreeSet<String> = shown.iter().cloned().collect();
    expected.insert(first.clone());
    expected.insert(second.clone());
    assert_eq!(app.table().unwrap().marks.len(), expected.len());

    // The assignee prompt, then the question: nothing is queued before `y`.
    keys(&mut app, "a");
    keys(&mut app, "Nyra");
    enter(&mut app);
    let Mode::Confirm(confirm) = &app.mode else {
        panic!("a bulk change asks first, got {:?}", app.mode)
    };
    assert_eq!(
        confirm.question,
        format!("Assign {} tasks to Nyra?", expected.len())
    );
    assert!(changes(&app.take_actions()).is_empty());
    keys(&mut app, "y");
    let actions = app.take_actions();
    assert_eq!(changed_pages(&actions), expected);
    for change in changes(&actions) {
        let Change::EditTask { edit, .. } = change else {
            panic!("{change:?}")
        };
        assert_eq!(edit.assignee.as_deref(), Some("Nyra"));
        assert_eq!((edit.status, edit.priority, edit.due), (None, None, None));
    }
}

#[test]
fn the_question_defaults_to_no_and_esc_clears_marks_before_the_filter() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir);
    let mut app = tasks_app(&store);
    keys(&mut app, "  ");
    keys(&mut app, "aSomeone New");
    enter(&mut app);
    assert!(matches!(app.mode, Mode::Confirm(_)));
    enter(&mut app);
    assert!(matches!(app.mode, Mode::Normal));
    assert!(changes(&app.take_actions()).is_empty(), "enter is not yes");
    assert_eq!(
        app.table().unwrap().marks.len(),
        2,
        "marks kept for a retry"
    );

    keys(&mut app, "/TASK-1");
    enter(&mut app);
    let filtered = app.table().unwrap().visible.len();
    handle_key(&mut app, key(KeyCode::Esc));
    assert!(app.table().unwrap().marks.is_empty());
    assert_eq!(app.table().unwrap().visible.len(), filtered, "filter kept");
    handle_key(&mut app, key(KeyCode::Esc));
    assert!(app.table().unwrap().visible.len() > filtered);
}

/// Marks rows of the Instances tab by their Instance ID.
fn mark_instances(app: &mut App, ids: &[&str]) {
    for id in ids {
        let table = app.table_mut();
        let data = table.data.as_ref().unwrap();
        let page = (0..data.rows.len())
            .find(|&i| data.row(i).title() == *id)
            .map(|i| data.rows[i].page_id.clone())
            .unwrap_or_else(|| panic!("{id} is in the demo"));
        table.marks.toggle(&page);
    }
}

/// The picker's options after `m` on the marked instances.
fn advance_options(app: &mut App) -> Option<Vec<String>> {
    keys(app, "m");
    match std::mem::take(&mut app.mode) {
        Mode::Picker(picker) => Some(picker.options.clone()),
        _ => None,
    }
}

#[test]
fn advancing_marked_instances_offers_only_the_states_legal_from_every_one() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir);
    let mut app = demo_app(&store);
    let table = app.table().unwrap();
    let data = table.data.as_ref().unwrap();
    // Two instances of one workflow in one state, and one of another workflow.
    let row_of = |i: usize| {
        let row = data.row(i);
        (
            row.title().to_string(),
            row.workflow.clone(),
            row.current_state.clone(),
        )
    };
    let rows: Vec<_> = (0..data.rows.len()).map(row_of).collect();
    let (twin_a, twin_b) = rows
        .iter()
        .enumerate()
        .find_map(|(i, a)| {
            rows[i + 1..]
                .iter()
                .find(|b| b.1 == a.1 && b.2 == a.2)
                .map(|b| (a.clone(), b.clone()))
        })
        .expect("the demo has two instances in one state");
    let machine = &data.machines[&**twin_a.1.as_ref().unwrap()];
    let legal: Vec<String> = machine
        .next_states(&twin_a.2)
        .into_iter()
        .map(str::to_string)
        .collect();
    let other = rows
        .iter()
        .find(|r| r.1 != twin_a.1 && !r.2.is_empty())
        .cloned()
        .unwrap();

    mark_instances(&mut app, &[&twin_a.0, &twin_b.0]);
    assert_eq!(
        advance_options(&mut app),
        Some(legal),
        "same state: its moves"
    );

    mark_instances(&mut app, &[&other.0]);
    assert_eq!(advance_options(&mut app), None, "no common state");
    let flash = app.flash.as_ref().unwrap();
    assert!(flash.error);
    assert!(
        flash
            .text
            .starts_with("no state is legal from every marked instance"),
        "{}",
        flash.text
    );
    // With marks, `n` (one task for one instance) is refused.
    keys(&mut app, "n");
    assert!(matches!(app.mode, Mode::Normal));
    assert!(app.flash.as_ref().unwrap().text.contains("marked"));
}

fn queued(seq: i64, title: &str) -> Queued {
    Queued {
        seq,
        write: Write::EditTask {
            task_page: format!("page-{seq}"),
            task_id: title.to_string(),
            status: None,
            priority: None,
            assignee: Some("Nyra".into()),
            due: None,
            clear_due: false,
            at: now(),
            was: Default::default(),
            conditional: false,
            actor: "alice".into(),
            note: None,
            instance_page: None,
            instance_id: None,
            task_landed: false,
        },
        title: title.to_string(),
    }
}

/// A batch of 30 queued writes whose progress the flash line follows, then lists what
/// Notion refused; `u` then offers the whole batch as one step.
#[test]
fn bulk_progress_failures_and_the_step_undo_offers() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir);
    let mut app = tasks_app(&store);
    let writes: Vec<Queued> = (1..=30)
        .map(|i| queued(i, &format!("TASK-{i:02}")))
        .collect();
    app.update(Msg::Submitted {
        label: "Assign 30 tasks to Nyra".into(),
        queued: writes.clone(),
        refused: Vec::new(),
        undoing: false,
    });
    for seq in 1..=12 {
        app.update(Msg::Engine(Event::WriteConfirmed {
            seq,
            summary: String::new(),
            note: None,
        }));
    }
    let frame = render(&mut app, 120, 20);
    assert!(
        frame.contains("Assign 30 tasks to Nyra: 12/30 sent"),
        "{frame}"
    );
    insta::assert_snapshot!("bulk_progress", frame);

    for seq in 13..=30 {
        let event = if seq == 14 || seq == 27 {
            Event::WriteFailed {
                seq,
                summary: String::new(),
                error: "Notion refused it: validation_error (Assigned To)".into(),
            }
        } else {
            Event::WriteConfirmed {
                seq,
                summary: String::new(),
                note: None,
            }
        };
        app.update(Msg::Engine(event));
    }
    let Mode::Report(report) = &app.mode else {
        panic!("the failures are listed: {:?}", app.mode)
    };
    let failed: Vec<&str> = report.failures.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(failed, ["TASK-14", "TASK-27"]);
    let frame = render(&mut app, 120, 20);
    assert!(frame.contains("28 of 30 applied, 2 not"), "{frame}");
    insta::assert_snapshot!("bulk_failures", frame);
    enter(&mut app);

    // `?` says what `u` undoes; `u` asks, and `y` undoes the whole batch as one step.
    keys(&mut app, "?");
    assert!(render(&mut app, 120, 40).contains("undo: Assign 30 tasks to Nyra"));
    handle_key(&mut app, key(KeyCode::Esc));
    keys(&mut app, "u");
    let Mode::Confirm(confirm) = &app.mode else {
        panic!("undo asks first")
    };
    assert_eq!(confirm.question, "Undo: Assign 30 tasks to Nyra?");
    assert_eq!(confirm.more, 25);
    keys(&mut app, "n");
    keys(&mut app, "u");
    keys(&mut app, "y");
    let undo: Vec<_> = app
        .take_actions()
        .into_iter()
        .filter_map(|a| match a {
            Action::Undo(step) => Some(step),
            _ => None,
        })
        .collect();
    assert_eq!(undo.len(), 1, "declined once, still offered");
    assert_eq!(undo[0].writes, writes);
    keys(&mut app, "u");
    assert!(
        app.flash
            .as_ref()
            .unwrap()
            .text
            .starts_with("nothing to undo"),
        "one step, undone once"
    );
}

#[test]
fn marked_table_and_confirmation_snapshots() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir);
    let mut app = tasks_app(&store);
    keys(&mut app, "   ");
    handle_key(&mut app, key(KeyCode::Down));
    keys(&mut app, "v");
    insta::assert_snapshot!("marked_table", render(&mut app, 120, 14));
    keys(&mut app, "a");
    keys(&mut app, "Nyra");
    enter(&mut app);
    insta::assert_snapshot!("bulk_confirmation", render(&mut app, 120, 24));
}

/// The table is loaded again (a refresh): marks on records still there stay, marks on
/// records gone go.
#[test]
fn a_refresh_keeps_the_marks_of_records_it_keeps() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir);
    let mut app = tasks_app(&store);
    keys(&mut app, "  ");
    let data = hsn::table::load_table(&store, DatabaseKey::Tasks, None, None).unwrap();
    app.update(Msg::Table(Box::new(data.clone())));
    assert_eq!(app.table().unwrap().marks.len(), 2);
    let mut fewer = data;
    let kept = fewer.rows.len();
    let first = visible_pages(&app)[0].clone();
    fewer.rows.retain(|r| r.page_id != first);
    assert_eq!(fewer.rows.len(), kept - 1);
    app.update(Msg::Table(Box::new(fewer)));
    assert_eq!(app.table().unwrap().marks.len(), 1);
}

/// Selects the first instance row with `status` on the Instances tab.
fn select_status(app: &mut App, status: &str) -> String {
    let table = app.table_mut();
    let data = table.data.as_ref().unwrap();
    let at = table
        .visible
        .iter()
        .position(|&i| data.rows[i].status.as_deref() == Some(status))
        .unwrap_or_else(|| panic!("the demo has an instance in {status}"));
    table.selected = at;
    table.selected_row().unwrap().page_id.clone()
}

#[test]
fn r_resolves_an_error_and_h_holds_or_resumes_with_a_note() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir);
    let mut app = demo_app(&store);

    let failed = select_status(&mut app, "Error");
    keys(&mut app, "R");
    assert!(matches!(app.mode, Mode::Picker(_)), "{:?}", app.flash);
    keys(&mut app, "card updated");
    enter(&mut app);
    let asked = changes(&app.take_actions());
    assert!(
        matches!(asked.as_slice(), [Change::Correct { instance_page, fix: Fix::Resolve, note }]
            if *instance_page == failed && note.as_deref() == Some("card updated")),
        "{asked:?}"
    );

    // Resolve is for errors only: on an Active instance it says so and opens nothing.
    select_status(&mut app, "Active");
    keys(&mut app, "R");
    assert!(matches!(app.mode, Mode::Normal));
    assert!(app.flash.as_ref().unwrap().error);

    let held = select_status(&mut app, "On Hold");
    keys(&mut app, "H");
    enter(&mut app);
    assert!(matches!(
        changes(&app.take_actions()).as_slice(),
        [Change::Correct { instance_page, fix: Fix::Resume, note: None }] if *instance_page == held
    ));
    let active = select_status(&mut app, "Active");
    keys(&mut app, "H");
    enter(&mut app);
    assert!(matches!(
        changes(&app.take_actions()).as_slice(),
        [Change::Correct { instance_page, fix: Fix::Hold, .. }] if *instance_page == active
    ));

    // Marked held and active ones need different changes: refused, nothing asked.
    app.table_mut().marks.toggle(&held);
    app.table_mut().marks.toggle(&active);
    keys(&mut app, "H");
    assert!(matches!(app.mode, Mode::Normal));
    assert!(app.flash.as_ref().unwrap().text.contains("different"));
}

/// The assignee typed in part means the name it narrows to; a name not listed is taken as
/// typed; `↑` past the top of the list keeps the text as typed.
#[test]
fn the_assignee_prompt_takes_the_highlighted_name() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir);
    let mut app = tasks_app(&store);
    let assigned = |app: &mut App, typed: &str, up: bool| {
        keys(app, "a");
        app.update(Msg::Names(vec!["Nyra".into(), "Solari".into()]));
        keys(app, typed);
        if up {
            handle_key(app, key(KeyCode::Up));
        }
        enter(app);
        match changes(&app.take_actions()).as_slice() {
            [Change::EditTask { edit, .. }] => edit.assignee.clone(),
            other => panic!("{typed}: {other:?} ({:?})", app.flash),
        }
    };
    assert_eq!(assigned(&mut app, "ny", false).as_deref(), Some("Nyra"));
    assert_eq!(assigned(&mut app, "Zed Q", false).as_deref(), Some("Zed Q"));
    assert_eq!(assigned(&mut app, "sol", true).as_deref(), Some("sol"));
}
