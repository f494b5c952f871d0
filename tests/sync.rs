//! The local store and the sync engine against the fake Notion: incremental refresh,
//! reconcile, the outbox through a dead network and through crashes, and the demo seed.

mod support;

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use chrono::Utc;
use fake_notion::FakeNotion;
use hsn::cli::session::store_path;
use hsn::domain::demo::demo_pages;
use hsn::domain::history::{HistoryLog, LogEntry};
use hsn::domain::models::{Agent, BusinessEntity, Task, Workflow, WorkflowInstance};
use hsn::domain::schema::{DATABASES, DatabaseKey, database};
use hsn::domain::workflow::StateMachine;
use hsn::domain::write::{TaskRequest, plan_advance, plan_new_task, plan_task_edit};
use hsn::store::{RecordFilter, Store};
use hsn::sync::{Backend, Engine};
use hsn::workspace::sources::DataSources;
use serde_json::{Map, Value, json};

fn tasks_schema() -> Value {
    let mut properties = Map::new();
    for column in database(DatabaseKey::Tasks).plain_columns() {
        properties.insert(column.name.into(), column.notion_config(|_| None).unwrap());
    }
    Value::Object(properties)
}

fn task(n: usize) -> Value {
    json!({
        "Task ID": {"title": [{"text": {"content": format!("TASK-{n:08x}")}}]},
        "Task Name": {"rich_text": [{"text": {"content": format!("Task number {n}")}}]},
        "Status": {"select": {"name": "To Do"}},
    })
}

