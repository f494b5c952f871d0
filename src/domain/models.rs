//! Typed models of the five databases the console works with most: business entities,
//! agents, workflows, workflow instances and tasks.
//!
//! Each model is a typed view over a [`Record`]: reading and writing go through the schema,
//! so a model can only name columns `schema.rs` defines (the original server wrote its
//! snake_case field names as column names, which matched no column). A model's
//! `to_properties` writes every column; to change a few, set them on a `Record` instead.

use serde_json::Value;

use super::record::{Link, Record, RecordError};
use super::schema::DatabaseKey;
use crate::notion::{DateValue, Page};

/// Declares a model once, field by field with the exact column each maps to:
///
/// ```text
/// model! { Name for DatabaseKey::X { field: Type => "Column Name", … } }
/// ```
///
/// It generates the struct (plus `page_id`), `DATABASE`, `COLUMNS` and the conversions.
/// Each `Type` must be the [`FieldType`](super::record::FieldType) of its column's kind;
/// `Record::set` panics otherwise, and the tests below build every model.
macro_rules! model {
    (
        $(#[$meta:meta])*
        $name:ident for $database:path {
            $( $(#[$field_meta:meta])* $field:ident : $ty:ty => $column:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Default)]
        pub struct $name {
            /// `None` until the page is created in Notion.
            pub page_id: Option<String>,
            $( $(#[$field_meta])* pub $field: $ty, )+
        }

        impl $name {
            pub const DATABASE: DatabaseKey = $database;
            /// The columns the fields map, in field order.
            pub const COLUMNS: &'static [&'static str] = &[$($column),+];

            /// # Panics
            /// If the record belongs to another database (a programming error).
            pub fn from_record(record: &Record) -> Self {
                assert_eq!(record.database, Self::DATABASE, "a {} from another database", stringify!($name));
                Self {
                    page_id: record.page_id.clone(),
                    $( $field: record.get($column), )+
                }
            }

            pub fn to_record(&self) -> Record {
                let mut record = Record::new(Self::DATABASE);
                record.page_id = self.page_id.clone();
                $( record.set($column, self.$field.clone()); )+
                record
            }

            /// Reads a page leniently; see [`Record::from_page`] for what drifted.
            pub fn from_page(page: &Page) -> Self {
                Self::from_record(&Record::from_page(Self::DATABASE, page))
            }

            /// The request-shape `properties` of every column, for a create or a full update.
            pub fn to_properties(&self) -> Result<Value, RecordError> {
                self.to_record().to_properties()
            }
        }
    };
}

model! {
    /// A business of the network (The Connection Practice, The 7 Space, …).
    BusinessEntity for DatabaseKey::BusinessEntities {
        name: String => "Name",
        entity_type: Option<String> => "Entity Type",
        api_keys_reference: String => "API Keys Reference",
        primary_workflows: Link => "Primary Workflows",
        active_agents: Link => "Active Agents",
        integration_status: Option<String> => "Integration Status",
    }
}

model! {
    /// An agent of the network (Nyra, Solari, …).
    Agent for DatabaseKey::AgentRegistry {
        agent_id: String => "Agent ID",
        name: String => "Name",
        description: String => "Description",
        version: String => "Version",
        status: Option<String> => "Status",
        business_entity_association: Link => "Business Entity Association",
        capabilities: Vec<String> => "Capabilities",
        primary_apis_utilized: Vec<String> => "Primary APIs Utilized",
        supported_workflows: Link => "Supported Workflows",
        primary_data_sources: Vec<String> => "Primary Data Sources",
        primary_data_sinks: Vec<String> => "Primary Data Sinks",
        runtime_environment: Option<String> => "Runtime Environment",
        source_code_location: Option<String> => "Source Code Location",
    }
}

model! {
    /// A workflow definition; `states` and `transitions` hold JSON text.
    Workflow for DatabaseKey::WorkflowsLibrary {
        workflow_id: String => "Workflow ID",
        name: String => "Name",
        description: String => "Description",
        version: String => "Version",
        business_entity: Link => "Business Entity",
        initial_state: String => "Initial State",
        states: String => "States",
        transitions: String => "Transitions",
        required_agents: Link => "Required Agents",
        visualization_url: Option<String> => "Visualization URL",
        status: Option<String> => "Status",
    }
}

model! {
    /// A running instance of a workflow; `history_log` holds the JSON array of entries.
    WorkflowInstance for DatabaseKey::ActiveWorkflowInstances {
        instance_id: String => "Instance ID",
        workflow: Link => "Workflow",
        business_entity: Link => "Business Entity",
        current_state: String => "Current State",
        client_email: Option<String> => "Client/Lead Email",
        client_name: String => "Client/Lead Name",
        client_phone: Option<String> => "Client/Lead Phone",
        start_date: Option<DateValue> => "Start Date",
        last_transition_date: Option<DateValue> => "Last Transition Date",
        status: Option<String> => "Status",
        error_message: String => "Error Message",
        assigned_to: String => "Assigned To",
        priority: Option<String> => "Priority",
        tags: Vec<String> => "Tags",
        source_system: String => "Source System",
        source_record_id: String => "Source Record ID",
        hubspot_contact_id: String => "HubSpot Contact ID",
        airtable_record_id: String => "Airtable Record ID",
        key_data_payload: String => "Key Data Payload",
        history_log: String => "History Log",
        related_tasks: Link => "Related Tasks",
    }
}

model! {
    /// A task of the Master Tasks database.
    Task for DatabaseKey::Tasks {
        task_id: String => "Task ID",
        task_name: String => "Task Name",
        description: String => "Description",
        assigned_to: String => "Assigned To",
        created_by: String => "Created By",
        status: Option<String> => "Status",
        priority: Option<String> => "Priority",
        due_date: Option<DateValue> => "Due Date",
        created_date: Option<DateValue> => "Created Date",
        last_edited_date: Option<DateValue> => "Last Edited Date",
        related_workflow_instance: Link => "Related Workflow Instance",
        related_business_entity: Link => "Related Business Entity",
        tags: Vec<String> => "Tags",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::schema::database;
    use std::collections::BTreeSet;

    /// Every model maps each column of its database exactly once and nothing else, with a
    /// field type that fits the column (`to_record` panics otherwise).
    #[test]
    fn models_map_exactly_the_schema_columns() {
        let models: [(&str, DatabaseKey, &[&str], Record); 5] = [
            (
                "BusinessEntity",
                BusinessEntity::DATABASE,
                BusinessEntity::COLUMNS,
                BusinessEntity::default().to_record(),
            ),
            (
                "Agent",
                Agent::DATABASE,
                Agent::COLUMNS,
                Agent::default().to_record(),
            ),
            (
                "Workflow",
                Workflow::DATABASE,
                Workflow::COLUMNS,
                Workflow::default().to_record(),
            ),
            (
                "WorkflowInstance",
                WorkflowInstance::DATABASE,
                WorkflowInstance::COLUMNS,
                WorkflowInstance::default().to_record(),
            ),
            (
                "Task",
                Task::DATABASE,
                Task::COLUMNS,
                Task::default().to_record(),
            ),
        ];
        for (model, key, columns, record) in models {
            let schema = database(key);
            let mapped: BTreeSet<&str> = columns.iter().copied().collect();
            assert_eq!(mapped.len(), columns.len(), "{model} maps a column twice");
            let defined: BTreeSet<&str> = schema.columns.iter().map(|c| c.name).collect();
            assert_eq!(mapped, defined, "{model} and {} differ", schema.title);
            assert_eq!(record.values.len(), schema.columns.len(), "{model}");
            assert!(record.to_properties().is_ok(), "{model}");
        }
    }

    #[test]
    fn a_model_round_trips_through_its_record() {
        let task = Task {
            page_id: Some("59833787-2cf9-4fdf-8782-e53db20768a5".into()),
            task_id: "TASK-1a2b3c4d".into(),
            task_name: "Follow up with Jane Smith about retreat booking".into(),
            status: Some("To Do".into()),
            related_workflow_instance: Link::Text("INST-0c9d8e7f".into()),
            tags: vec!["retreat".into()],
            ..Task::default()
        };
        assert_eq!(Task::from_record(&task.to_record()), task);
        let properties = task.to_properties().unwrap();
        assert_eq!(
            properties["Task Name"]["rich_text"][0]["text"]["content"],
            task.task_name
        );
        assert!(properties.get("task_name").is_none());
    }
}
