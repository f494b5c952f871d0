//! `hsn log`, the audit log of every instance, as a real process: its filters against the
//! demo workspace (checked against the whole log it prints), its JSON contract, its usage
//! errors; against the fake Notion an original agent's entry, an unreadable item and
//! hostile text, and a move made with `hsn advance` (queued, then confirmed).

mod support;

use support::hsn;

use std::path::Path;
use std::process::Output;

use chrono::{DateTime, Duration, Utc};
use hsn::domain::history::HistoryEntry;
use serde_json::{Map, Value, json};

/// Every key of a line of `hsn log --json`.
const KEYS: [&str; 12] = [
    "timestamp",
    "actor",
    "instance_id",
    "instance_page",
    "workflow",
    "kind",
    "from",
    "to",
    "action",
    "note",
    "details",
    "pending",
];

const KINDS: [&str; 7] = [
    "transition",
    "task_created",
    "task",
    "error",
    "correction",
    "other",
    "unreadable",
];

/// `hsn ARGS` on the demo workspace kept in `dir` (no token), piped.
fn demo(dir: &Path, args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_hsn"))
        .args(args)
        .env_clear()
        .env("HSN_DATA_DIR", dir)
        .env("HSN_CONFIG", dir.join("config.toml"))
        .env("HSN_OPERATOR", "Jordan Ellis")
        .current_dir(dir)
        .output()
        .unwrap()
}

/// The JSON lines a successful run printed, each checked against the contract: every
/// key, a known kind, an RFC 3339 time; newest first.
fn entries(output: &Output) -> Vec<Value> {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let lines: Vec<Value> = String::from_utf8(output.stdout.clone())
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect();
    for line in &lines {
        for key in KEYS {
            assert!(line.get(key).is_some(), "no {key} in {line}");
        }
        assert!(KINDS.contains(&line["kind"].as_str().unwrap()), "{line}");
        assert!(line["pending"].is_boolean(), "{line}");
        assert!(line["details"].is_object(), "{line}");
    }
    let times: Vec<DateTime<Utc>> = lines.iter().map(time).collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "newest first");
    lines
}

fn time(line: &Value) -> DateTime<Utc> {
    let text = line["timestamp"].as_str().unwrap();
    DateTime::parse_from_rfc3339(text)
        .unwrap_or_else(|e| panic!("{text}: {e}"))
        .with_timezone(&Utc)
}

fn field<'a>(line: &'a Value, key: &str) -> &'a str {
    line[key].as_str().unwrap_or_default()
}

#[test]
fn filters_over_the_demo_keep_exactly_the_matching_entries() {
    let dir = tempfile::tempdir().unwrap();
    let all = entries(&demo(dir.path(), &["log"]));
    assert!(all.len() > 100, "the demo's whole log: {}", all.len());
    let kinds: Vec<&str> = all.iter().map(|l| field(l, "kind")).collect();
    for kind in ["transition", "task_created", "other"] {
        assert!(kinds.contains(&kind), "the demo has {kind} entries");
    }
    let like = |keep: &dyn Fn(&Value) -> bool| -> Vec<Value> {
        all.iter().filter(|l| keep(l)).cloned().collect()
    };

    // What Solari did in the last 30 days.
    let since = Utc::now() - Duration::days(30);
    let solari = entries(&demo(
        dir.path(),
        &["log", "--actor", "Solari", "--since", "30d"],
    ));
    assert!(!solari.is_empty());
    assert_eq!(
        solari,
        like(&|l| field(l, "actor") == "Solari" && time(l) >= since)
    );
    // A name's start, any case.
    assert_eq!(
        entries(&demo(
            dir.path(),
            &["log", "--actor", "sol", "--since", "30d"]
        )),
        solari
    );

    // Moves into one state.
    let consultations = entries(&demo(
        dir.path(),
        &["log", "--kind", "transition", "--to", "Consultation"],
    ));
    assert!(!consultations.is_empty());
    assert_eq!(
        consultations,
        like(&|l| field(l, "kind") == "transition" && field(l, "to") == "consultation")
    );

    // Several kinds.
    let made_or_moved = entries(&demo(
        dir.path(),
        &["log", "--kind", "task_created,transition"],
    ));
    assert_eq!(
        made_or_moved,
        like(&|l| matches!(field(l, "kind"), "task_created" | "transition"))
    );

    // One workflow.
    let booking = entries(&demo(dir.path(), &["log", "--workflow", "WF-WELL-BOOK"]));
    assert!(!booking.is_empty());
    assert_eq!(booking, like(&|l| field(l, "workflow") == "WF-WELL-BOOK"));

    // One instance: the entries `hsn history` shows, newest first.
    let busiest = all
        .iter()
        .map(|l| field(l, "instance_id"))
        .max_by_key(|id| {
            all.iter()
                .filter(|l| field(l, "instance_id") == *id)
                .count()
        })
        .unwrap()
        .to_string();
    let one = entries(&demo(dir.path(), &["log", "--instance", &busiest]));
    assert_eq!(one, like(&|l| field(l, "instance_id") == busiest));
    let history = demo(dir.path(), &["history", &busiest, "--json"]);
    let history: Vec<Value> = String::from_utf8(history.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(one.len(), history.len(), "{busiest}");
    let mut oldest_first: Vec<&str> = one.iter().map(|l| field(l, "action")).collect();
    oldest_first.reverse();
    let logged: Vec<&str> = history.iter().map(|e| field(e, "action")).collect();
    assert_eq!(oldest_first, logged);

    // The newest N.
    let five = entries(&demo(dir.path(), &["log", "--json", "--limit", "5"]));
    assert_eq!(five, all[..5]);
}

#[test]
fn bad_option_values_are_usage_errors_that_print_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&[&str], &str); 4] = [
        (
            &["--since", "lastweek"],
            "--since \"lastweek\" is not a time: use 30m",
        ),
        (&["--until", "soon"], "--until \"soon\" is not a time"),
        (
            &["--kind", "transition,blah"],
            "'--kind <KINDS>': \"blah\" is not a kind: transition, task_created",
        ),
        (&["--since", "2d", "--until", "3d"], "--since ("),
    ];
    for (options, message) in cases {
        let output = demo(dir.path(), &[&["log"], options].concat());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{options:?}: {stderr}");
        assert!(output.stdout.is_empty(), "{options:?} printed something");
        assert!(stderr.contains(message), "{options:?}: {stderr}");
    }
    let unknown = demo(dir.path(), &["log", "--instance", "INST-nowhere"]);
    assert!(!unknown.status.success());
    assert!(unknown.stdout.is_empty());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no Instance ID \"INST-nowhere\""));
}

