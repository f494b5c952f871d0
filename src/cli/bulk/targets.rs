//! The records a bulk command acts on, as named on its command line: ids as arguments, and
//! `-` for the ids on stdin, one a line, as plain ids or as the JSON lines `hsn list --json`,
//! `hsn show --json` and `hsn query` print.

use std::io::BufRead;

use color_eyre::eyre::{Result, bail, eyre};
use serde_json::Value;

use crate::domain::schema::DatabaseSchema;

/// The argument that stands for "the ids on stdin".
pub const STDIN: &str = "-";

/// The ids `args` name, in order, each once: `-` is replaced by the ids read from `stdin`
/// (see [`read_ids`]). A bad line is an error naming it, before anything is read from
/// Notion or changed.
pub fn targets(
    args: &[String],
    stdin: impl BufRead,
    database: &DatabaseSchema,
) -> Result<Vec<String>> {
    let mut ids = Vec::new();
    let mut stdin = Some(stdin);
    for arg in args {
        if arg == STDIN {
            let Some(input) = stdin.take() else {
                bail!("`-` (the ids on stdin) is given twice");
            };
            let read = read_ids(input, database)?;
            if read.is_empty() {
                bail!("`-` reads the ids from stdin, and stdin had none");
            }
            ids.extend(read);
        } else {
            ids.push(arg.trim().to_string());
        }
    }
    let mut seen = std::collections::HashSet::new();
    ids.retain(|id| seen.insert(id.clone()));
    Ok(ids)
}

/// The ids on `input`, one a line; blank lines are skipped. A line is either
///
/// - a plain id: one word, such as `TASK-1a2b3c4d`, `INST-0001` or a page id; or
/// - a JSON object naming the record by its page id (`"id"`, as `hsn list --json`, `hsn show
///   --json` and `hsn query` print it, or `"page_id"`), else by its title (the database's
///   title column, e.g. `"Task ID"` or `"Instance ID"`, at the top or under
///   `"properties"`, as `hsn list --json` prints it). A `"database"` field, when present,
///   must be `database`'s alias: a line of another database is refused.
///
/// Anything else (a table row of `hsn list`, say) is an error naming its line.
pub(super) fn read_ids(input: impl BufRead, database: &DatabaseSchema) -> Result<Vec<String>> {
    let mut ids = Vec::new();
    for (index, line) in input.lines().enumerate() {
        let number = index + 1;
        let line = line.map_err(|e| eyre!("cannot read line {number} of stdin: {e}"))?;
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let id = if line.starts_with('{') {
            id_in_json(line, database)
        } else if is_plain_id(line) {
            Ok(line.to_string())
        } else {
            Err(format!(
                "is neither an id nor a JSON object with an \"id\" (as `hsn list {} --json` prints)",
                database.alias
            ))
        };
        let id = id.map_err(|why| {
            eyre!(
                "line {number} of stdin {why}: \"{}\"; nothing was changed",
                crate::present::inert(&shortened(line))
            )
        })?;
        ids.push(id);
    }
    Ok(ids)
}

/// One word, and nothing of JSON or of a table: `TASK-…`, `INST-…`, a page id.
fn is_plain_id(line: &str) -> bool {
    !line
        .chars()
        .any(|c| c.is_whitespace() || matches!(c, '{' | '}' | '[' | ']' | '"' | ','))
}

/// The id a JSON line names, or why it names none.
fn id_in_json(line: &str, database: &DatabaseSchema) -> Result<String, String> {
    let value: Value =
        serde_json::from_str(line).map_err(|e| format!("is not valid JSON ({e})"))?;
    let Value::Object(object) = &value else {
        return Err("is JSON but not an object".into());
    };
    if let Some(other) = object.get("database").and_then(Value::as_str)
        && other != database.alias
    {
        return Err(format!("is a record of {other}, not of {}", database.alias));
    }
    let title = database.title_column().name;
    let candidates = [
        object.get("id"),
        object.get("page_id"),
        object.get(title),
        value.get("properties").and_then(|p| p.get(title)),
    ];
    let named: Vec<&str> = candidates
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::trim)
        .filter(|id| !id.is_empty())
        .collect();
    // A task whose create is still queued goes by a placeholder (`local:TASK-…`) that only
    // this machine knows: its Task ID names it as well, and everywhere.
    named
        .iter()
        .find(|id| !id.starts_with("local:"))
        .or(named.first())
        .map(|id| id.to_string())
        .ok_or_else(|| format!("has no \"id\", \"page_id\" or \"{title}\""))
}

