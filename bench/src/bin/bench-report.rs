//! `cargo run --release -p hsn-bench --bin bench-report`: measures every figure of
//! BENCHMARKS.md on this machine and rewrites that file (machine, date and commit included).
//! Peers (the official JS and Python SDKs) are measured too when `bench/peers/install.sh`
//! has installed them. `--quick`: the fast figures only; `--only log` (`hsn log --since 1d`
//! over 100,000 instances), `--only keystroke` (the table filter's keystroke), `--only
//! secrets` (the secret scan): that row alone. None of them rewrites BENCHMARKS.md.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use color_eyre::eyre::Result;
use fake_notion::FakeNotion;
use hsn::domain::history::{HistoryEntry, HistoryLog};
use hsn::domain::schema::DatabaseKey;
use hsn::notion::{ClientConfig, NotionClient, RateLimit};
use hsn::store::{RecordFilter, Store};
use hsn::sync::{Backend, Engine};
use hsn::ui::app::App;
use hsn::workspace::sources::DataSources;
use hsn_bench::{fixed_now, query_answers, seed_workspace};
use secrecy::SecretString;
use serde_json::json;

const TOKEN: &str = "bench-token";
const PAGES: usize = 10_000;

struct Row {
    what: String,
    target: String,
    measured: String,
    ok: Option<bool>,
}

fn row(rows: &mut Vec<Row>, what: &str, target: &str, measured: String, ok: Option<bool>) {
    println!("{what}: {measured}");
    rows.push(Row {
        what: what.into(),
        target: target.into(),
        measured,
        ok,
    });
}

fn client(base: &str, rate: Option<f64>) -> NotionClient {
    let mut config = ClientConfig::new(SecretString::from(TOKEN));
    config.base_url = base.to_string();
    config.timeout = Some(Duration::from_secs(120));
    if let Some(rate) = rate {
        config.rate = RateLimit::per_minute((rate * 60.0) as u32);
    } else {
        config.rate = RateLimit::unlimited();
    }
    NotionClient::new(config).expect("client")
}

