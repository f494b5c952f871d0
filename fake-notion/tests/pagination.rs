//! Cursors and relation sizes as Notion checks them: one `start_cursor` per request,
//! property items in pages of up to 100, 25 relation ids in a page object, 100 per write.

mod common;

use common::{Client, TOKEN, result_ids, title};
use fake_notion::FakeNotion;
use serde_json::{Value, json};

/// A data source whose pages relate to pages of a target data source.
fn projects(fake: &FakeNotion) -> String {
    let (_, targets) = fake.create_data_source("Targets", json!({"Name": {"title": {}}}));
    let (_, ds) = fake.create_data_source(
        "Projects",
        json!({
            "Name": {"title": {}},
            "Tasks": {"relation": {"data_source_id": targets, "type": "single_property", "single_property": {}}},
        }),
    );
    ds
}

/// The relation's property id, read over HTTP as a client would: already URL-encoded, and
/// put in the path as it is.
async fn relation_prop_id(c: &Client, ds: &str) -> String {
    let (_, schema) = c.get(&format!("/v1/data_sources/{ds}")).await;
    schema["properties"]["Tasks"]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

fn new_ids(n: usize) -> Vec<String> {
    (0..n).map(|_| uuid_like()).collect()
}

/// A fresh dashed uuid (the fake checks relation ids for shape, not existence).
fn uuid_like() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(1);
    let n = N.fetch_add(1, Ordering::Relaxed);
    format!("00000000-0000-4000-8000-{n:012x}")
}

fn relation(ids: &[String]) -> Value {
    Value::Array(ids.iter().map(|id| json!({"id": id})).collect())
}

/// Every related id through `GET /v1/pages/{id}/properties/{prop}`, following cursors.
async fn all_items(c: &Client, page: &str, prop: &str, page_size: Option<usize>) -> Vec<String> {
    let mut ids = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..50 {
        let mut query = Vec::new();
        if let Some(n) = page_size {
            query.push(format!("page_size={n}"));
        }
        if let Some(cur) = &cursor {
            query.push(format!("start_cursor={cur}"));
        }
        let (status, body) = c
            .get(&format!(
                "/v1/pages/{page}/properties/{prop}?{}",
                query.join("&")
            ))
            .await;
        assert_eq!(status, 200, "{body}");
        let results = body["results"].as_array().unwrap();
        assert!(results.len() <= page_size.unwrap_or(25));
        for r in results {
            assert_eq!(r["object"], "property_item");
            assert_eq!(r["type"], "relation");
            ids.push(r["relation"]["id"].as_str().unwrap().to_string());
        }
        match body["next_cursor"].as_str() {
            Some(next) => {
                assert_eq!(body["has_more"], true);
                cursor = Some(next.to_string());
            }
            None => {
                assert_eq!(body["has_more"], false);
                return ids;
            }
        }
    }
    panic!("the cursors never ended");
}

#[tokio::test]
async fn relations_of_every_size_come_back_whole_through_property_items() {
    let fake = FakeNotion::new(TOKEN);
    let ds = projects(&fake);
    let c = Client::start(&fake).await;
    let prop = relation_prop_id(&c, &ds).await;
    for n in [25, 26, 100, 101, 250] {
        let related = new_ids(n);
        // Over 100 cannot be written in one request, so seed the stored value directly.
        let mut props = title(&format!("{n} tasks"));
        props["Tasks"] = json!({"relation": relation(&related)});
        let page = fake.insert_page_raw(&ds, props);

        assert_eq!(all_items(&c, &page, &prop, Some(100)).await, related, "{n}");
        assert_eq!(all_items(&c, &page, &prop, None).await, related, "{n}");

        // The page object shows at most 25, and says when there are more.
        let (_, shown) = c.get(&format!("/v1/pages/{page}")).await;
        let tasks = &shown["properties"]["Tasks"];
        let ids: Vec<&str> = tasks["relation"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, related[..25]);
        assert_eq!(tasks["has_more"], n > 25);
    }
}

#[tokio::test]
async fn a_repeated_start_cursor_is_refused_on_every_get_list() {
    let fake = FakeNotion::new(TOKEN);
    let ds = projects(&fake);
    let c = Client::start(&fake).await;
    let prop = relation_prop_id(&c, &ds).await;
    let mut props = title("p");
    props["Tasks"] = json!({"relation": relation(&new_ids(250))});
    let page = fake.insert_page_raw(&ds, props);

    let path = format!("/v1/pages/{page}/properties/{prop}?page_size=100");
    let (_, first) = c.get(&path).await;
    let a = first["next_cursor"].as_str().unwrap().to_string();
    let (_, second) = c.get(&format!("{path}&start_cursor={a}")).await;
    let b = second["next_cursor"].as_str().unwrap().to_string();
    // What a client appending its next cursor to the previous request sends.
    let (status, body) = c
        .get(&format!("{path}&start_cursor={a}&start_cursor={b}"))
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["code"], "validation_error");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("start_cursor should be defined once"),
        "{body}"
    );

    // Block children too.
    let parent = fake.create_workspace_page("Log");
    let children: Vec<Value> = (0..3)
        .map(|i| json!({"paragraph": {"rich_text": [{"text": {"content": format!("{i}")}}]}}))
        .collect();
    let (status, _) = c
        .patch(
            &format!("/v1/blocks/{parent}/children"),
            json!({"children": children}),
        )
        .await;
    assert_eq!(status, 200);
    let (_, listed) = c
        .get(&format!("/v1/blocks/{parent}/children?page_size=1"))
        .await;
    let cursor = listed["next_cursor"].as_str().unwrap().to_string();
    let (status, body) = c
        .get(&format!(
            "/v1/blocks/{parent}/children?page_size=1&start_cursor={cursor}&start_cursor={cursor}"
        ))
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("validation_error"))
    );
    // A repeated page_size is no better.
    let (status, _) = c
        .get(&format!(
            "/v1/blocks/{parent}/children?page_size=1&page_size=2"
        ))
        .await;
    assert_eq!(status, 400);
    // One cursor is fine.
    let (status, body) = c
        .get(&format!(
            "/v1/blocks/{parent}/children?page_size=1&start_cursor={cursor}"
        ))
        .await;
    assert_eq!(status, 200);
    assert_eq!(result_ids(&body), [cursor]);
}

#[tokio::test]
async fn a_relation_write_takes_up_to_100_ids() {
    let fake = FakeNotion::new(TOKEN);
    let ds = projects(&fake);
    let c = Client::start(&fake).await;
    let prop = relation_prop_id(&c, &ds).await;
    let page = fake.insert_page(&ds, title("p"));

    let hundred = new_ids(100);
    let (status, body) = c
        .patch(
            &format!("/v1/pages/{page}"),
            json!({"properties": {"Tasks": {"relation": relation(&hundred)}}}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["properties"]["Tasks"]["has_more"], true);
    assert_eq!(all_items(&c, &page, &prop, Some(100)).await, hundred);

    let (status, body) = c
        .patch(
            &format!("/v1/pages/{page}"),
            json!({"properties": {"Tasks": {"relation": relation(&new_ids(101))}}}),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("validation_error"))
    );
    // Nothing of the refused write landed.
    assert_eq!(all_items(&c, &page, &prop, Some(100)).await, hundred);
}
