//! Block children: list and append (the audit log's storage).

use serde_json::{Map, Value, json};

use crate::error::{ApiError, ApiResult};
use crate::ids;
use crate::ops::Ctx;
use crate::render::{list, page_parent, page_title, render_block};
use crate::state::{Block, State, Version};
use crate::values;

/// A validated block to be created, with its own children.
#[derive(Debug)]
pub struct NewBlock {
    kind: String,
    content: Value,
    children: Vec<NewBlock>,
}

pub enum Position {
    Start,
    End,
    After(String),
}

/// Validates request blocks (≤ 100 per array, two levels per request) into [`NewBlock`]s.
pub fn prepare(children: &Value, path: &str, depth: usize) -> ApiResult<Vec<NewBlock>> {
    let items = children.as_array().ok_or_else(|| {
        ApiError::validation(format!(
            "body failed validation: {path} should be an array, instead was `{children}`."
        ))
    })?;
    if items.len() > 100 {
        return Err(ApiError::validation(format!(
            "body failed validation: {path}.length should be ≤ `100`, instead was `{}`.",
            items.len()
        )));
    }
    if depth >= 2 && !items.is_empty() {
        return Err(ApiError::validation(format!(
            "body failed validation: {path} nests blocks more than two levels deep in one request."
        )));
    }
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let p = format!("{path}[{i}]");
        let obj = item.as_object().ok_or_else(|| {
            ApiError::validation(format!("body failed validation: {p} should be an object."))
        })?;
        let kind = obj
            .get("type")
            .and_then(Value::as_str)
            .map(str::to_string)
            .or_else(|| obj.keys().find(|k| *k != "object" && *k != "type").cloned())
            .ok_or_else(|| {
                ApiError::validation(format!("body failed validation: {p} names no block type."))
            })?;
        let given = obj
            .get(&kind)
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let mut content = Map::new();
        let mut nested = Vec::new();
        for (k, v) in given {
            match k.as_str() {
                "rich_text" | "caption" => {
                    content.insert(
                        k.clone(),
                        values::rich_text(&v, &format!("{p}.{kind}.{k}"))?,
                    );
                }
                "children" => nested = prepare(&v, &format!("{p}.{kind}.children"), depth + 1)?,
                _ => {
                    content.insert(k, v);
                }
            }
        }
        if content.contains_key("rich_text") {
            if kind == "paragraph" {
                content.entry("icon").or_insert(Value::Null);
            }
            content.entry("color").or_insert(json!("default"));
        }
        out.push(NewBlock {
            kind,
            content: Value::Object(content),
            children: nested,
        });
    }
    Ok(out)
}

/// Stores blocks under `parent`; returns the ids of the first level, in order.
pub fn insert(
    st: &mut State,
    parent: (&'static str, &str),
    blocks: Vec<NewBlock>,
    at: Position,
) -> Vec<String> {
    let now = st.now_minute();
    let mut new_ids = Vec::new();
    for b in blocks {
        let id = ids::new_id();
        st.blocks.insert(
            id.clone(),
            Block {
                id: id.clone(),
                parent: (parent.0, parent.1.to_string()),
                kind: b.kind,
                content: b.content,
                created: now,
                edited: now,
                in_trash: false,
            },
        );
        insert(st, ("block_id", &id), b.children, Position::End);
        new_ids.push(id);
    }
    let siblings = st.children.entry(parent.1.to_string()).or_default();
    let index = match at {
        Position::Start => 0,
        Position::End => siblings.len(),
        Position::After(after) => siblings
            .iter()
            .position(|s| *s == after)
            .map_or(siblings.len(), |i| i + 1),
    };
    siblings.splice(index..index, new_ids.iter().cloned());
    new_ids
}

/// The kind of parent an id names, if it exists.
fn parent_kind(st: &State, id: &str) -> ApiResult<&'static str> {
    if st.page(id).is_some() {
        Ok("page_id")
    } else if st.blocks.contains_key(id) {
        Ok("block_id")
    } else {
        Err(ApiError::not_found("block", id))
    }
}