/// The dashboard as an operator meets it: the real binary started in a pseudo-terminal
/// over a warm store of 100,000 instances (and of 1,000), then the Instances table's frame
/// and filter keystrokes over the same 100,000 records in-process.
fn dashboard_rows(rows: &mut Vec<Row>, hsn: &Path, big: &Path, small: &Path) -> Result<()> {
    use hsn::ui::app::Msg;
    use hsn::ui::view::count;
    let starts =
        |dir: &Path, n: usize, tab: &str| -> Result<Vec<hsn_bench::dashboard::DashboardStart>> {
            let (first, complete) = if tab == "overview" {
                let (first, complete) = hsn_bench::dashboard::OVERVIEW_SHOWN;
                (first.to_string(), complete.to_string())
            } else {
                let store = Store::open(&dir.join("demo.sqlite"))?;
                let first = store
                    .record_summaries(
                        DatabaseKey::ActiveWorkflowInstances,
                        &["Instance ID"],
                        Some(1),
                    )?
                    .remove(0)
                    .record
                    .title();
                (first, format!("{} of {}", count(n), count(n)))
            };
            // Started from a small child process: this one holds gigabytes by now, and
            // forking it costs more than the start being measured.
            let child = std::process::Command::new(std::env::current_exe()?)
                .arg("--start-dashboard")
                .args([hsn, dir])
                .args([tab, &first, &complete])
                .output()?;
            color_eyre::eyre::ensure!(
                child.status.success(),
                "the dashboard measurement failed: {}",
                String::from_utf8_lossy(&child.stderr)
            );
            String::from_utf8_lossy(&child.stdout)
                .lines()
                .map(hsn_bench::dashboard::DashboardStart::from_line)
                .collect()
        };
    let big_starts = starts(big, 100_000, "instances")?;
    let small_starts = starts(small, 1_000, "instances")?;
    let figure = |runs: &[hsn_bench::dashboard::DashboardStart],
                  of: fn(&hsn_bench::dashboard::DashboardStart) -> Duration| {
        median(runs.iter().map(of).collect()).as_secs_f64() * 1000.0
    };
    let (frame_big, frame_small) = (
        figure(&big_starts, |s| s.first_frame),
        figure(&small_starts, |s| s.first_frame),
    );
    let (rows_big, rows_small) = (
        figure(&big_starts, |s| s.first_rows),
        figure(&small_starts, |s| s.first_rows),
    );
    row(
        rows,
        "Dashboard: process start to first frame, 100,000 instances in the cache (median of 5)",
        "≤ 100 ms, ≤ 1.5 × the 1,000-record figure",
        format!(
            "{frame_big:.0} ms (1,000 records: {frame_small:.0} ms, ratio {:.2})",
            frame_big / frame_small
        ),
        Some(frame_big <= 100.0 && frame_big <= 1.5 * frame_small),
    );
    row(
        rows,
        "Dashboard: process start to the Instances table's first rows on screen",
        "O(screen): ≤ 1.5 × the 1,000-record figure",
        format!(
            "{rows_big:.0} ms (1,000 records: {rows_small:.0} ms, ratio {:.2})",
            rows_big / rows_small
        ),
        Some(rows_big <= 1.5 * rows_small),
    );
    let complete = figure(&big_starts, |s| s.complete);
    let rss = big_starts.iter().map(|s| s.rss_mb).fold(0.0_f64, f64::max);
    row(
        rows,
        "Dashboard: all 100,000 rows loaded (in the background, the screen answering)",
        "-",
        format!("{complete:.0} ms"),
        None,
    );
    row(
        rows,
        "Resident memory of the dashboard with 100,000 records open (largest of 5)",
        "≤ 150 MB",
        format!("{rss:.0} MB"),
        Some(rss <= 150.0),
    );

    // Opening on the Overview, the default tab: its figures need every instance read.
    let overview = starts(big, 100_000, "overview")?;
    let frame = figure(&overview, |s| s.first_frame);
    let shown = figure(&overview, |s| s.complete);
    let rss = overview.iter().map(|s| s.rss_mb).fold(0.0_f64, f64::max);
    row(
        rows,
        "Dashboard opening on the Overview (the default), 100,000 instances: first frame, figures on screen, memory (median of 5; largest)",
        "first frame ≤ 100 ms, ≤ 150 MB",
        format!("first frame {frame:.0} ms, figures {shown:.0} ms, {rss:.0} MB"),
        Some(frame <= 100.0 && rss <= 150.0),
    );

    // Moving through it: tab switches, the peak memory, `q` (`bench/src/tabs.rs`), from a
    // small child process too.
    match child_rows("--walk-dashboard", hsn, big) {
        Ok(figures) => rows.extend(figures),
        Err(e) => row(
            rows,
            "Dashboard: tab switches, peak memory, `q`",
            "-",
            format!("the measurement failed: {e}"),
            Some(false),
        ),
    }

    // In-process: the frame and the keystrokes, over the same 100,000 rows.
    let store = Store::open(&big.join("demo.sqlite"))?;
    let data = hsn::table::load_table(&store, DatabaseKey::ActiveWorkflowInstances, None, None)?;
    drop(store);
    let mut app = App::new(fixed_now(), true, false, hsn::ui::theme::Theme::plain());
    app.switch_tab(DatabaseKey::ActiveWorkflowInstances);
    app.take_actions();
    app.update(Msg::Table(Box::new(data.clone())));
    let frames = hsn_bench::dashboard::frame_times(&mut app, 200, 60, 200)?;
    let frame = percentile(&frames, 0.5);
    row(
        rows,
        "One frame of the Instances table at 200×60, 100,000 records (median of 200)",
        "≤ 2 ms",
        format!(
            "{frame:.2} ms (99th percentile {:.2} ms)",
            percentile(&frames, 0.99)
        ),
        Some(frame <= 2.0),
    );
    table_keystroke_row(rows, &mut app, &data)?;
    Ok(())
}

