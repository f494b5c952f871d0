//! The Overview's figures: each one on a small hand-made workspace (counts, the stuck
//! threshold at its boundary, overdue by date, the 14-day series with empty days), and
//! `hsn overview --json` on the demo giving the same numbers as the tab.

use chrono::{DateTime, Duration, SecondsFormat, TimeZone, Utc};
use serde_json::Value;

use hsn::domain::demo::demo_data_source_id;
use hsn::domain::history::{HistoryEntry, HistoryLog};
use hsn::domain::models::{Task, Workflow, WorkflowInstance};
use hsn::domain::overview::{
    InstanceFacts, LISTED, Overview, OverviewIndex, OverviewInput, StuckRule, TaskFacts,
    WorkflowFacts, compute,
};
use hsn::domain::record::Link;
use hsn::notion::DateValue;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 27, 12, 0, 0).unwrap()
}

fn at(t: DateTime<Utc>) -> Option<DateValue> {
    Some(DateValue {
        start: t.to_rfc3339_opts(SecondsFormat::Secs, true),
        end: None,
        time_zone: None,
    })
}

fn day(offset_days: i64) -> Option<DateValue> {
    Some(DateValue {
        start: (now().date_naive() + Duration::days(offset_days)).to_string(),
        end: None,
        time_zone: None,
    })
}

fn workflow(id: &str, status: &str, states: &str) -> WorkflowFacts {
    WorkflowFacts::from_workflow(&Workflow {
        page_id: Some(format!("page-{id}")),
        workflow_id: id.into(),
        name: format!("{id} name"),
        states: states.into(),
        status: Some(status.into()),
        ..Workflow::default()
    })
}

fn instance(
    id: &str,
    workflow: &str,
    state: &str,
    status: &str,
    entered: DateTime<Utc>,
) -> WorkflowInstance {
    WorkflowInstance {
        page_id: Some(format!("page-{id}")),
        instance_id: id.into(),
        workflow: Link::Pages(vec![format!("page-{workflow}")]),
        current_state: state.into(),
        status: Some(status.into()),
        last_transition_date: at(entered),
        ..WorkflowInstance::default()
    }
}

fn task(id: &str, status: &str, priority: &str, due: Option<DateValue>, who: &str) -> TaskFacts {
    TaskFacts::from_task(
        &Task {
            page_id: Some(format!("page-{id}")),
            task_id: id.into(),
            task_name: format!("{id} name"),
            status: Some(status.into()),
            priority: Some(priority.into()),
            due_date: due,
            assigned_to: who.into(),
            created_date: at(now() - Duration::days(20)),
            ..Task::default()
        },
        None,
    )
}

/// The overview of `input` at `now`, through the index a load builds.
fn overview(input: OverviewInput, rule: &StuckRule, now: DateTime<Utc>) -> Overview {
    compute(&OverviewIndex::new(input), rule, now)
}

