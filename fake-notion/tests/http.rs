//! The fake over real HTTP: the behaviours hsn's client depends on.

use std::time::Duration;

use fake_notion::{FakeNotion, Fault};
use serde_json::{Value, json};

const TOKEN: &str = "test-token";

struct Client {
    base: String,
    http: reqwest::Client,
    version: &'static str,
}

impl Client {
    async fn start(fake: &FakeNotion) -> Self {
        Client {
            base: fake.start().await,
            http: reqwest::Client::new(),
            version: "2026-03-11",
        }
    }

    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(TOKEN)
            .header("Notion-Version", self.version)
    }

    async fn send(&self, rb: reqwest::RequestBuilder) -> (u16, Value) {
        let resp = rb.send().await.expect("response");
        let status = resp.status().as_u16();
        (status, resp.json().await.expect("json body"))
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        self.send(self.request(reqwest::Method::GET, path)).await
    }

    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.send(self.request(reqwest::Method::POST, path).json(&body))
            .await
    }

    async fn patch(&self, path: &str, body: Value) -> (u16, Value) {
        self.send(self.request(reqwest::Method::PATCH, path).json(&body))
            .await
    }
}

fn tasks(fake: &FakeNotion) -> String {
    let (_, ds) = fake.create_data_source(
        "Tasks",
        json!({
            "Name": {"title": {}},
            "N": {"number": {}},
            "Status": {"status": {"options": [{"name": "To Do"}, {"name": "Doing"}, {"name": "Completed"}]}},
        }),
    );
    ds
}

fn title(text: &str) -> Value {
    json!({"Name": {"title": [{"text": {"content": text}}]}})
}

#[tokio::test]
async fn auth_and_version_errors() {
    let fake = FakeNotion::new(TOKEN);
    let c = Client::start(&fake).await;

    let resp = c
        .http
        .get(format!("{}/v1/users/me", c.base))
        .bearer_auth("wrong")
        .header("Notion-Version", "2026-03-11")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 401);
    let header_id = resp.headers()["x-notion-request-id"]
        .to_str()
        .unwrap()
        .to_string();
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["code"], "unauthorized");
    assert_eq!(body["message"], "API token is invalid.");
    assert_eq!(body["request_id"], header_id.as_str());

    let resp = c
        .http
        .get(format!("{}/v1/users/me", c.base))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 400);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["code"], "missing_version");

    let (status, me) = c.get("/v1/users/me").await;
    assert_eq!(status, 200);
    assert_eq!(me["type"], "bot");
    assert!(me["request_id"].is_string());

    let (status, body) = c.get("/v1/pages/abc").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("validation_error"))
    );
    let (status, body) = c.get("/v1/pages/00000000000000000000000000000000").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (404, Some("object_not_found"))
    );
    let (status, body) = c.get("/v1/nowhere").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("invalid_request_url"))
    );

    let log = fake.requests();
    assert_eq!(log.len(), 6);
    assert_eq!(log[0].status, 401);
    assert_eq!(log[1].notion_version, None);
    assert_eq!(log[2].path, "/v1/users/me");
}

#[tokio::test]
async fn paginates_250_pages_in_creation_order() {
    let fake = FakeNotion::new(TOKEN);
    let ds = tasks(&fake);
    let ids: Vec<String> = (0..250)
        .map(|i| fake.insert_page(&ds, title(&format!("task {i}"))))
        .collect();
    let c = Client::start(&fake).await;

    let (status, body) = c
        .post(
            &format!("/v1/data_sources/{ds}/query"),
            json!({"page_size": 101}),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("validation_error"))
    );

    let mut seen = Vec::new();
    let mut cursor = Value::Null;
    loop {
        let (status, body) = c
            .post(
                &format!("/v1/data_sources/{ds}/query"),
                json!({"start_cursor": cursor}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["type"], "page_or_data_source");
        assert_eq!(body["request_status"]["type"], "complete");
        for page in body["results"].as_array().unwrap() {
            seen.push(page["id"].as_str().unwrap().to_string());
        }
        if !body["has_more"].as_bool().unwrap() {
            assert!(body["next_cursor"].is_null());
            break;
        }
        cursor = body["next_cursor"].clone();
    }
    assert_eq!(seen, ids);
}

