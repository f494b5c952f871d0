//! The demo workspace: every page is a real Notion page of its schema, every workflow
//! runs, every history is a legal path, and there is enough of everything for every view.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use hsn::domain::demo::{demo_data_source_id, demo_database_id, demo_pages};
use hsn::domain::history::{HistoryLog, LogEntry, parse_timestamp};
use hsn::domain::models::{Agent, BusinessEntity, Task, Workflow, WorkflowInstance};
use hsn::domain::record::{Link, Record};
use hsn::domain::schema::{
    ColumnKind, DATABASES, DatabaseKey, INSTANCE_TASKS_COLUMN, TASK_INSTANCE_COLUMN, TASK_STATUSES,
    database,
};
use hsn::domain::workflow::StateMachine;
use hsn::notion::{NotionId, Page, TEXT_OBJECT_MAX};
use serde_json::Value;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 14, 9, 30, 27).unwrap()
}

/// The demo, read back as Notion pages and records.
struct Demo {
    pages: HashMap<DatabaseKey, Vec<Page>>,
}

impl Demo {
    fn load() -> Demo {
        let pages = demo_pages(now())
            .expect("the seed is valid")
            .into_iter()
            .map(|(key, pages)| {
                let pages = pages
                    .into_iter()
                    .map(|raw| Page::from_json(raw).expect("a Notion page"))
                    .collect();
                (key, pages)
            })
            .collect();
        Demo { pages }
    }

    fn pages(&self, key: DatabaseKey) -> &[Page] {
        &self.pages[&key]
    }

    fn records(&self, key: DatabaseKey) -> Vec<Record> {
        self.pages(key)
            .iter()
            .map(|p| Record::from_page(key, p))
            .collect()
    }

    fn instances(&self) -> Vec<WorkflowInstance> {
        let pages = self.pages(DatabaseKey::ActiveWorkflowInstances);
        pages.iter().map(WorkflowInstance::from_page).collect()
    }

    fn tasks(&self) -> Vec<Task> {
        self.pages(DatabaseKey::Tasks)
            .iter()
            .map(Task::from_page)
            .collect()
    }

    /// Each workflow's machine, by its page id.
    fn machines(&self) -> HashMap<String, StateMachine> {
        self.pages(DatabaseKey::WorkflowsLibrary)
            .iter()
            .map(|page| {
                let workflow = Workflow::from_page(page);
                let machine = StateMachine::from_workflow(&workflow)
                    .unwrap_or_else(|e| panic!("{}: {e}", workflow.workflow_id));
                (page.id.clone(), machine)
            })
            .collect()
    }
}

fn last_transition(instance: &WorkflowInstance) -> DateTime<Utc> {
    let date = instance.last_transition_date.as_ref().expect("a date");
    parse_timestamp(&date.start).expect("a readable date")
}

#[test]
fn every_database_has_its_records_as_notion_pages_without_drift() {
    let raw = demo_pages(now()).unwrap();
    let keys: Vec<DatabaseKey> = raw.iter().map(|(k, _)| *k).collect();
    let schema_keys: Vec<DatabaseKey> = DATABASES.iter().map(|d| d.key).collect();
    assert_eq!(keys, schema_keys, "all 16, in schema order");

    let mut ids = BTreeSet::new();
    for (key, pages) in &raw {
        let schema = database(*key);
        assert!(
            pages.len() >= 3,
            "{} has {} records",
            schema.alias,
            pages.len()
        );
        for raw in pages {
            assert_eq!(raw["object"], "page");
            assert_eq!(raw["in_trash"], false);
            assert_eq!(raw["parent"]["type"], "data_source_id");
            assert_eq!(raw["parent"]["data_source_id"], demo_data_source_id(*key));
            assert_eq!(raw["parent"]["database_id"], demo_database_id(*key));
            for stamp in ["created_time", "last_edited_time"] {
                let text = raw[stamp].as_str().unwrap();
                assert!(
                    text.ends_with(":00.000Z"),
                    "{stamp} {text} is minute-rounded"
                );
            }
            let page = Page::from_json(raw.clone()).unwrap();
            assert!(page.created_time <= page.last_edited_time);
            assert!(page.last_edited_time <= now(), "{}", page.title());
            assert_eq!(NotionId::parse(&page.id).unwrap().as_str(), page.id);
            assert!(ids.insert(page.id.clone()), "page id {} twice", page.id);

            let record = Record::from_page(*key, &page);
            assert!(
                record.drift.is_empty(),
                "{}: {:?}",
                page.title(),
                record.drift
            );
            assert_eq!(record.values.len(), schema.columns.len());
            assert!(!record.title().is_empty());
            for (name, property) in raw["properties"].as_object().unwrap() {
                assert!(property["id"].is_string(), "{name} has a property id");
                if let Some(chunks) = property["rich_text"].as_array() {
                    for chunk in chunks {
                        let text = chunk["plain_text"].as_str().unwrap();
                        assert!(text.encode_utf16().count() <= TEXT_OBJECT_MAX);
                        assert_eq!(chunk["text"]["content"], chunk["plain_text"]);
                    }
                }
            }
        }
    }
}