/// Two workflows (one a Draft with nothing running), five instances, a few tasks.
fn workspace() -> OverviewInput {
    let week = Duration::days(7);
    let mut instances = [
        // Exactly at the threshold: not stuck.
        instance("I1", "WF-A", "intake", "Active", now() - week),
        // One second past it: stuck.
        instance(
            "I2",
            "WF-A",
            "intake",
            "Active",
            now() - week - Duration::seconds(1),
        ),
        instance("I3", "WF-A", "review", "Error", now() - Duration::days(3)),
        instance(
            "I4",
            "WF-A",
            "completed",
            "Completed",
            now() - Duration::days(30),
        ),
        // A state the workflow does not define still counts, marked unknown.
        instance("I5", "WF-A", "limbo", "On Hold", now() - Duration::days(40)),
    ];
    instances[2].error_message = "HubSpot said 409".into();
    let mut log = HistoryLog::default();
    for (days, from, to) in [
        (14, "intake", "review"), // 14 days ago: just outside the window
        (13, "review", "intake"), // the window's first day
        (1, "intake", "review"),
    ] {
        log.push(HistoryEntry::transition(
            "Nyra",
            from,
            to,
            None,
            now() - Duration::days(days),
        ));
    }
    log.push(HistoryEntry::event(
        "Grace Fields",
        "Created task: call back",
        Default::default(),
        now() - Duration::hours(1),
    ));
    instances[2].history_log = log.encode_text();
    let mut tasks = vec![
        task("T-late-low", "To Do", "Low", day(-1), "Sage"),
        task("T-late-high", "In Progress", "High", day(-3), "Nyra"),
        task("T-done", "Done", "High", day(-5), ""),
        task("T-today", "To Do", "Medium", day(0), "Elan"),
        task("T-week", "To Do", "High", day(6), ""),
        task("T-later", "To Do", "High", day(7), "Ruvo"),
        task("T-none", "On Hold", "Low", None, ""),
    ];
    tasks[3].created = Some(now() - Duration::hours(2));
    OverviewInput {
        workflows: vec![
            workflow("WF-A", "Active", r#"["intake", "review", "completed"]"#),
            workflow("WF-DRAFT", "Draft", r#"["one", "two"]"#),
        ],
        instances: instances.iter().map(InstanceFacts::from_instance).collect(),
        tasks,
        freshness: Vec::new(),
    }
}

#[test]
fn funnel_counts_each_state_in_order_with_terminal_states_apart() {
    let o = overview(workspace(), &StuckRule::default(), now());
    assert_eq!(o.funnels.len(), 1, "the idle Draft workflow is left out");
    let funnel = &o.funnels[0];
    assert_eq!(funnel.workflow_id, "WF-A");
    let states: Vec<(&str, usize, bool, bool)> = funnel
        .states
        .iter()
        .map(|s| (s.state.as_str(), s.count, s.terminal, s.known))
        .collect();
    assert_eq!(
        states,
        [
            ("intake", 2, false, true),
            ("review", 1, false, true),
            ("limbo", 1, false, false),
            ("completed", 1, true, true),
        ]
    );
    assert_eq!((funnel.open, funnel.ended), (4, 1));
    assert_eq!((o.instances, o.open_instances), (5, 4));
}

#[test]
fn stuck_starts_one_second_past_the_threshold() {
    let o = overview(workspace(), &StuckRule::default(), now());
    let stuck: Vec<&str> = o.stuck.iter().map(|i| i.instance_id.as_str()).collect();
    assert_eq!(stuck, ["I2"], "I1 is exactly 7 days in: not stuck yet");
    assert_eq!(o.stuck[0].seconds_in_state, 7 * 86_400 + 1);
    // A per-workflow threshold wins over the default.
    let mut rule = StuckRule::from_setting(Some("30")).unwrap();
    assert_eq!(rule.source, "HSN_STUCK_DAYS");
    assert!(overview(workspace(), &rule, now()).stuck.is_empty());
    rule.per_workflow.insert("WF-A".into(), 6);
    let o = overview(workspace(), &rule, now());
    assert_eq!(o.stuck.len(), 2);
    assert_eq!(o.stuck[0].instance_id, "I2", "longest in state first");
    assert!(StuckRule::from_setting(Some("soon")).is_err());
    assert!(StuckRule::from_setting(Some("0")).is_err());
}

#[test]
fn errors_carry_their_message() {
    let o = overview(workspace(), &StuckRule::default(), now());
    assert_eq!(o.errors.len(), 1);
    assert_eq!(o.errors[0].instance_id, "I3");
    assert_eq!(o.errors[0].error_message, "HubSpot said 409");
}

#[test]
fn tasks_are_overdue_by_date_and_sorted_by_priority() {
    let o = overview(workspace(), &StuckRule::default(), now());
    let ids = |list: &[hsn::domain::overview::TaskItem]| -> Vec<String> {
        list.iter().map(|t| t.task_id.clone()).collect()
    };
    assert_eq!(ids(&o.tasks.overdue), ["T-late-high", "T-late-low"]);
    assert_eq!(ids(&o.tasks.due_today), ["T-today"]);
    assert_eq!(
        ids(&o.tasks.due_this_week),
        ["T-week"],
        "day +7 is next week"
    );
    assert_eq!(
        ids(&o.tasks.unassigned_high),
        ["T-week"],
        "done tasks don't count"
    );
    assert_eq!(o.tasks.open, 6);
    // A minute before midnight, yesterday's task is still overdue and today's is not.
    let late = Utc.with_ymd_and_hms(2026, 11, 27, 23, 59, 0).unwrap();
    let o = overview(workspace(), &StuckRule::default(), late);
    assert_eq!(ids(&o.tasks.due_today), ["T-today"]);
}

#[test]
fn activity_covers_fourteen_days_with_the_empty_ones() {
    let o = overview(workspace(), &StuckRule::default(), now());
    assert_eq!(o.activity.len(), 14);
    assert_eq!(o.activity[0].date, now().date_naive() - Duration::days(13));
    assert_eq!(o.activity[13].date, now().date_naive());
    let transitions: Vec<usize> = o.activity.iter().map(|d| d.transitions).collect();
    let mut expected = vec![0; 14];
    expected[0] = 1; // 13 days ago; 14 days ago is outside
    expected[12] = 1; // yesterday
    assert_eq!(transitions, expected);
    let created: Vec<usize> = o.activity.iter().map(|d| d.tasks_created).collect();
    let mut expected = vec![0; 14];
    expected[13] = 1; // T-today, created two hours ago; the others 20 days ago
    assert_eq!(created, expected);
    // The latest entries, newest first, across instances.
    let recent: Vec<(&str, &str)> = o
        .recent
        .iter()
        .map(|e| (e.actor.as_str(), e.action.as_str()))
        .collect();
    assert_eq!(recent[0], ("Grace Fields", "Created task: call back"));
    assert_eq!(o.recent[0].kind, "task", "a task entry is of kind task");
    assert_eq!(recent.len(), 4);
    assert_eq!(o.recent[0].instance_id, "I3");
}

/// The demo workspace, through the real binary with a fixed clock, against the figures
/// the dashboard's loader computes from the same store at the same clock.
#[test]
fn overview_json_gives_the_numbers_of_the_tab() {
    let dir = tempfile::tempdir().unwrap();
    // Now (to the second), so the demo seeded by the binary has stuck and late work.
    let now = Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true);
    let now = now.as_str();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_hsn"))
        .args(["overview", "--json"])
        .env_clear()
        .env("HSN_DATA_DIR", dir.path())
        .env("HSN_NOW", now)
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut printed: Value = serde_json::from_slice(&output.stdout).unwrap();
    // Never closed the dashboard: nothing since.
    let since = printed.as_object_mut().unwrap().remove("since_last_looked");
    assert_eq!(since, Some(Value::Null));

    let store = hsn::store::Store::open(&dir.path().join("demo.sqlite")).unwrap();
    let clock = DateTime::parse_from_rfc3339(now).unwrap().to_utc();
    let overview = hsn::store::overview::load_overview(
        &store,
        |k| Some(demo_data_source_id(k)),
        &StuckRule::default(),
        clock,
    )
    .unwrap();
    assert_eq!(printed, serde_json::to_value(&overview).unwrap());
    assert_eq!(printed["instances"], 49);
    assert!(!printed["stuck"].as_array().unwrap().is_empty());
    assert!(!printed["tasks"]["overdue"].as_array().unwrap().is_empty());

    // The tab draws those numbers.
    let mut app = hsn::ui::app::App::new(clock, true, false, hsn::ui::theme::Theme::plain());
    app.update(hsn::ui::app::Msg::Overview(Box::new(overview)));
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 40)).unwrap();
    terminal
        .draw(|frame| hsn::ui::view::draw(frame, &mut app))
        .unwrap();
    let screen = terminal.backend().to_string();
    let title = format!(
        "{} open of {} instances · {} open tasks · {} in error · {} stuck · {} overdue",
        printed["open_instances"],
        printed["instances"],
        printed["tasks"]["open"],
        printed["errors"].as_array().unwrap().len(),
        printed["stuck"].as_array().unwrap().len(),
        printed["tasks"]["overdue"].as_array().unwrap().len(),
    );
    assert!(screen.contains(&title), "{title}\n{screen}");

    // Without --json: a report that says where the threshold came from.
    let text = std::process::Command::new(env!("CARGO_BIN_EXE_hsn"))
        .args(["overview"])
        .env_clear()
        .env("HSN_DATA_DIR", dir.path())
        .env("HSN_NOW", now)
        .env("HSN_STUCK_DAYS", "10")
        .current_dir(dir.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("over 10 days (HSN_STUCK_DAYS"), "{text}");
}

