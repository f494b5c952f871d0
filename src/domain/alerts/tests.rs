use chrono::{Duration, NaiveDate, TimeZone};

use super::*;
use crate::domain::overview::{InstanceFacts, OverviewInput, TaskFacts, WorkflowFacts};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 7, 12, 0, 0).unwrap()
}

fn instance(page: &str, status: &str, days_in_state: i64) -> InstanceFacts {
    InstanceFacts {
        page_id: page.into(),
        instance_id: format!("INST-{page}"),
        workflow: Some("WF-CONSULT".into()),
        state: "Intake".into(),
        status: Some(status.into()),
        entered: Some(now() - Duration::days(days_in_state)),
        error_message: if status == "Error" {
            "timeout".into()
        } else {
            String::new()
        },
        priority: None,
        history: Vec::new(),
    }
}

fn task(page: &str, assignee: &str, due: Option<NaiveDate>) -> TaskFacts {
    TaskFacts {
        page_id: page.into(),
        task_id: format!("TASK-{page}"),
        name: "call back".into(),
        status: Some("To Do".into()),
        priority: None,
        due,
        assignee: assignee.into(),
        created: None,
    }
}

/// The facts of a store holding these records, as the dashboard computes them.
fn facts(instances: Vec<InstanceFacts>, tasks: Vec<TaskFacts>) -> AlertFacts {
    let workflow = WorkflowFacts {
        page_id: Some("wf-page".into()),
        workflow_id: "WF-CONSULT".into(),
        name: "Consult".into(),
        status: Some("Active".into()),
        states: vec![("Intake".into(), false), ("Done".into(), true)],
    };
    let index = OverviewIndex::new(OverviewInput {
        workflows: vec![workflow],
        instances,
        tasks,
        freshness: Vec::new(),
    });
    AlertFacts::of(&index, &StuckRule::default(), "ana", now())
}

fn none() -> HashSet<String> {
    HashSet::new()
}

#[test]
fn a_sync_moving_an_instance_into_error_raises_exactly_one_alert_once() {
    let mut watch = AlertWatch::default();
    let all = AlertKinds::default();
    let before = facts(
        vec![instance("a", "Active", 1), instance("b", "Active", 1)],
        vec![],
    );
    assert!(watch.next(before, &none(), &all).is_empty(), "a baseline");
    let after = facts(
        vec![instance("a", "Error", 0), instance("b", "Active", 1)],
        vec![],
    );
    let news = watch.next(after.clone(), &none(), &all);
    assert_eq!(
        news,
        vec![Alert {
            kind: AlertKind::Error,
            page_id: "a".into(),
            text: "INST-a (WF-CONSULT) entered Error: timeout".into(),
        }]
    );
    assert!(
        watch.next(after, &none(), &all).is_empty(),
        "still in Error next round: no news"
    );
}

#[test]
fn the_operators_own_change_raises_none() {
    let all = AlertKinds::default();
    let before = facts(vec![instance("a", "Active", 1)], vec![task("t", "", None)]);
    let after = facts(
        vec![instance("a", "Error", 0)],
        vec![task("t", "ana", None)],
    );
    let own: HashSet<String> = ["a".to_string(), "t".to_string()].into();
    assert!(alerts(&before, &after, &own, &all).is_empty());
    // The same change by someone else alerts.
    assert_eq!(alerts(&before, &after, &none(), &all).len(), 2);
}

#[test]
fn a_disabled_kind_raises_none() {
    let before = facts(vec![instance("a", "Active", 1)], vec![]);
    let after = facts(vec![instance("a", "Error", 0)], vec![]);
    let only_tasks = AlertKinds::parse(["assigned", "overdue"]).unwrap();
    assert!(alerts(&before, &after, &none(), &only_tasks).is_empty());
}

#[test]
fn the_first_computation_is_a_baseline() {
    let mut watch = AlertWatch::default();
    let everything = facts(
        vec![instance("a", "Error", 0), instance("b", "Active", 30)],
        vec![task(
            "t",
            "ana",
            Some(NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()),
        )],
    );
    assert!(
        watch
            .next(everything, &none(), &AlertKinds::default())
            .is_empty()
    );
}

#[test]
fn stuck_assigned_and_overdue_say_what_happened() {
    let before = facts(
        vec![instance("b", "Active", 6)],
        vec![task("t", "Nyra", None), task("u", "ana", None)],
    );
    let due = NaiveDate::from_ymd_opt(2026, 12, 5).unwrap();
    let after = facts(
        vec![instance("b", "Active", 9)],
        vec![task("t", "ana, Nyra", None), task("u", "ana", Some(due))],
    );
    let texts: Vec<(AlertKind, String)> = alerts(&before, &after, &none(), &AlertKinds::default())
        .into_iter()
        .map(|a| (a.kind, a.text))
        .collect();
    assert_eq!(
        texts,
        vec![
            (
                AlertKind::Stuck,
                "INST-b (WF-CONSULT) stuck in Intake for 9d".to_string()
            ),
            (AlertKind::Assigned, "TASK-t assigned to you".to_string()),
            (
                AlertKind::Overdue,
                "TASK-u is overdue (due 2026-12-05)".to_string()
            ),
        ]
    );
}

#[test]
fn alert_names_are_checked() {
    assert!(AlertKinds::parse(["error", "Stuck"]).is_ok());
    let bad = AlertKinds::parse(["erorr"]).unwrap_err();
    assert!(bad.contains("erorr") && bad.contains("overdue"), "{bad}");
}
