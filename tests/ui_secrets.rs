//! Credentials stored in Notion are drawn masked, marked and explained: in the Entities
//! table, the detail pane, the `i` pane and an instance's history; `y` refuses to pass the
//! record's link around; the Overview counts them.

use crossterm::event::KeyCode;

use hsn::domain::schema::DatabaseKey;
use hsn::store::Store;
use hsn::ui::app::{Action, Msg};
use hsn::ui::keys::handle_key;

mod ui_support;
use ui_support::*;

const STRIPE_KEY: &str = concat!("sk_live_", "51HqLyjWDarjtT1zdp7dcXzQkJ8Qy3kQ9");

/// The demo with The 7 Space's key pasted into Notion.
fn leaky_demo(store: &mut Store) -> String {
    let app = demo_app(store);
    let table = &app.tables[&DatabaseKey::BusinessEntities];
    let data = table.data.as_ref().unwrap();
    let page = (0..data.rows.len())
        .map(|i| data.row(i))
        .find(|r| r.title() == "The 7 Space")
        .unwrap()
        .page_id
        .clone();
    set_text(
        store,
        DatabaseKey::BusinessEntities,
        &page,
        "API Keys Reference",
        STRIPE_KEY,
    );
    page
}

#[test]
fn a_stripe_key_in_an_entity_is_masked_with_its_hint_and_y_refuses() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = demo_store(&dir);
    leaky_demo(&mut store);
    let mut app = demo_app(&store);
    keys(&mut app, "1");
    // The 7 Space's row.
    let at = {
        let table = app.table().unwrap();
        let data = table.data.as_ref().unwrap();
        table
            .visible
            .iter()
            .position(|&i| data.row(i).title() == "The 7 Space")
            .unwrap()
    };
    app.table_mut().selected = at;
    let table = render(&mut app, 160, 20);
    insta::assert_snapshot!("entities_masked", table);
    assert!(
        !table.contains(STRIPE_KEY) && !table.contains("51HqLyj"),
        "{table}"
    );
    assert!(table.contains("⚠ sk_live_••••••••3kQ9"), "{table}");
    // The i pane says what it is.
    keys(&mut app, "i");
    serve_loads(&mut app, &store);
    let pane = render(&mut app, 160, 30);
    assert!(pane.contains("⚠ looks like a Stripe"), "{pane}");
    keys(&mut app, "i");
    // y on the row: nothing copied, and why.
    keys(&mut app, "y");
    assert!(
        !app.take_actions()
            .iter()
            .any(|a| matches!(a, Action::CopyUrl(_)))
    );
    let flash = app.flash.as_ref().unwrap();
    assert!(
        flash.error && flash.text.starts_with("not copied"),
        "{:?}",
        flash.text
    );
    // The detail: masked, with the hint under it.
    handle_key(&mut app, key(KeyCode::Enter));
    serve_loads(&mut app, &store);
    let detail = render(&mut app, 140, 30);
    insta::assert_snapshot!("entity_detail_masked", detail);
    assert!(!detail.contains(STRIPE_KEY), "{detail}");
    let lines: Vec<&str> = detail.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.contains("API Keys Reference ⚠ sk_live_••••••••3kQ9"))
        .unwrap_or_else(|| panic!("{detail}"));
    assert!(
        lines[at + 1].contains("⚠ looks like a Stripe secret key — move it to your"),
        "{detail}"
    );
    keys(&mut app, "y");
    assert!(
        app.flash
            .as_ref()
            .unwrap()
            .text
            .contains("Stripe secret key")
    );
    assert!(
        !app.take_actions()
            .iter()
            .any(|a| matches!(a, Action::CopyUrl(_)))
    );
    // A clean record copies as before.
    handle_key(&mut app, key(KeyCode::Esc));
    app.table_mut().selected = if at == 0 { 1 } else { 0 };
    keys(&mut app, "y");
    assert!(
        app.take_actions()
            .iter()
            .any(|a| matches!(a, Action::CopyUrl(_)))
    );
}

#[test]
fn a_key_in_a_history_note_is_masked_and_the_overview_counts_credentials() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = demo_store(&dir);
    leaky_demo(&mut store);
    let app = demo_app(&store);
    let instance: String = app.tables[&DatabaseKey::ActiveWorkflowInstances]
        .selected_row()
        .unwrap()
        .page_id
        .clone();
    let log = format!(
        "[2026-11-27T10:00:00Z] Nyra: inquiry — client sent their card key {STRIPE_KEY} by mistake"
    );
    set_text(
        &mut store,
        DatabaseKey::ActiveWorkflowInstances,
        &instance,
        "History Log",
        &log,
    );
    let mut app = demo_app(&store);
    app.open_detail(instance.clone());
    serve_loads(&mut app, &store);
    let screen = render(&mut app, 160, 40);
    assert!(!screen.contains(STRIPE_KEY), "{screen}");
    assert!(screen.contains("⚠ sk_live_••••"), "{screen}");
    // The Activity tab and the Overview's recent entries show it masked too.
    keys(&mut app, "6");
    serve(&mut app, &store);
    let activity = render(&mut app, 200, 40);
    assert!(activity.contains("by mistake"), "{activity}");
    assert!(
        !activity.contains(STRIPE_KEY) && !activity.contains("51HqLyj"),
        "{activity}"
    );
    // y on the entry of an instance whose row shows a credential: refused there too (the
    // record is found in the Instances table).
    set_text(
        &mut store,
        DatabaseKey::ActiveWorkflowInstances,
        &instance,
        "Client/Lead Name",
        STRIPE_KEY,
    );
    let mut app = demo_app(&store);
    keys(&mut app, "6");
    serve(&mut app, &store);
    let at = {
        let view = &app.activity;
        let data = view.data.as_ref().unwrap();
        view.visible()
            .iter()
            .position(|&i| data.page_id(&data.rows[i as usize]) == instance)
            .unwrap()
    };
    app.activity.selected = at;
    assert_eq!(app.focus_page().as_deref(), Some(instance.as_str()));
    keys(&mut app, "y");
    assert!(
        !app.take_actions()
            .iter()
            .any(|a| matches!(a, Action::CopyUrl(_)))
    );
    assert!(app.flash.as_ref().unwrap().text.starts_with("not copied"));
    // The Overview's line, from the scan's count: the entity, the history, the name.
    let forms = hsn::domain::secrets::REFERENCE_FORMS;
    let found = hsn::store::secrets::scan_store(&store, forms).unwrap();
    assert_eq!(found.len(), 3, "{found:?}");
    let mut app = overview_app(&store);
    // The scan is asked for once the Overview's figures are on screen, not before them.
    let asked = app.take_actions();
    assert!(
        asked.iter().any(|a| matches!(a, Action::CountCredentials)),
        "{asked:?}"
    );
    assert!(!render(&mut app, 120, 40).contains("credential"));
    app.update(Msg::Credentials(found.len()));
    let overview = render(&mut app, 120, 40);
    assert!(
        overview.contains("⚠ 3 credentials stored in Notion — run hsn doctor --secrets"),
        "{overview}"
    );
}
