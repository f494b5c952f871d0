//! The Activity tab on the demo store: snapshots (the histogram, a filtered view, the
//! fuzzy filter narrowing, `enter` to the instance with its entry marked) and what its
//! keys and commands ask of the store.

use crossterm::event::KeyCode;

use hsn::domain::activity::ActivityKind;
use hsn::store::Store;
use hsn::ui::app::{Action, App, Msg};
use hsn::ui::data::load_detail;
use hsn::ui::keys::handle_key;
use hsn::ui::overview::Panel;

mod ui_support;
use ui_support::*;

fn command(app: &mut App, text: &str) {
    handle_key(app, key(KeyCode::Char(':')));
    keys(app, text);
    handle_key(app, key(KeyCode::Enter));
}

fn activity_app(store: &Store) -> App {
    let mut app = demo_app(store);
    app.set_operator("Solari");
    keys(&mut app, "6");
    assert!(app.on_activity);
    assert_eq!(serve(&mut app, store), 1, "6 reads the audit log");
    app
}

fn shown_column(app: &App, column: usize) -> Vec<String> {
    let view = &app.activity;
    let data = view.data.as_ref().unwrap();
    view.visible()
        .iter()
        .map(|&i| data.text(&data.rows[i as usize], column).to_string())
        .collect()
}

#[test]
fn the_activity_tab_with_its_histogram() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir);
    let mut app = activity_app(&store);
    let total = store.activity_count(&Default::default()).unwrap();
    assert!(total > 20, "the demo has a history: {total}");
    assert_eq!(app.activity.visible().len(), total);
    // Newest first.
    let data = app.activity.data.as_ref().unwrap();
    let times: Vec<i64> = app
        .activity
        .visible()
        .iter()
        .map(|&i| data.rows[i as usize].at)
        .collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]));
    // The histogram counts what the table shows, per day of the last 30.
    let counts = &app.activity.matcher.shown.histogram.counts;
    assert_eq!(counts.len(), 30);
    assert!(counts.iter().sum::<u32>() > 0);
    insta::assert_snapshot!("activity_tab", render(&mut app, 140, 40));
    keys(&mut app, "t");
    insta::assert_snapshot!("activity_tab_relative_narrow", render(&mut app, 80, 24));
}

#[test]
fn structured_filters_compose_and_show_in_the_title() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir);
    let mut app = activity_app(&store);
    let all = app.activity.visible().len();
    command(&mut app, "filter kind=transition");
    assert_eq!(serve(&mut app, &store), 1);
    let transitions = app.activity.visible().len();
    assert!(transitions > 0 && transitions < all);
    assert!(shown_column(&app, 3).iter().all(|k| k == "transition"));
    // A second key adds to the first.
    let actor = shown_column(&app, 0)[0].clone();
    command(&mut app, &format!("filter actor={actor}"));
    assert_eq!(serve(&mut app, &store), 1);
    assert_eq!(app.activity.filter.kinds, [ActivityKind::Transition]);
    let both = app.activity.visible().len();
    assert!(both > 0 && both < transitions);
    assert!(shown_column(&app, 0).iter().all(|a| a.starts_with(&actor)));
    assert!(shown_column(&app, 3).iter().all(|k| k == "transition"));
    insta::assert_snapshot!("activity_filtered", render(&mut app, 140, 30));
    // `key=` removes one; a bad term changes nothing and says why.
    command(&mut app, "filter kind=");
    serve(&mut app, &store);
    assert!(app.activity.filter.kinds.is_empty());
    assert_eq!(app.activity.filter.actor.as_deref(), Some(actor.as_str()));
    command(&mut app, "filter since=someday");
    assert_eq!(serve(&mut app, &store), 0, "nothing read again");
    assert!(app.flash.as_ref().unwrap().error);
    assert!(app.flash.as_ref().unwrap().text.contains("not a time"));
    assert_eq!(app.activity.filter.since, None);
    // `:filter` alone clears them.
    command(&mut app, "filter");
    serve(&mut app, &store);
    assert!(app.activity.filter.is_empty());
    assert_eq!(app.activity.visible().len(), all);
}

