//! The dashboard's popups and forms at every size: text fields that scroll with the
//! cursor in view, pickers whose `j`/`k` move the selection until the note is chosen,
//! `?` that scrolls, the new-task form's links and errors, and the clock turning over
//! the day under the Overview.

use chrono::{Duration, TimeZone, Utc};
use crossterm::event::KeyCode;

use hsn::domain::demo::demo_data_source_id;
use hsn::domain::overview::StuckRule;
use hsn::domain::schema::DatabaseKey;
use hsn::store::overview::load_overview;
use hsn::ui::app::{Action, Mode, Msg};
use hsn::ui::data::load_detail;
use hsn::ui::keys::handle_key;

mod ui_support;
use ui_support::*;

#[test]
fn j_and_k_choose_in_the_move_popup_and_typing_goes_to_the_note_only_once_focused() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir);
    let mut app = demo_app(&store);
    keys(&mut app, "m");
    let selected = |app: &hsn::ui::app::App| match &app.mode {
        Mode::Picker(p) => (p.selected, p.note.as_ref().unwrap().text().to_string()),
        other => panic!("no picker: {other:?}"),
    };
    assert_eq!(selected(&app), (0, String::new()));
    keys(&mut app, "j");
    assert_eq!(selected(&app), (1, String::new()), "j moves, types nothing");
    keys(&mut app, "k");
    assert_eq!(selected(&app), (0, String::new()));
    // Letters other than j/k do not leak into the note either; the popup says why.
    keys(&mut app, "xy");
    assert_eq!(selected(&app), (0, String::new()));
    assert!(render(&mut app, 100, 30).contains("tab first to write a note"));
    handle_key(&mut app, key(KeyCode::Tab));
    keys(&mut app, "jk ok");
    assert_eq!(
        selected(&app),
        (0, "jk ok".to_string()),
        "the note has the focus"
    );
    // Arrows still choose while writing.
    handle_key(&mut app, key(KeyCode::Down));
    assert_eq!(selected(&app), (1, "jk ok".to_string()));
    handle_key(&mut app, key(KeyCode::Tab));
    keys(&mut app, "k");
    assert_eq!(selected(&app), (0, "jk ok".to_string()), "back on the list");
}

/// The line of the screen holding `needle`.
fn line_with<'a>(screen: &'a str, needle: &str) -> &'a str {
    screen
        .lines()
        .find(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no line with {needle:?} in\n{screen}"))
}

#[test]
fn a_long_note_scrolls_inside_its_popup_with_the_cursor_visible() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir);
    for width in [40u16, 100, 160] {
        let mut app = demo_app(&store);
        keys(&mut app, "m");
        handle_key(&mut app, key(KeyCode::Tab));
        let note =
            "Intro call booked for Thursday at ten, confirm the room and send the agenda first";
        keys(&mut app, note);
        let screen = render(&mut app, width, 30);
        let line = line_with(&screen, "Note: ");
        // The cursor shows, inside the border, after the end of what was typed.
        assert!(line.contains("agenda first▏"), "{width}: {line:?}");
        let inside = line.trim_end().trim_end_matches('│');
        assert!(!inside.ends_with(' ') || inside.contains('▏'), "{line:?}");
        assert!(
            line.contains('…'),
            "{width}: the start is marked cut: {line:?}"
        );
        assert!(line.chars().filter(|c| *c == '│').count() == 2, "{line:?}");
        // Home: the start shows, the rest is marked cut.
        handle_key(&mut app, key(KeyCode::Home));
        let screen = render(&mut app, width, 30);
        let line = line_with(&screen, "Note: ");
        assert!(line.contains("▏Intro call"), "{width}: {line:?}");
        assert!(line.contains("…"), "{width}: {line:?}");
    }
}

#[test]
fn help_scrolls_at_60_by_15_and_says_which_lines_show() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir);
    let mut app = demo_app(&store);
    keys(&mut app, "?");
    let first = render(&mut app, 60, 15);
    let title = line_with(&first, "Keys here");
    assert!(title.contains("1–"), "{title:?}");
    let total: usize = title
        .split(" of ")
        .nth(1)
        .and_then(|t| t.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{title:?}"));
    assert!(total > 13, "more lines than fit: {total}");
    assert!(!first.contains("quit"), "the last key is below: {first}");
    handle_key(&mut app, key(KeyCode::Char('G')));
    let last = render(&mut app, 60, 15);
    assert!(line_with(&last, "Keys here").contains(&format!("–{total} of {total}")));
    assert!(last.contains("quit"), "{last}");
    // Past the end stays at the end; k goes back one line from there.
    handle_key(&mut app, key(KeyCode::PageDown));
    assert_eq!(render(&mut app, 60, 15), last);
    handle_key(&mut app, key(KeyCode::Char('k')));
    let up = render(&mut app, 60, 15);
    assert!(
        line_with(&up, "Keys here").contains(&format!("–{} of", total - 1)),
        "{up}"
    );
    handle_key(&mut app, key(KeyCode::Esc));
    assert!(matches!(app.mode, Mode::Normal));
    // Where everything fits, no position is shown.
    keys(&mut app, "?");
    let tall = render(&mut app, 120, 60);
    assert!(line_with(&tall, "Keys here").contains("(esc closes)"));
    assert!(!line_with(&tall, "Keys here").contains(" of "));
}

