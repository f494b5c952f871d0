//! A deterministic generator of large HigherSelf workspaces, for the benchmarks and for
//! the fake Notion server: N instances with histories, tasks linked to them, and every one
//! of the 16 databases, the same for the same seed.

pub mod activity;
pub mod budget;
pub mod dashboard;
pub mod log;
pub mod secrets;
pub mod tabs;

use chrono::{DateTime, Duration, TimeZone, Utc};
use fake_notion::FakeNotion;
use hsn::domain::history::{HistoryEntry, HistoryLog};
use hsn::domain::record::{Link, Record};
use hsn::domain::schema::{Backlink, ColumnKind, DATABASES, DatabaseKey, database};
use hsn::workspace::sources::DataSources;
use serde_json::{Map, Value};

/// A small, fast, deterministic random source (SplitMix64): the same seed, the same workspace.
pub struct Seeded(u64);

impl Seeded {
    pub fn new(seed: u64) -> Self {
        Seeded(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

const STATES: [&str; 8] = [
    "inquiry",
    "consultation",
    "quote_provided",
    "payment_pending",
    "payment_confirmed",
    "booking_confirmed",
    "completed",
    "canceled",
];
const AGENTS: [&str; 9] = [
    "Nyra",
    "Solari",
    "Ruvo",
    "Liora",
    "Sage",
    "Elan",
    "Zevi",
    "Atlas",
    "Grace Fields",
];
const ENTITIES: [&str; 3] = ["The Connection Practice", "The 7 Space", "Art Gallery"];

/// The 16 databases in the fake with their schema. Link columns are left out: generated
/// records hold links as text, as databases made by the original tool do, which spares the
/// generator a second pass for relations.
pub fn create_databases(fake: &FakeNotion) -> DataSources {
    let mut ids = Vec::new();
    for definition in &DATABASES {
        let mut properties = Map::new();
        for column in definition.columns {
            let config = match column.kind {
                ColumnKind::Relation {
                    backlink: Backlink::SyncedFrom(_),
                    ..
                } => continue,
                ColumnKind::Relation { .. } => serde_json::json!({"rich_text": {}}),
                _ => column
                    .notion_config(|_| None)
                    .expect("plain columns need no target"),
            };
            properties.insert(column.name.into(), config);
        }
        let (_, source) = fake.create_data_source(definition.title, Value::Object(properties));
        ids.push((definition.key, source));
    }
    DataSources::from_ids(ids)
}

/// Link columns as text (see `create_databases`).
fn text_columns_only(record: &mut Record) {
    let keys: Vec<&'static str> = record.values.keys().copied().collect();
    for key in keys {
        if matches!(
            record.schema().column(key).map(|c| c.kind),
            Some(ColumnKind::Relation { .. })
        ) {
            let text = record.get::<Link>(key).ids().join(", ");
            record.values.remove(key);
            record.set(key, Link::Text(text));
        }
    }
}

/// How long the generated instances' histories are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Histories {
    /// Up to 5 transitions (2.5 on average): the workspace every row but the audit log's
    /// measures.
    Moves,
    /// About 6 entries on average: up to 6 transitions, and up to 6 entries of other kinds
    /// (tasks made, errors, agents' notes) among them: the audit log's row.
    Busy,
}

/// What the agents log besides moves, in [`Histories::Busy`]: action and details.
const EVENTS: [(&str, &str); 4] = [
    ("Created task: Follow up with the client", "task_id"),
    ("Error confirming booking: payment gateway timeout", "error"),
    ("Lead captured from typeform", "source"),
    ("Reminder sent", "channel"),
];

/// Generates and inserts a workspace of `instances` instances (with half as many tasks and a
/// few records in every other database) into the fake; returns where each database is.
/// Timestamps spread over the 60 days before `now`, so incremental refreshes behave as in a
/// real workspace.
pub fn seed_workspace(
    fake: &FakeNotion,
    instances: usize,
    seed: u64,
    now: DateTime<Utc>,
) -> DataSources {
    seed_workspace_with(fake, instances, seed, now, Histories::Moves)
}

/// [`seed_workspace`] with histories as `histories` says. `Histories::Moves` draws the
/// same random numbers as it always did: the same seed, the same workspace.
pub fn seed_workspace_with(
    fake: &FakeNotion,
    instances: usize,
    seed: u64,
    now: DateTime<Utc>,
    histories: Histories,
) -> DataSources {
    let sources = create_databases(fake);
    let mut rng = Seeded::new(seed);
    let source = |key| sources.get(key).expect("created").to_string();
    let start = now - Duration::days(60);
    let insert = |key: DatabaseKey, mut record: Record, at: DateTime<Utc>| {
        text_columns_only(&mut record);
        fake.set_now(Some(at));
        let properties = record
            .to_properties()
            .expect("generated records fit the schema");
        fake.insert_page(&source(key), properties);
    };
    for name in ENTITIES {
        let mut r = Record::new(DatabaseKey::BusinessEntities);
        r.set("Name", name.to_string());
        insert(DatabaseKey::BusinessEntities, r, start);
    }
    for agent in AGENTS {
        let mut r = Record::new(DatabaseKey::AgentRegistry);
        r.set(
            "Agent ID",
            format!("{}_agent", agent.to_lowercase().replace(' ', "_")),
        );
        r.set("Name", agent.to_string());
        r.set("Status", Some("Deployed".to_string()));
        insert(DatabaseKey::AgentRegistry, r, start);
    }
    let mut workflow = Record::new(DatabaseKey::WorkflowsLibrary);
    workflow.set("Workflow ID", "WF-WELL-BOOK".to_string());
    workflow.set("Initial State", "inquiry".to_string());
    workflow.set("States", serde_json::to_string(&STATES).expect("json"));
    workflow.set("Status", Some("Active".to_string()));
    insert(DatabaseKey::WorkflowsLibrary, workflow, start);

    let minutes = (now - start).num_minutes().max(1) as u64;
    for n in 0..instances {
        // The last change falls anywhere in the 60 days, the earlier ones before it, so
        // edit times spread as in a real workspace (not piled up on one minute).
        let last = start + Duration::minutes(rng.below(minutes) as i64);
        let steps = match histories {
            Histories::Moves => rng.below(6),
            Histories::Busy => rng.below(7),
        } as usize;
        let mut times: Vec<DateTime<Utc>> = Vec::new();
        let mut at = last;
        for _ in 0..steps {
            times.push(at);
            at -= Duration::minutes(30 + rng.below(60 * 24) as i64);
        }
        times.reverse();
        let mut entries = Vec::new();
        for (step, when) in times.iter().enumerate() {
            let agent = rng.pick(&AGENTS).to_string();
            entries.push(HistoryEntry::transition(
                &agent,
                STATES[step],
                STATES[step + 1],
                Some("generated"),
                *when,
            ));
        }
        if histories == Histories::Busy {
            entries.extend(events(&mut rng, at, last));
            entries.sort_by_key(HistoryEntry::timestamp);
        }
        let mut log = HistoryLog::default();
        for entry in entries {
            log.push(entry);
        }
        let at = last;
        let mut r = Record::new(DatabaseKey::ActiveWorkflowInstances);
        r.set("Instance ID", format!("INST-{:08x}", rng.next_u64() as u32));
        r.set("Workflow", Link::Text("WF-WELL-BOOK".into()));
        r.set(
            "Business Entity",
            Link::Text(rng.pick(&ENTITIES).to_string()),
        );
        r.set("Current State", STATES[steps].to_string());
        r.set(
            "Status",
            Some(
                rng.pick(&["Active", "Active", "Active", "Error", "On Hold"])
                    .to_string(),
            ),
        );
        r.set(
            "Priority",
            Some(rng.pick(&["High", "Medium", "Low"]).to_string()),
        );
        r.set("Assigned To", rng.pick(&AGENTS).to_string());
        r.set("Client/Lead Name", format!("Client {n}"));
        r.set("History Log", log.encode_text());
        insert(DatabaseKey::ActiveWorkflowInstances, r, at);
    }
    for n in 0..instances / 2 {
        let mut r = Record::new(DatabaseKey::Tasks);
        r.set("Task ID", format!("TASK-{:08x}", rng.next_u64() as u32));
        r.set("Task Name", format!("Follow up {n}"));
        r.set(
            "Status",
            Some(
                rng.pick(&["To Do", "In Progress", "On Hold", "Done", "Cancelled"])
                    .to_string(),
            ),
        );
        r.set(
            "Priority",
            Some(rng.pick(&["High", "Medium", "Low"]).to_string()),
        );
        r.set("Assigned To", rng.pick(&AGENTS).to_string());
        let at = start + Duration::minutes(rng.below(minutes) as i64);
        insert(DatabaseKey::Tasks, r, at);
    }
    let generated_above = [
        DatabaseKey::BusinessEntities,
        DatabaseKey::AgentRegistry,
        DatabaseKey::WorkflowsLibrary,
        DatabaseKey::ActiveWorkflowInstances,
        DatabaseKey::Tasks,
    ];
    for definition in DATABASES
        .iter()
        .filter(|d| !generated_above.contains(&d.key))
    {
        for n in 0..3 {
            let mut r = Record::new(definition.key);
            r.set(
                definition.title_column().name,
                format!("{} {n}", definition.alias),
            );
            insert(definition.key, r, start);
        }
    }
    fake.set_now(None);
    sources
}

/// Up to 6 entries other than moves (3 on average) between `first` and `last`.
fn events(rng: &mut Seeded, first: DateTime<Utc>, last: DateTime<Utc>) -> Vec<HistoryEntry> {
    let span = (last - first).num_minutes().max(60) as u64;
    (0..rng.below(7))
        .map(|_| {
            let agent = rng.pick(&AGENTS).to_string();
            let (action, key) = *rng.pick(&EVENTS);
            let mut details = Map::new();
            details.insert(key.into(), Value::String(format!("{:08x}", rng.next_u64())));
            let at = last - Duration::minutes(rng.below(span) as i64);
            HistoryEntry::event(&agent, action, details, at)
        })
        .collect()
}

/// A fixed "now" for reproducible runs.
pub fn fixed_now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 27, 9, 0, 0)
        .single()
        .expect("valid date")
}

