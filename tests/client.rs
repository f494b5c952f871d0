//! The Notion client against the stateful fake server, over real HTTP.

use std::collections::HashSet;
use std::time::Duration;

use fake_notion::{FakeNotion, Fault};
use hsn::notion::{
    ClientConfig, ErrorCode, NotionClient, NotionError, PageParent, PropertyValue, RateLimit,
};
use secrecy::SecretString;
use serde_json::{Value, json};

const TOKEN: &str = "ntn_test_token_for_the_fake_server_0123456789";

/// A client without the 3 requests/second limit (tests of the gate set their own).
fn client_for(base: &str) -> NotionClient {
    let mut config = ClientConfig::new(SecretString::from(TOKEN));
    config.base_url = base.to_string();
    config.rate = RateLimit::unlimited();
    config.timeout = Some(Duration::from_secs(20));
    // CI runs these tests on 2026-12-01 too.
    if let Ok(version) = std::env::var("HSN_TEST_NOTION_VERSION") {
        config.version = version;
    }
    NotionClient::new(config).unwrap()
}

fn task_schema() -> Value {
    json!({
        "Name": {"title": {}},
        "Done": {"checkbox": {}},
        "Order": {"number": {}},
    })
}

fn task(name: &str, order: usize) -> Value {
    json!({
        "Name": {"title": [{"text": {"content": name}}]},
        "Order": {"number": order},
    })
}

fn requests_to(fake: &FakeNotion, method: &str, path_part: &str) -> usize {
    fake.requests()
        .iter()
        .filter(|r| r.method == method && r.path.contains(path_part))
        .count()
}

#[tokio::test]
async fn create_a_data_source_and_250_pages_then_query_them_back_through_pagination() {
    let fake = FakeNotion::new(TOKEN);
    let client = client_for(&fake.start().await);
    let (_, parent) = fake.create_data_source("Parent", json!({"Name": {"title": {}}}));
    let parent_page = fake.insert_page(
        &parent,
        json!({"Name": {"title": [{"text": {"content": "Home"}}]}}),
    );

    let database = client
        .create_database(&parent_page, "Tasks", "Things to do", task_schema())
        .await
        .unwrap();
    assert_eq!(database.title, "Tasks");
    let source_id = database.data_sources[0].id.clone();
    let source = client.retrieve_data_source(&source_id).await.unwrap();
    assert_eq!(source.property("Order").unwrap().kind, "number");

    for n in 0..250 {
        client
            .create_page(
                PageParent::DataSource(source_id.clone()),
                task(&format!("Task {n}"), n),
            )
            .await
            .unwrap();
    }
    let before = requests_to(&fake, "POST", "/query");
    let pages = client
        .query_data_source(&source_id)
        .unwrap()
        .sorts(vec![json!({"property": "Order", "direction": "ascending"})])
        .collect_all()
        .await
        .unwrap();
    assert_eq!(
        requests_to(&fake, "POST", "/query") - before,
        3,
        "100 + 100 + 50"
    );
    assert_eq!(pages.len(), 250);
    let titles: Vec<String> = pages.iter().map(|p| p.title()).collect();
    assert_eq!(titles[0], "Task 0");
    assert_eq!(titles[249], "Task 249");
    assert_eq!(
        pages.iter().map(|p| &p.id).collect::<HashSet<_>>().len(),
        250
    );

    // A filter is sent as given and applied by the server.
    let done = client
        .query_data_source(&source_id)
        .unwrap()
        .filter(json!({"property": "Order", "number": {"less_than": 5}}))
        .collect_all()
        .await
        .unwrap();
    assert_eq!(done.len(), 5);
}