/// The table filter's keystrokes over the 100,000 instances of `data`, typed into `app`.
fn table_keystroke_row(
    rows: &mut Vec<Row>,
    app: &mut App,
    data: &hsn::table::TableData,
) -> Result<()> {
    let keystrokes = hsn_bench::dashboard::filter_keystrokes(app, data)?;
    keystroke_row(
        rows,
        &format!(
            "Filter keystroke over 100,000 records, words as substrings and ranked ({} keystrokes)",
            keystrokes.len()
        ),
        &keystrokes,
    );
    Ok(())
}

/// A row of keystroke timings (ms): their 99th percentile against the 10 ms target.
fn keystroke_row(rows: &mut Vec<Row>, what: &str, keystrokes: &[f64]) {
    let p99 = percentile(keystrokes, 0.99);
    row(
        rows,
        what,
        "≤ 10 ms at the 99th percentile",
        format!(
            "99th percentile {p99:.1} ms, median {:.1} ms, worst {:.1} ms",
            percentile(keystrokes, 0.5),
            percentile(keystrokes, 1.0)
        ),
        Some(p99 <= 10.0),
    );
}

/// The Activity tab over 100,000 instances with about 6 entries each: its first screenful
/// and memory (the binary, from a child process), its filter keystrokes (in-process).
fn activity_rows(rows: &mut Vec<Row>, hsn: &Path) -> Result<()> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("demo.sqlite");
    println!("writing 100,000 instances with busy histories…");
    hsn_bench::write_demo_store_with(&path, 100_000, 9, hsn_bench::Histories::Busy)?;
    std::fs::File::open(&path)?.sync_all()?;
    match child_rows("--walk-activity", hsn, dir.path()) {
        Ok(figures) => rows.extend(figures),
        Err(e) => row(
            rows,
            "Activity tab: first screenful, memory",
            "-",
            format!("the measurement failed: {e}"),
            Some(false),
        ),
    }
    let (index, took) = hsn_bench::activity::load(&path)?;
    let entries = hsn::ui::view::count(index.rows.len());
    row(
        rows,
        &format!(
            "Activity tab: every one of {entries} entries read from the store into its index (in the background)"
        ),
        "-",
        format!(
            "{:.0} ms; the index holds {:.0} MB ({} distinct strings)",
            took.as_secs_f64() * 1000.0,
            index.bytes() as f64 / 1_048_576.0,
            hsn::ui::view::count(index.strings.len())
        ),
        None,
    );
    let keystrokes = hsn_bench::activity::keystrokes(&index)?;
    keystroke_row(
        rows,
        &format!(
            "Activity filter keystroke over {entries} entries, words as substrings, with the per-day histogram ({} keystrokes)",
            keystrokes.len()
        ),
        &keystrokes,
    );
    Ok(())
}

/// Figures measured by a child process (`--walk-dashboard`: [`hsn_bench::tabs::figures`];
/// `--walk-activity`: [`hsn_bench::activity::figures`]), one row a line, its fields
/// separated by tabs.
fn child_rows(flag: &str, hsn: &Path, dir: &Path) -> Result<Vec<Row>> {
    let child = std::process::Command::new(std::env::current_exe()?)
        .arg(flag)
        .args([hsn, dir])
        .output()?;
    color_eyre::eyre::ensure!(
        child.status.success(),
        "{}",
        String::from_utf8_lossy(&child.stderr)
    );
    String::from_utf8_lossy(&child.stdout)
        .lines()
        .map(|line| {
            let [what, target, measured, ok] = line.split('\t').collect::<Vec<_>>()[..] else {
                return Err(color_eyre::eyre::eyre!("not a row: {line:?}"));
            };
            println!("{what}: {measured}");
            Ok(Row {
                what: what.into(),
                target: target.into(),
                measured: measured.into(),
                ok: ok.parse().ok(),
            })
        })
        .collect()
}

