//! The dashboard's background runner against the fake Notion: an idle dashboard costs about
//! one request a round (one search says nothing changed), a change made in Notion is read
//! within a round or two, and a write is sent in the middle of a long round.

mod support;

use std::time::Duration;

use chrono::Utc;
use fake_notion::FakeNotion;
use hsn::domain::schema::{DatabaseKey, database};
use hsn::store::Store;
use hsn::sync::{Backend, Command, Engine, Event};
use hsn::workspace::sources::DataSources;
use serde_json::{Map, Value, json};
use tokio::sync::mpsc;

/// The request budget per round of an idle dashboard, at most (one search, and now and
/// then what is on screen or stale).
const IDLE_PER_ROUND: f64 = 1.5;

fn plain_schema(key: DatabaseKey) -> Value {
    let mut properties = Map::new();
    for column in database(key).plain_columns() {
        properties.insert(column.name.into(), column.notion_config(|_| None).unwrap());
    }
    Value::Object(properties)
}

/// Three data sources with pages last edited an hour ago.
fn workspace() -> (FakeNotion, DataSources, Vec<String>) {
    let fake = FakeNotion::new(support::TOKEN);
    fake.set_now(Some(Utc::now() - chrono::Duration::hours(1)));
    let mut ids = Vec::new();
    let mut tasks_pages = Vec::new();
    for key in [
        DatabaseKey::Tasks,
        DatabaseKey::ContactsProfiles,
        DatabaseKey::AgentRegistry,
    ] {
        let definition = database(key);
        let (_, source) = fake.create_data_source(definition.title, plain_schema(key));
        for n in 0..30 {
            let page = fake.insert_page(
                &source,
                json!({definition.title_column().name: {"title": [{"text": {"content": format!("{} {n}", definition.alias)}}]}}),
            );
            if key == DatabaseKey::Tasks {
                tasks_pages.push(page);
            }
        }
        ids.push((key, source));
    }
    fake.set_now(None);
    (fake, DataSources::from_ids(ids), tasks_pages)
}

fn queries_to(fake: &FakeNotion, source: &str, from: usize) -> usize {
    fake.requests()[from..]
        .iter()
        .filter(|r| r.path == format!("/v1/data_sources/{source}/query"))
        .count()
}

