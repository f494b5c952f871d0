//! A command run in a pseudo-terminal, so it prints for people (tables, not JSON lines).

use std::io::Read;

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

/// Runs `command` in a 400×60 pseudo-terminal until it ends: whether it succeeded, and
/// what it wrote (stdout and stderr together, lines ended by `\n`). Blocking: call it off
/// a runtime that serves the fake Notion meanwhile.
pub fn run_in_terminal(command: CommandBuilder) -> (bool, Vec<u8>) {
    let pty = native_pty_system()
        .openpty(PtySize {
            rows: 60,
            cols: 400,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    let mut child = pty.slave.spawn_command(command).unwrap();
    drop(pty.slave);
    let mut reader = pty.master.try_clone_reader().unwrap();
    let reading = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let mut buffer = [0u8; 8192];
        // Ends at EOF, or EIO once the child and its terminal are gone.
        while let Ok(n) = reader.read(&mut buffer) {
            if n == 0 {
                break;
            }
            bytes.extend_from_slice(&buffer[..n]);
        }
        bytes
    });
    let status = child.wait().unwrap();
    let bytes = reading.join().unwrap();
    drop(pty.master);
    // The terminal ends lines with CR LF.
    let bytes = bytes.into_iter().filter(|b| *b != b'\r').collect();
    (status.success(), bytes)
}

/// `hsn ARGS` against `ws`'s fake Notion, its stores in `ws`'s `data` folder, as the
/// operator grace, ready for [`run_in_terminal`].
pub fn hsn_command(ws: &super::Workspace, args: &[&str]) -> CommandBuilder {
    let mut command = CommandBuilder::new(env!("CARGO_BIN_EXE_hsn"));
    command.env_clear();
    command.env("PATH", std::env::var("PATH").unwrap_or_default());
    command.env("NOTION_API_BASE", &ws.base);
    command.env("NOTION_API_TOKEN", super::TOKEN);
    command.env("NOTION_VERSION", super::notion_version());
    command.env("HSN_DATA_DIR", ws.dir.path().join("data"));
    command.env("HSN_OPERATOR", "grace");
    command.env("TERM", "xterm-256color");
    command.cwd(ws.dir.path());
    command.args(args);
    command
}
