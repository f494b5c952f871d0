//! Every real Notion response body in `tests/fixtures/notion/` (copied from
//! `shared/fixtures/notion/`, see its README for sources) parses with the client's types,
//! and the values read are the ones in the file.

use hsn::notion::{
    Block, DataSource, Database, ErrorCode, ListPage, NotionError, Page, PropertyValue, User,
};
use serde_json::Value;

fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/notion/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap()
}

fn error_from(name: &str) -> NotionError {
    let body = serde_json::to_vec(&fixture(name)).unwrap();
    let status = fixture(name)["status"].as_u64().unwrap() as u16;
    NotionError::from_response(status, None, None, &body)
}

#[test]
fn database_create_lists_its_data_source_and_reads_offset_timestamps() {
    let database = Database::from_json(fixture("sdkpy_database_create.json")).unwrap();
    assert_eq!(database.id, "3d0982b9-f958-41d0-8437-cf2e00981c7f");
    assert_eq!(database.title, "Test Database");
    assert_eq!(database.parent.kind, "page_id");
    assert_eq!(
        database.parent.page_id.as_deref(),
        Some("393abc1e-edcd-81e8-95dc-ec52a3110c68")
    );
    assert_eq!(database.data_sources.len(), 1);
    assert_eq!(
        database.data_sources[0].id,
        "56dd91f4-1705-4ba1-9472-255b785b9929"
    );
    assert!(!database.in_trash);
    // `+00:00` with milliseconds, the database form of a timestamp.
    let created: chrono::DateTime<chrono::Utc> =
        serde_json::from_value(database.raw["created_time"].clone()).unwrap();
    assert_eq!(created.to_rfc3339(), "2026-07-04T09:08:53.017+00:00");
}

#[test]
fn data_source_schema_and_parent() {
    let source = DataSource::from_json(fixture("sdkpy_data_source_retrieve.json")).unwrap();
    assert_eq!(source.id, "393abc1e-edcd-8179-9372-000bd163e729");
    assert_eq!(
        source.title,
        "Test Data Source - 2026-07-04 11:09:14.284382"
    );
    assert_eq!(
        source.database_id(),
        Some("3e631832-5efa-4702-8171-8b8a0e6651ba")
    );
    let name = source.property("Name").unwrap();
    assert_eq!((name.id.as_str(), name.kind.as_str()), ("title", "title"));
    assert_eq!(name.description, None);
}

#[test]
fn data_source_with_every_type_keeps_ids_options_relations_and_groups() {
    let source =
        DataSource::from_json(fixture("hkob_data_source_retrieve_all_types.json")).unwrap();
    assert_eq!(source.title, "Sample table");
    assert_eq!(source.properties.len(), 24);
    let select = source.property("SelectTitle").unwrap();
    assert_eq!(
        select.id, "zE%7C%3F",
        "ids stay URL-encoded as Notion gives them"
    );
    assert_eq!(select.option_names()[0], "Select 1");
    let status = source.property("StatusTitle").unwrap();
    assert_eq!(status.kind, "status");
    assert_eq!(status.option_names()[0], "Not started");
    assert!(status.config["groups"].as_array().unwrap().len() >= 3);
    let relation = source.property("RelationTitle").unwrap();
    assert_eq!(
        relation.relation_target(),
        Some("f0a1bf33-7ff0-4d24-b5b6-efb3ea006b15")
    );
    assert_eq!(relation.config["type"], "dual_property");
    assert_eq!(source.property("ID").unwrap().config["prefix"], "ST");
    assert_eq!(
        source.property("NumberTitle").unwrap().config["format"],
        "number_with_commas"
    );
}

#[test]
fn page_retrieve_reads_title_trash_and_times() {
    let page = Page::from_json(fixture("sdkpy_page_retrieve.json")).unwrap();
    assert_eq!(page.id, "393abc1e-edcd-81f5-ae94-ec2d55fe98ed");
    assert_eq!(page.title(), "Test 2026-07-04 11:08:14.736683");
    assert!(!page.in_trash);
    assert_eq!(page.created_time.to_rfc3339(), "2026-07-04T09:08:00+00:00");
    assert_eq!(
        page.created_by.as_ref().unwrap().id,
        "7775f3a3-893f-43fa-b625-460c61094c78"
    );
    assert_eq!(
        page.parent.page_id.as_deref(),
        Some("393abc1e-edcd-80f3-813b-e205934558c6")
    );
    let title = page.property("title").unwrap();
    assert_eq!(title.id, "title");
    assert!(matches!(&title.value, PropertyValue::Title(t) if t.len() == 1));
}

