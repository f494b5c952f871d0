//! Saved views in the config file: read from `[views.NAME]` tables, and written back
//! (`save_view`) without disturbing anything else in the file.
//!
//! ```toml
//! [views.late-wellness]
//! tab = "tasks"                 # a database: instances, tasks, workflows, contacts, …
//! filter = "wellness"           # the `/` filter text
//! quick = ["overdue", "mine"]   # open, mine, overdue, unassigned, stuck, status:NAME
//! sort = "Due Date"             # a column of the tab, as `:sort` takes it
//! descending = false
//! ```

use std::io::Write;
use std::path::Path;

use color_eyre::eyre::{Result, WrapErr, eyre};
use toml_edit::{Array, DocumentMut, Item, Table, Value};

use super::ConfigFile;
use super::file::line_of;
use crate::domain::schema::{database, find_database};
use crate::domain::view::{Quick, View, check_view_name};

/// The fields a view's table may hold.
const FIELDS: &str = "tab, filter, quick, sort, descending";

/// Reads every `[views.NAME]` of a parsed config file, in the file's order. An error names
/// the view and the line.
pub(super) fn read_views(
    document: &toml_edit::Document<&str>,
    text: &str,
) -> Result<Vec<View>, String> {
    let at = |span: Option<std::ops::Range<usize>>| span.map_or(0, |s| line_of(text, s.start));
    let Some(item) = document.get("views") else {
        return Ok(Vec::new());
    };
    let views = item.as_table_like().ok_or_else(|| {
        format!(
            "line {}: views must be tables: [views.NAME]",
            at(item.span())
        )
    })?;
    let mut read = Vec::new();
    for (name, item) in views.iter() {
        let header = at(views
            .get_key_value(name)
            .and_then(|(key, _)| key.span())
            .or(item.span()));
        let error = |line: usize, what: String| format!("line {line}: view \"{name}\": {what}");
        check_view_name(name).map_err(|e| error(header, e))?;
        let table = item
            .as_table_like()
            .ok_or_else(|| error(header, "must be a table: [views.NAME]".into()))?;
        let mut view = View {
            name: name.to_string(),
            tab: crate::domain::schema::DatabaseKey::Tasks,
            filter: String::new(),
            quick: Vec::new(),
            sort: None,
            builtin: false,
        };
        let mut tab = None;
        let mut descending = None;
        for (field, value) in table.iter() {
            let line = at(value.span());
            let text = |expected: &str| {
                value
                    .as_str()
                    .ok_or_else(|| error(line, format!("{field} must be {expected}")))
            };
            match field {
                "tab" => {
                    let name = text("a database's name in quotes, such as \"tasks\"")?;
                    let found = find_database(name)
                        .ok_or_else(|| error(line, format!("tab \"{name}\" is not a database")))?;
                    tab = Some(found.key);
                }
                "filter" => view.filter = text("text in quotes")?.to_string(),
                "sort" => {
                    let column = text("a column's name in quotes, such as \"Due Date\"")?;
                    view.sort = Some((column.to_string(), false));
                }
                "descending" => {
                    descending =
                        Some(value.as_bool().ok_or_else(|| {
                            error(line, "descending must be true or false".into())
                        })?);
                }
                "quick" => {
                    let list = value.as_array().ok_or_else(|| {
                        error(
                            line,
                            format!(
                                "quick must be a list, such as [\"mine\", \"open\"]: {}",
                                Quick::NAMES
                            ),
                        )
                    })?;
                    for entry in list.iter() {
                        let name = entry.as_str().ok_or_else(|| {
                            error(
                                line,
                                format!("quick holds names in quotes: {}", Quick::NAMES),
                            )
                        })?;
                        view.quick.push(name.parse().map_err(|e| error(line, e))?);
                    }
                }
                other => {
                    return Err(error(
                        line,
                        format!("no field \"{other}\": a view has {FIELDS}"),
                    ));
                }
            }
        }
        view.tab = tab.ok_or_else(|| {
            error(
                header,
                "says no tab: add tab = \"tasks\" (or another database)".into(),
            )
        })?;
        match (&mut view.sort, descending) {
            (Some((_, down)), Some(d)) => *down = d,
            (None, Some(true)) => {
                return Err(error(
                    header,
                    "descending without sort: add sort = \"COLUMN\"".into(),
                ));
            }
            _ => {}
        }
        read.push(view);
    }
    Ok(read)
}

