//! The rows about Notion's request budget (issue #15): the release `hsn` binary, run as an
//! operator runs it, against the fake enforcing Notion's 2026 limit (180 requests per token
//! and 60-second window, the window starting at the first request served after the last
//! one ended). What was sent, when, and what was refused comes from the fake's request log;
//! each process gets its own base url (`/c/{tag}`) so its requests can be told apart.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use color_eyre::eyre::{Result, ensure, eyre};
use fake_notion::{FakeNotion, RequestRecord};
use hsn::domain::models::{Workflow, WorkflowInstance};
use hsn::domain::record::Record;
use hsn::domain::schema::{DATABASES, DatabaseKey};
use hsn::domain::workflow::StateMachine;
use hsn::notion::{Page, RateLimit};
use hsn::workspace::sources::DataSources;

use crate::{fixed_now, seed_workspace};

/// Notion's budget per token and window on most plans.
pub const BUDGET: u32 = 180;
/// Notion's window.
pub const WINDOW: Duration = Duration::from_secs(60);
const TOKEN: &str = "budget-token";

/// Of the budget, what hsn's background work (a sync, the dashboard's rounds) leaves to
/// writes and to what the operator asks for.
pub fn reserve() -> u32 {
    RateLimit::per_minute(BUDGET).reserve
}

/// One row of the report.
pub struct Figure {
    pub what: String,
    pub target: String,
    pub measured: String,
    pub ok: Option<bool>,
}

fn figure(what: &str, target: &str, measured: String, ok: Option<bool>) -> Figure {
    println!("{what}: {measured}");
    Figure {
        what: what.into(),
        target: target.into(),
        measured,
        ok,
    }
}

/// A fake with a seeded workspace of `instances` instances, served on its own thread.
pub struct Workspace {
    pub fake: FakeNotion,
    pub base: String,
    pub sources: DataSources,
    /// The token the fake accepts.
    pub token: String,
}

impl Workspace {
    pub fn seed(instances: usize) -> Workspace {
        let fake = FakeNotion::new(TOKEN);
        let base = fake.start_on_thread();
        let started = Instant::now();
        let sources = seed_workspace(&fake, instances, 42, fixed_now());
        println!(
            "seeded {instances} instances in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        Workspace {
            fake,
            base,
            sources,
            token: TOKEN.into(),
        }
    }

    /// The environment of an `hsn` process of its own (store in `dir`, no config file, no
    /// `.env` read: it runs in `dir`), its requests tagged `tag` in the fake's log.
    pub fn env(&self, dir: &Path, tag: &str) -> Vec<(String, String)> {
        let mut env = vec![
            ("HSN_DATA_DIR".into(), dir.display().to_string()),
            (
                "HSN_CONFIG".into(),
                dir.join("config.toml").display().to_string(),
            ),
            ("HOME".into(), dir.display().to_string()),
            ("HSN_OPERATOR".into(), "bench".into()),
            ("NOTION_API_TOKEN".into(), self.token.clone()),
            ("NOTION_API_BASE".into(), format!("{}/c/{tag}", self.base)),
        ];
        for definition in &DATABASES {
            if let Ok(id) = self.sources.get(definition.key) {
                env.push((definition.env_data_source_key(), id.to_string()));
            }
        }
        env
    }

    /// `command`, with hsn's own budget out of the way: what a run costs hsn itself.
    pub fn unlimited_command(&self, hsn: &Path, dir: &Path, tag: &str) -> Command {
        let mut command = self.command(hsn, dir, tag);
        command.env("NOTION_RATE_BUDGET", "100000000");
        command
    }

    pub fn command(&self, hsn: &Path, dir: &Path, tag: &str) -> Command {
        let mut command = Command::new(hsn);
        command
            .env_clear()
            .envs(self.env(dir, tag))
            .current_dir(dir)
            .stdin(Stdio::null());
        command
    }

    /// The requests of the processes tagged `tag`, in order of arrival.
    pub fn requests_of(&self, tag: &str) -> Vec<RequestRecord> {
        self.fake
            .requests()
            .into_iter()
            .filter(|r| r.client.as_deref() == Some(tag))
            .collect()
    }
}

/// What a request was, for the composition of a run.
pub fn kind(r: &RequestRecord) -> &'static str {
    let path = r.path.trim_end_matches('/');
    match r.method.as_str() {
        "POST" if path == "/v1/search" => "search",
        "POST" if path.starts_with("/v1/data_sources/") && path.ends_with("/query") => {
            let archived = r
                .body
                .as_ref()
                .and_then(|b| b.get("is_archived"))
                .and_then(serde_json::Value::as_bool)
                == Some(true);
            if archived { "archived query" } else { "query" }
        }
        "GET" if path.starts_with("/v1/data_sources/") => "schema",
        "GET" if path.starts_with("/v1/pages/") => "page read",
        "PATCH" if path.starts_with("/v1/pages/") => "page write",
        _ => "other",
    }
}

