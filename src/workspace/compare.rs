//! Comparing a live data source with its definition in the schema: what setup must add
//! and what doctor reports.

use std::fmt;

use crate::domain::schema::{Backlink, ColumnKind, DatabaseKey, DatabaseSchema, StatusGroup};
use crate::notion::{DataSource, PropertySchema};

/// One difference between a live data source and its definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    /// A column of the definition is not there.
    Missing {
        column: &'static str,
        notion_type: &'static str,
    },
    /// A column has another Notion type. Setup never changes a type: it could lose data.
    WrongType {
        column: &'static str,
        expected: &'static str,
        found: String,
    },
    /// A select or status column lacks some of the defined options.
    MissingOptions {
        column: &'static str,
        options: Vec<&'static str>,
    },
    /// A link column holds text (a database made by the original tool). hsn reads it, but
    /// the dashboard cannot follow it as a relation.
    LinkIsText {
        column: &'static str,
        target: &'static str,
    },
    /// A relation points at another data source than the configured target.
    WrongTarget {
        column: &'static str,
        target: &'static str,
        found: Option<String>,
    },
    /// A status option sits in another group than the one it belongs to (groups can only
    /// be changed in Notion's UI).
    StatusGroup {
        column: &'static str,
        option: &'static str,
        expected: StatusGroup,
        found: String,
    },
    /// The far side of a two-way relation is missing. Notion makes it together with its
    /// other side, so it cannot be added alone; the relation still works from that side.
    MissingBacklink {
        column: &'static str,
        made_with: &'static str,
        of: &'static str,
    },
    /// A column the definition does not know. Left alone.
    Unknown { column: String, notion_type: String },
}

impl Finding {
    /// Whether the workspace works as it is despite the finding.
    pub fn is_warning(&self) -> bool {
        matches!(
            self,
            Finding::LinkIsText { .. }
                | Finding::StatusGroup { .. }
                | Finding::MissingBacklink { .. }
                | Finding::Unknown { .. }
        )
    }

    /// What fixes it, for a person.
    pub fn fix(&self) -> &'static str {
        match self {
            Finding::Missing { .. } | Finding::MissingOptions { .. } => "run `hsn setup` to add it",
            Finding::WrongType { .. } | Finding::WrongTarget { .. } => {
                "change it back in Notion (or rename it and run `hsn setup` to make a new one)"
            }
            Finding::LinkIsText { .. } => {
                "works as text; to make it a relation, rename the column in Notion and run `hsn setup`"
            }
            Finding::StatusGroup { .. } => {
                "drag the option to its group in Notion (the API cannot move it)"
            }
            Finding::MissingBacklink { .. } => {
                "it comes with its other side: once that is a relation made by `hsn setup` (delete it in Notion if it is not, then run `hsn setup`), this appears too"
            }
            Finding::Unknown { .. } => "nothing to do: hsn leaves it alone",
        }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Finding::Missing {
                column,
                notion_type,
            } => write!(f, "property \"{column}\" ({notion_type}) is missing"),
            Finding::WrongType {
                column,
                expected,
                found,
            } => {
                write!(f, "property \"{column}\" is {found}, expected {expected}")
            }
            Finding::MissingOptions { column, options } => {
                write!(
                    f,
                    "property \"{column}\" lacks the options {}",
                    options.join(", ")
                )
            }
            Finding::LinkIsText { column, target } => {
                write!(
                    f,
                    "property \"{column}\" links to {target} as text, not as a relation"
                )
            }
            Finding::WrongTarget {
                column,
                target,
                found,
            } => write!(
                f,
                "property \"{column}\" should relate to {target} but relates to {}",
                found.as_deref().unwrap_or("nothing")
            ),
            Finding::StatusGroup {
                column,
                option,
                expected,
                found,
            } => write!(
                f,
                "status \"{column}\": option \"{option}\" is in group {found}, expected {}",
                expected.notion_name()
            ),
            Finding::MissingBacklink {
                column,
                made_with,
                of,
            } => write!(
                f,
                "property \"{column}\" (the other side of \"{made_with}\" in {of}) is missing"
            ),
            Finding::Unknown {
                column,
                notion_type,
            } => {
                write!(
                    f,
                    "property \"{column}\" ({notion_type}) is not part of the HigherSelf schema"
                )
            }
        }
    }
}

