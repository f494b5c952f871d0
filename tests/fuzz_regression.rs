//! The fuzz targets' checks (`fuzz/checks.rs`, the same code the fuzzer runs) over every
//! committed input, in plain `cargo test`: the seed corpus (`fuzz/seeds/<target>/`), every
//! crash the fuzzer ever found and that was fixed (`fuzz/regressions/<target>/`, kept
//! forever), and for `page` and `list` the real Notion bodies in `tests/fixtures/notion/`.
//! Crashes found and not fixed yet wait in `fuzz/open/<target>/`: they must still fail, so
//! the fix that makes one pass also says to move it to `regressions/`. Longer runs:
//! `scripts/fuzz.sh` (docs/reliability.md, "Fuzzing").

#[path = "../fuzz/checks.rs"]
mod checks;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && p.file_name().is_none_or(|n| n != "README.md"))
        .collect();
    files.sort();
    files
}

fn inputs(target: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = files_in(&root.join("fuzz/seeds").join(target));
    files.extend(files_in(&root.join("fuzz/regressions").join(target)));
    if matches!(target, "page" | "list") {
        files.extend(files_in(&root.join("tests/fixtures/notion")));
    }
    files
}

/// The files among `files` whose check by `target` panics (or, with `passes`, returns).
fn sorted_out(target: &str, files: &[PathBuf], passes: bool) -> Vec<String> {
    let check = checks::TARGETS
        .iter()
        .find(|(name, _)| *name == target)
        .expect("a target")
        .1;
    files
        .iter()
        .filter(|path| {
            let data = std::fs::read(path).unwrap();
            catch_unwind(AssertUnwindSafe(|| check(&data))).is_ok() == passes
        })
        .map(|path| path.display().to_string())
        .collect()
}

/// Runs the target's check on each input; fails naming every input that panicked.
fn replay(target: &str) {
    let files = inputs(target);
    assert!(!files.is_empty(), "no inputs for {target}");
    let failed = sorted_out(target, &files, false);
    assert!(
        failed.is_empty(),
        "{target}: these inputs fail: {failed:#?}"
    );
}

#[test]
fn open_findings_still_fail() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/open");
    for (target, _) in checks::TARGETS {
        let fixed = sorted_out(target, &files_in(&root.join(target)), true);
        assert!(
            fixed.is_empty(),
            "these now pass: move them to fuzz/regressions/{target}/: {fixed:#?}"
        );
    }
}

#[test]
fn page_inputs_pass() {
    replay("page");
}

#[test]
fn list_inputs_pass() {
    replay("list");
}

#[test]
fn history_inputs_pass() {
    replay("history");
}

#[test]
fn workflow_inputs_pass() {
    replay("workflow");
}

#[test]
fn config_inputs_pass() {
    replay("config");
}

/// Writes the part of the seed corpus that comes from the demo workspace: one page of each
/// database, a query response, History Logs and workflow definitions.
/// `cargo test --test fuzz_regression -- --ignored write_demo_seeds`
#[test]
#[ignore = "regenerates fuzz/seeds/ from the demo workspace"]
fn write_demo_seeds() {
    use hsn::domain::demo::demo_pages;
    use hsn::domain::models::{Workflow, WorkflowInstance};
    use hsn::domain::schema::{DatabaseKey, database};
    use hsn::notion::Page;
    use serde_json::{Value, json};

    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds");
    let write = |target: &str, name: &str, data: &[u8]| {
        let dir = seeds.join(target);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(name), data).unwrap();
    };
    let now = "2026-11-02T10:00:00Z".parse().unwrap();
    for (key, pages) in demo_pages(now).unwrap() {
        let alias = database(key).alias;
        let pretty = |v: &Value| serde_json::to_string_pretty(v).unwrap();
        if let Some(first) = pages.first() {
            write(
                "page",
                &format!("demo_{alias}.json"),
                pretty(first).as_bytes(),
            );
        }
        if key == DatabaseKey::ActiveWorkflowInstances {
            let list = json!({
                "object": "list", "results": pages.iter().take(2).collect::<Vec<_>>(),
                "next_cursor": "2d1b5a5e-6f0b-4b61-9d44-3c1e6a1f0a11", "has_more": true,
                "type": "page_or_data_source", "page_or_data_source": {},
                "request_status": {"type": "complete"},
            });
            write(
                "list",
                "demo_query_instances.json",
                pretty(&list).as_bytes(),
            );
            let mut logs: Vec<String> = pages
                .iter()
                .map(|raw| WorkflowInstance::from_page(&Page::from_json(raw.clone()).unwrap()))
                .map(|i| i.history_log)
                .filter(|log| !log.is_empty())
                .collect();
            logs.sort_by_key(|log| log.len());
            for (n, log) in logs.iter().take(3).chain(logs.last()).enumerate() {
                write("history", &format!("demo_{n}.json"), log.as_bytes());
            }
        }
        if key == DatabaseKey::WorkflowsLibrary {
            for raw in pages.iter().take(4) {
                let workflow = Workflow::from_page(&Page::from_json(raw.clone()).unwrap());
                let text = format!(
                    "{}\n{}\n---\n{}",
                    workflow.initial_state, workflow.states, workflow.transitions
                );
                write(
                    "workflow",
                    &format!("demo_{}.txt", workflow.workflow_id),
                    text.as_bytes(),
                );
            }
        }
    }
}
