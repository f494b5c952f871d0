//! What a review of the request scheduler (per-window budget, priorities, drains beside a
//! round, `filter_properties`, archived pages, blocked connections) found. Each test states
//! what the write path promises; those that fail show where it does not yet.
//!

mod support;

use std::time::{Duration, Instant};

use fake_notion::Fault;
use hsn::domain::schema::DatabaseKey;
use hsn::notion::{ClientConfig, NotionClient, NotionId, PageParent, RateLimit};
use hsn::operations::{Advance, Operator, SendGuard, advance};
use hsn::store::OutboxState;
use hsn::sync::Engine;
use secrecy::SecretString;
use serde_json::{Value, json};

use support::writes::{
    actions, agent_read, agent_write, engine, last_seq, queue_advance, queue_task, tasks_named,
};

fn text(content: &str) -> Value {
    json!([{"text": {"content": content}}])
}

fn limited_client(base: &str, rate: RateLimit) -> NotionClient {
    let mut config = ClientConfig::new(SecretString::from(support::TOKEN));
    config.base_url = base.to_string();
    config.version = support::notion_version();
    config.rate = rate;
    config.timeout = Some(Duration::from_secs(20));
    NotionClient::new(config).unwrap()
}

/// 26 Master Tasks pages related to `instance`: its "Related Tasks" then holds more than
/// the 25 ids a page read returns, so every read of the instance completes the relation
/// with a request of its own (`complete_relations`).
async fn relate_26_tasks(ws: &support::Workspace, instance: &str) {
    for n in 0..26 {
        ws.client
            .create_page(
                PageParent::DataSource(ws.source(DatabaseKey::Tasks)),
                json!({
                    "Task ID": {"title": text(&format!("TASK-rel{n:04}"))},
                    "Related Workflow Instance": {"relation": [{"id": instance}]},
                }),
            )
            .await
            .unwrap();
    }
    let raw = ws.fake.page(instance).unwrap();
    let related = &raw["properties"]["Related Tasks"]["relation"];
    assert_eq!(
        related.as_array().map(Vec::len),
        Some(26),
        "the fake holds the 26 ids: {related}"
    );
}

fn properties_path(instance: &str) -> String {
    format!(
        "/v1/pages/{}/properties",
        NotionId::parse(instance).unwrap().as_str()
    )
}

fn instance_path(instance: &str) -> String {
    format!("/v1/pages/{}", NotionId::parse(instance).unwrap().as_str())
}

/// Reads of the instance page itself (not its property items) the fake has seen.
fn instance_reads(ws: &support::Workspace, instance: &str) -> usize {
    let path = instance_path(instance);
    ws.fake
        .requests()
        .iter()
        .filter(|r| r.method == "GET" && r.path == path)
        .count()
}

