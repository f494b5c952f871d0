//! The dashboard without a terminal: snapshots of every view drawn on a `TestBackend`
//! from the demo data at a fixed clock, key sequences and the actions they ask for, and
//! a sweep of terminal sizes that must never panic.

use chrono::{TimeZone, Utc};
use crossterm::event::KeyCode;

use hsn::domain::schema::DatabaseKey;
use hsn::domain::write::Write;
use hsn::store::{OutboxEntry, OutboxState, Store};
use hsn::sync::Event;
use hsn::table::load_table;
use hsn::ui::app::{Action, App, DetailView, Mode, Msg, OutboxView};
use hsn::ui::bulk::Change;
use hsn::ui::data::{OutboxRow, load_detail, load_outbox};
use hsn::ui::keys::handle_key;
use hsn::ui::overview::{Panel, Target};
use hsn::ui::theme::Theme;

mod ui_support;
use ui_support::*;

fn open_first_instance(app: &mut App, store: &Store) {
    let page = app.table().unwrap().selected_row().unwrap().page_id.clone();
    app.details.push(DetailView {
        page_id: page.clone(),
        detail: load_detail(store, &page).unwrap(),
        ..DetailView::default()
    });
}

#[test]
fn every_tab_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir);
    let mut app = demo_app(&store);
    for (digit, name) in [
        ('1', "entities"),
        ('2', "agents"),
        ('3', "workflows"),
        ('4', "instances"),
        ('5', "tasks"),
    ] {
        keys(&mut app, &digit.to_string());
        insta::assert_snapshot!(format!("tab_{name}"), render(&mut app, 120, 30));
    }
    handle_key(&mut app, key(KeyCode::Char(':')));
    keys(&mut app, "contacts");
    handle_key(&mut app, key(KeyCode::Enter));
    insta::assert_snapshot!("tab_contacts", render(&mut app, 120, 20));
}

#[test]
fn detail_and_timeline_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir);
    let mut app = demo_app(&store);
    open_first_instance(&mut app, &store);
    insta::assert_snapshot!("instance_detail_wide", render(&mut app, 140, 40));
    keys(&mut app, "t");
    insta::assert_snapshot!("instance_detail_relative_narrow", render(&mut app, 80, 40));
}

#[test]
fn dialogs_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir);
    let mut app = demo_app(&store);
    keys(&mut app, "m");
    insta::assert_snapshot!("state_picker", render(&mut app, 100, 30));
    handle_key(&mut app, key(KeyCode::Esc));
    keys(&mut app, "nCall back");
    insta::assert_snapshot!("task_form", render(&mut app, 100, 30));
    handle_key(&mut app, key(KeyCode::Esc));
    keys(&mut app, "?");
    insta::assert_snapshot!("help_instances", render(&mut app, 120, 40));
}

#[test]
fn narrow_offline_and_demo_states_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir);
    let mut app = demo_app(&store);
    insta::assert_snapshot!("narrow", render(&mut app, 40, 12));
    insta::assert_snapshot!("too_small", render(&mut app, 19, 5));
    app.demo = false;
    app.update(Msg::Engine(Event::Refreshed {
        database: DatabaseKey::ActiveWorkflowInstances,
        at: Utc.with_ymd_and_hms(2026, 11, 27, 10, 2, 0).unwrap(),
    }));
    insta::assert_snapshot!("synced", render(&mut app, 100, 8));
    app.update(Msg::Engine(Event::SyncFailed {
        database: DatabaseKey::ActiveWorkflowInstances,
        error: "cannot reach Notion".into(),
    }));
    app.update(Msg::Engine(Event::PendingWrites(2)));
    insta::assert_snapshot!("offline", render(&mut app, 100, 8));
}