/// A line as quoted in an error: at most 80 characters.
fn shortened(line: &str) -> String {
    crate::present::fit(line, 80)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::schema::{DatabaseKey, database};

    fn tasks() -> &'static DatabaseSchema {
        database(DatabaseKey::Tasks)
    }

    fn from_stdin(input: &str) -> Result<Vec<String>> {
        targets(&["-".to_string()], input.as_bytes(), tasks())
    }

    #[test]
    fn plain_ids_and_the_json_lines_of_hsn_list_name_records() {
        let input = concat!(
            "TASK-0001\n",
            "\n",
            "  \n",
            r#"{"id":"2b9c0f0e-1111-4222-8333-444455556666","database":"tasks","pending":false,"properties":{"Task ID":"TASK-0002"}}"#,
            "\n",
            r#"{"id":null,"database":"tasks","properties":{"Task ID":"TASK-0003"}}"#,
            "\n",
            r#"{"id":"local:TASK-0004","database":"tasks","properties":{"Task ID":"TASK-0004"}}"#,
            "\n",
            r#"{"page_id":"2b9c0f0e-aaaa-4222-8333-444455556666"}"#,
            "\n",
            r#"{"Task ID":"TASK-0005"}"#,
            "\n",
        );
        assert_eq!(
            from_stdin(input).unwrap(),
            [
                "TASK-0001",
                "2b9c0f0e-1111-4222-8333-444455556666",
                "TASK-0003",
                "TASK-0004",
                "2b9c0f0e-aaaa-4222-8333-444455556666",
                "TASK-0005",
            ]
        );
    }

    #[test]
    fn arguments_and_stdin_mix_in_order_and_each_id_counts_once() {
        let args: Vec<String> = ["TASK-9", "-", "TASK-1"].map(String::from).to_vec();
        let ids = targets(&args, "TASK-1\nTASK-2\nTASK-9\n".as_bytes(), tasks()).unwrap();
        assert_eq!(ids, ["TASK-9", "TASK-1", "TASK-2"]);
    }

    #[test]
    fn a_line_that_names_no_record_is_refused_by_its_number() {
        let table_row = "TASK-0001\nTASK-0002  Follow up  To Do\n";
        let err = from_stdin(table_row).unwrap_err().to_string();
        assert!(
            err.starts_with("line 2 of stdin is neither an id nor a JSON object"),
            "{err}"
        );
        assert!(err.ends_with("nothing was changed"), "{err}");

        let err = from_stdin("\n{\"id\": 12}\n").unwrap_err().to_string();
        assert!(err.starts_with("line 2 of stdin has no \"id\""), "{err}");
        let err = from_stdin("{\"id\": \"x\"\n").unwrap_err().to_string();
        assert!(
            err.starts_with("line 1 of stdin is not valid JSON"),
            "{err}"
        );
        let err = from_stdin("[\"TASK-1\"]").unwrap_err().to_string();
        assert!(err.starts_with("line 1 of stdin is neither"), "{err}");
        let err = from_stdin(r#"{"id":"abc","database":"instances"}"#)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("line 1 of stdin is a record of instances, not of tasks"),
            "{err}"
        );
    }

    #[test]
    fn stdin_without_ids_or_read_twice_is_an_error() {
        let err = from_stdin("\n\n").unwrap_err().to_string();
        assert!(err.contains("stdin had none"), "{err}");
        let twice: Vec<String> = ["-", "-"].map(String::from).to_vec();
        let err = targets(&twice, "TASK-1\n".as_bytes(), tasks()).unwrap_err();
        assert!(err.to_string().contains("given twice"), "{err}");
    }

    #[test]
    fn a_hostile_line_is_quoted_inert() {
        let err = from_stdin("TASK-1 \u{1b}[2J").unwrap_err().to_string();
        assert!(!err.contains('\u{1b}'), "{err:?}");
    }
}
