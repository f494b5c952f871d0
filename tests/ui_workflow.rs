//! A workflow's detail as the map of its states: counts of instances now, start and end
//! marked, legal moves, and `enter` on a state leading to its instances.

use crossterm::event::KeyCode;

use hsn::domain::schema::DatabaseKey;
use hsn::ui::keys::handle_key;

mod ui_support;
use ui_support::*;

#[test]
fn a_workflow_shows_its_states_with_counts_and_enter_opens_their_instances() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir);
    let mut app = demo_app(&store);
    keys(&mut app, "3");
    // The workflow with the most instances open.
    let data = app.tables[&DatabaseKey::ActiveWorkflowInstances]
        .data
        .clone()
        .unwrap();
    let workflows = &app.tables[&DatabaseKey::WorkflowsLibrary];
    let wdata = workflows.data.as_ref().unwrap();
    let (position, page) = workflows
        .visible
        .iter()
        .enumerate()
        .map(|(at, &i)| (at, wdata.row(i).page_id.clone()))
        .max_by_key(|(_, page)| {
            data.rows
                .iter()
                .filter(|r| r.workflow.as_deref() == Some(page.as_str()))
                .count()
        })
        .unwrap();
    app.tables
        .get_mut(&DatabaseKey::WorkflowsLibrary)
        .unwrap()
        .selected = position;
    handle_key(&mut app, key(KeyCode::Enter));
    serve_loads(&mut app, &store);
    // The detail asked for the Overview's counts; answered, the map shows them.
    serve_loads(&mut app, &store);
    let screen = render(&mut app, 140, 40);
    insta::assert_snapshot!("workflow_states", screen);
    assert!(
        screen.contains("States (j/k, enter: its instances)"),
        "{screen}"
    );
    assert!(
        !screen.contains("\"from\""),
        "no raw Transitions JSON: {screen}"
    );
    assert!(
        screen.contains("(start)") && screen.contains("(end)"),
        "{screen}"
    );
    // Each state's count is the number of its instances in that state.
    let in_state = |state: &str| {
        data.rows
            .iter()
            .filter(|r| r.workflow.as_deref() == Some(page.as_str()) && &*r.current_state == state)
            .count()
    };
    let rows = hsn::ui::workflow::open_rows(&app);
    assert!(rows.len() > 3);
    for row in &rows {
        assert_eq!(row.count, Some(in_state(&row.name)), "{}", row.name);
    }
    // The first state with instances: j to it, enter.
    let (at, busy) = rows
        .iter()
        .enumerate()
        .find(|(_, r)| r.count.unwrap() > 0)
        .unwrap();
    for _ in 0..at {
        keys(&mut app, "j");
    }
    handle_key(&mut app, key(KeyCode::Enter));
    assert!(app.detail().is_none());
    assert_eq!(app.tab, DatabaseKey::ActiveWorkflowInstances);
    let table = app.table().unwrap();
    assert_eq!(table.quick.state.as_deref(), Some(busy.name.as_str()));
    assert_eq!(table.visible.len(), busy.count.unwrap());
    let shown = render(&mut app, 140, 40);
    assert!(shown.contains(&format!("[{}]", busy.name)), "{shown}");
}

#[test]
fn past_the_states_j_reaches_the_links_and_enter_follows_one() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir);
    let mut app = demo_app(&store);
    keys(&mut app, "3");
    handle_key(&mut app, key(KeyCode::Enter));
    serve_loads(&mut app, &store);
    serve_loads(&mut app, &store);
    let states = hsn::ui::workflow::open_rows(&app).len();
    let links = app.detail().unwrap().detail.as_ref().unwrap().links.len();
    assert!(links > 0, "demo workflows link their entity");
    for _ in 0..states {
        keys(&mut app, "j");
    }
    let title = app.detail().unwrap().detail.as_ref().unwrap().links[0]
        .title
        .clone();
    handle_key(&mut app, key(KeyCode::Enter));
    serve_loads(&mut app, &store);
    assert_eq!(app.details.len(), 2, "the link opened over the workflow");
    assert_eq!(app.detail().unwrap().detail.as_ref().unwrap().title, title);
}
