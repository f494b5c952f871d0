//! `hsn query` as a real process against the fake Notion server.

use std::process::{Command, Output};

use fake_notion::FakeNotion;
use serde_json::{Value, json};

const TOKEN: &str = "ntn_cli_test_token_abcdefghijklmnopqrstuvwxyz";

/// Runs `hsn` in an empty directory (so no `.env` is read) against `base`.
fn hsn(base: &str, token: &str, args: &[&str]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    Command::new(env!("CARGO_BIN_EXE_hsn"))
        .args(args)
        .current_dir(dir.path())
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("NOTION_API_BASE", base)
        .env("NOTION_API_TOKEN", token)
        .output()
        .unwrap()
}

fn lines(output: &Output) -> Vec<Value> {
    assert!(
        output.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone())
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn text_of(items: &Value) -> String {
    items
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["plain_text"].as_str().unwrap())
        .collect()
}

/// What the contract says `hsn query` prints for one property value in Notion's shape.
/// Written independently of the client's own conversion, as the test's oracle.
fn expected_plain(property: &Value) -> Value {
    let kind = property["type"].as_str().unwrap();
    let body = &property[kind];
    let date = |d: &Value| {
        if d.is_null() {
            Value::Null
        } else {
            json!({"start": d["start"], "end": d["end"], "time_zone": d["time_zone"]})
        }
    };
    match kind {
        "title" | "rich_text" => json!(text_of(body)),
        "number" | "checkbox" | "url" | "email" | "phone_number" | "created_time"
        | "last_edited_time" => body.clone(),
        "select" | "status" => body.get("name").cloned().unwrap_or(Value::Null),
        "multi_select" => json!(
            body.as_array()
                .unwrap()
                .iter()
                .map(|o| o["name"].clone())
                .collect::<Vec<_>>()
        ),
        "date" => date(body),
        "people" | "relation" => json!(
            body.as_array()
                .unwrap()
                .iter()
                .map(|o| o["id"].clone())
                .collect::<Vec<_>>()
        ),
        "files" => json!(
            body.as_array()
                .unwrap()
                .iter()
                .map(|f| {
                    let t = f["type"].as_str().unwrap();
                    f[t]["url"].clone()
                })
                .collect::<Vec<_>>()
        ),
        "formula" => {
            let t = body["type"].as_str().unwrap();
            if t == "date" {
                date(&body[t])
            } else {
                body[t].clone()
            }
        }
        "rollup" => {
            let t = body["type"].as_str().unwrap();
            match t {
                "date" => date(&body[t]),
                "array" => json!(
                    body[t]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(expected_plain)
                        .collect::<Vec<_>>()
                ),
                _ => body[t].clone(),
            }
        }
        "created_by" | "last_edited_by" => body["id"].clone(),
        "unique_id" => match (body["prefix"].as_str(), body["number"].as_i64()) {
            (Some(prefix), Some(n)) => json!(format!("{prefix}-{n}")),
            (None, Some(n)) => json!(n),
            _ => Value::Null,
        },
        _ => property.clone(),
    }
}

#[test]
fn prints_every_property_type_as_its_plain_value() {
    let fake = FakeNotion::new(TOKEN);
    let base = fake.start_on_thread();
    let (source, page_id) = fake.seed_every_type();
    let output = hsn(&base, TOKEN, &["query", &source]);
    let printed = lines(&output);
    let line = printed
        .iter()
        .find(|l| l["id"] == json!(page_id))
        .expect("the every-type page is printed");

    let stored = fake.page(&page_id).unwrap();
    assert_eq!(line["created_time"], stored["created_time"]);
    assert_eq!(line["last_edited_time"], stored["last_edited_time"]);
    assert_eq!(line["url"], stored["url"]);
    let keys: Vec<&String> = line.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "id",
            "created_time",
            "last_edited_time",
            "url",
            "properties"
        ]
    );

    let stored_props = stored["properties"].as_object().unwrap();
    let printed_props = line["properties"].as_object().unwrap();
    assert_eq!(printed_props.len(), stored_props.len());
    let mut kinds = std::collections::BTreeSet::new();
    for (name, property) in stored_props {
        kinds.insert(property["type"].as_str().unwrap().to_string());
        assert_eq!(
            printed_props[name],
            expected_plain(property),
            "property {name}"
        );
    }
    for kind in [
        "title",
        "rich_text",
        "number",
        "select",
        "multi_select",
        "status",
        "date",
        "people",
        "relation",
        "checkbox",
        "url",
        "email",
        "phone_number",
        "files",
        "formula",
        "rollup",
        "created_time",
        "last_edited_time",
        "created_by",
        "last_edited_by",
        "unique_id",
    ] {
        assert!(
            kinds.contains(kind),
            "the seeded page lacks a {kind} property"
        );
    }
    let relation = stored_props
        .values()
        .find(|p| p["type"] == "relation" && p["relation"].as_array().unwrap().len() >= 25)
        .expect("a long relation");
    let name = stored_props.iter().find(|(_, p)| *p == relation).unwrap().0;
    assert_eq!(
        printed_props[name].as_array().unwrap().len(),
        30,
        "completed past 25"
    );
    assert!(
        kinds.iter().any(|k| ![
            "title",
            "rich_text",
            "number",
            "select",
            "multi_select",
            "status",
            "date",
            "people",
            "relation",
            "checkbox",
            "url",
            "email",
            "phone_number",
            "files",
            "formula",
            "rollup",
            "created_time",
            "last_edited_time",
            "created_by",
            "last_edited_by",
            "unique_id",
            "verification"
        ]
        .contains(&k.as_str())),
        "a type from the future is printed raw"
    );
}