#[test]
fn m_pick_enter_asks_for_an_advance_from_the_state_shown() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir);
    let mut app = demo_app(&store);
    keys(&mut app, "/INST-276fac43");
    handle_key(&mut app, key(KeyCode::Enter));
    let row = app.table().unwrap().selected_row().unwrap();
    assert_eq!(row.title(), "INST-276fac43");
    let row = (*row).clone();
    keys(&mut app, "m");
    let Mode::Picker(picker) = &app.mode else {
        panic!("no picker")
    };
    assert_eq!(picker.options, ["consultation", "completed", "canceled"]);
    handle_key(&mut app, key(KeyCode::Down));
    // The note takes keys once focused.
    handle_key(&mut app, key(KeyCode::Tab));
    keys(&mut app, "no answer");
    handle_key(&mut app, key(KeyCode::Enter));
    let actions = app.take_actions();
    match changes(&actions).as_slice() {
        [
            Change::Advance {
                instance_page,
                from,
                to,
                note,
            },
        ] => {
            assert_eq!(instance_page, &row.page_id);
            assert_eq!(from, "inquiry");
            assert_eq!(to, "completed");
            assert_eq!(note.as_deref(), Some("no answer"));
        }
        other => panic!("expected one advance, got {other:?}"),
    }
    assert!(matches!(app.mode, Mode::Normal));
}

#[test]
fn the_task_form_asks_for_a_task_with_what_was_typed() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir);
    let mut app = demo_app(&store);
    keys(&mut app, "n");
    handle_key(&mut app, key(KeyCode::Enter));
    assert!(
        matches!(&app.mode, Mode::TaskForm(f) if f.error.is_some()),
        "a name is required"
    );
    keys(&mut app, "Send brochure");
    handle_key(&mut app, key(KeyCode::Tab));
    handle_key(&mut app, key(KeyCode::Tab));
    keys(&mut app, "h");
    handle_key(&mut app, key(KeyCode::Tab));
    keys(&mut app, "2026-12-24");
    handle_key(&mut app, key(KeyCode::Enter));
    match changes(&app.take_actions()).as_slice() {
        [Change::CreateTask { request, .. }] => {
            assert_eq!(request.name, "Send brochure");
            assert_eq!(request.priority.as_deref(), Some("High"));
            assert_eq!(
                request.due.map(|d| d.to_string()).as_deref(),
                Some("2026-12-24")
            );
        }
        other => panic!("expected one task, got {other:?}"),
    }
}

#[test]
fn task_keys_edit_status_and_due_date() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir);
    let mut app = demo_app(&store);
    keys(&mut app, "5");
    assert!(matches!(
        app.take_actions().as_slice(),
        [Action::Showing(keys)] if keys == &[DatabaseKey::Tasks]
    ));
    // The picker starts on the task's status: one down is the next status.
    let status = app.table().unwrap().column_named("Status").unwrap();
    let current = app
        .table()
        .unwrap()
        .selected_row()
        .unwrap()
        .cell(status)
        .to_string();
    let names: Vec<&str> = hsn::domain::schema::TASK_STATUSES
        .iter()
        .map(|c| c.name)
        .collect();
    let next = names[(names.iter().position(|n| *n == current).unwrap() + 1).min(names.len() - 1)];
    keys(&mut app, "m");
    handle_key(&mut app, key(KeyCode::Down));
    handle_key(&mut app, key(KeyCode::Enter));
    assert!(
        matches!(changes(&app.take_actions()).as_slice(), [Change::EditTask { edit, .. }] if edit.status.as_deref() == Some(next)),
        "{current} → {next}"
    );
    keys(&mut app, "dsoon");
    handle_key(&mut app, key(KeyCode::Enter));
    assert!(app.take_actions().is_empty(), "not a date");
    assert!(app.flash.as_ref().is_some_and(|f| f.error));
}