/// Waits for `rounds` rounds of the runner (one `Refreshed`-free round still searches: a
/// round is counted by its search request).
async fn rounds(fake: &FakeNotion, from: usize, rounds: usize) {
    tokio::time::timeout(Duration::from_secs(60), async {
        loop {
            let searches = fake.requests()[from..]
                .iter()
                .filter(|r| r.path == "/v1/search")
                .count();
            if searches >= rounds {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("the runner went round");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_runner_asks_once_a_round_and_reads_a_change_within_two() {
    let (fake, sources, tasks_pages) = workspace();
    let client = support::client_for(&fake.start().await);
    let data = tempfile::tempdir().unwrap();
    let engine = Engine::new(
        Store::open(&data.path().join("s.sqlite")).unwrap(),
        Backend::Notion {
            client: client.clone(),
            sources: sources.clone(),
        },
    );
    let mut events = engine.subscribe();
    let (commands, rx) = mpsc::channel(8);
    let runner = tokio::spawn(hsn::sync::run(
        engine.clone(),
        rx,
        Duration::from_millis(150),
        0,
    ));
    commands
        .send(Command::Showing(vec![DatabaseKey::Tasks]))
        .await
        .unwrap();
    // The first round reads everything.
    let mut first = std::collections::HashSet::new();
    while first.len() < 3 {
        if let Ok(Event::Refreshed { database, .. }) = events.recv().await {
            first.insert(database);
        }
    }
    let from = fake.requests().len();
    // Twelve rounds: short of the twentieth, when every data source is read anyway.
    rounds(&fake, from, 12).await;
    let idle = fake.requests()[from..].to_vec();
    let searches = idle.iter().filter(|r| r.path == "/v1/search").count();
    let per_round = idle.len() as f64 / searches as f64;
    assert!(
        per_round <= IDLE_PER_ROUND,
        "{} requests in {searches} idle rounds: {:?}",
        idle.len(),
        idle.iter().map(|r| r.path.clone()).collect::<Vec<_>>()
    );
    assert!(
        idle.iter().all(|r| r.status < 400),
        "no error, no 429 while idle"
    );

    // An agent edits a task in Notion: the next rounds read the Tasks data source.
    let tasks = sources.get(DatabaseKey::Tasks).unwrap().to_string();
    let contacts = sources
        .get(DatabaseKey::ContactsProfiles)
        .unwrap()
        .to_string();
    let from = fake.requests().len();
    client
        .update_page(
            &tasks_pages[3],
            json!({"Task Name": {"rich_text": [{"text": {"content": "Edited by an agent"}}]}}),
        )
        .await
        .unwrap();
    rounds(&fake, from, 2).await;
    assert!(
        queries_to(&fake, &tasks, from) >= 1,
        "the changed data source was read"
    );
    assert_eq!(
        queries_to(&fake, &contacts, from),
        0,
        "the unchanged ones were not"
    );
    let stored = engine.store().record(&tasks_pages[3]).unwrap().unwrap();
    assert!(
        matches!(
            stored.record.value("Task Name"),
            Some(hsn::domain::record::FieldValue::Text(name)) if name == "Edited by an agent"
        ),
        "{:?}",
        stored.record.value("Task Name")
    );
    commands.send(Command::Shutdown).await.unwrap();
    runner.await.unwrap();

    // The dashboard opened again on the same store: its first round asks what changed
    // (nothing), instead of reading every data source again.
    drop(engine);
    let engine = Engine::new(
        Store::open(&data.path().join("s.sqlite")).unwrap(),
        Backend::Notion {
            client: client.clone(),
            sources: sources.clone(),
        },
    );
    let from = fake.requests().len();
    let (commands, rx) = mpsc::channel(8);
    let runner = tokio::spawn(hsn::sync::run(engine, rx, Duration::from_millis(150), 0));
    rounds(&fake, from, 3).await;
    let read: std::collections::HashSet<String> = fake.requests()[from..]
        .iter()
        .filter(|r| r.path.ends_with("/query"))
        .map(|r| r.path.clone())
        .collect();
    // Only the Tasks may be read again: edited less than a minute and a half ago, a second
    // edit in the same minute would have the same time.
    let tasks_path = format!("/v1/data_sources/{tasks}/query");
    assert!(
        read.iter().all(|path| *path == tasks_path),
        "a warm start read {read:?}"
    );
    commands.send(Command::Shutdown).await.unwrap();
    runner.await.unwrap();
}

/// A write queued while a long round runs is sent at once, beside the round, not after it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_goes_out_in_the_middle_of_a_long_round() {
    let ws = support::workspace().await;
    let tasks = ws.source(DatabaseKey::Tasks);
    for n in 0..5_000 {
        ws.fake.insert_page(
            &tasks,
            json!({"Task ID": {"title": [{"text": {"content": format!("TASK-{n:08x}")}}]}}),
        );
    }
    // 20 requests per 2 s, on the fake and in hsn's client: reading 5,000 tasks (51
    // requests) takes three windows.
    ws.fake.set_window_length(Duration::from_secs(2));
    ws.fake.set_window_budget(Some(20));
    let client = support::client_with(
        &ws.base,
        hsn::notion::RateLimit::per_window(20, Duration::from_secs(2)),
    );
    let engine = support::writes::engine_with(&ws, "alice", client).await;
    let mut events = engine.subscribe();
    let (commands, rx) = mpsc::channel(8);
    let runner = tokio::spawn(hsn::sync::run(
        engine.clone(),
        rx,
        Duration::from_secs(3600),
        0,
    ));
    // Wait until the round is reading the tasks.
    loop {
        if let Ok(Event::SyncProgress {
            database: DatabaseKey::Tasks,
            ..
        }) = events.recv().await
        {
            break;
        }
    }
    support::writes::queue_advance(&engine, &ws, &ws.instance, "consultation", "alice");
    let queued = std::time::SystemTime::now();
    commands.send(Command::Drain).await.unwrap();
    let sent = tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            if let Some(patch) = ws
                .fake
                .requests()
                .into_iter()
                .find(|r| r.method == "PATCH" && r.received > queued)
            {
                return patch.received;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .expect("the advance was sent");
    let waited = sent.duration_since(queued).unwrap();
    // At most one window (the advance's reads beside its prepaid pair may exceed the
    // reserve of 2), never the round's five.
    assert!(
        waited < Duration::from_millis(2_500),
        "the advance waited {waited:?} for the round"
    );
    // The round was still reading when it went: the tasks are read in full after it.
    let refreshed = tokio::time::timeout(Duration::from_secs(60), async {
        loop {
            if let Ok(Event::Refreshed {
                database: DatabaseKey::Tasks,
                ..
            }) = events.recv().await
            {
                return std::time::SystemTime::now();
            }
        }
    })
    .await
    .expect("the round ended");
    assert!(refreshed > sent, "the round went on after the write");
    assert_eq!(
        ws.fake.rate_limited_by_reason().values().sum::<u64>(),
        0,
        "no 429"
    );
    commands.send(Command::Shutdown).await.unwrap();
    runner.await.unwrap();
}
