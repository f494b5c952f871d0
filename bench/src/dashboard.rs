//! The real `hsn` binary in a pseudo-terminal, timed as an operator feels it: from process
//! start to the first frame, to the first rows of a tab, and its resident memory once the
//! tab is complete.

use std::io::{Read, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use color_eyre::eyre::{Result, eyre};
use portable_pty::{CommandBuilder, PtySize, native_pty_system};

/// What one start of the dashboard measured.
#[derive(Debug, Clone, Copy)]
pub struct DashboardStart {
    /// Process start to the first frame (the tab bar drawn).
    pub first_frame: Duration,
    /// Process start to the first rows of the tab on screen.
    pub first_rows: Duration,
    /// Process start to every record loaded (the table's count complete).
    pub complete: Duration,
    /// Resident memory once complete, in MB.
    pub rss_mb: f64,
}

impl DashboardStart {
    /// One line of numbers: how a child process hands a measurement back.
    pub fn to_line(&self) -> String {
        format!(
            "{} {} {} {}",
            self.first_frame.as_secs_f64(),
            self.first_rows.as_secs_f64(),
            self.complete.as_secs_f64(),
            self.rss_mb
        )
    }

    pub fn from_line(line: &str) -> Result<DashboardStart> {
        let numbers: Vec<f64> = line
            .split_whitespace()
            .map(str::parse)
            .collect::<Result<_, _>>()
            .map_err(|e| eyre!("not a measurement: {line:?}: {e}"))?;
        let [first_frame, first_rows, complete, rss_mb] = numbers[..] else {
            return Err(eyre!("not a measurement: {line:?}"));
        };
        Ok(DashboardStart {
            first_frame: Duration::from_secs_f64(first_frame),
            first_rows: Duration::from_secs_f64(first_rows),
            complete: Duration::from_secs_f64(complete),
            rss_mb,
        })
    }
}

/// The resident memory of process `pid`, in MB (Linux).
pub fn rss_of(pid: u32) -> f64 {
    let statm = std::fs::read_to_string(format!("/proc/{pid}/statm")).unwrap_or_default();
    let pages: f64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0.0);
    pages * 4096.0 / 1_048_576.0
}

/// The most resident memory process `pid` has had so far (`VmHWM`), in MB (Linux).
pub fn peak_rss_of(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0);
    kb / 1024.0
}

/// Texts on the Overview once its figures are drawn: the first (a funnel's count) and the
/// last (the activity panel's title) to appear.
pub const OVERVIEW_SHOWN: (&str, &str) = ("open of", "latest entries");

/// The real binary running in a pseudo-terminal, its screen kept by a terminal emulator
/// (a thread reads everything it writes, so it never blocks on a full terminal).
pub struct Terminal {
    child: Box<dyn portable_pty::Child + Send + Sync>,
    master: Box<dyn portable_pty::MasterPty + Send>,
    /// The keyboard, taken from `master` on the first key.
    keys: Option<Box<dyn Write + Send>>,
    screen: Arc<Mutex<vt100::Parser>>,
    /// When the process was started.
    pub started: Instant,
    pub pid: u32,
}

impl Terminal {
    /// Starts `program ARGS` in a `cols`×`rows` pseudo-terminal with only the environment
    /// given (plus `TERM` and `NO_COLOR`), in `cwd`.
    pub fn spawn(
        program: &Path,
        args: &[&str],
        env: &[(String, String)],
        cwd: &Path,
        (cols, rows): (u16, u16),
    ) -> Result<Terminal> {
        let pty = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .map_err(|e| eyre!("cannot open a pseudo-terminal: {e}"))?;
        let mut command = CommandBuilder::new(program);
        command.env_clear();
        for (key, value) in env {
            command.env(key, value);
        }
        command.env("TERM", "xterm-256color");
        command.env("NO_COLOR", "1");
        command.args(args);
        command.cwd(cwd);
        let started = Instant::now();
        let child = pty
            .slave
            .spawn_command(command)
            .map_err(|e| eyre!("cannot start {}: {e}", program.display()))?;
        drop(pty.slave);
        let pid = child.process_id().unwrap_or(0);
        let screen = Arc::new(Mutex::new(vt100::Parser::new(
            std::num::NonZero::new(rows).expect("rows"),
            std::num::NonZero::new(cols).expect("cols"),
            0,
        )));
        let mut reader = pty
            .master
            .try_clone_reader()
            .map_err(|e| eyre!("pty: {e}"))?;
        let feed = screen.clone();
        std::thread::spawn(move || {
            let mut buffer = [0u8; 16384];
            while let Ok(n) = reader.read(&mut buffer) {
                if n == 0 {
                    break;
                }
                feed.lock().expect("screen").process(&buffer[..n]);
            }
        });
        Ok(Terminal {
            child,
            master: pty.master,
            keys: None,
            screen,
            started,
            pid,
        })
    }

    /// What the screen shows now.
    pub fn contents(&self) -> String {
        self.screen.lock().expect("screen").screen().contents()
    }

    /// Waits until the screen shows `text`; the time from the process start.
    pub fn wait_for(&self, text: &str, timeout: Duration) -> Result<Duration> {
        let deadline = Instant::now() + timeout;
        loop {
            if self.contents().contains(text) {
                return Ok(self.started.elapsed());
            }
            if Instant::now() > deadline {
                return Err(eyre!(
                    "the dashboard never showed {text:?}; screen:\n{}",
                    self.contents()
                ));
            }
            std::thread::sleep(Duration::from_micros(500));
        }
    }