/// Rule 8: a history write reads the log and writes the merged log back to back, both
/// paid for before the read, so a blind writer can only be overwritten inside one round
/// trip. But the read of an instance with more than 25 related tasks is two requests (the
/// page, then the relation's items); the second one is not prepaid and waits at the gate.
/// Here the scheduler's own budget makes it wait: no 429 at all. An agent that writes the
/// log meanwhile loses its entry, silently (hsn's read-back checks only the entries it saw).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_history_read_and_write_are_not_separated_by_a_wait_for_the_budget() {
    let ws = support::workspace().await;
    relate_26_tasks(&ws, &ws.instance).await;
    // 6 requests per 4 s window for hsn's client; the agent has its own connection.
    let window = Duration::from_secs(4);
    // Tagged, so its requests are told from the agent's in the fake's log.
    let client = limited_client(
        &format!("{}/c/hsn", ws.base),
        RateLimit::per_window(6, window),
    );
    // Let the window of the setup requests pass (none were on this client anyway).
    let started = Instant::now();
    // One request of the window spent by something else of the process (a refresh page).
    client.me().await.unwrap();
    let reads_before = instance_reads(&ws, &ws.instance);
    let sending = {
        let client = client.clone();
        let sources = ws.sources.clone();
        let instance = ws.instance.clone();
        tokio::spawn(async move {
            // legal_moves: the instance (+ its relation items) and the workflow: 3 requests;
            // then reserve(2) for the history read and write: 6, the whole budget.
            advance(
                &client,
                &sources,
                &Operator("alice".into()),
                &Advance {
                    instance,
                    to: "consultation".into(),
                    expected_from: Some("inquiry".into()),
                    guard: SendGuard::new(|| true),
                    ..Advance::default()
                },
                chrono::Utc::now(),
            )
            .await
        })
    };
    // hsn's history read (the second read of the instance page) has gone out.
    while instance_reads(&ws, &ws.instance) < reads_before + 2 {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the history read never went"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let read_seen = Instant::now();
    // The agent writes its entry while hsn completes the relation of what it read.
    let log = agent_read(&ws.client, &ws.instance).await;
    agent_write(&ws.client, &ws.instance, log, "Lead scored").await;
    let agent_done = read_seen.elapsed();
    let advanced = sending.await.unwrap().unwrap();
    assert_eq!(advanced.to, "consultation");
    // The gap as Notion saw it: from hsn's last read of the page to its write.
    let path = instance_path(&ws.instance);
    let requests = ws.fake.requests();
    let hsn =
        |r: &&fake_notion::RequestRecord| r.client.as_deref() == Some("hsn") && r.path == path;
    let write = requests
        .iter()
        .rposition(|r| hsn(&r) && r.method == "PATCH")
        .expect("hsn wrote the page");
    let read = requests[..write]
        .iter()
        .filter(hsn)
        .rfind(|r| r.method == "GET")
        .expect("hsn read it first");
    let gap = requests[write]
        .received
        .duration_since(read.received)
        .unwrap_or_default();
    let log = actions(&ws.client, &ws.instance).await;
    assert!(
        gap < Duration::from_secs(1),
        "the read→write window of the history write was {gap:?} (the agent wrote {agent_done:?} \
         after hsn's read); the log now: {log:?}"
    );
    assert!(
        log.iter().any(|a| a.contains("Lead scored")),
        "the agent's entry, written between hsn's read and hsn's write, was overwritten: {log:?}"
    );
}

/// The same window, opened by a 429 on the relation's items (any reason; here the
/// connection's budget with Retry-After 3): the read is followed by a wait of the whole
/// Retry-After (up to MAX_RETRY_AFTER, 600 s) before the write made from it goes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_on_the_relation_items_of_the_history_read_does_not_widen_the_window() {
    let ws = support::workspace().await;
    relate_26_tasks(&ws, &ws.instance).await;
    let engine = engine(&ws, "alice").await;
    queue_advance(&engine, &ws, &ws.instance, "consultation", "alice");
    let items = properties_path(&ws.instance);
    // legal_moves' read of the instance completes its relation first: untouched.
    ws.fake
        .push_fault_for("GET", &items, Fault::Delay(Duration::from_millis(1)));
    // The history read's completion of the relation: slow down, 3 s.
    ws.fake.push_fault_for(
        "GET",
        &items,
        Fault::RateLimited {
            retry_after_secs: 3,
        },
    );
    let draining = {
        let engine = engine.clone();
        tokio::spawn(async move { engine.drain().await })
    };
    let started = Instant::now();
    while !ws.fake.requests().iter().any(|r| r.status == 429) {
        assert!(started.elapsed() < Duration::from_secs(20), "no 429 came");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let log = agent_read(&ws.client, &ws.instance).await;
    agent_write(&ws.client, &ws.instance, log, "Lead scored").await;
    let report = draining.await.unwrap().unwrap();
    assert_eq!(report.sent, 1, "{report:?}");
    let log = actions(&ws.client, &ws.instance).await;
    assert!(
        log.iter().any(|a| a.contains("Lead scored")),
        "the agent's entry, written while hsn's history write waited out a 429 between its \
         read and its write, was overwritten: {log:?}"
    );
}