#[test]
fn readonly_refuses_every_write_and_hides_its_keys() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir);
    let mut app = demo_app(&store);
    app.readonly = true;
    keys(&mut app, "mn");
    keys(&mut app, "5mpad");
    assert!(changes(&app.take_actions()).is_empty());
    assert!(matches!(app.mode, Mode::Normal));
    keys(&mut app, "?");
    let help = render(&mut app, 120, 40);
    assert!(
        !help.contains("new task") && !help.contains("priority  "),
        "{help}"
    );
}

#[test]
fn filter_sort_quick_filters_and_counts() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir);
    let mut app = demo_app(&store);
    let total = app.table().unwrap().total();
    keys(&mut app, "e");
    let errors = app.table().unwrap().visible.len();
    assert!(errors > 0 && errors < total);
    assert!(render(&mut app, 120, 10).contains(&format!("{errors} of {total}")));
    handle_key(&mut app, key(KeyCode::Esc));
    assert_eq!(app.table().unwrap().visible.len(), total);
    keys(&mut app, "x");
    let table = app.table().unwrap();
    let data = table.data.as_ref().unwrap();
    assert!(
        table
            .visible
            .iter()
            .all(|&i| data.rows[i].entered.unwrap() < now() - chrono::Duration::days(7))
    );
    handle_key(&mut app, key(KeyCode::Esc));
    keys(&mut app, "P");
    let table = app.table().unwrap();
    let data = table.data.as_ref().unwrap();
    assert_eq!(data.cell(table.visible[0], 4), "High");
    handle_key(&mut app, key(KeyCode::Char(':')));
    keys(&mut app, "filter status=On Hold");
    handle_key(&mut app, key(KeyCode::Enter));
    let table = app.table().unwrap();
    let data = table.data.as_ref().unwrap();
    assert!(!table.visible.is_empty());
    assert!(
        table
            .visible
            .iter()
            .all(|&i| data.rows[i].status.as_deref() == Some("On Hold"))
    );
    handle_key(&mut app, key(KeyCode::Char(':')));
    keys(&mut app, "q");
    handle_key(&mut app, key(KeyCode::Enter));
    assert!(app.quit);
}

#[test]
fn links_jump_and_esc_returns() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir);
    let mut app = demo_app(&store);
    open_first_instance(&mut app, &store);
    handle_key(&mut app, key(KeyCode::Enter));
    let actions = app.take_actions();
    assert!(matches!(actions.as_slice(), [Action::LoadDetail(_)]));
    assert_eq!(app.details.len(), 2);
    handle_key(&mut app, key(KeyCode::Esc));
    assert_eq!(app.details.len(), 1);
}

#[test]
fn any_size_from_20x6_never_panics() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir);
    let mut views: Vec<App> = Vec::new();
    let mut table = demo_app(&store);
    views.push(demo_app(&store));
    table.preview = true;
    views.push(table);
    let mut detail = demo_app(&store);
    open_first_instance(&mut detail, &store);
    views.push(detail);
    views.push(overview_app(&store));
    let mut focused = overview_app(&store);
    keys(&mut focused, "tjjj");
    views.push(focused);
    for setup in ["m", "nx", "?", "5m", "5a", ":d"] {
        let mut app = demo_app(&store);
        keys(&mut app, setup);
        views.push(app);
    }
    views.push(outbox_app(&store, false));
    let mut outbox = outbox_app(&store, false);
    keys(&mut outbox, "jd");
    views.push(outbox);
    let mut stuck = demo_app(&store);
    stuck.readonly = true;
    stuck.update(Msg::Engine(Event::PendingWrites(12)));
    stuck.update(Msg::Engine(Event::StuckWrites(10)));
    views.push(stuck);
    for app in &mut views {
        for width in (1..=200).step_by(11).chain([20, 21]) {
            for height in (1..=60).step_by(5).chain([6, 7]) {
                render(app, width, height);
            }
        }
    }
}

#[test]
fn overview_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir);
    let mut app = overview_app(&store);
    insta::assert_snapshot!("overview_wide", render(&mut app, 120, 40));
    insta::assert_snapshot!("overview_narrow", render(&mut app, 80, 24));
    keys(&mut app, "e");
    insta::assert_snapshot!("overview_narrow_exceptions", render(&mut app, 80, 24));
}

