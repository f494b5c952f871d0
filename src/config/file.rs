//! The config file: what an operator may tune that is not a secret and not per workspace.
//! `HSN_CONFIG`, else `config.toml` in the user's config directory (`~/.config/hsn/` on
//! Linux). Every setting is optional: what is not set keeps its default.
//!
//! ```toml
//! readonly = true                # refuse every change, as --readonly does
//!
//! [notion]
//! rate_budget = 600              # Notion's requests a minute (180; 600 on Business/Enterprise)
//!
//! [stuck]
//! days = 7                       # an instance in one state longer than this is stuck
//! [stuck.workflows]
//! WF-WELL-BOOK = 3               # per workflow, by Workflow ID
//!
//! [theme]                        # colour names (red, lightblue, …) or #rrggbb
//! accent = "cyan"                # titles and column headers
//! highlight = "yellow"           # the active tab and key names
//! error = "red"
//! ok = "green"
//! warn = "yellow"
//! dim = "darkgray"
//!
//! [views.late-wellness]          # a saved view (see config/views.rs): `hsn list --view late-wellness`
//! tab = "tasks"
//! filter = "wellness"
//! quick = ["overdue", "mine"]    # open, mine, overdue, unassigned, stuck, status:NAME
//! sort = "Due Date"
//! descending = false
//!
//! [alerts]                       # what the dashboard flashes (see config/alerts.rs)
//! events = ["error", "stuck", "assigned", "overdue"]
//! bell = false                   # ring the terminal bell too
//! desktop = false                # and send a desktop notification
//!
//! [keys]                         # the dashboard's keys (see config/keys.rs)
//! advance = "M"
//! ```

use std::collections::BTreeMap;
use std::path::PathBuf;

use color_eyre::eyre::{Result, eyre};
use serde::Deserialize;
use serde::de::IgnoredAny;

use super::alerts::AlertsConfig;
use super::keys::{KeyMap, read_keys};
use super::views::read_views;
use crate::domain::view::View;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ConfigFile {
    /// Refuse every write, of every command and of the dashboard (`--readonly`).
    pub readonly: bool,
    pub notion: NotionConfig,
    pub stuck: StuckConfig,
    pub theme: ThemeConfig,
    pub alerts: AlertsConfig,
    pub secrets: SecretsConfig,
    /// `[views.NAME]`, in the file's order (`domain::view::views_with` adds the built-in ones).
    pub views: Vec<View>,
    /// The defaults with `[keys]` applied.
    pub keys: KeyMap,
}

/// The settings serde reads; `[views]` and `[keys]` are read apart, with their lines.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Written {
    #[serde(default)]
    readonly: bool,
    #[serde(default)]
    notion: NotionConfig,
    #[serde(default)]
    stuck: StuckConfig,
    #[serde(default)]
    theme: ThemeConfig,
    #[serde(default)]
    alerts: AlertsConfig,
    #[serde(default)]
    secrets: SecretsConfig,
    #[serde(default)]
    #[allow(dead_code)] // read by `read_views`
    views: Option<IgnoredAny>,
    #[serde(default)]
    #[allow(dead_code)] // read by `read_keys`
    keys: Option<IgnoredAny>,
}

/// The line (from 1) of byte `offset` of `text`.
pub(super) fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// `[secrets]`: what `API Keys Reference` may hold.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretsConfig {
    /// The accepted forms of a reference to a secret store, as globs (`*` any text):
    /// they replace `domain::secrets::REFERENCE_FORMS`.
    pub references: Option<Vec<String>>,
}

impl SecretsConfig {
    pub fn reference_forms(&self) -> Vec<String> {
        match &self.references {
            Some(forms) => forms.clone(),
            None => crate::domain::secrets::REFERENCE_FORMS
                .iter()
                .map(|f| f.to_string())
                .collect(),
        }
    }
}

