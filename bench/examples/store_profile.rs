//! Where the time of parsing and storing pages goes (a quick split, not a benchmark).
//!
//! The input is what a sync receives: the answers to a query, 100 pages each, as bytes.
//! Each step prints its wall-clock time and the CPU time of this thread (steadier on a
//! shared machine).
use std::time::{Duration, Instant};

use hsn::domain::record::Record;
use hsn::domain::schema::DatabaseKey;
use hsn::notion::{ListPage, Page};
use hsn::store::Store;
use hsn_bench::query_answers;
use serde_json::value::RawValue;

/// CPU time of this thread so far.
fn cpu() -> Duration {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").unwrap_or_default();
    let nanos = text.split_whitespace().next().and_then(|n| n.parse().ok());
    Duration::from_nanos(nanos.unwrap_or(0))
}

struct Clock(Instant, Duration);

impl Clock {
    fn start() -> Clock {
        Clock(Instant::now(), cpu())
    }
}

impl std::fmt::Display for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let wall = self.0.elapsed().as_secs_f64() * 1000.0;
        let cpu = (cpu() - self.1).as_secs_f64() * 1000.0;
        write!(f, "{wall:.0} ms ({cpu:.0} ms of CPU)")
    }
}

/// CPU time of the whole process so far (every thread, 10 ms ticks).
fn process_cpu() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let ticks: u64 = after_name
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|t| t.parse::<u64>().ok())
        .sum();
    Duration::from_millis(ticks * 10)
}

/// `hsn_bench::parse_and_store` (the engine's pipeline, or one step after the other),
/// with the CPU time of every thread.
fn parse_and_store(
    runtime: &tokio::runtime::Runtime,
    bodies: &[Vec<u8>],
    source: &str,
    overlap: bool,
) {
    let cpu = process_cpu();
    let wall = runtime
        .block_on(hsn_bench::parse_and_store(bodies, source, overlap))
        .unwrap()
        .as_secs_f64();
    let cpu = (process_cpu() - cpu).as_secs_f64();
    println!(
        "parse and store, {}: {:.0} ms, {:.0} pages/s ({:.0} ms of CPU)",
        if overlap {
            "overlapped"
        } else {
            "one after the other"
        },
        wall * 1000.0,
        bodies.len() as f64 * 100.0 / wall,
        cpu * 1000.0
    );
}

fn split(bodies: &[Vec<u8>]) -> Vec<Box<RawValue>> {
    bodies
        .iter()
        .flat_map(|b| {
            serde_json::from_slice::<ListPage<Box<RawValue>>>(b)
                .unwrap()
                .results
        })
        .collect()
}

fn main() {
    let fake = fake_notion::FakeNotion::new("t");
    let sources = hsn_bench::seed_workspace(&fake, 10_000, 1, hsn_bench::fixed_now());
    let source = sources
        .get(DatabaseKey::ActiveWorkflowInstances)
        .unwrap()
        .to_string();
    let bodies = query_answers(&fake.pages_in(&source));
    let bytes: usize = bodies.iter().map(Vec::len).sum();
    println!("{} answers, {} KB of JSON", bodies.len(), bytes / 1024);
    // Once untimed: the first run also pays for the process's first touch of its memory.
    drop(split(&bodies));

    let t = Clock::start();
    let raw = split(&bodies);
    println!("answers split into pages' raw JSON: {t}");
    let t = Clock::start();
    let pages: Vec<Page> = raw
        .into_iter()
        .map(|r| Page::from_listed(r).unwrap().unwrap())
        .collect();
    println!("Page::from_listed: {t} ({} pages)", pages.len());
    let t = Clock::start();
    let records: Vec<Record> = pages
        .iter()
        .map(|p| Record::from_page(DatabaseKey::ActiveWorkflowInstances, p))
        .collect();
    println!("Record::from_page: {t}");
    let t = Clock::start();
    let n: usize = records
        .iter()
        .map(|r| serde_json::to_string(&r.values).unwrap().len())
        .sum();
    println!("fields JSON: {t} ({n} bytes)");
    let n: usize = pages.iter().map(|p| p.raw.get().len()).sum();
    println!("raw JSON: kept as sent ({n} bytes)");

    // A sync stores one answer to a transaction, or up to ten when the store falls behind.
    for batch in [100, 1_000, 10_000] {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("s.sqlite")).unwrap();
        let t = Clock::start();
        for chunk in pages.chunks(batch) {
            store
                .upsert_pages(DatabaseKey::ActiveWorkflowInstances, &source, chunk)
                .unwrap();
        }
        println!("upsert_pages, {batch} pages a transaction: {t}");
    }
    drop((records, pages));
    let runtime = tokio::runtime::Runtime::new().unwrap();
    for _ in 0..3 {
        parse_and_store(&runtime, &bodies, &source, true);
        parse_and_store(&runtime, &bodies, &source, false);
    }
}
