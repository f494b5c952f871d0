//! Request-shape property values and rich text → the response shape stored on pages,
//! with Notion's validation (2,000 characters per text object, 100 items per array).

use serde_json::{Value, json};

use crate::error::{ApiError, ApiResult};
use crate::ids;
use crate::state::PropSchema;

pub const COLORS: &[&str] = &[
    "default", "gray", "brown", "orange", "yellow", "green", "blue", "purple", "pink", "red",
];

/// Types whose values only Notion computes.
pub const READ_ONLY: &[&str] = &[
    "formula",
    "rollup",
    "created_time",
    "last_edited_time",
    "created_by",
    "last_edited_by",
    "unique_id",
    "verification",
    "button",
];

/// Every type Notion's API knows as a page property.
pub const KNOWN_TYPES: &[&str] = &[
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
    "verification",
    "button",
];

pub fn default_annotations() -> Value {
    json!({"bold": false, "italic": false, "strikethrough": false, "underline": false, "code": false, "color": "default"})
}

/// A response-shape text object.
pub fn text_item(content: &str) -> Value {
    json!({
        "type": "text",
        "text": {"content": content, "link": null},
        "annotations": default_annotations(),
        "plain_text": content,
        "href": null,
    })
}

pub fn rich_text_of(content: &str) -> Value {
    if content.is_empty() {
        json!([])
    } else {
        json!([text_item(content)])
    }
}

/// The concatenated `plain_text` of a response-shape rich text array.
pub fn plain_text(rich: &Value) -> String {
    rich.as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|i| i["plain_text"].as_str())
                .collect()
        })
        .unwrap_or_default()
}

fn shown(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 80 {
        format!("{}…", s.chars().take(80).collect::<String>())
    } else {
        s
    }
}

fn invalid(path: &str, expected: &str, got: &Value) -> ApiError {
    ApiError::validation(format!(
        "body failed validation: {path} should be {expected}, instead was `{}`.",
        shown(got)
    ))
}

/// Notion measures strings as JavaScript does, in UTF-16 code units.
fn js_len(s: &str) -> usize {
    s.encode_utf16().count()
}

fn check_len(path: &str, s: &str, max: usize) -> ApiResult<()> {
    let n = js_len(s);
    if n > max {
        return Err(ApiError::validation(format!(
            "body failed validation: {path}.length should be ≤ `{max}`, instead was `{n}`."
        )));
    }
    Ok(())
}

fn check_items<'a>(path: &str, v: &'a Value, max: usize) -> ApiResult<&'a Vec<Value>> {
    let items = v.as_array().ok_or_else(|| invalid(path, "an array", v))?;
    if items.len() > max {
        return Err(ApiError::validation(format!(
            "body failed validation: {path}.length should be ≤ `{max}`, instead was `{}`.",
            items.len()
        )));
    }
    Ok(items)
}

/// Request rich text (`[{"text":{"content":"…"}}]`) → response shape.
pub fn rich_text(req: &Value, path: &str) -> ApiResult<Value> {
    let items = check_items(path, req, 100)?;
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let p = format!("{path}[{i}]");
        let mut annotations = default_annotations();
        if let Some(given) = item.get("annotations").and_then(Value::as_object) {
            for (k, v) in given {
                annotations[k] = v.clone();
            }
        }
        if let Some(text) = item.get("text") {
            let content = text.get("content").and_then(Value::as_str).ok_or_else(|| {
                invalid(&format!("{p}.text.content"), "a string", &text["content"])
            })?;
            check_len(&format!("{p}.text.content"), content, 2000)?;
            let link = match text.get("link") {
                None | Some(Value::Null) => Value::Null,
                Some(l) => {
                    let url = l.get("url").and_then(Value::as_str).ok_or_else(|| {
                        invalid(&format!("{p}.text.link.url"), "a string", &l["url"])
                    })?;
                    check_len(&format!("{p}.text.link.url"), url, 2000)?;
                    json!({"url": url})
                }
            };
            let href = link.get("url").cloned().unwrap_or(Value::Null);
            out.push(json!({
                "type": "text",
                "text": {"content": content, "link": link},
                "annotations": annotations,
                "plain_text": content,
                "href": href,
            }));
        } else if let Some(eq) = item.get("equation") {
            let expr = eq
                .get("expression")
                .and_then(Value::as_str)
                .ok_or_else(|| {
                    invalid(
                        &format!("{p}.equation.expression"),
                        "a string",
                        &eq["expression"],
                    )
                })?;
            check_len(&format!("{p}.equation.expression"), expr, 1000)?;
            out.push(json!({
                "type": "equation",
                "equation": {"expression": expr},
                "annotations": annotations,
                "plain_text": expr,
                "href": null,
            }));
        } else if let Some(mention) = item.get("mention") {
            // Kept as sent; the fake does not resolve mentioned objects.
            out.push(json!({
                "type": "mention",
                "mention": mention,
                "annotations": annotations,
                "plain_text": item.get("plain_text").cloned().unwrap_or(json!("Untitled")),
                "href": null,
            }));
        } else {
            return Err(invalid(
                &p,
                "an object with `text`, `mention` or `equation`",
                item,
            ));
        }
    }
    Ok(Value::Array(out))
}

