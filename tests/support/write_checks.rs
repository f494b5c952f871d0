//! The checks of `tests/write_checker.rs`: what the run did (commands and their
//! acknowledgements, the agent's writes), and what must hold of the fake's final state,
//! its request log and both outboxes afterwards.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, SystemTime};

use chrono::{DateTime, Utc};
use fake_notion::RequestRecord;
use hsn::domain::history::parse_timestamp;
use serde_json::Value;

#[derive(Clone, Debug)]
pub enum Op {
    Advance {
        page: String,
        inst: String,
        from: String,
        to: String,
    },
    NewTask {
        page: String,
        inst: String,
        name: String,
    },
    SetTask {
        task: String,
        field: &'static str,
        value: String,
    },
}

/// What a command told its operator: exit 0 is "sent" unless stderr says "queued".
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    Sent,
    Queued,
    Refused(String),
    Killed,
    Hung,
}

pub struct Command {
    pub who: &'static str,
    pub op: Op,
    pub start: SystemTime,
    pub end: SystemTime,
    pub outcome: Outcome,
    pub stdout: String,
}

pub struct AgentWrite {
    pub page: String,
    /// When the agent sent it.
    pub at: SystemTime,
    pub entry: Value,
    /// Notion answered 200.
    pub acked: bool,
}

#[derive(Default)]
pub struct Run {
    pub commands: Vec<Command>,
    pub agent: Vec<AgentWrite>,
    pub faults: BTreeMap<&'static str, usize>,
    pub kills: usize,
    pub syncs: usize,
    /// hsn processes that panicked or hung (killed after 60 s), said how.
    pub broken: Vec<String>,
    /// The longest an hsn process ran, and which.
    pub slowest: (Duration, String),
}

/// One write of an outbox after the run.
pub struct Queued {
    pub who: &'static str,
    /// pending, sending, held, done or failed.
    pub state: String,
    pub body: Value,
    pub last_error: Option<String>,
    /// How a write that landed went ("already applied", "applied, then overwritten", …).
    pub outcome: Option<String>,
}

