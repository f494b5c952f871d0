//! "Since you last looked" and alerts on the demo: the Overview's line, the rows' dots
//! (cleared by opening a row or by `C`), the alert flash and its keys, and the alerts a
//! sync raises (and the operator's own change does not).

mod ui_support;

use chrono::{DateTime, Duration, FixedOffset, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::{Value, json};

use hsn::domain::alerts::{Alert, AlertKind, AlertKinds};
use hsn::domain::demo::demo_data_source_id;
use hsn::domain::models::Task;
use hsn::domain::overview::StuckRule;
use hsn::domain::schema::DatabaseKey;
use hsn::domain::write::plan_task_edit;
use hsn::notion::Page;
use hsn::store::looked::AlertCheck;
use hsn::store::{RecordFilter, Store};
use hsn::ui::app::{Action, App, Msg};
use hsn::ui::keys::handle_key;
use ui_support::*;

/// The operator closed the dashboard two days before the demo's clock.
fn since() -> DateTime<Utc> {
    now() - Duration::days(2)
}

/// Someone the demo assigns open tasks to.
fn operator(store: &Store) -> String {
    store
        .records(DatabaseKey::Tasks, &RecordFilter::default())
        .unwrap()
        .iter()
        .map(|s| Task::from_record(&s.record))
        .find(|t| !t.assigned_to.trim().is_empty() && t.status.as_deref() != Some("Done"))
        .expect("the demo assigns tasks")
        .assigned_to
}

/// The app after the loop read what changed since the last close.
fn looked(app: &mut App, store: &Store, operator: &str) {
    app.looked.since = Some(since());
    app.update(Msg::Changed {
        changed: store.changed_since(operator, since()).unwrap(),
        summary: Some(store.since_summary(since(), operator).unwrap()),
    });
}

fn ctrl(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
}

fn seen(actions: &[Action]) -> Vec<String> {
    actions
        .iter()
        .flat_map(|a| match a {
            Action::MarkSeen(pages) => pages.clone(),
            _ => Vec::new(),
        })
        .collect()
}

#[test]
fn the_overview_says_what_happened_since_you_last_looked_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir);
    let operator = operator(&store);
    let mut app = overview_app(&store);
    let before = render(&mut app, 120, 40);
    assert!(!before.contains("since "), "no line before the first close");
    looked(&mut app, &store, &operator);
    let summary = app.looked.summary.unwrap();
    assert!(summary.transitions > 0);
    let screen = render(&mut app, 120, 40);
    let line = summary.line(now(), FixedOffset::east_opt(0).unwrap());
    assert!(line.starts_with("since 12:00 Wednesday: "), "{line}");
    assert!(screen.contains(&line), "{line}\n{screen}");
    insta::assert_snapshot!("overview_since_last_looked", screen);
}

