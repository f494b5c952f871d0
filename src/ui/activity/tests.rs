use chrono::{TimeZone, Utc};

use super::*;

fn at(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, day, hour, 0, 0).unwrap()
}

#[test]
fn the_histogram_window_follows_since_and_until() {
    let now = at(27, 12);
    let day = |t: DateTime<Utc>| t.timestamp_millis().div_euclid(DAY_MS);
    let mut view = ActivityView::default();
    assert_eq!(view.window(now), (day(now) - 29, day(now)));
    view.filter.since = Some(at(20, 9));
    assert_eq!(view.window(now), (day(at(20, 0)), day(now)));
    // `until=2026-11-25` is the end of the 25th: the 25th is the last day.
    view.filter.until = Some(at(26, 0));
    assert_eq!(view.window(now), (day(at(20, 0)), day(at(25, 0))));
    // A long window: its last 90 days.
    view.filter.since = Some(at(1, 0) - Duration::days(400));
    assert_eq!(
        view.window(now).1 - view.window(now).0 + 1,
        HISTOGRAM_MAX_DAYS
    );
}

#[test]
fn the_window_steps_through_a_day_a_week_a_month_and_all_time() {
    let mut app = App::new(at(27, 12), true, false, crate::ui::theme::Theme::plain());
    let since = |app: &App| app.activity.filter.since.map(|s| (app.now - s).num_days());
    step_window(&mut app, false);
    assert_eq!(since(&app), Some(30));
    step_window(&mut app, false);
    assert_eq!(since(&app), Some(7));
    step_window(&mut app, false);
    assert_eq!(since(&app), Some(1));
    step_window(&mut app, false);
    assert_eq!(since(&app), Some(1), "a day is the shortest");
    step_window(&mut app, true);
    assert_eq!(since(&app), Some(7));
    // From a window typed by hand (3 days): the next step up.
    app.activity.filter.since = Some(app.now - Duration::days(3));
    step_window(&mut app, true);
    assert_eq!(since(&app), Some(7));
    step_window(&mut app, true);
    step_window(&mut app, true);
    assert_eq!(since(&app), None, "past a month: all time");
    // Each step reads the store again.
    let loads = app
        .take_actions()
        .iter()
        .filter(|a| matches!(a, Action::LoadActivity { .. }))
        .count();
    assert_eq!(loads, 8);
}

#[test]
fn an_older_loads_rows_are_dropped() {
    let now = at(27, 12);
    let mut view = ActivityView {
        generation: 2,
        ..ActivityView::default()
    };
    view.replace(1, ActivityIndex::default().finish(true), now);
    assert!(view.data.is_none());
    view.replace(2, ActivityIndex::default().finish(true), now);
    assert!(view.data.is_some());
}

/// A pending entry shows its mark; an unreadable one its text, made harmless.
#[test]
fn pending_and_unreadable_rows_are_drawn() {
    use crate::domain::activity::Activity;
    use crate::store::ActivityRow;
    let now = at(27, 12);
    let mut app = App::new(now, true, false, crate::ui::theme::Theme::plain());
    app.show_activity();
    let mut index = ActivityIndex::default();
    for (kind, action, pending) in [
        (ActivityKind::Transition, "Transitioned from a to b", true),
        (ActivityKind::Unreadable, "raw \u{1b}[2J text", false),
    ] {
        index.push(&ActivityRow {
            page_id: "p1".into(),
            instance_id: "INST-1".into(),
            workflow: None,
            activity: Activity {
                position: 0,
                at: at(27, 9),
                actor: Some("Solari".into()),
                kind,
                from: None,
                to: None,
                action: action.into(),
                note: None,
                details: serde_json::json!({}),
            },
            pending,
        });
    }
    let generation = app.activity.generation;
    app.update(crate::ui::app::Msg::Activity {
        generation,
        index: Box::new(index.finish(true)),
    });
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 20)).unwrap();
    terminal
        .draw(|frame| crate::ui::view::draw(frame, &mut app))
        .unwrap();
    let screen = terminal.backend().to_string();
    let pending = screen.lines().find(|l| l.contains("Transitioned")).unwrap();
    assert!(pending.contains('⟳'), "{pending}");
    let raw = screen.lines().find(|l| l.contains("raw")).unwrap();
    assert!(
        raw.contains("unreadable") && !raw.contains('\u{1b}'),
        "{raw}"
    );
    assert!(raw.contains("text"));
}
