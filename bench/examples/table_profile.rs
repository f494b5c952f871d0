//! The Instances table over 100,000 generated records: load, one frame at 200×60, and the
//! filter keystrokes of the benchmark, for a profiler and for trying a change
//! (`bench-report` measures the same for BENCHMARKS.md).
//!
//! `cargo run --release -p hsn-bench --example table_profile [STORE]` (the store is made
//! once at STORE, default `/tmp/hsn-bench-100k/demo.sqlite`).
use std::path::PathBuf;
use std::time::Instant;

use hsn::domain::schema::DatabaseKey;
use hsn::store::Store;
use hsn::table::load_table;
use hsn::ui::app::{App, Msg};
use hsn::ui::theme::Theme;
use hsn_bench::dashboard::{filter_keystrokes, frame_times};

fn main() -> color_eyre::Result<()> {
    let path = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/tmp/hsn-bench-100k/demo.sqlite"));
    if !path.exists() {
        println!("writing 100,000 instances to {}…", path.display());
        hsn_bench::write_demo_store(&path, 100_000, 9)?;
    }
    let store = Store::open(&path)?;
    let started = Instant::now();
    let data = load_table(&store, DatabaseKey::ActiveWorkflowInstances, None, None)?;
    println!(
        "load_table: {} rows in {:.0} ms, rss {:.0} MB",
        data.rows.len(),
        started.elapsed().as_secs_f64() * 1000.0,
        hsn_bench::rss_mb()
    );
    let mut app = App::new(hsn_bench::fixed_now(), true, false, Theme::plain());
    app.switch_tab(DatabaseKey::ActiveWorkflowInstances);
    app.take_actions();
    app.update(Msg::Table(Box::new(data.clone())));
    let mut frames = frame_times(&mut app, 200, 60, 50)?;
    frames.sort_by(f64::total_cmp);
    println!("frame 200×60: median {:.2} ms", frames[frames.len() / 2]);
    // Each keystroke's best of 5 runs: what it costs when the machine is not busy elsewhere.
    let runs: Vec<Vec<f64>> = (0..5)
        .map(|_| filter_keystrokes(&mut app, &data))
        .collect::<color_eyre::Result<_>>()?;
    let mut keys: Vec<f64> = (0..runs[0].len())
        .map(|k| runs.iter().map(|r| r[k]).fold(f64::INFINITY, f64::min))
        .collect();
    let mut all: Vec<f64> = runs.concat();
    all.sort_by(f64::total_cmp);
    println!(
        "all {} keystrokes of the 5 runs: p99 {:.2} ms",
        all.len(),
        all[((all.len() - 1) as f64 * 0.99).round() as usize]
    );
    if std::env::var_os("EACH").is_some() {
        println!("each keystroke (best of 5, ms): {keys:.1?}");
    }
    keys.sort_by(f64::total_cmp);
    let at = |q: f64| keys[((keys.len() - 1) as f64 * q).round() as usize];
    println!(
        "{} filter keystrokes: median {:.2} ms, p99 {:.2} ms, worst {:.2} ms",
        keys.len(),
        at(0.5),
        at(0.99),
        at(1.0)
    );
    Ok(())
}
