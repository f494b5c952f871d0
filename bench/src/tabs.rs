//! The dashboard moved through as an operator does, over a store of 100,000 instances and
//! 50,000 tasks: how soon a tab shows its first screenful after its key (while the Overview
//! is still being computed, and once it is shown), the most memory the process held with
//! every main tab visited, and how soon `q` gives the terminal back, also with Notion
//! unreachable and writes queued.

mod offline;

pub use offline::Offline;

use std::path::Path;
use std::time::{Duration, Instant};

use color_eyre::eyre::{Result, eyre};
use hsn::domain::schema::database;
use hsn::store::Store;
use hsn::table::{TableView, Viewer, load_table};
use hsn::ui::app::MAIN_TABS;

use crate::budget::Figure;
use crate::dashboard::{OVERVIEW_SHOWN, Terminal, peak_rss_of};

const WAIT: Duration = Duration::from_secs(120);

/// What the Overview shows until its figures are computed.
const COMPUTING: &str = "computing…";

/// A main tab as the screen shows it.
#[derive(Debug, Clone)]
pub struct Tab {
    /// The key that shows it (`1`–`5`).
    pub key: char,
    pub name: &'static str,
    /// The table's frame title.
    title: String,
    /// Its first row by title: on screen once the first screenful is.
    first_row: String,
    /// The count once every row is loaded: `N of N`.
    complete: String,
}

/// The five main tabs of the store at `path`, as the dashboard first shows each: its
/// default quick filters applied (the Tasks tab hides Done and Cancelled tasks).
pub fn main_tabs(path: &Path) -> Result<Vec<Tab>> {
    let store = Store::open(path)?;
    MAIN_TABS
        .iter()
        .enumerate()
        .map(|(n, &key)| {
            let definition = database(key);
            let mut table = TableView::for_tab(key, Viewer::default());
            table.data = Some(load_table(&store, key, None, None)?);
            table.recompute(chrono::Utc::now());
            let first_row = table
                .selected_row()
                .map(|row| row.title().to_string())
                .ok_or_else(|| eyre!("{} shows no row", definition.title))?;
            let count = |n| hsn::ui::view::count(n);
            Ok(Tab {
                key: char::from(b'1' + n as u8),
                name: definition.alias,
                title: format!(" {} ", definition.title),
                first_row,
                complete: format!("{} of {}", count(table.visible.len()), count(table.total())),
            })
        })
        .collect()
}

/// Presses `tab`'s key: the time until its frame and first row are on screen.
fn switch(terminal: &mut Terminal, tab: &Tab) -> Result<Duration> {
    let pressed = terminal.press(&tab.key.to_string())?;
    terminal.wait_until(pressed, WAIT, &tab.first_row, |screen| {
        let text = screen.contents();
        text.contains(&tab.title) && text.contains(&tab.first_row)
    })
}

/// How long `q` took: until the terminal left the alternate screen, and until the
/// process ended.
#[derive(Debug, Clone, Copy)]
pub struct Quit {
    pub restored: Duration,
    pub exited: Duration,
}

fn quit(mut terminal: Terminal) -> Result<Quit> {
    let pressed = terminal.press("q")?;
    let restored = terminal.wait_until(pressed, Duration::from_secs(10), "the shell", |s| {
        !s.alternate_screen()
    });
    let deadline = Instant::now() + Duration::from_secs(10);
    while terminal.running() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_micros(500));
    }
    let exited = pressed.elapsed();
    let running = terminal.running();
    terminal.quit();
    if running {
        return Err(eyre!("the dashboard did not end within 10 s of q"));
    }
    Ok(Quit {
        restored: restored?,
        exited,
    })
}

