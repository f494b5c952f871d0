//! The token is a secret: after a whole session of commands — setup, doctor, reads, writes,
//! sync, failures — no byte hsn wrote anywhere (stdout, stderr, `.env.notion`, the store and
//! its journal, logs) contains it. Files hsn creates are readable by their owner only.

use std::process::Output;

use fake_notion::FakeNotion;

mod support;
use serde_json::json;
use support::{contains, files_under};

// Dashes keep it from looking like a real token to secret scanners; it is as unique.
const CANARY: &str = "ntn_CANARY-7a1f3c9e-5b2d8f4a-6c0e1b3d5f7a9c2e";

struct Run {
    dir: tempfile::TempDir,
    base: String,
    outputs: Vec<Output>,
}

impl Run {
    async fn hsn(&mut self, token: &str, base: Option<&str>, args: &[&str]) -> Output {
        let dir = self.dir.path();
        let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_hsn"))
            .args(args)
            .current_dir(dir.join("work"))
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", dir.join("home"))
            .env("XDG_STATE_HOME", dir.join("state"))
            .env("XDG_CONFIG_HOME", dir.join("config"))
            .env("XDG_DATA_HOME", dir.join("data-home"))
            .env("HSN_DATA_DIR", dir.join("data"))
            .env("NOTION_API_BASE", base.unwrap_or(&self.base))
            .env("NOTION_API_TOKEN", token)
            .env("NOTION_RATE_LIMIT", "1000")
            .env("RUST_BACKTRACE", "1")
            .output()
            .await
            .unwrap();
        self.outputs.push(output.clone());
        output
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_token_appears_in_nothing_hsn_writes() {
    let fake = FakeNotion::new(CANARY);
    let base = fake.start().await;
    let parent = fake.create_workspace_page("HigherSelf Network");
    let dir = tempfile::tempdir().unwrap();
    for sub in ["work", "home", "state", "config", "data-home"] {
        std::fs::create_dir_all(dir.path().join(sub)).unwrap();
    }
    let mut run = Run {
        dir,
        base,
        outputs: Vec::new(),
    };

    assert!(
        run.hsn(CANARY, None, &["setup", "--parent", &parent])
            .await
            .status
            .success()
    );
    assert!(run.hsn(CANARY, None, &["doctor"]).await.status.success());
    // A workflow and an instance to work on, made in Notion by someone else.
    let env: std::collections::HashMap<String, String> =
        dotenvy::from_path_iter(run.dir.path().join("work/.env.notion"))
            .unwrap()
            .map(Result::unwrap)
            .collect();
    let workflow = fake.insert_page(
        &env["NOTION_WORKFLOWS_LIBRARY_DS"],
        json!({
            "Workflow ID": {"title": [{"text": {"content": "WF-WELL-BOOK"}}]},
            "States": {"rich_text": [{"text": {"content": "[\"inquiry\",\"consultation\",\"completed\"]"}}]},
        }),
    );
    fake.insert_page(
        &env["NOTION_ACTIVE_WORKFLOW_INSTANCES_DS"],
        json!({
            "Instance ID": {"title": [{"text": {"content": "INST-00c0ffee"}}]},
            "Workflow": {"relation": [{"id": workflow}]},
            "Current State": {"rich_text": [{"text": {"content": "inquiry"}}]},
        }),
    );
    for args in [
        vec!["list", "instances"],
        vec!["show", "INST-00c0ffee"],
        vec![
            "advance",
            "INST-00c0ffee",
            "consultation",
            "--note",
            "secrets test",
        ],
        vec!["history", "INST-00c0ffee"],
        vec![
            "task",
            "new",
            "--instance",
            "INST-00c0ffee",
            "--name",
            "Check the canary",
        ],
        vec!["list", "tasks"],
        vec!["sync", "--full"],
        vec!["query", env["NOTION_TASKS_DS"].as_str()],
    ] {
        let output = run.hsn(CANARY, None, &args).await;
        assert!(
            output.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    // Failures print errors: none may carry the token.
    // A rejected token: the cache is shown with a warning on stderr.
    run.hsn(
        "ntn_WRONG_CANARY_token_value_000000",
        None,
        &["list", "instances"],
    )
    .await;
    assert!(
        !run.hsn(
            CANARY,
            Some("http://127.0.0.1:9"),
            &["query", &env["NOTION_TASKS_DS"]]
        )
        .await
        .status
        .success()
    );
    assert!(
        !run.hsn(CANARY, None, &["advance", "INST-00c0ffee", "nowhere"])
            .await
            .status
            .success()
    );

    let needles: [&[u8]; 2] = [
        CANARY.as_bytes(),
        b"CANARY-7a1f3c9e-5b2d8f4a-6c0e1b3d5f7a9c2e",
    ];
    for (n, output) in run.outputs.iter().enumerate() {
        for needle in needles {
            assert!(
                !contains(&output.stdout, needle),
                "run {n}: the token is in stdout"
            );
            assert!(
                !contains(&output.stderr, needle),
                "run {n}: the token is in stderr"
            );
        }
    }
    let files = files_under(run.dir.path());
    assert!(
        files
            .iter()
            .any(|f| f.extension().is_some_and(|e| e == "sqlite")),
        "the store was written: {files:?}"
    );
    for file in &files {
        let bytes = std::fs::read(file).unwrap();
        for needle in needles {
            assert!(
                !contains(&bytes, needle),
                "the token is in {}",
                file.display()
            );
        }
        #[cfg(unix)]
        if file.extension().is_some_and(|e| e == "sqlite") || file.ends_with(".env.notion") {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(file).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{} is mode {mode:o}", file.display());
        }
    }
}
