//! The `/` filter and `:filter` as an operator uses them on the demo: words that find what
//! was typed, column filters that compose, completion that knows the tab.

mod ui_support;

use crossterm::event::KeyCode;

use hsn::domain::schema::DatabaseKey;
use hsn::ui::app::{App, Mode};
use hsn::ui::keys::handle_key;
use ui_support::{demo_app, demo_store, key, keys, render};

/// The demo on its Tasks tab (`5`).
fn tasks_app(store: &hsn::store::Store) -> App {
    let mut app = demo_app(store);
    keys(&mut app, "5");
    assert_eq!(app.tab, DatabaseKey::Tasks);
    app
}

/// Types `:COMMAND` and `enter`.
fn command(app: &mut App, text: &str) {
    handle_key(app, key(KeyCode::Char(':')));
    keys(app, text);
    handle_key(app, key(KeyCode::Enter));
}

/// The rows shown, as their cells in `columns`, lowercase.
fn shown(app: &App, columns: &[usize]) -> Vec<Vec<String>> {
    let table = app.table().unwrap();
    let data = table.data.as_ref().unwrap();
    table
        .visible
        .iter()
        .map(|&i| {
            columns
                .iter()
                .map(|&c| data.cell(i, c).to_lowercase())
                .collect()
        })
        .collect()
}

/// The command line's text.
fn line(app: &App) -> String {
    match &app.mode {
        Mode::Command(input) => input.text().to_string(),
        other => panic!("not on the command line: {other:?}"),
    }
}

/// `:TEXT` then `tab` `times` times: each text the command line showed.
fn tabbed(app: &mut App, text: &str, times: usize) -> Vec<String> {
    if matches!(app.mode, Mode::Command(_)) {
        handle_key(app, key(KeyCode::Esc));
    }
    handle_key(app, key(KeyCode::Char(':')));
    keys(app, text);
    (0..times)
        .map(|_| {
            handle_key(app, key(KeyCode::Tab));
            line(app)
        })
        .collect()
}

#[test]
fn slash_finds_the_rows_holding_every_word() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir);
    let mut app = tasks_app(&store);
    let all = app.table().unwrap().data.as_ref().unwrap().columns.len();
    let columns: Vec<usize> = (0..all).collect();
    let open = app.table().unwrap().visible.len();
    keys(&mut app, "/sedona");
    let rows = shown(&app, &columns);
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(rows.iter().all(|r| r.iter().any(|c| c.contains("sedona"))));
    handle_key(&mut app, key(KeyCode::Esc));
    assert_eq!(app.table().unwrap().visible.len(), open);
    keys(&mut app, "/nyra high");
    let rows = shown(&app, &columns);
    assert!(!rows.is_empty());
    for row in &rows {
        assert!(row.iter().any(|c| c.contains("nyra")), "{row:?}");
        assert!(row.iter().any(|c| c.contains("high")), "{row:?}");
    }
    assert!(render(&mut app, 160, 20).contains(&format!("{} of", rows.len())));
}

#[test]
fn column_filters_compose_and_come_off_one_at_a_time() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir);
    let mut app = tasks_app(&store);
    let table = app.table().unwrap();
    let (status, priority) = (
        table.column_named("status").unwrap(),
        table.column_named("priority").unwrap(),
    );
    command(&mut app, "filter status=to do");
    let to_do = shown(&app, &[status, priority]);
    assert!(to_do.iter().all(|r| r[0] == "to do"));
    command(&mut app, "filter priority=High");
    let both = shown(&app, &[status, priority]);
    assert!(!both.is_empty() && both.len() < to_do.len());
    assert!(
        both.iter().all(|r| r[0] == "to do" && r[1] == "high"),
        "{both:?}"
    );
    // The title line lists every column filter.
    let screen = render(&mut app, 160, 20);
    assert!(screen.contains("[Status=to do]"), "{screen}");
    assert!(screen.contains("[Priority=High]"), "{screen}");
    // A second filter on one column replaces the first.
    command(&mut app, "filter priority=low");
    let low = shown(&app, &[status, priority]);
    assert!(
        low.iter().all(|r| r[0] == "to do" && r[1] == "low"),
        "{low:?}"
    );
    command(&mut app, "filter -priority");
    assert_eq!(shown(&app, &[status, priority]), to_do);
    command(&mut app, "filter priority=High");
    command(&mut app, "filter status=");
    let high = shown(&app, &[status, priority]);
    assert!(high.iter().all(|r| r[1] == "high") && high.len() > both.len());
    // Removing a filter that is not there says so.
    command(&mut app, "filter -status");
    let flash = app.flash.as_ref().unwrap();
    assert!(
        flash.error && flash.text.contains("no filter on \"status\""),
        "{}",
        flash.text
    );
    // `esc` clears them all, the `/` text too.
    command(&mut app, "filter status=to do");
    keys(&mut app, "/call");
    handle_key(&mut app, key(KeyCode::Enter));
    handle_key(&mut app, key(KeyCode::Esc));
    let table = app.table().unwrap();
    assert!(table.column_filters.is_empty() && table.filter.is_empty());
    let screen = render(&mut app, 160, 20);
    assert!(
        !screen.contains("[Status=") && !screen.contains("[Priority="),
        "{screen}"
    );
}

