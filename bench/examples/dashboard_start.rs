//! The real `hsn` started in a pseudo-terminal over a store of generated records: time to
//! first frame, to the first rows, to every row loaded, and its memory then.
//!
//! `cargo build --release --bin hsn && cargo run --release -p hsn-bench --example
//! dashboard_start [DIR [TAB [N]]]` (DIR holds `demo.sqlite`, made on the first run with N
//! instances, 100,000 by default; DIR defaults to `/tmp/hsn-bench-100k`).
use std::path::PathBuf;

use hsn::domain::schema::DatabaseKey;
use hsn::store::Store;
use hsn_bench::dashboard::start_dashboard;

fn main() -> color_eyre::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().unwrap_or("/tmp/hsn-bench-100k".into()));
    let tab = args.next().unwrap_or("instances".into());
    let path = dir.join("demo.sqlite");
    if !path.exists() {
        let n = args.next().map_or(Ok(100_000), |n| n.parse())?;
        hsn_bench::write_demo_store(&path, n, 9)?;
        println!(
            "wrote {n} instances to {}: run again to measure",
            path.display()
        );
        return Ok(());
    }
    let store = Store::open(&path)?;
    let key = DatabaseKey::ActiveWorkflowInstances;
    let first = store
        .record_summaries(key, &["Instance ID"], Some(1))?
        .remove(0)
        .record
        .title();
    let n = hsn::ui::view::count(store.count(key)?);
    drop(store);
    let hsn = std::env::current_exe()?
        .parent()
        .and_then(|examples| examples.parent())
        .map(|release| release.join("hsn"))
        .expect("target/release");
    // On the Overview the rows never show: wait for its figures instead.
    let (first, complete) = if tab == "overview" {
        let (first, complete) = hsn_bench::dashboard::OVERVIEW_SHOWN;
        (first.to_string(), complete.to_string())
    } else {
        (first, format!("{n} of {n}"))
    };
    for _ in 0..3 {
        println!(
            "{:?}",
            start_dashboard(&hsn, &dir, &tab, &first, &complete)?
        );
    }
    Ok(())
}
