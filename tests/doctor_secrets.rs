//! `hsn doctor` keeps the integration guide's security rules: credentials stored in Notion
//! are found and named masked (never the value, in any output or log), `API Keys
//! Reference` holds references only, and the token's place is checked.

use hsn::domain::schema::DatabaseKey;
use hsn::notion::PageParent;
use hsn::workspace::doctor::Verdict;
use hsn::workspace::token_place::token_place;
use serde_json::{Value, json};

mod support;
use support::{Workspace, contains, files_under, workspace};

/// What a run printed, success or not.
fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

const STRIPE_KEY: &str = concat!("sk_live_", "51HqLyjWDarjtT1zdp7dcXzQkJ8Qy3kQ9");
const AWS_KEY_ID: &str = "AKIAIOSFODNN7EXAMPLE";
const AWS_SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

fn text(content: &str) -> Value {
    json!([{"text": {"content": content}}])
}

async fn entity(ws: &Workspace, name: &str, reference: &str) -> String {
    ws.client
        .create_page(
            PageParent::DataSource(ws.source(DatabaseKey::BusinessEntities)),
            json!({
                "Name": {"title": text(name)},
                "API Keys Reference": {"rich_text": text(reference)},
            }),
        )
        .await
        .unwrap()
        .id
}

/// Runs hsn with its logs in the workspace too, so every byte it writes can be read.
async fn doctor(ws: &Workspace, args: &[&str]) -> std::process::Output {
    let dir = ws.dir.path();
    ws.hsn(&dir.join("data"))
        .args(args)
        .env("HOME", dir.join("home"))
        .env("XDG_STATE_HOME", dir.join("state"))
        .env("HSN_OPERATOR", "grace")
        .output()
        .await
        .unwrap()
}

#[tokio::test]
async fn doctor_names_each_credential_masked_and_is_green_once_it_is_a_reference() {
    let ws = workspace().await;
    let leaky = entity(&ws, "Stripe Shop", STRIPE_KEY).await;
    entity(&ws, "Vaulted Shop", "vault://kv/tcp/stripe").await;
    let task = ws
        .client
        .create_page(
            PageParent::DataSource(ws.source(DatabaseKey::Tasks)),
            json!({
                "Task ID": {"title": text("TASK-AWS")},
                "Task Name": {"rich_text": text("Rotate the backup credentials")},
                "Description": {"rich_text": text(&format!(
                    "old pair: aws_access_key_id = {AWS_KEY_ID}\naws_secret_access_key = {AWS_SECRET}"
                ))},
            }),
        )
        .await
        .unwrap()
        .id;

    let output = doctor(&ws, &["doctor", "--secrets"]).await;
    assert!(!output.status.success(), "findings fail doctor");
    let out = stdout(&output);
    let findings: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("FAIL secrets:"))
        .collect();
    assert_eq!(findings.len(), 2, "{out}");
    assert!(
        findings.iter().any(|l| l
            .contains("Business Entities Registry · Stripe Shop · API Keys Reference")
            && l.contains("stripe-secret-key")
            && l.contains("sk_live_••••••••3kQ9")),
        "{out}"
    );
    assert!(
        findings
            .iter()
            .any(|l| l.contains("TASK-AWS · Description") && l.contains("aws-access-key-id")),
        "{out}"
    );
    assert!(!out.contains("Vaulted Shop"), "a reference is fine: {out}");
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("2 credentials stored in Notion"),
        "{:?}",
        output.stderr
    );

    // For scripts: one JSON line a finding, masked as well.
    let json = doctor(&ws, &["doctor", "--secrets", "--json"]).await;
    let lines: Vec<Value> = stdout(&json)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .filter(|v: &Value| v["kind"] == "secret")
        .collect();
    let mut rules: Vec<&str> = lines.iter().map(|v| v["rule"].as_str().unwrap()).collect();
    rules.sort();
    assert_eq!(rules, ["aws-access-key-id", "stripe-secret-key"]);

    // The whole doctor (the workspace's checks too) reports them and fails.
    let full = doctor(&ws, &["doctor"]).await;
    assert!(!full.status.success());
    let full_out = stdout(&full);
    assert!(
        full_out.contains("ok   token: read from the environment"),
        "{full_out}"
    );
    assert_eq!(full_out.matches("FAIL secrets:").count(), 2, "{full_out}");

    // Not one of the values in any output, nor in the logs (the store holds Notion's copy
    // of the records, as the JSON outputs do: see SECURITY.md).
    let mut written: Vec<(String, Vec<u8>)> = Vec::new();
    for run in [&output, &json, &full] {
        written.push(("stdout".into(), run.stdout.clone()));
        written.push(("stderr".into(), run.stderr.clone()));
    }
    for file in files_under(&ws.dir.path().join("state")) {
        written.push((file.display().to_string(), std::fs::read(&file).unwrap()));
    }
    for (name, bytes) in &written {
        for secret in [STRIPE_KEY, AWS_KEY_ID, AWS_SECRET] {
            assert!(!contains(bytes, secret.as_bytes()), "{secret} in {name}");
        }
    }

    // Text for people masks them (the table of entities, a task shown); JSON stays exact.
    for args in [&["list", "entities"][..], &["show", "TASK-AWS"][..]] {
        let command = support::terminal::hsn_command(&ws, args);
        let (ok, bytes) =
            tokio::task::spawn_blocking(move || support::terminal::run_in_terminal(command))
                .await
                .unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(ok, "{args:?}: {text}");
        for secret in [STRIPE_KEY, AWS_KEY_ID, AWS_SECRET] {
            assert!(!text.contains(secret), "{args:?} shows {secret}: {text}");
        }
        assert!(text.contains("⚠ "), "{args:?}: {text}");
    }
    let json = doctor(&ws, &["list", "entities", "--json"]).await;
    assert!(stdout(&json).contains(STRIPE_KEY), "JSON is exact");

    // Moved to the secret store: doctor is green.
    ws.client
        .update_page(
            &leaky,
            json!({"API Keys Reference": {"rich_text": text("vault://kv/shop/stripe")}}),
        )
        .await
        .unwrap();
    ws.client
        .update_page(
            &task,
            json!({"Description": {"rich_text": text("credentials rotated, kept in op://Backups/aws")}}),
        )
        .await
        .unwrap();
    let green = doctor(&ws, &["doctor", "--secrets"]).await;
    assert!(green.status.success(), "{}", stdout(&green));
    assert!(stdout(&green).contains("ok   secrets: no credentials"));
}

