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

/// The binary run from `dir`, without colour, at 100 columns.
fn bin_in(dir: &std::path::Path) -> Command {
    let mut cmd = Command::cargo_bin("k8s-constitution").expect("binary");
    cmd.current_dir(dir)
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100");
    cmd
}

/// The binary at a terminal width, without colour, from the repository root.
fn run_at(width: usize, args: &[&str]) -> (String, Option<i32>) {
    let out = bin_in(std::path::Path::new(env!("CARGO_MANIFEST_DIR")))
        .env("COLUMNS", width.to_string())
        .args(args)
        .output()
        .expect("runs");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        out.status.code(),
    )
}

/// Every rule on one Deployment: the findings of one object under one snippet, numbered, each
/// distinct advice once, at the three widths people use (a split pane, the default, a wide
/// terminal). Nothing is cut inside a rule id, a field path or a URL.
#[test]
fn human_output_grouped_at_60_100_160_columns() {
    for width in [60, 100, 160] {
        let (out, code) = run_at(
            width,
            &[
                "lint",
                "fixtures/lint/mixed/deployment.yaml",
                "--config",
                "none",
            ],
        );
        assert_eq!(code, Some(1));
        for line in out.lines() {
            // The snippet reproduces the file's lines; everything else fits, except one word
            // longer than the width (a long field path), which is never cut.
            let one_word = !line.trim_start().contains(' ');
            if !line.contains('│') && !line.contains("docs: ") && !line.contains("── ") && !one_word
            {
                assert!(
                    line.chars().count() <= width,
                    "{width} columns: line too long: {line:?}"
                );
            }
        }
        insta::assert_snapshot!(format!("human_grouped_{width}"), out);
    }
}

/// The machine formats and the compact one do not depend on the terminal.
#[test]
fn other_formats_ignore_the_width() {
    for format in ["compact", "json", "sarif", "junit", "github"] {
        let args = [
            "lint",
            "fixtures/lint/mixed",
            "--config",
            "none",
            "--format",
            format,
        ];
        let (at_100, _) = run_at(100, &args);
        assert!(!at_100.is_empty(), "{format}: no output");
        for width in [60, 160] {
            assert_eq!(
                run_at(width, &args).0,
                at_100,
                "{format} changed at {width} columns"
            );
        }
    }
}

#[test]
fn rules_table_at_60_100_160_columns() {
    for width in [60, 100, 160] {
        let (out, code) = run_at(width, &["rules", "--config", "none"]);
        assert_eq!(code, Some(0));
        for line in out.lines() {
            assert!(line.chars().count() <= width, "{width}: {line:?}");
        }
        insta::assert_snapshot!(format!("rules_{width}"), out);
    }
}

/// Wrapped prose, parameters as a table, the rule's link; only the example manifest keeps its
/// own lines.
#[test]
fn explain_at_60_100_160_columns() {
    for width in [60, 100, 160] {
        let (out, code) = run_at(width, &["explain", "run-as-user-min", "--config", "none"]);
        assert_eq!(code, Some(0));
        let prose = out.split("\nFails (").next().unwrap_or_default();
        for line in prose.lines().filter(|l| !l.starts_with("Reference: ")) {
            assert!(line.chars().count() <= width, "{width}: {line:?}");
        }
        insta::assert_snapshot!(format!("explain_{width}"), out);
    }
}

/// An input that could not be read is shown like a finding (place, snippet, what to do), with
/// every value hidden: the document was not read, so nothing says which values are secret.
#[test]
fn input_error_shown_with_a_masked_snippet() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("broken.yaml");
    std::fs::write(
        &file,
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: \"hunter2-Zq9\n  other: [1, 2\n",
    )
    .expect("write");
    let out = bin_in(dir.path())
        .args(["lint", "broken.yaml", "--config", "none"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("hunter2"), "a value is shown:\n{text}");
    insta::assert_snapshot!(text);
}

/// A wrong configuration points at its line with a snippet, every problem at once.
#[test]
fn config_error_shown_with_a_snippet() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("cfg.yaml"),
        "rules:\n  min-replicas:\n    params: {min_replicas: x}\nexemptions:\n  - rules: [nope]\n    reason: r\n",
    )
    .expect("write");
    std::fs::write(dir.path().join("pod.yaml"), "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: x:1}]}\n").expect("write");
    let out = bin_in(dir.path())
        .args(["lint", "pod.yaml", "--config", "cfg.yaml"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    insta::assert_snapshot!(String::from_utf8_lossy(&out.stderr));
}

/// The redactor runs only on the objects a snippet can reach; a Secret just before an object
/// with a finding is within reach of its snippet, and its values stay masked.
#[test]
fn secret_next_to_a_finding_is_masked() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("pair.yaml");
    std::fs::write(
        &file,
        "apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: team}\nstringData:\n  a: first-Qv81\n  token: last-Zp27\n---\n{apiVersion: v1, kind: Pod, metadata: {name: p, namespace: team}, spec: {containers: [{name: c, image: x:1}]}}\n",
    )
    .expect("write");
    let (out, code) = run_at(
        100,
        &[
            "lint",
            file.to_str().unwrap_or_default(),
            "--config",
            "none",
        ],
    );
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains("token: "),
        "the Secret's lines should be in the snippet:\n{out}"
    );
    for secret in ["first-Qv81", "last-Zp27"] {
        assert!(!out.contains(secret), "a secret value is shown:\n{out}");
    }
}

/// The redactor is asked only about the values a snippet shows (the lines around each
/// underlined field); a random-looking value under an innocent key two lines below a label is
/// one of them, and stays masked, while the line itself is shown.
#[test]
fn value_in_a_snippets_context_lines_is_masked() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("web.yaml");
    std::fs::write(
        &file,
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\n  annotations:\n    notes: Zq8vLm3Rt6Yp2Wx9\nspec:\n  replicas: 1\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [{name: web, image: nginx:1.27}]\n",
    )
    .expect("write");
    let (out, code) = run_at(
        100,
        &[
            "lint",
            file.to_str().unwrap_or_default(),
            "--config",
            "none",
        ],
    );
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("notes: "), "the line should be shown:\n{out}");
    assert!(
        !out.contains("Zq8vLm3Rt6Yp2Wx9"),
        "the value is shown:\n{out}"
    );
}