/// Compares `live` with `definition`. `data_source_of` gives the configured data source of
/// each database, to check where relations point (unknown targets are not checked).
pub fn compare(
    definition: &DatabaseSchema,
    live: &DataSource,
    data_source_of: impl Fn(DatabaseKey) -> Option<String>,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    for column in definition.columns {
        let expected = column.kind.notion_type();
        let Some(found) = live.property(column.name) else {
            findings.push(match column.kind {
                ColumnKind::Relation {
                    target,
                    backlink: Backlink::SyncedFrom(made_with),
                } => Finding::MissingBacklink {
                    column: column.name,
                    made_with,
                    of: crate::domain::schema::database(target).title,
                },
                _ => Finding::Missing {
                    column: column.name,
                    notion_type: expected,
                },
            });
            continue;
        };
        match column.kind {
            ColumnKind::Relation { target, .. } if found.kind == "rich_text" => {
                findings.push(Finding::LinkIsText {
                    column: column.name,
                    target: crate::domain::schema::database(target).title,
                });
            }
            _ if found.kind != expected => findings.push(Finding::WrongType {
                column: column.name,
                expected,
                found: found.kind.clone(),
            }),
            ColumnKind::Relation { target, .. } => {
                let wanted = data_source_of(target);
                let points_at = found.relation_target().map(|id| id.replace('-', ""));
                if wanted.is_some() && wanted.map(|w| w.replace('-', "")) != points_at {
                    findings.push(Finding::WrongTarget {
                        column: column.name,
                        target: crate::domain::schema::database(target).title,
                        found: found.relation_target().map(str::to_string),
                    });
                }
            }
            ColumnKind::Select(choices) | ColumnKind::Status(choices) => {
                let present = found.option_names();
                let missing: Vec<&'static str> = choices
                    .iter()
                    .map(|c| c.name)
                    .filter(|name| !present.iter().any(|p| p.eq_ignore_ascii_case(name)))
                    .collect();
                if !missing.is_empty() {
                    findings.push(Finding::MissingOptions {
                        column: column.name,
                        options: missing,
                    });
                }
                for choice in choices {
                    let (Some(expected_group), Some(found_group)) =
                        (choice.group, status_group_of(found, choice.name))
                    else {
                        continue;
                    };
                    if found_group != expected_group.notion_name() {
                        findings.push(Finding::StatusGroup {
                            column: column.name,
                            option: choice.name,
                            expected: expected_group,
                            found: found_group,
                        });
                    }
                }
            }
            _ => {}
        }
    }
    for property in &live.properties {
        if definition.column(&property.name).is_none() {
            findings.push(Finding::Unknown {
                column: property.name.clone(),
                notion_type: property.kind.clone(),
            });
        }
    }
    findings
}

/// The group a status option is in, from the schema Notion returned.
fn status_group_of(property: &PropertySchema, option: &str) -> Option<String> {
    let options = property.config.get("options")?.as_array()?;
    let id = options
        .iter()
        .find(|o| o.get("name").and_then(|n| n.as_str()) == Some(option))?
        .get("id")?
        .as_str()?;
    property
        .config
        .get("groups")?
        .as_array()?
        .iter()
        .find(|g| {
            g.get("option_ids")
                .and_then(|ids| ids.as_array())
                .is_some_and(|ids| ids.iter().any(|i| i.as_str() == Some(id)))
        })?
        .get("name")?
        .as_str()
        .map(str::to_string)
}

/// Whether a relation column is created by Notion as the other side of a two-way relation.
pub fn is_synced_side(kind: ColumnKind) -> bool {
    matches!(
        kind,
        ColumnKind::Relation {
            backlink: Backlink::SyncedFrom(_),
            ..
        }
    )
}