/// A full refresh decides what Notion no longer has from the pages its query returned;
/// a drain running beside it (the runner's `drain_now`) confirms a new task in between.
/// The task is Notion's and has no write pending any more: `remove_missing` deletes it from
/// the store, and the dashboard loses the task it just made until a later refresh.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_confirmed_during_a_full_refresh_is_not_removed_from_the_store() {
    let ws = support::workspace().await;
    let engine = engine(&ws, "alice").await;
    engine.refresh(DatabaseKey::Tasks, false).await.unwrap();
    let task_id = queue_task(&engine, &ws.instance, "Call the client", "alice");
    let query = format!(
        "/v1/data_sources/{}/query",
        NotionId::parse(&ws.source(DatabaseKey::Tasks))
            .unwrap()
            .as_str()
    );
    // The full read itself; then the read of the archived pages, slow (a big workspace,
    // or the Background priority waiting for room in the window).
    ws.fake
        .push_fault_for("POST", &query, Fault::Delay(Duration::from_millis(1)));
    ws.fake
        .push_fault_for("POST", &query, Fault::Delay(Duration::from_secs(3)));
    let refreshing = {
        let engine = engine.clone();
        tokio::spawn(async move {
            engine
                .refresh_as(DatabaseKey::Tasks, true, hsn::notion::Priority::Background)
                .await
        })
    };
    let started = Instant::now();
    while ws
        .fake
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path == query)
        .count()
        < 2
    {
        assert!(started.elapsed() < Duration::from_secs(20));
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // The operator's new task goes out now, beside the round.
    let report = engine.drain().await.unwrap();
    assert_eq!(report.sent, 1, "{report:?}");
    let made = tasks_named(&ws, &task_id);
    assert_eq!(made.len(), 1);
    let page_id = made[0]["id"].as_str().unwrap().to_string();
    assert!(
        engine.store().record(&page_id).unwrap().is_some(),
        "confirmed: the task is in the store"
    );
    refreshing.await.unwrap().unwrap();
    assert!(
        engine.store().record(&page_id).unwrap().is_some(),
        "the full refresh that started before the task existed removed it from the store"
    );
}

/// Rule 7: a record's cached copy is Notion's copy with the queued writes replayed. A
/// refresh batch read before a write landed and stored after the drain beside it confirmed
/// the write (the runner's `drain_now`) puts the older copy back: the advance looks undone,
/// with nothing pending, until a later refresh. Here the batch is stored as the refresh's
/// `StoreQueue` stores it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refresh_batch_read_before_a_write_landed_does_not_undo_it_in_the_store() {
    let ws = support::workspace().await;
    let engine = engine(&ws, "alice").await;
    // What the refresh's query returned, before the write.
    let read_at = chrono::Utc::now().timestamp_millis();
    let stale = ws.client.retrieve_page(&ws.instance).await.unwrap();
    queue_advance(&engine, &ws, &ws.instance, "consultation", "alice");
    let report = engine.drain().await.unwrap();
    assert_eq!(report.sent, 1);
    let state = |engine: &Engine| {
        engine
            .store()
            .record(&ws.instance)
            .unwrap()
            .unwrap()
            .record
            .get::<String>("Current State")
    };
    assert_eq!(state(&engine), "consultation");
    // The refresh's batch reaches the store now.
    engine
        .store()
        .upsert_read(
            DatabaseKey::ActiveWorkflowInstances,
            &ws.source(DatabaseKey::ActiveWorkflowInstances),
            &[stale],
            read_at,
        )
        .unwrap();
    assert_eq!(
        state(&engine),
        "consultation",
        "a page read before the advance landed undid the confirmed advance in the store"
    );
}

/// A 429 `public_api_request_blocked` proves Notion saved nothing, and the connection stays
/// blocked until someone acts in Notion: the operator must be able to drop a queued create
/// then. The attempt is counted as one that may have landed, so the create cannot be
/// dropped ("may have created its task … the next drain finds out"), and no drain can find
/// out while the connection is blocked.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_create_refused_by_a_blocked_connection_can_be_dropped() {
    let ws = support::workspace().await;
    let engine = engine(&ws, "alice").await;
    let task_id = queue_task(&engine, &ws.instance, "Call the client", "alice");
    ws.fake.set_blocked(true);
    let report = engine.drain().await.unwrap();
    assert!(
        report
            .stopped_by
            .as_deref()
            .is_some_and(|s| s.contains("blocked")),
        "{report:?}"
    );
    assert!(tasks_named(&ws, &task_id).is_empty(), "nothing was created");
    let seq = last_seq(&engine);
    let entry = engine.store().write_state(seq).unwrap().unwrap();
    let dropped = engine.store().drop_write(seq);
    assert!(
        dropped.is_ok(),
        "the operator cannot drop a create Notion refused (blocked: nothing saved): {} \
         (attempts {}, may_have_landed {}, last error {:?})",
        dropped.as_ref().unwrap_err(),
        entry.attempts,
        entry.may_have_landed(),
        entry.last_error
    );
}