/// How many requests of each kind.
pub fn composition(records: &[RequestRecord]) -> BTreeMap<&'static str, usize> {
    let mut by_kind = BTreeMap::new();
    for r in records {
        *by_kind.entry(kind(r)).or_default() += 1;
    }
    by_kind
}

fn composition_text(records: &[RequestRecord]) -> String {
    composition(records)
        .iter()
        .map(|(kind, n)| format!("{n} {kind}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One of the fake's windows of a token, as its log shows it.
#[derive(Debug, Clone)]
pub struct WindowCount {
    pub start: SystemTime,
    /// The last request received in it.
    pub last: SystemTime,
    pub served: usize,
    pub refused: usize,
}

/// The token's windows as the fake counts them: one starts at the first request served
/// after the last ended and lasts `length`; a 429 counts in the window it met.
pub fn windows(records: &[RequestRecord], length: Duration) -> Vec<WindowCount> {
    let mut sorted: Vec<&RequestRecord> = records.iter().collect();
    sorted.sort_by_key(|r| r.received);
    let mut windows: Vec<WindowCount> = Vec::new();
    for r in sorted {
        let open = windows.last_mut().filter(|w| r.received < w.start + length);
        match (r.status == 429, open) {
            (true, Some(w)) => {
                w.refused += 1;
                w.last = r.received;
            }
            (false, Some(w)) => {
                w.served += 1;
                w.last = r.received;
            }
            (refused, None) => windows.push(WindowCount {
                start: r.received,
                last: r.received,
                served: usize::from(!refused),
                refused: usize::from(refused),
            }),
        }
    }
    windows
}

/// Each window: what it served and refused, and how long its requests took to go out.
pub fn windows_text(windows: &[WindowCount]) -> String {
    windows
        .iter()
        .enumerate()
        .map(|(n, w)| {
            format!(
                "  window {}: {} served, {} refused, sent over {:.1} s\n",
                n + 1,
                w.served,
                w.refused,
                secs_between(w.start, w.last)
            )
        })
        .collect()
}

fn secs_between(from: SystemTime, to: SystemTime) -> f64 {
    match to.duration_since(from) {
        Ok(d) => d.as_secs_f64(),
        Err(e) => -e.duration().as_secs_f64(),
    }
}

/// Where the time of a run went, from the fake's log: the server's time per kind of
/// request, hsn's own time between an answer and its next request, the waits at its gate,
/// and how many requests were ever in flight at once.
pub fn profile(records: &[RequestRecord], started: SystemTime, ended: SystemTime) -> String {
    let mut text = String::new();
    let mut sorted: Vec<&RequestRecord> = records.iter().collect();
    sorted.sort_by_key(|r| r.received);
    let Some(first) = sorted.first() else {
        return "no requests".into();
    };
    let served = |r: &RequestRecord| r.answered.unwrap_or(r.received);
    let mut by_kind: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    for r in &sorted {
        by_kind
            .entry(kind(r))
            .or_default()
            .push(secs_between(r.received, served(r)));
    }
    text.push_str(&format!(
        "  process start → first request {:.3} s\n",
        secs_between(started, first.received)
    ));
    for (kind, mut times) in by_kind {
        times.sort_by(f64::total_cmp);
        let total: f64 = times.iter().sum();
        text.push_str(&format!(
            "  {kind}: {} requests, fake's time {total:.2} s (median {:.1} ms, max {:.1} ms)\n",
            times.len(),
            times[times.len() / 2] * 1000.0,
            times[times.len() - 1] * 1000.0
        ));
    }
    // Between one answer and the next request: hsn's own work (parsing, storing, the next
    // data source), or a wait at its gate: long when a window is spent, short when its
    // sliding window lets requests go one by one as those of a window before turn 60 s old.
    let (mut own, mut waits) = (0.0, Vec::new());
    let mut in_flight_max = 0;
    for (n, pair) in sorted.windows(2).enumerate() {
        let gap = secs_between(served(pair[0]), pair[1].received);
        if gap >= 1.0 {
            waits.push((secs_between(started, pair[1].received), gap, n + 1));
        } else if gap > 0.0 {
            own += gap;
        }
        let flying = sorted[..=n + 1]
            .iter()
            .filter(|r| served(r) > pair[1].received)
            .count();
        in_flight_max = in_flight_max.max(flying);
    }
    let last_answer = sorted
        .iter()
        .map(|r| served(r))
        .max()
        .unwrap_or(first.received);
    text.push_str(&format!(
        "  between an answer and the next request (hsn parsing and storing, or its gate pacing; gaps < 1 s): {own:.2} s\n"
    ));
    text.push_str(&format!(
        "  most requests in flight at once: {}\n",
        in_flight_max.max(1)
    ));
    for (at, gap, before) in &waits {
        text.push_str(&format!(
            "  waited {gap:.1} s before request {} ({}), {at:.1} s in\n",
            before + 1,
            kind(sorted[*before])
        ));
    }
    text.push_str(&format!(
        "  last answer → process end {:.3} s\n",
        secs_between(last_answer, ended)
    ));
    text
}

/// CPU time (user + system) of this process's children that have been waited for, in
/// seconds (Linux: `/proc/self/stat`, at 100 ticks a second).
pub fn children_cpu() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<f64> = after_name
        .split_whitespace()
        .map(|f| f.parse().unwrap_or(0.0))
        .collect();
    // cutime and cstime: fields 16 and 17, the 14th and 15th after the name.
    (fields.get(13).unwrap_or(&0.0) + fields.get(14).unwrap_or(&0.0)) / 100.0
}

/// CPU seconds the whole machine has been busy, and those of this process with its
/// waited-for children (Linux, 100 ticks a second): their differences over a run say how
/// much other work shared the cores.
pub fn cpu_seconds() -> (f64, f64) {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let ticks: Vec<f64> = stat
        .lines()
        .next()
        .unwrap_or("")
        .split_whitespace()
        .skip(1)
        .map(|f| f.parse().unwrap_or(0.0))
        .collect();
    // user nice system idle iowait irq softirq steal: all but idle and iowait.
    let busy: f64 = [0, 1, 2, 5, 6, 7]
        .iter()
        .map(|&i| ticks.get(i).copied().unwrap_or(0.0))
        .sum();
    let own = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<f64> = own
        .rsplit_once(')')
        .map_or("", |(_, rest)| rest)
        .split_whitespace()
        .map(|f| f.parse().unwrap_or(0.0))
        .collect();
    // utime, stime, cutime, cstime: fields 14 to 17, the 12th to 15th after the name.
    let ours: f64 = (11..15)
        .map(|i| fields.get(i).copied().unwrap_or(0.0))
        .sum();
    (busy / 100.0, ours / 100.0)
}

/// The machine's load average over the last minute (the other work on these 2 cores).
pub fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .next()
        .unwrap_or("?")
        .to_string()
}

/// With `HSN_BENCH_REQUESTS=DIR`, writes a run's requests to `DIR/NAME.csv` (kind, status,
/// received and answered in seconds from `started`, path): for a closer look at a profile.
pub fn dump(name: &str, records: &[RequestRecord], started: SystemTime) {
    let Some(dir) = std::env::var_os("HSN_BENCH_REQUESTS") else {
        return;
    };
    let mut text = String::from("kind,status,received,answered,path\n");
    for r in records {
        text.push_str(&format!(
            "{},{},{:.4},{:.4},{}\n",
            kind(r),
            r.status,
            secs_between(started, r.received),
            r.answered.map_or(f64::NAN, |a| secs_between(started, a)),
            r.path
        ));
    }
    let path = Path::new(&dir).join(format!("{name}.csv"));
    if let Err(e) = std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(&path, text)) {
        eprintln!("cannot write {}: {e}", path.display());
    }
}