#[test]
fn every_typed_model_parses_and_every_workflow_runs() {
    let demo = Demo::load();
    let entities: Vec<BusinessEntity> = demo
        .pages(DatabaseKey::BusinessEntities)
        .iter()
        .map(BusinessEntity::from_page)
        .collect();
    let names: Vec<&str> = entities.iter().map(|e| e.name.as_str()).collect();
    for name in ["The Connection Practice", "The 7 Space", "Art Gallery"] {
        assert!(names.contains(&name), "{name}");
    }

    let agents: Vec<Agent> = demo
        .pages(DatabaseKey::AgentRegistry)
        .iter()
        .map(Agent::from_page)
        .collect();
    let mut agent_names: Vec<&str> = agents.iter().map(|a| a.name.as_str()).collect();
    agent_names.sort();
    assert_eq!(
        agent_names,
        [
            "Atlas",
            "Elan",
            "Grace Fields",
            "Liora",
            "Nyra",
            "Ruvo",
            "Sage",
            "Solari",
            "Zevi"
        ]
    );
    for agent in &agents {
        assert!(agent.agent_id.ends_with("_agent") || agent.agent_id.contains("grace"));
        assert!(agent.status.is_some() && !agent.version.is_empty());
        assert!(!agent.capabilities.is_empty());
    }

    let machines = demo.machines();
    assert!(machines.len() >= 8);
    let workflows: Vec<Workflow> = demo
        .pages(DatabaseKey::WorkflowsLibrary)
        .iter()
        .map(Workflow::from_page)
        .collect();
    for id in [
        "WF-WELL-BOOK",
        "WF-CONSULT",
        "WF-GALLERY-EXH",
        "WF-MKTG-CAMP",
        "WF-CLIENT-RET",
        "WF-CONT-CYCLE",
        "WF-INV-MGT",
        "WF-SFTR-PUB",
    ] {
        assert!(workflows.iter().any(|w| w.workflow_id == id), "{id}");
    }
    // Every form the original server wrote: States as a list and as an object, with and
    // without a transition table.
    let forms: BTreeSet<(bool, bool)> = workflows
        .iter()
        .map(|w| {
            let object_states = w.states.trim_start().starts_with('{');
            let machine = StateMachine::from_workflow(w).unwrap();
            (object_states, machine.transitions().is_some())
        })
        .collect();
    assert_eq!(forms.len(), 4, "{forms:?}");

    assert!(demo.instances().len() >= 40);
    assert!(demo.tasks().len() >= 60);
}