impl Queued {
    /// hsn said this move of `actor`'s landed and was then overwritten by another writer's
    /// move (its entry left out so the history agrees with the state): as a sent write's
    /// outcome, or as a restoration it gave up on.
    fn overwritten(&self, page: &str, action: &str) -> bool {
        let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
        let b = &self.body;
        let said = |t: &Option<String>, word: &str| t.as_deref().is_some_and(|t| t.contains(word));
        match text(&b["op"]).as_str() {
            "Advance" => {
                bare(&text(&b["instance_page"])) == bare(page)
                    && format!(
                        "[{}] Transitioned from {} to {}",
                        text(&b["actor"]),
                        text(&b["from"]),
                        text(&b["to"])
                    ) == action
                    && said(&self.outcome, "overwritten")
            }
            "RestoreHistory" => {
                bare(&text(&b["instance_page"])) == bare(page)
                    && said(&self.last_error, "over hsn's")
                    && b["entries"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .any(|e| text(&e["action"]) == action)
            }
            _ => false,
        }
    }
}

/// Everything the checks read, gathered once no process runs.
pub struct Final<'a> {
    pub run: &'a Run,
    /// The workflow's states in order; the last two are terminal.
    pub states: &'a [String],
    pub instances: Vec<Value>,
    pub tasks: Vec<Value>,
    pub requests: Vec<RequestRecord>,
    pub writes: Vec<Queued>,
    /// (store, Task ID, how many records of that title the store holds), for every Task
    /// ID Notion has.
    pub store_tasks: Vec<(&'static str, String, usize)>,
}

pub fn bare(id: &str) -> String {
    id.replace('-', "")
}

/// A property of a page as the fake renders it, as plain text.
pub fn plain(page: &Value, name: &str) -> String {
    let value = &page["properties"][name];
    let kind = value["type"].as_str().unwrap_or_default();
    match &value[kind] {
        Value::Array(parts) => parts
            .iter()
            .filter_map(|t| t["plain_text"].as_str())
            .collect(),
        Value::Object(o) => o
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .into(),
        _ => String::new(),
    }
}

pub fn history(page: &Value) -> Vec<Value> {
    serde_json::from_str(&plain(page, "History Log")).unwrap_or_default()
}

fn when(entry: &Value) -> Option<DateTime<Utc>> {
    parse_timestamp(entry["timestamp"].as_str()?)
}

/// A canonical text of a JSON value (object keys sorted), to compare entries.
fn canon(v: &Value) -> String {
    match v {
        Value::Object(o) => {
            let sorted: BTreeMap<_, _> = o.iter().map(|(k, v)| (k.clone(), canon(v))).collect();
            format!("{sorted:?}")
        }
        Value::Array(a) => format!("{:?}", a.iter().map(canon).collect::<Vec<_>>()),
        other => other.to_string(),
    }
}

/// The page id of a `/v1/pages/{id}` request, bare.
fn page_of(r: &RequestRecord) -> Option<String> {
    let rest = r.path.strip_prefix("/v1/pages/")?;
    Some(bare(rest.split('/').next()?))
}

/// A read→write window of an hsn process over a History Log, from the request log: a
/// PATCH writing a History Log and the latest GET of that page by the same process
/// before it. A blind write landing between the GET and the PATCH's answer may be lost.
struct Window {
    tag: String,
    page: String,
    /// The GET received.
    read: SystemTime,
    /// The PATCH received.
    sent: SystemTime,
    /// The PATCH answered.
    wrote: SystemTime,
}

fn windows(log: &[RequestRecord]) -> Vec<Window> {
    let mut last_get: HashMap<(String, String), SystemTime> = HashMap::new();
    let mut out = Vec::new();
    for r in log {
        let (Some(tag), Some(page)) = (r.client.clone(), page_of(r)) else {
            continue;
        };
        let writes_log = |b: &Value| b["properties"].get("History Log").is_some();
        match r.method.as_str() {
            _ if tag == "agent" => {}
            "GET" => {
                last_get.insert((tag, page), r.received);
            }
            "PATCH" if r.body.as_ref().is_some_and(writes_log) => {
                if let Some(read) = last_get.get(&(tag.clone(), page.clone())) {
                    let (sent, wrote) = (r.received, r.answered.unwrap_or(r.received));
                    out.push(Window {
                        tag,
                        page,
                        read: *read,
                        sent,
                        wrote,
                    });
                }
            }
            _ => {}
        }
    }
    out
}

/// What the checks found.
#[derive(Default)]
pub struct Findings {
    pub failures: Vec<String>,
    pub duplicates: usize,
    pub lost: usize,
    pub reverted: usize,
    /// Agent entries lost inside an hsn read→write window.
    pub excused: usize,
    pub windows: usize,
    pub longest_gap: (Duration, String),
    pub outbox: BTreeMap<String, usize>,
}

impl Findings {
    fn fail(&mut self, message: String) {
        self.failures.push(message);
    }
}

struct Notion {
    /// Instance page (bare id) → (page, its History Log).
    instances: HashMap<String, (Value, Vec<Value>)>,
    task_count: HashMap<String, usize>,
}

impl Notion {
    /// How many entries of `page`'s log have this action (and this time, if given).
    fn has(&self, page: &str, action: &str, at: Option<DateTime<Utc>>) -> usize {
        self.instances.get(&bare(page)).map_or(0, |(_, log)| {
            log.iter()
                .filter(|e| e["action"] == action && (at.is_none() || when(e) == at))
                .count()
        })
    }

    fn first(&self, page: &str, action: &str) -> Option<DateTime<Utc>> {
        let (_, log) = self.instances.get(&bare(page))?;
        log.iter().find(|e| e["action"] == action).and_then(when)
    }

