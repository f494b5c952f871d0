//! Notion's 2026 request limits over real HTTP (notion-api-notes §3): per-token windows,
//! the workspace budget, endpoint limits, blocking, and what each 429 looks like.

mod common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use common::{Answer, Client, TOKEN};
use fake_notion::{
    FakeNotion, Fault, REASON_BLOCKED, REASON_ENDPOINT, REASON_TOKEN, REASON_WORKSPACE,
};
use serde_json::json;

async fn me(c: &Client) -> Answer {
    c.answer(c.request(reqwest::Method::GET, "/v1/users/me"))
        .await
}

async fn search(c: &Client) -> Answer {
    c.answer(
        c.request(reqwest::Method::POST, "/v1/search")
            .json(&json!({"query": ""})),
    )
    .await
}

/// The exact 429 of a window limit: header and body agree on the wait.
fn assert_window_429(a: &Answer, reason: &str, max_wait: u64) -> u64 {
    assert_eq!(a.status, 429);
    let wait = a.retry_after().expect("Retry-After");
    assert!((1..=max_wait).contains(&wait), "Retry-After {wait}");
    let request_id = a.headers["x-notion-request-id"].to_str().unwrap();
    assert_eq!(
        a.body,
        json!({
            "object": "error",
            "status": 429,
            "code": "rate_limited",
            "message": "You have been rate limited. Please try again later.",
            "request_id": request_id,
            "additional_data": {"rate_limit_reason": reason, "retry_after": wait.to_string()},
        })
    );
    wait
}

#[tokio::test]
async fn each_token_has_its_own_window_budget_which_resets() {
    let fake = FakeNotion::new(TOKEN);
    fake.add_token("second-token");
    fake.set_window_length(Duration::from_secs(2));
    fake.set_window_budget(Some(3));
    let a = Client::start(&fake).await;
    let b = a.as_token("second-token");

    for _ in 0..3 {
        assert_eq!(me(&a).await.status, 200);
    }
    let wait = assert_window_429(&me(&a).await, REASON_TOKEN, 2);
    // Refused requests spend nothing and do not move the reset.
    assert_window_429(&me(&a).await, REASON_TOKEN, 2);
    // Another connection of the same workspace is not affected.
    for _ in 0..3 {
        assert_eq!(me(&b).await.status, 200);
    }
    // An unknown token is still 401, and not rate limited.
    let stranger = me(&a.as_token("stranger")).await;
    assert_eq!((stranger.status, stranger.retry_after()), (401, None));

    // Waiting exactly Retry-After (rounded up) always finds a new window with a full budget.
    tokio::time::sleep(Duration::from_secs(wait)).await;
    for _ in 0..3 {
        assert_eq!(me(&a).await.status, 200);
    }
    assert_window_429(&me(&a).await, REASON_TOKEN, 2);

    let reasons: Vec<Option<String>> = fake
        .requests()
        .iter()
        .map(|r| r.rate_limit_reason.clone())
        .collect();
    assert_eq!(reasons.iter().filter(|r| r.is_some()).count(), 3);
    assert_eq!(reasons[3].as_deref(), Some(REASON_TOKEN));
    assert_eq!(
        fake.rate_limited_by_reason(),
        BTreeMap::from([(REASON_TOKEN.to_string(), 3)])
    );
}

#[tokio::test]
async fn the_workspace_budget_spans_all_tokens_and_its_wait_can_be_long() {
    let fake = FakeNotion::new(TOKEN);
    fake.add_token("agents");
    fake.set_window_budget(Some(10));
    fake.set_workspace_budget(Some(3));
    let hsn = Client::start(&fake).await;
    let agents = hsn.as_token("agents");

    assert_eq!(me(&hsn).await.status, 200);
    assert_eq!(me(&agents).await.status, 200);
    assert_eq!(me(&agents).await.status, 200);
    // hsn has spent one of its ten, yet the workspace is out.
    assert_window_429(&me(&hsn).await, REASON_WORKSPACE, 60);

    fake.set_workspace_retry_after(Some(Duration::from_millis(150_500)));
    let a = me(&hsn).await;
    assert_eq!(assert_window_429(&a, REASON_WORKSPACE, 200), 151);
    assert_eq!(
        fake.rate_limited_by_reason(),
        BTreeMap::from([(REASON_WORKSPACE.to_string(), 2)])
    );
}

#[tokio::test]
async fn an_endpoint_limit_counts_only_its_own_requests_per_token() {
    let fake = FakeNotion::new(TOKEN);
    fake.add_token("other");
    fake.set_endpoint_limit("POST", "/v1/search", Some(1));
    let c = Client::start(&fake).await;

    assert_eq!(search(&c).await.status, 200);
    assert_window_429(&search(&c).await, REASON_ENDPOINT, 60);
    // Other endpoints and other tokens are not held back.
    assert_eq!(me(&c).await.status, 200);
    assert_eq!(search(&c.as_token("other")).await.status, 200);

    fake.set_endpoint_limit("POST", "/v1/search", None);
    assert_eq!(search(&c).await.status, 200);
}