/// One walk through the dashboard.
#[derive(Debug, Clone)]
pub struct Walk {
    /// Tab switches made while the Overview was being computed (its figures not yet shown).
    pub while_computing: Vec<(&'static str, Duration)>,
    /// Whether the Overview was still being computed once they were made.
    pub computing_after: bool,
    /// Tab switches once the Overview was shown (`revisit`: the tab was open before).
    pub once_shown: Vec<(&'static str, bool, Duration)>,
    /// The most memory the process held, every tab visited and complete.
    pub peak_rss_mb: f64,
    pub quit: Quit,
}

/// Opens `hsn --demo` on the Overview over `dir`'s `demo.sqlite`. With `early`, the big
/// tabs (Instances, Tasks) are switched to as soon as the first frame shows, while the
/// Overview is computed, and again once it is shown; else only once it is shown. Then
/// every tab is completed, and `q` pressed.
pub fn walk(hsn: &Path, dir: &Path, tabs: &[Tab], early: bool) -> Result<Walk> {
    let env = [
        ("HSN_DATA_DIR".to_string(), dir.display().to_string()),
        ("HSN_OPERATOR".to_string(), "bench".to_string()),
    ];
    let mut terminal = Terminal::spawn(hsn, &["--demo"], &env, dir, (200, 60))?;
    let walked = (|| {
        terminal.wait_for("Overview", WAIT)?;
        let big: Vec<&Tab> = tabs.iter().filter(|t| t.key >= '4').collect();
        let mut while_computing = Vec::new();
        let mut computing_after = false;
        if early {
            for tab in &big {
                while_computing.push((tab.name, switch(&mut terminal, tab)?));
            }
            // Back on the Overview: still computing, or done already (too fast a machine
            // for this figure to mean what it says).
            let pressed = terminal.press("0")?;
            terminal.wait_until(pressed, WAIT, "the Overview", |screen| {
                let text = screen.contents();
                text.contains(COMPUTING) || text.contains(OVERVIEW_SHOWN.1)
            })?;
            computing_after = terminal.contents().contains(COMPUTING);
        }
        terminal.wait_for(OVERVIEW_SHOWN.1, WAIT)?;
        let mut once_shown = Vec::new();
        let order = tabs
            .iter()
            .filter(|t| t.key < '4')
            .chain(big.iter().copied());
        let order: Vec<&Tab> = if early {
            order.collect()
        } else {
            big.iter()
                .copied()
                .chain(tabs.iter().filter(|t| t.key < '4'))
                .collect()
        };
        for tab in order {
            let revisit = early && tab.key >= '4';
            once_shown.push((tab.name, revisit, switch(&mut terminal, tab)?));
        }
        for tab in tabs {
            switch(&mut terminal, tab)?;
            terminal.wait_for(&tab.complete, WAIT)?;
        }
        terminal.press("0")?;
        terminal.wait_for(OVERVIEW_SHOWN.1, WAIT)?;
        std::thread::sleep(Duration::from_millis(500));
        Ok((
            (while_computing, computing_after),
            once_shown,
            peak_rss_of(terminal.pid),
        ))
    })();
    let ((while_computing, computing_after), once_shown, peak_rss_mb) = match walked {
        Ok(walked) => walked,
        Err(e) => {
            terminal.quit();
            return Err(e);
        }
    };
    Ok(Walk {
        while_computing,
        computing_after,
        once_shown,
        peak_rss_mb,
        quit: quit(terminal)?,
    })
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples.get(samples.len() / 2).copied().unwrap_or(f64::NAN)
}

/// The report's rows: `runs` walks of each kind over `dir`'s `demo.sqlite` (100,000
/// instances, 50,000 tasks), then `q` with Notion unreachable and writes queued.
pub fn figures(hsn: &Path, dir: &Path, runs: usize) -> Result<Vec<Figure>> {
    let path = dir.join("demo.sqlite");
    let tabs = main_tabs(&path)?;
    let mut early = Vec::new();
    let mut late = Vec::new();
    for _ in 0..runs {
        early.push(walk(hsn, dir, &tabs, true)?);
        late.push(walk(hsn, dir, &tabs, false)?);
    }
    let mut figures = Vec::new();

    // Per tab, the median of the runs; and the slowest switch of all.
    let while_computing: Vec<(&str, f64)> = early[0]
        .while_computing
        .iter()
        .enumerate()
        .map(|(i, (name, _))| {
            (
                *name,
                median(early.iter().map(|w| ms(w.while_computing[i].1)).collect()),
            )
        })
        .collect();
    let worst = early
        .iter()
        .flat_map(|w| w.while_computing.iter().map(|s| ms(s.1)))
        .fold(0.0, f64::max);
    figures.push(Figure {
        what: format!(
            "Dashboard opened on the Overview, 100,000 instances and 50,000 tasks: a tab's key to its first screenful of rows while the Overview is computed (median of {runs})"
        ),
        target: "≤ 100 ms".into(),
        measured: format!(
            "{}; slowest {worst:.0} ms; the Overview still computing after both switches in {} of {runs} runs",
            named(&while_computing),
            early.iter().filter(|w| w.computing_after).count()
        ),
        ok: Some(worst <= 100.0),
    });
    let first_visits: Vec<(&str, f64)> = late[0]
        .once_shown
        .iter()
        .enumerate()
        .map(|(i, (name, _, _))| {
            (
                *name,
                median(late.iter().map(|w| ms(w.once_shown[i].2)).collect()),
            )
        })
        .collect();
    let revisits: Vec<(&str, f64)> = early[0]
        .once_shown
        .iter()
        .enumerate()
        .filter(|(_, (_, revisit, _))| *revisit)
        .map(|(i, (name, _, _))| {
            (
                *name,
                median(early.iter().map(|w| ms(w.once_shown[i].2)).collect()),
            )
        })
        .collect();
    let worst = early
        .iter()
        .chain(&late)
        .flat_map(|w| w.once_shown.iter().map(|s| ms(s.2)))
        .fold(0.0, f64::max);
    figures.push(Figure {
        what: format!(
            "The same once the Overview is shown: each main tab's first visit, and the big tabs visited again (median of {runs})"
        ),
        target: "≤ 100 ms".into(),
        measured: format!(
            "{}; again: {}; slowest {worst:.0} ms",
            named(&first_visits),
            named(&revisits)
        ),
        ok: Some(worst <= 100.0),
    });
    let peak = early
        .iter()
        .chain(&late)
        .map(|w| w.peak_rss_mb)
        .fold(0.0, f64::max);
    figures.push(Figure {
        what: format!(
            "Peak resident memory (VmHWM) of the dashboard with the Overview and every main tab visited and complete (largest of {})",
            2 * runs
        ),
        target: "≤ 200 MB".into(),
        measured: format!("{peak:.0} MB"),
        ok: Some(peak <= 200.0),
    });

    // `q`: after the walk (everything loaded); then with Notion unreachable and 20 writes
    // queued, while the Overview is computed and a table loads, and once idle with the
    // engine failing to reach Notion.
    let walked: Vec<Quit> = early.iter().chain(&late).map(|w| w.quit).collect();
    let offline = Offline::new(&path, 20)?;
    let mut computing = Vec::new();
    let mut idle = Vec::new();
    for _ in 0..runs {
        computing.push(offline.quit_after(hsn, Duration::from_millis(100), true)?);
        idle.push(offline.quit_after(hsn, Duration::from_secs(5), false)?);
    }
    let all: Vec<&Quit> = walked.iter().chain(&computing).chain(&idle).collect();
    // The shell is back when the process has ended: that is the figure judged.
    let worst = all.iter().map(|q| ms(q.exited)).fold(0.0, f64::max);
    let state = |quits: &[Quit]| {
        format!(
            "{:.0} ms (the alternate screen left after {:.0} ms)",
            median(quits.iter().map(|q| ms(q.exited)).collect()),
            median(quits.iter().map(|q| ms(q.restored)).collect())
        )
    };
    figures.push(Figure {
        what: format!(
            "`q` → the terminal given back (the process ended, the shell's again), 100,000 instances (median of {runs} each)"
        ),
        target: "≤ 100 ms".into(),
        measured: format!(
            "every tab loaded: {}; Notion unreachable (a closed port) and 20 writes queued, while the Overview is computed and Instances load: {}; the same idle, the engine failing to reach Notion: {}; slowest {worst:.0} ms",
            state(&walked),
            state(&computing),
            state(&idle)
        ),
        ok: Some(worst <= 100.0),
    });
    Ok(figures)
}

fn named(figures: &[(&str, f64)]) -> String {
    figures
        .iter()
        .map(|(name, ms)| format!("{name} {ms:.0} ms"))
        .collect::<Vec<_>>()
        .join(", ")
}