/// The fields of `view` as written in its table.
fn fill(table: &mut dyn toml_edit::TableLike, view: &View) {
    let mut set = |field: &str, value: Option<Value>| match value {
        // The same value stays as written, with its comment.
        Some(value)
            if table
                .get(field)
                .and_then(Item::as_value)
                .is_some_and(|old| same(old, &value)) => {}
        Some(value) => {
            table.insert(field, Item::Value(value));
        }
        None => {
            table.remove(field);
        }
    };
    set("tab", Some(database(view.tab).alias.into()));
    set(
        "filter",
        (!view.filter.is_empty()).then(|| view.filter.as_str().into()),
    );
    let quick: Array = view.quick.iter().map(|q| q.to_string()).collect();
    set("quick", (!view.quick.is_empty()).then(|| quick.into()));
    set(
        "sort",
        view.sort.as_ref().map(|(column, _)| column.as_str().into()),
    );
    set(
        "descending",
        view.sort.as_ref().map(|(_, down)| (*down).into()),
    );
    // A field hsn does not know would make the file unreadable: the view is ours now.
    let unknown: Vec<String> = table
        .iter()
        .map(|(k, _)| k.to_string())
        .filter(|k| !FIELDS.split(", ").any(|f| f == k))
        .collect();
    for key in unknown {
        table.remove(&key);
    }
}

/// Whether two values are equal, however they are spaced or commented.
fn same(old: &Value, new: &Value) -> bool {
    let mut old = old.clone();
    old.decor_mut().clear();
    old.to_string() == new.to_string()
}

/// Writes `view` as `[views.NAME]` in the config file at `path`, replacing a view of that
/// name (in place: the comments around it stay) and keeping every other byte of the file.
/// The file is replaced whole at once (a temporary file renamed over it), and created
/// with its directory if missing. A file that is not valid TOML, or would not be a valid
/// config file after the change, is left as it is and the error says why.
pub fn save_view(path: &Path, view: &View) -> Result<()> {
    check_view_name(&view.name).map_err(|e| eyre!(e))?;
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(eyre!("cannot read {}: {e}", path.display())),
    };
    let mut document: DocumentMut = text
        .parse()
        .map_err(|e: toml_edit::TomlError| eyre!("{}: {}", path.display(), e.message()))?;
    let views = document
        .entry("views")
        .or_insert_with(|| {
            let mut table = Table::new();
            // Only the `[views.NAME]` headers show, not an empty `[views]`.
            table.set_implicit(true);
            Item::Table(table)
        })
        .as_table_like_mut()
        .ok_or_else(|| eyre!("{}: views is not a table", path.display()))?;
    match views.get_mut(&view.name).and_then(Item::as_table_like_mut) {
        Some(existing) => fill(existing, view),
        None => {
            let mut table = Table::new();
            fill(&mut table, view);
            views.insert(&view.name, Item::Table(table));
        }
    }
    let written = document.to_string();
    ConfigFile::parse(&written)
        .map_err(|e| eyre!("{} would not be a valid config file: {e}", path.display()))?;
    write_atomically(path, &written)
}

/// Replaces the file at `path` with `text` at once: readers see the old file or the new
/// one, never a part. Keeps the old file's permissions.
fn write_atomically(path: &Path, text: &str) -> Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir).wrap_err_with(|| format!("cannot create {}", dir.display()))?;
    let mut temp = tempfile::NamedTempFile::new_in(dir)
        .wrap_err_with(|| format!("cannot write in {}", dir.display()))?;
    temp.write_all(text.as_bytes())
        .and_then(|()| temp.as_file().sync_all())
        .wrap_err_with(|| format!("cannot write {}", temp.path().display()))?;
    if let Ok(meta) = std::fs::metadata(path) {
        let _ = temp.as_file().set_permissions(meta.permissions());
    }
    temp.persist(path)
        .map_err(|e| eyre!("cannot replace {}: {}", path.display(), e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests;
