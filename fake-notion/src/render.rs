//! Stored objects → Notion's response JSON (key order as in the recorded fixtures).

use serde_json::{Map, Value, json};

use crate::ids;
use crate::state::{Block, DataSource, Database, Page, PageParent, Person, State, Version};
use crate::time::{fmt_offset, fmt_z};
use crate::values::empty_value;

/// Relations show this many ids in page objects; the rest come from the property item endpoint.
pub const RELATION_PREVIEW: usize = 25;

/// How a page is shown.
#[derive(Debug, Clone, Copy)]
pub struct PageView<'a> {
    pub version: Version,
    /// `None` shows complete relations (the inspection API).
    pub relation_limit: Option<usize>,
    /// Query and search results name the database in a data source parent; single-page
    /// responses do not (notes §5).
    pub parent_database: bool,
    /// Only these property ids (`filter_properties`, or the title alone in lists on
    /// 2026-12-01); `None` shows every property.
    pub only: Option<&'a [String]>,
}

pub fn url_of(id: &str) -> String {
    format!("https://app.notion.com/p/{}", ids::compact(id))
}

fn push_archived(obj: &mut Value, version: Version, in_trash: bool) {
    if version.shows_archived() {
        obj["archived"] = json!(in_trash);
    }
}

/// The value a page shows for one schema property (relations complete).
pub fn prop_value(st: &State, page: &Page, prop: &crate::state::PropSchema) -> Value {
    let stored = page.props.get(&prop.id);
    match prop.kind.as_str() {
        "created_time" => json!(fmt_z(page.created)),
        "last_edited_time" => json!(fmt_z(page.edited)),
        "created_by" | "last_edited_by" => stored.cloned().unwrap_or_else(|| st.user_ref()),
        "unique_id" => stored.cloned().unwrap_or_else(
            || json!({"prefix": prop.config["prefix"], "number": page.unique_number}),
        ),
        _ => stored.cloned().unwrap_or_else(|| empty_value(prop)),
    }
}

/// A person user in full. A nameless one shows `null` where the version allows it, and
/// `""` before (a string was all older versions promised).
pub fn render_person(person: &Person, version: Version) -> Value {
    let name = match &person.name {
        Some(n) => json!(n),
        None if version.null_person_names() => Value::Null,
        None => json!(""),
    };
    json!({
        "object": "user",
        "id": person.id,
        "name": name,
        "avatar_url": null,
        "type": "person",
        "person": {},
    })
}

/// Users in a value of `kind` (people, created_by, last_edited_by) in full when they are
/// seeded persons; other values and unknown users unchanged.
pub fn expand_users(st: &State, kind: &str, value: Value, version: Version) -> Value {
    let one = |user: &Value| {
        user["id"]
            .as_str()
            .and_then(|id| st.people.iter().find(|p| p.id == id))
            .map_or_else(|| user.clone(), |p| render_person(p, version))
    };
    match kind {
        "people" => match value {
            Value::Array(items) => Value::Array(items.iter().map(one).collect()),
            other => other,
        },
        "created_by" | "last_edited_by" => one(&value),
        _ => value,
    }
}

/// A page's `parent`; `with_database` adds `database_id` to a data source parent.
pub fn page_parent(page: &Page, with_database: bool) -> Value {
    match &page.parent {
        PageParent::DataSource {
            data_source_id,
            database_id,
        } => {
            let mut p = json!({"type": "data_source_id", "data_source_id": data_source_id});
            if with_database {
                p["database_id"] = json!(database_id);
            }
            p
        }
        PageParent::Page(id) => json!({"type": "page_id", "page_id": id}),
        PageParent::Workspace => json!({"type": "workspace", "workspace": true}),
    }
}

/// The id of the title property of a page's schema (`title` outside data sources).
pub fn title_id<'a>(st: &'a State, page: &Page) -> &'a str {
    match &page.parent {
        PageParent::DataSource { data_source_id, .. } => st
            .data_sources
            .get(data_source_id)
            .and_then(|ds| ds.props.iter().find(|p| p.kind == "title"))
            .map_or("title", |p| p.id.as_str()),
        _ => "title",
    }
}

/// The title rich text of any page.
pub fn page_title(st: &State, page: &Page) -> Value {
    page.props
        .get(title_id(st, page))
        .cloned()
        .unwrap_or(json!([]))
}

