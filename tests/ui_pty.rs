//! End to end: the real `hsn` binary in a pseudo-terminal against the demo workspace (a
//! temporary data dir, no token). Open the dashboard, go to Instances, filter, open one,
//! advance it, quit; then `hsn history` shows the new entry.

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

mod support;

const HSN: &str = env!("CARGO_BIN_EXE_hsn");

struct Screen {
    parser: Arc<Mutex<vt100::Parser>>,
    writer: Box<dyn Write + Send>,
}

impl Screen {
    fn contents(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    fn wait_for(&self, text: &str) -> String {
        let start = Instant::now();
        loop {
            let screen = self.contents();
            if screen.contains(text) {
                return screen;
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "\"{text}\" never showed; the screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn send(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).unwrap();
        self.writer.flush().unwrap();
        std::thread::sleep(Duration::from_millis(150));
    }
}

/// `hsn` in a pseudo-terminal of `rows` × `cols` on the demo workspace in `dir`, its screen
/// kept up to date from a reader thread.
fn open_dashboard(
    dir: &std::path::Path,
    rows: u16,
    cols: u16,
) -> (Screen, Box<dyn portable_pty::Child + Send + Sync>) {
    let env = [
        ("HSN_DATA_DIR", dir.to_string_lossy().into_owned()),
        ("HSN_OPERATOR", "pty-operator".into()),
    ];
    open_dashboard_in(dir, &env, rows, cols)
}

/// `hsn` in a pseudo-terminal run in `cwd` with only `env` (and the terminal's variables).
fn open_dashboard_in(
    cwd: &std::path::Path,
    env: &[(&str, String)],
    rows: u16,
    cols: u16,
) -> (Screen, Box<dyn portable_pty::Child + Send + Sync>) {
    let pty = native_pty_system()
        .openpty(PtySize {
            rows,
            cols,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    let mut command = CommandBuilder::new(HSN);
    command.env_clear();
    for (key, value) in env {
        command.env(key, value);
    }
    command.env("TERM", "xterm-256color");
    command.env("NO_COLOR", "1");
    command.cwd(cwd);
    let child = pty.slave.spawn_command(command).unwrap();
    drop(pty.slave);
    let parser = Arc::new(Mutex::new(vt100::Parser::new(
        std::num::NonZero::new(rows).unwrap(),
        std::num::NonZero::new(cols).unwrap(),
        0,
    )));
    let mut reader = pty.master.try_clone_reader().unwrap();
    let feed = parser.clone();
    std::thread::spawn(move || {
        let mut buffer = [0u8; 8192];
        while let Ok(n) = reader.read(&mut buffer) {
            if n == 0 {
                break;
            }
            feed.lock().unwrap().process(&buffer[..n]);
        }
    });
    let screen = Screen {
        parser,
        writer: pty.master.take_writer().unwrap(),
    };
    (screen, child)
}

#[test]
fn advance_an_instance_from_the_dashboard() {
    let dir = tempfile::tempdir().unwrap();
    let (mut screen, mut child) = open_dashboard(dir.path(), 40, 120);

    screen.wait_for("of 49");
    screen.send("1");
    screen.wait_for("Business Entities Registry");
    screen.send("4");
    screen.wait_for("Active Workflow Instances");
    // A word is found as written (any case): only the row holding it.
    screen.send("/INST-276fac43");
    screen.wait_for("1 of 49");
    screen.send("\r\r");
    let detail = screen.wait_for("Timeline");
    assert!(
        detail.contains("INST-276fac43 · Active Workflow Instances"),
        "{detail}"
    );
    screen.send("m");
    screen.wait_for("Move INST-276fac43 from \"inquiry\"");
    screen.send("\tfrom the pty\r");
    screen.wait_for("inquiry → consultation — saved");
    screen.send("q");
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "hsn exited with {status:?}");
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "hsn did not quit"
        );
        std::thread::sleep(Duration::from_millis(50));
    }

    let history = std::process::Command::new(HSN)
        .args(["history", "INST-276fac43", "--json"])
        .env_clear()
        .env("HSN_DATA_DIR", dir.path())
        .current_dir(dir.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&history.stdout);
    assert!(
        history.status.success(),
        "{}",
        String::from_utf8_lossy(&history.stderr)
    );
    let last = text.lines().last().unwrap_or_default();
    assert!(last.contains("\"to\":\"consultation\""), "{text}");
    assert!(
        last.contains("pty-operator") && last.contains("from the pty"),
        "{text}"
    );
}

/// SIGTERM (a shutdown) and SIGHUP (the terminal closed) end the dashboard cleanly: it
/// leaves the alternate screen (the terminal is restored) and exits without an error.
#[cfg(unix)]
#[test]
fn sigterm_and_sighup_restore_the_terminal() {
    for signal in ["-TERM", "-HUP"] {
        let dir = tempfile::tempdir().unwrap();
        let (screen, mut child) = open_dashboard(dir.path(), 30, 100);
        let parser = screen.parser.clone();
        screen.wait_for("of 49");
        assert!(
            parser.lock().unwrap().screen().alternate_screen(),
            "the dashboard is on the alternate screen"
        );

        let pid = child.process_id().expect("a child process").to_string();
        let sent = std::process::Command::new("kill")
            .args([signal, &pid])
            .status()
            .unwrap();
        assert!(sent.success());
        let start = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "hsn did not stop on {signal}"
            );
            std::thread::sleep(Duration::from_millis(50));
        };
        assert!(status.success(), "{signal}: hsn exited with {status:?}");
        std::thread::sleep(Duration::from_millis(200));
        assert!(
            !parser.lock().unwrap().screen().alternate_screen(),
            "{signal}: the terminal was not restored"
        );
    }
}

