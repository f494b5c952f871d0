//! Alerts against the fake Notion, through the engine's own refreshes: a sync that moves an
//! instance into Error raises exactly one alert; the operator's own change (a task they
//! create for themselves, sent and read back) raises none; another writer's does.

mod support;

use chrono::Utc;
use serde_json::json;

use hsn::domain::alerts::{AlertKind, AlertKinds};
use hsn::domain::overview::StuckRule;
use hsn::domain::schema::DatabaseKey;
use hsn::domain::write::{TaskRequest, plan_new_task};
use hsn::store::looked::AlertCheck;
use hsn::sync::Engine;

const OPERATOR: &str = "Ana";

fn check(check: &mut AlertCheck, engine: &Engine) -> Vec<hsn::domain::alerts::Alert> {
    check
        .run(
            &engine.store(),
            |k| engine.data_source(k),
            // The workspace's instances started weeks ago: none is stuck by this rule.
            &StuckRule {
                default_days: 3650,
                ..StuckRule::default()
            },
            OPERATOR,
            &AlertKinds::default(),
            Utc::now(),
        )
        .unwrap()
}

async fn sync(engine: &Engine) {
    for key in [DatabaseKey::ActiveWorkflowInstances, DatabaseKey::Tasks] {
        engine.refresh(key, false).await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sync_into_error_raises_one_alert_and_the_operators_own_change_none() {
    let ws = support::workspace().await;
    let engine = support::writes::engine(&ws, "alerts").await;
    sync(&engine).await;
    let mut alerts = AlertCheck::default();
    assert!(check(&mut alerts, &engine).is_empty(), "a baseline");

    // Another writer puts the instance in Error in Notion; the next sync brings it.
    ws.client
        .update_page(
            &ws.instance,
            json!({
                "Status": {"status": {"name": "Error"}},
                "Error Message": {"rich_text": [{"text": {"content": "payment webhook timed out"}}]},
            }),
        )
        .await
        .unwrap();
    sync(&engine).await;
    let news = check(&mut alerts, &engine);
    assert_eq!(news.len(), 1, "{news:?}");
    assert_eq!(news[0].kind, AlertKind::Error);
    assert_eq!(news[0].page_id, ws.instance);
    assert_eq!(
        news[0].text,
        "INST-0001 (WF-WELL-BOOK) entered Error: payment webhook timed out"
    );
    sync(&engine).await;
    assert!(
        check(&mut alerts, &engine).is_empty(),
        "no news the round after"
    );

    // The operator makes a task for themselves: queued, sent, read back by a sync.
    let other = ws.add_instance("INST-0002", "inquiry", "[]").await;
    sync(&engine).await;
    let news = check(&mut alerts, &engine);
    assert!(news.is_empty(), "{news:?}");
    let instance = engine.store().record(&other).unwrap().unwrap().record;
    let request = TaskRequest {
        name: "call the client back".into(),
        assignee: Some(OPERATOR.into()),
        ..TaskRequest::default()
    };
    let (write, task, after) = plan_new_task(
        &instance,
        &request,
        "TASK-00000042",
        "local:TASK-00000042",
        OPERATOR,
        Utc::now(),
    )
    .unwrap();
    engine.submit(&write, vec![task, after]).unwrap();
    assert!(check(&mut alerts, &engine).is_empty(), "queued: their own");
    engine.drain().await.unwrap();
    sync(&engine).await;
    assert!(check(&mut alerts, &engine).is_empty(), "sent and read back");

    // Another writer assigns the operator a task: that alerts.
    let theirs = ws
        .client
        .create_page(
            hsn::notion::PageParent::DataSource(ws.source(DatabaseKey::Tasks)),
            json!({
                "Task ID": {"title": [{"text": {"content": "TASK-00000043"}}]},
                "Task Name": {"rich_text": [{"text": {"content": "review the quote"}}]},
                "Status": {"select": {"name": "To Do"}},
                "Assigned To": {"rich_text": [{"text": {"content": OPERATOR}}]},
            }),
        )
        .await
        .unwrap()
        .id;
    sync(&engine).await;
    let news = check(&mut alerts, &engine);
    assert_eq!(news.len(), 1, "{news:?}");
    assert_eq!(
        (
            news[0].kind,
            news[0].page_id.as_str(),
            news[0].text.as_str()
        ),
        (
            AlertKind::Assigned,
            theirs.as_str(),
            "TASK-00000043 assigned to you"
        )
    );
}