/// The title of a database, for reports.
pub fn title(key: DatabaseKey) -> &'static str {
    database(key).title
}

/// Writes a generated workspace of `instances` instances into a store at `path`, as the
/// demo workspace's store (so `hsn --demo` with `HSN_DATA_DIR` there opens it): for the
/// dashboard's start-up and memory figures.
pub fn write_demo_store(
    path: &std::path::Path,
    instances: usize,
    seed: u64,
) -> color_eyre::Result<()> {
    write_demo_store_with(path, instances, seed, Histories::Moves)
}

/// [`write_demo_store`] with histories as `histories` says.
pub fn write_demo_store_with(
    path: &std::path::Path,
    instances: usize,
    seed: u64,
    histories: Histories,
) -> color_eyre::Result<()> {
    use hsn::domain::demo::demo_data_source_id;
    let fake = FakeNotion::new("bench");
    let sources = seed_workspace_with(&fake, instances, seed, fixed_now(), histories);
    let mut store = hsn::store::Store::open(path)?;
    for definition in &DATABASES {
        let pages: Vec<hsn::notion::Page> = fake
            .pages_in(sources.get(definition.key)?)
            .into_iter()
            .map(hsn::notion::Page::from_json)
            .collect::<Result<_, _>>()?;
        store.upsert_pages(definition.key, &demo_data_source_id(definition.key), &pages)?;
    }
    Ok(())
}