#[tokio::test]
async fn incremental_refresh_reads_only_what_changed_and_reconcile_drops_the_trashed() {
    let fake = FakeNotion::new(support::TOKEN);
    let client = support::client_for(&fake.start().await);
    let (_, source) = fake.create_data_source("Master Tasks Database", tasks_schema());
    // 5,000 pages made over the past days, one a minute.
    let start = Utc::now() - chrono::Duration::days(5);
    let mut ids = Vec::new();
    for n in 0..5_000 {
        fake.set_now(Some(start + chrono::Duration::minutes(n as i64)));
        ids.push(fake.insert_page(&source, task(n)));
    }
    fake.set_now(None);
    let dir = tempfile::tempdir().unwrap();
    let sources = DataSources::from_ids([(DatabaseKey::Tasks, source.clone())]);
    let engine = Engine::new(
        Store::open(&dir.path().join("s.sqlite")).unwrap(),
        Backend::Notion {
            client: client.clone(),
            sources,
        },
    );

    let first = engine.refresh(DatabaseKey::Tasks, false).await.unwrap();
    assert!(first.full, "a data source never synced is read in full");
    assert_eq!(
        (first.fetched, first.changed, first.requests),
        (5_000, 5_000, 52),
        "the schema (for the ids of its properties), 50 queries, and one for the archived pages"
    );
    assert_eq!(engine.store().count(DatabaseKey::Tasks).unwrap(), 5_000);
    // Every query names the properties (on 2026-12-01 a query naming none gets the title
    // only): the records hold more than their title.
    let columns = database(DatabaseKey::Tasks).plain_columns().count();
    let queries: Vec<_> = fake
        .requests()
        .into_iter()
        .filter(|r| r.path.ends_with("/query"))
        .collect();
    assert!(queries.iter().all(|r| {
        r.query
            .as_deref()
            .is_some_and(|q| q.matches("filter_properties").count() == columns)
    }));
    let stored = engine.store().record(&ids[7]).unwrap().unwrap().record;
    assert_eq!(
        Task::from_record(&stored).task_name,
        "Task number 7",
        "a property beside the title came through"
    );

    for id in ids.iter().step_by(700).take(7) {
        client
            .update_page(id, json!({"Status": {"select": {"name": "Done"}}}))
            .await
            .unwrap();
    }
    let second = engine.refresh(DatabaseKey::Tasks, false).await.unwrap();
    assert!(!second.full);
    assert_eq!(second.requests, 1, "one query brings the 7 changes");
    assert_eq!(second.changed, 7);
    assert!(
        second.fetched <= 9,
        "the 7, plus what shares the watermark's minute: {}",
        second.fetched
    );
    let done = engine
        .store()
        .records(
            DatabaseKey::Tasks,
            &RecordFilter {
                status: Some("Done".into()),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(done.len(), 7);

    let nothing = engine.refresh(DatabaseKey::Tasks, false).await.unwrap();
    assert_eq!(
        (nothing.requests, nothing.changed),
        (1, 0),
        "nothing changed: one request"
    );

    client.set_page_trashed(&ids[42], true).await.unwrap();
    engine.refresh(DatabaseKey::Tasks, false).await.unwrap();
    assert!(
        engine.store().record(&ids[42]).unwrap().is_some(),
        "an incremental read cannot see the trash"
    );
    // Archived is not trashed: Notion leaves an archived page out of a query, but it is
    // not gone. A full read keeps it (found by id, marked), out of the tables.
    fake.archive_page(&ids[43], true);
    let full = engine.refresh(DatabaseKey::Tasks, true).await.unwrap();
    assert_eq!(full.removed, 1, "the trashed page only");
    assert_eq!(full.archived, 1);
    assert!(engine.store().record(&ids[42]).unwrap().is_none());
    let archived = engine.store().record(&ids[43]).unwrap().expect("kept");
    assert!(archived.archived);
    assert_eq!(engine.store().count(DatabaseKey::Tasks).unwrap(), 4_998);
    let listed = engine
        .store()
        .records(DatabaseKey::Tasks, &RecordFilter::default())
        .unwrap();
    assert!(
        !listed
            .iter()
            .any(|r| r.record.page_id.as_deref() == Some(ids[43].as_str()))
    );
    // Back from the archive: in the tables again.
    fake.archive_page(&ids[43], false);
    engine.refresh(DatabaseKey::Tasks, true).await.unwrap();
    assert!(!engine.store().record(&ids[43]).unwrap().unwrap().archived);
    assert_eq!(engine.store().count(DatabaseKey::Tasks).unwrap(), 4_999);
}

async fn engine_for(ws: &support::Workspace, dir: &std::path::Path) -> Engine {
    let store = Store::open(&store_path(dir, &ws.sources)).unwrap();
    Engine::new(
        store,
        Backend::Notion {
            client: ws.client.clone(),
            sources: ws.sources.clone(),
        },
    )
}

#[tokio::test]
async fn with_the_network_down_writes_wait_as_pending_and_go_out_when_it_is_back() {
    let ws = support::workspace().await;
    let data = tempfile::tempdir().unwrap();
    // No retries inside the client: the outbox is what must keep the write.
    let mut config = hsn::notion::ClientConfig::new(secrecy::SecretString::from(support::TOKEN));
    config.base_url = ws.base.clone();
    config.max_retries = 0;
    let client = hsn::notion::NotionClient::new(config).unwrap();
    let store = Store::open(&store_path(data.path(), &ws.sources)).unwrap();
    let engine = Engine::new(
        store,
        Backend::Notion {
            client,
            sources: ws.sources.clone(),
        },
    );
    for key in [
        DatabaseKey::ActiveWorkflowInstances,
        DatabaseKey::WorkflowsLibrary,
    ] {
        engine.refresh(key, false).await.unwrap();
    }
    let instance = engine.store().record(&ws.instance).unwrap().unwrap().record;
    let workflow = engine.store().record(&ws.workflow).unwrap().unwrap().record;
    let machine = StateMachine::from_workflow(&Workflow::from_record(&workflow)).unwrap();

    ws.fake.set_down(true);
    let (write, after) = plan_advance(
        &instance,
        &machine,
        None,
        "consultation",
        Some("offline"),
        "grace",
        Utc::now(),
    )
    .unwrap();
    let seq = engine.submit(&write, vec![after]).unwrap();
    let report = engine.drain().await.unwrap();
    assert_eq!((report.sent, report.waiting), (0, 1));
    assert!(report.stopped_by.is_some());
    let cached = engine.store().record(&ws.instance).unwrap().unwrap();
    assert_eq!(cached.pending, 1);
    assert_eq!(
        WorkflowInstance::from_record(&cached.record).current_state,
        "consultation",
        "shown at once"
    );
    assert!(
        engine
            .refresh(DatabaseKey::ActiveWorkflowInstances, false)
            .await
            .is_err()
    );

    ws.fake.set_down(false);
    let report = engine.drain().await.unwrap();
    assert_eq!((report.sent, report.waiting), (1, 0));
    assert_eq!(
        engine.store().write_state(seq).unwrap().unwrap().state,
        hsn::store::OutboxState::Done
    );
    let page = ws.client.retrieve_page(&ws.instance).await.unwrap();
    let live = WorkflowInstance::from_page(&page);
    assert_eq!(live.current_state, "consultation");
    assert_eq!(HistoryLog::decode(&live.history_log).len(), 1);
    assert_eq!(
        engine
            .store()
            .record(&ws.instance)
            .unwrap()
            .unwrap()
            .pending,
        0
    );
}

#[tokio::test]
async fn a_write_notion_refuses_is_rolled_back_with_its_reason() {
    let ws = support::workspace().await;
    let data = tempfile::tempdir().unwrap();
    let engine = engine_for(&ws, data.path()).await;
    for key in [
        DatabaseKey::ActiveWorkflowInstances,
        DatabaseKey::WorkflowsLibrary,
    ] {
        engine.refresh(key, false).await.unwrap();
    }
    let instance = engine.store().record(&ws.instance).unwrap().unwrap().record;
    let workflow = engine.store().record(&ws.workflow).unwrap().unwrap().record;
    let machine = StateMachine::from_workflow(&Workflow::from_record(&workflow)).unwrap();
    // Someone else moves it on in Notion while our write is queued.
    ws.client
        .update_page(
            &ws.instance,
            json!({"Current State": {"rich_text": [{"text": {"content": "canceled"}}]}}),
        )
        .await
        .unwrap();
    let (write, after) = plan_advance(
        &instance,
        &machine,
        None,
        "consultation",
        None,
        "grace",
        Utc::now(),
    )
    .unwrap();
    engine.submit(&write, vec![after]).unwrap();
    let report = engine.drain().await.unwrap();
    assert_eq!(report.failed.len(), 1);
    assert!(
        report.failed[0]
            .2
            .contains("is now in \"canceled\", not \"inquiry\""),
        "{:?}",
        report.failed
    );
    let cached = engine.store().record(&ws.instance).unwrap().unwrap();
    assert_eq!(cached.pending, 0);
    assert_eq!(
        WorkflowInstance::from_record(&cached.record).current_state,
        "inquiry",
        "rolled back"
    );
}

/// Queues `count` task creations spread over the workspace's instances, without sending.
async fn queue_task_creations(
    ws: &support::Workspace,
    data: &std::path::Path,
    count: usize,
) -> Vec<String> {
    let mut pages = vec![ws.instance.clone()];
    for n in 2..=5 {
        pages.push(
            ws.add_instance(&format!("INST-000{n}"), "inquiry", "")
                .await,
        );
    }
    let engine = engine_for(ws, data).await;
    engine
        .refresh(DatabaseKey::ActiveWorkflowInstances, false)
        .await
        .unwrap();
    let mut ids = Vec::new();
    for n in 0..count {
        let instance = engine
            .store()
            .record(&pages[n % pages.len()])
            .unwrap()
            .unwrap()
            .record;
        let task_id = format!("TASK-{n:08x}");
        let request = TaskRequest {
            name: format!("Crash-proof task {n}"),
            ..Default::default()
        };
        let (write, task, after) = plan_new_task(
            &instance,
            &request,
            &task_id,
            &format!("local:{task_id}"),
            "grace",
            Utc::now(),
        )
        .unwrap();
        engine.submit(&write, vec![task, after]).unwrap();
        ids.push(task_id);
    }
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_in_the_middle_of_draining_200_writes_a_restart_finishes_with_each_exactly_once() {
    // (SIGKILL, SIGTERM and SIGHUP, at many points.)
    let ws = support::workspace().await;
    let data = ws.dir.path().join("data");
    let task_ids = queue_task_creations(&ws, &data, 200).await;
    let run = || {
        ws.hsn(&data)
            .arg("sync")
            .env("NOTION_RATE_LIMIT", "5000")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap()
    };
    // Kill it at many points of the drain (SIGKILL: no chance to clean up).
    let mut kills = 0;
    for round in 0..40u64 {
        let pending = Store::open(&store_path(&data, &ws.sources))
            .unwrap()
            .unsettled_writes()
            .unwrap()
            .len();
        if pending == 0 {
            break;
        }
        let mut child = run();
        tokio::time::sleep(Duration::from_millis(40 + (round * 37) % 300)).await;
        if child.try_wait().unwrap().is_none() {
            // SIGKILL, SIGTERM and SIGHUP in turn: `hsn sync` has no handler for the last
            // two, and none of them may leave a change half-sent or sent twice.
            let signal = ["-KILL", "-TERM", "-HUP"][(round % 3) as usize];
            let pid = child.id().expect("running").to_string();
            std::process::Command::new("kill")
                .args([signal, &pid])
                .status()
                .unwrap();
            kills += 1;
        }
        let _ = child.wait().await;
    }
    assert!(kills >= 3, "the drain was interrupted {kills} times");
    let status = run().wait().await.unwrap();
    assert!(status.success());
    let store = Store::open(&store_path(&data, &ws.sources)).unwrap();
    assert!(
        store.unsettled_writes().unwrap().is_empty(),
        "the outbox is drained"
    );

    // Notion holds every task exactly once…
    let tasks = ws
        .client
        .query_data_source(&ws.source(DatabaseKey::Tasks))
        .unwrap()
        .collect_all()
        .await
        .unwrap();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for page in &tasks {
        *seen.entry(Task::from_page(page).task_id).or_default() += 1;
    }
    let duplicates: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
    assert!(duplicates.is_empty(), "duplicated: {duplicates:?}");
    let expected: HashSet<String> = task_ids.iter().cloned().collect();
    assert_eq!(
        seen.keys().cloned().collect::<HashSet<_>>(),
        expected,
        "none lost"
    );
    // …and each instance's history records each of its tasks exactly once.
    let instances = ws
        .client
        .query_data_source(&ws.source(DatabaseKey::ActiveWorkflowInstances))
        .unwrap()
        // Named: from 2026-12-01 a query naming none returns only the title.
        .filter_properties(vec!["Instance ID".into(), "History Log".into()])
        .collect_all()
        .await
        .unwrap();
    let mut entries = 0;
    for page in &instances {
        let log = HistoryLog::decode(&WorkflowInstance::from_page(page).history_log);
        let mut names = HashSet::new();
        for entry in log.entries() {
            let LogEntry::Entry(entry) = entry else {
                panic!("unreadable entry")
            };
            assert!(
                names.insert(entry.details()["task_id"].to_string()),
                "history entry twice: {}",
                entry.summary()
            );
            entries += 1;
        }
    }
    assert_eq!(entries, 200);
}

#[tokio::test]
async fn the_demo_seed_loads_into_a_fresh_store_and_every_model_parses() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("demo.sqlite")).unwrap();
    store.seed_demo(Utc::now()).unwrap();
    let expected = demo_pages(Utc::now()).unwrap();
    for (key, pages) in &expected {
        assert_eq!(
            store.count(*key).unwrap(),
            pages.len(),
            "{}",
            database(*key).title
        );
    }
    assert_eq!(expected.len(), DATABASES.len());
    let all = |key| store.records(key, &RecordFilter::default()).unwrap();
    assert!(
        all(DatabaseKey::BusinessEntities)
            .iter()
            .all(|r| !BusinessEntity::from_record(&r.record).name.is_empty())
    );
    assert_eq!(
        all(DatabaseKey::AgentRegistry)
            .iter()
            .filter(|r| !Agent::from_record(&r.record).agent_id.is_empty())
            .count(),
        9
    );
    for workflow in all(DatabaseKey::WorkflowsLibrary) {
        StateMachine::from_workflow(&Workflow::from_record(&workflow.record)).unwrap();
    }
    let instances = all(DatabaseKey::ActiveWorkflowInstances);
    assert!(instances.len() >= 40);
    for stored in &instances {
        let instance = WorkflowInstance::from_record(&stored.record);
        let log = HistoryLog::decode(&instance.history_log);
        assert!(
            log.entries()
                .iter()
                .all(|e| matches!(e, LogEntry::Entry(_))),
            "{}",
            instance.instance_id
        );
    }
    assert!(
        all(DatabaseKey::Tasks)
            .iter()
            .map(|r| Task::from_record(&r.record))
            .all(|t| t.task_id.starts_with("TASK-"))
    );
}

#[tokio::test]
async fn demo_writes_settle_locally() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("demo.sqlite")).unwrap();
    store.seed_demo(Utc::now()).unwrap();
    let engine = Engine::new(store, Backend::Local);
    let task = engine
        .store()
        .records(DatabaseKey::Tasks, &RecordFilter::default())
        .unwrap()
        .remove(0)
        .record;
    let (write, after) = plan_task_edit(
        &task,
        Some("done"),
        None,
        Some("Ruvo"),
        None,
        "alice",
        Utc::now(),
    )
    .unwrap();
    engine.submit(&write, vec![after]).unwrap();
    let report = engine.drain().await.unwrap();
    assert_eq!((report.sent, report.waiting), (1, 0));
    let stored = engine
        .store()
        .record(task.page_id.as_deref().unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(stored.pending, 0);
    let edited = Task::from_record(&stored.record);
    assert_eq!(
        (edited.status.as_deref(), edited.assigned_to.as_str()),
        (Some("Done"), "Ruvo")
    );
}