#[test]
fn rows_changed_since_you_last_looked_lead_with_a_dot_until_opened_or_cleared() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir);
    let operator = operator(&store);
    let mut app = demo_app(&store);
    let dots = |app: &mut App| {
        render(app, 120, 30)
            .lines()
            .filter(|l| l.contains("• "))
            .count()
    };
    assert_eq!(dots(&mut app), 0, "never closed: nothing marked");
    looked(&mut app, &store, &operator);
    let changed_here = |app: &App| {
        let table = app.table().unwrap();
        let data = table.data.as_ref().unwrap();
        table
            .visible
            .iter()
            .filter(|&&i| app.looked.changed.contains(&data.row(i).page_id))
            .count()
    };
    let marked = changed_here(&app);
    assert!(
        marked > 1,
        "the demo has instances edited in the last two days"
    );
    let total = app.table().unwrap().visible.len();
    assert!(marked < total, "and older ones");
    let screen = render(&mut app, 120, 30);
    // The rows on screen (from the first) that changed.
    let on_screen = {
        let table = app.table().unwrap();
        let data = table.data.as_ref().unwrap();
        table
            .visible
            .iter()
            .take(app.hits.rows.height as usize)
            .filter(|&&i| app.looked.changed.contains(&data.row(i).page_id))
            .count()
    };
    assert!(on_screen > 1);
    assert_eq!(dots(&mut app), on_screen, "{screen}");
    insta::assert_snapshot!("instances_changed_since_last_looked", screen);

    // Opening a changed row clears its dot, and the store is told.
    let table = app.table().unwrap();
    let data = table.data.as_ref().unwrap();
    let (index, page) = table
        .visible
        .iter()
        .enumerate()
        .map(|(n, &i)| (n, data.row(i).page_id.clone()))
        .find(|(_, p)| app.looked.changed.contains(p))
        .unwrap();
    app.table_mut().selected = index;
    handle_key(&mut app, key(KeyCode::Enter));
    assert_eq!(seen(&app.take_actions()), vec![page.clone()]);
    assert!(!app.looked.changed.contains(&page));
    handle_key(&mut app, key(KeyCode::Esc));
    assert_eq!(changed_here(&app), marked - 1);

    // `C` clears the rest of this tab; other tabs keep theirs.
    let tasks_changed = store
        .changed_since(&operator, since())
        .unwrap()
        .into_iter()
        .filter(|p| store.record(p).unwrap().unwrap().record.database == DatabaseKey::Tasks)
        .count();
    keys(&mut app, "C");
    assert_eq!(seen(&app.take_actions()).len(), marked - 1);
    assert_eq!(changed_here(&app), 0);
    assert_eq!(dots(&mut app), 0);
    app.switch_tab(DatabaseKey::Tasks);
    assert_eq!(
        app.looked
            .changed
            .iter()
            .filter(|p| store.record(p).unwrap().unwrap().record.database == DatabaseKey::Tasks)
            .count(),
        tasks_changed
    );
    // A later read of the store (begun before it heard of the marks) does not bring them back.
    app.update(Msg::Changed {
        changed: store.changed_since(&operator, since()).unwrap(),
        summary: None,
    });
    app.switch_tab(DatabaseKey::ActiveWorkflowInstances);
    assert_eq!(changed_here(&app), 0);
}

#[test]
fn an_alert_flashes_newest_first_and_its_keys_open_cycle_and_dismiss() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir);
    let mut app = demo_app(&store);
    let first = |key: DatabaseKey| {
        store.records(key, &RecordFilter::default()).unwrap()[0]
            .record
            .page_id
            .clone()
            .unwrap()
    };
    let instance = first(DatabaseKey::ActiveWorkflowInstances);
    app.update(Msg::Alerts(vec![Alert {
        kind: AlertKind::Error,
        page_id: instance.clone(),
        text: "INST-0042 (WF-CONSULT) entered Error: timeout".into(),
    }]));
    app.update(Msg::Alerts(vec![Alert {
        kind: AlertKind::Assigned,
        page_id: first(DatabaseKey::Tasks),
        text: "TASK-0007 assigned to you".into(),
    }]));
    let screen = render(&mut app, 100, 8);
    assert!(
        screen.contains("⚠ 1/2 TASK-0007 assigned to you"),
        "{screen}"
    );
    insta::assert_snapshot!("alert_flash", screen);
    handle_key(&mut app, ctrl('n'));
    let screen = render(&mut app, 100, 8);
    assert!(
        screen.contains("⚠ 2/2 INST-0042 (WF-CONSULT) entered Error: timeout"),
        "{screen}"
    );
    // `!` opens the record the alert is about, on its tab, and the alert goes.
    app.switch_tab(DatabaseKey::Tasks);
    keys(&mut app, "!");
    assert_eq!(app.tab, DatabaseKey::ActiveWorkflowInstances);
    assert_eq!(app.detail().unwrap().page_id, instance);
    assert_eq!(app.alerts.list.len(), 1);
    handle_key(&mut app, ctrl('x'));
    assert!(app.alerts.list.is_empty());
    assert!(!render(&mut app, 100, 8).contains('⚠'));
}

/// What a sync brings: the page as Notion now has it, edited now.
fn synced(store: &mut Store, key: DatabaseKey, page: &str, change: impl FnOnce(&mut Value)) {
    let mut raw = store.raw_page(page).unwrap().unwrap();
    change(&mut raw["properties"]);
    raw["last_edited_time"] = json!(now().to_rfc3339());
    let page = Page::from_json(raw).unwrap();
    store
        .upsert_pages(key, &demo_data_source_id(key), &[page])
        .unwrap();
}