/// A process's run: its wall time and output.
pub struct Ran {
    pub started: SystemTime,
    pub ended: SystemTime,
    pub wall: Duration,
    pub stdout: String,
    pub stderr: String,
    /// CPU time the process used (user + system), and the load average before and after.
    pub cpu: f64,
    pub load: (String, String),
}

impl Ran {
    pub fn cpu_line(&self) -> String {
        format!(
            "  the process used {:.1} s of CPU in {:.1} s; load average {} before, {} after",
            self.cpu,
            self.wall.as_secs_f64(),
            self.load.0,
            self.load.1
        )
    }
}

fn run(mut command: Command, what: &str) -> Result<Ran> {
    let load_before = load();
    let cpu_before = children_cpu();
    let started = SystemTime::now();
    let clock = Instant::now();
    let output = command.output()?;
    let wall = clock.elapsed();
    let cpu = children_cpu() - cpu_before;
    ensure!(
        output.status.success(),
        "{what} failed: {}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(Ran {
        started,
        ended: SystemTime::now(),
        wall,
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        cpu,
        load: (load_before, load()),
    })
}

/// `hsn sync`'s closing line: "N requests in X s; budget …".
fn summary_line(stdout: &str) -> String {
    stdout
        .lines()
        .rev()
        .find(|l| l.contains(" requests in "))
        .unwrap_or("")
        .to_string()
}

