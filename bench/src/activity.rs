//! The Activity tab over 100,000 instances with about 6 history entries each (~600,000
//! entries, `Histories::Busy`): how soon its first screenful shows after `6` and how much
//! memory it adds (the real binary in a pseudo-terminal), and its filter keystrokes
//! (in-process, as the Instances table's row measures them).

use std::path::Path;
use std::time::{Duration, Instant};

use color_eyre::eyre::{Result, eyre};
use hsn::domain::activity::ActivityFilter;
use hsn::store::Store;
use hsn::table::activity::{ActivityIndex, load_activity};
use hsn::ui::app::{App, Msg};
use hsn::ui::view::count;

use crate::budget::Figure;
use crate::dashboard::{OVERVIEW_SHOWN, Terminal, peak_rss_of, rss_of};

const WAIT: Duration = Duration::from_secs(120);

/// Words typed into the Activity tab's filter: actors, states, instances, actions, kinds.
pub const QUERIES: [&str; 8] = [
    "nyra",
    "payment",
    "inst-00a",
    "created task",
    "error conf",
    "sage trans",
    "booking_conf",
    "remind",
];

/// One visit of the Activity tab: `6` pressed on the Overview.
#[derive(Debug, Clone, Copy)]
struct Visit {
    first_screen: Duration,
    complete: Duration,
    /// Resident memory on the Overview before `6`, once every row is loaded, and the
    /// process's peak, in MB.
    before_mb: f64,
    after_mb: f64,
    peak_mb: f64,
}

fn visit(hsn: &Path, dir: &Path, newest: &str, complete: &str) -> Result<Visit> {
    let env = [
        ("HSN_DATA_DIR".to_string(), dir.display().to_string()),
        ("HSN_OPERATOR".to_string(), "bench".to_string()),
    ];
    let mut terminal = Terminal::spawn(hsn, &["--demo"], &env, dir, (200, 60))?;
    let visited = (|| {
        terminal.wait_for(OVERVIEW_SHOWN.1, WAIT)?;
        std::thread::sleep(Duration::from_millis(500));
        let before_mb = rss_of(terminal.pid);
        let pressed = terminal.press("6")?;
        // The table's header and its newest row (the Overview shows neither header).
        let first_screen = terminal.wait_until(pressed, WAIT, "the first rows", |screen| {
            let text = screen.contents();
            text.contains("WORKFLOW") && text.contains("KIND") && text.contains(newest)
        })?;
        let complete =
            terminal.wait_until(pressed, WAIT, complete, |s| s.contents().contains(complete))?;
        std::thread::sleep(Duration::from_millis(500));
        Ok(Visit {
            first_screen,
            complete,
            before_mb,
            after_mb: rss_of(terminal.pid),
            peak_mb: peak_rss_of(terminal.pid),
        })
    })();
    terminal.quit();
    visited
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The pseudo-terminal rows: `runs` visits over `dir`'s `demo.sqlite`.
pub fn figures(hsn: &Path, dir: &Path, runs: usize) -> Result<Vec<Figure>> {
    let store = Store::open(&dir.join("demo.sqlite"))?;
    let all = ActivityFilter::default();
    let entries = store.activity_count(&all)?;
    let newest = store
        .activity(&all, Some(1))?
        .pop()
        .ok_or_else(|| eyre!("the store has no history entries"))?
        .instance_id;
    drop(store);
    let complete = format!("{} of {}", count(entries), count(entries));
    let visits: Vec<Visit> = (0..runs)
        .map(|_| visit(hsn, dir, &newest, &complete))
        .collect::<Result<_>>()?;
    let median = |of: fn(&Visit) -> f64| {
        let mut values: Vec<f64> = visits.iter().map(of).collect();
        values.sort_by(f64::total_cmp);
        values[values.len() / 2]
    };
    let worst = visits
        .iter()
        .map(|v| ms(v.first_screen))
        .fold(0.0, f64::max);
    let added = visits
        .iter()
        .map(|v| v.after_mb - v.before_mb)
        .fold(0.0, f64::max);
    let peak = visits.iter().map(|v| v.peak_mb).fold(0.0, f64::max);
    Ok(vec![
        Figure {
            what: format!(
                "Activity tab: `6` on the Overview → its first screenful, 100,000 instances / {} entries (median of {runs})",
                count(entries)
            ),
            target: "≤ 100 ms".into(),
            measured: format!(
                "{:.0} ms (slowest {worst:.0} ms); every entry read {:.0} ms after the key",
                median(|v| ms(v.first_screen)),
                median(|v| ms(v.complete))
            ),
            ok: Some(worst <= 100.0),
        },
        Figure {
            what: format!(
                "Memory the Activity tab adds to the dashboard, {} entries loaded (largest of {runs})",
                count(entries)
            ),
            target: "≤ 100 MB on top of the rest".into(),
            measured: format!(
                "+{added:.0} MB resident (on the Overview {:.0} MB, with the tab {:.0} MB; peak {peak:.0} MB)",
                median(|v| v.before_mb),
                median(|v| v.after_mb)
            ),
            ok: Some(added <= 100.0),
        },
    ])
}

/// The rows of the store at `path`, as the tab holds them; and how long reading took.
pub fn load(path: &Path) -> Result<(ActivityIndex, Duration)> {
    let store = Store::open(path)?;
    let started = Instant::now();
    let index = load_activity(&store, &ActivityFilter::default(), None, || true)?
        .ok_or_else(|| eyre!("the read was stopped"))?;
    Ok((index, started.elapsed()))
}

/// Types each of [`QUERIES`] (three rounds) into the Activity tab's filter one key at a
/// time, from every row each time, then three backspaces and `esc`: each keystroke's time
/// in ms (filtering and counting the histogram).
pub fn keystrokes(index: &ActivityIndex) -> Result<Vec<f64>> {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use hsn::ui::keys::handle_key;
    let mut app = App::new(
        crate::fixed_now(),
        true,
        false,
        hsn::ui::theme::Theme::plain(),
    );
    app.show_activity();
    app.take_actions();
    let generation = app.activity.generation;
    let mut times = Vec::new();
    let press = |app: &mut App, code: KeyCode| {
        let started = Instant::now();
        handle_key(app, KeyEvent::new(code, KeyModifiers::NONE));
        started.elapsed().as_secs_f64() * 1000.0
    };
    for query in QUERIES.iter().cycle().take(3 * QUERIES.len()) {
        app.update(Msg::Activity {
            generation,
            index: Box::new(index.clone()),
        });
        press(&mut app, KeyCode::Char('/'));
        for c in query.chars() {
            times.push(press(&mut app, KeyCode::Char(c)));
        }
        if app.activity.visible().is_empty() && !query.is_empty() {
            return Err(eyre!("{query:?} matches no entry: not a fair keystroke"));
        }
        for _ in 0..3 {
            times.push(press(&mut app, KeyCode::Backspace));
        }
        times.push(press(&mut app, KeyCode::Esc));
    }
    Ok(times)
}
