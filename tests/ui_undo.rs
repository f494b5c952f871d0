//! Undo through the real engine and store (the demo workspace, where a drained write is
//! settled locally): a write still queued is dropped; one sent is answered by its inverse,
//! planned against the record as it is now, for each kind of change.

use hsn::domain::record::Record;
use hsn::domain::schema::DatabaseKey;
use hsn::domain::write::TaskRequest;
use hsn::store::Store;
use hsn::sync::{Backend, Engine};
use hsn::ui::app::Msg;
use hsn::ui::bulk::{Change, Fix, TaskEdit, UndoStep};
use hsn::ui::submit::{submit_changes, undo};

fn demo_engine(dir: &tempfile::TempDir) -> Engine {
    let mut store = Store::open(&dir.path().join("demo.sqlite")).unwrap();
    store.seed_demo(chrono::Utc::now()).unwrap();
    Engine::new(store, Backend::Local)
}

fn record(engine: &Engine, key: DatabaseKey, title: &str) -> Record {
    let found = engine.store().find_by_title(key, title).unwrap();
    found
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("{title}"))
        .record
}

fn page(engine: &Engine, key: DatabaseKey, title: &str) -> String {
    record(engine, key, title).page_id.unwrap()
}

/// Queues `changes` as one step, as the dashboard does.
fn submit(engine: &Engine, label: &str, changes: Vec<(String, Change)>) -> UndoStep {
    match submit_changes(engine, "Nyra", label.to_string(), changes) {
        Msg::Submitted {
            queued, refused, ..
        } => {
            assert!(refused.is_empty(), "{refused:?}");
            UndoStep {
                label: label.to_string(),
                writes: queued,
            }
        }
        other => panic!("{other:?}"),
    }
}

/// What an undo queued (its inverses) and refused, and how many writes it dropped.
fn undone(engine: &Engine, step: UndoStep) -> (usize, usize, Vec<(String, String)>) {
    let mut dropped = 0;
    let mut queued = 0;
    let mut refused = Vec::new();
    for msg in undo(engine, "Nyra", step) {
        match msg {
            Msg::Dropped(n) => dropped += n,
            Msg::Submitted {
                queued: q,
                refused: r,
                undoing,
                ..
            } => {
                assert!(undoing);
                queued += q.len();
                refused.extend(r);
            }
            other => panic!("{other:?}"),
        }
    }
    (dropped, queued, refused)
}

fn assignee(engine: &Engine, task: &str) -> String {
    record(engine, DatabaseKey::Tasks, task).get::<String>("Assigned To")
}

fn assign(engine: &Engine, tasks: &[&str], to: &str) -> Vec<(String, Change)> {
    tasks
        .iter()
        .map(|t| {
            let change = Change::EditTask {
                task_page: page(engine, DatabaseKey::Tasks, t),
                edit: TaskEdit {
                    assignee: Some(to.into()),
                    ..TaskEdit::default()
                },
            };
            (t.to_string(), change)
        })
        .collect()
}

const TASKS: [&str; 2] = ["TASK-01d98172", "TASK-1fa829a1"];

#[tokio::test]
async fn an_undo_drops_queued_writes_and_the_records_show_the_stored_copy_again() {
    let dir = tempfile::tempdir().unwrap();
    let engine = demo_engine(&dir);
    let before: Vec<String> = TASKS.iter().map(|t| assignee(&engine, t)).collect();
    let step = submit(
        &engine,
        "Assign 2 tasks to Zed",
        assign(&engine, &TASKS, "Zed"),
    );
    assert!(TASKS.iter().all(|t| assignee(&engine, t) == "Zed"));
    assert_eq!(undone(&engine, step), (2, 0, Vec::new()));
    let after: Vec<String> = TASKS.iter().map(|t| assignee(&engine, t)).collect();
    assert_eq!(after, before);
    // Nothing is left to send.
    let report = engine.drain().await.unwrap();
    assert_eq!(report.sent, 0);
}

#[tokio::test]
async fn an_undo_of_sent_edits_sets_the_previous_values_back() {
    let dir = tempfile::tempdir().unwrap();
    let engine = demo_engine(&dir);
    let before: Vec<String> = TASKS.iter().map(|t| assignee(&engine, t)).collect();
    let step = submit(
        &engine,
        "Assign 2 tasks to Zed",
        assign(&engine, &TASKS, "Zed"),
    );
    assert_eq!(engine.drain().await.unwrap().sent, 2);
    assert_eq!(undone(&engine, step), (0, 2, Vec::new()));
    engine.drain().await.unwrap();
    let after: Vec<String> = TASKS.iter().map(|t| assignee(&engine, t)).collect();
    assert_eq!(after, before);
}

