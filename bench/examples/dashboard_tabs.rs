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
    for figure in hsn_bench::tabs::figures(&hsn, &dir, runs)? {
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