#[test]
fn a_filter_on_a_value_no_row_has_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir);
    let mut app = tasks_app(&store);
    let before = app.table().unwrap().visible.clone();
    // An instance's status, not a task's: refused, nothing changes, the values are listed.
    command(&mut app, "filter status=Active");
    let flash = app.flash.clone().unwrap();
    assert!(flash.error, "{}", flash.text);
    assert!(
        flash.text.contains("no row of tasks has Status = Active")
            && flash.text.contains("values: To Do, In Progress, On Hold"),
        "{}",
        flash.text
    );
    let table = app.table().unwrap();
    assert!(table.column_filters.is_empty());
    assert_eq!(table.visible, before);
    // Done tasks exist, but the tab's `open` hides them: applied, and said why nothing shows.
    command(&mut app, "filter status=Done");
    let flash = app.flash.clone().unwrap();
    assert!(
        !flash.error && flash.text.contains("hidden by the other filters"),
        "{}",
        flash.text
    );
    assert!(app.table().unwrap().visible.is_empty());
    handle_key(&mut app, key(KeyCode::Esc));
    // A value the schema offers that no row has now: applied, and said.
    let mut found = None;
    for (&key, table) in &app.tables {
        let data = table.data.as_ref().unwrap();
        for (c, column) in data.columns.iter().enumerate() {
            let absent = column
                .choices
                .iter()
                .find(|choice| (0..data.rows.len()).all(|r| data.cell(r, c) != choice.name));
            if let (Some(choice), None) = (absent, &found) {
                found = Some((key, column.label, choice.name));
            }
        }
    }
    let (tab, label, choice) = found.expect("some table has a choice no row has");
    app.switch_tab(tab);
    command(&mut app, &format!("filter {label}={choice}"));
    let flash = app.flash.clone().unwrap();
    assert!(!flash.error, "{}", flash.text);
    assert!(
        flash.text.contains("filtering on it anyway"),
        "{}",
        flash.text
    );
    let table = app.table().unwrap();
    assert_eq!(table.column_filters.len(), 1);
    assert!(table.visible.is_empty());
}

#[test]
fn filter_completion_offers_the_tabs_columns_then_their_values() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir);
    let mut app = tasks_app(&store);
    assert_eq!(tabbed(&mut app, "filter st", 1), ["filter Status="]);
    assert_eq!(tabbed(&mut app, "filter pri", 1), ["filter Priority="]);
    // The task's statuses, in the schema's order, one `tab` after another, round again.
    let statuses = tabbed(&mut app, "filter status=", 6);
    assert_eq!(
        statuses,
        [
            "filter status=To Do",
            "filter status=In Progress",
            "filter status=On Hold",
            "filter status=Done",
            "filter status=Cancelled",
            "filter status=To Do",
        ]
    );
    // Without case, to the one value that fits.
    assert_eq!(
        tabbed(&mut app, "filter status=in", 1),
        ["filter status=In Progress"]
    );
    // The instances' own statuses on their tab.
    handle_key(&mut app, key(KeyCode::Esc));
    keys(&mut app, "4");
    let instance = tabbed(&mut app, "filter status=", 1);
    assert_eq!(instance, ["filter status=Active"]);
    // `-COLUMN` offers the filters set.
    handle_key(&mut app, key(KeyCode::Esc));
    command(&mut app, "filter status=Active");
    assert_eq!(tabbed(&mut app, "filter -", 1), ["filter -Status"]);
}

#[test]
fn tab_completes_the_common_prefix_then_cycles() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir);
    let mut app = tasks_app(&store);
    // communication, community: their common prefix first, then each in turn.
    assert_eq!(
        tabbed(&mut app, "db com", 4),
        [
            "db communi",
            "db communication",
            "db community",
            "db communication"
        ]
    );
    // `:sort` knows the tab's columns.
    assert_eq!(tabbed(&mut app, "sort pri", 1), ["sort Priority"]);
    let columns = tabbed(&mut app, "sort ", 3);
    assert_eq!(columns, ["sort Task ID", "sort Task Name", "sort Status"]);
    handle_key(&mut app, key(KeyCode::Enter));
    let table = app.table().unwrap();
    assert_eq!(
        table.sort,
        Some((table.column_named("status").unwrap(), false))
    );
}