#[test]
fn hsn_opens_on_the_overview_and_0_returns_to_it() {
    let mut app = App::new(now(), true, false, Theme::plain());
    app.show_overview();
    assert!(app.on_overview);
    assert!(
        app.take_actions()
            .iter()
            .any(|a| matches!(a, Action::LoadOverview))
    );
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir);
    let mut app = overview_app(&store);
    keys(&mut app, "4");
    assert!(!app.on_overview);
    keys(&mut app, "0");
    assert!(app.on_overview);
    // The cycle: the Overview, the five tables, the Activity tab.
    handle_key(&mut app, key(KeyCode::BackTab));
    assert!(app.on_activity && !app.on_overview);
    handle_key(&mut app, key(KeyCode::BackTab));
    assert_eq!(
        (app.on_overview, app.on_activity, app.tab),
        (false, false, DatabaseKey::Tasks)
    );
    handle_key(&mut app, key(KeyCode::Tab));
    assert!(app.on_activity);
    handle_key(&mut app, key(KeyCode::Tab));
    assert!(app.on_overview && !app.on_activity);
}

#[test]
fn enter_on_a_funnel_state_opens_its_instances() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir);
    let mut app = overview_app(&store);
    // The first funnel is the biggest backlog; its first state line is the first item.
    let (workflow, state, count) = {
        let data = app.overview.data.as_ref().unwrap();
        let funnel = &data.funnels[0];
        let s = &funnel.states[1];
        (funnel.workflow_id.clone(), s.state.clone(), s.count)
    };
    keys(&mut app, "j");
    assert!(
        matches!(app.overview.target(), Some(Target::Instances { state: s, .. }) if s == state)
    );
    handle_key(&mut app, key(KeyCode::Enter));
    assert!(!app.on_overview);
    assert_eq!(app.tab, DatabaseKey::ActiveWorkflowInstances);
    let table = app.table().unwrap();
    let data = table.data.as_ref().unwrap();
    assert_eq!(table.visible.len(), count);
    assert!(
        table
            .visible
            .iter()
            .all(|&i| *data.rows[i].current_state == *state && data.cell(i, 1) == workflow)
    );
    assert!(render(&mut app, 120, 10).contains(&format!("[{workflow}] [{state}]")));
    handle_key(&mut app, key(KeyCode::Esc));
    assert_eq!(app.table().unwrap().visible.len(), 49, "esc clears it");
}

#[test]
fn enter_on_a_stuck_instance_or_a_late_task_opens_it() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir);
    let mut app = overview_app(&store);
    let (error, stuck, late) = {
        let data = app.overview.data.as_ref().unwrap();
        (
            data.errors.len(),
            data.stuck[0].instance_id.clone(),
            data.tasks.overdue[0].task_id.clone(),
        )
    };
    keys(&mut app, "e");
    assert_eq!(app.overview.focus, Panel::Exceptions);
    for _ in 0..error {
        keys(&mut app, "j");
    }
    handle_key(&mut app, key(KeyCode::Enter));
    let Some(Action::LoadDetail(page)) = app.take_actions().pop() else {
        panic!("no detail asked for")
    };
    assert_eq!(store.record(&page).unwrap().unwrap().record.title(), stuck);
    handle_key(&mut app, key(KeyCode::Esc));
    assert!(
        app.on_overview && app.detail().is_none(),
        "esc returns to the overview"
    );
    keys(&mut app, "t");
    handle_key(&mut app, key(KeyCode::Enter));
    let Some(Action::LoadDetail(page)) = app.take_actions().pop() else {
        panic!("no detail asked for")
    };
    assert_eq!(store.record(&page).unwrap().unwrap().record.title(), late);
}

