use super::*;

const ANY: &str = "GET /users/me";

/// Sends one request through the gate and answers it at once.
async fn one(gate: &RateGate, priority: Priority, endpoint: &str) {
    let budget = gate.acquire(priority, endpoint, 1).await;
    drop(budget.spend().expect("paid for"));
}

#[tokio::test(start_paused = true)]
async fn the_whole_budget_goes_in_one_burst_then_the_window_is_waited_out() {
    let gate = RateGate::new(RateLimit::per_minute(10));
    let start = Instant::now();
    for _ in 0..10 {
        one(&gate, Priority::Interactive, ANY).await;
    }
    assert!(start.elapsed() < MIN_WAIT, "ten at once");
    assert_eq!(gate.status().spent, 10);
    one(&gate, Priority::Interactive, ANY).await;
    let waited = start.elapsed();
    assert!(
        (Duration::from_secs(60)..Duration::from_millis(60_010)).contains(&waited),
        "the eleventh went when the first left the window, after {waited:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_request_in_flight_holds_its_room_until_answered() {
    let gate = RateGate::new(RateLimit::per_window(MIN_BUDGET, Duration::from_secs(10)));
    let slow = gate.acquire(Priority::Interactive, ANY, MIN_BUDGET).await;
    let tickets: Vec<Ticket> = (0..MIN_BUDGET).map(|_| slow.spend().unwrap()).collect();
    // Answered 30 s later: their window starts then, not when they left.
    let answer = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(30)).await;
        drop(tickets);
    });
    let start = Instant::now();
    one(&gate, Priority::Interactive, ANY).await;
    let waited = start.elapsed();
    answer.await.unwrap();
    assert!(
        (Duration::from_secs(40)..Duration::from_millis(40_010)).contains(&waited),
        "waited {waited:?}: the answers' time plus the window"
    );
}

#[tokio::test(start_paused = true)]
async fn background_work_leaves_the_reserve_to_the_operator() {
    let limit = RateLimit::per_minute(20);
    assert_eq!(limit.reserve, 2);
    let gate = Arc::new(RateGate::new(limit));
    for _ in 0..18 {
        one(&gate, Priority::Background, ANY).await;
    }
    // Background work now waits for the window...
    let background = {
        let gate = Arc::clone(&gate);
        tokio::spawn(async move {
            let start = Instant::now();
            one(&gate, Priority::Background, ANY).await;
            start.elapsed()
        })
    };
    tokio::task::yield_now().await;
    // ...and an advance (a read and a write) goes at once.
    let start = Instant::now();
    let pair = gate
        .acquire(Priority::Interactive, "PATCH /pages/{id}", 2)
        .await;
    assert!(start.elapsed() < MIN_WAIT, "the write did not wait");
    drop(pair.spend());
    drop(pair.spend());
    assert!(background.await.unwrap() >= Duration::from_secs(59));
}

#[tokio::test(start_paused = true)]
async fn an_unspent_budget_is_given_back() {
    let gate = RateGate::new(RateLimit::per_minute(4));
    let budget = gate.acquire(Priority::Interactive, ANY, 4).await;
    drop(budget.spend());
    drop(budget);
    assert_eq!(gate.status().spent, 1, "three never sent, three free");
    let start = Instant::now();
    for _ in 0..3 {
        one(&gate, Priority::Interactive, ANY).await;
    }
    assert!(start.elapsed() < MIN_WAIT);
}

