//! The 16 databases of the HigherSelf Network, defined once.
//!
//! Column names and types follow the original setup tool (`higherself-schema.md` §1), with
//! its link columns made real relations to their target's data source. Setup, doctor, the
//! typed models, the demo workspace and the dashboard's columns all read this definition.

use serde_json::{Value, json};

/// Which of the 16 databases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DatabaseKey {
    BusinessEntities,
    AgentRegistry,
    WorkflowsLibrary,
    ActiveWorkflowInstances,
    ApiIntegrations,
    DataTransformations,
    UseCases,
    NotificationsTemplates,
    AgentCommunication,
    Tasks,
    ContactsProfiles,
    CommunityHub,
    ProductsServices,
    MarketingCampaigns,
    FeedbackSurveys,
    RewardsBounties,
}

/// Notion's option colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Color {
    Default,
    Gray,
    Brown,
    Orange,
    Yellow,
    Green,
    Blue,
    Purple,
    Pink,
    Red,
}

impl Color {
    pub fn as_str(self) -> &'static str {
        match self {
            Color::Default => "default",
            Color::Gray => "gray",
            Color::Brown => "brown",
            Color::Orange => "orange",
            Color::Yellow => "yellow",
            Color::Green => "green",
            Color::Blue => "blue",
            Color::Purple => "purple",
            Color::Pink => "pink",
            Color::Red => "red",
        }
    }
}

/// The group a status option belongs in. Notion's API cannot set groups (new options land
/// in To-do), so setup and doctor report an option in another group for the user to move.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusGroup {
    ToDo,
    InProgress,
    Complete,
}