    /// Waits until `shown` holds of the screen; the time from `since`.
    pub fn wait_until(
        &self,
        since: Instant,
        timeout: Duration,
        what: &str,
        shown: impl Fn(&vt100::Screen) -> bool,
    ) -> Result<Duration> {
        let deadline = Instant::now() + timeout;
        loop {
            if shown(self.screen.lock().expect("screen").screen()) {
                return Ok(since.elapsed());
            }
            if Instant::now() > deadline {
                return Err(eyre!(
                    "the dashboard never showed {what}; screen:\n{}",
                    self.contents()
                ));
            }
            std::thread::sleep(Duration::from_micros(500));
        }
    }

    /// Types `keys`; the moment they were sent.
    pub fn press(&mut self, keys: &str) -> Result<Instant> {
        if self.keys.is_none() {
            self.keys = Some(
                self.master
                    .take_writer()
                    .map_err(|e| eyre!("pty keyboard: {e}"))?,
            );
        }
        let writer = self.keys.as_mut().expect("keyboard");
        writer.write_all(keys.as_bytes())?;
        writer.flush()?;
        Ok(Instant::now())
    }

    /// Whether the process is still running.
    pub fn running(&mut self) -> bool {
        self.child.try_wait().ok().flatten().is_none()
    }

    /// Waits up to `timeout` for the process to end by itself; the time from its start.
    pub fn wait_exit(&mut self, timeout: Duration) -> Result<Duration> {
        let deadline = Instant::now() + timeout;
        while self.running() {
            if Instant::now() > deadline {
                let _ = self.child.kill();
                return Err(eyre!(
                    "still running after {timeout:?}:\n{}",
                    self.contents()
                ));
            }
            std::thread::sleep(Duration::from_micros(200));
        }
        Ok(self.started.elapsed())
    }

    /// Presses `q` and waits up to 5 s for the process to end, then kills it.
    pub fn quit(mut self) {
        let _ = self.press("q");
        let deadline = Instant::now() + Duration::from_secs(5);
        while self.running() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `hsn --demo --tab TAB` over the store in `data_dir` (a `demo.sqlite`) in a
/// 200×60 pseudo-terminal; waits for `first_row` (text of a row of the first screenful) and
/// for `complete` (text shown once every record is loaded), then quits it.
pub fn start_dashboard(
    hsn: &Path,
    data_dir: &Path,
    tab: &str,
    first_row: &str,
    complete: &str,
) -> Result<DashboardStart> {
    let env = [
        ("HSN_DATA_DIR".to_string(), data_dir.display().to_string()),
        ("HSN_OPERATOR".to_string(), "bench".to_string()),
    ];
    let terminal = Terminal::spawn(hsn, &["--demo", "--tab", tab], &env, data_dir, (200, 60))?;
    let wait_for = |text: &str| terminal.wait_for(text, Duration::from_secs(120));
    let measured = (|| {
        let first_frame = wait_for("Overview")?;
        let first_rows = wait_for(first_row)?;
        let complete = wait_for(complete)?;
        // Let the loaders' transient memory go back before reading the figure.
        std::thread::sleep(Duration::from_millis(500));
        Ok(DashboardStart {
            first_frame,
            first_rows,
            complete,
            rss_mb: rss_of(terminal.pid),
        })
    })();
    terminal.quit();
    measured
}

/// Draws the app `frames` times on a `width`×`height` test terminal; each frame's time in ms.
pub fn frame_times(
    app: &mut hsn::ui::app::App,
    width: u16,
    height: u16,
    frames: usize,
) -> Result<Vec<f64>> {
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(width, height))?;
    (0..frames)
        .map(|_| {
            let started = Instant::now();
            terminal.draw(|frame| hsn::ui::view::draw(frame, app))?;
            Ok(started.elapsed().as_secs_f64() * 1000.0)
        })
        .collect()
}

/// What the keystroke benchmark types, as operators filter (words as substrings, without
/// case): names, ids, states, two-word queries, one fuzzy query (`~`).
pub const QUERIES: [&str; 8] = [
    "nyra",
    "client 4821",
    "payment",
    "wf-well",
    "sage high",
    "~inq",
    "booking conf",
    "INST-00a",
];

/// Types each of [`QUERIES`] (three rounds) into the table's filter, one key at a time, on a fresh table
/// (nothing remembered from the query before), then takes three characters back and clears
/// it with `esc`: the time of every keystroke, in ms, each one filtering and sorting every
/// row.
pub fn filter_keystrokes(
    app: &mut hsn::ui::app::App,
    data: &hsn::table::TableData,
) -> Result<Vec<f64>> {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use hsn::ui::keys::handle_key;
    let mut times = Vec::new();
    let press = |app: &mut hsn::ui::app::App, code: KeyCode| {
        let started = Instant::now();
        handle_key(app, KeyEvent::new(code, KeyModifiers::NONE));
        started.elapsed().as_secs_f64() * 1000.0
    };
    for query in QUERIES.iter().cycle().take(3 * QUERIES.len()) {
        app.update(hsn::ui::app::Msg::Table(Box::new(data.clone())));
        press(app, KeyCode::Char('/'));
        for c in query.chars() {
            times.push(press(app, KeyCode::Char(c)));
        }
        if app.table().is_none_or(|t| t.visible.is_empty()) {
            return Err(eyre!("{query:?} matches no record: not a fair keystroke"));
        }
        for _ in 0..3 {
            times.push(press(app, KeyCode::Backspace));
        }
        times.push(press(app, KeyCode::Esc));
        press(app, KeyCode::Esc);
    }
    Ok(times)
}