#[tokio::test]
async fn a_terminal_gets_the_newest_fifty_in_columns_and_their_count() {
    let dir = tempfile::tempdir().unwrap();
    let total = entries(&demo(dir.path(), &["log"])).len();
    let mut command = portable_pty::CommandBuilder::new(env!("CARGO_BIN_EXE_hsn"));
    command.env_clear();
    command.env("HSN_DATA_DIR", dir.path());
    command.env("HSN_CONFIG", dir.path().join("config.toml"));
    command.env("TERM", "xterm-256color");
    command.cwd(dir.path());
    command.arg("log");
    let (succeeded, bytes) =
        tokio::task::spawn_blocking(move || support::terminal::run_in_terminal(command))
            .await
            .unwrap();
    let text = String::from_utf8(bytes).unwrap();
    assert!(succeeded, "{text}");
    let lines: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with("Time (UTC)"))
        .collect();
    assert_eq!(
        lines[0].split_whitespace().collect::<Vec<_>>(),
        [
            "Time", "(UTC)", "Actor", "Instance", "Workflow", "Kind", "Action"
        ]
    );
    assert_eq!(lines.len(), 1 + 50 + 1, "{text}");
    assert_eq!(
        lines[51],
        format!("the newest 50 of {total} entries; --limit 0 for all")
    );
    let kind_at = lines[0].find("Kind").unwrap();
    assert!(
        lines[1..51]
            .iter()
            .all(|l| KINDS.iter().any(|k| l[kind_at..].starts_with(k))),
        "the Kind column lines up: {text}"
    );
}

/// Text a terminal acts on: OSC 52 (the clipboard), a clear screen, 8-bit CSI, BEL, a
/// right-to-left override.
const HOSTILE: &str = "\u{1b}]52;c;aGk=\u{7}\u{1b}[2J\u{9b}31m\u{202e}txt";