impl StatusGroup {
    pub fn notion_name(self) -> &'static str {
        match self {
            StatusGroup::ToDo => "To-do",
            StatusGroup::InProgress => "In progress",
            StatusGroup::Complete => "Complete",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Choice {
    pub name: &'static str,
    pub color: Color,
    /// For status options only.
    pub group: Option<StatusGroup>,
}

/// How a relation column relates back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backlink {
    /// A one-way relation.
    None,
    /// A two-way relation created from this side; Notion adds the named column on the target.
    Creates(&'static str),
    /// The other side of a two-way relation: made by Notion when the named column is created.
    SyncedFrom(&'static str),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    Title,
    Text,
    Number,
    Select(&'static [Choice]),
    MultiSelect,
    Status(&'static [Choice]),
    Date,
    Email,
    Phone,
    Url,
    /// A link to another database. Databases made by the original tool hold these as text
    /// (the target's ID); hsn reads both.
    Relation {
        target: DatabaseKey,
        backlink: Backlink,
    },
}

impl ColumnKind {
    /// Notion's type name for the column.
    pub fn notion_type(self) -> &'static str {
        match self {
            ColumnKind::Title => "title",
            ColumnKind::Text => "rich_text",
            ColumnKind::Number => "number",
            ColumnKind::Select(_) => "select",
            ColumnKind::MultiSelect => "multi_select",
            ColumnKind::Status(_) => "status",
            ColumnKind::Date => "date",
            ColumnKind::Email => "email",
            ColumnKind::Phone => "phone_number",
            ColumnKind::Url => "url",
            ColumnKind::Relation { .. } => "relation",
        }
    }

    pub fn choices(self) -> &'static [Choice] {
        match self {
            ColumnKind::Select(c) | ColumnKind::Status(c) => c,
            _ => &[],
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub name: &'static str,
    pub kind: ColumnKind,
}

#[derive(Debug)]
pub struct DatabaseSchema {
    pub key: DatabaseKey,
    pub title: &'static str,
    pub description: &'static str,
    /// The stem of its `.env.notion` keys: `NOTION_TASKS` gives `NOTION_TASKS_DB` and
    /// `NOTION_TASKS_DS`.
    pub env_stem: &'static str,
    pub columns: &'static [Column],
}

impl DatabaseSchema {
    pub fn env_database_key(&self) -> String {
        format!("{}_DB", self.env_stem)
    }

    pub fn env_data_source_key(&self) -> String {
        format!("{}_DS", self.env_stem)
    }

    pub fn column(&self, name: &str) -> Option<&'static Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    pub fn title_column(&self) -> &'static Column {
        self.columns
            .iter()
            .find(|c| c.kind == ColumnKind::Title)
            .expect("every database has a title column")
    }

    /// The columns setup creates with the database: everything but relations, which need
    /// every data source to exist first.
    pub fn plain_columns(&self) -> impl Iterator<Item = &'static Column> {
        self.columns
            .iter()
            .filter(|c| !matches!(c.kind, ColumnKind::Relation { .. }))
    }

    /// The relation columns setup creates in its second pass (not the synced sides).
    pub fn relation_columns(&self) -> impl Iterator<Item = &'static Column> {
        self.columns.iter().filter(|c| {
            matches!(
                c.kind,
                ColumnKind::Relation { backlink, .. } if !matches!(backlink, Backlink::SyncedFrom(_))
            )
        })
    }
}

impl Column {
    /// The column's configuration in Notion's request shape, for create or update. A
    /// relation needs its target's data source id, given by `target_data_source`.
    pub fn notion_config(
        &self,
        target_data_source: impl Fn(DatabaseKey) -> Option<String>,
    ) -> Option<Value> {
        let options = |choices: &[Choice]| json!({"options": choices.iter().map(|c| json!({"name": c.name, "color": c.color.as_str()})).collect::<Vec<_>>()});
        let config = match self.kind {
            ColumnKind::Select(choices) => json!({"select": options(choices)}),
            ColumnKind::Status(choices) => json!({"status": options(choices)}),
            ColumnKind::Relation { target, backlink } => {
                let data_source_id = target_data_source(target)?;
                match backlink {
                    Backlink::None | Backlink::SyncedFrom(_) => json!({"relation": {
                        "data_source_id": data_source_id, "type": "single_property", "single_property": {}
                    }}),
                    Backlink::Creates(synced) => json!({"relation": {
                        "data_source_id": data_source_id, "type": "dual_property",
                        "dual_property": {"synced_property_name": synced}
                    }}),
                }
            }
            kind => json!({ kind.notion_type(): {} }),
        };
        Some(config)
    }
}

const fn choice(name: &'static str, color: Color) -> Choice {
    Choice {
        name,
        color,
        group: None,
    }
}

const fn status(name: &'static str, color: Color, group: StatusGroup) -> Choice {
    Choice {
        name,
        color,
        group: Some(group),
    }
}

const fn col(name: &'static str, kind: ColumnKind) -> Column {
    Column { name, kind }
}

const fn link(name: &'static str, target: DatabaseKey) -> Column {
    Column {
        name,
        kind: ColumnKind::Relation {
            target,
            backlink: Backlink::None,
        },
    }
}

use Color::*;
use ColumnKind::*;
use DatabaseKey as K;

const PRIORITY: &[Choice] = &[
    choice("High", Red),
    choice("Medium", Yellow),
    choice("Low", Blue),
];

/// The task statuses (a select in the original schema).
pub const TASK_STATUSES: &[Choice] = &[
    choice("To Do", Gray),
    choice("In Progress", Blue),
    choice("On Hold", Yellow),
    choice("Done", Green),
    choice("Cancelled", Red),
];

/// The statuses of a workflow instance (a Notion `status` column).
pub const INSTANCE_STATUSES: &[Choice] = &[
    status("Active", Green, StatusGroup::InProgress),
    status("Completed", Blue, StatusGroup::Complete),
    status("Error", Red, StatusGroup::InProgress),
    status("On Hold", Yellow, StatusGroup::ToDo),
];

/// The two sides of the one two-way relation: Master Tasks ↔ Active Workflow Instances.
pub const TASK_INSTANCE_COLUMN: &str = "Related Workflow Instance";
pub const INSTANCE_TASKS_COLUMN: &str = "Related Tasks";

pub static DATABASES: [DatabaseSchema; 16] = [
    DatabaseSchema {
        key: K::BusinessEntities,
        title: "Business Entities Registry",
        description: "Track all business entities utilizing the agent network",
        env_stem: "NOTION_BUSINESS_ENTITIES",
        columns: &[
            col("Name", Title),
            col(
                "Entity Type",
                Select(&[
                    choice("CONSULTING_FIRM", Blue),
                    choice("ART_GALLERY", Green),
                    choice("WELLNESS_CENTER", Orange),
                ]),
            ),
            col("API Keys Reference", Text),
            link("Primary Workflows", K::WorkflowsLibrary),
            link("Active Agents", K::AgentRegistry),
            col(
                "Integration Status",
                Select(&[
                    choice("Active", Green),
                    choice("Pending", Yellow),
                    choice("Maintenance", Red),
                ]),
            ),
        ],
    },
    DatabaseSchema {
        key: K::AgentRegistry,
        title: "Agent Registry",
        description: "Every agent of the network: what it does, where it runs, which workflows it serves",
        env_stem: "NOTION_AGENT_REGISTRY",
        columns: &[
            col("Agent ID", Title),
            col("Name", Text),
            col("Description", Text),
            col("Version", Text),
            col(
                "Status",
                Select(&[
                    choice("Deployed", Green),
                    choice("Development", Yellow),
                    choice("Inactive", Gray),
                    choice("Deprecated", Red),
                ]),
            ),
            link("Business Entity Association", K::BusinessEntities),
            col("Capabilities", MultiSelect),
            col("Primary APIs Utilized", MultiSelect),
            link("Supported Workflows", K::WorkflowsLibrary),
            col("Primary Data Sources", MultiSelect),
            col("Primary Data Sinks", MultiSelect),
            col(
                "Runtime Environment",
                Select(&[
                    choice("Docker (HigherSelf Network Server)", Blue),
                    choice("Serverless", Purple),
                ]),
            ),
            col("Source Code Location", Url),
        ],
    },
    DatabaseSchema {
        key: K::WorkflowsLibrary,
        title: "Workflows Library",
        description: "Workflow definitions: states, transitions and the agents they need",
        env_stem: "NOTION_WORKFLOWS_LIBRARY",
        columns: &[
            col("Workflow ID", Title),
            col("Name", Text),
            col("Description", Text),
            col("Version", Text),
            link("Business Entity", K::BusinessEntities),
            col("Initial State", Text),
            col("States", Text),
            col("Transitions", Text),
            link("Required Agents", K::AgentRegistry),
            col("Visualization URL", Url),
            col(
                "Status",
                Select(&[
                    choice("Draft", Gray),
                    choice("Implemented", Yellow),
                    choice("Active", Green),
                ]),
            ),
        ],
    },
    DatabaseSchema {
        key: K::ActiveWorkflowInstances,
        title: "Active Workflow Instances",
        description: "Running workflow instances: current state, client, and the history of every transition",
        env_stem: "NOTION_ACTIVE_WORKFLOW_INSTANCES",
        columns: &[
            col("Instance ID", Title),
            link("Workflow", K::WorkflowsLibrary),
            link("Business Entity", K::BusinessEntities),
            col("Current State", Text),
            col("Client/Lead Email", Email),
            col("Client/Lead Name", Text),
            col("Client/Lead Phone", Phone),
            col("Start Date", Date),
            col("Last Transition Date", Date),
            col("Status", Status(INSTANCE_STATUSES)),
            col("Error Message", Text),
            col("Assigned To", Text),
            col("Priority", Select(PRIORITY)),
            col("Tags", MultiSelect),
            col("Source System", Text),
            col("Source Record ID", Text),
            col("HubSpot Contact ID", Text),
            col("Airtable Record ID", Text),
            col("Key Data Payload", Text),
            col("History Log", Text),
            Column {
                name: INSTANCE_TASKS_COLUMN,
                kind: Relation {
                    target: K::Tasks,
                    backlink: Backlink::SyncedFrom(TASK_INSTANCE_COLUMN),
                },
            },
        ],
    },
    DatabaseSchema {
        key: K::ApiIntegrations,
        title: "API Integrations Catalog",
        description: "External platforms the agents call, how they authenticate, and their status",
        env_stem: "NOTION_API_INTEGRATIONS",
        columns: &[
            col("Platform", Title),
            col("Description", Text),
            col("Authentication Type", Text),
            col("Credential Reference", Text),
            col("Version", Text),
            col("Base URL", Url),
            col("Documentation URL", Url),
            col("Primary Endpoints", MultiSelect),
            link("Business Entities", K::BusinessEntities),
            col(
                "Status",
                Select(&[
                    choice("Active", Green),
                    choice("Deprecated", Red),
                    choice("Planned", Gray),
                    choice("Under Test", Yellow),
                ]),
            ),
        ],
    },
    DatabaseSchema {
        key: K::DataTransformations,
        title: "Data Transformations Registry",
        description: "How data is reshaped between systems, with sample input and output",
        env_stem: "NOTION_DATA_TRANSFORMATIONS",
        columns: &[
            col("Transformation Name", Title),
            col("Description", Text),
            col("Source Format", Text),
            col("Target Format", Text),
            col("Transformation Logic", Text),
            col("Sample Input (JSON)", Text),
            col("Sample Output (JSON)", Text),
            link("Used By Workflows", K::WorkflowsLibrary),
        ],
    },
    DatabaseSchema {
        key: K::UseCases,
        title: "Use Cases Library",
        description: "Use cases with user stories and acceptance criteria, and the workflows that implement them",
        env_stem: "NOTION_USE_CASES",
        columns: &[
            col("Use Case ID", Title),
            col("Title", Text),
            col("Description", Text),
            col("User Stories", Text),
            col("Acceptance Criteria", Text),
            link("Business Entities", K::BusinessEntities),
            link("Implemented By Workflows", K::WorkflowsLibrary),
            col(
                "Implementation Status",
                Select(&[
                    choice("Planned", Gray),
                    choice("In Progress", Yellow),
                    choice("Implemented", Green),
                ]),
            ),
            col("Notion Dashboard Link", Url),
        ],
    },
    DatabaseSchema {
        key: K::NotificationsTemplates,
        title: "Notifications Templates",
        description: "Message templates for email, SMS, Slack and push notifications",
        env_stem: "NOTION_NOTIFICATIONS_TEMPLATES",
        columns: &[
            col("Template ID", Title),
            col("Description", Text),
            col("Content Template", Text),
            col("Subject Template", Text),
            col("Creator", Text),
            col(
                "Channel",
                Select(&[
                    choice("Email", Blue),
                    choice("SMS", Green),
                    choice("Slack", Purple),
                    choice("Push Notification", Red),
                ]),
            ),
            col("Supported Placeholders", MultiSelect),
            link("Business Entities", K::BusinessEntities),
            col("Created Date", Date),
            col("Last Updated", Date),
        ],
    },
    DatabaseSchema {
        key: K::AgentCommunication,
        title: "Agent Communication Patterns",
        description: "How agents talk to each other: formats, protocols and the workflows that use them",
        env_stem: "NOTION_AGENT_COMMUNICATION",
        columns: &[
            col("Pattern Name", Title),
            col("Description", Text),
            col("Message Format", Text),
            col("Sample Payload", Text),
            link("Source Agent", K::AgentRegistry),
            link("Target Agent", K::AgentRegistry),
            col(
                "Communication Protocol",
                Select(&[
                    choice("HTTP", Blue),
                    choice("Message Queue", Green),
                    choice("WebSocket", Purple),
                ]),
            ),
            link("Active Workflows Using", K::WorkflowsLibrary),
        ],
    },
    DatabaseSchema {
        key: K::Tasks,
        title: "Master Tasks Database",
        description: "Every task of the network, from people, agents and workflow instances",
        env_stem: "NOTION_TASKS",
        columns: &[
            col("Task ID", Title),
            col("Task Name", Text),
            col("Description", Text),
            col("Assigned To", Text),
            col("Created By", Text),
            col("Status", Select(TASK_STATUSES)),
            col("Priority", Select(PRIORITY)),
            col("Due Date", Date),
            col("Created Date", Date),
            col("Last Edited Date", Date),
            Column {
                name: TASK_INSTANCE_COLUMN,
                kind: Relation {
                    target: K::ActiveWorkflowInstances,
                    backlink: Backlink::Creates(INSTANCE_TASKS_COLUMN),
                },
            },
            link("Related Business Entity", K::BusinessEntities),
            col("Tags", MultiSelect),
        ],
    },
    DatabaseSchema {
        key: K::ContactsProfiles,
        title: "Contacts & Profiles Database",
        description: "Leads, clients and partners of the network",
        env_stem: "NOTION_CONTACTS_PROFILES",
        columns: &[
            col("Name", Title),
            col("Email", Email),
            col("Phone", Phone),
            col("Company", Text),
            col("Role", Text),
            col("Source", Text),
            col("Notes", Text),
            col(
                "Status",
                Select(&[
                    choice("Lead", Yellow),
                    choice("Client", Green),
                    choice("Partner", Blue),
                    choice("Inactive", Gray),
                ]),
            ),
            col("Tags", MultiSelect),
            col("Created Date", Date),
            col("Last Contact", Date),
        ],
    },
    DatabaseSchema {
        key: K::CommunityHub,
        title: "Community Hub Database",
        description: "Community members, their membership and engagement",
        env_stem: "NOTION_COMMUNITY_HUB",
        columns: &[
            col("Member Name", Title),
            col("Email", Email),
            col(
                "Membership Type",
                Select(&[
                    choice("Free", Gray),
                    choice("Premium", Blue),
                    choice("VIP", Purple),
                ]),
            ),
            col("Join Date", Date),
            col(
                "Status",
                Select(&[
                    choice("Active", Green),
                    choice("Inactive", Gray),
                    choice("Suspended", Red),
                ]),
            ),
            col("Interests", MultiSelect),
            col("Engagement Score", Number),
            col("Last Activity", Date),
        ],
    },
    DatabaseSchema {
        key: K::ProductsServices,
        title: "Products & Services Database",
        description: "What the network's businesses sell: products, services and packages",
        env_stem: "NOTION_PRODUCTS_SERVICES",
        columns: &[
            col("Name", Title),
            col(
                "Type",
                Select(&[
                    choice("Product", Blue),
                    choice("Service", Green),
                    choice("Package", Purple),
                ]),
            ),
            col("Description", Text),
            col("Price", Number),
            col("Currency", Text),
            col(
                "Status",
                Select(&[
                    choice("Active", Green),
                    choice("Draft", Yellow),
                    choice("Discontinued", Red),
                ]),
            ),
            col("Category", MultiSelect),
            col("Created Date", Date),
            col("Last Updated", Date),
        ],
    },
    DatabaseSchema {
        key: K::MarketingCampaigns,
        title: "Marketing Campaigns Database",
        description: "Campaigns with their audience, budget, goals and results",
        env_stem: "NOTION_MARKETING_CAMPAIGNS",
        columns: &[
            col("Campaign Name", Title),
            col(
                "Type",
                Select(&[
                    choice("Email", Default),
                    choice("Social Media", Default),
                    choice("Content", Default),
                    choice("Paid Ads", Default),
                ]),
            ),
            col(
                "Status",
                Select(&[
                    choice("Planning", Default),
                    choice("Active", Default),
                    choice("Paused", Default),
                    choice("Completed", Default),
                ]),
            ),
            col("Start Date", Date),
            col("End Date", Date),
            col("Budget", Number),
            col("Target Audience", Text),
            col("Goals", Text),
            col("Results", Text),
        ],
    },
    DatabaseSchema {
        key: K::FeedbackSurveys,
        title: "Feedback & Surveys Database",
        description: "Surveys and feedback, with response counts, ratings and insights",
        env_stem: "NOTION_FEEDBACK_SURVEYS",
        columns: &[
            col("Survey Name", Title),
            col(
                "Type",
                Select(&[
                    choice("Customer Feedback", Default),
                    choice("Product Survey", Default),
                    choice("Service Review", Default),
                    choice("General Survey", Default),
                ]),
            ),
            col(
                "Status",
                Select(&[
                    choice("Draft", Default),
                    choice("Active", Default),
                    choice("Closed", Default),
                ]),
            ),
            col("Created Date", Date),
            col("Response Count", Number),
            col("Average Rating", Number),
            col("Key Insights", Text),
        ],
    },
    DatabaseSchema {
        key: K::RewardsBounties,
        title: "Rewards & Bounties Database",
        description: "Rewards, bounties and achievements, with their value and who holds them",
        env_stem: "NOTION_REWARDS_BOUNTIES",
        columns: &[
            col("Title", Title),
            col(
                "Type",
                Select(&[
                    choice("Reward", Default),
                    choice("Bounty", Default),
                    choice("Achievement", Default),
                ]),
            ),
            col("Value", Number),
            col("Currency", Text),
            col(
                "Status",
                Select(&[
                    choice("Available", Default),
                    choice("In Progress", Default),
                    choice("Completed", Default),
                    choice("Expired", Default),
                ]),
            ),
            col("Description", Text),
            col("Requirements", Text),
            col("Assigned To", Text),
            col("Deadline", Date),
        ],
    },
];

/// The definition of one database.
pub fn database(key: DatabaseKey) -> &'static DatabaseSchema {
    DATABASES
        .iter()
        .find(|d| d.key == key)
        .expect("every key has a definition")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn sixteen_databases_each_once_with_one_title() {
        let keys: HashSet<DatabaseKey> = DATABASES.iter().map(|d| d.key).collect();
        assert_eq!(keys.len(), 16);
        for db in &DATABASES {
            let titles = db.columns.iter().filter(|c| c.kind == Title).count();
            assert_eq!(titles, 1, "{}", db.title);
            let names: HashSet<&str> = db.columns.iter().map(|c| c.name).collect();
            assert_eq!(
                names.len(),
                db.columns.len(),
                "{} repeats a column",
                db.title
            );
            for choice in db.columns.iter().flat_map(|c| c.kind.choices()) {
                assert!(
                    !choice.name.contains(','),
                    "Notion refuses commas in option names"
                );
            }
        }
    }

    #[test]
    fn the_two_way_relation_names_both_sides() {
        let task_side = database(K::Tasks).column(TASK_INSTANCE_COLUMN).unwrap();
        let instance_side = database(K::ActiveWorkflowInstances)
            .column(INSTANCE_TASKS_COLUMN)
            .unwrap();
        assert_eq!(
            task_side.kind,
            Relation {
                target: K::ActiveWorkflowInstances,
                backlink: Backlink::Creates(INSTANCE_TASKS_COLUMN)
            }
        );
        assert_eq!(
            instance_side.kind,
            Relation {
                target: K::Tasks,
                backlink: Backlink::SyncedFrom(TASK_INSTANCE_COLUMN)
            }
        );
        // Only the creating side is created by setup.
        assert!(
            database(K::ActiveWorkflowInstances)
                .relation_columns()
                .all(|c| c.name != INSTANCE_TASKS_COLUMN)
        );
    }

    #[test]
    fn configs_are_notion_request_shapes() {
        let status = database(K::ActiveWorkflowInstances)
            .column("Status")
            .unwrap();
        let config = status.notion_config(|_| None).unwrap();
        assert_eq!(
            config["status"]["options"][0],
            json!({"name": "Active", "color": "green"})
        );
        let link = database(K::Tasks).column(TASK_INSTANCE_COLUMN).unwrap();
        assert!(
            link.notion_config(|_| None).is_none(),
            "a relation needs its target"
        );
        let config = link.notion_config(|_| Some("ds-1".into())).unwrap();
        assert_eq!(config["relation"]["data_source_id"], "ds-1");
        assert_eq!(
            config["relation"]["dual_property"]["synced_property_name"],
            INSTANCE_TASKS_COLUMN
        );
        assert_eq!(database(K::Tasks).env_data_source_key(), "NOTION_TASKS_DS");
    }
}