#[test]
fn a_sync_moving_an_instance_into_error_raises_exactly_one_alert_and_own_changes_none() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = demo_store(&dir);
    let operator = operator(&store);
    let mut check = AlertCheck::default();
    let mut run = |store: &Store| {
        check
            .run(
                store,
                |k| Some(demo_data_source_id(k)),
                &StuckRule::default(),
                &operator,
                &AlertKinds::default(),
                now(),
            )
            .unwrap()
    };
    assert!(
        run(&store).is_empty(),
        "the first computation is a baseline"
    );

    let active = RecordFilter {
        status: Some("Active".into()),
        ..RecordFilter::default()
    };
    let instance = store
        .records(DatabaseKey::ActiveWorkflowInstances, &active)
        .unwrap()[0]
        .record
        .page_id
        .clone()
        .unwrap();
    synced(
        &mut store,
        DatabaseKey::ActiveWorkflowInstances,
        &instance,
        |properties| properties["Status"]["status"] = json!({"name": "Error"}),
    );
    let news = run(&store);
    assert_eq!(news.len(), 1, "{news:?}");
    assert_eq!(
        (news[0].kind, news[0].page_id.as_str()),
        (AlertKind::Error, instance.as_str())
    );
    assert!(news[0].text.contains("entered Error"), "{}", news[0].text);
    assert!(run(&store).is_empty(), "the same again next round: no news");

    // The operator takes an unassigned task: their own change, queued in the outbox.
    let open_unassigned: Vec<String> = store
        .records(DatabaseKey::Tasks, &RecordFilter::default())
        .unwrap()
        .iter()
        .filter(|s| {
            let task = Task::from_record(&s.record);
            task.assigned_to.trim().is_empty()
                && !matches!(task.status.as_deref(), Some("Done" | "Cancelled"))
        })
        .map(|s| s.record.page_id.clone().unwrap())
        .collect();
    assert!(open_unassigned.len() >= 2, "the demo has unassigned tasks");
    let task = store.record(&open_unassigned[0]).unwrap().unwrap().record;
    let (write, after) =
        plan_task_edit(&task, None, None, Some(&operator), None, &operator, now()).unwrap();
    store
        .submit(
            &[(after, demo_data_source_id(DatabaseKey::Tasks))],
            write.kind(),
            &serde_json::to_value(&write).unwrap(),
            now(),
        )
        .unwrap();
    assert!(
        run(&store).is_empty(),
        "the operator's own change raises none"
    );

    // The same change made by someone else, brought by a sync, alerts.
    synced(
        &mut store,
        DatabaseKey::Tasks,
        &open_unassigned[1],
        |properties| {
            properties["Assigned To"]["rich_text"] =
                json!([{"type": "text", "plain_text": operator, "text": {"content": operator}}])
        },
    );
    let news = run(&store);
    assert_eq!(news.len(), 1, "{news:?}");
    assert_eq!(
        (news[0].kind, news[0].page_id.as_str()),
        (AlertKind::Assigned, open_unassigned[1].as_str())
    );
}

fn checks(actions: &[Action]) -> usize {
    actions
        .iter()
        .filter(|a| matches!(a, Action::CheckAlerts))
        .count()
}

/// What the first refresh of a session brings happened while the operator was away: the
/// alerts' baseline is taken after it, and every later change of instances or tasks, and
/// every refresh of the instances, is checked.
#[test]
fn alerts_are_checked_from_the_first_refresh_on() {
    use hsn::sync::Event;
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir);
    let mut app = demo_app(&store);
    let changed = |database| {
        Msg::Engine(Event::RecordsChanged {
            database,
            ids: vec!["p".into()],
        })
    };
    app.update(changed(DatabaseKey::ActiveWorkflowInstances));
    assert_eq!(
        checks(&app.take_actions()),
        0,
        "the first sync is still coming"
    );
    app.update(Msg::Engine(Event::Refreshed {
        database: DatabaseKey::Tasks,
        at: now(),
    }));
    assert_eq!(checks(&app.take_actions()), 1, "the baseline");
    app.update(changed(DatabaseKey::Tasks));
    assert_eq!(checks(&app.take_actions()), 1);
    app.update(changed(DatabaseKey::BusinessEntities));
    assert_eq!(checks(&app.take_actions()), 0, "nothing there alerts");
    app.update(Msg::Engine(Event::Refreshed {
        database: DatabaseKey::ActiveWorkflowInstances,
        at: now(),
    }));
    assert_eq!(
        checks(&app.take_actions()),
        1,
        "the clock may have made news"
    );
}