#[tokio::test]
async fn a_blocked_connection_gets_no_retry_after() {
    let fake = FakeNotion::new(TOKEN);
    let c = Client::start(&fake).await;
    fake.set_window_budget(Some(100));
    fake.set_blocked(true);
    let a = me(&c).await;
    assert_eq!(a.status, 429);
    assert!(a.headers.get("retry-after").is_none());
    let request_id = a.headers["x-notion-request-id"].to_str().unwrap();
    assert_eq!(
        a.body,
        json!({
            "object": "error",
            "status": 429,
            "code": "rate_limited",
            "message": "You have been rate limited. Please try again later.",
            "request_id": request_id,
            "additional_data": {"rate_limit_reason": "public_api_request_blocked"},
        })
    );
    fake.set_blocked(false);
    assert_eq!(me(&c).await.status, 200);
    assert_eq!(
        fake.rate_limited_by_reason(),
        BTreeMap::from([(REASON_BLOCKED.to_string(), 1)])
    );
}

#[tokio::test]
async fn limits_are_checked_in_order_and_a_refusal_is_counted_once() {
    let fake = FakeNotion::new(TOKEN);
    let c = Client::start(&fake).await;
    fake.set_window_budget(Some(1));
    fake.set_workspace_budget(Some(2));
    fake.set_endpoint_limit("*", "/v1/search", Some(1));

    assert_eq!(search(&c).await.status, 200);
    // Every limit but the workspace is spent; the endpoint is checked before the token.
    assert_window_429(&search(&c).await, REASON_ENDPOINT, 60);
    assert_window_429(&me(&c).await, REASON_TOKEN, 60);
    // Neither refusal spent workspace budget: one request is left for another token.
    fake.add_token("other");
    assert_eq!(me(&c.as_token("other")).await.status, 200);
    assert_window_429(&me(&c.as_token("other")).await, REASON_WORKSPACE, 60);
    // Blocked comes before everything.
    fake.set_blocked(true);
    let blocked = me(&c).await;
    assert_eq!(
        blocked.body["additional_data"]["rate_limit_reason"],
        REASON_BLOCKED
    );

    // A fault's 429 is counted too, under the reason its body gives.
    fake.push_fault(Fault::RateLimited {
        retry_after_secs: 7,
    });
    assert_eq!(me(&c).await.retry_after(), Some(7));
    let counts = fake.rate_limited_by_reason();
    assert_eq!(counts[REASON_ENDPOINT], 1);
    assert_eq!(counts[REASON_TOKEN], 2);
    assert_eq!(counts[REASON_WORKSPACE], 1);
    assert_eq!(counts[REASON_BLOCKED], 1);
}

#[tokio::test]
async fn the_per_second_limit_still_works_beside_the_window() {
    let fake = FakeNotion::new(TOKEN);
    let c = Client::start(&fake).await;
    fake.set_window_budget(Some(2));
    fake.set_rate_limit(Some(1.0));
    assert_eq!(me(&c).await.status, 200);
    let a = me(&c).await;
    assert_window_429(&a, REASON_TOKEN, 1);
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    // The per-second refusal spent none of the window: the second request still fits.
    assert_eq!(me(&c).await.status, 200);
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let a = me(&c).await;
    assert!(assert_window_429(&a, REASON_TOKEN, 60) > 50);
}

/// The standalone server takes the budgets and extra tokens as flags.
#[test]
fn the_binary_takes_budget_flags() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_fake-notion"))
        .args([
            "--port",
            "0",
            "--token",
            "one",
            "--extra-token",
            "two,three",
            "--budget",
            "2",
            "--workspace-budget",
            "3",
            "--window-secs",
            "30",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn fake-notion");
    // Kept open until the end: the server prints more lines after this one.
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let base = line
        .trim()
        .strip_prefix("listening on ")
        .expect("listening line")
        .to_string();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let outcome = std::panic::catch_unwind(|| {
        runtime.block_on(async {
            let http = reqwest::Client::new();
            let get = |token: &'static str| {
                http.get(format!("{base}/v1/users/me"))
                    .bearer_auth(token)
                    .header("Notion-Version", "2026-12-01")
                    .send()
            };
            let mut seen = Vec::new();
            for token in ["one", "one", "one", "two", "three", "three"] {
                let resp = get(token).await.unwrap();
                let status = resp.status().as_u16();
                let body: serde_json::Value = resp.json().await.unwrap();
                seen.push((status, body["additional_data"]["rate_limit_reason"].clone()));
            }
            assert_eq!(
                seen,
                [
                    (200, json!(null)),
                    (200, json!(null)),
                    (429, json!(REASON_TOKEN)),
                    (200, json!(null)),
                    (429, json!(REASON_WORKSPACE)),
                    (429, json!(REASON_WORKSPACE)),
                ]
            );
            let wait: u64 = get("three").await.unwrap().headers()["retry-after"]
                .to_str()
                .unwrap()
                .parse()
                .unwrap();
            assert!((25..=30).contains(&wait), "Retry-After {wait}");
        })
    });
    let _ = child.kill();
    let _ = child.wait();
    drop(stdout);
    outcome.unwrap();
}