/// Waits up to 10 s for the process to end; its exit status.
fn wait_exit(child: &mut Box<dyn portable_pty::Child + Send + Sync>) -> portable_pty::ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "hsn did not quit"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// `q` does not wait for the engine (Notion unreachable, a write queued and being tried):
/// the change the operator made stays in the outbox for the next hsn, which sends it.
#[tokio::test(flavor = "multi_thread")]
async fn a_write_queued_when_quitting_is_kept_and_sent_by_the_next_hsn() {
    let ws = support::workspace().await;
    let data = ws.dir.path().join("data");
    let synced = ws.hsn(&data).arg("sync").output().await.unwrap();
    assert!(
        synced.status.success(),
        "{}",
        String::from_utf8_lossy(&synced.stderr)
    );
    // Notion at a closed port: every request of this hsn fails to connect.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let env = [
        ("HSN_DATA_DIR", data.to_string_lossy().into_owned()),
        ("HSN_OPERATOR", "pty-operator".into()),
        ("NOTION_API_TOKEN", support::TOKEN.into()),
        ("NOTION_API_BASE", format!("http://{closed}")),
        ("NOTION_VERSION", support::notion_version()),
    ];
    let (mut screen, mut child) = open_dashboard_in(ws.dir.path(), &env, 40, 120);
    screen.wait_for("Overview");
    screen.send("4");
    screen.wait_for("INST-0001");
    screen.send("\r");
    screen.wait_for("Timeline");
    screen.send("m");
    screen.wait_for("Move INST-0001 from \"inquiry\"");
    screen.send("\tbefore quitting\r");
    screen.wait_for("1 pending write");
    screen.send("q");
    assert!(wait_exit(&mut child).success());

    let outbox = ws
        .hsn(&data)
        .args(["outbox", "--json"])
        .env("NOTION_API_BASE", format!("http://{closed}"))
        .output()
        .await
        .unwrap();
    let text = String::from_utf8_lossy(&outbox.stdout);
    assert!(
        outbox.status.success(),
        "{}",
        String::from_utf8_lossy(&outbox.stderr)
    );
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 1, "{text}");
    assert!(
        lines[0]["summary"]
            .as_str()
            .is_some_and(|s| s.contains("INST-0001") && s.contains("consultation")),
        "{text}"
    );

    // Notion back: the next hsn sends it (a lease left by the ended process is taken over).
    let sent = ws.hsn(&data).arg("sync").output().await.unwrap();
    assert!(
        sent.status.success(),
        "{}",
        String::from_utf8_lossy(&sent.stderr)
    );
    let page = ws.fake.page(&ws.instance).unwrap();
    let state = page["properties"]["Current State"]["rich_text"][0]["plain_text"].clone();
    assert_eq!(state, "consultation", "{page}");
}

