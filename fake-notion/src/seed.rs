//! Direct seeding, without HTTP: test fixtures and the "Every Type" workspace.

use serde_json::{Value, json};

use crate::ops::databases::create_database_with;
use crate::ops::pages::{convert_properties, insert_into_data_source};
use crate::state::State;
use crate::values::rich_text_of;

pub fn create_data_source(st: &mut State, title: &str, properties: &Value) -> (String, String) {
    let parent = json!({"type": "workspace", "workspace": true});
    create_database_with(st, parent, rich_text_of(title), properties, true)
        .unwrap_or_else(|e| panic!("create_data_source({title:?}): {}", e.message))
}

pub fn insert_page(st: &mut State, ds_id: &str, properties: &Value) -> String {
    let ds_id = crate::ids::normalize(ds_id).unwrap_or_else(|| ds_id.to_string());
    let (schema, values) = convert_properties(st, &ds_id, properties, "properties")
        .unwrap_or_else(|e| panic!("insert_page: {}", e.message));
    insert_into_data_source(st, &ds_id, schema, values, Vec::new(), Vec::new())
        .unwrap_or_else(|e| panic!("insert_page: {}", e.message))
}

/// Values given in response shape are stored without conversion: a schema property keeps
/// the part under its type key, a name the schema lacks is shown verbatim.
pub fn insert_page_raw(st: &mut State, ds_id: &str, properties: &Value) -> String {
    let ds_id = crate::ids::normalize(ds_id).unwrap_or_else(|| ds_id.to_string());
    let ds = st
        .data_source(&ds_id)
        .unwrap_or_else(|e| panic!("insert_page_raw: {}", e.message));
    let schema = ds.props.clone();
    let (mut raw, mut extra) = (Vec::new(), Vec::new());
    for (key, envelope) in properties.as_object().into_iter().flatten() {
        match ds.prop(key) {
            Some(prop) => {
                let value = envelope
                    .get(&prop.kind)
                    .cloned()
                    .unwrap_or_else(|| envelope.clone());
                raw.push((prop.id.clone(), value));
            }
            None => extra.push((key.clone(), envelope.clone())),
        }
    }
    insert_into_data_source(st, &ds_id, schema, Vec::new(), raw, extra)
        .unwrap_or_else(|e| panic!("insert_page_raw: {}", e.message))
}

/// A data source with every property type of notes §5 (plus a future `place` type) and
/// one page with a value in each, its relation holding 30 pages of a second data source.
pub fn every_type(st: &mut State) -> (String, String) {
    let (_, targets) =
        create_data_source(st, "Every Type Targets", &json!({"Name": {"title": {}}}));
    let (_, ds) = create_data_source(
        st,
        "Every Type",
        &json!({
            "Name": {"title": {}},
            "Notes": {"rich_text": {}},
            "Amount": {"number": {"format": "dollar"}},
            "Kind": {"select": {"options": [{"name": "Bug", "color": "red"}, {"name": "Feature", "color": "blue"}]}},
            "Tags": {"multi_select": {"options": [{"name": "alpha", "color": "green"}, {"name": "beta"}]}},
            "State": {"status": {}},
            "Due": {"date": {}},
            "Owner": {"people": {}},
            "Related": {"relation": {"data_source_id": targets, "type": "dual_property", "dual_property": {"synced_property_name": "Every Type"}}},
            "Done": {"checkbox": {}},
            "Link": {"url": {}},
            "Mail": {"email": {}},
            "Tel": {"phone_number": {}},
            "Files": {"files": {}},
            "Calc": {"formula": {"expression": "prop(\"Amount\") * 2"}},
            "Count": {"rollup": {"relation_property_name": "Related", "rollup_property_name": "Name", "function": "count"}},
            "Created": {"created_time": {}},
            "Edited": {"last_edited_time": {}},
            "Creator": {"created_by": {}},
            "Editor": {"last_edited_by": {}},
            "Key": {"unique_id": {"prefix": "ET"}},
            "Where": {"place": {}},
        }),
    );
    let related: Vec<Value> = (1..=30)
        .map(|i| {
            let id = insert_page(
                st,
                &targets,
                &json!({"Name": {"title": [{"text": {"content": format!("Target {i}")}}]}}),
            );
            json!({"id": id})
        })
        .collect();
    let page = insert_page(
        st,
        &ds,
        &json!({
            "Name": {"title": [{"text": {"content": "Every type page"}}]},
            "Notes": {"rich_text": [{"text": {"content": "Some "}}, {"text": {"content": "bold", "link": {"url": "https://example.com"}}, "annotations": {"bold": true}}]},
            "Amount": {"number": 1234.5},
            "Kind": {"select": {"name": "Bug"}},
            "Tags": {"multi_select": [{"name": "alpha"}, {"name": "beta"}]},
            "State": {"status": {"name": "In progress"}},
            "Due": {"date": {"start": "2026-07-04", "end": "2026-07-05"}},
            "Owner": {"people": [{"object": "user", "id": st.bot_id.clone()}]},
            "Related": {"relation": related},
            "Done": {"checkbox": true},
            "Link": {"url": "https://example.com/every-type"},
            "Mail": {"email": "every@example.com"},
            "Tel": {"phone_number": "+1 555 0100"},
            "Files": {"files": [{"name": "spec.pdf", "external": {"url": "https://example.com/spec.pdf"}}]},
        }),
    );
    // The read-only and unknown types only Notion computes are set as stored values.
    let ds_ref = st.data_source(&ds).expect("just created");
    let raw_ids: Vec<(String, Value)> = [
        ("Calc", json!({"type": "number", "number": 2469})),
        ("Count", json!({"type": "number", "number": 30, "function": "count"})),
        ("Where", json!({"lat": 52.3676, "lon": 4.9041, "name": "Amsterdam", "address": "Dam 1, Amsterdam"})),
    ]
    .into_iter()
    .map(|(name, v)| (ds_ref.prop(name).expect("seeded property").id.clone(), v))
    .collect();
    let p = st.page_mut(&page).expect("just created");
    p.props.extend(raw_ids);
    (ds, page)
}

/// A page at the top of the workspace (the kind of page `hsn setup` builds under).
pub fn workspace_page(st: &mut State, title: &str) -> String {
    let now = st.now_minute();
    let seq = st.next_seq();
    let id = crate::ids::new_id();
    st.push_page(crate::state::Page {
        id: id.clone(),
        seq,
        parent: crate::state::PageParent::Workspace,
        props: [("title".to_string(), rich_text_of(title))]
            .into_iter()
            .collect(),
        extra: Vec::new(),
        created: now,
        edited: now,
        in_trash: false,
        is_archived: false,
        is_locked: false,
        icon: Value::Null,
        cover: Value::Null,
        unique_number: 0,
    });
    id
}

/// Makes a database and its data sources unreachable, as when a user stops sharing it
/// with the integration: Notion then answers 404 for both.
pub fn unshare_database(st: &mut State, database_id: &str) {
    let id = crate::ids::normalize(database_id).unwrap_or_else(|| database_id.to_string());
    if let Some(db) = st.databases.remove(&id) {
        for ds in db.data_sources {
            st.data_sources.remove(&ds);
        }
    }
}