#[tokio::test]
async fn a_relation_of_30_ids_comes_back_whole() {
    let fake = FakeNotion::new(TOKEN);
    let client = client_for(&fake.start().await);
    let (_, people) = fake.create_data_source("People", json!({"Name": {"title": {}}}));
    let (_, projects) = fake.create_data_source(
        "Projects",
        json!({"Name": {"title": {}}, "Members": {"relation": {"data_source_id": people, "type": "single_property", "single_property": {}}}}),
    );
    let member_ids: Vec<String> = (0..30)
        .map(|n| {
            fake.insert_page(
                &people,
                json!({"Name": {"title": [{"text": {"content": format!("P{n}")}}]}}),
            )
        })
        .collect();
    let relation: Vec<Value> = member_ids.iter().map(|id| json!({"id": id})).collect();
    let created = client
        .create_page(
            PageParent::DataSource(projects.clone()),
            json!({"Name": {"title": [{"text": {"content": "Big"}}]}, "Members": {"relation": relation}}),
        )
        .await
        .unwrap();
    let expect_all = |value: &PropertyValue| match value {
        PropertyValue::Relation { ids, has_more } => {
            assert!(!has_more);
            assert_eq!(ids, &member_ids);
        }
        other => panic!("not a relation: {other:?}"),
    };
    assert!(
        created.raw_value()["properties"]["Members"]["has_more"] == json!(true),
        "the fake cuts at 25 like Notion"
    );
    expect_all(&created.property("Members").unwrap().value);
    expect_all(
        &client
            .retrieve_page(&created.id)
            .await
            .unwrap()
            .property("Members")
            .unwrap()
            .value,
    );
    let queried = client
        .query_data_source(&projects)
        .unwrap()
        // Named: from 2026-12-01 a query naming none returns only the title.
        .filter_properties(vec!["Name".into(), "Members".into()])
        .collect_all()
        .await
        .unwrap();
    expect_all(&queried[0].property("Members").unwrap().value);
    assert!(requests_to(&fake, "GET", "/properties/") >= 3);
}

#[tokio::test(start_paused = true)]
async fn a_429_with_retry_after_is_waited_out_on_the_paused_clock() {
    let fake = FakeNotion::new(TOKEN);
    let mut config = ClientConfig::new(SecretString::from(TOKEN));
    config.base_url = fake.start_on_thread();
    config.timeout = None; // any pending timer would fire at once on the paused clock
    let client = NotionClient::new(config).unwrap();
    fake.push_fault(Fault::RateLimited {
        retry_after_secs: 2,
    });

    let start = tokio::time::Instant::now();
    let me = client.me().await.unwrap();
    let waited = start.elapsed();
    assert!(me.kind.as_deref() == Some("bot"));
    assert!(waited >= Duration::from_secs(2), "waited only {waited:?}");
    assert!(waited < Duration::from_millis(2500), "waited {waited:?}");
    let statuses: Vec<u16> = fake.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, vec![429, 200]);
    assert!(client.rate_wait() >= Duration::from_secs(2));
}

#[tokio::test(start_paused = true)]
async fn a_529_pauses_every_request_and_a_write_is_retried() {
    let fake = FakeNotion::new(TOKEN);
    let (_, source) = fake.create_data_source("Tasks", task_schema());
    let mut config = ClientConfig::new(SecretString::from(TOKEN));
    config.base_url = fake.start_on_thread();
    config.timeout = None;
    let client = NotionClient::new(config).unwrap();
    fake.push_fault(Fault::Overloaded {
        retry_after_secs: 90,
    });

    let start = tokio::time::Instant::now();
    client
        .create_page(
            PageParent::DataSource(source.clone()),
            task("After overload", 1),
        )
        .await
        .unwrap();
    assert!(
        start.elapsed() >= Duration::from_secs(90),
        "Retry-After of 90 s is never capped"
    );
    assert_eq!(requests_to(&fake, "POST", "/v1/pages"), 2);
    assert_eq!(
        fake.requests().iter().filter(|r| r.status == 529).count(),
        1
    );
}

