//! Where the Notion token lives, checked: the integration guide keeps every token in the
//! environment. `hsn doctor` says where it came from, whether a `.env` file holding it is
//! readable by others or would be committed, whether a shell history holds it, and
//! whether it has a Notion token's shape. The token itself is never in a line.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::doctor::{Check, Verdict};
use crate::config::ENV_FILES;

const KEY: &str = "NOTION_API_TOKEN";

fn line(verdict: Verdict, message: impl Into<String>, fix: Option<String>) -> Check {
    Check {
        verdict,
        subject: "token".to_string(),
        message: message.into(),
        fix,
    }
}

/// Whether the `.env` file's text sets the token (to anything).
fn sets_token(text: &str) -> bool {
    crate::config::parse_env(text.as_bytes(), "env file")
        .map(|pairs| pairs.iter().any(|(k, v)| k == KEY && !v.trim().is_empty()))
        .unwrap_or(false)
}

/// The checks of where the token lives. `token`: the one in use (environment first, then
/// the files); `from_environment`: whether the process environment set it; `dir`: where
/// the `.env` files are read; `histories`: the shell history files to look in.
pub fn token_place(
    token: Option<&str>,
    from_environment: bool,
    dir: &Path,
    histories: &[PathBuf],
) -> Vec<Check> {
    let mut checks = Vec::new();
    let Some(token) = token.filter(|t| !t.trim().is_empty()) else {
        // Nothing of a workspace can be checked: a failure (`hsn --demo doctor` checks the
        // demo's records alone).
        checks.push(line(
            Verdict::Failure,
            "no NOTION_API_TOKEN, so no workspace to check (hsn runs on its demo workspace)",
            Some("set NOTION_API_TOKEN in the environment or .env (mode 0600)".into()),
        ));
        return checks;
    };
    let holders: Vec<(&str, PathBuf)> = ENV_FILES
        .iter()
        .map(|name| (*name, dir.join(name)))
        .filter(|(_, path)| std::fs::read_to_string(path).is_ok_and(|t| sets_token(&t)))
        .collect();
    let source = if from_environment {
        "the environment".to_string()
    } else {
        holders
            .first()
            .map_or("nowhere hsn can name".to_string(), |(name, _)| {
                name.to_string()
            })
    };
    checks.push(line(Verdict::Ok, format!("read from {source}"), None));
    for (name, path) in &holders {
        if *name == ".env.notion" {
            checks.push(line(
                Verdict::Warning,
                ".env.notion holds the token; hsn setup writes that file and it is shared more often",
                Some("move NOTION_API_TOKEN to .env or the environment".into()),
            ));
        }
        checks.extend(file_mode(name, path));
        checks.extend(git_ignored(name, path));
    }
    for history in histories {
        if let Ok(text) = std::fs::read(history)
            && contains(&text, token.as_bytes())
        {
            checks.push(line(
                Verdict::Warning,
                format!("the token is in {} (it was typed on a command line)", history.display()),
                Some(format!(
                    "remove those lines from {} and rotate the token (Notion → Settings → Connections)",
                    history.display()
                )),
            ));
        }
    }
    if token.starts_with("ntn_") || token.starts_with("secret_") {
        checks.push(line(
            Verdict::Ok,
            "has a Notion token's shape (ntn_…)",
            None,
        ));
    } else {
        checks.push(line(
            Verdict::Warning,
            "does not look like a Notion token (ntn_… or secret_…)",
            Some("copy the integration's Internal Integration Secret (Notion → Settings → Connections)".into()),
        ));
    }
    checks
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// A file holding the token must be readable by its owner only.
fn file_mode(name: &str, path: &Path) -> Option<Check> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o777;
        Some(if mode & 0o077 == 0 {
            line(Verdict::Ok, format!("{name} is mode {mode:04o}"), None)
        } else {
            line(
                Verdict::Failure,
                format!("{name} holds the token and is mode {mode:04o}: other users can read it"),
                Some(format!("chmod 600 {name}")),
            )
        })
    }
    #[cfg(not(unix))]
    {
        let _ = (name, path);
        None
    }
}

/// Inside a git work tree, a file holding the token must be ignored; outside one, or
/// without git, there is nothing to check.
fn git_ignored(name: &str, path: &Path) -> Option<Check> {
    let dir = path.parent()?;
    let status = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["check-ignore", "-q", "--"])
        .arg(path)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .ok()?;
    match status.code() {
        Some(0) => Some(line(Verdict::Ok, format!("{name} is ignored by git"), None)),
        Some(1) => Some(line(
            Verdict::Failure,
            format!("{name} holds the token and is not ignored by git: a commit would publish it"),
            Some(format!(
                "add {name} to .gitignore (and rotate the token if it was ever committed)"
            )),
        )),
        // 128: not a work tree.
        _ => None,
    }
}

/// The shell history files of `home` worth looking in.
pub fn shell_histories(home: &Path) -> Vec<PathBuf> {
    [
        ".bash_history",
        ".zsh_history",
        ".history",
        ".local/share/fish/fish_history",
    ]
    .iter()
    .map(|name| home.join(name))
    .collect()
}
