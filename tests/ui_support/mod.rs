//! The dashboard's test bench: the demo store at a fixed clock, the app over it, keys
//! typed into it and frames drawn on a `TestBackend`. Shared by the UI state and
//! snapshot tests.
#![allow(dead_code)] // each test file uses its own part

use chrono::{DateTime, TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use hsn::domain::demo::demo_data_source_id;
use hsn::domain::overview::StuckRule;
use hsn::domain::schema::{DATABASES, DatabaseKey};
use hsn::store::Store;
use hsn::store::overview::load_overview;
use hsn::table::activity::load_activity;
use hsn::table::load_table;
use hsn::ui::app::{Action, App, Msg};
use hsn::ui::bulk::Change;
use hsn::ui::keys::handle_key;
use hsn::ui::theme::Theme;
use hsn::ui::view;

pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 27, 12, 0, 0).unwrap()
}

pub fn demo_store(dir: &tempfile::TempDir) -> Store {
    let mut store = Store::open(&dir.path().join("demo.sqlite")).unwrap();
    store.seed_demo(now()).unwrap();
    store
}

/// The app as it opens on the demo, every table loaded, at a fixed clock, without colour.
pub fn demo_app(store: &Store) -> App {
    let mut app = App::new(now(), true, false, Theme::plain());
    for definition in &DATABASES {
        let data = load_table(store, definition.key, None, None).unwrap();
        app.update(Msg::Table(Box::new(data)));
    }
    app.tab = DatabaseKey::ActiveWorkflowInstances;
    app.on_overview = false;
    app.take_actions();
    app
}

/// The app as `hsn` opens on the demo: the Overview, computed at the fixed clock.
pub fn overview_app(store: &Store) -> App {
    let mut app = demo_app(store);
    app.show_overview();
    app.take_actions();
    let overview = load_overview(
        store,
        |k| Some(demo_data_source_id(k)),
        &StuckRule::default(),
        now(),
    )
    .unwrap();
    app.update(Msg::Overview(Box::new(overview)));
    app
}

pub fn render(app: &mut App, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|frame| view::draw(frame, app)).unwrap();
    terminal.backend().to_string()
}

pub fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

pub fn keys(app: &mut App, text: &str) {
    for c in text.chars() {
        handle_key(app, key(KeyCode::Char(c)));
    }
}

/// The changes the actions ask for (queued at once, or asked about first).
pub fn changes(actions: &[Action]) -> Vec<Change> {
    actions
        .iter()
        .flat_map(|a| match a {
            Action::Submit { changes, .. } => changes.iter().map(|(_, c)| c.clone()).collect(),
            _ => Vec::new(),
        })
        .collect()
}

/// Does what the runner does for the Activity tab's loads: reads every row they ask for.
/// Returns how many loads were asked for.
pub fn serve(app: &mut App, store: &Store) -> usize {
    let mut loads = 0;
    for action in app.take_actions() {
        if let Action::LoadActivity { generation, filter } = action {
            loads += 1;
            let index = load_activity(store, &filter, None, || true)
                .unwrap()
                .expect("not stopped");
            app.update(Msg::Activity {
                generation,
                index: Box::new(index),
            });
        }
    }
    loads
}
