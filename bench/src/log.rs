//! `hsn log --since 1d` over the audit log of 100,000 instances (about 600,000 history
//! entries): the real binary from its start to its exit, piped (every entry of the day as
//! JSON lines) and in a pseudo-terminal (the newest 50 and their count).

use std::path::Path;
use std::time::{Duration, Instant};

use color_eyre::eyre::{Result, ensure, eyre};
use hsn::domain::activity::ActivityFilter;
use hsn::store::Store;
use hsn::ui::view::count;

use crate::budget::Figure;
use crate::dashboard::Terminal;
use crate::{Histories, fixed_now, write_demo_store_with};

const INSTANCES: usize = 100_000;
const TARGET_MS: f64 = 300.0;

/// The audit log's row: a store of its own (the other rows' histories are shorter), made
/// in a temporary folder and removed after; or kept in `BENCH_LOG_DIR` when set (made on
/// the first run, reused after: for trying an optimisation). The runs are timed by a small
/// child process (`bench-report --time-log HSN DIR`, [`time_runs`]): this one holds
/// gigabytes by now, and the pseudo-terminal forks its starter.
pub fn figures(hsn: &Path) -> Result<Vec<Figure>> {
    let temporary = tempfile::tempdir()?;
    let dir = std::env::var_os("BENCH_LOG_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| temporary.path().to_path_buf());
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("demo.sqlite");
    if !path.exists() {
        println!("writing {INSTANCES} instances with busy histories…");
        write_demo_store_with(&path, INSTANCES, 11, Histories::Busy)?;
        std::fs::File::open(&path)?.sync_all()?;
    }
    let store = Store::open(&path)?;
    let entries = store.activity_count(&ActivityFilter::default())?;
    drop(store);
    let child = std::process::Command::new(std::env::current_exe()?)
        .arg("--time-log")
        .args([hsn, &dir])
        .output()?;
    ensure!(
        child.status.success(),
        "the measurement failed: {}",
        String::from_utf8_lossy(&child.stderr)
    );
    let line = String::from_utf8_lossy(&child.stdout);
    let numbers: Vec<f64> = line
        .split_whitespace()
        .map(str::parse)
        .collect::<Result<_, _>>()
        .map_err(|e| eyre!("not a measurement: {line:?}: {e}"))?;
    let [piped, terminal, lines] = numbers[..] else {
        return Err(eyre!("not a measurement: {line:?}"));
    };
    let what = format!(
        "`hsn log --since 1d`, {} instances and {} history entries in the store: process start to exit (median of 5)",
        count(INSTANCES),
        count(entries)
    );
    let measured = format!(
        "{piped:.0} ms piped ({} JSON lines, the day's entries); {terminal:.0} ms in a 200×60 terminal (the newest 50 and their count)",
        count(lines as usize)
    );
    Ok(vec![Figure {
        what,
        target: format!("≤ {TARGET_MS:.0} ms"),
        measured,
        ok: Some(piped <= TARGET_MS && terminal <= TARGET_MS),
    }])
}

/// Times `hsn --demo log --since 1d` over the store in `dir`, five times piped (after one
/// run that warms the page cache, as for an operator's second look) and five times in a
/// 200×60 pseudo-terminal: one line, the two medians in ms and the lines piped.
pub fn time_runs(hsn: &Path, dir: &Path) -> Result<String> {
    // The store's times are around the generator's fixed "now": hsn reads `1d` from it.
    let env = [
        ("HSN_DATA_DIR".to_string(), dir.display().to_string()),
        ("HSN_NOW".to_string(), fixed_now().to_rfc3339()),
        ("HSN_OPERATOR".to_string(), "bench".to_string()),
    ];
    let args = ["--demo", "log", "--since", "1d"];
    let piped = |lines: &mut usize| -> Result<Duration> {
        let started = Instant::now();
        let output = std::process::Command::new(hsn)
            .args(args)
            .env_clear()
            .envs(env.iter().cloned())
            .current_dir(dir)
            .output()?;
        let took = started.elapsed();
        ensure!(
            output.status.success(),
            "hsn log failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        *lines = output.stdout.split(|b| *b == b'\n').count() - 1;
        Ok(took)
    };
    let mut lines = 0;
    piped(&mut lines)?;
    let piped: Vec<Duration> = (0..5).map(|_| piped(&mut lines)).collect::<Result<_>>()?;
    let in_terminal = || -> Result<Duration> {
        let mut terminal = Terminal::spawn(hsn, &args, &env, dir, (200, 60))?;
        let took = terminal.wait_exit(Duration::from_secs(60))?;
        // What it printed may still be on its way to the screen.
        terminal.wait_for("the newest 50 of", Duration::from_secs(5))?;
        Ok(took)
    };
    let terminal: Vec<Duration> = (0..5).map(|_| in_terminal()).collect::<Result<_>>()?;
    let ms = |samples: Vec<Duration>| median(samples).as_secs_f64() * 1000.0;
    Ok(format!("{} {} {lines}", ms(piped), ms(terminal)))
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}