#[tokio::test]
async fn entries_synced_from_notion_original_unreadable_and_hostile_ones_included() {
    let ws = support::workspace().await;
    let at = |hours: i64| Utc::now() - Duration::hours(hours);
    // The original agents' way: a naive Python time, the actor only in the action.
    let original = json!({
        "timestamp": at(3).naive_utc().format("%Y-%m-%dT%H:%M:%S%.6f").to_string(),
        "action": "[BookingAgent] Booking confirmed",
        "details": {"booking_id": "bk_77"},
    });
    let mut details = Map::new();
    details.insert("note".into(), json!(format!("see{HOSTILE}")));
    let hostile = HistoryEntry::event(
        &format!("mallory{HOSTILE}"),
        &format!("Did{HOSTILE}"),
        details,
        at(2),
    );
    let unreadable = json!({"what": "an agent's own item"});
    let log = json!([original, unreadable, hostile.to_json()]).to_string();
    ws.add_instance("INST-LOG", "consultation", &log).await;

    let listed = entries(&hsn(&ws, &["log", "--instance", "INST-LOG"]).await);
    assert_eq!(listed.len(), 3, "{listed:?}");
    let (newest, raw, agent) = (&listed[0], &listed[1], &listed[2]);
    assert_eq!(
        newest["actor"],
        format!("mallory{HOSTILE}"),
        "exact in JSON"
    );
    assert_eq!(newest["action"], format!("Did{HOSTILE}"));
    assert_eq!(newest["note"], format!("see{HOSTILE}"));
    assert_eq!(agent["actor"], "BookingAgent");
    assert_eq!(agent["action"], "Booking confirmed");
    assert_eq!(agent["kind"], "other");
    assert_eq!(
        agent["workflow"], "WF-WELL-BOOK",
        "the workflow by its Workflow ID"
    );
    assert_eq!(agent["details"]["booking_id"], "bk_77");
    // An unreadable item sorts beside the entry before it, shown as it is.
    assert_eq!(raw["kind"], "unreadable");
    assert_eq!(raw["timestamp"], agent["timestamp"]);
    assert_eq!(
        serde_json::from_str::<Value>(field(raw, "action")).unwrap(),
        unreadable
    );
    assert_eq!(
        entries(&hsn(&ws, &["log", "--kind", "unreadable"]).await),
        std::slice::from_ref(raw)
    );

    // In a terminal: the same entries, inert.
    let command = support::terminal::hsn_command(&ws, &["log", "--instance", "INST-LOG"]);
    let (succeeded, bytes) =
        tokio::task::spawn_blocking(move || support::terminal::run_in_terminal(command))
            .await
            .unwrap();
    let text = String::from_utf8(bytes).unwrap();
    assert!(succeeded, "{text}");
    assert!(
        !text
            .chars()
            .any(|c| c != '\n' && hsn::present::hazardous(c)),
        "raw controls reached the terminal: {text:?}"
    );
    assert!(text.contains("mallory\u{FFFD}]52;c;aGk="), "{text}");
    assert!(
        text.contains(
            "Did\u{FFFD}]52;c;aGk=\u{FFFD}\u{FFFD}[2J\u{FFFD}31m\u{FFFD}txt — see\u{FFFD}]52"
        ),
        "{text}"
    );
    assert!(text.contains("BookingAgent"), "{text}");
    assert!(text.contains("unreadable  {\"what\""), "{text}");
    assert!(text.contains("3 entries (instance=INST-LOG)"), "{text}");
}

#[tokio::test]
async fn a_move_made_with_advance_is_listed_first_pending_until_notion_has_it() {
    let ws = support::workspace().await;
    assert!(entries(&hsn(&ws, &["log"]).await).is_empty());
    let advanced = hsn(&ws, &["advance", "INST-0001", "consultation"]).await;
    assert!(
        advanced.status.success(),
        "{}",
        String::from_utf8_lossy(&advanced.stderr)
    );
    // Sent and confirmed by the command: Notion's copy holds the entry.
    let listed = entries(&hsn(&ws, &["log"]).await);
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["actor"], "grace");
    assert_eq!(listed[0]["kind"], "transition");
    assert_eq!(
        (&listed[0]["from"], &listed[0]["to"]),
        (&json!("inquiry"), &json!("consultation"))
    );
    assert_eq!(listed[0]["pending"], false);

    // Notion unreachable: the next move is queued, and listed first as pending.
    ws.fake.set_down(true);
    let queued = hsn(&ws, &["advance", "INST-0001", "quote_provided"]).await;
    assert!(
        queued.status.success(),
        "{}",
        String::from_utf8_lossy(&queued.stderr)
    );
    let listed = entries(&hsn(&ws, &["log", "--kind", "transition"]).await);
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0]["to"], "quote_provided");
    assert_eq!(listed[0]["pending"], true);
    assert_eq!(listed[1]["pending"], false);

    // Sent: confirmed, the same entry once.
    ws.fake.set_down(false);
    let synced = hsn(&ws, &["sync"]).await;
    assert!(
        synced.status.success(),
        "{}",
        String::from_utf8_lossy(&synced.stderr)
    );
    let listed = entries(&hsn(&ws, &["log", "--kind", "transition"]).await);
    assert_eq!(listed.len(), 2, "{listed:?}");
    assert_eq!(listed[0]["to"], "quote_provided");
    assert_eq!(listed[0]["pending"], false);
}