/// `GET /v1/blocks/{id}/children`; cursors are child block ids, as Notion's are.
pub fn list_children(st: &State, ctx: &Ctx, raw_id: &str) -> ApiResult {
    let id = ids::path_id("block_id", raw_id)?;
    parent_kind(st, &id)?;
    let size = ctx.page_size(100, 100)?;
    let children: Vec<&String> = st
        .children
        .get(&id)
        .map(|c| c.iter().filter(|b| !st.blocks[*b].in_trash).collect())
        .unwrap_or_default();
    let start = match ctx.start_cursor() {
        None => 0,
        Some(c) => {
            let c = ids::normalize(&c).unwrap_or(c);
            children.iter().position(|b| **b == c).ok_or_else(|| {
                ApiError::validation(format!(
                    "body failed validation: start_cursor `{c}` is not a child of this block."
                ))
            })?
        }
    };
    let end = (start + size).min(children.len());
    let results = children[start..end]
        .iter()
        .map(|b| render_block(st, &st.blocks[*b], ctx.version))
        .collect();
    let next = children.get(end).map(|b| (*b).clone());
    Ok(list(results, next, "block"))
}

/// `PATCH /v1/blocks/{id}/children`: `position` on 2026-03-11, `after` on 2025-09-03.
pub fn append_children(st: &mut State, ctx: &Ctx, raw_id: &str) -> ApiResult {
    let id = ids::path_id("block_id", raw_id)?;
    let kind = parent_kind(st, &id)?;
    let children = ctx.field("children").ok_or_else(|| {
        ApiError::validation(
            "body failed validation: body.children should be defined, instead was `undefined`.",
        )
    })?;
    let blocks = prepare(children, "body.children", 0)?;
    let after_id = |raw: &str| -> ApiResult<String> {
        ids::normalize(raw)
            .filter(|a| st.children.get(&id).is_some_and(|c| c.contains(a)))
            .ok_or_else(|| {
                ApiError::validation(format!("Block {raw} is not a child of block {id}."))
            })
    };
    let (after, position) = (ctx.field("after"), ctx.field("position"));
    let at = match ctx.version {
        Version::V2026_03_11 | Version::V2026_12_01 => {
            if after.is_some() {
                return Err(ApiError::validation(
                    "body failed validation: body.after should be not present, instead was given. Use `position` (Notion-Version 2026-03-11 and later).",
                ));
            }
            match position {
                None => Position::End,
                Some(p) => match p["type"].as_str() {
                    Some("end") => Position::End,
                    Some("start") => Position::Start,
                    Some("after_block") => Position::After(after_id(
                        p["after_block"]["id"].as_str().unwrap_or_default(),
                    )?),
                    _ => {
                        return Err(ApiError::validation(format!(
                            "body failed validation: body.position.type should be `\"start\"`, `\"end\"` or `\"after_block\"`, instead was `{}`.",
                            p["type"]
                        )));
                    }
                },
            }
        }
        Version::V2025_09_03 => {
            if position.is_some() {
                return Err(ApiError::validation(
                    "body failed validation: body.position should be not present, instead was given. Use `after` (Notion-Version 2025-09-03).",
                ));
            }
            match after {
                None => Position::End,
                Some(a) => Position::After(after_id(a.as_str().unwrap_or_default())?),
            }
        }
    };
    let new_ids = insert(st, (kind, &id), blocks, at);
    let now = st.now_minute();
    if let Some(page) = st.page_mut(&id) {
        page.edited = now;
    }
    let results = new_ids
        .iter()
        .map(|b| render_block(st, &st.blocks[b], ctx.version))
        .collect();
    Ok(list(results, None, "block"))
}

/// `GET /v1/blocks/{id}`: a stored block, or a page shown as its `child_page` block.
pub fn retrieve(st: &State, ctx: &Ctx, raw_id: &str) -> ApiResult {
    let id = ids::path_id("block_id", raw_id)?;
    if let Some(b) = st.blocks.get(&id) {
        return Ok(render_block(st, b, ctx.version));
    }
    let page = st
        .page(&id)
        .ok_or_else(|| ApiError::not_found("block", &id))?;
    let title = values::plain_text(&page_title(st, page));
    let block = Block {
        id: page.id.clone(),
        parent: ("workspace", "true".into()),
        kind: "child_page".into(),
        content: json!({"title": title}),
        created: page.created,
        edited: page.edited,
        in_trash: page.in_trash,
    };
    let mut out = render_block(st, &block, ctx.version);
    out["parent"] = page_parent(page, true);
    Ok(out)
}