/// The `hsn` binary, the product's, built like it (release), next to this one.
fn build_hsn() -> Result<PathBuf> {
    let built = std::process::Command::new(std::env::var("CARGO").unwrap_or("cargo".into()))
        .args(["build", "--release", "-p", "hsn", "--bin", "hsn"])
        .status()?;
    color_eyre::eyre::ensure!(built.success(), "cannot build hsn");
    hsn_bench::budget::hsn_binary()
}

/// The `q`-th quantile (0..=1) of times in milliseconds.
fn percentile(samples: &[f64], q: f64) -> f64 {
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    let at = ((sorted.len() as f64 - 1.0) * q).round() as usize;
    sorted.get(at).copied().unwrap_or(f64::NAN)
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

/// Runs a peer script; `None` when the peer is not installed or failed.
fn peer(command: &[&str], base: &str, source: &str) -> Option<(usize, f64)> {
    let output = std::process::Command::new(command[0])
        .args(&command[1..])
        .arg(source)
        .env("NOTION_API_BASE", base)
        .env("NOTION_API_TOKEN", TOKEN)
        .output()
        .ok()?;
    if !output.status.success() {
        eprintln!(
            "peer {command:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
                .lines()
                .last()
                .unwrap_or("")
        );
        return None;
    }
    let line: serde_json::Value = serde_json::from_slice(output.stdout.trim_ascii()).ok()?;
    Some((line["pages"].as_u64()? as usize, line["seconds"].as_f64()?))
}

fn peers_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("peers")
}

async fn engine(base: &str, rate: Option<f64>, sources: &DataSources, dir: &Path) -> Engine {
    let store = Store::open(&dir.join("s.sqlite")).expect("store");
    Engine::new(
        store,
        Backend::Notion {
            client: client(base, rate),
            sources: sources.clone(),
        },
    )
}