fn list_tasks(dir: &std::path::Path) -> String {
    let out = std::process::Command::new(HSN)
        .args(["list", "tasks", "--json"])
        .env_clear()
        .env("HSN_DATA_DIR", dir)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Triage as an operator does it: the overdue tasks, three marked, assigned in one action,
/// then undone; the tasks are as they were.
#[test]
fn mark_three_overdue_tasks_assign_them_and_undo() {
    let dir = tempfile::tempdir().unwrap();
    let (mut screen, mut child) = open_dashboard(dir.path(), 40, 120);
    screen.wait_for("of 49");
    screen.send("q");
    assert!(wait_exit(&mut child).success());
    let before = list_tasks(dir.path());
    assert!(!before.contains("Pty Agent"));

    let (mut screen, mut child) = open_dashboard(dir.path(), 40, 120);
    screen.wait_for("of 49");
    screen.send("5");
    screen.wait_for("Master Tasks Database");
    screen.send("e");
    screen.wait_for("[overdue]");
    screen.send("   ");
    screen.wait_for("3 marked");
    screen.send("a");
    screen.wait_for("Assignee of 3 marked tasks");
    screen.send("Pty Agent\r");
    screen.wait_for("Assign 3 tasks to Pty Agent?");
    screen.send("y");
    screen.wait_for("Assign 3 tasks to Pty Agent: all 3 applied");
    let assigned = list_tasks(dir.path());
    assert_eq!(assigned.matches("\"Pty Agent\"").count(), 3, "{assigned}");
    screen.send("u");
    screen.wait_for("Undo: Assign 3 tasks to Pty Agent?");
    screen.send("y");
    screen.wait_for("Undo: Assign 3 tasks to Pty Agent: all 3 applied");
    screen.send("q");
    assert!(wait_exit(&mut child).success());
    assert_eq!(list_tasks(dir.path()), before);
}

/// `q` remembers when this operator closed the dashboard; the next start says on the
/// Overview what happened since (nothing here: no sync in the demo).
#[test]
fn quitting_remembers_when_and_the_next_start_says_what_happened_since() {
    let dir = tempfile::tempdir().unwrap();
    let (mut screen, mut child) = open_dashboard(dir.path(), 30, 120);
    let first = screen.wait_for("of 49");
    assert!(!first.contains("since "), "never closed: no line\n{first}");
    screen.send("q");
    assert!(wait_exit(&mut child).success());
    let store = hsn::store::Store::open(&dir.path().join("demo.sqlite")).unwrap();
    let closed = store.last_closed("pty-operator").unwrap();
    let closed = closed.expect("q remembers when the dashboard closed");
    assert!(chrono::Utc::now() - closed < chrono::Duration::minutes(1));
    drop(store);

    let (mut screen, mut child) = open_dashboard(dir.path(), 30, 120);
    let again = screen.wait_for("since ");
    assert!(
        again.contains("today: 0 transitions, 0 new errors, 0 tasks assigned to you"),
        "{again}"
    );
    screen.send("q");
    assert!(wait_exit(&mut child).success());
}

/// The Activity tab in the real binary: its rows come from the runner's loads, a filter
/// from the command line goes to the store, a move made meanwhile shows when the tab is
/// shown again, and `enter` opens the instance with that entry marked.
#[test]
fn the_activity_tab_lists_a_move_made_in_the_dashboard() {
    let dir = tempfile::tempdir().unwrap();
    let (mut screen, mut child) = open_dashboard(dir.path(), 40, 140);
    screen.wait_for("of 49");
    screen.send("6");
    screen.wait_for("WORKFLOW");
    screen.send(":filter actor=pty-operator\r");
    screen.wait_for("no entry passes these filters");
    assert!(screen.contents().contains("[actor=pty-operator]"));
    screen.send("4");
    screen.wait_for("Active Workflow Instances");
    screen.send("/INST-276fac43");
    screen.wait_for("1 of 49");
    screen.send("\r\r");
    screen.wait_for("Timeline");
    screen.send("m");
    screen.wait_for("Move INST-276fac43 from \"inquiry\"");
    screen.send("\tfrom the pty\r");
    screen.wait_for("inquiry → consultation — saved");
    screen.send(":activity\r");
    // Not the note itself: the detail's history shows it whole too.
    let shown = screen.wait_for("Activity 1 of 1");
    assert!(
        shown.contains("from the pty") && shown.contains("INST-276fac43"),
        "{shown}"
    );
    screen.send("\r");
    let detail = screen.wait_for("▶");
    let marked = detail.lines().find(|l| l.contains('▶')).unwrap();
    assert!(marked.contains("pty-operator"), "{detail}");
    screen.send("q");
    let status = wait_exit(&mut child);
    assert!(status.success(), "hsn exited with {status:?}");
}