#[test]
fn property_item_list_of_a_title() {
    let list: ListPage = serde_json::from_value(fixture("sdkpy_property_item_title.json")).unwrap();
    assert!(!list.has_more);
    assert_eq!(list.results.len(), 1);
    let item = &list.results[0];
    assert_eq!(item["object"], "property_item");
    let text: hsn::notion::RichText = serde_json::from_value(item["title"].clone()).unwrap();
    assert_eq!(text.plain_text, "Test 2026-07-04 11:08:21.300571");
}

#[test]
fn block_children_list_with_more_to_come() {
    let list: ListPage =
        serde_json::from_value(fixture("sdkpy_block_children_list_has_more.json")).unwrap();
    assert!(list.has_more);
    assert_eq!(
        list.next_cursor.as_deref(),
        Some("393abc1e-edcd-817b-900d-c75ec8d2f272")
    );
    let blocks: Vec<Block> = list
        .results
        .into_iter()
        .map(|raw| Block::from_json(raw).unwrap())
        .collect();
    assert_eq!(blocks.len(), 2);
    assert_eq!(blocks[0].kind, "paragraph");
    assert_eq!(blocks[0].plain_text(), "paragraph 0");
    assert!(!blocks[0].has_children);
}

#[test]
fn search_results_are_pages_under_the_workspace() {
    let list: ListPage = serde_json::from_value(fixture("sdkpy_search.json")).unwrap();
    assert!(!list.has_more);
    let page = Page::from_json(list.results[0].clone()).unwrap();
    assert_eq!(page.id, "393abc1e-edcd-80f3-813b-e205934558c6");
    assert_eq!(page.parent.kind, "workspace");
    assert_eq!(page.parent.workspace, Some(true));
    assert_eq!(
        page.last_edited_time.to_rfc3339(),
        "2026-07-04T09:11:00+00:00"
    );
}

#[test]
fn users_me_is_the_bot_with_its_workspace() {
    let me: User = serde_json::from_value(fixture("sdkpy_users_me.json")).unwrap();
    assert_eq!(me.id, "7775f3a3-893f-43fa-b625-460c61094c78");
    assert_eq!(me.kind.as_deref(), Some("bot"));
    assert_eq!(me.workspace_name(), Some("notion-sdk-py"));
}

#[test]
fn error_bodies_carry_code_message_and_request_id() {
    let unauthorized = error_from("sdkpy_error_401_unauthorized.json");
    assert_eq!(unauthorized.status(), Some(401));
    assert_eq!(unauthorized.code(), Some(&ErrorCode::Unauthorized));
    assert_eq!(
        unauthorized.to_string(),
        "Notion answered 401 unauthorized: API token is invalid. (request id 17359c46-ca0d-4156-be70-12a5eebc3346)"
    );

    let not_found = error_from("sdkpy_error_404_object_not_found.json");
    assert_eq!(not_found.code(), Some(&ErrorCode::ObjectNotFound));
    match &not_found {
        NotionError::Api {
            additional_data,
            request_id,
            ..
        } => {
            assert_eq!(
                additional_data.as_ref().unwrap()["integration_id"],
                "7775f3a3-893f-43fa-b625-460c61094c78"
            );
            assert_eq!(
                request_id.as_deref(),
                Some("55e80b46-6675-426f-9eb0-1fa1456e4103")
            );
        }
        other => panic!("expected an API error, got {other:?}"),
    }

    let invalid = error_from("hkob_error_400_validation.json");
    assert_eq!(invalid.code(), Some(&ErrorCode::ValidationError));
    assert!(
        invalid
            .to_string()
            .contains("path.data_source_id should be a valid uuid")
    );
    assert!(!invalid.is_retryable(true));
}