/// A fresh store for one process.
fn fresh_dir() -> Result<tempfile::TempDir> {
    Ok(tempfile::tempdir()?)
}

fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

/// `hsn query` (stdout to /dev/null) against the JS SDK's peer fetching the same data
/// source, three runs each taking turns; the medians.
pub fn query_row(hsn: &Path, js: &Path, workspace: &Workspace) -> Result<Figure> {
    let what = "`hsn query`, 10,000 pages, no limit on the server (hsn's default budget, 180/min)";
    let target = "≤ 1.5 × the JS SDK's wall time";
    let source = workspace
        .sources
        .get(DatabaseKey::ActiveWorkflowInstances)?
        .to_string();
    let (mut ours, mut theirs, mut their_fetch) = (Vec::new(), Vec::new(), Vec::new());
    let mut requests = 0;
    for n in 0..3 {
        let dir = fresh_dir()?;
        let tag = format!("query-{n}");
        let mut command = workspace.command(hsn, dir.path(), &tag);
        command.args(["query", &source]).stdout(Stdio::null());
        ours.push(run(command, "hsn query")?.wall.as_secs_f64());
        let sent = workspace.requests_of(&tag);
        ensure!(
            sent.iter().all(|r| r.status == 200),
            "hsn query was refused: {:?}",
            sent.iter().map(|r| r.status).collect::<Vec<_>>()
        );
        requests = sent.len();

        let started = Instant::now();
        let output = Command::new("node")
            .arg(js)
            .arg(&source)
            .env("NOTION_API_BASE", &workspace.base)
            .env("NOTION_API_TOKEN", &workspace.token)
            .output()?;
        let wall = started.elapsed().as_secs_f64();
        if !output.status.success() {
            return Ok(figure(
                what,
                target,
                "JS peer not installed or failed (run bench/peers/install.sh)".into(),
                None,
            ));
        }
        let line: serde_json::Value = serde_json::from_slice(output.stdout.trim_ascii())?;
        ensure!(
            line["pages"].as_u64() == Some(10_000),
            "the JS peer fetched {line}"
        );
        theirs.push(wall);
        their_fetch.push(line["seconds"].as_f64().unwrap_or(f64::NAN));
    }
    let (ours, theirs, their_fetch) = (median(ours), median(theirs), median(their_fetch));
    let strict = ours / their_fetch;
    Ok(figure(
        what,
        target,
        format!(
            "{ours:.2} s, process start to exit ({requests} requests; median of 3); JS SDK {their_fetch:.2} s by its own timer, {theirs:.2} s as a process: ratio {strict:.2} against its timer, {:.2} process to process",
            ours / theirs
        ),
        Some(strict <= 1.5),
    ))
}

/// `hsn sync --full` over 10,000 instances into a fresh store, the fake enforcing 180 per
/// window; first without a limit (what hsn itself costs).
pub fn sync_10k_row(hsn: &Path) -> Result<Figure> {
    let workspace = Workspace::seed(10_000);
    let free = fresh_dir()?;
    let mut command = workspace.unlimited_command(hsn, free.path(), "free");
    command.args(["sync", "--full"]);
    let free_run = run(command, "hsn sync --full")?;
    let free_sent = workspace.requests_of("free");
    let free_requests = free_sent.len();
    dump("sync10k-free", &free_sent, free_run.started);
    println!(
        "with no limit at all:\n{}{}",
        profile(&free_sent, free_run.started, free_run.ended),
        free_run.cpu_line()
    );

    workspace.fake.set_window_budget(Some(BUDGET));
    let dir = fresh_dir()?;
    let mut command = workspace.command(hsn, dir.path(), "sync");
    command.args(["sync", "--full"]);
    let ran = run(command, "hsn sync --full")?;
    let sent = workspace.requests_of("sync");
    dump("sync10k", &sent, ran.started);
    let refused = sent.iter().filter(|r| r.status == 429).count();
    let wall = ran.wall.as_secs_f64();
    println!("{}", ran.stdout.trim_end());
    println!(
        "profile:\n{}{}",
        profile(&sent, ran.started, ran.ended),
        ran.cpu_line()
    );
    print!("{}", windows_text(&windows(&sent, WINDOW)));
    let per_window: Vec<String> = windows(&sent, WINDOW)
        .iter()
        .map(|w| format!("{}", w.served))
        .collect();
    Ok(figure(
        "`hsn sync --full`, 10,000 instances (every data source read in full into a fresh store), budget 180/min",
        "≤ 3 s, 0 × 429",
        format!(
            "{wall:.1} s for {} requests ({}), {refused} × 429; served per window: {}; hsn says \"{}\"; with no limit at all (hsn's budget set to 10⁸ too) {:.1} s for {free_requests} requests",
            sent.len(),
            composition_text(&sent),
            per_window.join(" + "),
            summary_line(&ran.stdout),
            free_run.wall.as_secs_f64()
        ),
        Some(wall <= 3.0 && refused == 0),
    ))
}

