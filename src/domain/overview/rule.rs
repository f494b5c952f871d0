//! When an instance counts as stuck.

use std::collections::HashMap;

use chrono::Duration;
use serde::Serialize;

/// How long in one state makes an instance stuck: a default and per-workflow overrides
/// (by Workflow ID), from `HSN_STUCK_DAYS` and the config file (`Settings::stuck_rule`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StuckRule {
    pub default_days: u32,
    pub per_workflow: HashMap<String, u32>,
    /// Where the default came from, said on screen (`HSN_STUCK_DAYS`, `default`).
    pub source: &'static str,
}

impl Default for StuckRule {
    fn default() -> Self {
        StuckRule {
            default_days: 7,
            per_workflow: HashMap::new(),
            source: "default",
        }
    }
}

impl StuckRule {
    /// The rule from the `HSN_STUCK_DAYS` setting (a whole number of days, at least 1).
    pub fn from_setting(value: Option<&str>) -> Result<StuckRule, String> {
        let Some(text) = value.map(str::trim).filter(|t| !t.is_empty()) else {
            return Ok(StuckRule::default());
        };
        match text.parse::<u32>() {
            Ok(days) if days > 0 => Ok(StuckRule {
                default_days: days,
                per_workflow: HashMap::new(),
                source: "HSN_STUCK_DAYS",
            }),
            _ => Err(format!(
                "HSN_STUCK_DAYS must be a whole number of days (at least 1), not \"{text}\""
            )),
        }
    }

    pub fn days_for(&self, workflow_id: Option<&str>) -> u32 {
        workflow_id
            .and_then(|w| self.per_workflow.get(w))
            .copied()
            .unwrap_or(self.default_days)
    }

    pub fn threshold(&self, workflow_id: Option<&str>) -> Duration {
        Duration::days(i64::from(self.days_for(workflow_id)))
    }
}