#[test]
fn a_workspace_full_of_stuck_instances_lists_the_worst_and_counts_them_all() {
    let mut input = workspace();
    let extra = LISTED + 50;
    for n in 0..extra {
        let entered = now() - Duration::days(30) - Duration::minutes(n as i64);
        input.instances.push(InstanceFacts::from_instance(&instance(
            &format!("S{n:04}"),
            "WF-A",
            "intake",
            "Active",
            entered,
        )));
    }
    let before = overview(workspace(), &StuckRule::default(), now());
    let overview = overview(input, &StuckRule::default(), now());
    assert_eq!(overview.stuck_count, before.stuck_count + extra);
    assert_eq!(overview.stuck.len(), LISTED);
    assert_eq!(
        overview.stuck[0].instance_id,
        format!("S{:04}", extra - 1),
        "the longest first"
    );
    assert!(
        overview
            .stuck
            .windows(2)
            .all(|w| w[0].seconds_in_state >= w[1].seconds_in_state)
    );
}

#[test]
fn stuck_counts_the_fraction_of_a_second_past_the_threshold() {
    // Half a second on, I1 (exactly 7 days in at `now`) is past the threshold too; whole
    // seconds are shown.
    let clock = now() + Duration::milliseconds(500);
    let o = overview(workspace(), &StuckRule::default(), clock);
    let stuck: Vec<(&str, i64)> = o
        .stuck
        .iter()
        .map(|i| (i.instance_id.as_str(), i.seconds_in_state))
        .collect();
    assert_eq!(stuck, [("I2", 7 * 86_400 + 1), ("I1", 7 * 86_400)]);
    assert_eq!(o.stuck_count, 2);
}