/// `n` instances in a state they can leave, with their page ids and a legal next state:
/// from the seeded pages, through hsn's own state machine of the seeded workflow.
fn advance_candidates(workspace: &Workspace, n: usize) -> Result<Vec<(String, String, String)>> {
    let workflows = workspace
        .fake
        .pages_in(workspace.sources.get(DatabaseKey::WorkflowsLibrary)?);
    let workflow = Record::from_page(
        DatabaseKey::WorkflowsLibrary,
        &Page::from_json(
            workflows
                .into_iter()
                .next()
                .ok_or_else(|| eyre!("no workflow"))?,
        )?,
    );
    let machine = StateMachine::from_workflow(&Workflow::from_record(&workflow))?;
    let instances = workspace.fake.pages_in(
        workspace
            .sources
            .get(DatabaseKey::ActiveWorkflowInstances)?,
    );
    let mut found = Vec::new();
    for raw in instances.into_iter().skip(500) {
        let page = Page::from_json(raw)?;
        let record = Record::from_page(DatabaseKey::ActiveWorkflowInstances, &page);
        let instance = WorkflowInstance::from_record(&record);
        if let Some(next) = machine.next_states(&instance.current_state).first() {
            found.push((
                instance.instance_id.clone(),
                page.id.clone(),
                next.to_string(),
            ));
            if found.len() == n {
                return Ok(found);
            }
        }
    }
    Err(eyre!("fewer than {n} instances can move"))
}

/// The PATCH of `page_id` the fake served among `records`.
fn patch_of<'a>(records: &'a [RequestRecord], page_id: &str) -> Option<&'a RequestRecord> {
    let compact = |id: &str| id.replace('-', "");
    records.iter().find(|r| {
        r.method == "PATCH" && compact(&r.path).contains(&compact(page_id)) && r.status == 200
    })
}

