//! `cargo bench -p hsn-bench`: the hot paths of hsn on generated data.

use criterion::{Criterion, criterion_group, criterion_main};
use hsn::domain::history::{HistoryEntry, HistoryLog};
use hsn::domain::record::Record;
use hsn::domain::schema::DatabaseKey;
use hsn::notion::Page;
use hsn::store::{RecordFilter, Store};
use hsn_bench::{fixed_now, seed_workspace};
use serde_json::Value;

/// 10,000 instance pages in Notion's response shape, from the fake.
fn instance_pages(count: usize) -> Vec<Value> {
    let fake = fake_notion::FakeNotion::new("bench");
    let sources = seed_workspace(&fake, count, 7, fixed_now());
    let source = sources
        .get(DatabaseKey::ActiveWorkflowInstances)
        .unwrap()
        .to_string();
    fake.pages_in(&source)
}

fn parsing(c: &mut Criterion) {
    let pages = instance_pages(1_000);
    c.bench_function("parse 1,000 instance pages (Page + Record)", |b| {
        b.iter(|| {
            for raw in &pages {
                let page = Page::from_json(raw.clone()).unwrap();
                std::hint::black_box(Record::from_page(
                    DatabaseKey::ActiveWorkflowInstances,
                    &page,
                ));
            }
        })
    });
}

fn history(c: &mut Criterion) {
    let mut log = HistoryLog::default();
    for n in 0..600 {
        let at = fixed_now() - chrono::Duration::minutes(600 - n);
        log.push(HistoryEntry::transition(
            "Nyra",
            "inquiry",
            "consultation",
            Some("a note ✓"),
            at,
        ));
    }
    let text = log.encode_text();
    c.bench_function("history: decode a 600-entry log", |b| {
        b.iter(|| HistoryLog::decode(std::hint::black_box(&text)))
    });
    c.bench_function("history: encode a 600-entry log into text objects", |b| {
        b.iter(|| log.encode().unwrap())
    });
}

fn store(c: &mut Criterion) {
    let pages: Vec<Page> = instance_pages(10_000)
        .into_iter()
        .map(|raw| Page::from_json(raw).unwrap())
        .collect();
    c.bench_function("store: upsert 10,000 pages into an empty store", |b| {
        b.iter_with_setup(
            || tempfile::tempdir().unwrap(),
            |dir| {
                let mut store = Store::open(&dir.path().join("s.sqlite")).unwrap();
                store
                    .upsert_pages(DatabaseKey::ActiveWorkflowInstances, "ds", &pages)
                    .unwrap();
            },
        )
    });
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("s.sqlite")).unwrap();
    store
        .upsert_pages(DatabaseKey::ActiveWorkflowInstances, "ds", &pages)
        .unwrap();
    c.bench_function("store: load 10,000 instance records", |b| {
        b.iter(|| {
            store
                .records(
                    DatabaseKey::ActiveWorkflowInstances,
                    &RecordFilter::default(),
                )
                .unwrap()
        })
    });
}

/// The Overview recomputed over the fake's workspace of 100,000 instances: what the
/// dashboard redoes on every clock tick and change (its index is built once, at load).
fn overview(c: &mut Criterion) {
    use hsn::domain::models::{Task, Workflow, WorkflowInstance};
    use hsn::domain::overview::{
        InstanceFacts, OverviewIndex, OverviewInput, StuckRule, TaskFacts, WorkflowFacts, compute,
    };
    let fake = fake_notion::FakeNotion::new("bench");
    let sources = seed_workspace(&fake, 100_000, 7, fixed_now());
    let pages = |key: DatabaseKey| -> Vec<Page> {
        fake.pages_in(sources.get(key).unwrap())
            .into_iter()
            .map(|raw| Page::from_json(raw).unwrap())
            .collect()
    };
    let index = OverviewIndex::new(OverviewInput {
        workflows: pages(DatabaseKey::WorkflowsLibrary)
            .iter()
            .map(|p| WorkflowFacts::from_workflow(&Workflow::from_page(p)))
            .collect(),
        instances: pages(DatabaseKey::ActiveWorkflowInstances)
            .iter()
            .map(|p| InstanceFacts::from_instance(&WorkflowInstance::from_page(p)))
            .collect(),
        tasks: pages(DatabaseKey::Tasks)
            .iter()
            .map(|p| {
                let created_time = p.created_time.to_rfc3339();
                TaskFacts::from_task(&Task::from_page(p), Some(&created_time))
            })
            .collect(),
        freshness: Vec::new(),
    });
    let rule = StuckRule::default();
    c.bench_function("overview: recompute over 100,000 instances", |b| {
        b.iter(|| compute(&index, &rule, std::hint::black_box(fixed_now())))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = parsing, history, store, overview
}
criterion_main!(benches);