#[tokio::main]
async fn main() -> Result<()> {
    color_eyre::install()?;
    // `--quick`: the fast figures only (no 100,000-record run, no rate-limited runs, no
    // peers), and BENCHMARKS.md is left alone: for trying an optimisation.
    let quick = std::env::args().any(|a| a == "--quick");
    // `--start-dashboard HSN DIR TAB FIRST_ROW COMPLETE`: five starts of the dashboard,
    // one line each (run as a child process by the report itself).
    let args: Vec<String> = std::env::args().collect();
    if let [_, flag, hsn, dir, tab, first, complete] = &args[..]
        && flag == "--start-dashboard"
    {
        for _ in 0..5 {
            let start = hsn_bench::dashboard::start_dashboard(
                Path::new(hsn),
                Path::new(dir),
                tab,
                first,
                complete,
            )?;
            println!("{}", start.to_line());
        }
        return Ok(());
    }
    if let [_, flag, hsn, dir] = &args[..]
        && (flag == "--walk-dashboard" || flag == "--walk-activity")
    {
        let (hsn, dir) = (Path::new(hsn), Path::new(dir));
        let figures = if flag == "--walk-dashboard" {
            hsn_bench::tabs::figures(hsn, dir, 3)?
        } else {
            hsn_bench::activity::figures(hsn, dir, 5)?
        };
        for f in figures {
            let ok = f.ok.map(|ok| ok.to_string()).unwrap_or_default();
            println!("{}\t{}\t{}\t{ok}", f.what, f.target, f.measured);
        }
        return Ok(());
    }
    if let [_, flag, hsn, dir] = &args[..]
        && flag == "--time-log"
    {
        println!(
            "{}",
            hsn_bench::log::time_runs(Path::new(hsn), Path::new(dir))?
        );
        return Ok(());
    }
    // `--only log`: the audit log's row alone, printed; BENCHMARKS.md is left alone.
    if let [_, flag, what] = &args[..]
        && flag == "--only"
        && what == "log"
    {
        let hsn = build_hsn()?;
        for f in hsn_bench::log::figures(&hsn)? {
            row(&mut Vec::new(), &f.what, &f.target, f.measured, f.ok);
        }
        return Ok(());
    }
    // `--only secrets`: the secret scan's row alone, printed.
    if let [_, flag, what] = &args[..]
        && flag == "--only"
        && what == "secrets"
    {
        for f in hsn_bench::secrets::figures()? {
            row(&mut Vec::new(), &f.what, &f.target, f.measured, f.ok);
        }
        return Ok(());
    }
    // `--only keystroke`: the table filter's keystroke row alone, printed.
    if let [_, flag, what] = &args[..]
        && flag == "--only"
        && what == "keystroke"
    {
        let big = tempfile::tempdir()?;
        hsn_bench::write_demo_store(&big.path().join("demo.sqlite"), 100_000, 9)?;
        let store = Store::open(&big.path().join("demo.sqlite"))?;
        let data =
            hsn::table::load_table(&store, DatabaseKey::ActiveWorkflowInstances, None, None)?;
        let mut app = App::new(fixed_now(), true, false, hsn::ui::theme::Theme::plain());
        app.switch_tab(DatabaseKey::ActiveWorkflowInstances);
        app.take_actions();
        table_keystroke_row(&mut Vec::new(), &mut app, &data)?;
        return Ok(());
    }
    // `--activity`: the Activity tab's rows only, printed; BENCHMARKS.md is left alone.
    if args.iter().any(|a| a == "--activity") {
        let hsn = build_hsn()?;
        let mut rows = Vec::new();
        activity_rows(&mut rows, &hsn)?;
        return Ok(());
    }
    let run_started = Instant::now();
    // What is measured: the commit and working tree as the run starts (the binaries are
    // built from them), not as it ends.
    let source = source_state();
    let cpu_at_start = hsn_bench::budget::cpu_seconds();
    let mut rows = Vec::new();
    let fake = FakeNotion::new(TOKEN);
    let base = fake.start_on_thread();
    println!("seeding {PAGES} instances…");
    let sources = seed_workspace(&fake, PAGES, 42, fixed_now());
    let instances = sources
        .get(DatabaseKey::ActiveWorkflowInstances)?
        .to_string();
    let raw_pages = fake.pages_in(&instances);

    // Parsing and storing, without any network: from the query answers' bytes to the
    // store, as a sync does it (each batch stored while the next is parsed), and also one
    // step after the other.
    let answers = query_answers(&raw_pages);
    let (mut overlapped, mut serial) = (Vec::new(), Vec::new());
    for _ in 0..3 {
        overlapped.push(hsn_bench::parse_and_store(&answers, &instances, true).await?);
        serial.push(hsn_bench::parse_and_store(&answers, &instances, false).await?);
    }
    let per_second = PAGES as f64 / median(overlapped).as_secs_f64();
    let serial = PAGES as f64 / median(serial).as_secs_f64();
    row(
        &mut rows,
        "Pages parsed and stored (no network)",
        "≥ 20,000 pages/s",
        format!(
            "{per_second:.0} pages/s as a sync runs (each batch stored while the next is parsed); {serial:.0} pages/s one after the other"
        ),
        Some(per_second >= 20_000.0),
    );

    // Fetching alone (typed pages, no store), the same work as the peers below.
    let started = Instant::now();
    let fetched = client(&base, None)
        .query_data_source(&instances)?
        .collect_all()
        .await?;
    let hsn_fetch_only = started.elapsed().as_secs_f64();
    row(
        &mut rows,
        "Fetch 10,000 pages (typed, not stored), no rate limit",
        "(compared with peers below)",
        format!("{hsn_fetch_only:.2} s for {} pages", fetched.len()),
        None,
    );

    // A full sync without a limit, over HTTP from the fake.
    let dir = tempfile::tempdir()?;
    let unlimited = engine(&base, None, &sources, dir.path()).await;
    let started = Instant::now();
    let done = unlimited
        .refresh(DatabaseKey::ActiveWorkflowInstances, true)
        .await?;
    let hsn_fetch = started.elapsed().as_secs_f64();
    row(
        &mut rows,
        "Full sync of 10,000 pages, no rate limit",
        "hsn is never the bottleneck",
        format!(
            "{hsn_fetch:.2} s ({:.0} pages/s, {} requests)",
            PAGES as f64 / hsn_fetch,
            done.requests
        ),
        None,
    );

    // Nothing changed: one request; k changed: ⌈k/100⌉ (plus the minute Notion rounds to).
    let quiet = unlimited
        .refresh(DatabaseKey::ActiveWorkflowInstances, false)
        .await?;
    row(
        &mut rows,
        "Refresh with nothing changed",
        "1 request per data source",
        format!("{} request, {} changed", quiet.requests, quiet.changed),
        Some(quiet.requests == 1),
    );
    let api = client(&base, None);
    let ids: Vec<String> = raw_pages
        .iter()
        .filter_map(|p| p["id"].as_str().map(str::to_string))
        .collect();
    for id in ids.iter().take(250) {
        api.update_page(id, json!({"Priority": {"select": {"name": "High"}}}))
            .await?;
    }
    let changed = unlimited
        .refresh(DatabaseKey::ActiveWorkflowInstances, false)
        .await?;
    row(
        &mut rows,
        "Refresh with 250 pages changed",
        "⌈250/100⌉ = 3 requests",
        format!("{} requests, {} changed", changed.requests, changed.changed),
        Some(changed.requests == 3),
    );

    // Restart: the records on hand from the cache.
    let mut samples = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        let store = Store::open(&dir.path().join("s.sqlite"))?;
        let loaded = store.records(
            DatabaseKey::ActiveWorkflowInstances,
            &RecordFilter::default(),
        )?;
        assert_eq!(loaded.len(), PAGES);
        samples.push(started.elapsed());
    }
    let from_cache = median(samples).as_secs_f64();
    row(
        &mut rows,
        "Restart: 10,000 records from the cache",
        "(compared with peers below)",
        format!("{:.0} ms", from_cache * 1000.0),
        None,
    );

    // The history codec.
    let mut log = HistoryLog::default();
    for n in 0..600 {
        log.push(HistoryEntry::transition(
            "Nyra",
            "inquiry",
            "consultation",
            Some("a note"),
            fixed_now() - chrono::Duration::minutes(600 - n),
        ));
    }
    let text = log.encode_text();
    let started = Instant::now();
    for _ in 0..100 {
        std::hint::black_box(HistoryLog::decode(&text));
    }
    row(
        &mut rows,
        "History codec: decode a 600-entry log",
        "-",
        format!("{:.2} ms", started.elapsed().as_secs_f64() * 10.0),
        None,
    );

    if quick {
        return Ok(());
    }

    // The dashboard over 100,000 instances (and 1,000, for how the start scales).
    let big = tempfile::tempdir()?;
    let small = tempfile::tempdir()?;
    hsn_bench::write_demo_store(&big.path().join("demo.sqlite"), 100_000, 9)?;
    hsn_bench::write_demo_store(&small.path().join("demo.sqlite"), 1_000, 9)?;
    // On disk before anything is timed: the kernel writing back half a gigabyte of the
    // fixture would otherwise share the cores with the runs below.
    for dir in [&big, &small] {
        std::fs::File::open(dir.path().join("demo.sqlite"))?.sync_all()?;
    }
    let hsn = build_hsn()?;
    dashboard_rows(&mut rows, &hsn, big.path(), small.path())?;
    activity_rows(&mut rows, &hsn)?;
    let big_store = big.path().join("demo.sqlite");

    // The Overview tab's figures over 100,000 instances (what a change makes it redo).
    let store = Store::open(&big_store)?;
    let index = hsn::store::overview::load_overview_index(&store, |_| None)?;
    let rule = hsn::domain::overview::StuckRule::default();
    let mut samples = Vec::new();
    for _ in 0..7 {
        let started = Instant::now();
        std::hint::black_box(hsn::domain::overview::compute(&index, &rule, fixed_now()));
        samples.push(started.elapsed());
    }
    let recompute = median(samples).as_secs_f64() * 1000.0;
    row(
        &mut rows,
        "Overview recompute over 100,000 instances",
        "< 5 ms",
        format!("{recompute:.1} ms"),
        Some(recompute < 5.0),
    );
    drop(store);

    // The secret scan over 100,000 instances (a store of its own).
    match hsn_bench::secrets::figures() {
        Ok(figures) => {
            for f in figures {
                row(&mut rows, &f.what, &f.target, f.measured, f.ok);
            }
        }
        Err(e) => row(
            &mut rows,
            "Secret scan (`hsn doctor --secrets`), 100,000 instances",
            "≤ 2000 ms",
            format!("the measurement failed: {e}"),
            Some(false),
        ),
    }

    // The audit log over 100,000 instances' histories (a store of its own).
    match hsn_bench::log::figures(&hsn) {
        Ok(figures) => {
            for f in figures {
                row(&mut rows, &f.what, &f.target, f.measured, f.ok);
            }
        }
        Err(e) => row(
            &mut rows,
            "`hsn log --since 1d`, 100,000 instances",
            "≤ 300 ms",
            format!("the measurement failed: {e}"),
            Some(false),
        ),
    }

    // Notion's budget: 180 requests per token and 60 s window (`bench/src/budget.rs`).
    {
        use hsn_bench::budget;
        let workspace = budget::Workspace {
            fake: fake.clone(),
            base: base.clone(),
            sources: sources.clone(),
            token: TOKEN.into(),
        };
        let measured = [
            (
                "`hsn query` against the JS SDK",
                budget::query_row(&hsn, &peers_dir().join("js/fetch.mjs"), &workspace)
                    .map(|f| vec![f]),
            ),
            (
                "`hsn sync --full`, 10,000 instances, budget 180/min",
                budget::sync_10k_row(&hsn).map(|f| vec![f]),
            ),
            (
                "`hsn sync --full`, 100,000 instances, budget 180/min, and an advance",
                budget::sync_100k_rows(&hsn),
            ),
            (
                "Idle dashboard, requests per minute",
                budget::idle_dashboard_row(&hsn).map(|f| vec![f]),
            ),
            (
                "Ten dashboards, a sync and advances on one token",
                budget::shared_token_row(&hsn).map(|f| vec![f]),
            ),
        ];
        for (what, figures) in measured {
            match figures {
                Ok(figures) => {
                    for f in figures {
                        row(&mut rows, &f.what, &f.target, f.measured, f.ok);
                    }
                }
                // A measurement that fails is a row that says so, not a row left out.
                Err(e) => row(
                    &mut rows,
                    what,
                    "-",
                    format!("the measurement failed: {e}"),
                    Some(false),
                ),
            }
        }
    }

    // The peers again under Notion's older limit, 3 requests/second, on a fresh fake.
    let limited_fake = FakeNotion::new(TOKEN);
    let limited_base = limited_fake.start_on_thread();
    let limited_sources = seed_workspace(&limited_fake, PAGES, 42, fixed_now());
    let limited_source = limited_sources
        .get(DatabaseKey::ActiveWorkflowInstances)?
        .to_string();

    // Peers, on the same fake and data.
    let js = peers_dir().join("js/fetch.mjs");
    let py = peers_dir().join("python/fetch.py");
    let peers: Vec<(&str, Vec<String>)> = vec![
        (
            "@notionhq/client (JS)",
            vec!["node".into(), js.display().to_string()],
        ),
        (
            "notion-client (Python)",
            vec!["python3".into(), py.display().to_string()],
        ),
    ];
    for (name, command) in &peers {
        let command: Vec<&str> = command.iter().map(String::as_str).collect();
        match peer(&command, &base, &instances) {
            Some((pages, secs)) => row(
                &mut rows,
                &format!("Peer {name}: fetch all 10,000 pages, no limit"),
                "ratio hsn / peer",
                format!(
                    "{secs:.2} s for {pages} pages; hsn fetch / peer = {:.2}; hsn fetch and store / peer = {:.2}",
                    hsn_fetch_only / secs,
                    hsn_fetch / secs
                ),
                None,
            ),
            None => row(
                &mut rows,
                &format!("Peer {name}"),
                "-",
                "not installed (run bench/peers/install.sh)".into(),
                None,
            ),
        }
        limited_fake.set_rate_limit(Some(3.0));
        match peer(&command, &limited_base, &limited_source) {
            Some((pages, secs)) => row(
                &mut rows,
                &format!("Peer {name}: all records on hand after a restart (refetch at 3 req/s)"),
                "ratio hsn (cache) / peer",
                format!(
                    "{secs:.1} s for {pages} pages; hsn from cache / peer = {:.4}",
                    from_cache / secs
                ),
                None,
            ),
            None => row(
                &mut rows,
                &format!("Peer {name} at 3 req/s"),
                "-",
                "failed (see stderr: SDKs give up after their retries)".into(),
                None,
            ),
        }
    }

    // What else ran on the machine meanwhile (another build, tests): the CPU time the
    // machine was busy beyond this process and its children.
    let cpu_at_end = hsn_bench::budget::cpu_seconds();
    let others = (cpu_at_end.0 - cpu_at_start.0) - (cpu_at_end.1 - cpu_at_start.1);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let load = format!(
        "other processes used {:.0} CPU-seconds of the {:.0} the cores had during the run ({:.0} %)",
        others.max(0.0),
        run_started.elapsed().as_secs_f64() * cores as f64,
        100.0 * others.max(0.0) / (run_started.elapsed().as_secs_f64() * cores as f64)
    );
    write_report(&rows, &source, &load, run_started.elapsed())?;
    Ok(())
}