/// `find_page` now names hsn's columns in `filter_properties`, by name. A workspace that
/// lacks one of them (deleted or renamed in Notion; doctor says so, and everything worked
/// before) answers 400 to every lookup by title. A create whose answer was lost is looked
/// up by its Task ID before anything is sent again: the 400 makes it *refused*, and rolled
/// back, although the task exists in Notion (rules 4 and 6).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_create_that_landed_is_not_refused_because_a_column_hsn_does_not_write_is_gone() {
    let ws = support::workspace().await;
    ws.client
        .update_data_source(
            &ws.source(DatabaseKey::Tasks),
            json!({"properties": {"Tags": null}}),
        )
        .await
        .unwrap();
    let engine = engine(&ws, "alice").await;
    let task_id = queue_task(&engine, &ws.instance, "Call the client", "alice");
    // The create lands; its answer is lost.
    ws.fake
        .push_fault_for("POST", "/v1/pages", Fault::DropAfterApply);
    let first = engine.drain().await.unwrap();
    assert_eq!(first.sent, 0, "{first:?}");
    assert_eq!(tasks_named(&ws, &task_id).len(), 1, "it landed");
    let second = engine.drain().await.unwrap();
    let seq = last_seq(&engine);
    let entry = engine.store().write_state(seq).unwrap().unwrap();
    assert_ne!(
        entry.state,
        OutboxState::Failed,
        "a create that landed was refused and rolled back: {:?} (drain: {second:?})",
        entry.last_error
    );
}

/// A history write pays for its read and its write together (`reserve(2)`), and holds the
/// write's slot while the read completes its relation. With a budget of 1 a minute
/// (`NOTION_RATE_BUDGET=1`, or the old `NOTION_RATE_LIMIT=0.01`), the relation's request
/// can never go: the held slot counts as in flight, the room is 1, and "a pair larger than
/// the room goes when nothing else is out" never applies. Every later request of the
/// process waits behind it, for good.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_history_write_on_the_smallest_budget_does_not_deadlock_the_gate() {
    let ws = support::workspace().await;
    relate_26_tasks(&ws, &ws.instance).await;
    // Budget 1 per half second: the same arithmetic as 1 a minute, sixty times faster.
    let client = limited_client(
        &ws.base,
        RateLimit::per_window(1, Duration::from_millis(500)),
    );
    let sending = {
        let client = client.clone();
        let sources = ws.sources.clone();
        let instance = ws.instance.clone();
        tokio::spawn(async move {
            advance(
                &client,
                &sources,
                &Operator("alice".into()),
                &Advance {
                    instance,
                    to: "consultation".into(),
                    expected_from: Some("inquiry".into()),
                    guard: SendGuard::new(|| true),
                    ..Advance::default()
                },
                chrono::Utc::now(),
            )
            .await
        })
    };
    // About ten requests at one per half second: five seconds; give it twenty.
    tokio::time::sleep(Duration::from_secs(20)).await;
    let status = client.rate_status();
    let finished = sending.is_finished();
    // Any other request of the process meanwhile.
    let other = tokio::time::timeout(Duration::from_secs(3), client.me()).await;
    sending.abort();
    assert!(
        finished && other.is_ok(),
        "the advance never finished (and a later request waited too: {}): the gate counts \
         {} in flight or answered, of a budget of {}, for good",
        other.is_err(),
        status.spent,
        status.budget
    );
}

