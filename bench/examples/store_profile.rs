//! Where the time of parsing and storing pages goes (a quick split, not a benchmark).
use std::time::Instant;

use hsn::domain::record::Record;
use hsn::domain::schema::DatabaseKey;
use hsn::notion::Page;
use hsn::store::Store;

fn main() {
    let fake = fake_notion::FakeNotion::new("t");
    let sources = hsn_bench::seed_workspace(&fake, 10_000, 1, hsn_bench::fixed_now());
    let source = sources
        .get(DatabaseKey::ActiveWorkflowInstances)
        .unwrap()
        .to_string();
    let raw = fake.pages_in(&source);
    let bytes: usize = raw.iter().map(|r| r.to_string().len()).sum();
    println!("{} pages, {} KB of JSON", raw.len(), bytes / 1024);
    let copies: Vec<serde_json::Value> = raw.to_vec();
    let t = Instant::now();
    let pages: Vec<Page> = copies
        .into_iter()
        .map(|r| Page::from_json(r).unwrap())
        .collect();
    println!("Page::from_json: {:?}", t.elapsed());
    let t = Instant::now();
    let records: Vec<Record> = pages
        .iter()
        .map(|p| Record::from_page(DatabaseKey::ActiveWorkflowInstances, p))
        .collect();
    println!("Record::from_page: {:?}", t.elapsed());
    let t = Instant::now();
    let n: usize = records
        .iter()
        .map(|r| serde_json::to_string(&r.values).unwrap().len())
        .sum();
    println!("fields JSON: {:?} ({n} bytes)", t.elapsed());
    let t = Instant::now();
    let n: usize = pages.iter().map(|p| p.raw.to_string().len()).sum();
    println!("raw JSON: {:?} ({n} bytes)", t.elapsed());
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("s.sqlite")).unwrap();
    let t = Instant::now();
    store
        .upsert_pages(DatabaseKey::ActiveWorkflowInstances, &source, &pages)
        .unwrap();
    println!("upsert_pages: {:?}", t.elapsed());
}