#[tokio::test]
async fn an_undo_of_a_sent_edit_is_refused_once_someone_changed_the_task() {
    let dir = tempfile::tempdir().unwrap();
    let engine = demo_engine(&dir);
    let step = submit(&engine, "Assign", assign(&engine, &TASKS[..1], "Zed"));
    engine.drain().await.unwrap();
    // Another operator assigns it again meanwhile.
    submit(&engine, "Assign", assign(&engine, &TASKS[..1], "Solari"));
    engine.drain().await.unwrap();
    let (dropped, queued, refused) = undone(&engine, step);
    assert_eq!((dropped, queued), (0, 0));
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert_eq!(
        assignee(&engine, TASKS[0]),
        "Solari",
        "the later change stands"
    );
}

#[tokio::test]
async fn an_undo_of_an_advance_reverts_it_unless_the_instance_moved_on() {
    let dir = tempfile::tempdir().unwrap();
    let engine = demo_engine(&dir);
    let instance = "INST-276fac43";
    let state = |engine: &Engine| {
        record(engine, DatabaseKey::ActiveWorkflowInstances, instance)
            .get::<String>("Current State")
    };
    let from = state(&engine);
    let advance = |engine: &Engine, from: &str, to: &str| {
        let change = Change::Advance {
            instance_page: page(engine, DatabaseKey::ActiveWorkflowInstances, instance),
            from: from.into(),
            to: to.into(),
            note: None,
        };
        submit(engine, "Move", vec![(instance.to_string(), change)])
    };
    let step = advance(&engine, &from, "consultation");
    engine.drain().await.unwrap();
    assert_eq!(undone(&engine, step), (0, 1, Vec::new()));
    engine.drain().await.unwrap();
    assert_eq!(state(&engine), from);
    let history = record(&engine, DatabaseKey::ActiveWorkflowInstances, instance)
        .get::<String>("History Log");
    assert!(
        history.contains(&format!("Reverted transition from {from} to consultation")),
        "{history}"
    );

    // Moved on since: the undo is refused and the instance stays where it is.
    let step = advance(&engine, &from, "consultation");
    engine.drain().await.unwrap();
    advance(&engine, "consultation", "quote_provided");
    engine.drain().await.unwrap();
    let (_, queued, refused) = undone(&engine, step);
    assert_eq!(queued, 0);
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert_eq!(state(&engine), "quote_provided");
}

#[tokio::test]
async fn an_undo_of_a_created_task_trashes_it_and_of_a_hold_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let engine = demo_engine(&dir);
    let instance = page(
        &engine,
        DatabaseKey::ActiveWorkflowInstances,
        "INST-276fac43",
    );
    let create = Change::CreateTask {
        instance_page: instance.clone(),
        request: TaskRequest {
            name: "Call back about the retreat".into(),
            ..TaskRequest::default()
        },
    };
    let step = submit(&engine, "New task", vec![("INST-276fac43".into(), create)]);
    engine.drain().await.unwrap();
    let hsn::domain::write::Write::CreateTask { task_id, .. } = &step.writes[0].write else {
        panic!()
    };
    let task_id = task_id.clone();
    assert_eq!(
        engine
            .store()
            .find_by_title(DatabaseKey::Tasks, &task_id)
            .unwrap()
            .len(),
        1
    );
    assert_eq!(undone(&engine, step), (0, 1, Vec::new()));
    engine.drain().await.unwrap();
    assert!(
        engine
            .store()
            .find_by_title(DatabaseKey::Tasks, &task_id)
            .unwrap()
            .is_empty(),
        "the task is in the trash"
    );

    let status = |engine: &Engine| {
        record(
            engine,
            DatabaseKey::ActiveWorkflowInstances,
            "INST-276fac43",
        )
        .get::<Option<String>>("Status")
    };
    let hold = Change::Correct {
        instance_page: instance,
        fix: Fix::Hold,
        note: Some("waiting on the client".into()),
    };
    let step = submit(&engine, "Hold", vec![("INST-276fac43".into(), hold)]);
    engine.drain().await.unwrap();
    assert_eq!(status(&engine).as_deref(), Some("On Hold"));
    assert_eq!(undone(&engine, step), (0, 1, Vec::new()));
    engine.drain().await.unwrap();
    assert_eq!(status(&engine).as_deref(), Some("Active"));
}