/// Rule 7 again, end to end: the refresh's `StoreQueue` keeps a lot in memory while the
/// lot before it is being stored and the next request is out (under the per-window budget
/// a Background request can wait up to a window for room). A drain beside the round
/// confirms an advance meanwhile; the lot, read before the advance, is stored after it and
/// puts the instance back in its old state, with nothing pending.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lot_waiting_in_the_store_queue_does_not_undo_a_write_confirmed_meanwhile() {
    let ws = support::workspace().await;
    let source = ws.source(DatabaseKey::ActiveWorkflowInstances);
    for n in 0..150 {
        ws.fake.insert_page(
            &source,
            json!({"Instance ID": {"title": text(&format!("INST-a{n:04}"))}}),
        );
    }
    let second = ws.add_instance("INST-0002", "inquiry", "").await;
    for n in 0..100 {
        ws.fake.insert_page(
            &source,
            json!({"Instance ID": {"title": text(&format!("INST-b{n:04}"))}}),
        );
    }
    let engine = engine(&ws, "alice").await;
    let query = format!(
        "/v1/data_sources/{}/query",
        NotionId::parse(&source).unwrap().as_str()
    );
    let queries = |ws: &support::Workspace| {
        ws.fake
            .requests()
            .iter()
            .filter(|r| r.method == "POST" && r.path == query)
            .count()
    };
    let before = queries(&ws);
    // Rows 1-100, 101-200 (INST-0002 is row 152), 201-252: the third answer is slow.
    ws.fake
        .push_fault_for("POST", &query, Fault::Delay(Duration::from_millis(700)));
    ws.fake
        .push_fault_for("POST", &query, Fault::Delay(Duration::from_millis(1)));
    ws.fake
        .push_fault_for("POST", &query, Fault::Delay(Duration::from_secs(4)));
    let refreshing = {
        let engine = engine.clone();
        tokio::spawn(async move {
            engine
                .refresh_as(
                    DatabaseKey::ActiveWorkflowInstances,
                    true,
                    hsn::notion::Priority::Background,
                )
                .await
        })
    };
    let started = Instant::now();
    while queries(&ws) < before + 1 {
        assert!(started.elapsed() < Duration::from_secs(20));
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    {
        // The store is busy (a big lot, a slow disk): the first lot waits for it.
        let _busy = engine.store();
        while queries(&ws) < before + 3 {
            assert!(started.elapsed() < Duration::from_secs(20));
            std::thread::sleep(Duration::from_millis(2));
        }
    }
    // The second lot (INST-0002 in "inquiry") waits in memory; the third answer is out.
    queue_advance(&engine, &ws, &second, "consultation", "alice");
    let report = engine.drain().await.unwrap();
    assert_eq!(report.sent, 1, "{report:?}");
    let state = |engine: &Engine| {
        let stored = engine.store().record(&second).unwrap().unwrap();
        (stored.record.get::<String>("Current State"), stored.pending)
    };
    assert_eq!(state(&engine), ("consultation".to_string(), 0));
    assert!(!refreshing.is_finished(), "the refresh was still running");
    refreshing.await.unwrap().unwrap();
    assert_eq!(
        state(&engine),
        ("consultation".to_string(), 0),
        "the refresh stored a copy read before the advance over the confirmed advance"
    );
}

/// Rule 2: every request that changes something in Notion first asks whether the lease is
/// still held. A create asks once, then waits at the gate (here an endpoint's 429; under
/// the per-window budget a wait of up to a window, under the workspace's limit up to
/// MAX_RETRY_AFTER) and sends without asking again. A process that stalls past its lease
/// during that wait (here: its lease made to expire, as a stall would) loses the write to
/// another process, which finds no task and creates it; then the first one's retry
/// creates it a second time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_create_that_waited_at_the_gate_asks_for_its_lease_before_it_goes() {
    let ws = support::workspace().await;
    let first = engine(&ws, "alice").await;
    let task_id = queue_task(&first, &ws.instance, "Call the client", "alice");
    let seq = last_seq(&first);
    // Another hsn process on the same store (a cron `hsn sync`).
    let second = engine(&ws, "alice").await;
    ws.fake.push_fault_for(
        "POST",
        "/v1/pages",
        Fault::RateLimitedRaw {
            retry_after: Some("6".into()),
            reason: Some("public_api_endpoint_rate_limit".into()),
        },
    );
    let draining = {
        let first = first.clone();
        tokio::spawn(async move { first.drain().await })
    };
    let started = Instant::now();
    while !ws.fake.requests().iter().any(|r| r.status == 429) {
        assert!(started.elapsed() < Duration::from_secs(20), "no 429 came");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // The first process stalls past its lease while it waits at the gate.
    let path = hsn::cli::session::store_path(&ws.dir.path().join("alice"), &ws.sources);
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute(
            "UPDATE outbox SET lease_until = 0 WHERE seq = ?1",
            rusqlite::params![seq],
        )
        .unwrap();
    let taken_over = second.drain().await.unwrap();
    assert_eq!(
        taken_over.sent, 1,
        "the second process took it over: {taken_over:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(6),
        "within the wait"
    );
    let _ = draining.await.unwrap();
    assert_eq!(
        tasks_named(&ws, &task_id).len(),
        1,
        "the task was created twice: the first process sent its create after the wait \
         without asking for the lease it had lost"
    );
}