#[tokio::test]
async fn a_read_only_engine_refuses_writes_in_the_write_path_itself() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("demo.sqlite")).unwrap();
    store.seed_demo(Utc::now()).unwrap();
    let engine = Engine::new(store, Backend::Local).read_only();
    let task = engine
        .store()
        .records(DatabaseKey::Tasks, &RecordFilter::default())
        .unwrap()
        .remove(0);
    let (write, after) = plan_task_edit(
        &task.record,
        Some("Done"),
        None,
        None,
        None,
        "alice",
        Utc::now(),
    )
    .unwrap();
    let err = engine.submit(&write, vec![after]).unwrap_err();
    assert!(
        err.to_string().starts_with("read-only (--readonly"),
        "{err}"
    );
    assert!(
        engine.store().unsettled_writes().unwrap().is_empty(),
        "nothing queued"
    );
    let unchanged = engine
        .store()
        .record(task.record.page_id.as_deref().unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(
        unchanged.record.get::<Option<String>>("Status"),
        task.record.get::<Option<String>>("Status")
    );
}

/// Page ids compared without hyphens (the fake and hsn may spell them differently).
fn bare_id(id: &str) -> String {
    id.replace('-', "")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_at_random_points_of_a_2000_page_refresh_a_restart_stores_each_page_once() {
    // `hsn sync` into an empty store, SIGKILLed while it fetches and stores 2,000 tasks
    // (20 query pages, each stored in its own transaction), at points drawn from a seeded
    // RNG; then run to completion, then once more with nothing changed.
    const PAGES: usize = 2_000;
    let seed = std::env::var("HSN_CRASH_SEED")
        .ok()
        .and_then(|s| match s.strip_prefix("0x") {
            Some(hex) => u64::from_str_radix(hex, 16).ok(),
            None => s.parse().ok(),
        })
        .unwrap_or(0x5eed_0008_u64);
    let began = std::time::Instant::now();
    let ws = support::workspace().await;
    let tasks = ws.source(DatabaseKey::Tasks);
    // One a minute, ending a day ago: an incremental read (from a minute before the
    // watermark) then finds only the newest page.
    let start = Utc::now() - chrono::Duration::days(1) - chrono::Duration::minutes(PAGES as i64);
    for n in 0..PAGES {
        ws.fake
            .set_now(Some(start + chrono::Duration::minutes(n as i64)));
        ws.fake.insert_page(&tasks, task(n));
    }
    ws.fake.set_now(None);
    let seeded = began.elapsed();

    let run = |data: &std::path::Path, stdout: std::process::Stdio| {
        ws.hsn(data)
            .arg("sync")
            .env("NOTION_RATE_LIMIT", "5000")
            .stdout(stdout)
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap()
    };
    // The queries for tasks the fake has received so far (logged as they arrive).
    let tasks_queries = || {
        ws.fake
            .requests()
            .iter()
            .filter(|r| {
                r.path
                    .strip_prefix("/v1/data_sources/")
                    .and_then(|rest| rest.strip_suffix("/query"))
                    .is_some_and(|id| bare_id(id) == bare_id(&tasks))
            })
            .count()
    };
    let pages_of_tasks = PAGES.div_ceil(100);

    let data = ws.dir.path().join("data");
    let store_file = store_path(&data, &ws.sources);
    let mut rng = fastrand::Rng::with_seed(seed);
    let (mut kills, mut inside) = (0, 0);
    for _ in 0..6 {
        // Kill once the n-th page of tasks was asked for, plus a random pause: inside a
        // fetch, while a batch is stored, or between the two. (Counted in requests, not
        // time, so that a slow or loaded machine still kills inside the refresh.)
        let nth = rng.usize(1..pages_of_tasks);
        let pause = Duration::from_millis(rng.u64(0..40));
        let before = tasks_queries();
        let mut child = run(&data, std::process::Stdio::null());
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while tasks_queries() - before < nth
            && child.try_wait().unwrap().is_none()
            && std::time::Instant::now() < deadline
        {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        tokio::time::sleep(pause).await;
        if child.try_wait().unwrap().is_none() {
            child.start_kill().unwrap(); // SIGKILL
            kills += 1;
        }
        let _ = child.wait().await;
        let store = Store::open(&store_file).unwrap();
        let stored = store.count(DatabaseKey::Tasks).unwrap();
        let marked = store.sync_state(&tasks).unwrap().and_then(|s| s.watermark);
        if stored < PAGES {
            inside += 1;
            assert!(
                marked.is_none(),
                "a watermark with {stored} of {PAGES} pages stored"
            );
        }
    }
    let killed = began.elapsed();
    println!("seed {seed:#x}: {kills} of 6 runs killed, {inside} with tasks partly stored");
    assert!(kills >= 5, "only {kills} runs were killed");
    assert!(inside >= 1, "no kill landed inside the refresh of tasks");

    let finished = run(&data, std::process::Stdio::null())
        .wait()
        .await
        .unwrap();
    assert!(finished.success());
    let completed = began.elapsed();

    // The store opens, SQLite finds it sound, and it holds exactly what Notion holds.
    let connection = rusqlite::Connection::open(&store_file).unwrap();
    let integrity: String = connection
        .query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");
    drop(connection);
    let store = Store::open(&store_file).unwrap();
    for definition in &DATABASES {
        let Ok(source) = ws.sources.get(definition.key) else {
            continue;
        };
        let remote: HashSet<String> = ws
            .fake
            .pages_in(source)
            .iter()
            .map(|page| bare_id(page["id"].as_str().unwrap()))
            .collect();
        let local: Vec<String> = store
            .records(definition.key, &RecordFilter::default())
            .unwrap()
            .iter()
            .map(|stored| bare_id(stored.record.page_id.as_deref().unwrap()))
            .collect();
        assert_eq!(local.len(), remote.len(), "{}", definition.title);
        assert_eq!(
            local.into_iter().collect::<HashSet<_>>(),
            remote,
            "{}",
            definition.title
        );
    }
    assert_eq!(store.count(DatabaseKey::Tasks).unwrap(), PAGES);
    // The watermark is the newest page stored, not ahead of it.
    let newest = ws
        .fake
        .pages_in(&tasks)
        .iter()
        .map(|page| {
            page["last_edited_time"]
                .as_str()
                .unwrap()
                .parse::<chrono::DateTime<Utc>>()
                .unwrap()
        })
        .max();
    let watermark = store.sync_state(&tasks).unwrap().and_then(|s| s.watermark);
    assert_eq!(watermark, newest);
    drop(store);

    // Nothing changed: one query per data source, and nothing stored anew.
    let before = ws.fake.requests().len();
    let mut again = run(&data, std::process::Stdio::piped());
    let mut printed = String::new();
    tokio::io::AsyncReadExt::read_to_string(&mut again.stdout.take().unwrap(), &mut printed)
        .await
        .unwrap();
    assert!(again.wait().await.unwrap().success());
    let requests = ws.fake.requests().split_off(before);
    let mut queries: HashMap<String, usize> = HashMap::new();
    for request in &requests {
        if let Some(source) = request
            .path
            .strip_prefix("/v1/data_sources/")
            .and_then(|rest| rest.strip_suffix("/query"))
        {
            *queries.entry(bare_id(source)).or_default() += 1;
        }
    }
    let expected: HashMap<String, usize> = DATABASES
        .iter()
        .filter_map(|d| ws.sources.get(d.key).ok())
        .map(|source| (bare_id(source), 1))
        .collect();
    assert_eq!(queries, expected, "one query per data source");
    assert_eq!(requests.len(), expected.len(), "and no other request");
    for line in printed.lines().filter(|l| l.contains(" fetched, ")) {
        assert!(line.contains(" 0 changed"), "{line}");
    }
    println!(
        "workspace and {PAGES} pages ready at {seeded:.1?}, kills done at {killed:.1?}, the \
         refresh completed at {completed:.1?}, all checked at {:.1?}",
        began.elapsed()
    );
}
