//! Where hsn's settings come from: the process environment, then `.env`, then `.env.notion`
//! in the working directory. The environment wins; between the files, the first wins.
//! Files are read without touching the process environment.

mod alerts;
mod file;
pub mod keys;
pub mod views;

pub use alerts::{AlertSettings, AlertsConfig};
pub use file::{ConfigFile, NotionConfig, SecretsConfig, StuckConfig, ThemeConfig, config_path};
pub use keys::{Action, Context, Key, KeyMap};
pub use views::save_view;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use color_eyre::eyre::{Result, WrapErr, eyre};

use crate::domain::overview::StuckRule;
use crate::notion::ClientConfig;

/// The files read after the environment, in order of precedence.
pub const ENV_FILES: [&str; 2] = [".env", ".env.notion"];

#[derive(Debug, Default, Clone)]
pub struct Settings {
    /// Values from the files, already overridden by nothing: the environment is read live.
    from_files: HashMap<String, String>,
}

impl Settings {
    /// Reads `.env` and `.env.notion` from `dir` if they exist. A line that cannot be read
    /// is an error naming the file and line, and nothing is half-loaded.
    pub fn load(dir: &Path) -> Result<Settings> {
        let mut from_files = HashMap::new();
        for name in ENV_FILES {
            let path = dir.join(name);
            if !path.exists() {
                continue;
            }
            for (key, value) in read_env_file(&path)? {
                from_files.entry(key).or_insert(value);
            }
        }
        Ok(Settings { from_files })
    }

    /// A setting: the environment first, then the files.
    pub fn get(&self, key: &str) -> Option<String> {
        std::env::var(key)
            .ok()
            .or_else(|| self.from_files.get(key).cloned())
    }

    /// The Notion client's settings, or `None` when no token is configured. The request
    /// budget may also come from the config file (`[notion] rate_budget`).
    pub fn notion(&self) -> Result<Option<ClientConfig>> {
        let file = ConfigFile::load(|key| self.get(key))?;
        ClientConfig::from_lookup(|key| {
            self.get(key).or_else(|| {
                (key == "NOTION_RATE_BUDGET")
                    .then(|| file.notion.rate_budget.map(|b| b.to_string()))
                    .flatten()
            })
        })
        .map_err(|e| eyre!(e))
    }

    /// Seconds between the dashboard's sync rounds (`HSN_REFRESH_SECS`, default 60).
    pub fn refresh_interval(&self) -> Result<std::time::Duration> {
        match self
            .get("HSN_REFRESH_SECS")
            .filter(|v| !v.trim().is_empty())
        {
            None => Ok(std::time::Duration::from_secs(60)),
            Some(value) => value
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|s| s.is_finite() && *s >= 0.1 && *s <= 86_400.0)
                .map(std::time::Duration::from_secs_f64)
                .ok_or_else(|| {
                    eyre!("HSN_REFRESH_SECS is {value:?}: use a number of seconds (0.1 to 86400)")
                }),
        }
    }

    /// Whether every write is refused: `--readonly` (`flag`), `HSN_READONLY=1` (or true,
    /// yes), or `readonly = true` in the config file.
    pub fn readonly(&self, flag: bool) -> Result<bool> {
        if flag {
            return Ok(true);
        }
        if let Some(value) = self.get("HSN_READONLY").filter(|v| !v.trim().is_empty()) {
            return match value.trim().to_ascii_lowercase().as_str() {
                "1" | "true" | "yes" | "on" => Ok(true),
                "0" | "false" | "no" | "off" => Ok(false),
                _ => Err(eyre!(
                    "HSN_READONLY is {value:?}: use 1 (refuse every change) or 0"
                )),
            };
        }
        Ok(ConfigFile::load(|key| self.get(key))?.readonly)
    }

    /// The config file (`HSN_CONFIG`, else the user's config directory): none is the
    /// defaults.
    pub fn config_file(&self) -> Result<ConfigFile> {
        ConfigFile::load(|key| self.get(key))
    }

    /// Where the config file is (or would be): where `:save` writes views.
    pub fn config_path(&self) -> Option<PathBuf> {
        config_path(|key| self.get(key))
    }

    /// The dashboard's keys: the defaults with the config file's `[keys]`.
    pub fn keymap(&self) -> Result<KeyMap> {
        Ok(self.config_file()?.keys)
    }

    /// The saved views: the built-in ones with the config file's `[views.NAME]`.
    pub fn views(&self) -> Result<Vec<crate::domain::view::View>> {
        Ok(crate::domain::view::views_with(self.config_file()?.views))
    }

    /// When an instance counts as stuck: `HSN_STUCK_DAYS`, else `[stuck] days` of the
    /// config file, else 7 days; per workflow from `[stuck.workflows]`.
    pub fn stuck_rule(&self) -> Result<StuckRule> {
        let file = ConfigFile::load(|key| self.get(key))?;
        let mut rule =
            StuckRule::from_setting(self.get("HSN_STUCK_DAYS").as_deref()).map_err(|e| eyre!(e))?;
        if rule.source == "default"
            && let Some(days) = file.stuck.days
        {
            rule.default_days = days;
            rule.source = "config file";
        }
        rule.per_workflow = file.stuck.workflows.into_iter().collect();
        Ok(rule)
    }
}

