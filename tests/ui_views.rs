//! Saved views, the Tasks tab's quick filters and remapped keys in the dashboard, without
//! a terminal.

use crossterm::event::KeyCode;

use hsn::config::KeyMap;
use hsn::domain::schema::DatabaseKey;
use hsn::domain::view::{Quick, builtin_views};
use hsn::ui::app::{Action, App, Mode};
use hsn::ui::keys::handle_key;

mod ui_support;
use ui_support::*;

fn command(app: &mut App, text: &str) {
    handle_key(app, key(KeyCode::Char(':')));
    keys(app, text);
    handle_key(app, key(KeyCode::Enter));
}

/// The cells of column `label` of the rows shown.
fn shown(app: &App, label: &str) -> Vec<String> {
    let table = app.table().unwrap();
    let column = table.column_named(label).unwrap();
    let data = table.data.as_ref().unwrap();
    table
        .visible
        .iter()
        .map(|&i| data.cell(i, column).to_string())
        .collect()
}

#[test]
fn the_tasks_tab_shows_open_tasks_and_its_quick_filters_narrow_them() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir);
    let mut app = demo_app(&store);
    app.set_operator("Nyra");
    keys(&mut app, "5");
    let total = app.table().unwrap().total();
    let open = shown(&app, "Status");
    assert!(!open.is_empty() && open.len() < total);
    assert!(
        open.iter().all(|s| s != "Done" && s != "Cancelled"),
        "{open:?}"
    );

    // z shows the closed ones too; again hides them.
    keys(&mut app, "z");
    assert_eq!(app.table().unwrap().visible.len(), total);
    keys(&mut app, "z");
    assert_eq!(shown(&app, "Status").len(), open.len());

    keys(&mut app, "w");
    let mine = shown(&app, "Assigned To");
    assert!(
        !mine.is_empty() && mine.iter().all(|a| a == "Nyra"),
        "{mine:?}"
    );
    keys(&mut app, "w");

    keys(&mut app, "b");
    assert!(shown(&app, "Assigned To").iter().all(String::is_empty));
    keys(&mut app, "b");

    // Overdue, sorted by due date: before today (the fixed clock's), soonest first.
    keys(&mut app, "eD");
    let due = shown(&app, "Due Date");
    assert!(!due.is_empty());
    assert!(due.iter().all(|d| d.as_str() < "2026-11-27"), "{due:?}");
    assert!(due.windows(2).all(|w| w[0] <= w[1]), "{due:?}");
    assert!(render(&mut app, 120, 8).contains("[open] [overdue]"));

    // c clears back to the tab's default: open tasks.
    keys(&mut app, "c");
    assert_eq!(app.table().unwrap().quick.only, [Quick::Open]);
}

#[test]
fn a_saved_view_is_written_and_opens_again() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir);
    let mut app = demo_app(&store);
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "# mine\nreadonly = false\n").unwrap();
    app.config_path = Some(config.clone());
    keys(&mut app, "5eD");
    keys(&mut app, "/~call");
    handle_key(&mut app, key(KeyCode::Enter));
    app.take_actions();
    command(&mut app, "save late-calls");
    let saved = app
        .take_actions()
        .into_iter()
        .find_map(|a| match a {
            Action::SaveView { path, view } => Some((path, view)),
            _ => None,
        })
        .expect(":save asks for the view to be written");
    assert_eq!(saved.0, config);
    let view = saved.1;
    assert_eq!(
        (view.tab, view.filter.as_str(), view.quick.clone()),
        (
            DatabaseKey::Tasks,
            "~call",
            vec![Quick::Open, Quick::Overdue]
        )
    );
    assert_eq!(view.sort, Some(("Due Date".to_string(), false)));
    hsn::config::save_view(&config, &view).unwrap();
    let text = std::fs::read_to_string(&config).unwrap();
    assert!(text.starts_with("# mine\nreadonly = false\n"), "{text}");

    // A new session reads it from the file; `:view` completes and opens it.
    let settings_views = hsn::config::ConfigFile::parse(&text).unwrap().views;
    let mut app = demo_app(&store);
    app.views = hsn::domain::view::views_with(settings_views);
    keys(&mut app, "4");
    handle_key(&mut app, key(KeyCode::Char(':')));
    keys(&mut app, "view late");
    handle_key(&mut app, key(KeyCode::Tab));
    assert!(matches!(&app.mode, Mode::Command(input) if input.text() == "view late-calls"));
    handle_key(&mut app, key(KeyCode::Enter));
    assert_eq!(app.tab, DatabaseKey::Tasks);
    let table = app.table().unwrap();
    assert_eq!(table.filter, "~call");
    assert_eq!(table.quick.only, [Quick::Open, Quick::Overdue]);
    insta::assert_snapshot!("saved_view", render(&mut app, 120, 12));
}

#[test]
fn builtin_views_open_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir);
    let mut app = demo_app(&store);
    assert_eq!(app.views, builtin_views());
    command(&mut app, "view errors");
    assert_eq!(app.tab, DatabaseKey::ActiveWorkflowInstances);
    assert!(shown(&app, "Status").iter().all(|s| s == "Error"));
    command(&mut app, "view nope");
    assert!(app.flash.as_ref().unwrap().error);
    assert!(app.flash.as_ref().unwrap().text.contains("overdue"));
}

#[test]
fn remapped_keys_act_and_help_shows_them() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir);
    let mut app = demo_app(&store);
    app.keymap = KeyMap::from_config("[keys]\nadvance = \"M\"\nquick_error = \"E\"\n").unwrap();
    // The old key does nothing now; the new one opens the move picker.
    keys(&mut app, "m");
    assert!(matches!(app.mode, Mode::Normal));
    keys(&mut app, "M");
    assert!(matches!(app.mode, Mode::Picker(_)));
    handle_key(&mut app, key(KeyCode::Esc));
    keys(&mut app, "E");
    assert!(shown(&app, "Status").iter().all(|s| s == "Error"));
    keys(&mut app, "?");
    let help = render(&mut app, 120, 40);
    assert!(help.contains("M  move to a next state"), "{help}");
    insta::assert_snapshot!("help_remapped", help);

    // A conflict is refused, naming the line.
    let conflict = KeyMap::from_config("[keys]\nadvance = \"n\"\n").unwrap_err();
    assert!(conflict.contains("line 2"), "{conflict}");
    assert!(conflict.contains("new_task"), "{conflict}");
    let unknown = KeyMap::from_config("readonly = false\n[keys]\nfly = \"f\"\n").unwrap_err();
    assert!(
        unknown.contains("line 3") && unknown.contains("fly"),
        "{unknown}"
    );
}
