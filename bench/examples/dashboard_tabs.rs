//! The dashboard moved through over a store of generated records: each main tab's key to
//! its first screenful (while the Overview is computed, and once it is shown), the peak
//! memory with every tab visited, and `q` to the terminal restored (also with Notion
//! unreachable and writes queued).
//!
//! `cargo build --release --bin hsn && cargo run --release -p hsn-bench --example
//! dashboard_tabs [DIR [RUNS]]` (DIR holds `demo.sqlite`, made by the `dashboard_start`
//! example; `/tmp/hsn-bench-100k` by default).
use std::path::PathBuf;

fn main() -> color_eyre::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().unwrap_or("/tmp/hsn-bench-100k".into()));
    let runs = args.next().map_or(Ok(3), |n| n.parse())?;
    let hsn = std::env::current_exe()?
        .parent()
        .and_then(|examples| examples.parent())
        .map(|release| release.join("hsn"))
        .expect("target/release");
    let (started, cpu_at_start) = (std::time::Instant::now(), hsn_bench::budget::cpu_seconds());
    let figures = hsn_bench::tabs::figures(&hsn, &dir, runs)?;
    let cpu_at_end = hsn_bench::budget::cpu_seconds();
    // What else ran on the machine meanwhile, as the report says it.
    let others = ((cpu_at_end.0 - cpu_at_start.0) - (cpu_at_end.1 - cpu_at_start.1)).max(0.0);
    let had = started.elapsed().as_secs_f64()
        * std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;
    println!(
        "other processes used {others:.0} CPU-seconds of the {had:.0} the cores had during the run ({:.0} %)",
        100.0 * others / had
    );
    for figure in figures {
        let met = match figure.ok {
            Some(true) => "met",
            Some(false) => "NOT MET",
            None => "",
        };
        println!(
            "| {} | {} | {} | {met} |",
            figure.what, figure.target, figure.measured
        );
    }
    Ok(())
}