/// `hsn sync --full` over 100,000 instances, budget 180 per window; ~90 s in, inside a
/// window whose background share the sync has spent, an operator's `hsn advance` from a
/// second process with its own (warm) store. Two rows: the sync, and the advance.
pub fn sync_100k_rows(hsn: &Path) -> Result<Vec<Figure>> {
    let workspace = Workspace::seed(100_000);
    // The operator's store, warm as an operator's is: filled without a limit (which also
    // says what the sync costs hsn itself), before the budget (and its windows) starts.
    let operator = fresh_dir()?;
    let mut command = workspace.unlimited_command(hsn, operator.path(), "free");
    command.args(["sync", "--full"]);
    let free_run = run(command, "hsn sync --full (without a limit)")?;
    let free_sent = workspace.requests_of("free");
    let free_requests = free_sent.len();
    let free_secs = free_run.wall.as_secs_f64();
    dump("sync100k-free", &free_sent, free_run.started);
    println!(
        "with no limit at all:\n{}{}",
        profile(&free_sent, free_run.started, free_run.ended),
        free_run.cpu_line()
    );
    println!(
        "100,000 instances with no limit: {free_secs:.1} s, {free_requests} requests\n{}",
        free_run.stdout.trim_end()
    );
    let (instance, page_id, to) = advance_candidates(&workspace, 1)?.remove(0);

    workspace.fake.set_window_budget(Some(BUDGET));
    let dir = fresh_dir()?;
    let mut command = workspace.command(hsn, dir.path(), "sync");
    command
        .args(["sync", "--full"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let load_before = load();
    let cpu_before = children_cpu();
    let sync_started = SystemTime::now();
    let clock = Instant::now();
    let mut sync = command.spawn()?;
    let mut sync_out = sync.stdout.take().expect("piped");
    let out_reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = sync_out.read_to_string(&mut text);
        text
    });
    let mut sync_err = sync.stderr.take().expect("piped");
    let err_reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = sync_err.read_to_string(&mut text);
        text
    });

    // ~90 s in, once the sync has spent its share of the window it is in.
    std::thread::sleep(Duration::from_secs(90).saturating_sub(clock.elapsed()));
    let room = (BUDGET - reserve()) as usize;
    let deadline = Instant::now() + Duration::from_secs(60);
    let spent = loop {
        let spent = windows(&workspace.requests_of("sync"), WINDOW)
            .last()
            .map_or(0, |w| w.served);
        if spent >= room || Instant::now() > deadline {
            break spent;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let submitted_at = clock.elapsed().as_secs_f64();
    let mut command = workspace.command(hsn, operator.path(), "advance");
    command.args(["advance", &instance, &to]);
    let advance = run(command, "hsn advance")?;
    let advanced = workspace.requests_of("advance");
    let patch = patch_of(&advanced, &page_id);

    let status = sync.wait()?;
    let wall = clock.elapsed().as_secs_f64();
    // The advance's CPU is in it too (a tenth of a second).
    let cpu = children_cpu() - cpu_before - advance.cpu;
    let sync_ended = SystemTime::now();
    let stdout = out_reader.join().unwrap_or_default();
    let stderr = err_reader.join().unwrap_or_default();
    ensure!(
        status.success(),
        "hsn sync --full failed: {stdout}\n{stderr}"
    );
    println!("{}", stdout.trim_end());

    let sent = workspace.requests_of("sync");
    dump("sync100k", &sent, sync_started);
    let served = sent.iter().filter(|r| r.status != 429).count();
    // The token's windows hold the advance's requests too.
    let mut both = sent.clone();
    both.extend(advanced.iter().cloned());
    let counted = windows(&both, WINDOW);
    let refused_per_window: Vec<usize> = counted.iter().map(|w| w.refused).collect();
    let served_per_window: Vec<String> = counted.iter().map(|w| w.served.to_string()).collect();
    let worst = refused_per_window.iter().copied().max().unwrap_or(0);
    print!("{}", windows_text(&counted));
    println!(
        "profile:\n{}  the sync used {cpu:.1} s of CPU in {wall:.1} s; load average {load_before} before, {} after",
        profile(&sent, sync_started, sync_ended),
        load()
    );

    // The bound: ⌈N/180⌉ windows, the last one's requests at the pace hsn keeps without a
    // limit.
    let pace = free_secs / free_requests as f64;
    let bound = |per_window: usize| {
        let windows = served.div_ceil(per_window);
        let last = served - (windows - 1) * per_window;
        (windows, (windows - 1) as f64 * 60.0 + last as f64 * pace)
    };
    let (notion_windows, notion_bound) = bound(BUDGET as usize);
    let (hsn_windows, hsn_bound) = bound(room);
    let mut rows = vec![figure(
        "`hsn sync --full`, 100,000 instances (every data source in full, fresh store), budget 180/min",
        "≤ 1.1 × the budget bound, ≤ 1 × 429 per window",
        format!(
            "{wall:.0} s for {} requests ({}), {:.2} × the bound; 429s per window: {refused_per_window:?}; served per window: {}. Bound: ⌈{served}/180⌉ = {notion_windows} windows, {} × 60 s + the last window's requests at hsn's pace with no limit ({:.1} ms each: {free_requests} requests in {free_secs:.1} s) = {notion_bound:.0} s; with the reserve hsn leaves (162 a window): {hsn_windows} windows, {hsn_bound:.0} s; hsn says \"{}\"",
            sent.len(),
            composition_text(&sent),
            wall / notion_bound,
            served_per_window.join(" + "),
            notion_windows - 1,
            pace * 1000.0,
            summary_line(&stdout)
        ),
        Some(wall <= 1.1 * notion_bound && worst <= 1),
    )];

    let advance_refused = advanced.iter().filter(|r| r.status == 429).count();
    let steps: Vec<String> = advanced
        .iter()
        .map(|r| {
            format!(
                "{} {} at {:.2} s",
                kind(r),
                r.status,
                secs_between(advance.started, r.received)
            )
        })
        .collect();
    println!(
        "advance: {}\nit said: {} {}",
        steps.join("; "),
        advance.stdout.trim(),
        advance.stderr.trim()
    );
    let measured = match patch {
        Some(patch) => {
            let latency = secs_between(advance.started, patch.received);
            (
                format!(
                    "{latency:.2} s from the process start to the PATCH received ({instance} → {to}, submitted {submitted_at:.0} s into the sync with {spent} of the window's 180 spent by it); {} requests ({}), {advance_refused} × 429; the process ended after {:.2} s",
                    advanced.len(),
                    steps.join("; "),
                    advance.wall.as_secs_f64()
                ),
                Some(latency <= 2.0 && advance_refused == 0),
            )
        }
        None => (
            format!(
                "no PATCH of {instance} reached Notion ({} requests: {}); hsn said: {} {}",
                advanced.len(),
                steps.join("; "),
                advance.stdout.trim(),
                advance.stderr.trim()
            ),
            Some(false),
        ),
    };
    rows.push(figure(
        "An advance submitted during that sync (a second `hsn` process, its own store) → sent",
        "≤ 2 s",
        measured.0,
        measured.1,
    ));
    Ok(rows)
}

/// The dashboard left alone: the real binary in a pseudo-terminal with rounds every 3 s
/// (`HSN_REFRESH_SECS=3`, 20× the default); after its first round, the requests of the
/// next 40 rounds.
pub fn idle_dashboard_row(hsn: &Path) -> Result<Figure> {
    const ROUNDS: usize = 40;
    let workspace = Workspace::seed(10_000);
    workspace.fake.set_window_budget(Some(BUDGET));
    let dir = fresh_dir()?;
    let mut env = workspace.env(dir.path(), "idle");
    env.push(("HSN_REFRESH_SECS".into(), "3".into()));
    let mut terminal = crate::dashboard::Terminal::spawn(hsn, &[], &env, dir.path(), (200, 60))?;
    let outcome = (|| -> Result<Figure> {
        terminal.wait_for("Overview", Duration::from_secs(30))?;
        // A round starts with its one search.
        let searches = |count: usize, timeout: Duration| -> Result<Vec<RequestRecord>> {
            let deadline = Instant::now() + timeout;
            loop {
                let sent = workspace.requests_of("idle");
                if sent.iter().filter(|r| kind(r) == "search").count() >= count {
                    return Ok(sent);
                }
                ensure!(
                    Instant::now() < deadline,
                    "{count} rounds not started after {timeout:?}: {} requests ({}); screen:\n{}",
                    sent.len(),
                    composition_text(&sent),
                    terminal.contents()
                );
                std::thread::sleep(Duration::from_millis(50));
            }
        };
        let sent = searches(2, Duration::from_secs(300))?;
        let round_start = |sent: &[RequestRecord], n: usize| {
            sent.iter()
                .filter(|r| kind(r) == "search")
                .nth(n - 1)
                .map(|r| r.received)
                .expect("counted")
        };
        let second = round_start(&sent, 2);
        let first: Vec<RequestRecord> = sent
            .iter()
            .filter(|r| r.received < second)
            .cloned()
            .collect();
        let first_secs = secs_between(first[0].received, second);
        let sent = searches(ROUNDS + 2, Duration::from_secs(30 * ROUNDS as u64))?;
        let end = round_start(&sent, ROUNDS + 2);
        let idle: Vec<RequestRecord> = sent
            .iter()
            .filter(|r| r.received >= second && r.received < end)
            .cloned()
            .collect();
        let refused = idle.iter().filter(|r| r.status == 429).count();
        let per_round = idle.len() as f64 / ROUNDS as f64;
        // The hourly full read (a round in 60): as the first round, less its search.
        let hourly = (first.len() - 1) as f64 / 60.0;
        Ok(figure(
            "Idle dashboard (10,000 instances, budget 180/min): requests per minute at the default 60 s round, measured as requests per round at `HSN_REFRESH_SECS=3`",
            "≤ 4",
            format!(
                "{per_round:.2} a round = a minute ({} requests in {ROUNDS} rounds over {:.0} s: {}; {refused} × 429); the first round {} requests in {first_secs:.0} s ({}); the full read every 60th round (like the first) adds {hourly:.1}/min averaged over the hour",
                idle.len(),
                secs_between(second, end),
                composition_text(&idle),
                first.len(),
                composition_text(&first)
            ),
            Some(per_round <= 4.0),
        ))
    })();
    let alive = terminal.running();
    terminal.quit();
    let figure = outcome?;
    ensure!(
        alive,
        "the dashboard ended by itself during the measurement"
    );
    Ok(figure)
}

/// A copy of every file of `warm` in a new directory: a warm store of its own.
fn copy_of(warm: &Path) -> Result<tempfile::TempDir> {
    let dir = fresh_dir()?;
    for entry in std::fs::read_dir(warm)? {
        let entry = entry?;
        if entry.file_type()?.is_file() {
            std::fs::copy(entry.path(), dir.path().join(entry.file_name()))?;
        }
    }
    Ok(dir)
}

/// Ten idle dashboards (default 60 s rounds), a `hsn sync --full` (a cron job's) and an
/// operator's advances, one every 10 s while the sync runs, all on one token, each process
/// with its own warm store: how long the longest advance waits.
pub fn shared_token_row(hsn: &Path) -> Result<Figure> {
    const DASHBOARDS: usize = 10;
    let workspace = Workspace::seed(10_000);
    let warm = fresh_dir()?;
    let mut command = workspace.unlimited_command(hsn, warm.path(), "warm");
    command.args(["sync", "--full"]);
    run(command, "hsn sync --full (warming a store)")?;
    workspace.fake.set_window_budget(Some(BUDGET));

    let dirs = (0..DASHBOARDS)
        .map(|_| copy_of(warm.path()))
        .collect::<Result<Vec<_>>>()?;
    let mut terminals = Vec::new();
    for (n, dir) in dirs.iter().enumerate() {
        let env = workspace.env(dir.path(), &format!("dashboard-{n}"));
        terminals.push(crate::dashboard::Terminal::spawn(
            hsn,
            &[],
            &env,
            dir.path(),
            (200, 60),
        )?);
    }
    let outcome = (|| -> Result<Figure> {
        for terminal in &terminals {
            terminal.wait_for("Overview", Duration::from_secs(60))?;
        }
        // Their first rounds.
        std::thread::sleep(Duration::from_secs(5));
        let sync_dir = copy_of(warm.path())?;
        let operator = copy_of(warm.path())?;
        let mut command = workspace.command(hsn, sync_dir.path(), "sync");
        command
            .args(["sync", "--full"])
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let clock = Instant::now();
        let mut sync = command.spawn()?;
        let candidates = advance_candidates(&workspace, 30)?;
        let mut advances = Vec::new();
        for (n, (instance, page_id, to)) in candidates.iter().enumerate() {
            std::thread::sleep(
                Duration::from_secs(5 + 10 * n as u64).saturating_sub(clock.elapsed()),
            );
            if sync.try_wait()?.is_some() {
                break;
            }
            let at = clock.elapsed().as_secs_f64();
            let tag = format!("advance-{n}");
            let mut command = workspace.command(hsn, operator.path(), &tag);
            command.args(["advance", instance, to]);
            let ran = run(command, "hsn advance")?;
            let sent = workspace.requests_of(&tag);
            let latency = patch_of(&sent, page_id).map(|p| secs_between(ran.started, p.received));
            let refused = sent.iter().filter(|r| r.status == 429).count();
            println!(
                "advance {n} started {at:.1} s into the sync: {} ({} requests, {refused} × 429) {}",
                latency.map_or("not sent".into(), |l| format!("{l:.2} s")),
                sent.len(),
                ran.stderr.trim()
            );
            advances.push((latency, refused, at));
        }
        let status = sync.wait()?;
        let wall = clock.elapsed().as_secs_f64();
        ensure!(status.success(), "hsn sync --full failed");
        let all: Vec<RequestRecord> = workspace
            .fake
            .requests()
            .into_iter()
            .filter(|r| r.client.as_deref().is_some_and(|c| c != "warm"))
            .collect();
        let of = |prefix: &str| -> (usize, usize) {
            let mine: Vec<&RequestRecord> = all
                .iter()
                .filter(|r| r.client.as_deref().is_some_and(|c| c.starts_with(prefix)))
                .collect();
            (mine.len(), mine.iter().filter(|r| r.status == 429).count())
        };
        let counted = windows(&all, WINDOW);
        print!("{}", windows_text(&counted));
        let (sync_n, sync_429) = of("sync");
        let (dash_n, dash_429) = of("dashboard-");
        let (adv_n, adv_429) = of("advance-");
        let mut sent: Vec<f64> = advances.iter().filter_map(|(l, _, _)| *l).collect();
        let slowest = advances
            .iter()
            .filter_map(|(l, _, at)| l.map(|l| (l, *at)))
            .max_by(|a, b| a.0.total_cmp(&b.0));
        sent.sort_by(f64::total_cmp);
        let unsent = advances.len() - sent.len();
        let longest = sent.last().copied().unwrap_or(f64::NAN);
        Ok(figure(
            "Ten idle dashboards, a `hsn sync --full` and an operator's advances (one every 10 s during the sync) on one token, budget 180/min, 10,000 instances, each process its own warm store",
            "- (the longest wait of an advance)",
            format!(
                "the longest advance {longest:.2} s from its process start to the PATCH received (started {:.0} s into the sync; median {:.2} s; {} advances{}; {adv_n} requests, {adv_429} × 429); the sync {wall:.0} s, {sync_n} requests, {sync_429} × 429; the dashboards {dash_n} requests, {dash_429} × 429; served per window: {}",
                slowest.map_or(f64::NAN, |(_, at)| at),
                sent.get(sent.len() / 2).copied().unwrap_or(f64::NAN),
                advances.len(),
                if unsent > 0 {
                    format!(", {unsent} not sent")
                } else {
                    String::new()
                },
                counted
                    .iter()
                    .map(|w| w.served.to_string())
                    .collect::<Vec<_>>()
                    .join(" + ")
            ),
            None,
        ))
    })();
    let mut ended = 0;
    for mut terminal in terminals {
        if !terminal.running() {
            ended += 1;
        }
        terminal.quit();
    }
    let figure = outcome?;
    ensure!(ended == 0, "{ended} dashboards ended by themselves");
    Ok(figure)
}

/// The `hsn` binary next to this one (built by the report first).
pub fn hsn_binary() -> Result<PathBuf> {
    Ok(std::env::current_exe()?.with_file_name("hsn"))
}