#[test]
fn the_overview_recomputes_when_the_engine_reports_changes() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir);
    let mut app = overview_app(&store);
    app.update(Msg::Engine(Event::RecordsChanged {
        database: DatabaseKey::Tasks,
        ids: vec![],
    }));
    assert!(
        app.take_actions()
            .iter()
            .any(|a| matches!(a, Action::LoadOverview))
    );
    // Not on screen: recomputed when shown again, not before.
    keys(&mut app, "1");
    app.take_actions();
    app.update(Msg::Engine(Event::RecordsChanged {
        database: DatabaseKey::ActiveWorkflowInstances,
        ids: vec![],
    }));
    assert!(
        !app.take_actions()
            .iter()
            .any(|a| matches!(a, Action::LoadOverview))
    );
    keys(&mut app, "0");
    assert!(
        app.take_actions()
            .iter()
            .any(|a| matches!(a, Action::LoadOverview))
    );
}

/// The filter answers a keystroke from what the text before it matched; whatever is typed
/// (pattern syntax, spaces, backspaces), that must equal filtering afresh.
#[test]
fn typing_a_filter_gives_what_filtering_afresh_gives() {
    use hsn::table::TableView;
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir);
    let data = load_table(&store, DatabaseKey::ActiveWorkflowInstances, None, None).unwrap();
    let afresh = |filter: &str, sort: Option<(usize, bool)>| {
        let mut view = TableView::default();
        view.filter = filter.to_string();
        view.sort = sort;
        view.replace(data.clone(), now());
        view.visible
    };
    for sort in [None, Some((2, false)), Some((2, true))] {
        for query in [
            "inq",
            "con sul",
            "wf well pay con",
            "book  con !canc",
            "!completed x",
            "pay$",
            "'book",
            "^inst-2",
            "nyra\\ a",
            "zoë",
            "~con sul",
            "~book  con !canc",
            "~pay$",
            "~'book",
            "~^inst-2",
            "~nyra\\ a",
        ] {
            let mut app = demo_app(&store);
            app.table_mut().sort = sort;
            handle_key(&mut app, key(KeyCode::Char('/')));
            let mut typed = String::new();
            for c in query.chars() {
                handle_key(&mut app, key(KeyCode::Char(c)));
                typed.push(c);
                assert_eq!(
                    app.table().unwrap().visible,
                    afresh(&typed, sort),
                    "{typed:?}"
                );
            }
            for _ in 0..3 {
                handle_key(&mut app, key(KeyCode::Backspace));
                typed.pop();
                assert_eq!(
                    app.table().unwrap().visible,
                    afresh(&typed, sort),
                    "{typed:?}"
                );
            }
        }
    }
}

/// Sorting a column descending keeps equal cells in the store's order, like ascending.
#[test]
fn a_column_sorts_both_ways_keeping_ties_in_the_stores_order() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir);
    let mut app = demo_app(&store);
    let status = app.table().unwrap().column_named("status").unwrap();
    for descending in [false, true] {
        let table = app.table_mut();
        table.sort = Some((status, descending));
        table.recompute(now());
        let table = app.table().unwrap();
        let data = table.data.as_ref().unwrap();
        let choices = data.columns[status].choices;
        let rank = |i: usize| {
            let text = data.cell(i, status);
            choices.iter().position(|c| c.name == text)
        };
        let mut expected: Vec<usize> = (0..data.rows.len()).collect();
        expected.sort_by(|&a, &b| {
            let order = rank(a).cmp(&rank(b));
            if descending { order.reverse() } else { order }
        });
        assert_eq!(table.visible, expected, "descending: {descending}");
    }
}