#[test]
fn every_instance_history_is_a_legal_path_to_its_current_state() {
    let demo = Demo::load();
    let machines = demo.machines();
    let mut original = 0;
    for instance in demo.instances() {
        let id = &instance.instance_id;
        assert!(id.starts_with("INST-") && id.len() == 13, "{id}");
        let Link::Pages(workflow) = &instance.workflow else {
            panic!("{id}: the workflow is a relation");
        };
        assert_eq!(workflow.len(), 1, "{id}");
        let machine = &machines[&workflow[0]];
        assert!(
            machine.states().contains(&instance.current_state.as_str()),
            "{id}: {} is not a state of {}",
            instance.current_state,
            machine.workflow_id()
        );
        let status = instance.status.as_deref().unwrap();
        assert_eq!(
            status == "Completed",
            machine.is_terminal(&instance.current_state),
            "{id}: {status} at {}",
            instance.current_state
        );

        let log = HistoryLog::decode(&instance.history_log);
        assert!(!log.is_empty(), "{id} has a history");
        let mut state = machine.initial_state().to_string();
        let mut last_time = None;
        let mut last_move = None;
        for item in log.entries() {
            let LogEntry::Entry(entry) = item else {
                panic!("{id}: a raw history item: {item:?}");
            };
            assert!(entry.actor().is_some(), "{id}: {}", entry.action());
            assert!(
                last_time.is_none_or(|t| t < entry.timestamp()),
                "{id}: in order"
            );
            assert!(entry.timestamp() <= now());
            last_time = Some(entry.timestamp());
            if !entry.details().contains_key("actor") {
                original += 1;
                let raw = &entry.to_json()["timestamp"];
                let text = raw.as_str().unwrap();
                assert!(!text.ends_with('Z') && !text.contains('+'), "naive: {text}");
                assert!(
                    entry
                        .action()
                        .starts_with(&format!("[{}] ", entry.actor().unwrap()))
                );
            }
            if let Some((from, to)) = entry.transition_states() {
                assert_eq!(from, state, "{id}: a move from where the instance was");
                machine
                    .check_move(from, to)
                    .unwrap_or_else(|e| panic!("{id}: {e}"));
                state = to.to_string();
                last_move = Some(entry.timestamp());
            }
        }
        assert_eq!(state, instance.current_state, "{id}: the moves end at it");
        let start = parse_timestamp(&instance.start_date.as_ref().unwrap().start).unwrap();
        // The date is minute-rounded; original entries carry seconds.
        let expected_last = last_move.unwrap_or(start);
        let gap = expected_last - last_transition(&instance);
        assert!(
            gap >= Duration::zero() && gap < Duration::minutes(1),
            "{id}"
        );
    }
    assert!(original >= 20, "{original} entries in the original format");
}

#[test]
fn there_is_enough_of_everything_for_every_view() {
    let demo = Demo::load();
    assert!(demo.pages(DatabaseKey::BusinessEntities).len() >= 3);
    assert_eq!(demo.pages(DatabaseKey::AgentRegistry).len(), 9);
    assert!(demo.pages(DatabaseKey::WorkflowsLibrary).len() >= 8);

    let instances = demo.instances();
    assert!(instances.len() >= 40);
    let with_status = |s: &str| {
        instances
            .iter()
            .filter(|i| i.status.as_deref() == Some(s))
            .count()
    };
    let errors: Vec<&WorkflowInstance> = instances
        .iter()
        .filter(|i| i.status.as_deref() == Some("Error"))
        .collect();
    assert!(errors.len() >= 3);
    assert!(errors.iter().all(|i| !i.error_message.is_empty()));
    assert!(with_status("On Hold") >= 2);
    assert!(with_status("Completed") >= 3);
    assert!(with_status("Active") >= 20);
    let stuck = instances
        .iter()
        .filter(|i| i.status.as_deref() != Some("Completed"))
        .filter(|i| now() - last_transition(i) >= Duration::days(10))
        .count();
    assert!(stuck >= 5, "{stuck} instances stuck 10 days or more");
    let per_workflow: BTreeSet<Vec<String>> = instances.iter().map(|i| i.workflow.ids()).collect();
    assert!(per_workflow.len() >= 8, "instances in most workflows");
    for instance in &instances {
        assert!(
            !instance.business_entity.is_empty(),
            "{}",
            instance.instance_id
        );
        assert!(!instance.source_system.is_empty());
    }
    let with_client = instances.iter().filter(|i| {
        i.client_email
            .as_deref()
            .is_some_and(|e| e.ends_with("@example.com"))
            && i.client_phone.is_some()
            && !i.client_name.is_empty()
    });
    assert!(with_client.count() >= 25);

    let tasks = demo.tasks();
    assert!(tasks.len() >= 60);
    for status in TASK_STATUSES {
        assert!(
            tasks
                .iter()
                .any(|t| t.status.as_deref() == Some(status.name)),
            "a task {}",
            status.name
        );
    }
    for priority in ["High", "Medium", "Low"] {
        assert!(
            tasks
                .iter()
                .any(|t| t.priority.as_deref() == Some(priority))
        );
    }
    let today = now().date_naive();
    let due = |t: &Task| {
        let start = &t.due_date.as_ref()?.start;
        NaiveDate::parse_from_str(start, "%Y-%m-%d").ok()
    };
    let open = |t: &&Task| matches!(t.status.as_deref(), Some("To Do" | "In Progress"));
    let overdue = tasks
        .iter()
        .filter(open)
        .filter(|t| due(t).is_some_and(|d| d < today));
    assert!(overdue.count() >= 5);
    let due_today = tasks.iter().filter(open).filter(|t| due(t) == Some(today));
    assert!(due_today.count() >= 3);
    let this_week = tasks
        .iter()
        .filter(|t| due(t).is_some_and(|d| d > today && d <= today + Duration::days(7)));
    assert!(this_week.count() >= 10);
    let unassigned_high = tasks
        .iter()
        .filter(open)
        .filter(|t| t.assigned_to.is_empty() && t.priority.as_deref() == Some("High"));
    assert!(unassigned_high.count() >= 3);
    let linked = tasks
        .iter()
        .filter(|t| !t.related_workflow_instance.is_empty());
    assert!(linked.count() >= 40);
    for task in &tasks {
        assert!(task.task_id.starts_with("TASK-") && task.task_id.len() == 13);
        assert!(!task.task_name.is_empty() && !task.created_by.is_empty());
        assert!(task.created_date.is_some() && task.last_edited_date.is_some());
    }
}