/// The commit, and whether the working tree's sources differ from it.
fn source_state() -> String {
    let commit = std::process::Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    let changed = std::process::Command::new("git")
        .env("GIT_OPTIONAL_LOCKS", "0")
        .args([
            "status",
            "--porcelain",
            "--",
            "src",
            "Cargo.toml",
            "Cargo.lock",
        ])
        .output()
        .map(|o| !o.stdout.trim_ascii().is_empty())
        .unwrap_or(false);
    let changed = if changed {
        " (with uncommitted changes to src/)"
    } else {
        ""
    };
    format!("{commit}{changed}")
}

fn write_report(rows: &[Row], source: &str, load: &str, took: Duration) -> Result<()> {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split(':').nth(1))
        .unwrap_or("unknown")
        .trim()
        .to_string();
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let mut text = String::new();
    writeln!(text, "# hsn benchmarks\n")?;
    writeln!(
        text,
        "Measured by `cargo run --release -p hsn-bench --bin bench-report` (after `bench/peers/install.sh` for the peers); the same command rewrites this file. Detailed timings of the hot paths: `cargo bench -p hsn-bench`.\n"
    )?;
    writeln!(
        text,
        "- Date: {}",
        chrono::Utc::now().format("%Y-%m-%d %H:%M UTC")
    )?;
    writeln!(text, "- Commit: {source}")?;
    writeln!(
        text,
        "- The whole report took {:.0} min; {load}",
        took.as_secs_f64() / 60.0
    )?;
    writeln!(text, "- Machine: {cpu}, {cores} cores, release build\n")?;
    writeln!(text, "| What | Target | Measured | Met |")?;
    writeln!(text, "|---|---|---|---|")?;
    for row in rows {
        let met = match row.ok {
            Some(true) => "yes",
            Some(false) => "**no**",
            None => "",
        };
        writeln!(
            text,
            "| {} | {} | {} | {met} |",
            row.what, row.target, row.measured
        )?;
    }
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../BENCHMARKS.md");
    let notes = std::fs::read_to_string(&path)
        .ok()
        .and_then(|old| {
            old.split_once("\n## Notes")
                .map(|(_, notes)| format!("\n## Notes{notes}"))
        })
        .unwrap_or_default();
    std::fs::write(path, text + &notes)?;
    Ok(())
}
