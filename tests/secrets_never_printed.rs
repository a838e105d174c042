//! Issue #17: no credential of `fixtures/secrets-corpus` is ever printed by lint, in any
//! format, at any width, with or without exempted findings, from files or from stdin; and the
//! pack reports every place they stand in. (The webhook's half is in serve_webhook.rs, the
//! audit's in scripts/e2e.sh.)

use std::process::{Command, Output};

#[path = "common/secret_corpus.rs"]
mod secret_corpus;

use secret_corpus::{corpus_dir, leaks, secrets};

const BIN: &str = env!("CARGO_BIN_EXE_k8s-constitution");

/// Exempts two of the secret rules so that `--show-exempted` has something to show.
const EXEMPTING_CONFIG: &str = "exemptions:\n  - rules: [env-literal-secrets, annotation-secrets]\n    namespace: secrets-corpus\n    reason: corpus of fake credentials for the redaction test\n";

fn lint(args: &[&str], columns: &str, config: &std::path::Path, stdin: Option<&str>) -> Output {
    let mut command = Command::new(BIN);
    command
        .arg("lint")
        .args(args)
        .arg("--config")
        .arg(config)
        .env("COLUMNS", columns)
        .env("NO_COLOR", "1")
        .current_dir(corpus_dir());
    match stdin {
        Some(text) => {
            use std::io::Write;
            let mut child = command
                .arg("-")
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("spawn lint");
            child
                .stdin
                .take()
                .expect("stdin")
                .write_all(text.as_bytes())
                .expect("write stdin");
            child.wait_with_output().expect("lint output")
        }
        None => command.arg(".").output().expect("run lint"),
    }
}

#[test]
fn the_corpus_holds_every_listed_credential() {
    let corpus: String = ["workloads.yaml", "config.yaml", "more-workloads.yaml"]
        .iter()
        .map(|f| std::fs::read_to_string(corpus_dir().join(f)).expect("corpus file"))
        .collect();
    let listed = secrets();
    assert!(listed.len() >= 40, "only {} credentials", listed.len());
    for (value, label) in &listed {
        let forms = secret_corpus::forbidden_forms(value);
        assert!(
            corpus.contains(value.as_str()) || corpus.contains(forms[1].as_str()),
            "{label}: {value} is not in the corpus"
        );
    }
    // The check can fail: the corpus itself leaks every credential.
    assert_eq!(leaks(&corpus).len(), listed.len());
}

#[test]
fn no_output_of_lint_shows_a_credential() {
    let dir = tempfile::tempdir().expect("tempdir");
    let none = dir.path().join("none.yaml");
    std::fs::write(&none, "{}\n").expect("config");
    let exempting = dir.path().join("exempting.yaml");
    std::fs::write(&exempting, EXEMPTING_CONFIG).expect("config");
    let stdin: String = ["workloads.yaml", "config.yaml", "more-workloads.yaml"]
        .iter()
        .map(|f| std::fs::read_to_string(corpus_dir().join(f)).expect("corpus file") + "\n---\n")
        .collect();

    let mut runs = 0;
    for config in [&none, &exempting] {
        for format in ["human", "json", "sarif", "junit", "github"] {
            for extra in [
                &[][..],
                &["--show-exempted"][..],
                &["--redact-all-values"][..],
            ] {
                for columns in ["60", "100", "160"] {
                    if format != "human" && columns != "100" {
                        continue;
                    }
                    for input in [None, Some(stdin.as_str())] {
                        let mut args = vec!["--format", format];
                        args.extend_from_slice(extra);
                        let out = lint(&args, columns, config, input);
                        let stdout = String::from_utf8_lossy(&out.stdout);
                        let stderr = String::from_utf8_lossy(&out.stderr);
                        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
                        assert!(stdout.len() > 200, "{args:?}: too little output");
                        let shown = leaks(&format!("{stdout}{stderr}"));
                        assert!(
                            shown.is_empty(),
                            "lint {args:?} (COLUMNS={columns}, stdin: {}) shows {shown:#?}",
                            input.is_some()
                        );
                        runs += 1;
                    }
                }
            }
        }
    }
    assert_eq!(runs, 2 * (3 * 3 * 2 + 4 * 3 * 2));
}