#[test]
fn relations_point_at_existing_pages_and_the_two_way_relation_agrees() {
    let demo = Demo::load();
    let ids: HashMap<DatabaseKey, BTreeSet<String>> = demo
        .pages
        .iter()
        .map(|(key, pages)| (*key, pages.iter().map(|p| p.id.clone()).collect()))
        .collect();
    for schema in &DATABASES {
        for record in demo.records(schema.key) {
            for column in schema.columns {
                let ColumnKind::Relation { target, .. } = column.kind else {
                    continue;
                };
                let link: Link = record.get(column.name);
                let Link::Pages(linked) = link else {
                    panic!("{}: {} is a relation", record.title(), column.name);
                };
                for id in linked {
                    assert!(
                        ids[&target].contains(&id),
                        "{} \"{}\": {} points at {id}, not a {} page",
                        schema.alias,
                        record.title(),
                        column.name,
                        database(target).alias
                    );
                }
            }
        }
    }

    let from_tasks: BTreeSet<(String, String)> = demo
        .records(DatabaseKey::Tasks)
        .iter()
        .flat_map(|task| {
            let link: Link = task.get(TASK_INSTANCE_COLUMN);
            let task_id = task.page_id.clone().unwrap();
            link.ids().into_iter().map(move |i| (task_id.clone(), i))
        })
        .collect();
    let from_instances: BTreeSet<(String, String)> = demo
        .records(DatabaseKey::ActiveWorkflowInstances)
        .iter()
        .flat_map(|instance| {
            let link: Link = instance.get(INSTANCE_TASKS_COLUMN);
            let instance_id = instance.page_id.clone().unwrap();
            link.ids()
                .into_iter()
                .map(move |t| (t, instance_id.clone()))
        })
        .collect();
    assert!(from_tasks.len() >= 40);
    assert_eq!(from_tasks, from_instances);

    // A task linked to an instance belongs to the instance's business entity.
    let instances: HashMap<String, WorkflowInstance> = demo
        .instances()
        .into_iter()
        .map(|i| (i.page_id.clone().unwrap(), i))
        .collect();
    for task in demo.tasks() {
        for instance in task.related_workflow_instance.ids() {
            assert_eq!(
                task.related_business_entity.ids(),
                instances[&instance].business_entity.ids(),
                "{}",
                task.task_id
            );
        }
    }
}

#[test]
fn reloading_gives_the_same_pages_at_a_later_time() {
    let first = demo_pages(now()).unwrap();
    let later = demo_pages(now() + Duration::days(30)).unwrap();
    let ids = |pages: &[(DatabaseKey, Vec<Value>)]| -> Vec<String> {
        pages
            .iter()
            .flat_map(|(_, p)| p.iter().map(|p| p["id"].as_str().unwrap().to_string()))
            .collect()
    };
    assert_eq!(ids(&first), ids(&later));
    let created = |pages: &[(DatabaseKey, Vec<Value>)]| {
        let raw = &pages[0].1[0]["created_time"];
        DateTime::parse_from_rfc3339(raw.as_str().unwrap()).unwrap()
    };
    assert_eq!(created(&later) - created(&first), Duration::days(30));

    // Nothing in the seed depends on the time of day it is loaded at.
    let midnight = Utc.with_ymd_and_hms(2026, 12, 31, 0, 0, 0).unwrap();
    for at in [midnight, midnight - Duration::seconds(1), Utc::now()] {
        let pages = demo_pages(at).unwrap_or_else(|e| panic!("at {at}: {e}"));
        assert_eq!(ids(&pages), ids(&first));
    }
}