#[test]
fn filter_sort_and_limit_are_passed_through() {
    let fake = FakeNotion::new(TOKEN);
    let base = fake.start_on_thread();
    let (_, source) = fake.create_data_source(
        "Tasks",
        json!({"Name": {"title": {}}, "Priority": {"select": {"options": [{"name": "High", "color": "red"}, {"name": "Low", "color": "blue"}]}}, "Rank": {"number": {}}}),
    );
    for (name, priority, rank) in [
        ("a", "High", 3),
        ("b", "Low", 1),
        ("c", "High", 2),
        ("d", "High", 1),
    ] {
        fake.insert_page(
            &source,
            json!({"Name": {"title": [{"text": {"content": name}}]}, "Priority": {"select": {"name": priority}}, "Rank": {"number": rank}}),
        );
    }
    let output = hsn(
        &base,
        TOKEN,
        &[
            "query",
            &source,
            "--filter",
            r#"{"property":"Priority","select":{"equals":"High"}}"#,
            "--sort",
            r#"{"property":"Rank","direction":"ascending"}"#,
            "--limit",
            "2",
        ],
    );
    let names: Vec<Value> = lines(&output)
        .iter()
        .map(|l| l["properties"]["Name"].clone())
        .collect();
    assert_eq!(names, vec![json!("d"), json!("c")]);
}

#[test]
fn a_database_id_stands_for_its_only_data_source() {
    let fake = FakeNotion::new(TOKEN);
    let base = fake.start_on_thread();
    let (database, source) = fake.create_data_source("Tasks", json!({"Name": {"title": {}}}));
    fake.insert_page(
        &source,
        json!({"Name": {"title": [{"text": {"content": "only"}}]}}),
    );
    let printed = lines(&hsn(&base, TOKEN, &["query", &database.replace('-', "")]));
    assert_eq!(printed.len(), 1);
    assert_eq!(printed[0]["properties"]["Name"], "only");
}

#[test]
fn errors_are_one_clear_line_without_the_token() {
    let fake = FakeNotion::new(TOKEN);
    let base = fake.start_on_thread();
    let (_, source) = fake.create_data_source("Tasks", json!({"Name": {"title": {}}}));

    let wrong = "ntn_wrong_token_that_must_never_show_up";
    let output = hsn(&base, wrong, &["query", &source]);
    assert!(!output.status.success());
    assert_eq!(
        stderr(&output),
        "hsn: Notion rejected the token (401 unauthorized)\n"
    );

    let missing = "0123abcd0123abcd0123abcd0123abcd";
    let output = hsn(&base, TOKEN, &["query", missing]);
    assert!(!output.status.success());
    assert_eq!(
        stderr(&output),
        "hsn: data source 0123abcd… not found or not shared with the integration (404)\n"
    );

    let output = hsn(&base, TOKEN, &["query", "WF-WELL-BOOK"]);
    assert!(!output.status.success());
    assert!(stderr(&output).contains("`WF-WELL-BOOK` is not a Notion id"));

    let output = hsn(&base, TOKEN, &["query", &source, "--filter", "{not json"]);
    assert!(stderr(&output).starts_with("hsn: --filter is not valid JSON"));

    let output = hsn(
        &base,
        TOKEN,
        &[
            "query",
            &source,
            "--filter",
            r#"{"property":"Nope","rich_text":{"equals":"x"}}"#,
        ],
    );
    assert!(!output.status.success());
    let text = stderr(&output);
    assert!(
        text.starts_with("hsn: Notion refused the request for data source"),
        "{text}"
    );
    assert!(text.contains("400 validation_error"), "{text}");
    assert_eq!(text.lines().count(), 1);

    let output = hsn(&base, "", &["query", &source]);
    assert!(stderr(&output).contains("NOTION_API_TOKEN is not set"));
    let output = hsn(&base, wrong, &["query", &source]);
    assert!(!stderr(&output).contains(wrong));
    assert!(output.stdout.is_empty());
}