/// This process's resident memory, in MB (Linux).
pub fn rss_mb() -> f64 {
    dashboard::rss_of(std::process::id())
}

/// The pages of a data source as the answers to its query carry them: 100 to an answer,
/// as bytes.
pub fn query_answers(pages: &[serde_json::Value]) -> Vec<Vec<u8>> {
    let answers = pages.len().div_ceil(100);
    pages
        .chunks(100)
        .enumerate()
        .map(|(n, chunk)| {
            let more = n + 1 < answers;
            serde_json::to_vec(&serde_json::json!({
                "object": "list", "results": chunk, "type": "page_or_data_source",
                "next_cursor": more.then(|| format!("cursor-{n}")), "has_more": more,
            }))
            .expect("JSON")
        })
        .collect()
}

/// Parses query answers into pages and stores them into a new store: what
/// `Engine::refresh` does with each answer, minus the network. With `overlap`, through the
/// engine's own `StoreQueue` (each lot stored on a blocking thread while the next answers
/// are parsed; answers parsed meanwhile go together in the next transaction); without,
/// one answer to a transaction, one step after the other.
pub async fn parse_and_store(
    answers: &[Vec<u8>],
    source: &str,
    overlap: bool,
) -> color_eyre::Result<std::time::Duration> {
    use hsn::notion::ListPage;
    use hsn::sync::StoreQueue;
    use serde_json::value::RawValue;
    use std::sync::{Arc, Mutex};
    let dir = tempfile::tempdir()?;
    let store = Arc::new(Mutex::new(hsn::store::Store::open(
        &dir.path().join("s.sqlite"),
    )?));
    let source = source.to_string();
    let store_lot = move |lot: Vec<hsn::notion::Page>| -> color_eyre::Result<()> {
        let mut store = store.lock().expect("store");
        store.upsert_pages(DatabaseKey::ActiveWorkflowInstances, &source, &lot)?;
        Ok(())
    };
    let started = std::time::Instant::now();
    let mut queue = overlap.then(|| StoreQueue::new(store_lot.clone()));
    for answer in answers {
        let list: ListPage<Box<RawValue>> = serde_json::from_slice(answer)?;
        let batch: Vec<hsn::notion::Page> = list
            .results
            .into_iter()
            .filter_map(|raw| hsn::notion::Page::from_listed(raw).transpose())
            .collect::<Result<_, _>>()?;
        match queue.as_mut() {
            Some(queue) => drop(queue.push(batch).await?),
            None => store_lot(batch)?,
        }
    }
    if let Some(queue) = queue {
        queue.finish().await?;
    }
    Ok(started.elapsed())
}
