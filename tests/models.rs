//! Typed models and generic records against the fake Notion server, over real HTTP: each
//! writes its properties, reads its page back, and must come back equal.

use std::collections::HashMap;
use std::time::Duration;

use fake_notion::FakeNotion;
use hsn::domain::models::{Agent, BusinessEntity, Task, Workflow, WorkflowInstance};
use hsn::domain::record::{Drift, Link, Record, RecordError};
use hsn::domain::schema::{Backlink, ColumnKind, DATABASES, DatabaseKey, database};
use hsn::notion::{ClientConfig, DateValue, NotionClient, PageParent, RateLimit};
use secrecy::SecretString;
use serde_json::{Value, json};

const TOKEN: &str = "ntn_test_token_for_the_fake_server_0123456789";

fn client_for(base: &str) -> NotionClient {
    let mut config = ClientConfig::new(SecretString::from(TOKEN));
    config.base_url = base.to_string();
    config.rate = RateLimit::unlimited();
    config.timeout = Some(Duration::from_secs(20));
    NotionClient::new(config).unwrap()
}

/// A fake workspace laid out as `hsn setup` makes it: the 16 data sources from schema.rs,
/// plain columns first, then real relations (the two-way one included) once all exist.
struct Workspace {
    fake: FakeNotion,
    client: NotionClient,
    sources: HashMap<DatabaseKey, String>,
}

impl Workspace {
    async fn new() -> Workspace {
        let fake = FakeNotion::new(TOKEN);
        let client = client_for(&fake.start().await);
        let mut sources = HashMap::new();
        for db in &DATABASES {
            let plain: serde_json::Map<String, Value> = db
                .plain_columns()
                .map(|c| (c.name.to_string(), c.notion_config(|_| None).unwrap()))
                .collect();
            let (_, ds) = fake.create_data_source(db.title, Value::Object(plain));
            sources.insert(db.key, ds);
        }
        for db in &DATABASES {
            let relations: serde_json::Map<String, Value> = db
                .relation_columns()
                .map(|c| {
                    let config = c.notion_config(|target| sources.get(&target).cloned());
                    (c.name.to_string(), config.unwrap())
                })
                .collect();
            if !relations.is_empty() {
                client
                    .update_data_source(&sources[&db.key], json!({"properties": relations}))
                    .await
                    .unwrap();
            }
        }
        Workspace {
            fake,
            client,
            sources,
        }
    }

    fn ds(&self, key: DatabaseKey) -> String {
        self.sources[&key].clone()
    }

    /// A page holding only its title, for links to point at.
    fn target(&self, key: DatabaseKey, title: &str) -> String {
        let column = database(key).title_column().name;
        self.fake.insert_page(
            &self.sources[&key],
            json!({column: {"title": [{"text": {"content": title}}]}}),
        )
    }

    /// Creates a page from request-shape properties and reads it back by id.
    async fn create_and_read(&self, key: DatabaseKey, properties: Value) -> hsn::notion::Page {
        let created = self
            .client
            .create_page(PageParent::DataSource(self.ds(key)), properties)
            .await
            .unwrap();
        self.client.retrieve_page(&created.id).await.unwrap()
    }

    /// Every related page exists, in the data source the schema's relation targets.
    fn assert_links_resolve(&self, record: &Record) {
        for column in record.schema().columns {
            let ColumnKind::Relation { target, .. } = column.kind else {
                continue;
            };
            let Link::Pages(ids) = record.get::<Link>(column.name) else {
                panic!("{} should be a relation", column.name);
            };
            for id in ids {
                let page = self.fake.page(&id).expect("the related page exists");
                assert_eq!(
                    page["parent"]["data_source_id"].as_str(),
                    Some(self.sources[&target].as_str()),
                    "{} links into {:?}",
                    column.name,
                    target
                );
            }
        }
    }
}

