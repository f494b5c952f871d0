//! Archived is not trashed (notion-api-notes §4), and Search sorted by last edit, the one
//! request that tells whether anything changed.

mod common;

use chrono::{DateTime, Duration, Utc};
use common::{Client, TOKEN, result_ids, title};
use fake_notion::FakeNotion;
use serde_json::json;

#[tokio::test]
async fn queries_leave_archived_pages_out_unless_asked_for_them() {
    let fake = FakeNotion::new(TOKEN);
    let (_, ds) = fake.create_data_source("Tasks", json!({"Name": {"title": {}}}));
    let pages: Vec<String> = ["a", "b", "c"]
        .iter()
        .map(|t| fake.insert_page(&ds, title(t)))
        .collect();
    fake.archive_page(&pages[1], true);
    let c = Client::start(&fake).await;
    let query = format!("/v1/data_sources/{ds}/query");

    let (status, body) = c.post(&query, json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(result_ids(&body), [pages[0].clone(), pages[2].clone()]);
    assert_eq!(body["results"][0]["is_archived"], false);
    assert_eq!(body["results"][0]["in_trash"], false);
    let (_, body) = c.post(&query, json!({"is_archived": false})).await;
    assert_eq!(result_ids(&body).len(), 2);

    let (status, body) = c.post(&query, json!({"is_archived": true})).await;
    assert_eq!(status, 200);
    assert_eq!(result_ids(&body), [pages[1].clone()]);
    assert_eq!(body["results"][0]["is_archived"], true);
    // Archived is not trashed.
    assert_eq!(body["results"][0]["in_trash"], false);

    // Still there by id.
    let (status, page) = c.get(&format!("/v1/pages/{}", pages[1])).await;
    assert_eq!((status, &page["is_archived"]), (200, &json!(true)));

    // Trashed pages are out of both listings.
    let (status, _) = c
        .patch(
            &format!("/v1/pages/{}", pages[0]),
            json!({"in_trash": true}),
        )
        .await;
    assert_eq!(status, 200);
    let (_, body) = c.post(&query, json!({})).await;
    assert_eq!(result_ids(&body), [pages[2].clone()]);

    for bad in [json!({"in_trash": true}), json!({"in_trash": false})] {
        let (status, body) = c.post(&query, bad).await;
        assert_eq!(status, 400);
        assert_eq!(body["code"], "validation_error");
        assert_eq!(
            body["message"],
            "in_trash is not a supported query body parameter for this endpoint."
        );
    }
    let (status, body) = c.post(&query, json!({"is_archived": "yes"})).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("validation_error"))
    );

    fake.archive_page(&pages[1], false);
    let (_, body) = c.post(&query, json!({})).await;
    assert_eq!(result_ids(&body), [pages[1].clone(), pages[2].clone()]);
}

fn at(minute: i64) -> DateTime<Utc> {
    "2026-12-02T10:00:00Z".parse::<DateTime<Utc>>().unwrap() + Duration::minutes(minute)
}

#[tokio::test]
async fn search_by_last_edit_pages_through_every_page_newest_first() {
    let fake = FakeNotion::new(TOKEN);
    let (db, ds) = fake.create_data_source("Tasks", json!({"Name": {"title": {}}}));
    let mut pages = Vec::new();
    for (i, t) in ["a", "b", "c", "d", "e"].iter().enumerate() {
        fake.set_now(Some(at(i as i64)));
        pages.push(fake.insert_page(&ds, title(t)));
    }
    let c = Client::start(&fake).await;
    // A later edit moves a page to the front.
    fake.set_now(Some(at(10)));
    let (status, _) = c
        .patch(
            &format!("/v1/pages/{}", pages[1]),
            json!({"properties": title("b2")}),
        )
        .await;
    assert_eq!(status, 200);

    let search = |direction: &'static str, cursor: Option<String>| {
        let mut body = json!({
            "filter": {"property": "object", "value": "page"},
            "sort": {"timestamp": "last_edited_time", "direction": direction},
            "page_size": 2,
        });
        if let Some(cursor) = cursor {
            body["start_cursor"] = json!(cursor);
        }
        let c = c.clone();
        async move { c.post("/v1/search", body).await }
    };

    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let (status, body) = search("descending", cursor).await;
        assert_eq!(status, 200, "{body}");
        assert!(body["results"].as_array().unwrap().len() <= 2);
        for r in body["results"].as_array().unwrap() {
            assert_eq!(r["object"], "page");
            assert_eq!(
                r["parent"],
                json!({"type": "data_source_id", "data_source_id": ds, "database_id": db})
            );
            seen.push((
                r["id"].as_str().unwrap().to_string(),
                r["last_edited_time"].as_str().unwrap().to_string(),
            ));
        }
        match body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => break,
        }
    }
    let order: Vec<&str> = seen.iter().map(|(id, _)| id.as_str()).collect();
    let want = [&pages[1], &pages[4], &pages[3], &pages[2], &pages[0]];
    assert_eq!(order, want.map(String::as_str));
    assert_eq!(seen[0].1, "2026-12-02T10:10:00.000Z");
    assert_eq!(seen[1].1, "2026-12-02T10:04:00.000Z");

    // The one request that tells whether anything changed since the newest edit seen.
    let (_, newest) = c
        .post(
            "/v1/search",
            json!({
                "filter": {"property": "object", "value": "page"},
                "sort": {"timestamp": "last_edited_time", "direction": "descending"},
                "page_size": 1,
            }),
        )
        .await;
    assert_eq!(newest["results"][0]["id"], pages[1].as_str());
    assert_eq!(newest["has_more"], true);

    let (_, oldest) = search("ascending", None).await;
    assert_eq!(result_ids(&oldest), [pages[0].clone(), pages[2].clone()]);
}
