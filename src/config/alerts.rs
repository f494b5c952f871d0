//! `[alerts]`: which news the dashboard flashes, and whether it also rings the terminal
//! bell or sends a desktop notification (both off by default). The environment wins:
//! `HSN_ALERTS` (a comma list; empty: none), `HSN_ALERT_BELL`, `HSN_ALERT_DESKTOP` (1 or 0).
//!
//! ```toml
//! [alerts]
//! events = ["error", "stuck", "assigned", "overdue"]   # the default: all
//! bell = false
//! desktop = false
//! ```

use color_eyre::eyre::{Result, eyre};
use serde::Deserialize;

use super::Settings;
use crate::domain::alerts::AlertKinds;

/// `[alerts]` as written.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertsConfig {
    /// `None`: every kind.
    pub events: Option<Vec<String>>,
    #[serde(default)]
    pub bell: bool,
    #[serde(default)]
    pub desktop: bool,
}

impl AlertsConfig {
    /// Checks the event names (the file's errors are found when it is read).
    pub(super) fn check(&self) -> Result<(), String> {
        self.kinds().map(|_| ())
    }

    fn kinds(&self) -> Result<AlertKinds, String> {
        match &self.events {
            None => Ok(AlertKinds::default()),
            Some(names) => AlertKinds::parse(names.iter().map(String::as_str))
                .map_err(|e| format!("[alerts] events: {e}")),
        }
    }
}

/// What alerts, and how.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AlertSettings {
    pub kinds: AlertKinds,
    /// Ring the terminal bell with each alert.
    pub bell: bool,
    /// Send a desktop notification with each alert.
    pub desktop: bool,
}

fn switch(settings: &Settings, key: &str) -> Result<Option<bool>> {
    let Some(value) = settings.get(key).filter(|v| !v.trim().is_empty()) else {
        return Ok(None);
    };
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(Some(true)),
        "0" | "false" | "no" | "off" => Ok(Some(false)),
        _ => Err(eyre!("{key} is {value:?}: use 1 or 0")),
    }
}

impl Settings {
    /// The alerts: the environment, else the config file's `[alerts]`, else every kind,
    /// no bell, no desktop notification.
    pub fn alerts(&self) -> Result<AlertSettings> {
        let file = self.config_file()?.alerts;
        let kinds = match self.get("HSN_ALERTS") {
            Some(list) => AlertKinds::parse(list.split(','))
                .map_err(|e| eyre!("HSN_ALERTS is {list:?}: {e}"))?,
            None => file.kinds().map_err(|e| eyre!(e))?,
        };
        Ok(AlertSettings {
            kinds,
            bell: switch(self, "HSN_ALERT_BELL")?.unwrap_or(file.bell),
            desktop: switch(self, "HSN_ALERT_DESKTOP")?.unwrap_or(file.desktop),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::ConfigFile;
    use crate::domain::alerts::AlertKind;

    #[test]
    fn alerts_default_to_every_kind_quietly_and_names_are_checked() {
        let none = ConfigFile::parse("").unwrap().alerts;
        assert_eq!(none.kinds().unwrap().0.len(), 4);
        assert!(!none.bell && !none.desktop);
        let file = ConfigFile::parse("[alerts]\nevents = [\"error\"]\nbell = true\n")
            .unwrap()
            .alerts;
        let kinds = file.kinds().unwrap();
        assert!(kinds.contains(AlertKind::Error) && !kinds.contains(AlertKind::Stuck));
        assert!(file.bell && !file.desktop);
        let typo = ConfigFile::parse("[alerts]\nevents = [\"erorr\"]\n").unwrap_err();
        assert!(typo.contains("erorr"), "{typo}");
        let unknown = ConfigFile::parse("[alerts]\nbeep = true\n").unwrap_err();
        assert!(unknown.contains("beep"), "{unknown}");
    }

    /// The environment (here, `.env`) wins over the file, and a bad value is an error
    /// naming the setting.
    #[test]
    fn the_environment_chooses_the_alerts_and_a_bad_value_says_which() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config.toml");
        std::fs::write(&config, "[alerts]\nevents = [\"stuck\"]\ndesktop = true\n").unwrap();
        let env = |extra: &str| {
            let text = format!("HSN_CONFIG={}\n{extra}", config.display());
            std::fs::write(dir.path().join(".env"), text).unwrap();
            super::Settings::load(dir.path()).unwrap()
        };
        let from_file = env("").alerts().unwrap();
        assert!(
            from_file.kinds.contains(AlertKind::Stuck)
                && !from_file.kinds.contains(AlertKind::Error)
        );
        assert!(from_file.desktop && !from_file.bell);
        let from_env =
            env("HSN_ALERTS=\"error, overdue\"\nHSN_ALERT_BELL=1\nHSN_ALERT_DESKTOP=0\n")
                .alerts()
                .unwrap();
        let mut kinds: Vec<AlertKind> = from_env.kinds.0.into_iter().collect();
        kinds.sort();
        assert_eq!(kinds, [AlertKind::Error, AlertKind::Overdue]);
        assert!(from_env.bell && !from_env.desktop);
        let none = env("HSN_ALERTS=\n").alerts().unwrap();
        assert!(none.kinds.0.is_empty(), "empty: no alerts");
        let bad = env("HSN_ALERTS=error,nope\n")
            .alerts()
            .unwrap_err()
            .to_string();
        assert!(bad.contains("HSN_ALERTS") && bad.contains("nope"), "{bad}");
        let bad = env("HSN_ALERT_BELL=loud\n")
            .alerts()
            .unwrap_err()
            .to_string();
        assert!(bad.contains("HSN_ALERT_BELL"), "{bad}");
    }
}