/// The value a page shows for a property it has no stored value for.
pub fn empty_value(prop: &PropSchema) -> Value {
    match prop.kind.as_str() {
        "title" | "rich_text" | "multi_select" | "people" | "relation" | "files" => json!([]),
        "checkbox" => json!(false),
        "formula" => json!({"type": "string", "string": null}),
        "rollup" => {
            json!({"type": "number", "number": null, "function": prop.config["function"].clone()})
        }
        "verification" => json!({"state": "unverified", "date": null, "verified_by": null}),
        _ => Value::Null,
    }
}

/// Converts one request value (`{"<type>": v}`, optionally with `id`/`type`) for `prop`
/// into the stored response-shape value. A new select or multi-select name adds an option
/// to `prop`, as Notion does when the integration may edit the schema.
pub fn convert(prop: &mut PropSchema, envelope: &Value, path: &str) -> ApiResult<Value> {
    let Some(obj) = envelope.as_object() else {
        return Err(invalid(path, "an object", envelope));
    };
    let kind = prop.kind.clone();
    let inner = match obj.get(&kind) {
        Some(v) => v,
        None => {
            return Err(ApiError::validation(format!(
                "{} is expected to be {kind}.",
                prop.name
            )));
        }
    };
    let path = format!("{path}.{kind}");
    if READ_ONLY.contains(&kind.as_str()) {
        return Err(ApiError::validation(format!(
            "{} is a {kind} property, which cannot be set through the API.",
            prop.name
        )));
    }
    match kind.as_str() {
        "title" | "rich_text" => rich_text(inner, &path),
        "number" => match inner {
            Value::Null | Value::Number(_) => Ok(inner.clone()),
            _ => Err(invalid(&path, "a number or `null`", inner)),
        },
        "checkbox" => match inner {
            Value::Bool(_) => Ok(inner.clone()),
            _ => Err(invalid(&path, "a boolean", inner)),
        },
        "url" | "email" | "phone_number" => match inner {
            Value::Null => Ok(Value::Null),
            Value::String(s) => {
                check_len(&path, s, if kind == "url" { 2000 } else { 200 })?;
                Ok(inner.clone())
            }
            _ => Err(invalid(&path, "a string or `null`", inner)),
        },
        "select" | "status" => {
            if inner.is_null() {
                return Ok(Value::Null);
            }
            option_ref(prop, inner, &path, kind == "select")
        }
        "multi_select" => {
            let items = check_items(&path, inner, 100)?;
            let mut out: Vec<Value> = Vec::new();
            for (i, item) in items.iter().enumerate() {
                let opt = option_ref(prop, item, &format!("{path}[{i}]"), true)?;
                if !out.iter().any(|o| o["id"] == opt["id"]) {
                    out.push(opt);
                }
            }
            Ok(Value::Array(out))
        }
        "date" => date(inner, &path),
        "people" => {
            let items = check_items(&path, inner, 100)?;
            let mut out = Vec::new();
            for (i, item) in items.iter().enumerate() {
                let id = uuid_field(item, &format!("{path}[{i}].id"))?;
                out.push(json!({"object": "user", "id": id}));
            }
            Ok(Value::Array(out))
        }
        "relation" => {
            let items = check_items(&path, inner, 100)?;
            let mut out: Vec<Value> = Vec::new();
            for (i, item) in items.iter().enumerate() {
                let id = uuid_field(item, &format!("{path}[{i}].id"))?;
                if !out.iter().any(|o| o["id"] == id) {
                    out.push(json!({"id": id}));
                }
            }
            Ok(Value::Array(out))
        }
        "files" => files(inner, &path),
        other => Err(ApiError::validation(format!(
            "{} has type {other}, which the API does not support writing.",
            prop.name
        ))),
    }
}

fn uuid_field(item: &Value, path: &str) -> ApiResult<String> {
    item.get("id")
        .and_then(Value::as_str)
        .and_then(ids::normalize)
        .ok_or_else(|| invalid(path, "a valid uuid", &item["id"]))
}