#[tokio::test]
async fn row_cap_marks_the_query_incomplete() {
    let fake = FakeNotion::new(TOKEN);
    let ds = tasks(&fake);
    for i in 0..250 {
        fake.insert_page(&ds, title(&format!("task {i}")));
    }
    fake.set_row_cap(150);
    let c = Client::start(&fake).await;
    let path = format!("/v1/data_sources/{ds}/query");
    let (_, first) = c.post(&path, json!({})).await;
    assert_eq!(first["results"].as_array().unwrap().len(), 100);
    assert_eq!(first["has_more"], true);
    let (_, second) = c
        .post(&path, json!({"start_cursor": first["next_cursor"]}))
        .await;
    assert_eq!(second["results"].as_array().unwrap().len(), 50);
    assert_eq!(second["has_more"], false);
    assert!(second["next_cursor"].is_null());
    assert_eq!(
        second["request_status"],
        json!({"type": "incomplete", "incomplete_reason": "query_result_limit_reached"})
    );
}

#[tokio::test]
async fn relation_of_30_completes_through_property_items() {
    let fake = FakeNotion::new(TOKEN);
    let (ds, page_id) = fake.seed_every_type();
    let c = Client::start(&fake).await;

    let (_, schema) = c.get(&format!("/v1/data_sources/{ds}")).await;
    let ids: Vec<&str> = schema["properties"]
        .as_object()
        .unwrap()
        .values()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert!(ids.iter().any(|id| id.contains('%')), "{ids:?}");

    let (_, page) = c.get(&format!("/v1/pages/{page_id}")).await;
    let related = &page["properties"]["Related"];
    assert_eq!(related["relation"].as_array().unwrap().len(), 25);
    assert_eq!(related["has_more"], true);
    assert!(page["parent"].get("database_id").is_none());

    // The id is sent as the schema gives it, already encoded.
    let prop_id = related["id"].as_str().unwrap();
    let path = format!("/v1/pages/{page_id}/properties/{prop_id}");
    let (status, first) = c.get(&path).await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["type"], "property_item");
    assert_eq!(first["property_item"]["type"], "relation");
    assert_eq!(first["results"].as_array().unwrap().len(), 25);
    let cursor = first["next_cursor"].as_str().unwrap();
    let (_, rest) = c.get(&format!("{path}?start_cursor={cursor}")).await;
    assert_eq!(rest["results"].as_array().unwrap().len(), 5);
    assert_eq!(rest["has_more"], false);
    assert_eq!(
        fake.page(&page_id).unwrap()["properties"]["Related"]["relation"]
            .as_array()
            .unwrap()
            .len(),
        30
    );
}

#[tokio::test]
async fn faults_fire_once_and_are_logged() {
    let fake = FakeNotion::new(TOKEN);
    let c = Client::start(&fake).await;
    fake.push_fault_for("GET", "/v1/users/", Fault::Status(503));
    fake.push_fault(Fault::RateLimited {
        retry_after_secs: 7,
    });

    // The rate limit was queued second but matches this POST first: the 503 is for GETs.
    let resp = c
        .request(reqwest::Method::POST, "/v1/search")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 429);
    assert_eq!(resp.headers()["retry-after"], "7");
    let (status, body) = c.get("/v1/users/me").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (503, Some("service_unavailable"))
    );
    let (status, _) = c.get("/v1/users/me").await;
    assert_eq!(status, 200);

    fake.push_fault(Fault::DropConnection);
    let dropped = async {
        let resp = c
            .request(reqwest::Method::GET, "/v1/users/me")
            .send()
            .await?;
        resp.bytes().await
    }
    .await;
    assert!(dropped.is_err());

    fake.push_fault(Fault::HtmlBadGateway);
    let resp = c
        .request(reqwest::Method::GET, "/v1/users/me")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 502);
    assert!(resp.text().await.unwrap().contains("<html>"));

    fake.push_fault(Fault::Delay(Duration::from_millis(50)));
    let (status, _) = c.get("/v1/users/me").await;
    assert_eq!(status, 200);

    let statuses: Vec<u16> = fake.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [429, 503, 200, 0, 502, 200]);
}

