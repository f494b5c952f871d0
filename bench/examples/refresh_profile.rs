//! Where the time of a full refresh of 10,000 pages goes (a quick split, not a benchmark).
use std::time::{Duration, Instant};

use hsn::domain::schema::DatabaseKey;
use hsn::notion::{ClientConfig, NotionClient, RateLimit};
use hsn::store::Store;
use hsn::sync::{Backend, Engine};

#[tokio::main]
async fn main() {
    let fake = fake_notion::FakeNotion::new("t");
    let base = fake.start_on_thread();
    let sources = hsn_bench::seed_workspace(&fake, 10_000, 1, hsn_bench::fixed_now());
    let mut config = ClientConfig::new(secrecy::SecretString::from("t"));
    config.base_url = base;
    config.rate = RateLimit::unlimited();
    config.timeout = Some(Duration::from_secs(60));
    let client = NotionClient::new(config).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::new(
        Store::open(&dir.path().join("s.sqlite")).unwrap(),
        Backend::Notion { client, sources },
    );
    let t = Instant::now();
    let done = engine
        .refresh(DatabaseKey::ActiveWorkflowInstances, true)
        .await
        .unwrap();
    println!(
        "refresh: {:?} ({} pages, {} requests)",
        t.elapsed(),
        done.fetched,
        done.requests
    );
}
