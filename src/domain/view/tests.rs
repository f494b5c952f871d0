use chrono::NaiveDate;

use super::*;
use crate::domain::schema::DatabaseKey;

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

fn facts(status: &str, assignee: &str, due: Option<&str>) -> RowFacts {
    RowFacts {
        status: (!status.is_empty()).then(|| status.to_string()),
        assignee: assignee.to_string(),
        due: due.map(day),
        stuck: false,
    }
}

#[test]
fn each_quick_filter_admits_what_it_says() {
    let today = day("2026-12-07");
    let me = "Ada";
    let open_late_mine = facts("To Do", "ada", Some("2026-12-06"));
    let done_late = facts("Done", "Bob", Some("2026-12-01"));
    let due_today = facts("In Progress", "", Some("2026-12-07"));
    let cancelled = facts("Cancelled", "", None);
    let completed = facts("Completed", "", None);

    assert!(Quick::Open.admits(&open_late_mine, me, today));
    assert!(!Quick::Open.admits(&done_late, me, today));
    assert!(!Quick::Open.admits(&cancelled, me, today));
    assert!(
        !Quick::Open.admits(&completed, me, today),
        "an instance's end"
    );
    assert!(
        Quick::Open.admits(&facts("", "", None), me, today),
        "no status is open"
    );

    assert!(
        Quick::Mine.admits(&open_late_mine, me, today),
        "without case"
    );
    assert!(Quick::Mine.admits(&facts("To Do", "Bob, Ada", None), me, today));
    assert!(!Quick::Mine.admits(&facts("To Do", "Adam", None), me, today));
    assert!(
        !Quick::Mine.admits(&due_today, "", today),
        "no operator, nobody's"
    );

    assert!(Quick::Overdue.admits(&open_late_mine, me, today));
    assert!(
        !Quick::Overdue.admits(&done_late, me, today),
        "done is never late"
    );
    assert!(
        !Quick::Overdue.admits(&due_today, me, today),
        "today is not late"
    );
    assert!(!Quick::Overdue.admits(&cancelled, me, today), "no due date");

    assert!(Quick::Unassigned.admits(&due_today, me, today));
    assert!(Quick::Unassigned.admits(&facts("To Do", "  ", None), me, today));
    assert!(!Quick::Unassigned.admits(&open_late_mine, me, today));

    let stuck = RowFacts {
        stuck: true,
        ..facts("Active", "", None)
    };
    assert!(Quick::Stuck.admits(&stuck, me, today));
    assert!(!Quick::Stuck.admits(&facts("Active", "", None), me, today));

    let error = Quick::Status("Error".into());
    assert!(error.admits(&facts("error", "", None), me, today));
    assert!(!error.admits(&facts("Active", "", None), me, today));
}

#[test]
fn quick_filters_are_read_and_written_by_name() {
    for quick in [
        Quick::Open,
        Quick::Mine,
        Quick::Overdue,
        Quick::Unassigned,
        Quick::Stuck,
        Quick::Status("On Hold".into()),
    ] {
        assert_eq!(quick.to_string().parse::<Quick>().unwrap(), quick);
    }
    assert_eq!("MINE".parse::<Quick>().unwrap(), Quick::Mine);
    assert_eq!(
        "status=Error".parse::<Quick>().unwrap(),
        Quick::Status("Error".into())
    );
    let err = "late".parse::<Quick>().unwrap_err();
    assert!(err.contains("\"late\"") && err.contains("overdue"), "{err}");
    assert!("status:".parse::<Quick>().is_err());
}

#[test]
fn a_view_needs_every_quick_filter() {
    let views = builtin_views();
    let mine = find_view(&views, "mine").unwrap();
    let today = day("2026-12-07");
    assert_eq!(mine.tab, DatabaseKey::Tasks);
    assert!(mine.admits(&facts("To Do", "Ada", None), "Ada", today));
    assert!(!mine.admits(&facts("Done", "Ada", None), "Ada", today));
    assert!(!mine.admits(&facts("To Do", "Bob", None), "Ada", today));
    let overdue = find_view(&views, "overdue").unwrap();
    assert_eq!(overdue.sort, Some(("Due Date".to_string(), false)));
    assert!(!overdue.needs_stuck());
    assert!(find_view(&views, "stuck").unwrap().needs_stuck());
    assert_eq!(
        find_view(&views, "errors").unwrap().tab,
        DatabaseKey::ActiveWorkflowInstances
    );
}

#[test]
fn config_views_replace_builtins_by_name_and_add_the_rest_sorted() {
    let own = |name: &str, tab| View {
        name: name.to_string(),
        tab,
        filter: "well".into(),
        quick: vec![],
        sort: None,
        builtin: false,
    };
    let views = views_with(vec![
        own("zeta", DatabaseKey::Tasks),
        own("errors", DatabaseKey::Tasks),
        own("alpha", DatabaseKey::Tasks),
    ]);
    let names: Vec<&str> = views.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "mine",
            "overdue",
            "errors",
            "stuck",
            "unassigned",
            "alpha",
            "zeta"
        ]
    );
    let errors = find_view(&views, "errors").unwrap();
    assert!(!errors.builtin);
    assert_eq!(errors.tab, DatabaseKey::Tasks);
    assert_eq!(errors.filter, "well");
    let err = find_view(&views, "nope").unwrap_err();
    assert!(
        err.contains("\"nope\"") && err.contains("mine, overdue"),
        "{err}"
    );
}

#[test]
fn facts_come_from_a_record_of_any_database() {
    let mut task = Record::new(DatabaseKey::Tasks);
    task.set("Status", Some("To Do".to_string()));
    task.set("Assigned To", "Ada".to_string());
    task.set(
        "Due Date",
        Some(DateValue {
            start: "2026-12-01".into(),
            end: None,
            time_zone: None,
        }),
    );
    let read = RowFacts::of(&task, false);
    assert_eq!(read.status.as_deref(), Some("To Do"));
    assert_eq!(read.assignee, "Ada");
    assert_eq!(read.due, Some(day("2026-12-01")));
    // Workflows have no Assigned To nor Due Date: no facts, no panic.
    let workflow = Record::new(DatabaseKey::WorkflowsLibrary);
    assert_eq!(
        RowFacts::of(&workflow, true),
        RowFacts {
            stuck: true,
            ..RowFacts::default()
        }
    );
}

#[test]
fn view_names_are_one_word() {
    assert!(check_view_name("my-view_2").is_ok());
    for bad in ["", "my view", "a.b", "ü"] {
        assert!(check_view_name(bad).is_err(), "{bad:?}");
    }
}