#[tokio::test]
async fn a_post_is_not_retried_after_a_500_but_a_get_is() {
    let fake = FakeNotion::new(TOKEN);
    let client = client_for(&fake.start().await);
    let (_, source) = fake.create_data_source("Tasks", task_schema());

    fake.push_fault(Fault::Status(500));
    let err = client
        .create_page(PageParent::DataSource(source.clone()), task("Once", 1))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(500));
    assert_eq!(
        requests_to(&fake, "POST", "/v1/pages"),
        1,
        "a create may have landed: no retry"
    );
    let pages = client
        .query_data_source(&source)
        .unwrap()
        .collect_all()
        .await
        .unwrap();
    assert!(pages.is_empty(), "the faulted request changed nothing");

    fake.push_fault(Fault::Status(503));
    fake.push_fault(Fault::HtmlBadGateway);
    fake.push_fault(Fault::DropConnection);
    let found = client.retrieve_data_source(&source).await.unwrap();
    assert_eq!(found.title, "Tasks");
    assert_eq!(requests_to(&fake, "GET", "/v1/data_sources/"), 4);
}

#[tokio::test]
async fn an_html_502_on_a_write_is_its_own_error_with_the_body_start() {
    let fake = FakeNotion::new(TOKEN);
    let client = client_for(&fake.start().await);
    let (_, source) = fake.create_data_source("Tasks", task_schema());
    fake.push_fault(Fault::HtmlBadGateway);
    let err = client
        .create_page(PageParent::DataSource(source), task("x", 1))
        .await
        .unwrap_err();
    match err {
        NotionError::NotJson {
            status, snippet, ..
        } => {
            assert_eq!(status, 502);
            assert!(snippet.to_lowercase().contains("<html"), "{snippet}");
        }
        other => panic!("expected NotJson, got {other:?}"),
    }
}

#[tokio::test]
async fn a_wrong_token_gives_a_clear_error_without_the_token() {
    let fake = FakeNotion::new(TOKEN);
    let base = fake.start().await;
    let mut config = ClientConfig::new(SecretString::from("ntn_wrong_token_value_987654321"));
    config.base_url = base;
    let client = NotionClient::new(config).unwrap();
    let err = client.me().await.unwrap_err();
    assert_eq!(err.code(), Some(&ErrorCode::Unauthorized));
    assert_eq!(
        err.explain("the workspace"),
        "Notion rejected the token (401 unauthorized)"
    );
    for text in [err.to_string(), format!("{err:?}"), format!("{client:?}")] {
        assert!(!text.contains("ntn_wrong_token_value"), "{text}");
    }
    assert_eq!(fake.requests().len(), 1, "a 401 is not retried");
}

#[tokio::test]
async fn more_than_10000_rows_come_back_whole() {
    let fake = FakeNotion::new(TOKEN);
    let client = client_for(&fake.start().await);
    let (_, source) = fake.create_data_source("Instances", task_schema());
    let start = chrono::Utc::now() - chrono::Duration::days(30);
    let mut ids = HashSet::new();
    for n in 0..10_050usize {
        // Many rows share a creation minute, as after a bulk import.
        fake.set_now(Some(start + chrono::Duration::minutes((n / 40) as i64)));
        ids.insert(fake.insert_page(&source, task(&format!("I{n}"), n)));
    }
    fake.set_now(None);
    let pages = client
        .query_data_source(&source)
        .unwrap()
        .collect_all()
        .await
        .unwrap();
    let got: HashSet<String> = pages.iter().map(|p| p.id.clone()).collect();
    assert_eq!(pages.len(), 10_050, "no row twice");
    assert_eq!(got, ids, "every row");
}

#[tokio::test]
async fn windows_continue_past_a_small_cap_even_with_a_requested_order() {
    let fake = FakeNotion::new(TOKEN);
    let client = client_for(&fake.start().await);
    fake.set_row_cap(50);
    let (_, source) = fake.create_data_source("Tasks", task_schema());
    let start = chrono::Utc::now() - chrono::Duration::days(1);
    for n in 0..175usize {
        fake.set_now(Some(start + chrono::Duration::minutes((n / 7) as i64)));
        fake.insert_page(&source, task(&format!("T{n}"), 1000 - n));
    }
    fake.set_now(None);
    for sorts in [
        vec![],
        vec![json!({"property": "Order", "direction": "ascending"})],
    ] {
        let pages = client
            .query_data_source(&source)
            .unwrap()
            .page_size(20)
            .sorts(sorts.clone())
            .collect_all()
            .await
            .unwrap();
        let ids: HashSet<&String> = pages.iter().map(|p| &p.id).collect();
        assert_eq!((pages.len(), ids.len()), (175, 175), "sorts {sorts:?}");
    }
}