#[test]
fn help_lists_only_the_sort_letters_and_quick_keys_a_table_has() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir);
    let mut app = demo_app(&store);
    keys(&mut app, "3?");
    let workflows = render(&mut app, 120, 60);
    let sort = line_with(&workflows, "sort by name");
    assert!(sort.contains("N S "), "{sort:?}");
    for absent in ["priority", "assignee", "time in state"] {
        assert!(
            !sort.contains(absent),
            "Workflows have no {absent}: {sort:?}"
        );
    }
    assert!(!workflows.contains("only mine"), "no Assigned To column");
    handle_key(&mut app, key(KeyCode::Esc));
    keys(&mut app, "4?");
    let instances = render(&mut app, 120, 60);
    let sort = line_with(&instances, "sort by name");
    for present in [
        "status",
        "priority",
        "assignee",
        "time in state",
        "last date",
    ] {
        assert!(sort.contains(present), "{present}: {sort:?}");
    }
    assert!(instances.contains("only mine"));
    // A letter of a column the table lacks says so and changes nothing.
    handle_key(&mut app, key(KeyCode::Esc));
    keys(&mut app, "3P");
    assert_eq!(app.table().unwrap().sort, None);
    assert!(
        app.flash
            .as_ref()
            .unwrap()
            .text
            .contains("no Priority column")
    );
}

#[test]
fn the_task_form_names_the_entity_and_an_error_clears_once_its_field_is_fixed() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir);
    let mut app = demo_app(&store);
    keys(&mut app, "n");
    // From the table, the instance's detail is read for its entity's name.
    let page = match &app.mode {
        Mode::TaskForm(form) => form.instance_page.clone(),
        other => panic!("no form: {other:?}"),
    };
    let actions = app.take_actions();
    assert!(
        actions
            .iter()
            .any(|a| matches!(a, Action::LoadDetail(p) if *p == page)),
        "{actions:?}"
    );
    let detail = load_detail(&store, &page).unwrap().unwrap();
    let entity = detail
        .links
        .iter()
        .find(|l| l.column == "Business Entity")
        .map(|l| l.title.clone())
        .expect("demo instances have an entity");
    assert!(!render(&mut app, 100, 30).contains(&entity));
    app.update(Msg::Detail(Box::new(detail)));
    let screen = render(&mut app, 100, 30);
    assert!(
        line_with(&screen, "Related Business Entity").contains(&entity),
        "{screen}"
    );
    assert!(!screen.contains("the instance's"));
    // No name: an error under the Name field, gone as soon as a name is typed.
    handle_key(&mut app, key(KeyCode::Enter));
    let screen = render(&mut app, 100, 30);
    let lines: Vec<&str> = screen.lines().collect();
    let at = lines.iter().position(|l| l.contains("Name:")).unwrap();
    assert!(lines[at + 1].contains("a task needs a name"), "{screen}");
    keys(&mut app, "C");
    assert!(matches!(&app.mode, Mode::TaskForm(f) if f.error.is_none()));
    assert!(!render(&mut app, 100, 30).contains("a task needs a name"));
    // A bad due date: its error stays while it is still bad, goes when it parses.
    for _ in 0..3 {
        handle_key(&mut app, key(KeyCode::Tab));
    }
    keys(&mut app, "someday");
    handle_key(&mut app, key(KeyCode::Enter));
    assert!(
        matches!(&app.mode, Mode::TaskForm(f) if f.error.as_ref().is_some_and(|(field, _)| *field == 3))
    );
    keys(&mut app, "x");
    assert!(matches!(&app.mode, Mode::TaskForm(f) if f.error.is_some()));
    for _ in 0.."somedayx".len() {
        handle_key(&mut app, key(KeyCode::Backspace));
    }
    keys(&mut app, "+3d");
    assert!(matches!(&app.mode, Mode::TaskForm(f) if f.error.is_none()));
}

#[test]
fn crossing_midnight_recomputes_the_overviews_day_figures_without_r() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir);
    let mut app = overview_app(&store);
    let before = render(&mut app, 120, 40);
    let tasks_line = |screen: &str| line_with(screen, " t Tasks ·").to_string();
    let figures = |line: &str| -> (usize, usize) {
        let number = |word: &str| -> usize {
            let at = line.find(word).unwrap();
            line[..at]
                .split_whitespace()
                .last()
                .unwrap()
                .parse()
                .unwrap()
        };
        (number(" overdue"), number(" today"))
    };
    let (overdue, today) = figures(&tasks_line(&before));
    assert!(
        today > 0,
        "the demo has tasks due today: {}",
        tasks_line(&before)
    );
    // Within the day, the clock changes nothing but the time.
    app.tick(now() + Duration::hours(11));
    assert!(
        !app.take_actions()
            .iter()
            .any(|a| matches!(a, Action::LoadOverview))
    );
    // Midnight (UTC, the Overview's day): the figures are asked for again.
    let midnight = Utc.with_ymd_and_hms(2026, 11, 28, 0, 0, 1).unwrap();
    app.tick(midnight);
    let actions = app.take_actions();
    assert!(
        actions.iter().any(|a| matches!(a, Action::LoadOverview)),
        "{actions:?}"
    );
    // Answered as the runner answers (the store's figures at the clock's time).
    let overview = load_overview(
        &store,
        |k| Some(demo_data_source_id(k)),
        &StuckRule::default(),
        midnight,
    )
    .unwrap();
    app.update(Msg::Overview(Box::new(overview)));
    let after = render(&mut app, 120, 40);
    let (overdue_after, _) = figures(&tasks_line(&after));
    assert_eq!(
        overdue_after,
        overdue + today,
        "yesterday's due tasks are late now: {}",
        tasks_line(&after)
    );
}

#[test]
fn crossing_midnight_refilters_the_tables_overdue_quick_filter() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir);
    let mut app = demo_app(&store);
    keys(&mut app, "5e");
    let overdue = app.table().unwrap().visible.len();
    // The local day turns over a day later (whatever the machine's zone).
    app.tick(now() + Duration::days(1));
    let later = app.tables[&DatabaseKey::Tasks].visible.len();
    assert!(later > overdue, "{overdue} overdue, then {later}");
}
