//! Snapshot tests of the human, compact, JSON and SARIF output (insta). Run from the repository root
//! with relative paths and a fixed rule selection so the snapshots only change when the
//! output format does. Review changes with `cargo insta review`.

use assert_cmd::Command;

fn lint(format: &str, extra: &[&str]) -> String {
    let out = Command::cargo_bin("k8s-constitution")
        .expect("binary")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .args([
            "lint",
            "fixtures/lint/mixed",
            "fixtures/lint/exemptions",
            "--only",
            "run-as-non-root,invalid-exemption",
            "--format",
            format,
        ])
        .args(extra)
        .output()
        .expect("runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn human_output() {
    insta::assert_snapshot!(lint("human", &[]));
}

#[test]
fn human_output_with_exempted() {
    insta::assert_snapshot!(lint("human", &["--show-exempted"]));
}

#[test]
fn compact_output() {
    insta::assert_snapshot!(lint("compact", &[]));
}

#[test]
fn compact_output_with_exempted() {
    insta::assert_snapshot!(lint("compact", &["--show-exempted"]));
}

#[test]
fn json_output() {
    insta::assert_snapshot!(lint("json", &[]));
}

#[test]
fn sarif_output() {
    // Rule descriptors come from the whole pack; keep the snapshot about the results.
    let mut sarif: serde_json::Value =
        serde_json::from_str(&lint("sarif", &[])).expect("sarif is JSON");
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"].take();
    assert!(rules.as_array().is_some_and(|r| r.iter().all(|d| {
        d["shortDescription"]["text"].is_string()
            && d["help"]["text"].is_string()
            && d["defaultConfiguration"]["level"].is_string()
    })));
    sarif["runs"][0]["tool"]["driver"]["version"] = "<version>".into();
    sarif["runs"][0]["tool"]["driver"]["semanticVersion"] = "<version>".into();
    insta::assert_json_snapshot!(sarif);
}

#[test]
fn secrets_are_masked_in_snippets() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("cm.yaml");
    std::fs::write(&file, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app-config\ndata:\n  LOG_LEVEL: info\n  DB_PASSWORD: \"Xk29!vQ8zLp3mW\"\n  DATABASE_URL: postgres://app:Zk8pQ2vLm9xR@db:5432/app\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\nstringData:\n  token: plain-secret-value-123\n").expect("write");
    for format in ["human", "json", "sarif", "junit", "github"] {
        let out = Command::cargo_bin("k8s-constitution")
            .expect("binary")
            .env("NO_COLOR", "1")
            .args([
                "lint",
                file.to_str().unwrap_or_default(),
                "--format",
                format,
            ])
            .output()
            .expect("runs");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("DB_PASSWORD"),
            "{format}: the key should be named:\n{text}"
        );
        for secret in ["Xk29!vQ8zLp3mW", "Zk8pQ2vLm9xR", "plain-secret-value-123"] {
            assert!(
                !text.contains(secret),
                "{format} output shows a secret value:\n{text}"
            );
        }
    }
}
