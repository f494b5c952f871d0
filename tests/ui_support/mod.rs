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

/// Sets `column` (rich text or title) of the page to `text`, as a sync from Notion would.
pub fn set_text(store: &mut Store, key: DatabaseKey, page: &str, column: &str, text: &str) {
    let mut raw = store.raw_page(page).unwrap().unwrap();
    let property = &mut raw["properties"][column];
    let kind = property["type"].as_str().unwrap().to_string();
    property[kind.as_str()] = serde_json::json!([{
        "type": "text",
        "text": {"content": text, "link": null},
        "plain_text": text,
        "href": null,
    }]);
    store
        .upsert_pages(
            key,
            &demo_data_source_id(key),
            &[hsn::notion::Page::from_json(raw).unwrap()],
        )
        .unwrap();
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
/// Answers the loads of records and figures the app asked for, as the runner would (the
/// Overview at the fixed clock); returns the other actions.
pub fn serve_loads(app: &mut App, store: &Store) -> Vec<Action> {
    let mut other = Vec::new();
    for action in app.take_actions() {
        match action {
            Action::LoadDetail(page) => {
                let detail = hsn::ui::data::load_detail(store, &page).unwrap().unwrap();
                app.update(Msg::Detail(Box::new(detail)));
            }
            Action::LoadOverview => {
                let source = |k| Some(demo_data_source_id(k));
                let overview = load_overview(store, source, &StuckRule::default(), now()).unwrap();
                app.update(Msg::Overview(Box::new(overview)));
            }
            action => other.push(action),
        }
    }
    other
}

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