#[test]
fn errors_entered_later_or_at_no_known_time_come_last_by_instance_id() {
    let mut input = workspace();
    let mut never = instance("E-never", "WF-A", "intake", "Error", now());
    never.last_transition_date = None;
    for error in [
        never,
        instance(
            "E-later",
            "WF-A",
            "intake",
            "Error",
            now() + Duration::days(1),
        ),
        instance(
            "E-old",
            "WF-A",
            "intake",
            "Error",
            now() - Duration::days(10),
        ),
        instance("E-now", "WF-A", "intake", "Error", now()),
    ] {
        input.instances.push(InstanceFacts::from_instance(&error));
    }
    let o = overview(input, &StuckRule::default(), now());
    let errors: Vec<(&str, i64)> = o
        .errors
        .iter()
        .map(|i| (i.instance_id.as_str(), i.seconds_in_state))
        .collect();
    assert_eq!(
        errors,
        [
            ("E-old", 10 * 86_400),
            ("I3", 3 * 86_400),
            ("E-later", 0),
            ("E-never", 0),
            ("E-now", 0),
        ]
    );
    assert_eq!(o.error_count, 5);
}

#[test]
fn stuck_lists_the_longest_across_workflows_each_past_its_own_threshold() {
    let mut input = workspace();
    input
        .workflows
        .push(workflow("WF-B", "Active", r#"["start", "done"]"#));
    // WF-B waits 30 days: of its instances 20 to 20 + LISTED days in, those past 30 are
    // stuck, and they are in their state longer than any of WF-A's.
    for n in 0..LISTED {
        let entered = now() - Duration::days(20 + n as i64);
        input.instances.push(InstanceFacts::from_instance(&instance(
            &format!("B{n:04}"),
            "WF-B",
            "start",
            "Active",
            entered,
        )));
    }
    let mut rule = StuckRule::default();
    rule.per_workflow.insert("WF-B".into(), 30);
    let o = overview(input, &rule, now());
    let stuck_b = LISTED - 11; // 31 days in and more
    assert_eq!(o.stuck_count, stuck_b + 1, "and I2 of WF-A");
    assert_eq!(o.stuck.len(), stuck_b + 1);
    assert_eq!(o.stuck[0].instance_id, format!("B{:04}", LISTED - 1));
    assert_eq!(o.stuck[0].threshold_days, 30);
    assert_eq!(o.stuck[stuck_b - 1].instance_id, "B0011");
    let last = o.stuck.last().unwrap();
    assert_eq!((last.instance_id.as_str(), last.threshold_days), ("I2", 7));
}

#[test]
fn among_equally_long_stuck_instances_the_first_instance_ids_are_listed() {
    let mut input = workspace();
    let extra = LISTED + 10;
    // All in their state for the same time, added in reverse order of Instance ID.
    for n in (0..extra).rev() {
        input.instances.push(InstanceFacts::from_instance(&instance(
            &format!("S{n:04}"),
            "WF-A",
            "intake",
            "Active",
            now() - Duration::days(30),
        )));
    }
    let o = overview(input, &StuckRule::default(), now());
    assert_eq!(o.stuck_count, extra + 1, "and I2");
    let listed: Vec<String> = o.stuck.iter().map(|i| i.instance_id.clone()).collect();
    let first: Vec<String> = (0..LISTED).map(|n| format!("S{n:04}")).collect();
    assert_eq!(listed, first);
}

/// `since_last_looked`: what the store counts since this operator last closed the
/// dashboard, the same figures the Overview's line says.
#[test]
fn overview_json_says_what_happened_since_the_operator_last_looked() {
    let dir = tempfile::tempdir().unwrap();
    let now = Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true);
    let run = |operator: &str| {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_hsn"))
            .args(["overview", "--json"])
            .env_clear()
            .env("HSN_DATA_DIR", dir.path())
            .env("HSN_NOW", &now)
            .env("HSN_OPERATOR", operator)
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice::<Value>(&output.stdout).unwrap()
    };
    assert_eq!(run("Grace Fields")["since_last_looked"], Value::Null);
    // Grace closed the dashboard three days ago.
    let closed = Utc::now() - Duration::days(3);
    let path = dir.path().join("demo.sqlite");
    hsn::store::looked::record_closed(&path, "Grace Fields", closed).unwrap();
    let printed = run("Grace Fields");
    let store = hsn::store::Store::open(&path).unwrap();
    let stored = store.last_closed("Grace Fields").unwrap().unwrap();
    let expected = store.since_summary(stored, "Grace Fields").unwrap();
    let since = &printed["since_last_looked"];
    assert_eq!(since, &serde_json::to_value(expected).unwrap());
    assert!(since["transitions"].as_u64().unwrap() > 0, "{since}");
    assert_eq!(
        DateTime::parse_from_rfc3339(since["since"].as_str().unwrap())
            .unwrap()
            .timestamp_millis(),
        closed.timestamp_millis()
    );
    // Another operator has never closed it here.
    assert_eq!(run("Nyra")["since_last_looked"], Value::Null);
    // The report says it in words.
    let text = std::process::Command::new(env!("CARGO_BIN_EXE_hsn"))
        .args(["overview"])
        .env_clear()
        .env("HSN_DATA_DIR", dir.path())
        .env("HSN_NOW", &now)
        .env("HSN_OPERATOR", "Grace Fields")
        .current_dir(dir.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    let moment = hsn::domain::since::moment_text(
        stored,
        DateTime::parse_from_rfc3339(&now).unwrap().to_utc(),
        chrono::FixedOffset::east_opt(0).unwrap(),
    );
    let line = format!(
        "Since you last looked ({moment} UTC): {}",
        expected.counts()
    );
    assert!(text.lines().nth(1) == Some(line.as_str()), "{line}\n{text}");
}