/// `{"name":…}` or `{"id":…}` → `{id,name,color}`; `create` allows a new name (select,
/// multi-select) where status refuses it.
fn option_ref(prop: &mut PropSchema, v: &Value, path: &str, create: bool) -> ApiResult<Value> {
    let kind = prop.kind.clone();
    let Some(obj) = v.as_object() else {
        return Err(invalid(path, "an object", v));
    };
    let options = prop.config["options"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let shown_option = |o: &Value| json!({"id": o["id"], "name": o["name"], "color": o["color"]});
    if let Some(id) = obj.get("id").and_then(Value::as_str) {
        return options
            .iter()
            .find(|o| o["id"] == id)
            .map(shown_option)
            .ok_or_else(|| {
                ApiError::validation(format!(
                    "{kind} option with id `{id}` does not exist for property {}.",
                    prop.name
                ))
            });
    }
    let Some(name) = obj.get("name").and_then(Value::as_str) else {
        return Err(invalid(path, "an object with `name` or `id`", v));
    };
    if let Some(o) = options.iter().find(|o| o["name"] == name) {
        return Ok(shown_option(o));
    }
    if !create {
        return Err(ApiError::validation(format!(
            "Invalid status option. Status option \"{name}\" does not exist for property {}.",
            prop.name
        )));
    }
    let option = crate::schema::new_option(name, obj.get("color"), &Value::Null, options.len())?;
    let shown = shown_option(&option);
    if let Some(list) = prop.config["options"].as_array_mut() {
        list.push(option);
    } else {
        prop.config["options"] = json!([option]);
    }
    Ok(shown)
}

fn date(inner: &Value, path: &str) -> ApiResult<Value> {
    if inner.is_null() {
        return Ok(Value::Null);
    }
    let start = inner
        .get("start")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid(&format!("{path}.start"), "a string", &inner["start"]))?;
    if crate::time::parse_instant(start).is_none() {
        return Err(invalid(
            &format!("{path}.start"),
            "an ISO 8601 date or datetime",
            &inner["start"],
        ));
    }
    let end = match inner.get("end") {
        None | Some(Value::Null) => Value::Null,
        Some(Value::String(s)) if crate::time::parse_instant(s).is_some() => json!(s),
        Some(other) => {
            return Err(invalid(
                &format!("{path}.end"),
                "an ISO 8601 date or datetime",
                other,
            ));
        }
    };
    let time_zone = match inner.get("time_zone") {
        None | Some(Value::Null) => Value::Null,
        Some(Value::String(s)) => json!(s),
        Some(other) => return Err(invalid(&format!("{path}.time_zone"), "a string", other)),
    };
    Ok(json!({"start": start, "end": end, "time_zone": time_zone}))
}

fn files(inner: &Value, path: &str) -> ApiResult<Value> {
    let items = check_items(path, inner, 100)?;
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let p = format!("{path}[{i}]");
        if let Some(ext) = item.get("external") {
            let url = ext
                .get("url")
                .and_then(Value::as_str)
                .ok_or_else(|| invalid(&format!("{p}.external.url"), "a string", &ext["url"]))?;
            let name = item.get("name").and_then(Value::as_str).unwrap_or(url);
            out.push(json!({"name": name, "type": "external", "external": {"url": url}}));
        } else if let Some(upload) = item.get("file_upload") {
            let id = uuid_field(upload, &format!("{p}.file_upload.id"))?;
            let name = item.get("name").and_then(Value::as_str).unwrap_or("file");
            out.push(json!({
                "name": name,
                "type": "file",
                "file": {"url": format!("https://files.fake-notion.invalid/{id}"), "expiry_time": "2099-01-01T00:00:00.000Z"},
            }));
        } else {
            return Err(invalid(
                &p,
                "an object with `external` or `file_upload`",
                item,
            ));
        }
    }
    Ok(Value::Array(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prop(kind: &str, config: Value) -> PropSchema {
        PropSchema {
            id: "x".into(),
            name: "P".into(),
            description: Value::Null,
            kind: kind.into(),
            config,
        }
    }

    #[test]
    fn text_limits() {
        let ok = rich_text(&json!([{"text": {"content": "hi"}}]), "body.x").unwrap();
        assert_eq!(ok[0]["plain_text"], "hi");
        assert_eq!(ok[0]["annotations"]["color"], "default");
        let long = "a".repeat(2001);
        let err = rich_text(&json!([{"text": {"content": long}}]), "body.x").unwrap_err();
        assert!(
            err.message.contains("body.x[0].text.content.length"),
            "{}",
            err.message
        );
        let many: Vec<Value> = (0..101)
            .map(|_| json!({"text": {"content": "a"}}))
            .collect();
        assert!(rich_text(&Value::Array(many), "body.x").is_err());
    }

    #[test]
    fn select_creates_status_refuses() {
        let mut sel = prop("select", json!({"options": []}));
        let v = convert(&mut sel, &json!({"select": {"name": "New"}}), "p").unwrap();
        assert_eq!(v["name"], "New");
        assert_eq!(sel.config["options"].as_array().unwrap().len(), 1);
        assert!(convert(&mut sel, &json!({"select": "New"}), "p").is_err());
        let mut st = prop(
            "status",
            json!({"options": [{"id": "a", "name": "Open", "color": "gray"}]}),
        );
        assert!(convert(&mut st, &json!({"status": {"name": "Nope"}}), "p").is_err());
        assert_eq!(
            convert(&mut st, &json!({"status": {"name": "Open"}}), "p").unwrap()["id"],
            "a"
        );
    }
}