    fn name(&self, page: &str) -> String {
        self.instances
            .get(page)
            .map_or(page.into(), |(p, _)| plain(p, "Instance ID"))
    }
}

pub fn verify(f: &Final) -> Findings {
    let mut found = Findings::default();
    let mut notion = Notion {
        instances: HashMap::new(),
        task_count: HashMap::new(),
    };
    for p in &f.instances {
        let id = bare(p["id"].as_str().unwrap());
        notion.instances.insert(id, (p.clone(), history(p)));
    }
    for t in &f.tasks {
        *notion.task_count.entry(plain(t, "Task ID")).or_default() += 1;
    }
    for broken in &f.run.broken {
        found.fail(broken.clone());
    }
    duplicates(&notion, &mut found);
    acknowledged(f, &notion, &mut found);
    states(&notion, &mut found);
    moves_back(f, &notion, &mut found);
    agent_entries(f, &notion, &mut found);
    outboxes(f, &notion, &mut found);
    for (who, id, n) in f.store_tasks.iter().filter(|(_, _, n)| *n != 1) {
        found.duplicates += n.saturating_sub(1);
        found.fail(format!(
            "{who}'s store holds {n} records titled {id} (Notion: one)"
        ));
    }
    found
}

/// No Task ID twice among the tasks; no history entry twice in any log.
fn duplicates(notion: &Notion, found: &mut Findings) {
    for (id, n) in notion.task_count.iter().filter(|(_, n)| **n > 1) {
        found.duplicates += n - 1;
        found.fail(format!("duplicate task: {id} is in Notion {n} times"));
    }
    for (page, (_, log)) in &notion.instances {
        let mut seen: HashMap<String, usize> = HashMap::new();
        for e in log {
            *seen.entry(canon(e)).or_default() += 1;
        }
        for (e, n) in seen.iter().filter(|(_, n)| **n > 1) {
            found.duplicates += n - 1;
            found.fail(format!(
                "duplicate history entry ×{n} in {}: {e}",
                notion.name(page)
            ));
        }
    }
}

/// Every write a command acknowledged as sent is in Notion (an edit: unless an edit not
/// plainly before it, or one whose fate is open, holds the field now); a task reported
/// refused was not created.
fn acknowledged(f: &Final, notion: &Notion, found: &mut Findings) {
    let mut last_move: HashMap<(&str, &str), DateTime<Utc>> = HashMap::new();
    for c in &f.run.commands {
        let sent = c.outcome == Outcome::Sent;
        match &c.op {
            Op::Advance {
                page,
                inst,
                from,
                to,
            } if sent => {
                let action = format!("[{}] Transitioned from {from} to {to}", c.who);
                let Some(at) = notion.first(page, &action) else {
                    if f.writes.iter().any(|w| w.overwritten(page, &action)) {
                        found.excused += 1;
                        continue;
                    }
                    found.lost += 1;
                    found.fail(format!(
                        "acknowledged advance lost: {inst} has no \"{action}\""
                    ));
                    continue;
                };
                // One operator's moves of one instance are in the log in command order.
                if let Some(before) = last_move.insert((c.who, page.as_str()), at)
                    && before > at
                {
                    found.fail(format!(
                        "{inst}: \"{action}\" is dated before {}'s previous move",
                        c.who
                    ));
                }
            }
            Op::NewTask { page, inst, name } => {
                let id = c.stdout.split_whitespace().find(|w| w.starts_with("TASK-"));
                let created = f
                    .tasks
                    .iter()
                    .filter(|t| plain(t, "Task Name") == *name)
                    .count();
                if sent && id.is_none_or(|id| !notion.task_count.contains_key(id)) {
                    found.lost += 1;
                    found.fail(format!(
                        "acknowledged task lost: {id:?} \"{name}\" from {inst}"
                    ));
                }
                let action = format!("[{}] Created task: {name}", c.who);
                if sent && notion.has(page, &action, None) == 0 {
                    found.lost += 1;
                    found.fail(format!(
                        "acknowledged task's history entry lost: {inst} has no \"{action}\""
                    ));
                }
                if let Outcome::Refused(why) = &c.outcome
                    && created > 0
                {
                    found.fail(format!("task \"{name}\" reported refused ({why}) but created in Notion ({created}×)"));
                }
            }
            Op::SetTask { task, field, value } if sent => {
                let open = |o: &&Command| match o.outcome {
                    Outcome::Queued | Outcome::Killed | Outcome::Hung => true,
                    Outcome::Sent => o.end > c.start,
                    Outcome::Refused(_) => false,
                };
                let may_hold: Vec<&String> = f
                    .run
                    .commands
                    .iter()
                    .filter(open)
                    .filter_map(|o| match &o.op {
                        Op::SetTask {
                            task: t,
                            field: g,
                            value,
                        } if t == task && g == field => Some(value),
                        _ => None,
                    })
                    .collect();
                let now: Vec<String> = f
                    .tasks
                    .iter()
                    .filter(|t| plain(t, "Task ID") == *task)
                    .map(|t| plain(t, field))
                    .collect();
                if !now.iter().all(|v| may_hold.contains(&v)) {
                    found.lost += 1;
                    found.fail(format!(
                        "acknowledged edit lost: {task} {field} = \"{value}\" by {}, Notion has {now:?}",
                        c.who
                    ));
                }
            }
            _ => {}
        }
        if let Outcome::Refused(why) = &c.outcome
            && let Some(why) = why.lines().rfind(|l| l.contains(" are titled "))
        {
            found.fail(format!(
                "{} refused for a record the store holds twice: {why}",
                c.who
            ));
        }
    }
}

/// No instance's Current State contradicts the newest transition (by timestamp) of its log.
fn states(notion: &Notion, found: &mut Findings) {
    for (page, (p, log)) in &notion.instances {
        let mut moves: Vec<&Value> = log
            .iter()
            .filter(|e| e["details"]["from"].is_string() && e["details"]["to"].is_string())
            .collect();
        moves.sort_by_key(|e| when(e));
        let state = plain(p, "Current State");
        if let Some(newest) = moves.last()
            && newest["details"]["to"] != state.as_str()
        {
            found.reverted += 1;
            let last: Vec<String> = (moves.iter().rev().take(3))
                .map(|e| format!("{} at {}", e["action"], e["timestamp"]))
                .collect();
            found.fail(format!(
                "{} is in \"{state}\" but its newest transitions are: {}",
                notion.name(page),
                last.join(", ")
            ));
        }
    }
}

/// No hsn write moved an instance back: replaying every applied Current State change of the
/// request log in order, none by hsn goes to an earlier state or out of a terminal one
/// (the agent's blind writes may: that is what blind means).
fn moves_back(f: &Final, notion: &Notion, found: &mut Findings) {
    let rank = |s: &str| f.states.iter().position(|x| x == s).unwrap_or(0);
    let terminal = f.states.len().saturating_sub(2);
    let mut changes: Vec<&RequestRecord> = (f.requests.iter())
        .filter(|r| r.method == "PATCH" && matches!(r.status, 200 | 503 | 0))
        .filter(|r| {
            r.body
                .as_ref()
                .is_some_and(|b| b["properties"].get("Current State").is_some())
        })
        .collect();
    changes.sort_by_key(|r| r.answered);
    let mut now: HashMap<String, String> = HashMap::new();
    for r in changes {
        let Some(page) = page_of(r) else { continue };
        let to: String = (r.body.as_ref().unwrap()["properties"]["Current State"]["rich_text"]
            .as_array()
            .into_iter()
            .flatten())
        .filter_map(|t| t["text"]["content"].as_str())
        .collect();
        let before = now
            .insert(page.clone(), to.clone())
            .unwrap_or_else(|| f.states[0].clone());
        let back = rank(&to) < rank(&before) || (rank(&before) >= terminal && to != before);
        if back && r.client.as_deref() != Some("agent") {
            found.reverted += 1;
            let tag = r.client.as_deref().unwrap_or("?");
            found.fail(format!(
                "{tag} moved {} back from \"{before}\" to \"{to}\"",
                notion.name(&page)
            ));
        }
    }
}

/// Every agent entry Notion acknowledged is still there, unless its write landed inside an
/// hsn read→write window of that page (hsn's own acknowledged entries: `acknowledged`).
fn agent_entries(f: &Final, notion: &Notion, found: &mut Findings) {
    let windows = windows(&f.requests);
    found.windows = windows.len();
    for w in &windows {
        let gap = w.sent.duration_since(w.read).unwrap_or_default();
        if gap > found.longest_gap.0 {
            // What that process sent on that page in the window, with the answers.
            let steps: Vec<String> = (f.requests.iter())
                .filter(|r| r.client.as_deref() == Some(w.tag.as_str()))
                .filter(|r| page_of(r).as_deref() == Some(w.page.as_str()))
                .filter(|r| w.read <= r.received && r.received <= w.sent)
                .map(|r| format!("{} {}", r.method, r.status))
                .collect();
            let on = notion.name(&w.page);
            found.longest_gap = (gap, format!("{} on {on}: {}", w.tag, steps.join(", ")));
        }
    }
    for w in f.run.agent.iter().filter(|w| w.acked) {
        let action = w.entry["action"].as_str().unwrap_or_default();
        if notion.has(&w.page, action, when(&w.entry)) > 0 {
            continue;
        }
        let stamp = w.entry["timestamp"].as_str().unwrap_or_default();
        let inside = f
            .requests
            .iter()
            .filter(|r| r.client.as_deref() == Some("agent") && r.method == "PATCH")
            .filter(|r| page_of(r).as_deref() == Some(w.page.as_str()))
            .filter(|r| {
                r.body
                    .as_ref()
                    .is_some_and(|b| b.to_string().contains(stamp))
            })
            .any(|r| {
                let t = r.received;
                windows
                    .iter()
                    .any(|x| x.page == w.page && x.read <= t && t <= x.wrote)
            });
        if inside {
            found.excused += 1;
        } else {
            found.lost += 1;
            let at = DateTime::<Utc>::from(w.at).format("%H:%M:%S%.3f");
            found.fail(format!(
                "agent entry written at {at} lost outside any hsn read→write window: {} {}",
                notion.name(&w.page),
                w.entry
            ));
        }
    }
}

/// Nothing queued is lost: each write of both outboxes is in Notion, or still queued or
/// failed with a reason; none failed yet applied; every "queued" answer has its write.
fn outboxes(f: &Final, notion: &Notion, found: &mut Findings) {
    let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
    for w in &f.writes {
        *found.outbox.entry(w.state.clone()).or_default() += 1;
        let b = &w.body;
        let op = text(&b["op"]).to_lowercase().replace('_', "");
        let applied = match op.as_str() {
            "advance" => {
                let action = format!(
                    "[{}] Transitioned from {} to {}",
                    text(&b["actor"]),
                    text(&b["from"]),
                    text(&b["to"])
                );
                let at = parse_timestamp(&text(&b["at"]));
                Some(notion.has(&text(&b["instance_page"]), &action, at) > 0)
            }
            "createtask" => Some(notion.task_count.contains_key(&text(&b["task_id"]))),
            _ => None,
        };
        let what = format!(
            "{}'s {op} {}",
            w.who,
            b.get("task_id")
                .or(b.get("instance_id"))
                .unwrap_or(&Value::Null)
        );
        let reason = w.last_error.as_deref();
        let page = text(&b["instance_page"]);
        let entries: Vec<(String, Option<DateTime<Utc>>)> = match op.as_str() {
            "createtask" => vec![(
                format!("[{}] Created task: {}", text(&b["actor"]), text(&b["name"])),
                None,
            )],
            "restorehistory" => (b["entries"].as_array().into_iter().flatten())
                .map(|e| (text(&e["action"]), when(e)))
                .collect(),
            _ => Vec::new(),
        };
        // A move hsn reported overwritten by another writer's (its entry left out).
        let overwritten = |action: &str| f.writes.iter().any(|q| q.overwritten(&page, action));
        let mut excused = false;
        for (action, at) in entries {
            if w.state == "done" && notion.has(&page, &action, at) == 0 {
                if overwritten(&action) {
                    excused = true;
                    continue;
                }
                found.lost += 1;
                found.fail(format!("{what} is done but \"{action}\" is not in the log"));
            }
        }
        let moved = format!(
            "[{}] Transitioned from {} to {}",
            text(&b["actor"]),
            text(&b["from"]),
            text(&b["to"])
        );
        if op == "advance" && overwritten(&moved) {
            excused = true;
        }
        match (w.state.as_str(), applied) {
            ("done", Some(false)) if excused => found.excused += 1,
            ("done", Some(false)) => {
                found.lost += 1;
                found.fail(format!("{what} is done in the outbox but not in Notion"));
            }
            ("failed", Some(true)) => {
                found.fail(format!("{what} failed ({reason:?}) but is in Notion"))
            }
            ("done", _) => {}
            (state, _) if reason.is_none() => {
                found.fail(format!("{what} is {state} without a reason"))
            }
            _ => {}
        }
    }
    for c in f
        .run
        .commands
        .iter()
        .filter(|c| c.outcome == Outcome::Queued)
    {
        let held = f
            .writes
            .iter()
            .filter(|w| w.who == c.who)
            .any(|w| match &c.op {
                Op::Advance { from, to, page, .. } => {
                    w.body["from"] == from.as_str()
                        && w.body["to"] == to.as_str()
                        && bare(&text(&w.body["instance_page"])) == *page
                }
                Op::NewTask { name, .. } => w.body["name"] == name.as_str(),
                Op::SetTask { task, .. } => w.body["task_id"] == task.as_str(),
            });
        if !held {
            found.lost += 1;
            found.fail(format!(
                "{} was told {:?} is queued, but no outbox holds it",
                c.who, c.op
            ));
        }
    }
}

// ---- the figures ----

/// What a process sent, to read a finding: `HSN_CHECK_DUMP=bob-16`, or the one with the
/// longest read→write gap when it is over 200 ms.
pub fn dump(requests: &[RequestRecord], found: &Findings) {
    let slow = found.longest_gap.1.split(' ').next().unwrap_or_default();
    let dump = std::env::var("HSN_CHECK_DUMP").ok();
    let dump = dump.or((found.longest_gap.0 > Duration::from_millis(200)).then(|| slow.into()));
    if let Some(tag) = dump {
        let first = requests[0].received;
        for r in requests
            .iter()
            .filter(|r| r.client.as_deref() == Some(&tag))
        {
            let at = |t: SystemTime| t.duration_since(first).unwrap_or_default().as_secs_f64();
            let answered = r.answered.map_or(f64::NAN, at);
            println!(
                "  {tag} {:.3}→{answered:.3} {} {} {}",
                at(r.received),
                r.method,
                r.path,
                r.status
            );
        }
    }
}

/// The run's figures.
pub fn report(seed: u64, run: &Run, found: &Findings, unfired: usize) {
    let count = |f: fn(&Outcome) -> bool| run.commands.iter().filter(|c| f(&c.outcome)).count();
    println!(
        "seed {seed:#x}: {} operations: {} hsn commands (sent {}, queued {}, refused {}, killed {}), {} agent writes ({} acknowledged), {} syncs on A",
        run.commands.len() + run.agent.len(),
        run.commands.len(),
        count(|o| *o == Outcome::Sent),
        count(|o| *o == Outcome::Queued),
        count(|o| matches!(o, Outcome::Refused(_))),
        count(|o| *o == Outcome::Killed),
        run.agent.len(),
        run.agent.iter().filter(|w| w.acked).count(),
        run.syncs,
    );
    let refused = run.commands.iter().filter_map(|c| match &c.outcome {
        Outcome::Refused(why) => Some((c.who, why.lines().last().unwrap_or_default())),
        _ => None,
    });
    for (who, why) in refused.take(12) {
        println!("    refused ({who}): {why}");
    }
    println!(
        "  faults injected {:?} ({unfired} never fired), kills {}, outbox {:?}, slowest process {:.1} s ({})",
        run.faults,
        run.kills,
        found.outbox,
        run.slowest.0.as_secs_f64(),
        run.slowest.1
    );
    println!(
        "  duplicates {}, lost {}, reverted states {}, agent entries lost inside hsn windows {}, longest hsn read→write gap {:?} ({}) of {} windows",
        found.duplicates,
        found.lost,
        found.reverted,
        found.excused,
        found.longest_gap.0,
        found.longest_gap.1,
        found.windows
    );
}
