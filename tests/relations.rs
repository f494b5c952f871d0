//! Relations of any length. Notion hands out 25 related ids in a page and the rest through
//! the property-item endpoint, 100 at a time. hsn used to send two `start_cursor`s from the
//! second page of items on: the fake served the first page again for ever (a real server
//! refuses the request), so a relation past 100 ids never finished loading. Each length
//! that matters goes through query, retrieve, update and `hsn query`.

mod support;

use std::time::Duration;

use fake_notion::FakeNotion;
use hsn::notion::{PropertyValue, relation_value};
use serde_json::{Value, json};

const LENGTHS: [usize; 5] = [25, 26, 100, 101, 250];

/// A project page: the length of its relation, its page id, the ids it relates to in order.
type Project = (usize, String, Vec<String>);

/// A "Projects" data source whose pages relate to `n` of 250 "People" pages, one page per
/// length in `LENGTHS`. Returns the fake, the projects' data source, and per length the
/// project's page id and the ids it relates to, in order.
fn projects() -> (FakeNotion, String, Vec<Project>) {
    let fake = FakeNotion::new(support::TOKEN);
    let (_, people) = fake.create_data_source("People", json!({"Name": {"title": {}}}));
    let person_ids: Vec<String> = (0..250)
        .map(|n| {
            fake.insert_page(
                &people,
                json!({"Name": {"title": [{"text": {"content": format!("Person {n}")}}]}}),
            )
        })
        .collect();
    let (_, projects) = fake.create_data_source(
        "Projects",
        json!({
            "Name": {"title": {}},
            "Members": {"relation": {"data_source_id": people, "type": "single_property", "single_property": {}}},
        }),
    );
    let made = LENGTHS
        .iter()
        .map(|&n| {
            let members: Vec<String> = person_ids[..n].to_vec();
            let refs: Vec<Value> = members.iter().map(|id| json!({"id": id})).collect();
            // Stored as Notion holds it: a page can relate to more pages than one request
            // may send (100), by edits over time.
            let page = fake.insert_page_raw(
                &projects,
                json!({
                    "Name": {"title": [{"type": "text", "text": {"content": format!("Project {n}"), "link": null}, "plain_text": format!("Project {n}")}]},
                    "Members": {"relation": refs},
                }),
            );
            (n, page, members)
        })
        .collect();
    (fake, projects, made)
}

fn related(page: &hsn::notion::Page) -> Vec<String> {
    match &page.property("Members").expect("Members").value {
        PropertyValue::Relation { ids, has_more } => {
            assert!(!has_more, "completed");
            ids.iter().map(|id| id.replace('-', "")).collect()
        }
        other => panic!("not a relation: {other:?}"),
    }
}

fn bare(ids: &[String]) -> Vec<String> {
    ids.iter().map(|id| id.replace('-', "")).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_related_id_comes_back_once_in_order_through_query_retrieve_and_update() {
    let (fake, projects, made) = projects();
    let client = support::client_for(&fake.start().await);
    let queried = client
        .query_data_source(&projects)
        .unwrap()
        // Named: from 2026-12-01 a query naming none returns only the title.
        .filter_properties(vec!["Name".into(), "Members".into()])
        .collect_all()
        .await
        .unwrap();
    for (n, page, members) in &made {
        let listed = queried.iter().find(|p| &p.id == page).expect("queried");
        assert_eq!(related(listed), bare(members), "query, {n} ids");
        let retrieved = client.retrieve_page(page).await.unwrap();
        assert_eq!(related(&retrieved), bare(members), "retrieve, {n} ids");
        // An edit of another property answers with the page: its relation complete too.
        let updated = client
            .update_page(
                page,
                json!({"Name": {"title": [{"text": {"content": format!("Project {n}!")}}]}}),
            )
            .await
            .unwrap();
        assert_eq!(related(&updated), bare(members), "update, {n} ids");
    }
    // Never a request with two cursors (the fake refuses one now, as Notion does).
    for request in fake.requests() {
        let cursors = request
            .query
            .as_deref()
            .unwrap_or_default()
            .matches("start_cursor=")
            .count();
        assert!(cursors <= 1, "{} {:?}", request.path, request.query);
        assert!(
            request.status < 400,
            "{} answered {}",
            request.path,
            request.status
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relation_of_up_to_100_ids_is_written_in_one_request() {
    let (fake, _, made) = projects();
    let client = support::client_for(&fake.start().await);
    let (_, page, members) = &made[4];
    let hundred = &members[150..];
    let updated = client
        .update_page(page, json!({"Members": relation_value(hundred)}))
        .await
        .unwrap();
    assert_eq!(related(&updated), bare(hundred));
    let refused = client
        .update_page(page, json!({"Members": relation_value(members)}))
        .await
        .unwrap_err();
    assert_eq!(
        refused.status(),
        Some(400),
        "Notion takes 100 ids per request: {refused}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hsn_query_prints_every_related_id() {
    let (fake, projects, made) = projects();
    let base = fake.start().await;
    let output = tokio::time::timeout(
        Duration::from_secs(60),
        tokio::process::Command::new(env!("CARGO_BIN_EXE_hsn"))
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("NOTION_API_BASE", &base)
            .env("NOTION_API_TOKEN", support::TOKEN)
            .env("NOTION_VERSION", support::notion_version())
            .env("HSN_DATA_DIR", tempfile::tempdir().unwrap().path())
            .args(["query", &projects])
            .output(),
    )
    .await
    .expect("hsn query finished")
    .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let lines: Vec<Value> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), LENGTHS.len());
    for (n, page, members) in &made {
        let line = lines
            .iter()
            .find(|l| l["id"].as_str().map(|id| id.replace('-', "")) == Some(page.replace('-', "")))
            .expect("printed");
        let printed: Vec<String> = line["properties"]["Members"]
            .as_array()
            .unwrap_or_else(|| panic!("Members of {n}: {line}"))
            .iter()
            .map(|id| id.as_str().unwrap().replace('-', ""))
            .collect();
        assert_eq!(printed, bare(members), "hsn query, {n} ids");
    }
}