fn date(start: &str) -> Option<DateValue> {
    Some(DateValue {
        start: start.to_string(),
        end: None,
        time_zone: None,
    })
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

const WELL_BOOK_STATES: &str = r#"{"inquiry": {"description": "New inquiry"}, "consultation": {}, "quote_provided": {}, "payment_pending": {}, "payment_confirmed": {}, "booking_confirmed": {}, "preparation": {}, "service_delivery": {}, "follow_up": {}, "feedback_collection": {}, "completed": {"is_terminal": true}, "canceled": {"is_terminal": true}}"#;
const WELL_BOOK_TRANSITIONS: &str = r#"[{"from": "inquiry", "to": "consultation", "name": "schedule_consultation"}, {"from": "consultation", "to": "quote_provided"}, {"from": "inquiry", "to": "canceled"}]"#;

#[tokio::test]
async fn every_typed_model_round_trips_through_notion() {
    let ws = Workspace::new().await;
    let seven_space = ws.target(DatabaseKey::BusinessEntities, "The 7 Space");
    let well_book = ws.target(DatabaseKey::WorkflowsLibrary, "WF-WELL-BOOK");
    let nyra = ws.target(DatabaseKey::AgentRegistry, "nyra_lead_capture_agent");
    let solari = ws.target(DatabaseKey::AgentRegistry, "solari_booking_agent");
    let instance = ws.target(DatabaseKey::ActiveWorkflowInstances, "INST-0c9d8e7f");
    let earlier_task = ws.target(DatabaseKey::Tasks, "TASK-9f8e7d6c");

    let entity = BusinessEntity {
        page_id: None,
        name: "The 7 Space".into(),
        entity_type: Some("WELLNESS_CENTER".into()),
        api_keys_reference: "vault://kv/7-space/api-keys".into(),
        primary_workflows: Link::Pages(vec![well_book.clone()]),
        active_agents: Link::Pages(vec![nyra.clone(), solari.clone()]),
        integration_status: Some("Active".into()),
    };
    let agent = Agent {
        page_id: None,
        agent_id: "nyra_lead_capture_agent".into(),
        name: "Nyra".into(),
        description: "Lead Capture Specialist: intuitive & responsive".into(),
        version: "1.2.0".into(),
        status: Some("Deployed".into()),
        business_entity_association: Link::Pages(vec![seven_space.clone()]),
        capabilities: strings(&["Lead Processing", "CRM Sync", "Client Communication"]),
        primary_apis_utilized: strings(&["TYPEFORM_API", "HUBSPOT_API", "NOTION_API"]),
        supported_workflows: Link::Pages(vec![well_book.clone()]),
        primary_data_sources: strings(&["Typeform", "Website"]),
        primary_data_sinks: strings(&["HubSpot", "Notion"]),
        runtime_environment: Some("Docker (HigherSelf Network Server)".into()),
        source_code_location: Some(
            "https://github.com/Utak-West/The-HigherSelf-Network-Server/blob/main/agents/lead_capture_agent.py".into(),
        ),
    };
    let workflow = Workflow {
        page_id: None,
        workflow_id: "WF-WELL-BOOK".into(),
        name: "Wellness Service Booking".into(),
        description: "From first inquiry to feedback after a retreat or session".into(),
        version: "1.0".into(),
        business_entity: Link::Pages(vec![seven_space.clone()]),
        initial_state: "inquiry".into(),
        states: WELL_BOOK_STATES.into(),
        transitions: WELL_BOOK_TRANSITIONS.into(),
        required_agents: Link::Pages(vec![nyra.clone(), solari.clone()]),
        visualization_url: Some("https://www.notion.so/higherself/wf-well-book".into()),
        status: Some("Active".into()),
    };
    let run = WorkflowInstance {
        page_id: None,
        instance_id: "INST-3f9a1c2e".into(),
        workflow: Link::Pages(vec![well_book.clone()]),
        business_entity: Link::Pages(vec![seven_space.clone()]),
        current_state: "consultation".into(),
        client_email: Some("jane.smith@example.com".into()),
        client_name: "Jane Smith".into(),
        client_phone: Some("+1 555 0142".into()),
        start_date: date("2026-03-02T15:04:00.000+00:00"),
        last_transition_date: date("2026-03-05T09:30:00.000+00:00"),
        status: Some("Active".into()),
        error_message: String::new(),
        assigned_to: "Solari".into(),
        priority: Some("High".into()),
        tags: strings(&["retreat", "wellness"]),
        source_system: "Amelia".into(),
        source_record_id: "amelia-88412".into(),
        hubspot_contact_id: "51234987".into(),
        airtable_record_id: "recA1b2C3d4E5f6G7".into(),
        key_data_payload: r#"{"service": "Spring Renewal Retreat", "guests": 2}"#.into(),
        history_log: r#"[{"timestamp": "2026-03-02T15:04:00", "action": "[LeadCaptureAgent] Lead captured from typeform", "details": {"email": "jane.smith@example.com"}}]"#.into(),
        related_tasks: Link::Pages(vec![earlier_task]),
    };
    let task = Task {
        page_id: None,
        task_id: "TASK-1a2b3c4d".into(),
        task_name: "Follow up with Jane Smith about retreat booking".into(),
        description: "Confirm dates and dietary needs for the Spring Renewal Retreat".into(),
        assigned_to: "Grace Fields".into(),
        created_by: "ruvo_task_agent".into(),
        status: Some("To Do".into()),
        priority: Some("Medium".into()),
        due_date: date("2026-03-20"),
        created_date: date("2026-03-05"),
        last_edited_date: date("2026-03-05T10:00:00.000+00:00"),
        related_workflow_instance: Link::Pages(vec![instance]),
        related_business_entity: Link::Pages(vec![seven_space]),
        tags: strings(&["retreat"]),
    };

    macro_rules! round_trip {
        ($model:ident, $value:expr) => {{
            let mut expected = $value;
            let page = ws
                .create_and_read($model::DATABASE, expected.to_properties().unwrap())
                .await;
            expected.page_id = Some(page.id.clone());
            let record = Record::from_page($model::DATABASE, &page);
            assert_eq!(record.drift, Vec::<Drift>::new(), stringify!($model));
            ws.assert_links_resolve(&record);
            assert_eq!($model::from_page(&page), expected);
        }};
    }
    round_trip!(BusinessEntity, entity);
    round_trip!(Agent, agent);
    round_trip!(Workflow, workflow);
    round_trip!(WorkflowInstance, run);
    round_trip!(Task, task);
}

/// The layout of the original setup tool: link columns are rich_text, and the synced side
/// of the task relation ("Related Tasks") does not exist.
fn original_schema(key: DatabaseKey) -> Value {
    let mut properties = serde_json::Map::new();
    for column in database(key).columns {
        let config = match column.kind {
            ColumnKind::Relation {
                backlink: Backlink::SyncedFrom(_),
                ..
            } => continue,
            ColumnKind::Relation { .. } => json!({"rich_text": {}}),
            _ => column.notion_config(|_| None).unwrap(),
        };
        properties.insert(column.name.to_string(), config);
    }
    Value::Object(properties)
}

fn text(kind: &str, content: &str) -> Value {
    json!({kind: [{"text": {"content": content}}]})
}

#[tokio::test]
async fn a_database_made_by_the_original_tool_reads_its_links_as_text() {
    let fake = FakeNotion::new(TOKEN);
    let client = client_for(&fake.start().await);
    let key = DatabaseKey::ActiveWorkflowInstances;
    let (_, ds) = fake.create_data_source(database(key).title, original_schema(key));
    let id = fake.insert_page(
        &ds,
        json!({
            "Instance ID": text("title", "INST-7d1e2f3a"),
            "Workflow": text("rich_text", "WF-WELL-BOOK"),
            "Business Entity": text("rich_text", "The 7 Space, The Connection Practice"),
            "Current State": text("rich_text", "inquiry"),
            "Status": {"status": {"name": "Active"}},
        }),
    );
    let page = client.retrieve_page(&id).await.unwrap();
    let instance = WorkflowInstance::from_page(&page);
    assert_eq!(instance.workflow, Link::Text("WF-WELL-BOOK".into()));
    assert_eq!(instance.workflow.ids(), ["WF-WELL-BOOK"]);
    assert_eq!(
        instance.business_entity.ids(),
        ["The 7 Space", "The Connection Practice"]
    );
    assert_eq!(instance.current_state, "inquiry");

    // Text links are no drift; only the column the original tool never made is.
    let record = Record::from_page(key, &page);
    let drifted: Vec<String> = record.drift.iter().map(Drift::to_string).collect();
    assert_eq!(
        drifted,
        ["\"Related Tasks\" is missing (expected relation)"]
    );

    // Written back as read: the link stays text, and the missing column is not sent.
    let mut record = record;
    record.set("Current State", "consultation".to_string());
    record.set("Workflow", Link::Text("WF-WELL-BOOK, WF-CONSULT".into()));
    let updated = client
        .update_page(&id, record.to_properties().unwrap())
        .await
        .unwrap();
    let again = WorkflowInstance::from_page(&updated);
    assert_eq!(again.current_state, "consultation");
    assert_eq!(again.workflow.ids(), ["WF-WELL-BOOK", "WF-CONSULT"]);
}

#[tokio::test]
async fn columns_that_drifted_are_named_and_the_rest_still_reads() {
    let fake = FakeNotion::new(TOKEN);
    let client = client_for(&fake.start().await);
    let key = DatabaseKey::Tasks;
    let mut schema = original_schema(key);
    schema["Priority"] = json!({"rich_text": {}});
    schema.as_object_mut().unwrap().remove("Due Date");
    let (_, ds) = fake.create_data_source("Master Tasks Database", schema);
    let id = fake.insert_page(
        &ds,
        json!({
            "Task ID": text("title", "TASK-1a2b3c4d"),
            "Task Name": text("rich_text", "Follow up with Jane Smith about retreat booking"),
            "Priority": text("rich_text", "High"),
            "Status": {"select": {"name": "In Progress"}},
            "Related Workflow Instance": text("rich_text", "INST-3f9a1c2e"),
        }),
    );
    let page = client.retrieve_page(&id).await.unwrap();
    let record = Record::from_page(key, &page);
    let drifted: Vec<(&str, Option<&str>)> = record
        .drift
        .iter()
        .map(|d| (d.column, d.found.as_deref()))
        .collect();
    assert_eq!(
        drifted,
        [("Priority", Some("rich_text")), ("Due Date", None)]
    );
    assert!(record.value("Priority").is_none() && record.value("Due Date").is_none());

    let task = Task::from_page(&page);
    assert_eq!(task.task_id, "TASK-1a2b3c4d");
    assert_eq!(
        task.task_name,
        "Follow up with Jane Smith about retreat booking"
    );
    assert_eq!(task.status.as_deref(), Some("In Progress"));
    assert_eq!(task.related_workflow_instance.ids(), ["INST-3f9a1c2e"]);
    assert_eq!((task.priority, task.due_date), (None, None));

    // Writing the record back leaves the drifted columns alone rather than failing.
    client
        .update_page(&id, record.to_properties().unwrap())
        .await
        .unwrap();
}

#[tokio::test]
async fn a_generic_record_round_trips_for_contacts_and_profiles() {
    let ws = Workspace::new().await;
    let key = DatabaseKey::ContactsProfiles;
    let mut record = Record::new(key);
    record.set("Name", "Jane Smith".to_string());
    record.set("Email", Some("jane.smith@example.com".to_string()));
    record.set("Phone", Some("+1 555 0142".to_string()));
    record.set("Company", "Smith Wellness Collective".to_string());
    record.set("Role", "Founder".to_string());
    record.set("Source", "Typeform".to_string());
    record.set(
        "Notes",
        "Asked about the Spring Renewal Retreat for two.".to_string(),
    );
    record.set("Status", Some("Lead".to_string()));
    record.set("Tags", strings(&["retreat", "The 7 Space"]));
    record.set("Created Date", date("2026-03-02"));
    record.set("Last Contact", date("2026-03-05T09:30:00.000+00:00"));
    assert_eq!(record.values.len(), database(key).columns.len());

    let page = ws
        .create_and_read(key, record.to_properties().unwrap())
        .await;
    record.page_id = Some(page.id.clone());
    assert_eq!(Record::from_page(key, &page), record);
    assert_eq!(record.title(), "Jane Smith");
}

/// A plausible value for any column; relations point at a fresh page of their target.
fn sample(ws: &Workspace, kind: ColumnKind, name: &str) -> hsn::domain::record::FieldValue {
    use hsn::domain::record::FieldValue as F;
    match kind {
        ColumnKind::Title | ColumnKind::Text => F::Text(format!("{name} of a sample")),
        ColumnKind::Select(choices) | ColumnKind::Status(choices) => {
            F::OptText(Some(choices[choices.len() - 1].name.to_string()))
        }
        ColumnKind::MultiSelect => F::Names(strings(&["first", "second"])),
        ColumnKind::Number => F::Number(Some(42.5)),
        ColumnKind::Date => F::Date(date("2026-04-01")),
        ColumnKind::Email => F::OptText(Some("sage@higherself.network".into())),
        ColumnKind::Phone => F::OptText(Some("+1 555 0100".into())),
        ColumnKind::Url => F::OptText(Some("https://higherself.network/".into())),
        ColumnKind::Relation { target, .. } => {
            F::Link(Link::Pages(vec![ws.target(target, "linked")]))
        }
    }
}

#[tokio::test]
async fn a_record_of_every_database_round_trips_with_every_column_set() {
    let ws = Workspace::new().await;
    for db in &DATABASES {
        let mut record = Record::new(db.key);
        for column in db.columns {
            record
                .values
                .insert(column.name, sample(&ws, column.kind, column.name));
        }
        let page = ws
            .create_and_read(db.key, record.to_properties().unwrap())
            .await;
        record.page_id = Some(page.id.clone());
        let read = Record::from_page(db.key, &page);
        assert_eq!(read, record, "{}", db.title);
        ws.assert_links_resolve(&read);
    }
}

#[tokio::test]
async fn long_text_is_split_and_reads_back_whole_and_too_long_is_refused() {
    let ws = Workspace::new().await;
    let entry = r#"{"timestamp": "2026-03-05T09:30:00+00:00", "action": "[Solari] Transitioned from inquiry to consultation 🌿", "details": {"actor": "Solari"}}"#;
    let log = format!("[{}]", vec![entry; 40].join(", "));
    assert!(log.encode_utf16().count() > 4_000);
    let instance = WorkflowInstance {
        instance_id: "INST-3f9a1c2e".into(),
        history_log: log.clone(),
        ..WorkflowInstance::default()
    };
    let page = ws
        .create_and_read(
            WorkflowInstance::DATABASE,
            instance.to_properties().unwrap(),
        )
        .await;
    let raw = page.raw_value();
    let objects = raw["properties"]["History Log"]["rich_text"]
        .as_array()
        .unwrap();
    assert!(objects.len() >= 3, "split into {} objects", objects.len());
    assert_eq!(WorkflowInstance::from_page(&page).history_log, log);

    let huge = WorkflowInstance {
        history_log: "x".repeat(200_001),
        ..instance
    };
    let err = huge.to_properties().unwrap_err();
    assert!(matches!(
        err,
        RecordError::TextTooLong {
            column: "History Log",
            ..
        }
    ));
    let message = err.to_string();
    assert!(
        message.contains("Active Workflow Instances")
            && message.contains("History Log")
            && message.contains("200001"),
        "{message}"
    );
}
