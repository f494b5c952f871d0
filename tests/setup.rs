//! `hsn setup` and `hsn doctor` against the fake Notion server.

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use fake_notion::{FakeNotion, Fault};
use hsn::domain::schema::{
    DATABASES, DatabaseKey, INSTANCE_TASKS_COLUMN, TASK_INSTANCE_COLUMN, database,
};
use hsn::notion::{ClientConfig, NotionClient, PageParent, PropertyValue, RateLimit};
use hsn::workspace::compare::{Finding, compare};
use hsn::workspace::doctor::{Check, Verdict, doctor};
use hsn::workspace::setup::{SetupReport, setup};
use secrecy::SecretString;
use serde_json::{Map, Value, json};

const TOKEN: &str = "ntn_setup_test_token_0123456789abcdef";

fn client_for(base: &str, token: &str) -> NotionClient {
    let mut config = ClientConfig::new(SecretString::from(token.to_string()));
    config.base_url = base.to_string();
    config.rate = RateLimit::unlimited();
    config.timeout = Some(Duration::from_secs(20));
    NotionClient::new(config).unwrap()
}

/// The settings a run sees: what `.env.notion` holds (as hsn reads it), nothing else.
fn env_settings(path: &Path) -> HashMap<String, String> {
    if !path.exists() {
        return HashMap::new();
    }
    dotenvy::from_path_iter(path)
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

async fn run_setup(
    client: &NotionClient,
    parent: &str,
    env_path: &Path,
    on_progress: &mut dyn FnMut(&str),
) -> color_eyre::Result<SetupReport> {
    let settings = env_settings(env_path);
    setup(
        client,
        &|k: &str| settings.get(k).cloned(),
        Some(parent),
        env_path,
        on_progress,
    )
    .await
}

fn count(fake: &FakeNotion, method: &str, path: &str) -> usize {
    fake.requests()
        .iter()
        .filter(|r| r.method == method && r.path.starts_with(path) && r.status == 200)
        .count()
}

async fn run_doctor(
    client: &NotionClient,
    settings: &HashMap<String, String>,
) -> (bool, Vec<Check>) {
    let mut checks = Vec::new();
    let healthy = doctor(
        client,
        &|k: &str| settings.get(k).cloned(),
        &mut |c: &Check| checks.push(c.clone()),
    )
    .await;
    (healthy, checks)
}

fn lines(checks: &[Check], verdict: Verdict) -> Vec<String> {
    checks
        .iter()
        .filter(|c| c.verdict == verdict)
        .map(|c| c.to_string())
        .collect()
}

struct Fixture {
    fake: FakeNotion,
    client: NotionClient,
    parent: String,
    _dir: tempfile::TempDir,
    env_path: std::path::PathBuf,
}

async fn fixture() -> Fixture {
    let fake = FakeNotion::new(TOKEN);
    let client = client_for(&fake.start().await, TOKEN);
    let parent = fake.create_workspace_page("HigherSelf Operations");
    let dir = tempfile::tempdir().unwrap();
    let env_path = dir.path().join(".env.notion");
    Fixture {
        fake,
        client,
        parent,
        _dir: dir,
        env_path,
    }
}

#[tokio::test]
async fn setup_creates_the_16_databases_with_relations_and_writes_env_notion() {
    let f = fixture().await;
    std::fs::write(&f.env_path, "# kept\nNOTION_PARENT_PAGE_ID=keep-me\n").unwrap();
    let mut progress = Vec::new();
    let report = run_setup(&f.client, &f.parent, &f.env_path, &mut |l| {
        progress.push(l.to_string())
    })
    .await
    .unwrap();
    assert_eq!(report.created.len(), 16);
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!(progress[9], "[10/16] Master Tasks Database … created");

    let settings = env_settings(&f.env_path);
    assert_eq!(
        settings["NOTION_PARENT_PAGE_ID"], "keep-me",
        "other lines are kept"
    );
    let text = std::fs::read_to_string(&f.env_path).unwrap();
    assert!(text.starts_with("# kept\n"));
    let data_source = |key: DatabaseKey| settings[&database(key).env_data_source_key()].clone();
    for definition in &DATABASES {
        assert!(
            settings.contains_key(&definition.env_database_key()),
            "{}",
            definition.title
        );
        let live = f
            .client
            .retrieve_data_source(&data_source(definition.key))
            .await
            .unwrap();
        let errors: Vec<Finding> = compare(definition, &live, |k| Some(data_source(k)))
            .into_iter()
            .filter(|f| !matches!(f, Finding::StatusGroup { .. }))
            .collect();
        assert!(errors.is_empty(), "{}: {errors:?}", definition.title);
        for column in definition.columns {
            assert_eq!(
                live.property(column.name).unwrap().kind,
                column.kind.notion_type()
            );
        }
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&f.env_path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }

    // The two-way relation is synced: a task linked to an instance shows up on the instance.
    let instance = f
        .client
        .create_page(
            PageParent::DataSource(data_source(DatabaseKey::ActiveWorkflowInstances)),
            json!({"Instance ID": {"title": [{"text": {"content": "INST-0001"}}]}}),
        )
        .await
        .unwrap();
    let task = f
        .client
        .create_page(
            PageParent::DataSource(data_source(DatabaseKey::Tasks)),
            json!({
                "Task ID": {"title": [{"text": {"content": "TASK-1a2b3c4d"}}]},
                TASK_INSTANCE_COLUMN: {"relation": [{"id": instance.id}]},
            }),
        )
        .await
        .unwrap();
    let instance = f.client.retrieve_page(&instance.id).await.unwrap();
    assert_eq!(
        instance.property(INSTANCE_TASKS_COLUMN).unwrap().value,
        PropertyValue::Relation {
            ids: vec![task.id],
            has_more: false
        }
    );
}

#[tokio::test]
async fn a_second_run_creates_nothing_and_restores_what_was_deleted_by_hand() {
    let f = fixture().await;
    run_setup(&f.client, &f.parent, &f.env_path, &mut |_| {})
        .await
        .unwrap();
    let settings = env_settings(&f.env_path);
    let tasks = settings["NOTION_TASKS_DS"].clone();
    let (creates, patches) = (
        count(&f.fake, "POST", "/v1/databases"),
        count(&f.fake, "PATCH", "/v1/data_sources"),
    );

    let report = run_setup(&f.client, &f.parent, &f.env_path, &mut |_| {})
        .await
        .unwrap();
    assert_eq!(report.found.len(), 16);
    assert_eq!(
        count(&f.fake, "POST", "/v1/databases"),
        creates,
        "no create on a second run"
    );
    assert_eq!(
        count(&f.fake, "PATCH", "/v1/data_sources"),
        patches,
        "nothing to add"
    );

    // A property deleted by hand comes back; one hsn does not know is left alone.
    f.client
        .update_data_source(
            &tasks,
            json!({"properties": {"Priority": null, "My Notes": {"rich_text": {}}}}),
        )
        .await
        .unwrap();
    let mut progress = Vec::new();
    let report = run_setup(&f.client, &f.parent, &f.env_path, &mut |l| {
        progress.push(l.to_string())
    })
    .await
    .unwrap();
    assert!(
        progress.contains(&"[10/16] Master Tasks Database … found, added \"Priority\"".to_string()),
        "{progress:?}"
    );
    assert!(
        report.warnings.iter().any(|w| w.contains("\"My Notes\"")),
        "{:?}",
        report.warnings
    );
    let live = f.client.retrieve_data_source(&tasks).await.unwrap();
    assert_eq!(
        live.property("Priority").unwrap().option_names(),
        ["High", "Medium", "Low"]
    );
    assert!(live.property("My Notes").is_some());
}

#[tokio::test]
async fn an_interrupted_run_is_finished_by_the_next_without_duplicates() {
    let f = fixture().await;
    let fake = f.fake.clone();
    let error = run_setup(&f.client, &f.parent, &f.env_path, &mut |line| {
        if line.starts_with("[7/16]") {
            fake.push_fault_for("POST", "/v1/databases", Fault::Status(500));
        }
    })
    .await
    .unwrap_err();
    let message = format!("{error:#}");
    assert!(
        message.starts_with("[8/16] Notifications Templates"),
        "{message}"
    );
    assert!(message.contains("500"), "{message}");
    assert_eq!(
        env_settings(&f.env_path).len(),
        14,
        "the 7 made are written down"
    );

    let report = run_setup(&f.client, &f.parent, &f.env_path, &mut |_| {})
        .await
        .unwrap();
    assert_eq!((report.found.len(), report.created.len()), (7, 9));
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!(
        count(&f.fake, "POST", "/v1/databases"),
        16,
        "each database made once"
    );
    let found = f
        .client
        .search("", Some(hsn::notion::SearchObject::DataSource))
        .await
        .unwrap();
    assert_eq!(found.len(), 16);
}

#[tokio::test]
async fn setup_finds_its_databases_by_title_when_env_notion_is_lost() {
    let f = fixture().await;
    run_setup(&f.client, &f.parent, &f.env_path, &mut |_| {})
        .await
        .unwrap();
    let before = env_settings(&f.env_path);
    std::fs::remove_file(&f.env_path).unwrap();
    let report = run_setup(&f.client, &f.parent, &f.env_path, &mut |_| {})
        .await
        .unwrap();
    assert_eq!(report.found.len(), 16);
    assert_eq!(count(&f.fake, "POST", "/v1/databases"), 16);
    assert_eq!(env_settings(&f.env_path), before);
}

#[tokio::test]
async fn doctor_passes_a_fresh_workspace_and_names_each_problem() {
    let f = fixture().await;
    run_setup(&f.client, &f.parent, &f.env_path, &mut |_| {})
        .await
        .unwrap();
    let mut settings = env_settings(&f.env_path);
    let (healthy, checks) = run_doctor(&f.client, &settings).await;
    assert!(healthy, "{:#?}", lines(&checks, Verdict::Failure));
    assert!(
        checks[0].to_string().starts_with("ok   token: integration"),
        "{}",
        checks[0]
    );
    assert!(checks.iter().any(|c| c.to_string()
        == format!(
            "ok   Master Tasks Database: reachable (data source {})",
            settings["NOTION_TASKS_DS"]
        )));

    // A property deleted, a type changed, a database no longer shared.
    f.client
        .update_data_source(
            &settings["NOTION_TASKS_DS"],
            json!({"properties": {"Priority": null}}),
        )
        .await
        .unwrap();
    let mut changed = Map::new();
    for column in database(DatabaseKey::ContactsProfiles).columns {
        let config = if column.name == "Email" {
            json!({"rich_text": {}})
        } else {
            column.notion_config(|_| None).unwrap()
        };
        changed.insert(column.name.to_string(), config);
    }
    let (_, contacts) = f
        .fake
        .create_data_source("Contacts & Profiles Database", Value::Object(changed));
    settings.insert("NOTION_CONTACTS_PROFILES_DS".into(), contacts);
    f.fake.unshare_database(&settings["NOTION_USE_CASES_DB"]);

    let (healthy, checks) = run_doctor(&f.client, &settings).await;
    assert!(!healthy);
    let failures = lines(&checks, Verdict::Failure);
    let expected = [
        "FAIL Master Tasks Database schema: property \"Priority\" (select) is missing → run `hsn setup` to add it".to_string(),
        "FAIL Contacts & Profiles Database schema: property \"Email\" is rich_text, expected email → change it back in Notion (or rename it and run `hsn setup` to make a new one)".to_string(),
        format!(
            "FAIL Use Cases Library: NOTION_USE_CASES_DB={} not found or not shared with the integration (404) → share the database with the integration in Notion (… → Connections), or run `hsn setup` to create it",
            settings["NOTION_USE_CASES_DB"]
        ),
    ];
    for line in &expected {
        assert!(failures.contains(line), "missing {line}\nin {failures:#?}");
    }
    assert_eq!(failures.len(), expected.len(), "{failures:#?}");
}

#[tokio::test]
async fn doctor_stops_at_a_bad_token_without_printing_it() {
    let f = fixture().await;
    let bad = "ntn_this_token_is_wrong_and_secret";
    let client = client_for(&f.fake.start().await, bad);
    let (healthy, checks) = run_doctor(&client, &HashMap::new()).await;
    assert!(!healthy);
    assert_eq!(checks.len(), 1);
    let line = checks[0].to_string();
    assert!(
        line.starts_with("FAIL token: Notion rejected the token (401 unauthorized)"),
        "{line}"
    );
    assert!(!line.contains(bad));
}

#[tokio::test]
async fn doctor_reads_a_workspace_made_by_the_original_tool() {
    let f = fixture().await;
    let mut settings = HashMap::new();
    // Every database as the original tool made it: link columns hold text.
    for definition in &DATABASES {
        let mut properties = Map::new();
        for column in definition.columns {
            let config = match column.kind {
                hsn::domain::schema::ColumnKind::Relation { .. } => json!({"rich_text": {}}),
                _ => column.notion_config(|_| None).unwrap(),
            };
            if !hsn::workspace::compare::is_synced_side(column.kind) {
                properties.insert(column.name.to_string(), config);
            }
        }
        let (db, ds) = f
            .fake
            .create_data_source(definition.title, Value::Object(properties));
        settings.insert(definition.env_database_key(), db);
        settings.insert(definition.env_data_source_key(), ds);
    }
    let (healthy, checks) = run_doctor(&f.client, &settings).await;
    assert!(healthy, "{:#?}", lines(&checks, Verdict::Failure));
    let warnings = lines(&checks, Verdict::Warning);
    assert!(warnings.iter().any(|w| w.starts_with(
        "warn Active Workflow Instances schema: property \"Workflow\" links to Workflows Library as text, not as a relation"
    )), "{warnings:#?}");
    assert!(warnings.iter().any(|w| w.starts_with(
        "warn Active Workflow Instances schema: property \"Related Tasks\" (the other side of \"Related Workflow Instance\" in Master Tasks Database) is missing"
    )), "{warnings:#?}");
    assert!(checks.iter().any(|c| c.to_string()
        == "ok   Master Tasks Database schema: matches the definition; links are text (made by the original tool)"));
}
