//! `cargo run --release -p hsn-bench --bin bench-report`: measures every figure of
//! BENCHMARKS.md on this machine and rewrites that file (machine, date and commit included).
//! Peers (the official JS and Python SDKs) are measured too when `bench/peers/install.sh`
//! has installed them.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use color_eyre::eyre::Result;
use fake_notion::FakeNotion;
use hsn::domain::history::{HistoryEntry, HistoryLog};
use hsn::domain::schema::DatabaseKey;
use hsn::notion::{ClientConfig, NotionClient, Page, RateLimit};
use hsn::store::{RecordFilter, Store};
use hsn::sync::{Backend, Engine};
use hsn::workspace::sources::DataSources;
use hsn_bench::{fixed_now, seed_workspace};
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
        config.rate = RateLimit {
            requests_per_second: rate,
            burst: rate.ceil() as u32,
        };
    } else {
        config.rate = RateLimit {
            requests_per_second: 1e9,
            burst: 1_000_000,
        };
    }
    NotionClient::new(config).expect("client")
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn rss_mb() -> f64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: f64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0.0);
    pages * 4096.0 / 1_048_576.0
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

fn count_status(fake: &FakeNotion, status: u16) -> usize {
    fake.requests()
        .iter()
        .filter(|r| r.status == status)
        .count()
}

#[tokio::main]
async fn main() -> Result<()> {
    color_eyre::install()?;
    // `--quick`: the fast figures only (no 100,000-record run, no rate-limited runs, no
    // peers), and BENCHMARKS.md is left alone: for trying an optimisation.
    let quick = std::env::args().any(|a| a == "--quick");
    // `--hold STORE`: load every instance record of STORE and report time and memory (run
    // as a child process by the report itself).
    let args: Vec<String> = std::env::args().collect();
    if let Some(path) = args
        .iter()
        .position(|a| a == "--hold")
        .and_then(|i| args.get(i + 1))
    {
        let started = Instant::now();
        let store = Store::open(Path::new(path))?;
        let loaded = store.records(
            DatabaseKey::ActiveWorkflowInstances,
            &RecordFilter::default(),
        )?;
        let millis = started.elapsed().as_secs_f64() * 1000.0;
        println!(
            "{}",
            json!({"records": loaded.len(), "millis": millis, "rss_mb": rss_mb()})
        );
        return Ok(());
    }
    let mut rows = Vec::new();
    let fake = FakeNotion::new(TOKEN);
    let base = fake.start_on_thread();
    println!("seeding {PAGES} instances…");
    let sources = seed_workspace(&fake, PAGES, 42, fixed_now());
    let instances = sources
        .get(DatabaseKey::ActiveWorkflowInstances)?
        .to_string();
    let raw_pages = fake.pages_in(&instances);

    // Parsing and storing, without any network.
    let mut samples = Vec::new();
    for _ in 0..3 {
        let dir = tempfile::tempdir()?;
        let started = Instant::now();
        let pages: Vec<Page> = raw_pages
            .iter()
            .map(|raw| Page::from_json(raw.clone()).expect("page"))
            .collect();
        let mut store = Store::open(&dir.path().join("s.sqlite"))?;
        store.upsert_pages(DatabaseKey::ActiveWorkflowInstances, &instances, &pages)?;
        samples.push(started.elapsed());
    }
    let per_second = PAGES as f64 / median(samples).as_secs_f64();
    row(
        &mut rows,
        "Pages parsed and stored (no network)",
        "≥ 20,000 pages/s",
        format!("{per_second:.0} pages/s"),
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

    // 100,000 records in memory.
    let big = tempfile::tempdir()?;
    {
        let fake100 = FakeNotion::new(TOKEN);
        let sources100 = seed_workspace(&fake100, 100_000, 9, fixed_now());
        let source = sources100
            .get(DatabaseKey::ActiveWorkflowInstances)?
            .to_string();
        let pages: Vec<Page> = fake100
            .pages_in(&source)
            .into_iter()
            .map(|raw| Page::from_json(raw).expect("page"))
            .collect();
        let mut store = Store::open(&big.path().join("s.sqlite"))?;
        store.upsert_pages(DatabaseKey::ActiveWorkflowInstances, &source, &pages)?;
    }
    // In a fresh process, so the memory of the generation above does not blur the figure.
    let measured = std::process::Command::new(std::env::current_exe()?)
        .arg("--hold")
        .arg(big.path().join("s.sqlite"))
        .output()?;
    let line: serde_json::Value =
        serde_json::from_slice(measured.stdout.trim_ascii()).unwrap_or_default();
    let (records, millis, rss) = (
        line["records"].as_u64().unwrap_or(0),
        line["millis"].as_f64().unwrap_or(f64::NAN),
        line["rss_mb"].as_f64().unwrap_or(f64::NAN),
    );
    row(
        &mut rows,
        "100,000 instance records loaded from the store",
        "(the dashboard's first frame ≤ 100 ms: see notes)",
        format!("{records} records in {millis:.0} ms"),
        None,
    );
    row(
        &mut rows,
        "Resident memory with 100,000 records held",
        "≤ 150 MB",
        format!("{rss:.0} MB"),
        Some(rss <= 150.0),
    );

    // The Overview tab's figures over 100,000 instances (what a change makes it redo).
    let store = Store::open(&big.path().join("s.sqlite"))?;
    let input = hsn::store::overview::load_overview_input(&store, |_| None)?;
    let rule = hsn::domain::overview::StuckRule::default();
    let mut samples = Vec::new();
    for _ in 0..7 {
        let started = Instant::now();
        std::hint::black_box(hsn::domain::overview::compute(&input, &rule, fixed_now()));
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

    // Under Notion's limit: a fresh fake enforcing 3 requests/second.
    let limited_fake = FakeNotion::new(TOKEN);
    let limited_base = limited_fake.start_on_thread();
    let limited_sources = seed_workspace(&limited_fake, PAGES, 42, fixed_now());
    let limited_source = limited_sources
        .get(DatabaseKey::ActiveWorkflowInstances)?
        .to_string();
    limited_fake.set_rate_limit(Some(3.0));
    let dir3 = tempfile::tempdir()?;
    let limited = engine(&limited_base, Some(3.0), &limited_sources, dir3.path()).await;
    let started = Instant::now();
    let done = limited
        .refresh(DatabaseKey::ActiveWorkflowInstances, true)
        .await?;
    let limited_secs = started.elapsed().as_secs_f64();
    let bound = done.requests as f64 / 3.0;
    let refused = count_status(&limited_fake, 429);
    row(
        &mut rows,
        "Full sync of 10,000 pages at 3 requests/s",
        "within 10 % of 33.3 s, zero 429",
        format!(
            "{limited_secs:.1} s for {} requests (bound {bound:.1} s), {refused} × 429",
            done.requests
        ),
        Some(limited_secs <= 33.3 * 1.1 && refused == 0),
    );

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

    write_report(&rows)?;
    Ok(())
}

fn write_report(rows: &[Row]) -> Result<()> {
    let commit = std::process::Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
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
    writeln!(text, "- Commit: {commit}")?;
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
