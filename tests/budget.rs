//! Notion's 2026 request limits against the fake, which models them: a budget per window
//! for each connection, a workspace limit shared by every connection, limits per endpoint,
//! a blocked connection, and the reason in each 429. hsn spends the budget in bursts, never
//! sends the request that would exceed it, puts writes first, and reads every 429 by its
//! reason.

mod support;

use std::time::{Duration, Instant};

use fake_notion::FakeNotion;
use hsn::domain::schema::DatabaseKey;
use hsn::notion::{ClientConfig, NotionClient, RateLimit, RateLimitReason};
use secrecy::SecretString;
use serde_json::json;

const TOKEN: &str = support::TOKEN;

fn client(base: &str, rate: RateLimit) -> NotionClient {
    support::client_with(base, rate)
}

fn rate_limited(fake: &FakeNotion) -> u64 {
    fake.rate_limited_by_reason().values().sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_budget_goes_in_a_burst_and_the_next_window_is_waited_for_without_a_429() {
    let fake = FakeNotion::new(TOKEN);
    fake.set_window_length(Duration::from_secs(2));
    fake.set_window_budget(Some(10));
    let client = client(
        &fake.start().await,
        RateLimit::per_window(10, Duration::from_secs(2)),
    );
    let started = Instant::now();
    for _ in 0..10 {
        client.me().await.unwrap();
    }
    let burst = started.elapsed();
    assert!(
        burst < Duration::from_millis(1500),
        "ten within the budget went at once ({burst:?})"
    );
    for _ in 0..15 {
        client.me().await.unwrap();
    }
    assert_eq!(rate_limited(&fake), 0, "never a 429");
    assert!(
        started.elapsed() >= Duration::from_secs(4),
        "25 requests at 10 per 2 s window need three windows"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_budget_smaller_than_believed_costs_at_most_one_429_a_window() {
    let fake = FakeNotion::new(TOKEN);
    fake.set_window_length(Duration::from_secs(2));
    fake.set_window_budget(Some(6));
    // The operator set 20, or another process spends the rest of the token's budget.
    let client = client(
        &fake.start().await,
        RateLimit::per_window(20, Duration::from_secs(2)),
    );
    let started = Instant::now();
    for _ in 0..20 {
        client.me().await.unwrap();
    }
    let windows = started.elapsed().as_secs() / 2 + 1;
    let status = client.rate_status();
    let refused = rate_limited(&fake);
    // The first 429 teaches the gate the budget; after a clean window it tries a tenth
    // more (the other process may have stopped), which may cost one 429 again.
    assert!(
        refused >= 1 && refused <= windows,
        "{refused} × 429 over {windows} windows"
    );
    assert!(
        status.budget <= 8,
        "the believed budget shrank to what Notion allows (6, plus one step back up): {}",
        status.budget
    );
    assert_eq!(
        status.limited.get("public_api_request_rate_limit").copied(),
        Some(refused)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_blocked_connection_is_never_retried() {
    let fake = FakeNotion::new(TOKEN);
    fake.set_blocked(true);
    let client = client(&fake.start().await, RateLimit::default());
    let error = client.me().await.unwrap_err();
    assert!(error.is_blocked(), "{error}");
    assert_eq!(fake.requests().len(), 1, "one request, never repeated");
    let said = error.explain("the workspace");
    assert!(said.contains("blocked"), "{said}");
    assert_eq!(
        client.rate_status().last_limited.unwrap().reason,
        RateLimitReason::Blocked
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_workspace_limit_is_waited_out_whole_and_said() {
    let fake = FakeNotion::new(TOKEN);
    fake.set_window_length(Duration::from_secs(60));
    fake.set_workspace_budget(Some(3));
    fake.set_workspace_retry_after(Some(Duration::from_secs(3)));
    let base = fake.start().await;
    // The agents' connection spent the workspace's budget.
    fake.add_token("ntn_agents_connection_token_000000000000");
    let agents = {
        let mut config = ClientConfig::new(SecretString::from(
            "ntn_agents_connection_token_000000000000",
        ));
        config.base_url = base.clone();
        NotionClient::new(config).unwrap()
    };
    for _ in 0..3 {
        agents.me().await.unwrap();
    }
    let client = client(&base, RateLimit::default());
    // The workspace window stays spent: the fake lifts the limit once we waited.
    let lift = {
        let fake = fake.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(2_500)).await;
            fake.set_workspace_budget(None);
        })
    };
    let started = Instant::now();
    client.me().await.unwrap();
    lift.await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(3),
        "the whole Retry-After was waited ({:?})",
        started.elapsed()
    );
    let status = client.rate_status();
    assert_eq!(
        status.limited.get("public_api_space_request_rate_limit"),
        Some(&1)
    );
    assert_eq!(
        status.budget, status.configured,
        "not this connection's budget"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endpoint_limit_pauses_that_endpoint_only() {
    let fake = FakeNotion::new(TOKEN);
    fake.set_window_length(Duration::from_secs(3));
    fake.set_endpoint_limit("POST", "/v1/search", Some(1));
    let client = client(&fake.start().await, RateLimit::default());
    client.search("", None).await.unwrap();
    let searching = {
        let client = client.clone();
        tokio::spawn(async move {
            let started = Instant::now();
            client.search("", None).await.unwrap();
            started.elapsed()
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    // Meanwhile every other endpoint goes on.
    let started = Instant::now();
    client.me().await.unwrap();
    assert!(started.elapsed() < Duration::from_millis(500));
    let waited = searching.await.unwrap();
    assert!(waited >= Duration::from_secs(2), "search waited {waited:?}");
    assert_eq!(
        fake.rate_limited_by_reason()
            .get("public_api_endpoint_rate_limit"),
        Some(&1)
    );
}

/// Writes first: an advance submitted while a long background refresh spends the window
/// goes out at once, from the reserve, with no 429 anywhere.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_advance_during_a_long_refresh_goes_out_at_once() {
    let ws = support::workspace().await;
    let source = ws.source(DatabaseKey::Tasks);
    for n in 0..3_000 {
        ws.fake.insert_page(
            &source,
            json!({"Task ID": {"title": [{"text": {"content": format!("TASK-{n:08x}")}}]}}),
        );
    }
    // 20 requests per 2 s window, on the fake and in hsn's client (2 kept for writes).
    ws.fake.set_window_length(Duration::from_secs(2));
    ws.fake.set_window_budget(Some(20));
    let data = tempfile::tempdir().unwrap();
    let engine = hsn::sync::Engine::new(
        hsn::store::Store::open(&data.path().join("s.sqlite")).unwrap(),
        hsn::sync::Backend::Notion {
            client: client(&ws.base, RateLimit::per_window(20, Duration::from_secs(2))),
            sources: ws.sources.clone(),
        },
    );
    for key in [
        DatabaseKey::WorkflowsLibrary,
        DatabaseKey::ActiveWorkflowInstances,
    ] {
        engine.refresh(key, false).await.unwrap();
    }
    // 31 requests for the tasks, 18 a window: a few seconds of background work.
    let refresh = {
        let engine = engine.clone();
        tokio::spawn(async move {
            engine
                .refresh_as(DatabaseKey::Tasks, true, hsn::notion::Priority::Background)
                .await
        })
    };
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    support::writes::queue_advance(&engine, &ws, &ws.instance, "consultation", "alice");
    let submitted = Instant::now();
    let report = engine.drain().await.unwrap();
    let sent_after = submitted.elapsed();
    assert_eq!(report.sent, 1);
    assert!(
        !refresh.is_finished(),
        "the refresh was still running when the advance went"
    );
    assert!(
        sent_after < Duration::from_millis(1_000),
        "the advance waited {sent_after:?} behind the refresh"
    );
    let refreshed = refresh.await.unwrap().unwrap();
    assert_eq!(refreshed.fetched, 3_000);
    assert_eq!(rate_limited(&ws.fake), 0, "no 429 anywhere");
}

/// A `Retry-After` that is no sane number of seconds never panics and never makes hsn wait
/// for ever: a huge one is clamped to `MAX_RETRY_AFTER`, a negative or NaN one is ignored
/// (the default pause), a date in the past is no wait. A reason hsn does not know is a
/// plain 429: waited for and retried. On tokio's paused clock: the waits cost nothing.
#[tokio::test(start_paused = true)]
async fn an_insane_retry_after_is_clamped_or_ignored_and_the_request_goes_through() {
    let fake = FakeNotion::new(TOKEN);
    let mut config = ClientConfig::new(SecretString::from(TOKEN));
    config.base_url = fake.start_on_thread();
    config.timeout = None;
    let client = NotionClient::new(config).unwrap();
    let max = hsn::notion::MAX_RETRY_AFTER;
    let cases = [
        ("1e30", max),
        ("18446744073709551615", max),
        ("inf", max),
        ("-5", Duration::from_secs(1)),
        ("NaN", Duration::from_secs(1)),
        ("Wed, 21 Oct 2015 07:28:00 GMT", Duration::ZERO),
        ("90", Duration::from_secs(90)),
    ];
    for (header, wait) in cases {
        fake.push_fault(fake_notion::Fault::RateLimitedRaw {
            retry_after: Some(header.to_string()),
            reason: Some("public_api_brand_new_limit".into()),
        });
        let started = tokio::time::Instant::now();
        client.me().await.unwrap();
        let waited = started.elapsed();
        assert!(
            waited >= wait && waited < wait + Duration::from_secs(2),
            "Retry-After {header:?}: waited {waited:?}, expected {wait:?}"
        );
    }
    let status = client.rate_status();
    assert_eq!(
        status.limited.get("public_api_brand_new_limit"),
        Some(&(cases.len() as u64))
    );
    assert_eq!(
        status.budget, status.configured,
        "an unknown reason shrinks nothing"
    );
}

/// A blocked connection: the advance stays queued (nothing lost), is sent once and never
/// repeated in the drain, and the drain says why it stopped. Unblocked, it goes out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_on_a_blocked_connection_stays_queued_and_says_so() {
    let ws = support::workspace().await;
    let engine = support::writes::engine(&ws, "alice").await;
    support::writes::queue_advance(&engine, &ws, &ws.instance, "consultation", "alice");
    ws.fake.set_blocked(true);
    let before = ws.fake.requests().len();
    let report = engine.drain().await.unwrap();
    assert_eq!(report.sent, 0);
    let why = report.stopped_by.expect("the drain stopped");
    assert!(why.contains("blocked"), "{why}");
    assert_eq!(
        ws.fake.requests().len() - before,
        1,
        "one request, never repeated"
    );
    assert_eq!(engine.store().unsettled_writes().unwrap().len(), 1, "kept");
    ws.fake.set_blocked(false);
    let report = engine.drain().await.unwrap();
    assert_eq!(report.sent, 1);
    assert_eq!(
        support::writes::instance(&ws, &ws.instance)
            .await
            .current_state,
        "consultation"
    );
}