#[test]
fn quick_keys_toggle_store_filters() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir);
    let mut app = activity_app(&store);
    keys(&mut app, "T");
    serve(&mut app, &store);
    assert_eq!(app.activity.filter.kinds, [ActivityKind::Transition]);
    keys(&mut app, "E");
    serve(&mut app, &store);
    assert_eq!(app.activity.filter.kinds, [ActivityKind::Error]);
    keys(&mut app, "E");
    serve(&mut app, &store);
    assert!(app.activity.filter.kinds.is_empty());
    keys(&mut app, "w");
    serve(&mut app, &store);
    assert_eq!(app.activity.filter.actor.as_deref(), Some("Solari"));
    assert!(
        shown_column(&app, 0)
            .iter()
            .all(|a| a.starts_with("Solari"))
    );
    keys(&mut app, "w");
    serve(&mut app, &store);
    assert_eq!(app.activity.filter.actor, None);
    // `[` from all time: 30 days, then 7; `]` back to 30, then all time.
    keys(&mut app, "[");
    serve(&mut app, &store);
    assert_eq!(
        app.activity.filter.since,
        Some(now() - chrono::Duration::days(30))
    );
    keys(&mut app, "[");
    serve(&mut app, &store);
    assert_eq!(
        app.activity.filter.since,
        Some(now() - chrono::Duration::days(7))
    );
    let week = app.activity.visible().len();
    let data = app.activity.data.as_ref().unwrap();
    assert!(
        data.rows
            .iter()
            .all(|r| r.time() >= now() - chrono::Duration::days(7))
    );
    keys(&mut app, "]]");
    serve(&mut app, &store);
    assert_eq!(app.activity.filter.since, None);
    assert!(app.activity.visible().len() >= week);
    // Help lists them.
    keys(&mut app, "?");
    let help = render(&mut app, 120, 50);
    for said in [
        "only transitions",
        "only errors",
        "only mine",
        "shorter / longer window",
    ] {
        assert!(help.contains(said), "{said} in {help}");
    }
}

#[test]
fn the_fuzzy_filter_narrows_and_esc_clears_it_first() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir);
    let mut app = activity_app(&store);
    keys(&mut app, "T");
    serve(&mut app, &store);
    let transitions = app.activity.visible().len();
    let instance = shown_column(&app, 1)[3].clone();
    keys(&mut app, "/");
    keys(&mut app, &instance);
    let narrowed = app.activity.visible().len();
    assert!(narrowed > 0 && narrowed < transitions);
    assert!(shown_column(&app, 1).iter().all(|i| *i == instance));
    // The histogram follows the fuzzy filter.
    let counted: u32 = app.activity.matcher.shown.histogram.counts.iter().sum();
    assert!(counted as usize <= narrowed);
    insta::assert_snapshot!("activity_fuzzy", render(&mut app, 140, 30));
    handle_key(&mut app, key(KeyCode::Enter));
    // esc: the text first, the store's filters after.
    handle_key(&mut app, key(KeyCode::Esc));
    assert!(app.activity.text.is_empty());
    assert_eq!(app.activity.visible().len(), transitions);
    assert_eq!(serve(&mut app, &store), 0);
    handle_key(&mut app, key(KeyCode::Esc));
    assert_eq!(serve(&mut app, &store), 1);
    assert!(app.activity.filter.is_empty());
}

#[test]
fn enter_opens_the_instance_with_the_entry_marked() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir);
    let mut app = activity_app(&store);
    keys(&mut app, "jj");
    let (page, position) = {
        let view = &app.activity;
        let entry = view.selected_entry().unwrap();
        (
            view.data.as_ref().unwrap().page_id(entry).to_string(),
            entry.position as usize,
        )
    };
    handle_key(&mut app, key(KeyCode::Enter));
    let opened = app.detail().unwrap();
    assert_eq!(opened.page_id, page);
    assert_eq!(opened.marked, Some(position));
    assert!(
        app.take_actions()
            .iter()
            .any(|a| matches!(a, Action::LoadDetail(p) if *p == page))
    );
    let detail = load_detail(&store, &page).unwrap().unwrap();
    let marked_action = detail.history.as_ref().unwrap().entries[position]
        .action
        .clone();
    app.update(Msg::Detail(Box::new(detail)));
    let screen = render(&mut app, 140, 40);
    let marked_line = screen
        .lines()
        .find(|l| l.contains('▶'))
        .expect("the entry is marked");
    assert!(marked_line.contains(&marked_action), "{marked_line}");
    assert!(screen.contains('◆'), "the timeline marks the moment");
    insta::assert_snapshot!("activity_enter_detail", screen);
    // esc: back on the Activity tab.
    handle_key(&mut app, key(KeyCode::Esc));
    assert!(app.detail().is_none() && app.on_activity);
}

#[test]
fn the_overviews_activity_panel_opens_the_tab_on_its_entry() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir);
    let mut app = overview_app(&store);
    keys(&mut app, "a");
    assert_eq!(app.overview.focus, Panel::Activity);
    keys(&mut app, "jj");
    let recent = app.overview.data.as_ref().unwrap().recent[2].clone();
    handle_key(&mut app, key(KeyCode::Enter));
    assert!(app.on_activity && app.detail().is_none());
    serve(&mut app, &store);
    let view = &app.activity;
    let entry = view.selected_entry().unwrap();
    assert_eq!(view.data.as_ref().unwrap().page_id(entry), recent.page_id);
    assert_eq!(entry.at, recent.at.timestamp_millis());
}