/// How hsn talks to Notion (the token stays in the environment or `.env`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotionConfig {
    /// Requests a minute (`NOTION_RATE_BUDGET` wins).
    pub rate_budget: Option<u32>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StuckConfig {
    pub days: Option<u32>,
    #[serde(default)]
    pub workflows: BTreeMap<String, u32>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThemeConfig {
    pub accent: Option<String>,
    pub highlight: Option<String>,
    pub error: Option<String>,
    pub ok: Option<String>,
    pub warn: Option<String>,
    pub dim: Option<String>,
}

/// Where the config file is read from.
pub fn config_path(setting: impl Fn(&str) -> Option<String>) -> Option<PathBuf> {
    if let Some(path) = setting("HSN_CONFIG").filter(|p| !p.trim().is_empty()) {
        return Some(PathBuf::from(path));
    }
    directories::ProjectDirs::from("net", "HigherSelf", "hsn")
        .map(|d| d.config_dir().join("config.toml"))
}

impl ConfigFile {
    /// Reads the config file; none is the defaults. A file that cannot be read, or holds
    /// a setting hsn does not know, is an error naming the file and what is wrong (a typo
    /// should not be silently ignored).
    pub fn load(setting: impl Fn(&str) -> Option<String>) -> Result<ConfigFile> {
        let Some(path) = config_path(setting) else {
            return Ok(ConfigFile::default());
        };
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(ConfigFile::default()),
            Err(e) => return Err(eyre!("cannot read {}: {e}", path.display())),
        };
        Self::parse(&text).map_err(|e| eyre!("{}: {e}", path.display()))
    }

    /// The settings of a config file's text. An error says what is wrong and, when it
    /// can, on which line.
    pub fn parse(text: &str) -> Result<ConfigFile, String> {
        let written: Written = toml::from_str(text).map_err(|e| match e.span() {
            Some(span) => format!("line {}: {}", line_of(text, span.start), e.message()),
            None => e.message().to_string(),
        })?;
        if written.stuck.days == Some(0) || written.stuck.workflows.values().any(|d| *d == 0) {
            return Err("stuck days must be at least 1".into());
        }
        written.alerts.check()?;
        if let Some(form) = written
            .secrets
            .references
            .iter()
            .flatten()
            .find(|f| f.trim().is_empty() || f.trim() == "*")
        {
            return Err(format!(
                "[secrets] references: {form:?} would accept anything as a reference"
            ));
        }
        // The same text parsed again, keeping where each value is written.
        let document = toml_edit::Document::parse(text).map_err(|e| e.message().to_string())?;
        Ok(ConfigFile {
            readonly: written.readonly,
            notion: written.notion,
            stuck: written.stuck,
            theme: written.theme,
            alerts: written.alerts,
            secrets: written.secrets,
            views: read_views(&document, text)?,
            keys: read_keys(&document, text)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unset_settings_keep_their_defaults() {
        let file = ConfigFile::parse("[theme]\naccent = \"magenta\"\n").unwrap();
        assert_eq!(file.theme.accent.as_deref(), Some("magenta"));
        assert_eq!(file.theme.error, None);
        assert_eq!(file.stuck, StuckConfig::default());
        assert_eq!(ConfigFile::parse("").unwrap(), ConfigFile::default());
    }

    #[test]
    fn per_workflow_thresholds_and_clear_errors() {
        let file =
            ConfigFile::parse("[stuck]\ndays = 5\n[stuck.workflows]\nWF-WELL-BOOK = 2\n").unwrap();
        assert_eq!(file.stuck.days, Some(5));
        assert_eq!(file.stuck.workflows["WF-WELL-BOOK"], 2);
        let typo = ConfigFile::parse("[theme]\naccnt = \"red\"\n").unwrap_err();
        assert!(typo.contains("accnt"), "{typo}");
        assert!(
            ConfigFile::parse("[stuck]\ndays = 0\n")
                .unwrap_err()
                .contains("at least 1")
        );
    }

    #[test]
    fn a_missing_file_is_the_defaults_and_a_broken_one_names_itself() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("none.toml");
        let setting = |path: PathBuf| {
            move |key: &str| (key == "HSN_CONFIG").then(|| path.display().to_string())
        };
        assert_eq!(
            ConfigFile::load(setting(missing)).unwrap(),
            ConfigFile::default()
        );
        let broken = dir.path().join("config.toml");
        std::fs::write(&broken, "[stuck\n").unwrap();
        let err = ConfigFile::load(setting(broken)).unwrap_err().to_string();
        assert!(err.contains("config.toml"), "{err}");
    }
}
