//! The definitions of the 16 databases: titles, descriptions, columns with their Notion
//! types and options, relations, and the columns the tables show.

use super::{
    Backlink, Choice, Color, Column, ColumnKind, DatabaseKey, DatabaseSchema, Shown, StatusGroup,
};

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

/// A column a table shows after the title; the higher its priority, the longer it stays
/// when the width runs out.
const fn shown(name: &'static str, priority: u8) -> Shown {
    Shown { name, priority }
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
        alias: "entities",
        summary: &[
            shown("Entity Type", 3),
            shown("Integration Status", 2),
            shown("API Keys Reference", 1),
        ],
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
        alias: "agents",
        summary: &[
            shown("Name", 4),
            shown("Status", 3),
            shown("Version", 2),
            shown("Runtime Environment", 1),
        ],
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
        alias: "workflows",
        summary: &[
            shown("Name", 5),
            shown("Status", 4),
            shown("Version", 1),
            shown("Initial State", 2),
            shown("Business Entity", 3),
        ],
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
        alias: "instances",
        summary: &[
            shown("Workflow", 6),
            shown("Current State", 8),
            shown("Status", 7),
            shown("Priority", 4),
            shown("Assigned To", 3),
            shown("Client/Lead Name", 5),
            // The table's In State (the time since) comes first: one above this.
            shown("Last Transition Date", 1),
        ],
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
        alias: "integrations",
        summary: &[
            shown("Status", 4),
            shown("Authentication Type", 2),
            shown("Version", 1),
            shown("Base URL", 3),
        ],
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
        alias: "transformations",
        summary: &[
            shown("Source Format", 3),
            shown("Target Format", 2),
            shown("Used By Workflows", 1),
        ],
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
        alias: "use-cases",
        summary: &[
            shown("Title", 3),
            shown("Implementation Status", 2),
            shown("Implemented By Workflows", 1),
        ],
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
        alias: "notifications",
        summary: &[
            shown("Channel", 3),
            shown("Subject Template", 2),
            shown("Last Updated", 1),
        ],
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
        alias: "communication",
        summary: &[
            shown("Source Agent", 3),
            shown("Target Agent", 2),
            shown("Communication Protocol", 1),
        ],
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
        alias: "tasks",
        summary: &[
            shown("Task Name", 6),
            shown("Status", 5),
            shown("Priority", 3),
            shown("Assigned To", 2),
            shown("Due Date", 4),
            shown("Related Workflow Instance", 1),
        ],
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
        alias: "contacts",
        summary: &[
            shown("Email", 3),
            shown("Company", 2),
            shown("Status", 4),
            shown("Last Contact", 1),
        ],
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
        alias: "community",
        summary: &[
            shown("Email", 3),
            shown("Membership Type", 2),
            shown("Status", 4),
            shown("Engagement Score", 1),
        ],
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
        alias: "products",
        summary: &[
            shown("Type", 3),
            shown("Price", 2),
            shown("Currency", 1),
            shown("Status", 4),
        ],
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
        alias: "campaigns",
        summary: &[
            shown("Type", 4),
            shown("Status", 5),
            shown("Start Date", 3),
            shown("End Date", 2),
            shown("Budget", 1),
        ],
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
        alias: "feedback",
        summary: &[
            shown("Type", 3),
            shown("Status", 4),
            shown("Response Count", 1),
            shown("Average Rating", 2),
        ],
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
        alias: "rewards",
        summary: &[
            shown("Type", 4),
            shown("Value", 3),
            shown("Currency", 1),
            shown("Status", 5),
            shown("Deadline", 2),
        ],
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
