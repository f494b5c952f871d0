//! Writing `.env.notion`: atomically (temp file + rename, so a crash leaves the old file or
//! the new one, never half of one), readable by the owner only, and keeping every line it
//! does not own.

use std::io::Write;
use std::path::Path;

use color_eyre::eyre::{Result, WrapErr};

/// Sets `values` in the env file at `path`, creating it if needed. A key already in the
/// file is updated in place; new keys are appended in the order given; other lines,
/// comments included, stay as they were.
pub fn update_env_file(path: &Path, values: &[(String, String)]) -> Result<()> {
    let existing = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(e).wrap_err_with(|| format!("cannot read {}", path.display())),
    };
    let mut written = std::collections::HashSet::new();
    let mut lines: Vec<String> = Vec::new();
    for line in existing.lines() {
        match key_of(line).and_then(|key| values.iter().find(|(k, _)| k == key)) {
            // A later duplicate of a key we own would override ours when read: drop it.
            Some((key, _)) if written.contains(key) => {}
            Some((key, value)) => {
                lines.push(format!("{key}={value}"));
                written.insert(key.clone());
            }
            None => lines.push(line.to_string()),
        }
    }
    for (key, value) in values {
        if !written.contains(key) {
            lines.push(format!("{key}={value}"));
        }
    }
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    // NamedTempFile is created with mode 0600 on Unix, so the ids are never world-readable,
    // not even for a moment.
    let mut file = tempfile::NamedTempFile::new_in(dir)
        .wrap_err_with(|| format!("cannot create a temporary file in {}", dir.display()))?;
    let mut text = lines.join("\n");
    text.push('\n');
    file.write_all(text.as_bytes())
        .and_then(|()| file.as_file().sync_all())
        .wrap_err_with(|| format!("cannot write {}", path.display()))?;
    file.persist(path)
        .wrap_err_with(|| format!("cannot replace {}", path.display()))?;
    Ok(())
}

/// The key of a `KEY=value` or `export KEY=value` line.
fn key_of(line: &str) -> Option<&str> {
    let line = line.trim_start();
    let line = line.strip_prefix("export ").unwrap_or(line);
    let (key, _) = line.split_once('=')?;
    let key = key.trim();
    (!key.is_empty() && !key.starts_with('#')).then_some(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_foreign_lines_updates_owned_keys_and_appends_new_ones() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".env.notion");
        std::fs::write(
            &path,
            "# my notes\nOTHER=keep me\nNOTION_TASKS_DB=old\nexport NOTION_TASKS_DB=older\n",
        )
        .unwrap();
        update_env_file(
            &path,
            &[
                ("NOTION_TASKS_DB".into(), "new-db".into()),
                ("NOTION_TASKS_DS".into(), "new-ds".into()),
            ],
        )
        .unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "# my notes\nOTHER=keep me\nNOTION_TASKS_DB=new-db\nNOTION_TASKS_DS=new-ds\n"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
    }

    #[test]
    fn creates_the_file_when_missing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".env.notion");
        update_env_file(&path, &[("A".into(), "1".into())]).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "A=1\n");
    }
}
