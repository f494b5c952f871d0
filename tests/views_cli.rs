//! `hsn list --view NAME` on the demo workspace, through the real binary: the built-in
//! views list what they say, in their order; the config file's views are read; a name
//! hsn does not know is an error listing the ones it does.

use std::path::Path;
use std::process::Output;

use chrono::{NaiveDate, SecondsFormat, Utc};
use serde_json::Value;

fn hsn(dir: &Path, env: &[(&str, &str)], args: &[&str]) -> Output {
    let now = Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true);
    std::process::Command::new(env!("CARGO_BIN_EXE_hsn"))
        .args(args)
        .env_clear()
        .env("HSN_DATA_DIR", dir)
        .env("HSN_CONFIG", dir.join("config.toml"))
        .env("HSN_NOW", now)
        .env("HSN_OPERATOR", "Jordan Ellis")
        .envs(env.iter().copied())
        .current_dir(dir)
        .output()
        .unwrap()
}

/// The JSON lines a successful run printed.
fn listed(output: Output) -> Vec<Value> {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

fn field<'a>(record: &'a Value, column: &str) -> &'a Value {
    &record["properties"][column]
}

fn due(record: &Value) -> Option<NaiveDate> {
    field(record, "Due Date")["start"]
        .as_str()
        .map(|d| NaiveDate::parse_from_str(&d[..10], "%Y-%m-%d").unwrap())
}

fn is_open(record: &Value) -> bool {
    !matches!(
        field(record, "Status").as_str(),
        Some("Done" | "Cancelled" | "Completed")
    )
}

#[test]
fn overdue_lists_only_late_open_tasks_soonest_first() {
    let dir = tempfile::tempdir().unwrap();
    let today = Utc::now().date_naive();
    let all = listed(hsn(dir.path(), &[], &["--demo", "list", "tasks", "--json"]));
    let late: Vec<&Value> = all
        .iter()
        .filter(|t| is_open(t) && due(t).is_some_and(|d| d < today))
        .collect();
    assert!(late.len() >= 3, "the demo has late tasks");
    assert!(
        all.iter()
            .any(|t| !is_open(t) && due(t).is_some_and(|d| d < today)),
        "and closed ones that were due: the view must leave them out"
    );

    let overdue = listed(hsn(
        dir.path(),
        &[],
        &["--demo", "list", "--view", "overdue", "--json"],
    ));
    assert_eq!(overdue.len(), late.len(), "{overdue:#?}");
    let dues: Vec<NaiveDate> = overdue.iter().map(|t| due(t).unwrap()).collect();
    assert!(dues.is_sorted(), "sorted by due date: {dues:?}");
    for task in &overdue {
        assert_eq!(task["database"], "tasks");
        assert!(is_open(task), "{task}");
        assert!(late.contains(&task), "{task}");
    }
    // The database may be named, and --limit applies after the view's order.
    let first = listed(hsn(
        dir.path(),
        &[],
        &[
            "--demo", "list", "tasks", "--view", "overdue", "--limit", "2", "--json",
        ],
    ));
    assert_eq!(first, overdue[..2]);
}

#[test]
fn the_builtin_views_on_both_tabs() {
    let dir = tempfile::tempdir().unwrap();
    let mine = listed(hsn(dir.path(), &[], &["--demo", "list", "--view", "mine"]));
    assert!(!mine.is_empty());
    for task in &mine {
        assert_eq!(field(task, "Assigned To"), "Jordan Ellis");
        assert!(is_open(task), "{task}");
    }
    let unassigned = listed(hsn(
        dir.path(),
        &[],
        &["--demo", "list", "--view", "unassigned"],
    ));
    assert!(!unassigned.is_empty());
    assert!(
        unassigned
            .iter()
            .all(|t| field(t, "Assigned To") == "" && is_open(t))
    );

    let errors = listed(hsn(
        dir.path(),
        &[],
        &["--demo", "list", "--view", "errors"],
    ));
    assert!(!errors.is_empty());
    for instance in &errors {
        assert_eq!(instance["database"], "instances");
        assert_eq!(field(instance, "Status"), "Error");
    }
    // Stuck: Active, and in its state for longer than the threshold.
    let stuck = listed(hsn(dir.path(), &[], &["--demo", "list", "--view", "stuck"]));
    assert!(!stuck.is_empty());
    assert!(stuck.iter().all(|i| field(i, "Status") == "Active"));
    let fewer = listed(hsn(
        dir.path(),
        &[("HSN_STUCK_DAYS", "60")],
        &["--demo", "list", "--view", "stuck"],
    ));
    assert!(
        fewer.len() < stuck.len(),
        "{} then {}",
        stuck.len(),
        fewer.len()
    );
}