#[tokio::test]
async fn a_cap_inside_one_minute_is_an_error_not_a_short_list() {
    let fake = FakeNotion::new(TOKEN);
    let client = client_for(&fake.start().await);
    fake.set_row_cap(50);
    let (_, source) = fake.create_data_source("Tasks", task_schema());
    fake.set_now(Some(chrono::Utc::now()));
    for n in 0..60 {
        fake.insert_page(&source, task("same minute", n));
    }
    let err = client
        .query_data_source(&source)
        .unwrap()
        .collect_all()
        .await
        .unwrap_err();
    assert!(
        matches!(err, NotionError::QueryWindowExhausted { .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn the_older_version_2025_09_03_works_too() {
    let fake = FakeNotion::new(TOKEN);
    let mut config = ClientConfig::new(SecretString::from(TOKEN));
    config.base_url = fake.start().await;
    config.version = "2025-09-03".into();
    let client = NotionClient::new(config).unwrap();
    let (_, source) = fake.create_data_source("Tasks", task_schema());
    let page = client
        .create_page(PageParent::DataSource(source.clone()), task("Old", 1))
        .await
        .unwrap();
    let trashed = client.set_page_trashed(&page.id, true).await.unwrap();
    assert!(trashed.in_trash);
    let last = fake.requests().last().unwrap().clone();
    assert_eq!(last.notion_version.as_deref(), Some("2025-09-03"));
    assert_eq!(last.body.unwrap()["archived"], json!(true));
    let remaining = client
        .query_data_source(&source)
        .unwrap()
        .collect_all()
        .await
        .unwrap();
    assert!(remaining.is_empty(), "a trashed page is not queried");
}

#[tokio::test]
async fn blocks_are_appended_and_listed_in_order() {
    let fake = FakeNotion::new(TOKEN);
    let client = client_for(&fake.start().await);
    let (_, source) = fake.create_data_source("Log", json!({"Name": {"title": {}}}));
    let page = fake.insert_page(
        &source,
        json!({"Name": {"title": [{"text": {"content": "Audit"}}]}}),
    );
    let paragraphs: Vec<Value> = (0..120)
        .map(|n| json!({"paragraph": {"rich_text": [{"text": {"content": format!("line {n}")}}]}}))
        .collect();
    for chunk in paragraphs.chunks(100) {
        let made = client
            .append_block_children(&page, chunk.to_vec(), hsn::notion::AppendPosition::End)
            .await
            .unwrap();
        assert_eq!(made.len(), chunk.len());
    }
    let blocks = client.list_block_children(&page).await.unwrap();
    assert_eq!(blocks.len(), 120, "listed past one page of 100");
    assert_eq!(blocks[0].plain_text(), "line 0");
    assert_eq!(blocks[119].plain_text(), "line 119");
}

#[tokio::test]
async fn search_finds_data_sources_by_title() {
    let fake = FakeNotion::new(TOKEN);
    let client = client_for(&fake.start().await);
    fake.create_data_source("Master Tasks Database", task_schema());
    fake.create_data_source("Agent Registry", task_schema());
    let found = client
        .search("tasks", Some(hsn::notion::SearchObject::DataSource))
        .await
        .unwrap();
    let titles: Vec<String> = found
        .iter()
        .filter_map(|r| match r {
            hsn::notion::SearchResult::DataSource(d) => Some(d.title.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(titles, vec!["Master Tasks Database".to_string()]);
}
