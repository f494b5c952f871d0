//! A HigherSelf workspace on the fake Notion server, made by `hsn setup`, with a few records:
//! shared by the tests of the operations and of the commands over them.
#![allow(dead_code)] // each test file uses its own part

pub mod terminal;
pub mod trail;
pub mod writes;

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use fake_notion::FakeNotion;
use hsn::domain::schema::DatabaseKey;
use hsn::notion::{ClientConfig, NotionClient, PageParent, RateLimit};
use hsn::workspace::setup::setup;
use hsn::workspace::sources::DataSources;
use secrecy::SecretString;
use serde_json::{Value, json};

pub const TOKEN: &str = "ntn_workspace_test_token_0123456789";

/// The Notion-Version the tests speak: `HSN_TEST_NOTION_VERSION` (CI runs the client and
/// sync tests on 2026-12-01 too), else hsn's default.
pub fn notion_version() -> String {
    std::env::var("HSN_TEST_NOTION_VERSION")
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| hsn::notion::DEFAULT_VERSION.to_string())
}

pub fn client_for(base: &str) -> NotionClient {
    let mut config = ClientConfig::new(SecretString::from(TOKEN));
    config.base_url = base.to_string();
    config.version = notion_version();
    config.rate = RateLimit::unlimited();
    config.timeout = Some(Duration::from_secs(20));
    NotionClient::new(config).unwrap()
}

/// A client that believes the request budget `rate` (the fake's own, in tests of it).
pub fn client_with(base: &str, rate: RateLimit) -> NotionClient {
    let mut config = ClientConfig::new(SecretString::from(TOKEN));
    config.base_url = base.to_string();
    config.version = notion_version();
    config.rate = rate;
    config.timeout = Some(Duration::from_secs(20));
    NotionClient::new(config).unwrap()
}

pub struct Workspace {
    pub fake: FakeNotion,
    pub base: String,
    pub client: NotionClient,
    pub sources: DataSources,
    pub settings: HashMap<String, String>,
    pub dir: tempfile::TempDir,
    pub entity: String,
    pub workflow: String,
    /// `INST-0001` in `inquiry`, of WF-WELL-BOOK and The 7 Space.
    pub instance: String,
}

fn text(content: &str) -> Value {
    json!([{"text": {"content": content}}])
}

impl Workspace {
    /// `hsn` as a process against this workspace's fake Notion, with its stores in `data`
    /// and no other setting (nothing of the user's environment).
    pub fn hsn(&self, data: &std::path::Path) -> tokio::process::Command {
        let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_hsn"));
        command
            .current_dir(self.dir.path())
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("NOTION_API_BASE", &self.base)
            .env("NOTION_API_TOKEN", TOKEN)
            .env("NOTION_VERSION", notion_version())
            .env("HSN_DATA_DIR", data);
        command
    }

    pub fn env_path(&self) -> PathBuf {
        self.dir.path().join(".env.notion")
    }

    pub fn source(&self, key: DatabaseKey) -> String {
        self.sources.get(key).unwrap().to_string()
    }

    /// Adds an instance of WF-WELL-BOOK in `state`; returns its page id.
    pub async fn add_instance(&self, instance_id: &str, state: &str, history: &str) -> String {
        self.client
            .create_page(
                PageParent::DataSource(self.source(DatabaseKey::ActiveWorkflowInstances)),
                json!({
                    "Instance ID": {"title": text(instance_id)},
                    "Workflow": {"relation": [{"id": self.workflow}]},
                    "Business Entity": {"relation": [{"id": self.entity}]},
                    "Current State": {"rich_text": text(state)},
                    "Status": {"status": {"name": "Active"}},
                    "Client/Lead Name": {"rich_text": text("Jane Smith")},
                    "Start Date": {"date": {"start": "2026-11-01T09:00:00.000Z"}},
                    "History Log": {"rich_text": text(history)},
                }),
            )
            .await
            .unwrap()
            .id
    }
}

/// The wellness booking workflow of the original `.windsurf/workflows.json`: a states list
/// without transitions, so moves go to the next state or to a terminal one.
pub const WELL_BOOK_STATES: &str = r#"["inquiry","consultation","quote_provided","payment_pending","payment_confirmed","booking_confirmed","preparation","service_delivery","follow_up","feedback_collection","completed","canceled"]"#;

/// `hsn setup` of the 16 databases under a new workspace page of `fake`, its
/// `.env.notion` written in `dir`: where each database is, and the settings it wrote.
pub async fn set_up_databases(
    fake: &FakeNotion,
    client: &NotionClient,
    dir: &std::path::Path,
) -> (DataSources, HashMap<String, String>) {
    let parent = fake.create_workspace_page("HigherSelf Network");
    let env_path = dir.join(".env.notion");
    setup(
        client,
        &|_: &str| None,
        Some(&parent),
        &env_path,
        &mut |_| {},
    )
    .await
    .unwrap();
    let settings: HashMap<String, String> = dotenvy::from_path_iter(&env_path)
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let sources = DataSources::from_settings(client, &|k: &str| settings.get(k).cloned())
        .await
        .unwrap();
    (sources, settings)
}

pub async fn workspace() -> Workspace {
    let fake = FakeNotion::new(TOKEN);
    let base = fake.start().await;
    let client = client_for(&base);
    let dir = tempfile::tempdir().unwrap();
    let (sources, settings) = set_up_databases(&fake, &client, dir.path()).await;
    let source = |key| sources.get(key).unwrap().to_string();

    let entity = client
        .create_page(
            PageParent::DataSource(source(DatabaseKey::BusinessEntities)),
            json!({
                "Name": {"title": text("The 7 Space")},
                "Entity Type": {"select": {"name": "WELLNESS_CENTER"}},
            }),
        )
        .await
        .unwrap()
        .id;
    let workflow = client
        .create_page(
            PageParent::DataSource(source(DatabaseKey::WorkflowsLibrary)),
            json!({
                "Workflow ID": {"title": text("WF-WELL-BOOK")},
                "Name": {"rich_text": text("Wellness Service Booking")},
                "Initial State": {"rich_text": text("inquiry")},
                "States": {"rich_text": text(WELL_BOOK_STATES)},
                "Status": {"select": {"name": "Active"}},
            }),
        )
        .await
        .unwrap()
        .id;
    let mut ws = Workspace {
        fake,
        base,
        client,
        sources,
        settings,
        dir,
        entity,
        workflow,
        instance: String::new(),
    };
    ws.instance = ws.add_instance("INST-0001", "inquiry", "").await;
    ws
}

/// Runs hsn on `ws`'s data directory as the operator "grace".
pub async fn hsn(ws: &Workspace, args: &[&str]) -> std::process::Output {
    ws.hsn(&ws.dir.path().join("data"))
        .args(args)
        .env("HSN_OPERATOR", "grace")
        .output()
        .await
        .unwrap()
}

/// A command's standard output, once it succeeded (else its stderr in the failure).
pub fn stdout(output: &std::process::Output) -> String {
    assert!(
        output.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).unwrap()
}

/// Every file under `dir`, at any depth: what a test searches for bytes that must not be
/// anywhere (a token, a credential).
pub fn files_under(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(files_under(&path));
        } else {
            files.push(path);
        }
    }
    files
}

/// Whether `needle` occurs in `haystack`.
pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}