#[tokio::test]
async fn rejects_text_over_2000_characters_without_writing() {
    let fake = FakeNotion::new(TOKEN);
    let ds = tasks(&fake);
    let c = Client::start(&fake).await;
    let page = |text: String| json!({"parent": {"data_source_id": ds}, "properties": title(&text)});

    let (status, body) = c.post("/v1/pages", page("x".repeat(2001))).await;
    assert_eq!(status, 400);
    assert_eq!(body["code"], "validation_error");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("body.properties.Name.title[0].text.content.length"),
        "{body}"
    );
    let (status, created) = c.post("/v1/pages", page("x".repeat(2000))).await;
    assert_eq!(status, 200, "{created}");

    let (_, listed) = c
        .post(&format!("/v1/data_sources/{ds}/query"), json!({}))
        .await;
    assert_eq!(listed["results"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn filters_sorts_and_writes() {
    let fake = FakeNotion::new(TOKEN);
    let ds = tasks(&fake);
    let c = Client::start(&fake).await;
    for (name, n, status) in [("a", 3, "To Do"), ("b", 1, "Completed"), ("c", 2, "To Do")] {
        let (code, body) = c
            .post(
                "/v1/pages",
                json!({"parent": {"data_source_id": ds}, "properties": {
                    "Name": {"title": [{"text": {"content": name}}]},
                    "N": {"number": n},
                    "Status": {"status": {"name": status}},
                }}),
            )
            .await;
        assert_eq!(code, 200, "{body}");
    }
    let path = format!("/v1/data_sources/{ds}/query");
    let names = |body: &Value| -> Vec<String> {
        body["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                p["properties"]["Name"]["title"][0]["plain_text"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect()
    };
    let (_, body) = c
        .post(
            &path,
            json!({
                "filter": {"or": [
                    {"property": "Status", "status": {"equals": "To Do"}},
                    {"property": "N", "number": {"less_than": 2}},
                ]},
                "sorts": [{"property": "N", "direction": "descending"}],
            }),
        )
        .await;
    assert_eq!(names(&body), ["a", "c", "b"]);

    let (status, body) = c
        .post(
            &path,
            json!({"filter": {"property": "Status", "select": {"equals": "x"}}}),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("validation_error"))
    );

    let (status, body) = c
        .post(
            "/v1/pages",
            json!({"parent": {"data_source_id": ds}, "properties": {"Status": {"status": {"name": "Nope"}}}}),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("validation_error"))
    );
    let (status, body) = c
        .post(
            "/v1/pages",
            json!({"parent": {"data_source_id": ds}, "properties": {"Missing": {"number": 1}}}),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["message"], "Missing is not a property that exists.");

    // Trashing hides a page from queries; `archived` is refused on 2026-03-11.
    let first = body_id(&c.post(&path, json!({})).await.1);
    let (status, _) = c
        .patch(&format!("/v1/pages/{first}"), json!({"archived": true}))
        .await;
    assert_eq!(status, 400);
    let (status, trashed) = c
        .patch(&format!("/v1/pages/{first}"), json!({"in_trash": true}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(trashed["in_trash"], true);
    assert!(trashed.get("archived").is_none());
    let (_, body) = c.post(&path, json!({})).await;
    assert_eq!(body["results"].as_array().unwrap().len(), 2);
}

fn body_id(list: &Value) -> String {
    list["results"][0]["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn older_version_speaks_archived_and_after() {
    let fake = FakeNotion::new(TOKEN);
    let ds = tasks(&fake);
    let page = fake.insert_page(&ds, title("log"));
    let mut c = Client::start(&fake).await;
    c.version = "2025-09-03";
    let (_, got) = c.get(&format!("/v1/pages/{page}")).await;
    assert_eq!(got["archived"], false);

    let para = |t: &str| json!({"paragraph": {"rich_text": [{"text": {"content": t}}]}});
    let children = format!("/v1/blocks/{page}/children");
    let (status, added) = c
        .patch(&children, json!({"children": [para("one"), para("three")]}))
        .await;
    assert_eq!(status, 200, "{added}");
    let one = added["results"][0]["id"].as_str().unwrap().to_string();
    let (status, _) = c
        .patch(&children, json!({"children": [para("two")], "after": one}))
        .await;
    assert_eq!(status, 200);
    let (status, _) = c
        .patch(
            &children,
            json!({"children": [para("x")], "position": {"type": "start"}}),
        )
        .await;
    assert_eq!(status, 400);

    let (_, listed) = c.get(&format!("{children}?page_size=2")).await;
    assert_eq!(listed["type"], "block");
    assert_eq!(listed["has_more"], true);
    let cursor = listed["next_cursor"].as_str().unwrap();
    let (_, rest) = c.get(&format!("{children}?start_cursor={cursor}")).await;
    let text = |b: &Value| {
        b["paragraph"]["rich_text"][0]["plain_text"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let all: Vec<String> = listed["results"]
        .as_array()
        .unwrap()
        .iter()
        .chain(rest["results"].as_array().unwrap())
        .map(text)
        .collect();
    assert_eq!(all, ["one", "two", "three"]);

    let many: Vec<Value> = (0..101).map(|i| para(&i.to_string())).collect();
    let (status, _) = c.patch(&children, json!({"children": many})).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn two_way_relations_stay_in_sync() {
    let fake = FakeNotion::new(TOKEN);
    let c = Client::start(&fake).await;
    let (_, projects) = fake.create_data_source("Projects", json!({"Name": {"title": {}}}));
    let (_, tasks) = fake.create_data_source("Tasks", json!({"Name": {"title": {}}}));
    let (status, body) = c
        .patch(
            &format!("/v1/data_sources/{tasks}"),
            json!({"properties": {"Project": {"relation": {
                "data_source_id": projects, "type": "dual_property",
                "dual_property": {"synced_property_name": "Tasks"}}}}}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["properties"]["Project"]["relation"]["dual_property"]["synced_property_name"],
        "Tasks"
    );

    let (status, _) = c
        .patch(
            &format!("/v1/data_sources/{projects}"),
            json!({"properties": {"Tasks": {"name": "Open tasks"}}}),
        )
        .await;
    assert_eq!(status, 200);
    let (_, body) = c.get(&format!("/v1/data_sources/{tasks}")).await;
    let dual = &body["properties"]["Project"]["relation"]["dual_property"];
    assert_eq!(dual["synced_property_name"], "Open tasks");

    let project = fake.insert_page(&projects, title("P"));
    let task = fake.insert_page(&tasks, json!({"Project": {"relation": [{"id": project}]}}));
    let back = fake.page(&project).unwrap();
    assert_eq!(
        back["properties"]["Open tasks"]["relation"][0]["id"],
        task.as_str()
    );

    let (status, _) = c
        .patch(
            &format!("/v1/data_sources/{tasks}"),
            json!({"properties": {"Bad": {"relation": {"data_source_id": "00000000000000000000000000000000", "type": "single_property", "single_property": {}}}}}),
        )
        .await;
    assert_eq!(status, 400);
}

#[test]
fn serves_from_its_own_thread_with_a_rate_limit() {
    let fake = FakeNotion::new(TOKEN);
    let base = fake.start_on_thread();
    fake.set_rate_limit(Some(2.0));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let http = reqwest::Client::new();
        let mut statuses = Vec::new();
        let mut retry_after = None;
        for _ in 0..3 {
            let resp = http
                .get(format!("{base}/v1/users/me"))
                .bearer_auth(TOKEN)
                .header("Notion-Version", "2026-03-11")
                .send()
                .await
                .unwrap();
            statuses.push(resp.status().as_u16());
            if let Some(v) = resp.headers().get("retry-after") {
                retry_after = Some(v.to_str().unwrap().parse::<u64>().unwrap());
            }
        }
        assert_eq!(statuses, [200, 200, 429]);
        assert!(retry_after.unwrap() >= 1);
    });
}

fn new_task(ds: &str, name: &str) -> Value {
    json!({"parent": {"data_source_id": ds}, "properties": {
        "Name": {"title": [{"text": {"content": name}}]},
        "N": {"number": 1},
    }})
}

fn n_of(page: &Value) -> &Value {
    &page["properties"]["N"]["number"]
}

#[tokio::test]
async fn drop_after_apply_saves_the_write_but_the_client_sees_a_network_error() {
    let fake = FakeNotion::new(TOKEN);
    let ds = tasks(&fake);
    let c = Client::start(&fake).await;
    let send = |rb: reqwest::RequestBuilder| async move { rb.send().await?.bytes().await };

    fake.push_fault_for("POST", "/v1/pages", Fault::DropAfterApply);
    let created = send(
        c.request(reqwest::Method::POST, "/v1/pages")
            .json(&new_task(&ds, "a")),
    )
    .await;
    assert!(created.is_err(), "{created:?}");
    let pages = fake.pages_in(&ds);
    assert_eq!(pages.len(), 1, "the create landed");
    let id = pages[0]["id"].as_str().unwrap().to_string();

    fake.push_fault_for("PATCH", "/v1/pages/", Fault::DropAfterApply);
    let path = format!("/v1/pages/{id}");
    let edited = send(
        c.request(reqwest::Method::PATCH, &path)
            .json(&json!({"properties": {"N": {"number": 7}}})),
    )
    .await;
    assert!(edited.is_err(), "{edited:?}");
    assert_eq!(n_of(&fake.page(&id).unwrap()), 7, "the edit landed");

    let log = fake.requests();
    assert_eq!(log.iter().map(|r| r.status).collect::<Vec<_>>(), [0, 0]);
    assert!(log.iter().all(|r| r.answered.is_some()));
}

#[tokio::test]
async fn committed_unavailable_saves_the_write_and_names_what_was_saved() {
    let fake = FakeNotion::new(TOKEN);
    let ds = tasks(&fake);
    let c = Client::start(&fake).await;
    let guidance = json!([
        "Read the object again to confirm the saved change.",
        "Do not repeat the write."
    ]);

    fake.push_fault_for("POST", "/v1/pages", Fault::CommittedUnavailable);
    let (status, body) = c.post("/v1/pages", new_task(&ds, "a")).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (503, Some("service_unavailable"))
    );
    assert_eq!(
        body["message"],
        "The change was saved, but the response could not be built in time. Read the object again instead of repeating the write."
    );
    let data = &body["additional_data"];
    assert_eq!(
        data["from"],
        "publicApi.pageObjectPointerToPageObject.beforePreload"
    );
    assert_eq!(
        (data["elapsed_ms"].as_str(), data["deadline_ms"].as_str()),
        (Some("55012"), Some("55000"))
    );
    assert_eq!(data["retry_guidance"], guidance);
    let pages = fake.pages_in(&ds);
    assert_eq!(pages.len(), 1, "the create landed");
    let id = pages[0]["id"].as_str().unwrap().to_string();
    assert_eq!(data["committed_resource_id"], id.as_str());

    fake.push_fault_for("PATCH", "/v1/pages/", Fault::CommittedUnavailable);
    let path = format!("/v1/pages/{id}");
    let (status, body) = c
        .patch(&path, json!({"properties": {"N": {"number": 7}}}))
        .await;
    assert_eq!(status, 503);
    assert_eq!(
        body["additional_data"]["committed_resource_id"],
        id.as_str()
    );
    assert_eq!(n_of(&fake.page(&id).unwrap()), 7, "the edit landed");

    // A request that fails keeps its own error: nothing was saved.
    fake.push_fault_for("PATCH", "/v1/pages/", Fault::CommittedUnavailable);
    let (status, body) = c
        .patch(&path, json!({"properties": {"Missing": {"number": 1}}}))
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("validation_error"))
    );

    // Appended children: the parent and the new blocks.
    fake.push_fault(Fault::CommittedUnavailable);
    let paragraph = json!({"paragraph": {"rich_text": [{"text": {"content": "hi"}}]}});
    let (status, body) = c
        .patch(
            &format!("/v1/blocks/{id}/children"),
            json!({"children": [paragraph.clone(), paragraph]}),
        )
        .await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(
        body["additional_data"]["committed_resource_id"],
        id.as_str()
    );
    let (_, children) = c.get(&format!("/v1/blocks/{id}/children")).await;
    let child_ids: Vec<&Value> = children["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| &b["id"])
        .collect();
    assert_eq!(child_ids.len(), 2);
    assert_eq!(
        body["additional_data"]["committed_child_ids"],
        json!(child_ids)
    );

    // A database too.
    let page_parent = fake.create_workspace_page("Home");
    fake.push_fault_for("POST", "/v1/databases", Fault::CommittedUnavailable);
    let (status, body) = c
        .post(
            "/v1/databases",
            json!({"parent": {"type": "page_id", "page_id": page_parent},
                   "title": [{"text": {"content": "Saved"}}],
                   "initial_data_source": {"properties": {"Name": {"title": {}}}}}),
        )
        .await;
    assert_eq!(status, 503, "{body}");
    let db = body["additional_data"]["committed_resource_id"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, got) = c.get(&format!("/v1/databases/{db}")).await;
    assert_eq!((status, got["object"].as_str()), (200, Some("database")));
}

#[tokio::test]
async fn block_limit_refuses_creates_and_leaves_nothing() {
    let fake = FakeNotion::new(TOKEN);
    let ds = tasks(&fake);
    let c = Client::start(&fake).await;
    let refused = |status: u16, body: &Value| {
        assert_eq!(
            (status, body["code"].as_str()),
            (403, Some("restricted_resource")),
            "{body}"
        );
        assert_eq!(body["additional_data"]["block_limit"], "block_creation");
        assert!(body["message"].as_str().unwrap().contains("free blocks"));
    };

    fake.push_fault_for("POST", "/v1/pages", Fault::BlockLimit);
    let (status, body) = c.post("/v1/pages", new_task(&ds, "a")).await;
    refused(status, &body);
    assert!(fake.pages_in(&ds).is_empty());
    let (status, page) = c.post("/v1/pages", new_task(&ds, "b")).await;
    assert_eq!(status, 200, "the fault fires once");
    let id = page["id"].as_str().unwrap().to_string();

    fake.set_block_limit(true);
    for name in ["c", "d", "e"] {
        let (status, body) = c.post("/v1/pages", new_task(&ds, name)).await;
        refused(status, &body);
    }
    let (status, body) = c
        .patch(
            &format!("/v1/blocks/{id}/children"),
            json!({"children": [{"paragraph": {"rich_text": [{"text": {"content": "x"}}]}}]}),
        )
        .await;
    refused(status, &body);
    // Reads and property edits keep working.
    let (status, _) = c
        .patch(
            &format!("/v1/pages/{id}"),
            json!({"properties": {"N": {"number": 3}}}),
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = c
        .post(&format!("/v1/data_sources/{ds}/query"), json!({}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        fake.pages_in(&ds).len(),
        1,
        "nothing created under the limit"
    );

    fake.set_block_limit(false);
    let (status, _) = c.post("/v1/pages", new_task(&ds, "f")).await;
    assert_eq!(status, 200);
    assert_eq!(fake.pages_in(&ds).len(), 2);
}

#[tokio::test]
async fn conflict_and_rate_limit_bodies_are_notions() {
    let fake = FakeNotion::new(TOKEN);
    let c = Client::start(&fake).await;
    fake.push_fault(Fault::Status(409));
    let resp = c
        .request(reqwest::Method::GET, "/v1/users/me")
        .send()
        .await
        .unwrap();
    let header_id = resp.headers()["x-notion-request-id"]
        .to_str()
        .unwrap()
        .to_string();
    let body: Value = resp.json().await.unwrap();
    assert_eq!(
        body,
        json!({"object": "error", "status": 409, "code": "conflict_error",
               "message": "Conflict occurred while saving. Please try again.",
               "request_id": header_id})
    );

    fake.push_fault(Fault::RateLimited {
        retry_after_secs: 49,
    });
    let (status, body) = c.get("/v1/users/me").await;
    assert_eq!(status, 429);
    assert_eq!(
        body["additional_data"],
        json!({"rate_limit_reason": "public_api_request_rate_limit", "retry_after": "49"})
    );
}

#[tokio::test]
async fn the_log_says_when_each_request_came_and_was_answered() {
    let fake = FakeNotion::new(TOKEN);
    let c = Client::start(&fake).await;
    let before = std::time::SystemTime::now();
    fake.push_fault(Fault::Delay(Duration::from_millis(60)));
    let (status, _) = c.get("/v1/users/me").await;
    assert_eq!(status, 200);
    let (status, _) = c.get("/v1/users/me").await;
    assert_eq!(status, 200);
    let after = std::time::SystemTime::now();
    let log = fake.requests();
    let (slow, fast) = (&log[0], &log[1]);
    let answered = slow.answered.expect("answered");
    assert!(before <= slow.received && slow.received <= answered);
    assert!(answered.duration_since(slow.received).unwrap() >= Duration::from_millis(60));
    assert!(answered <= fast.received);
    assert!(fast.answered.unwrap() <= after);
}

#[tokio::test]
async fn a_client_tag_in_the_path_is_logged_and_stripped() {
    let fake = FakeNotion::new(TOKEN);
    let ds = tasks(&fake);
    let mut c = Client::start(&fake).await;
    c.base = format!("{}/c/alice-3", c.base);
    let (status, page) = c.post("/v1/pages", new_task(&ds, "a")).await;
    assert_eq!(status, 200, "{page}");
    let id = page["id"].as_str().unwrap();
    fake.push_fault_for("GET", "/v1/pages/", Fault::Status(500));
    let (status, _) = c
        .get(&format!("/v1/pages/{id}?filter_properties=title"))
        .await;
    assert_eq!(status, 500, "faults match the path without the tag");
    let (status, _) = c.get("/v1/nowhere").await;
    assert_eq!(status, 400);
    let log = fake.requests();
    let seen: Vec<(&str, Option<&str>, Option<&str>)> = log
        .iter()
        .map(|r| (r.path.as_str(), r.query.as_deref(), r.client.as_deref()))
        .collect();
    let page_path = format!("/v1/pages/{id}");
    assert_eq!(
        seen,
        [
            ("/v1/pages", None, Some("alice-3")),
            (
                page_path.as_str(),
                Some("filter_properties=title"),
                Some("alice-3")
            ),
            ("/v1/nowhere", None, Some("alice-3")),
        ]
    );
    fake.push_fault(Fault::Status(500));
    assert_eq!(fake.clear_faults(), 1);
    let (status, _) = c.get("/v1/users/me").await;
    assert_eq!(status, 200);
    assert_eq!(
        fake.requests().last().unwrap().client.as_deref(),
        Some("alice-3")
    );
}