/// Every place of the corpus is reported: each (rule, field) below is a finding of the JSON
/// report (the paths a user is pointed at, none of them printing the value).
#[test]
fn every_place_a_credential_stands_is_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    let none = dir.path().join("none.yaml");
    std::fs::write(&none, "{}\n").expect("config");
    let out = lint(&["--format", "json"], "100", &none, None);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let found: Vec<(String, String, String)> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["file"].as_str().unwrap_or_default().to_string(),
                f["rule"].as_str().unwrap_or_default().to_string(),
                f["path"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    let expected = [
        (
            "workloads.yaml",
            "annotation-secrets",
            "metadata.annotations.vault-token",
        ),
        (
            "workloads.yaml",
            "annotation-secrets",
            "metadata.annotations[\"example.com/db-password\"]",
        ),
        (
            "workloads.yaml",
            "annotation-secrets",
            "metadata.annotations[\"ci.example.com/deploy-key\"]",
        ),
        (
            "workloads.yaml",
            "env-literal-secrets",
            "metadata.annotations[\"kubectl.kubernetes.io/last-applied-configuration\"]",
        ),
        (
            "workloads.yaml",
            "args-literal-secrets",
            "metadata.annotations[\"kubectl.kubernetes.io/last-applied-configuration\"]",
        ),
        (
            "workloads.yaml",
            "annotation-secrets",
            "spec.template.metadata.annotations[\"backup.example.com/s3-secret-key\"]",
        ),
        (
            "workloads.yaml",
            "annotation-secrets",
            "spec.template.metadata.annotations[\"alerts.example.com/webhook\"]",
        ),
        (
            "workloads.yaml",
            "args-literal-secrets",
            "spec.template.spec.initContainers[0].command[2]",
        ),
        (
            "workloads.yaml",
            "args-literal-secrets",
            "spec.template.spec.containers[0].command[1]",
        ),
        (
            "workloads.yaml",
            "args-literal-secrets",
            "spec.template.spec.containers[0].args[0]",
        ),
        (
            "workloads.yaml",
            "args-literal-secrets",
            "spec.template.spec.containers[0].args[2]",
        ),
        (
            "workloads.yaml",
            "args-literal-secrets",
            "spec.template.spec.containers[0].args[4]",
        ),
        (
            "workloads.yaml",
            "args-literal-secrets",
            "spec.template.spec.containers[1].command[2]",
        ),
        (
            "workloads.yaml",
            "args-literal-secrets",
            "spec.template.spec.containers[1].args[1]",
        ),
        (
            "workloads.yaml",
            "args-literal-secrets",
            "spec.template.spec.containers[2].args[0]",
        ),
        (
            "workloads.yaml",
            "args-literal-secrets",
            "spec.template.spec.containers[2].args[1]",
        ),
        (
            "config.yaml",
            "annotation-secrets",
            "metadata.annotations.api-token",
        ),
        ("config.yaml", "configmap-secrets", "data.DB_PASSWORD"),
        (
            "config.yaml",
            "configmap-secrets",
            "data[\"app.properties\"]",
        ),
        ("config.yaml", "configmap-secrets", "binaryData.db-password"),
        (
            "config.yaml",
            "configmap-secrets",
            "binaryData[\"creds.env\"]",
        ),
        (
            "more-workloads.yaml",
            "annotation-secrets",
            "metadata.annotations[\"backup.example.com/encryption-passphrase\"]",
        ),
        (
            "more-workloads.yaml",
            "args-literal-secrets",
            "spec.jobTemplate.spec.template.spec.containers[0].args[0]",
        ),
        (
            "more-workloads.yaml",
            "args-literal-secrets",
            "spec.jobTemplate.spec.template.spec.containers[0].args[2]",
        ),
        (
            "more-workloads.yaml",
            "annotation-secrets",
            "metadata.annotations[\"debug.example.com/session-token\"]",
        ),
    ];
    let missing: Vec<_> = expected
        .iter()
        .filter(|(file, rule, path)| {
            !found
                .iter()
                .any(|(f, r, p)| f.ends_with(file) && r == rule && p == path)
        })
        .collect();
    assert!(
        missing.is_empty(),
        "not reported: {missing:#?}\nfound: {found:#?}"
    );
}