fn verdicts(checks: &[hsn::workspace::doctor::Check]) -> Vec<(Verdict, String)> {
    checks.iter().map(|c| (c.verdict, c.to_string())).collect()
}

#[test]
fn a_dot_env_holding_the_token_must_be_private_and_ignored_by_git() {
    use std::os::unix::fs::PermissionsExt;
    let token = concat!("ntn_", "9Xk2LmQ7pR4sT8vW1yZ3aB6cD0eF5gH2jK4mN7pQ9rS");
    let dir = tempfile::tempdir().unwrap();
    let env = dir.path().join(".env");
    std::fs::write(&env, format!("NOTION_API_TOKEN={token}\n")).unwrap();
    std::fs::set_permissions(&env, std::fs::Permissions::from_mode(0o644)).unwrap();
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .arg("-C")
            .arg(dir.path())
            .args(args)
            .output()
            .unwrap()
    };
    git(&["init", "-q"]);
    let checks = token_place(Some(token), false, dir.path(), &[]);
    let lines = verdicts(&checks);
    assert!(
        lines
            .iter()
            .any(|(v, l)| *v == Verdict::Ok && l.contains("read from .env")),
        "{lines:?}"
    );
    assert!(
        lines.iter().any(|(v, l)| *v == Verdict::Failure
            && l.contains("mode 0644")
            && l.contains("chmod 600 .env")),
        "{lines:?}"
    );
    assert!(
        lines
            .iter()
            .any(|(v, l)| *v == Verdict::Failure && l.contains("not ignored by git")),
        "{lines:?}"
    );
    // Fixed: private and ignored.
    std::fs::set_permissions(&env, std::fs::Permissions::from_mode(0o600)).unwrap();
    std::fs::write(dir.path().join(".gitignore"), ".env\n").unwrap();
    let lines = verdicts(&token_place(Some(token), false, dir.path(), &[]));
    assert!(lines.iter().all(|(v, _)| *v == Verdict::Ok), "{lines:?}");
    assert!(
        lines
            .iter()
            .any(|(_, l)| l.contains(".env is ignored by git"))
    );
    assert!(lines.iter().any(|(_, l)| l.contains("mode 0600")));
    // No line ever holds the token.
    assert!(!lines.iter().any(|(_, l)| l.contains(token)));
}

#[test]
fn a_token_in_a_shell_history_or_of_the_wrong_shape_is_a_warning() {
    let token = concat!("ntn_", "9Xk2LmQ7pR4sT8vW1yZ3aB6cD0eF5gH2jK4mN7pQ9rS");
    let dir = tempfile::tempdir().unwrap();
    let history = dir.path().join(".bash_history");
    std::fs::write(
        &history,
        format!("ls\nexport NOTION_API_TOKEN={token}\nhsn\n"),
    )
    .unwrap();
    let clean = dir.path().join(".zsh_history");
    std::fs::write(&clean, "ls\n").unwrap();
    // Outside any git work tree: no git line.
    let lines = verdicts(&token_place(
        Some(token),
        true,
        dir.path(),
        &[history.clone(), clean],
    ));
    assert!(
        lines
            .iter()
            .any(|(v, l)| *v == Verdict::Ok && l.contains("read from the environment"))
    );
    let warned: Vec<&String> = lines
        .iter()
        .filter(|(v, _)| *v == Verdict::Warning)
        .map(|(_, l)| l)
        .collect();
    assert_eq!(warned.len(), 1, "{lines:?}");
    assert!(warned[0].contains(".bash_history") && warned[0].contains("rotate"));
    assert!(
        !lines
            .iter()
            .any(|(_, l)| l.contains(token) || l.contains("git"))
    );
    let odd = verdicts(&token_place(Some("abc123"), true, dir.path(), &[]));
    assert!(
        odd.iter().any(|(v, l)| *v == Verdict::Warning && l.contains("does not look like a Notion token")),
        "{odd:?}"
    );
}

#[test]
fn without_a_token_there_is_no_workspace_to_check() {
    let dir = tempfile::tempdir().unwrap();
    let lines = verdicts(&token_place(None, false, dir.path(), &[]));
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0].0, Verdict::Failure);
    assert!(lines[0].1.contains("set NOTION_API_TOKEN"));
}