#[test]
fn views_from_the_config_file_filter_sort_and_replace_builtins() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("config.toml"),
        "# mine\n[views.sedona]\ntab = \"tasks\"\nfilter = \"sedona\"\nquick = [\"open\"]\nsort = \"Due Date\"\ndescending = true\n\n[views.errors]\ntab = \"instances\"\nquick = [\"status:Active\", \"mine\"]\n",
    )
    .unwrap();
    let sedona = listed(hsn(
        dir.path(),
        &[],
        &["--demo", "list", "--view", "sedona"],
    ));
    let names: Vec<&str> = sedona
        .iter()
        .map(|t| field(t, "Task Name").as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"Renew the Sedona venue contract"),
        "{names:?}"
    );
    assert!(
        names.contains(&"Call Ana Ruiz about the Sedona retreat"),
        "{names:?}"
    );
    // Exactly the tasks holding "sedona": the view's filter is the dashboard's `/`.
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(sedona.iter().all(is_open));
    // As the dashboard sorts a column down: latest first (tasks without a date, which
    // sort last going up, come first going down).
    let dues: Vec<NaiveDate> = sedona.iter().filter_map(due).collect();
    assert_eq!(dues.len(), 2);
    assert!(dues.iter().rev().is_sorted(), "latest due first: {dues:?}");
    let tasks = listed(hsn(dir.path(), &[], &["--demo", "list", "tasks"]));
    assert!(sedona.len() < tasks.iter().filter(|t| is_open(t)).count());

    // `errors` is the file's now.
    let errors = listed(hsn(
        dir.path(),
        &[],
        &["--demo", "list", "--view", "errors"],
    ));
    assert!(
        errors
            .iter()
            .all(|i| field(i, "Status") == "Active" && field(i, "Assigned To") == "Jordan Ellis")
    );
}

#[test]
fn unknown_views_and_bad_config_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let output = hsn(dir.path(), &[], &["--demo", "list", "--view", "lates"]);
    assert!(!output.status.success());
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(err.contains("no view called \"lates\""), "{err}");
    assert!(
        err.contains("mine, overdue, errors, stuck, unassigned"),
        "{err}"
    );
    assert!(output.stdout.is_empty());

    let output = hsn(
        dir.path(),
        &[],
        &["--demo", "list", "instances", "--view", "overdue"],
    );
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("lists tasks, not instances"));

    std::fs::write(
        dir.path().join("config.toml"),
        "[views.late]\ntab = \"tasks\"\nquick = [\"late\"]\n",
    )
    .unwrap();
    let output = hsn(dir.path(), &[], &["--demo", "list", "--view", "overdue"]);
    assert!(!output.status.success());
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(
        err.contains("line 3") && err.contains("view \"late\""),
        "{err}"
    );

    std::fs::write(
        dir.path().join("config.toml"),
        "[views.late]\ntab = \"tasks\"\nsort = \"Colour\"\n",
    )
    .unwrap();
    let output = hsn(dir.path(), &[], &["--demo", "list", "--view", "late"]);
    assert!(!output.status.success());
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(
        err.contains("no such column") && err.contains("Due Date"),
        "{err}"
    );
}
