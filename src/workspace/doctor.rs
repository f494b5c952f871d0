//! `hsn doctor`: what is wrong with a workspace, one line per check, and what fixes it.
//!
//! Checks run in order: the token, then each of the 16 databases (configured? reachable?),
//! then each reachable schema against the definition.

use std::collections::BTreeMap;
use std::fmt;

use super::compare::compare;
use super::locate::{Lookup, lookup_configured};
use crate::domain::schema::{ColumnKind, DATABASES, DatabaseKey};
use crate::notion::{NotionClient, RateLimitReason};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Ok,
    Warning,
    Failure,
}

/// One line of the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub verdict: Verdict,
    /// What was checked: `token`, a database title.
    pub subject: String,
    pub message: String,
    /// What fixes it, for warnings and failures.
    pub fix: Option<String>,
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mark = match self.verdict {
            Verdict::Ok => "ok  ",
            Verdict::Warning => "warn",
            Verdict::Failure => "FAIL",
        };
        write!(f, "{mark} {}: {}", self.subject, self.message)?;
        if let Some(fix) = &self.fix {
            write!(f, " → {fix}")?;
        }
        Ok(())
    }
}

fn check(verdict: Verdict, subject: &str, message: impl Into<String>, fix: Option<&str>) -> Check {
    Check {
        verdict,
        subject: subject.to_string(),
        message: message.into(),
        fix: fix.map(str::to_string),
    }
}

/// Runs every check, handing each to `report` as soon as it is known. Returns whether all
/// passed (warnings allowed).
pub async fn doctor(
    client: &NotionClient,
    setting: &impl Fn(&str) -> Option<String>,
    report: &mut dyn FnMut(&Check),
) -> bool {
    let mut healthy = true;
    let mut emit = |c: Check, healthy: &mut bool| {
        *healthy &= c.verdict != Verdict::Failure;
        report(&c);
    };

    match client.me().await {
        Ok(me) => {
            let name = me.name.clone().unwrap_or_else(|| "unnamed".into());
            let workspace = me.workspace_name().unwrap_or("an unnamed workspace");
            emit(
                check(
                    Verdict::Ok,
                    "token",
                    format!("integration \"{name}\" in workspace \"{workspace}\""),
                    None,
                ),
                &mut healthy,
            );
        }
        Err(e) => {
            // Nothing else can be checked without a working token.
            emit(
                check(
                    Verdict::Failure,
                    "token",
                    e.explain("the workspace"),
                    Some(
                        "set NOTION_API_TOKEN to the integration's token (Notion → Settings → Connections)",
                    ),
                ),
                &mut healthy,
            );
            return false;
        }
    }

    let mut reachable = BTreeMap::new();
    for definition in &DATABASES {
        let subject = definition.title;
        match lookup_configured(client, definition, setting).await {
            Ok(Lookup::Found(located)) => {
                emit(
                    check(
                        Verdict::Ok,
                        subject,
                        format!("reachable (data source {})", located.data_source_id()),
                        None,
                    ),
                    &mut healthy,
                );
                reachable.insert(definition.key, *located);
            }
            Ok(Lookup::NotConfigured) => emit(
                check(
                    Verdict::Failure,
                    subject,
                    format!(
                        "not configured ({} is not set)",
                        definition.env_database_key()
                    ),
                    Some("run `hsn setup`, which creates it and writes .env.notion"),
                ),
                &mut healthy,
            ),
            Ok(Lookup::NotFound { key, id }) => emit(
                check(
                    Verdict::Failure,
                    subject,
                    format!("{key}={id} not found or not shared with the integration (404)"),
                    Some(
                        "share the database with the integration in Notion (… → Connections), or run `hsn setup` to create it",
                    ),
                ),
                &mut healthy,
            ),
            Err(e) => emit(
                check(
                    Verdict::Failure,
                    subject,
                    e.explain(&format!("the database {subject}")),
                    None,
                ),
                &mut healthy,
            ),
        }
    }

    let targets: BTreeMap<DatabaseKey, String> = reachable
        .iter()
        .map(|(k, l)| (*k, l.data_source_id().to_string()))
        .collect();
    for definition in &DATABASES {
        let Some(located) = reachable.get(&definition.key) else {
            continue;
        };
        let findings = compare(definition, &located.data_source, |k| {
            targets.get(&k).cloned()
        });
        let subject = format!("{} schema", definition.title);
        if findings.iter().all(|f| f.is_warning()) {
            emit(
                check(
                    Verdict::Ok,
                    &subject,
                    link_form(definition.key, located),
                    None,
                ),
                &mut healthy,
            );
        }
        for finding in findings {
            let verdict = if finding.is_warning() {
                Verdict::Warning
            } else {
                Verdict::Failure
            };
            emit(
                check(verdict, &subject, finding.to_string(), Some(finding.fix())),
                &mut healthy,
            );
        }
    }
    emit(budget_check(client), &mut healthy);
    healthy
}

/// The request budget: what these checks spent of it, and any 429 met, with its reason.
fn budget_check(client: &NotionClient) -> Check {
    let status = client.rate_status();
    let spent = format!(
        "{} spent by these checks; {}",
        status.spent,
        status.summary()
    );
    match status.last_limited.map(|seen| seen.reason) {
        None => check(Verdict::Ok, "request budget", spent, None),
        Some(RateLimitReason::Blocked) => check(
            Verdict::Failure,
            "request budget",
            format!("{spent}: Notion has blocked this connection's requests"),
            Some(
                "check the integration in Notion (Settings → Connections) or ask the workspace's admin",
            ),
        ),
        Some(reason) => check(
            Verdict::Warning,
            "request budget",
            format!("{spent}: {}", reason.describe()),
            Some(
                "set NOTION_RATE_BUDGET to the plan's budget (180 a minute, 600 on Business and Enterprise); \
                 dashboards and cron jobs on one token share it",
            ),
        ),
    }
}

/// Which form the database's link columns take: relations (made by hsn) or text (made by
/// the original tool).
fn link_form(key: DatabaseKey, located: &super::locate::Located) -> String {
    let definition = crate::domain::schema::database(key);
    let kinds: Vec<&str> = definition
        .columns
        .iter()
        .filter(|c| matches!(c.kind, ColumnKind::Relation { .. }))
        .filter_map(|c| {
            located
                .data_source
                .property(c.name)
                .map(|p| p.kind.as_str())
        })
        .collect();
    let form = if kinds.is_empty() {
        "no link columns"
    } else if kinds.iter().all(|k| *k == "relation") {
        "links are relations"
    } else if kinds.iter().all(|k| *k == "rich_text") {
        "links are text (made by the original tool)"
    } else {
        "links are partly relations, partly text"
    };
    format!("matches the definition; {form}")
}
