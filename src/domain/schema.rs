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

/// A column of a database's table (after its title) and its priority: when a terminal is
/// too narrow for every column, the lowest priority goes first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shown {
    pub name: &'static str,
    pub priority: u8,
}

/// How a table may shorten a column's cells. An identifier, a date or a number cut short
/// reads as another valid one (`TASK-46` for `TASK-467`, `2026-11` for a day), so those
/// are never cut: the column is dropped instead. Choices and free text are cut with `…`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnFit {
    Identifier,
    Date,
    Number,
    Choice,
    Text,
}

impl ColumnFit {
    /// Whether a cell of this kind is shown whole or not at all.
    pub fn never_cut(self) -> bool {
        matches!(
            self,
            ColumnFit::Identifier | ColumnFit::Date | ColumnFit::Number
        )
    }
}

#[derive(Debug)]
pub struct DatabaseSchema {
    pub key: DatabaseKey,
    pub title: &'static str,
    pub description: &'static str,
    /// The stem of its `.env.notion` keys: `NOTION_TASKS` gives `NOTION_TASKS_DB` and
    /// `NOTION_TASKS_DS`.
    pub env_stem: &'static str,
    /// The short name commands use: `hsn list contacts`, `:contacts` in the dashboard.
    pub alias: &'static str,
    /// The columns a table shows after the title column, in order, each with its priority
    /// (which stay when the width runs out; the title always does).
    pub summary: &'static [Shown],
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

    /// The names of the columns its table shows after the title, in order.
    pub fn summary_names(&self) -> impl Iterator<Item = &'static str> + use<> {
        self.summary.iter().map(|s| s.name)
    }

    /// Whether the table's title column holds an identifier (`TASK-…`, `INST-…`): its
    /// name ends with `ID`.
    pub fn titled_by_id(&self) -> bool {
        self.title_column().name.ends_with(" ID")
    }

    /// How a table may shorten column `name`'s cells: a relation shows its targets'
    /// titles, so it holds identifiers when its target is titled by one.
    pub fn column_fit(&self, name: &str) -> ColumnFit {
        let Some(column) = self.column(name) else {
            return ColumnFit::Text;
        };
        match column.kind {
            ColumnKind::Title if self.titled_by_id() => ColumnFit::Identifier,
            ColumnKind::Relation { target, .. } if database(target).titled_by_id() => {
                ColumnFit::Identifier
            }
            ColumnKind::Date => ColumnFit::Date,
            ColumnKind::Number | ColumnKind::Phone => ColumnFit::Number,
            ColumnKind::Select(_) | ColumnKind::Status(_) => ColumnFit::Choice,
            _ => ColumnFit::Text,
        }
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
    /// The database a relation column links to.
    pub fn relation_target(&self) -> Option<DatabaseKey> {
        match self.kind {
            ColumnKind::Relation { target, .. } => Some(target),
            _ => None,
        }
    }

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

mod databases;

pub use databases::{
    DATABASES, INSTANCE_STATUSES, INSTANCE_TASKS_COLUMN, TASK_INSTANCE_COLUMN, TASK_STATUSES,
};

/// The database a user means by `name`: its alias (`tasks`), its key's env stem
/// (`NOTION_TASKS`), or its title, case-insensitively; a few plural/singular slips too.
pub fn find_database(name: &str) -> Option<&'static DatabaseSchema> {
    let wanted = name.trim().to_ascii_lowercase();
    let singular = wanted.trim_end_matches('s');
    DATABASES.iter().find(|d| {
        d.alias == wanted
            || d.alias.trim_end_matches('s') == singular
            || d.title.eq_ignore_ascii_case(&wanted)
            || d.env_stem.eq_ignore_ascii_case(&wanted)
    })
}

/// The definition of one database.
pub fn database(key: DatabaseKey) -> &'static DatabaseSchema {
    DATABASES
        .iter()
        .find(|d| d.key == key)
        .expect("every key has a definition")
}

#[cfg(test)]
mod tests {
    use super::ColumnKind::*;
    use super::DatabaseKey as K;
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
    fn aliases_and_summaries_name_real_columns() {
        let aliases: HashSet<&str> = DATABASES.iter().map(|d| d.alias).collect();
        assert_eq!(aliases.len(), 16);
        for db in &DATABASES {
            for column in db.summary_names() {
                assert!(
                    db.column(column).is_some(),
                    "{}: summary column {column}",
                    db.title
                );
            }
            assert_eq!(find_database(db.alias).unwrap().key, db.key);
            assert_eq!(find_database(db.title).unwrap().key, db.key);
        }
        assert_eq!(
            find_database("Instance").unwrap().key,
            K::ActiveWorkflowInstances
        );
        assert_eq!(find_database("CONTACTS").unwrap().key, K::ContactsProfiles);
        assert!(find_database("nope").is_none());
    }

    #[test]
    fn ids_and_dates_are_never_cut_text_is() {
        let tasks = database(K::Tasks);
        assert_eq!(tasks.column_fit("Task ID"), ColumnFit::Identifier);
        assert_eq!(
            tasks.column_fit(TASK_INSTANCE_COLUMN),
            ColumnFit::Identifier,
            "a link to an instance shows its INST- id"
        );
        assert_eq!(tasks.column_fit("Due Date"), ColumnFit::Date);
        assert_eq!(tasks.column_fit("Priority"), ColumnFit::Choice);
        assert_eq!(tasks.column_fit("Task Name"), ColumnFit::Text);
        let entities = database(K::BusinessEntities);
        assert_eq!(
            entities.column_fit("Name"),
            ColumnFit::Text,
            "a name, no id"
        );
        assert_eq!(
            database(K::WorkflowsLibrary).column_fit("Business Entity"),
            ColumnFit::Text,
            "entities are titled by their name"
        );
        assert!(ColumnFit::Date.never_cut() && !ColumnFit::Text.never_cut());
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