#[tokio::test(start_paused = true)]
async fn a_429_on_our_budget_waits_its_retry_after_and_believes_notion() {
    let gate = RateGate::new(RateLimit::per_minute(100));
    for _ in 0..30 {
        one(&gate, Priority::Interactive, ANY).await;
    }
    // Another process on the same token spent the rest: Notion refuses the 31st.
    let wait = gate.limited(
        &RateLimitReason::Connection,
        Some(Duration::from_secs(20)),
        ANY,
    );
    assert_eq!(wait, Duration::from_secs(20));
    let status = gate.status();
    assert_eq!(
        status.budget, 29,
        "believes what was spent, less the refused one"
    );
    assert_eq!(status.configured, 100);
    assert_eq!(
        status.limited.get("public_api_request_rate_limit"),
        Some(&1)
    );
    let start = Instant::now();
    one(&gate, Priority::Interactive, ANY).await;
    let waited = start.elapsed();
    assert!(
        waited >= Duration::from_secs(40),
        "waited {waited:?}: the Retry-After, then room in our own window of 29"
    );
    // A window later without another 429, a tenth of the budget is believed again.
    tokio::time::sleep(Duration::from_secs(61)).await;
    one(&gate, Priority::Interactive, ANY).await;
    assert_eq!(gate.status().budget, 39);
}

#[tokio::test(start_paused = true)]
async fn the_workspace_limit_is_waited_out_whole_even_past_a_minute() {
    let gate = RateGate::new(RateLimit::default());
    one(&gate, Priority::Interactive, ANY).await;
    gate.limited(
        &RateLimitReason::Workspace,
        Some(Duration::from_secs(150)),
        ANY,
    );
    assert_eq!(gate.status().budget, 180, "not our budget's fault");
    assert_eq!(gate.status().closed_for, Some(Duration::from_secs(150)));
    let start = Instant::now();
    one(&gate, Priority::Interactive, "PATCH /pages/{id}").await;
    assert_eq!(start.elapsed().as_secs(), 150, "every endpoint waits");
    let seen = gate.status().last_limited.unwrap();
    assert_eq!(seen.reason, RateLimitReason::Workspace);
    assert_eq!(seen.wait, Duration::from_secs(150));
}

#[tokio::test(start_paused = true)]
async fn an_endpoint_limit_pauses_that_endpoint_only() {
    let gate = RateGate::new(RateLimit::default());
    let search = "POST /search";
    gate.limited(
        &RateLimitReason::Endpoint,
        Some(Duration::from_secs(30)),
        search,
    );
    let start = Instant::now();
    one(&gate, Priority::Interactive, "GET /pages/{id}").await;
    assert!(start.elapsed() < MIN_WAIT, "other endpoints go on");
    one(&gate, Priority::Interactive, search).await;
    assert_eq!(start.elapsed().as_secs(), 30);
}

#[tokio::test(start_paused = true)]
async fn a_blocked_connection_is_counted_not_waited_for() {
    let gate = RateGate::new(RateLimit::default());
    let wait = gate.limited(&RateLimitReason::Blocked, None, ANY);
    assert_eq!(wait, Duration::ZERO);
    assert_eq!(gate.status().closed_for, None);
    assert_eq!(
        gate.status().last_limited.unwrap().reason,
        RateLimitReason::Blocked
    );
}

#[tokio::test(start_paused = true)]
async fn a_closure_never_shortens_a_longer_one() {
    let gate = RateGate::new(RateLimit::default());
    gate.limited(
        &RateLimitReason::Overload,
        Some(Duration::from_secs(90)),
        ANY,
    );
    gate.limited(
        &RateLimitReason::Overload,
        Some(Duration::from_secs(2)),
        ANY,
    );
    let start = Instant::now();
    one(&gate, Priority::Interactive, ANY).await;
    assert_eq!(start.elapsed().as_secs(), 90);
    assert!(gate.total_wait() >= Duration::from_secs(90));
}

#[test]
fn endpoints_are_named_without_their_ids() {
    assert_eq!(
        endpoint_key("GET", "/pages/1a2b3c4d-0000-4000-8000-00000000abcd"),
        "GET /pages/{id}"
    );
    assert_eq!(
        endpoint_key(
            "POST",
            "/data_sources/1a2b3c4d00004000800000000000abcd/query"
        ),
        "POST /data_sources/{id}/query"
    );
    assert_eq!(endpoint_key("POST", "/search"), "POST /search");
}
