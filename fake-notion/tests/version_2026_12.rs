//! Notion-Version 2026-12-01 (notion-api-notes §1): lists show only the title unless
//! `filter_properties` asks for more, and a person may have no name.

mod common;

use common::{Client, TOKEN, property_names, result_ids, title};
use fake_notion::FakeNotion;
use serde_json::{Value, json};

const V12: &str = "2026-12-01";

/// A data source with a title and two more properties, one page, and the schema ids.
struct Seeded {
    ds: String,
    page: String,
    n_id: String,
    notes_id: String,
}

fn seed(fake: &FakeNotion) -> Seeded {
    let (_, ds) = fake.create_data_source(
        "Tasks",
        json!({"Name": {"title": {}}, "N": {"number": {}}, "Notes": {"rich_text": {}}}),
    );
    let mut props = title("one");
    props["N"] = json!({"number": 7});
    props["Notes"] = json!({"rich_text": [{"text": {"content": "x"}}]});
    let page = fake.insert_page(&ds, props);
    let shown = fake.page(&page).unwrap();
    let id_of = |name: &str| {
        shown["properties"][name]["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    Seeded {
        n_id: id_of("N"),
        notes_id: id_of("Notes"),
        ds,
        page,
    }
}

/// A page object without the parts that may differ between two reads.
fn without_properties(page: &Value) -> Value {
    let mut p = page.clone();
    p.as_object_mut().unwrap().remove("properties");
    p
}

#[tokio::test]
async fn lists_show_only_the_title_without_filter_properties() {
    let fake = FakeNotion::new(TOKEN);
    let s = seed(&fake);
    let c = Client::start(&fake).await;
    let v12 = c.on_version(V12);
    let query = format!("/v1/data_sources/{}/query", s.ds);

    let (status, old) = c.post(&query, json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(property_names(&old["results"][0]), ["Name", "N", "Notes"]);

    let (status, new) = v12.post(&query, json!({})).await;
    assert_eq!(status, 200, "{new}");
    let row = &new["results"][0];
    assert_eq!(property_names(row), ["Name"]);
    assert_eq!(
        row["properties"]["Name"],
        old["results"][0]["properties"]["Name"]
    );
    // Every other field is as on 2026-03-11 (in_trash, no archived, position shapes).
    assert_eq!(
        without_properties(row),
        without_properties(&old["results"][0])
    );
    assert!(row.get("archived").is_none());

    let (_, found) = v12
        .post(
            "/v1/search",
            json!({"filter": {"property": "object", "value": "page"}}),
        )
        .await;
    assert_eq!(result_ids(&found), [s.page.as_str()]);
    assert_eq!(property_names(&found["results"][0]), ["Name"]);
    let (_, found) = c
        .post(
            "/v1/search",
            json!({"filter": {"property": "object", "value": "page"}}),
        )
        .await;
    assert_eq!(property_names(&found["results"][0]), ["Name", "N", "Notes"]);

    // A single page is not a list: retrieving it shows everything.
    let (_, one) = v12.get(&format!("/v1/pages/{}", s.page)).await;
    assert_eq!(property_names(&one), ["Name", "N", "Notes"]);
}

#[tokio::test]
async fn filter_properties_lists_exactly_the_named_properties() {
    let fake = FakeNotion::new(TOKEN);
    let s = seed(&fake);
    let c = Client::start(&fake).await.on_version(V12);
    let query = format!("/v1/data_sources/{}/query", s.ds);
    assert!(
        s.n_id.contains('%') && s.notes_id.contains('%'),
        "ids to encode"
    );

    // By encoded id in the `[]` form (the id passed through once more encoded, as a
    // query-string encoder does), and by name in the plain form.
    let rb = c
        .request(reqwest::Method::POST, &query)
        .query(&[
            ("filter_properties[]", s.n_id.as_str()),
            ("filter_properties", "Notes"),
        ])
        .json(&json!({}));
    let (status, body) = c.send(rb).await;
    assert_eq!(status, 200, "{body}");
    // The title is not added: a list shows what it asked for and nothing else.
    assert_eq!(property_names(&body["results"][0]), ["N", "Notes"]);
    assert_eq!(body["results"][0]["properties"]["N"]["number"], 7);

    // The schema id written into the query string as Notion gave it (`%3C…`) matches too.
    let (status, body) = c
        .post(
            &format!(
                "{query}?filter_properties[]=title&filter_properties[]={}",
                s.notes_id
            ),
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(property_names(&body["results"][0]), ["Name", "Notes"]);

    // Search takes filter_properties in the query string as well.
    let rb = c
        .request(reqwest::Method::POST, "/v1/search")
        .query(&[("filter_properties[]", "N")])
        .json(&json!({"filter": {"property": "object", "value": "page"}}));
    let (_, body) = c.send(rb).await;
    assert_eq!(property_names(&body["results"][0]), ["N"]);

    let (status, body) = c
        .post(&format!("{query}?filter_properties=Missing"), json!({}))
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("validation_error"))
    );
}

#[tokio::test]
async fn the_2026_12_version_speaks_the_2026_03_shapes() {
    let fake = FakeNotion::new(TOKEN);
    let s = seed(&fake);
    let c = Client::start(&fake).await.on_version(V12);
    let (status, body) = c
        .patch(&format!("/v1/pages/{}", s.page), json!({"archived": true}))
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("validation_error"))
    );
    let (status, body) = c
        .patch(&format!("/v1/pages/{}", s.page), json!({"in_trash": true}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["in_trash"], true);

    let parent = fake.create_workspace_page("Log");
    let para = |t: &str| json!({"paragraph": {"rich_text": [{"text": {"content": t}}]}});
    let path = format!("/v1/blocks/{parent}/children");
    let (status, _) = c.patch(&path, json!({"children": [para("b")]})).await;
    assert_eq!(status, 200);
    let (status, _) = c
        .patch(
            &path,
            json!({"children": [para("a")], "position": {"type": "start"}}),
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = c
        .patch(&path, json!({"children": [para("c")], "after": parent}))
        .await;
    assert_eq!(status, 400);
    let (_, listed) = c.get(&path).await;
    let texts: Vec<&str> = listed["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            b["paragraph"]["rich_text"][0]["plain_text"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert_eq!(texts, ["a", "b"]);
}

#[tokio::test]
async fn a_person_without_a_name_shows_null_on_2026_12() {
    let fake = FakeNotion::new(TOKEN);
    let nameless = "11111111-1111-4111-8111-111111111111";
    let ada = "22222222-2222-4222-8222-222222222222";
    fake.add_person(nameless, None);
    fake.add_person(ada, Some("Ada"));
    let (_, ds) = fake.create_data_source(
        "Tasks",
        json!({"Name": {"title": {}}, "Owner": {"people": {}}}),
    );
    let mut props = title("t");
    props["Owner"] =
        json!({"people": [{"object": "user", "id": nameless}, {"object": "user", "id": ada}]});
    let page = fake.insert_page(&ds, props);
    let c = Client::start(&fake).await;
    let v12 = c.on_version(V12);

    let names = |page: &Value| -> Vec<Value> {
        page["properties"]["Owner"]["people"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["name"].clone())
            .collect()
    };
    let (_, new) = v12.get(&format!("/v1/pages/{page}")).await;
    assert_eq!(names(&new), [Value::Null, json!("Ada")]);
    assert_eq!(new["properties"]["Owner"]["people"][0]["type"], "person");
    let (_, old) = c.get(&format!("/v1/pages/{page}")).await;
    assert_eq!(names(&old), [json!(""), json!("Ada")]);

    let (status, user) = v12.get(&format!("/v1/users/{nameless}")).await;
    assert_eq!(status, 200);
    assert_eq!(user["name"], Value::Null);
    let (_, users) = v12.get("/v1/users").await;
    assert_eq!(users["results"].as_array().unwrap().len(), 3);
    assert_eq!(users["results"][1]["name"], Value::Null);
    assert_eq!(users["results"][2]["name"], "Ada");

    let owner_id = new["properties"]["Owner"]["id"].as_str().unwrap();
    let (_, items) = v12
        .get(&format!("/v1/pages/{page}/properties/{owner_id}"))
        .await;
    assert_eq!(items["results"][0]["people"]["name"], Value::Null);
}