/// The first load of a tab is a screenful by title, marked as such, then the whole of it.
#[test]
fn a_first_screenful_loads_before_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir);
    let key = DatabaseKey::ActiveWorkflowInstances;
    let all = load_table(&store, key, None, None).unwrap();
    let first = load_table(&store, key, None, Some(5)).unwrap();
    assert!(all.complete && !first.complete);
    assert_eq!(first.rows.len(), 5);
    // A limit above the count loads everything: complete.
    assert!(load_table(&store, key, None, Some(500)).unwrap().complete);
    for i in 0..5 {
        assert_eq!(first.rows[i].page_id, all.rows[i].page_id);
        assert_eq!(first.cell(i, 1), all.cell(i, 1));
    }
    let mut app = App::new(now(), true, false, Theme::plain());
    app.switch_tab(key);
    app.take_actions();
    app.update(Msg::Table(Box::new(first)));
    let screen = render(&mut app, 120, 20);
    assert!(screen.contains("first 5 loading the rest…"), "{screen}");
    app.update(Msg::Table(Box::new(all)));
    let screen = render(&mut app, 120, 20);
    assert!(
        screen.contains("49 of 49") && !screen.contains("loading"),
        "{screen}"
    );
}

#[test]
fn tab_names_open_the_dashboard_on_that_tab() {
    use hsn::ui::app::main_tab;
    assert_eq!(main_tab("overview").unwrap(), None);
    assert_eq!(
        main_tab("instances").unwrap(),
        Some(DatabaseKey::ActiveWorkflowInstances)
    );
    assert_eq!(main_tab("Tasks").unwrap(), Some(DatabaseKey::Tasks));
    let refused = main_tab("contacts").unwrap_err().to_string();
    assert!(refused.contains("not a tab"), "{refused}");
}

/// A queued advance, as the outbox stores it.
fn queued_write(seq: i64, state: OutboxState, attempts: u32, error: Option<&str>) -> OutboxEntry {
    let write = Write::Advance {
        instance_page: format!("page-{seq}"),
        instance_id: format!("INST-{seq:08}"),
        from: "inquiry".into(),
        to: "consultation".into(),
        note: None,
        actor: "Ops".into(),
        at: now(),
        completes: false,
        status_before: None,
    };
    OutboxEntry {
        seq,
        op: write.kind().into(),
        body: serde_json::to_value(&write).unwrap(),
        touched: vec![format!("page-{seq}")],
        state,
        attempts,
        unsent: false,
        last_error: error.map(str::to_string),
        outcome: None,
        created_at: "2026-11-27T11:00:00.000Z".into(),
        updated_at: "2026-11-27T11:30:00.000Z".into(),
    }
}

/// Three writes: one held for the operator (with Notion's answer, carrying a terminal
/// escape and a line break), one tried three times (stuck too), one just queued.
fn outbox_rows() -> Vec<OutboxRow> {
    [
        queued_write(
            7,
            OutboxState::Held,
            1,
            Some(
                "Notion: the workspace has reached its block limit\x1b[2J\nupgrade the plan or archive pages, then retry this write",
            ),
        ),
        queued_write(8, OutboxState::Pending, 3, Some("Notion answered 502 Bad Gateway")),
        queued_write(9, OutboxState::Pending, 0, None),
    ]
    .iter()
    .map(OutboxRow::from_entry)
    .collect()
}

/// `:outbox` opened on the demo and answered with [`outbox_rows`].
fn outbox_app(store: &Store, readonly: bool) -> App {
    let mut app = demo_app(store);
    app.readonly = readonly;
    handle_key(&mut app, key(KeyCode::Char(':')));
    keys(&mut app, "outbox");
    handle_key(&mut app, key(KeyCode::Enter));
    assert!(
        matches!(app.take_actions().as_slice(), [Action::LoadOutbox]),
        "the list is read off the loop"
    );
    app.update(Msg::Outbox(outbox_rows()));
    app
}

fn outbox_view(app: &App) -> &OutboxView {
    match &app.mode {
        Mode::Outbox(view) => view,
        other => panic!("the outbox is not open: {other:?}"),
    }
}

