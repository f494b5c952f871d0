//! The question before several records change, asked on a real (pseudo-)terminal while
//! the ids come from a pipe: only `y` goes on.

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

use super::{add_tasks, notion_value, support};

/// Runs `printf IDS | hsn ARGS` in a pseudo-terminal (so stdin is the pipe and the
/// terminal is only /dev/tty), answers `answer` once `[y/N]` shows, and returns what the
/// terminal showed and the exit status.
async fn answered(ws: &support::Workspace, ids: &str, args: &str, answer: &str) -> (String, u32) {
    let hsn = ws.hsn(&ws.dir.path().join("data"));
    let std = hsn.as_std();
    let mut command = CommandBuilder::new("sh");
    command.env_clear();
    for (key, value) in std.get_envs() {
        if let Some(value) = value {
            command.env(key, value);
        }
    }
    command.env("HSN_OPERATOR", "grace");
    command.env("TERM", "dumb");
    command.cwd(ws.dir.path());
    let line = format!(
        "printf '{ids}' | '{}' {args}",
        std.get_program().to_string_lossy()
    );
    command.args(["-c", &line]);
    let answer = answer.to_string();
    // The fake Notion serves on this runtime: the terminal is driven off it.
    tokio::task::spawn_blocking(move || {
        let pty = native_pty_system()
            .openpty(PtySize {
                rows: 40,
                cols: 200,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        let mut child = pty.slave.spawn_command(command).unwrap();
        drop(pty.slave);
        let shown = Arc::new(Mutex::new(String::new()));
        let mut reader = pty.master.try_clone_reader().unwrap();
        let feed = shown.clone();
        std::thread::spawn(move || {
            let mut buffer = [0u8; 4096];
            while let Ok(n) = reader.read(&mut buffer) {
                if n == 0 {
                    break;
                }
                feed.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buffer[..n]));
            }
        });
        let start = Instant::now();
        while !shown.lock().unwrap().contains("[y/N]") {
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "no question; the terminal: {}",
                shown.lock().unwrap()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        let mut writer = pty.master.take_writer().unwrap();
        writer.write_all(format!("{answer}\r").as_bytes()).unwrap();
        writer.flush().unwrap();
        let status = child.wait().unwrap();
        // What it printed after the answer, before the reader saw the end.
        std::thread::sleep(Duration::from_millis(300));
        let shown = shown.lock().unwrap().replace('\r', "");
        (shown, status.exit_code())
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_question_is_asked_on_the_terminal_while_the_ids_come_from_a_pipe() {
    let ws = support::workspace().await;
    let pages = add_tasks(&ws, 7);
    let ids =
        "TASK-0001\\nTASK-0002\\nTASK-0003\\nTASK-0004\\nTASK-0005\\nTASK-0006\\nTASK-0007\\n";

    let (shown, status) = answered(&ws, ids, "task set - --assignee Nyra", "n").await;
    assert_eq!(status, 1, "{shown}");
    assert!(shown.contains("Assign 7 tasks to Nyra?\n"), "{shown}");
    assert!(
        shown.contains("  TASK-0001 Call lead 1: Grace → Nyra\n"),
        "{shown}"
    );
    assert!(shown.contains("  TASK-0005 Call lead 5"), "{shown}");
    assert!(!shown.contains("  TASK-0006"), "a sample of 5: {shown}");
    assert!(shown.contains("  … and 2 more\n"), "{shown}");
    assert!(shown.contains("nothing was changed"), "{shown}");
    for page in &pages {
        assert_eq!(notion_value(&ws, page, "Assigned To"), "Grace");
    }

    let (shown, status) = answered(&ws, ids, "task set - --assignee Nyra", "y").await;
    assert_eq!(status, 0, "{shown}");
    assert!(
        shown.contains("Assign 7 tasks to Nyra: all 7 applied"),
        "{shown}"
    );
    for page in &pages {
        assert_eq!(notion_value(&ws, page, "Assigned To"), "Nyra");
    }
}