fn read_env_file(path: &PathBuf) -> Result<Vec<(String, String)>> {
    let text = std::fs::read(path).wrap_err_with(|| format!("cannot read {}", path.display()))?;
    parse_env(&text, &path.display().to_string())
}

/// The `KEY=value` pairs of a `.env` file's text, in order; `name` is the file as errors
/// name it. (The seam the fuzz target `config` drives.)
pub fn parse_env(text: &[u8], name: &str) -> Result<Vec<(String, String)>> {
    dotenvy::from_read_iter(text)
        .map(|entry| {
            entry.map_err(|e| match e {
                dotenvy::Error::LineParse(line, index) => eyre!(
                    "{name} has a line hsn cannot read at character {index}: {:?}",
                    // Show the key only: the value may be the token.
                    env_key(&line)
                ),
                other => eyre!("cannot read {name}: {other}"),
            })
        })
        .collect()
}

/// The key a `.env` line starts with (after `export `), and nothing after it: a line
/// without `=`, such as `NOTION_API_TOKEN ntn_…`, must not be shown whole.
fn env_key(line: &str) -> &str {
    let line = line.trim_start();
    let line = line.strip_prefix("export ").map_or(line, str::trim_start);
    let end = line
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.')))
        .unwrap_or(line.len());
    &line[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_file_wins_and_missing_files_are_fine() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(".env"), "HSN_TEST_A=from-env-file\n").unwrap();
        std::fs::write(
            dir.path().join(".env.notion"),
            "HSN_TEST_A=from-notion-file\nHSN_TEST_B=b\n",
        )
        .unwrap();
        let settings = Settings::load(dir.path()).unwrap();
        assert_eq!(settings.get("HSN_TEST_A").as_deref(), Some("from-env-file"));
        assert_eq!(settings.get("HSN_TEST_B").as_deref(), Some("b"));
        let empty = tempfile::tempdir().unwrap();
        assert!(
            Settings::load(empty.path())
                .unwrap()
                .get("HSN_TEST_B")
                .is_none()
        );
    }

    #[test]
    fn a_bad_line_names_the_file_but_not_the_value() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(".env"),
            "GOOD=1\nNOTION_API_TOKEN='ntn_secretvalue\n",
        )
        .unwrap();
        let err = Settings::load(dir.path()).unwrap_err().to_string();
        assert!(err.contains(".env"), "{err}");
        assert!(!err.contains("ntn_secretvalue"), "{err}");
    }
}