#[test]
fn the_footer_counts_stuck_writes() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir);
    let mut app = demo_app(&store);
    app.demo = false;
    app.update(Msg::Engine(Event::Refreshed {
        database: DatabaseKey::ActiveWorkflowInstances,
        at: Utc.with_ymd_and_hms(2026, 11, 27, 11, 58, 0).unwrap(),
    }));
    app.update(Msg::Engine(Event::PendingWrites(3)));
    assert!(!render(&mut app, 100, 8).contains("stuck"));
    app.update(Msg::Engine(Event::StuckWrites(2)));
    insta::assert_snapshot!("stuck_footer", render(&mut app, 100, 8));
    // Narrow, it goes first, whole; narrower still, shorter.
    let footer = |app: &mut App, width: u16| {
        let screen = render(app, width, 8);
        screen.lines().nth(6).unwrap().to_string()
    };
    assert!(
        footer(&mut app, 40).starts_with("\"2 writes stuck · :outbox · synced"),
        "{}",
        footer(&mut app, 40)
    );
    assert!(
        footer(&mut app, 22).starts_with("\"2 stuck · :outbox · "),
        "{}",
        footer(&mut app, 22)
    );
    // The demo banner goes after it when the line is short.
    app.demo = true;
    assert!(footer(&mut app, 80).contains("local demo store · 3 pending writes · 2 writes stuck"));
    app.update(Msg::Engine(Event::StuckWrites(1)));
    assert!(footer(&mut app, 120).contains("1 write stuck · :outbox"));
    app.update(Msg::Engine(Event::StuckWrites(0)));
    assert!(!footer(&mut app, 120).contains("stuck"));
}

#[test]
fn outbox_lists_the_writes_given_to_it() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir);
    // `:out` completes to the command.
    let mut app = demo_app(&store);
    handle_key(&mut app, key(KeyCode::Char(':')));
    keys(&mut app, "outb");
    handle_key(&mut app, key(KeyCode::Tab));
    assert!(matches!(&app.mode, Mode::Command(input) if input.text() == "outbox"));

    let mut app = demo_app(&store);
    handle_key(&mut app, key(KeyCode::Char(':')));
    keys(&mut app, "outbox");
    handle_key(&mut app, key(KeyCode::Enter));
    assert!(render(&mut app, 100, 20).contains("reading the outbox…"));
    let mut app = outbox_app(&store, false);
    let screen = render(&mut app, 100, 20);
    insta::assert_snapshot!("outbox", screen);
    assert!(!screen.contains('\x1b'), "Notion's text is inert");
    for expected in [
        "Outbox: 3 queued, 2 stuck",
        "7  held     1 attempt · stuck  INST-00000007: inquiry → consultation",
        "8  pending  3 attempts · stuck  INST-00000008",
        "9  pending  0 attempts  INST-00000009",
        "Notion answered 502 Bad Gateway",
        "block limit",
    ] {
        assert!(screen.contains(expected), "{expected:?} in\n{screen}");
    }
    // The footer counts what the list shows.
    assert_eq!((app.pending_writes, app.stuck_writes), (3, 2));
    // Narrow, the error wraps and the list scrolls to the selection.
    keys(&mut app, "jj");
    assert_eq!(outbox_view(&app).selected, 2);
    let narrow = render(&mut app, 40, 10);
    assert!(narrow.contains("▸     9  pending"), "{narrow}");
    // The engine's news reads the list again; the selection stays on its write.
    app.update(Msg::Engine(Event::PendingWrites(2)));
    app.update(Msg::Engine(Event::StuckWrites(1)));
    let actions = app.take_actions();
    assert!(actions.iter().any(|a| matches!(a, Action::LoadOutbox)));
    let mut rows = outbox_rows();
    rows.remove(0);
    app.update(Msg::Outbox(rows));
    assert_eq!(outbox_view(&app).selected_row().unwrap().seq, 9);
    assert_eq!(app.stuck_writes, 1);
    handle_key(&mut app, key(KeyCode::Esc));
    assert!(matches!(app.mode, Mode::Normal));
    app.update(Msg::Engine(Event::PendingWrites(1)));
    assert!(
        !app.take_actions()
            .iter()
            .any(|a| matches!(a, Action::LoadOutbox)),
        "closed: not read again"
    );
    // And the help lists it.
    keys(&mut app, "?");
    assert!(render(&mut app, 120, 40).contains(":outbox"));
}

