//! One of the request-budget rows of BENCHMARKS.md on its own, with its profile (which
//! requests, how long each, where hsn waited):
//!
//! `cargo build --release -p hsn --bin hsn && cargo run --release -p hsn-bench --example
//! budget -- ROW`, ROW one of `query`, `sync10k`, `sync100k` (with the advance), `idle`,
//! `shared` (ten dashboards, a sync and advances on one token).
use hsn_bench::budget::{self, Workspace};

fn main() -> color_eyre::Result<()> {
    color_eyre::install()?;
    let which = std::env::args().nth(1).unwrap_or_default();
    // The `hsn` of the same profile, next to the examples directory.
    let hsn = std::env::current_exe()?
        .parent()
        .and_then(|examples| examples.parent())
        .map(|dir| dir.join("hsn"))
        .ok_or_else(|| color_eyre::eyre::eyre!("no target directory"))?;
    color_eyre::eyre::ensure!(
        hsn.exists(),
        "build hsn first: cargo build --release -p hsn --bin hsn"
    );
    let figures = match which.as_str() {
        "query" => {
            let js = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("peers/js/fetch.mjs");
            vec![budget::query_row(&hsn, &js, &Workspace::seed(10_000))?]
        }
        "sync10k" => vec![budget::sync_10k_row(&hsn)?],
        "sync100k" => budget::sync_100k_rows(&hsn)?,
        "idle" => vec![budget::idle_dashboard_row(&hsn)?],
        "shared" => vec![budget::shared_token_row(&hsn)?],
        _ => color_eyre::eyre::bail!("which row? query, sync10k, sync100k, idle or shared"),
    };
    for f in figures {
        println!(
            "| {} | {} | {} | {} |",
            f.what,
            f.target,
            f.measured,
            match f.ok {
                Some(true) => "yes",
                Some(false) => "**no**",
                None => "",
            }
        );
    }
    Ok(())
}