pub fn render_page(st: &State, page: &Page, view: PageView) -> Value {
    let parent = page_parent(page, view.parent_database);
    let mut properties = Map::new();
    match &page.parent {
        PageParent::DataSource { data_source_id, .. } => {
            if let Some(ds) = st.data_sources.get(data_source_id) {
                for prop in &ds.props {
                    if view.only.is_some_and(|only| !only.contains(&prop.id)) {
                        continue;
                    }
                    let mut envelope = json!({"id": prop.id, "type": prop.kind});
                    let value =
                        expand_users(st, &prop.kind, prop_value(st, page, prop), view.version);
                    if prop.kind == "relation" {
                        let all = value.as_array().cloned().unwrap_or_default();
                        let limit = view.relation_limit.unwrap_or(usize::MAX);
                        let has_more = all.len() > limit;
                        envelope["relation"] = Value::Array(all.into_iter().take(limit).collect());
                        envelope["has_more"] = json!(has_more);
                    } else {
                        envelope[prop.kind.as_str()] = value;
                    }
                    properties.insert(prop.name.clone(), envelope);
                }
            }
            if view.only.is_none() {
                for (name, raw) in &page.extra {
                    properties.insert(name.clone(), raw.clone());
                }
            }
        }
        _ if view
            .only
            .is_some_and(|only| !only.iter().any(|id| id == "title")) => {}
        _ => {
            let title = page.props.get("title").cloned().unwrap_or(json!([]));
            properties.insert(
                "title".into(),
                json!({"id": "title", "type": "title", "title": title}),
            );
        }
    }
    let mut obj = json!({
        "object": "page",
        "id": page.id,
        "created_time": fmt_z(page.created),
        "last_edited_time": fmt_z(page.edited),
        "created_by": st.user_ref(),
        "last_edited_by": st.user_ref(),
        "cover": page.cover,
        "icon": page.icon,
        "parent": parent,
        "in_trash": page.in_trash,
        // Archived is a state of its own, not trash (notes §4).
        "is_archived": page.is_archived,
        "is_locked": page.is_locked,
        "properties": properties,
        "url": url_of(&page.id),
        "public_url": null,
    });
    push_archived(&mut obj, view.version, page.in_trash);
    obj
}

pub fn render_schema(ds: &DataSource) -> Value {
    let mut properties = Map::new();
    for p in &ds.props {
        let mut v =
            json!({"id": p.id, "name": p.name, "description": p.description, "type": p.kind});
        v[p.kind.as_str()] = if p.config.is_null() {
            json!({})
        } else {
            p.config.clone()
        };
        properties.insert(p.name.clone(), v);
    }
    Value::Object(properties)
}

pub fn render_data_source(st: &State, ds: &DataSource, version: Version) -> Value {
    let db = st.databases.get(&ds.database_id);
    let mut obj = json!({
        "object": "data_source",
        "id": ds.id,
        "cover": null,
        "icon": ds.icon,
        "created_time": fmt_z(ds.created),
        "created_by": st.user_ref(),
        "last_edited_by": st.user_ref(),
        "last_edited_time": fmt_z(ds.edited),
        "title": ds.title,
        "description": ds.description,
        "is_inline": db.is_some_and(|d| d.is_inline),
        "properties": render_schema(ds),
        "parent": {"type": "database_id", "database_id": ds.database_id},
        "database_parent": db.map(|d| d.parent.clone()).unwrap_or(Value::Null),
        "url": url_of(&ds.database_id),
        "public_url": null,
        "in_trash": ds.in_trash,
    });
    push_archived(&mut obj, version, ds.in_trash);
    obj
}

pub fn render_database(st: &State, db: &Database, version: Version) -> Value {
    let sources: Vec<Value> = db
        .data_sources
        .iter()
        .filter_map(|id| st.data_sources.get(id))
        .map(|ds| json!({"id": ds.id, "name": ds.plain_title()}))
        .collect();
    let mut obj = json!({
        "object": "database",
        "id": db.id,
        "title": db.title,
        "description": db.description,
        "parent": db.parent,
        "is_inline": db.is_inline,
        "in_trash": db.in_trash,
        "is_locked": false,
        "created_time": fmt_offset(db.created),
        "last_edited_time": fmt_offset(db.edited),
        "data_sources": sources,
        "icon": db.icon,
        "cover": db.cover,
        "url": url_of(&db.id),
        "public_url": null,
    });
    push_archived(&mut obj, version, db.in_trash);
    obj
}

pub fn render_block(st: &State, block: &Block, version: Version) -> Value {
    let has_children = st.children.get(&block.id).is_some_and(|c| !c.is_empty());
    let (parent_kind, parent_id) = &block.parent;
    let mut obj = json!({
        "object": "block",
        "id": block.id,
        "parent": {"type": parent_kind},
        "created_time": fmt_z(block.created),
        "last_edited_time": fmt_z(block.edited),
        "created_by": st.user_ref(),
        "last_edited_by": st.user_ref(),
        "has_children": has_children,
        "in_trash": block.in_trash,
        "type": block.kind,
    });
    obj["parent"][*parent_kind] = json!(parent_id);
    obj[block.kind.as_str()] = block.content.clone();
    push_archived(&mut obj, version, block.in_trash);
    obj
}

/// A Notion list object (`type` names the element kind: `block`, `page_or_data_source`, ...).
pub fn list(results: Vec<Value>, next_cursor: Option<String>, kind: &str) -> Value {
    let mut obj = json!({
        "object": "list",
        "results": results,
        "next_cursor": next_cursor,
        "has_more": next_cursor.is_some(),
        "type": kind,
    });
    obj[kind] = json!({});
    obj
}