#[test]
fn outbox_r_retries_the_selected_write() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir);
    let mut app = outbox_app(&store, false);
    keys(&mut app, "jr");
    assert!(matches!(
        app.take_actions().as_slice(),
        [Action::RetryWrite(8)]
    ));
    app.update(Msg::OutboxChanged("write 8 goes out now".into()));
    assert!(
        app.take_actions()
            .iter()
            .any(|a| matches!(a, Action::LoadOutbox)),
        "the list is read again"
    );
    assert!(matches!(app.mode, Mode::Outbox(_)), "still open");
}

#[test]
fn outbox_d_asks_before_dropping_and_n_keeps_the_write() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir);
    let mut app = outbox_app(&store, false);
    keys(&mut app, "d");
    assert!(
        app.take_actions().is_empty(),
        "nothing dropped before the answer"
    );
    assert_eq!(outbox_view(&app).confirm_drop, Some(7));
    let screen = render(&mut app, 100, 20);
    insta::assert_snapshot!("outbox_confirm_drop", screen);
    assert!(
        screen.contains("Nothing is sent to Notion; the record shows Notion's copy again")
            && screen.contains("[y/N]"),
        "{screen}"
    );
    keys(&mut app, "n");
    assert!(app.take_actions().is_empty());
    assert_eq!(outbox_view(&app).confirm_drop, None);
    assert!(app.flash.as_ref().unwrap().text.contains("write 7 kept"));
    // Enter is no "yes" either: the default is to keep it.
    keys(&mut app, "d");
    handle_key(&mut app, key(KeyCode::Enter));
    assert!(app.take_actions().is_empty());
    assert!(matches!(app.mode, Mode::Outbox(_)), "still open");
    keys(&mut app, "dy");
    assert!(matches!(
        app.take_actions().as_slice(),
        [Action::DropWrite(7)]
    ));
}

#[test]
fn outbox_refuses_retry_and_drop_when_readonly() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir);
    let mut app = outbox_app(&store, true);
    keys(&mut app, "r");
    assert!(
        app.flash
            .as_ref()
            .is_some_and(|f| f.error && f.text.contains("read-only"))
    );
    app.flash = None;
    keys(&mut app, "dy");
    assert!(
        app.flash
            .as_ref()
            .is_some_and(|f| f.error && f.text.contains("read-only"))
    );
    assert!(
        !app.take_actions()
            .iter()
            .any(|a| matches!(a, Action::RetryWrite(_) | Action::DropWrite(_)))
    );
    assert_eq!(outbox_view(&app).confirm_drop, None);
    // Still listed; the keys line offers no change.
    let screen = render(&mut app, 100, 20);
    let keys_line = screen.lines().last().unwrap();
    assert!(
        screen.contains("INST-00000007")
            && keys_line.contains("close")
            && !keys_line.contains("retry")
            && !keys_line.contains("drop"),
        "{screen}"
    );
}

#[test]
fn load_outbox_reads_the_queued_writes_with_their_summaries() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = demo_store(&dir);
    assert!(load_outbox(&store).unwrap().is_empty());
    let entry = queued_write(0, OutboxState::Pending, 0, None);
    let seq = store.submit(&[], &entry.op, &entry.body, now()).unwrap();
    let rows = load_outbox(&store).unwrap();
    assert_eq!(
        rows,
        [OutboxRow {
            seq,
            state: "pending",
            attempts: 0,
            stuck: false,
            summary: "INST-00000000: inquiry → consultation".into(),
            error: None,
        }]
    );
}
