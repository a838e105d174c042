//! Integration tests that drive the real `k8s-constitution lint` binary.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use serde_json::Value;

fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// The binary, run from an empty directory so no stray config file is picked up.
fn bin() -> Command {
    let mut cmd = Command::cargo_bin("k8s-constitution").expect("binary built");
    cmd.current_dir(std::env::temp_dir())
        .env("NO_COLOR", "1")
        .env_remove("K8S_CONSTITUTION_CONFIG");
    cmd
}

fn lint_json(args: &[&str]) -> (i32, Value) {
    let out = bin()
        .arg("lint")
        .args(args)
        .args(["--format", "json"])
        .output()
        .expect("runs");
    let json: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), json)
}

/// `lint -` of `text` in JSON that never fails on findings: the raw output.
fn lint_stdin_json(text: String) -> std::process::Output {
    bin()
        .args(["lint", "-", "--format", "json", "--fail-on", "never"])
        .write_stdin(text)
        .output()
        .expect("runs")
}

fn findings_of<'a>(json: &'a Value, rule: &str) -> Vec<&'a Value> {
    json["findings"]
        .as_array()
        .map(|a| a.iter().filter(|f| f["rule"] == rule).collect())
        .unwrap_or_default()
}

#[test]
fn help_and_version_read_well() {
    let out = bin().arg("--help").output().expect("runs");
    let help = String::from_utf8_lossy(&out.stdout);
    for sub in ["lint", "rules", "explain", "test", "serve", "certs"] {
        assert!(help.contains(sub), "--help lacks {sub}: {help}");
    }
    let out = bin().arg("--version").output().expect("runs");
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("k8s-constitution "));
}

#[test]
fn reports_exact_line_column_and_path_with_helm_source() {
    let file = repo("fixtures/lint/mixed/deployment.yaml");
    let (code, json) = lint_json(&[
        file.to_str().unwrap_or_default(),
        "--only",
        "run-as-non-root",
    ]);
    assert_eq!(code, 1);
    let root = findings_of(&json, "run-as-non-root");
    let uid0 = root
        .iter()
        .find(|f| f["path"] == "spec.template.spec.securityContext.runAsUser")
        .expect("runAsUser: 0 reported");
    assert_eq!(
        (uid0["line"].as_u64(), uid0["column"].as_u64()),
        (Some(19), Some(9))
    );
    assert_eq!(uid0["source"], "todo-app/templates/backend-deployment.yaml");
    assert_eq!(uid0["resource"]["kind"], "Deployment");
    assert_eq!(uid0["resource"]["namespace"], "todo");
    assert_eq!(uid0["resource"]["name"], "backend");
    // A missing field resolves to its nearest present ancestor: the container item.
    let missing = root
        .iter()
        .find(|f| f["path"] == "spec.template.spec.containers[0].securityContext.runAsNonRoot")
        .expect("missing runAsNonRoot reported");
    assert_eq!(
        (missing["line"].as_u64(), missing["column"].as_u64()),
        (Some(21), Some(11))
    );
    // The values document has no apiVersion/kind: counted as a document, not a resource.
    assert_eq!(json["summary"]["documents"], 2);
    assert_eq!(json["summary"]["resources"], 1);
}

#[test]
fn directories_recurse_in_a_stable_order_and_skip_non_yaml() {
    let dir = repo("fixtures/lint/mixed");
    let (_, json) = lint_json(&[dir.to_str().unwrap_or_default()]);
    assert_eq!(json["summary"]["files"], 2, "{json}");
    let files: Vec<&str> = json["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["file"].as_str())
        .collect();
    let mut sorted = files.clone();
    sorted.sort();
    assert_eq!(files, sorted, "findings are grouped by file in order");
}

#[test]
fn reads_stdin() {
    let text =
        std::fs::read_to_string(repo("fixtures/lint/mixed/deployment.yaml")).expect("fixture");
    let out = bin()
        .args(["lint", "-", "--format", "json", "--only", "run-as-non-root"])
        .write_stdin(text)
        .output()
        .expect("runs");
    let json: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        json["findings"]
            .as_array()
            .is_some_and(|a| a.iter().all(|f| f["file"] == "<stdin>"))
    );
}

#[test]
fn expands_lists_with_item_paths() {
    let (_, json) = lint_json(&[
        repo("fixtures/lint/lists/list.yaml")
            .to_str()
            .unwrap_or_default(),
        "--only",
        "run-as-non-root",
    ]);
    assert_eq!(json["summary"]["resources"], 2);
    let f = findings_of(&json, "run-as-non-root");
    assert_eq!(f.len(), 1);
    assert_eq!(
        f[0]["path"],
        "items[1].spec.containers[0].securityContext.runAsNonRoot"
    );
    assert_eq!(f[0]["resource"]["name"], "in-a-list");
}

#[test]
fn invalid_yaml_keeps_earlier_documents_and_other_files() {
    let bad = repo("fixtures/lint/bad/invalid.yaml");
    let good = repo("fixtures/lint/lists/list.yaml");
    let (code, json) = lint_json(&[
        bad.to_str().unwrap_or_default(),
        good.to_str().unwrap_or_default(),
        "--only",
        "run-as-non-root",
    ]);
    assert_eq!(code, 2, "input errors exit 2");
    let errors = json["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), 1);
    assert!(
        errors[0]["file"]
            .as_str()
            .is_some_and(|f| f.ends_with("invalid.yaml"))
    );
    // The unclosed flow sequence opens on line 14; the parser notices at the end of input.
    assert!(
        errors[0]["line"]
            .as_u64()
            .is_some_and(|l| (14..=15).contains(&l)),
        "{}",
        errors[0]
    );
    assert!(
        errors[0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("flow sequence")),
        "{}",
        errors[0]
    );
    let names: Vec<&str> = json["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["resource"]["name"].as_str())
        .collect();
    assert!(names.contains(&"before-the-error"), "{names:?}");
    assert!(names.contains(&"in-a-list"), "{names:?}");
}

fn temp_dir() -> tempfile::TempDir {
    tempfile::tempdir().expect("tempdir")
}

#[test]
fn binary_and_non_utf8_files_are_input_errors() {
    let dir = temp_dir();
    std::fs::write(dir.path().join("bin.yaml"), b"apiVersion: v1\n\x00\x01\x02").expect("write");
    std::fs::write(
        dir.path().join("latin1.yaml"),
        b"apiVersion: v1\nkind: ConfigMap\ndata: {a: caf\xe9}\n",
    )
    .expect("write");
    std::fs::write(dir.path().join("ok.yaml"), "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: nginx:1.0}]}\n").expect("write");
    let (code, json) = lint_json(&[dir.path().to_str().unwrap_or_default()]);
    assert_eq!(code, 2);
    let messages: Vec<String> = json["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            format!(
                "{}:{}:{} {}",
                e["file"], e["line"], e["column"], e["message"]
            )
        })
        .collect();
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert!(
        messages
            .iter()
            .any(|m| m.contains("bin.yaml") && m.contains(":2:1") && m.contains("binary")),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("latin1.yaml") && m.contains(":3:") && m.contains("UTF-8")),
        "{messages:?}"
    );
    assert_eq!(
        json["summary"]["resources"], 1,
        "the good file is still linted"
    );
}

#[test]
fn empty_and_comment_only_files_are_fine() {
    let dir = temp_dir();
    std::fs::write(dir.path().join("empty.yaml"), "").expect("write");
    std::fs::write(
        dir.path().join("comments.yaml"),
        "# nothing here\n---\n# still nothing\n",
    )
    .expect("write");
    // Not input errors, but nothing to judge: a pass only when that is expected.
    let (code, json) = lint_json(&[dir.path().to_str().unwrap_or_default(), "--allow-empty"]);
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["errors"].as_array().map(Vec::len), Some(0));
    let (code, json) = lint_json(&[dir.path().to_str().unwrap_or_default()]);
    assert_eq!(code, 2, "{json}");
    assert_eq!(json["errors"].as_array().map(Vec::len), Some(1));
}

#[test]
fn alias_bombs_fail_fast_with_a_location() {
    let mut doc = String::from(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: lol}\na: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let mut prev = "a".to_string();
    for n in ["b", "c", "d", "e", "f", "g", "h", "i", "j"] {
        let refs = vec![format!("*{prev}"); 10].join(",");
        doc.push_str(&format!("{n}: &{n} [{refs}]\n"));
        prev = n.to_string();
    }
    let started = Instant::now();
    let out = bin()
        .args(["lint", "-", "--format", "json"])
        .write_stdin(doc)
        .output()
        .expect("runs");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(out.status.code(), Some(2));
    let json: Value = serde_json::from_slice(&out.stdout).expect("json");
    let err = &json["errors"][0];
    assert!(
        err["message"]
            .as_str()
            .is_some_and(|m| m.contains("alias bomb")),
        "{err}"
    );
    assert!(err["line"].as_u64().is_some_and(|l| l > 4), "{err}");
}

#[test]
fn thousands_of_findings_are_one_json_document_in_serde_json_layout() {
    // The findings are rendered in parallel chunks (256 each, 2,048 per written window) and
    // spliced into the report: the result must be exactly what serde_json writes for the
    // whole document, across chunk and window boundaries, sorted, with nothing lost.
    let mut stream = String::new();
    for i in 0..700 {
        stream.push_str(&format!(
            "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: d{i}, namespace: n}}\n\
             spec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: app:latest\n"
        ));
    }
    let out = lint_stdin_json(stream);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).expect("UTF-8");
    let json: Value = serde_json::from_str(&text).expect("one JSON document");
    let findings = json["findings"].as_array().expect("findings");
    assert!(
        findings.len() > 2 * 2048,
        "only {} findings",
        findings.len()
    );
    let summary = &json["summary"];
    let counted = ["errors", "warnings", "exempted"]
        .iter()
        .map(|k| summary[k].as_u64().unwrap_or(0))
        .sum::<u64>();
    assert_eq!(findings.len() as u64, counted);
    let lines: Vec<u64> = findings
        .iter()
        .map(|f| f["line"].as_u64().unwrap_or(0))
        .collect();
    assert!(
        lines.windows(2).all(|w| w[0] <= w[1]),
        "findings out of order"
    );
    let whole = serde_json::to_string_pretty(&json).expect("serializable") + "\n";
    assert!(whole == text, "layout differs from serde_json's");
}

#[test]
fn huge_mappings_load_without_quadratic_time() {
    // Each key used to be checked against every earlier one: 100,000 keys took 27 s (200,000
    // would take minutes); now well under a second. The bound only catches that hang.
    let mut doc = String::from("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata:\n");
    for i in 0..200_000 {
        doc.push_str(&format!("  k{i}: v\n"));
    }
    doc.push_str("  k7: last\n  k150000: last\n");
    let started = Instant::now();
    let out = lint_stdin_json(doc);
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(out.status.code(), Some(0));
    let json: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(json["summary"]["resources"], 1, "{}", json["errors"]);
}

#[test]
fn deep_nesting_is_refused_without_a_crash() {
    let doc = format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: deep}}\ndata: {}{}\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let out = bin()
        .args(["lint", "-", "--format", "json"])
        .write_stdin(doc)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let json: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(
        json["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("nesting"))
    );
}

#[test]
fn huge_files_are_refused_before_reading() {
    let dir = temp_dir();
    let path = dir.path().join("huge.yaml");
    // 300 MB, sparse: refused from its size, never read.
    std::fs::File::create(&path)
        .and_then(|f| f.set_len(300 * 1024 * 1024))
        .expect("sparse file");
    let started = Instant::now();
    let (code, json) = lint_json(&[path.to_str().unwrap_or_default()]);
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(code, 2);
    assert!(
        json["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("limit")),
        "{json}"
    );
}

#[cfg(unix)]
#[test]
fn symlink_loops_are_survived() {
    let dir = temp_dir();
    let sub = dir.path().join("sub");
    std::fs::create_dir(&sub).expect("mkdir");
    std::os::unix::fs::symlink(dir.path(), sub.join("loop")).expect("symlink");
    std::fs::write(sub.join("pod.yaml"), "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {securityContext: {runAsNonRoot: true}, containers: [{name: c, image: nginx:1.0}]}\n").expect("write");
    let (code, json) = lint_json(&[
        dir.path().to_str().unwrap_or_default(),
        "--only",
        "run-as-non-root",
    ]);
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["summary"]["files"], 1);
}

#[test]
fn missing_path_is_an_input_error() {
    let (code, json) = lint_json(&["/definitely/not/here.yaml"]);
    assert_eq!(code, 2);
    assert!(
        json["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("cannot read"))
    );
}

#[test]
fn exemptions_by_annotation() {
    let file = repo("fixtures/lint/exemptions/annotated.yaml");
    let (code, json) = lint_json(&[
        file.to_str().unwrap_or_default(),
        "--only",
        "run-as-non-root",
    ]);
    let by_name = |name: &str| -> Vec<&Value> {
        json["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|f| f["resource"]["name"] == name)
            .collect()
    };
    let exempted = by_name("exempted");
    assert_eq!(exempted.len(), 1);
    assert_eq!(exempted[0]["exempted"], true);
    assert_eq!(
        exempted[0]["exemption_reason"],
        "vendor image, root needed until v2 (TICKET-42)"
    );

    let no_reason = by_name("no-reason");
    assert!(
        no_reason
            .iter()
            .any(|f| f["rule"] == "run-as-non-root" && f["exempted"] == false)
    );
    let warning = no_reason
        .iter()
        .find(|f| f["rule"] == "invalid-exemption")
        .expect("warning about the missing reason");
    assert_eq!(warning["severity"], "warning");
    assert_eq!(
        warning["path"],
        r#"metadata.annotations["k8s-constitution.dev/exempt"]"#
    );

    let expired = by_name("expired");
    assert_eq!(expired[0]["exempted"], false);
    assert!(
        expired[0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("expired on 2020-01-31"))
    );

    let cron = by_name("template-annotated");
    assert!(
        !cron.is_empty() && cron.iter().all(|f| f["exempted"] == true),
        "pod-template annotations exempt too: {cron:?}"
    );
    assert_eq!(code, 1);
    assert_eq!(json["summary"]["exempted"], 2);
}

#[test]
fn config_file_disables_overrides_and_exempts() {
    let dir = temp_dir();
    let nested = dir.path().join("a/b");
    std::fs::create_dir_all(&nested).expect("mkdir");
    let manifest = repo("fixtures/lint/lists/list.yaml");
    // Found upward from the working directory.
    std::fs::write(
        dir.path().join(".k8s-constitution.yaml"),
        "rules:\n  run-as-non-root:\n    severity: warning\n",
    )
    .expect("write");
    let out = Command::cargo_bin("k8s-constitution")
        .expect("bin")
        .current_dir(&nested)
        .args([
            "lint",
            manifest.to_str().unwrap_or_default(),
            "--format",
            "json",
            "--only",
            "run-as-non-root",
        ])
        .output()
        .expect("runs");
    let json: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(json["findings"][0]["severity"], "warning");
    assert_eq!(
        out.status.code(),
        Some(0),
        "warnings do not fail by default"
    );

    let config = dir.path().join("explicit.yaml");
    std::fs::write(&config, "exemptions:\n  - rules: [run-as-non-root]\n    kind: Pod\n    name: in-a-*\n    container: app\n    reason: third-party chart\n").expect("write");
    let (code, json) = lint_json(&[
        manifest.to_str().unwrap_or_default(),
        "--config",
        config.to_str().unwrap_or_default(),
        "--only",
        "run-as-non-root",
    ]);
    assert_eq!(code, 0);
    assert_eq!(json["findings"][0]["exempted"], true);
    assert_eq!(json["findings"][0]["exemption_reason"], "third-party chart");

    std::fs::write(&config, "rules:\n  run-as-non-root: {enabled: false}\n").expect("write");
    let (code, json) = lint_json(&[
        manifest.to_str().unwrap_or_default(),
        "--config",
        config.to_str().unwrap_or_default(),
        "--only",
        "run-as-non-root",
    ]);
    assert_eq!(
        (code, json["findings"].as_array().map(Vec::len)),
        (0, Some(0))
    );

    std::fs::write(&config, "rules: [oops]\n").expect("write");
    let out = bin()
        .args([
            "lint",
            manifest.to_str().unwrap_or_default(),
            "--config",
            config.to_str().unwrap_or_default(),
        ])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid config"));
}

#[test]
fn fail_on_controls_the_exit_code() {
    let file = repo("fixtures/lint/lists/list.yaml");
    let f = file.to_str().unwrap_or_default();
    let code = |extra: &[&str]| {
        bin()
            .args(["lint", f, "--only", "run-as-non-root"])
            .args(extra)
            .output()
            .expect("runs")
            .status
            .code()
    };
    assert_eq!(code(&[]), Some(1));
    assert_eq!(code(&["--fail-on", "never"]), Some(0));
}

#[test]
fn user_policies_join_the_pack() {
    let dir = temp_dir();
    let rule_dir = dir.path().join("team-labels");
    std::fs::create_dir(&rule_dir).expect("mkdir");
    std::fs::write(rule_dir.join("team_label.rego"), r#"package k8sc.rules.team_label

import rego.v1

metadata := {
	"id": "team-label",
	"title": "Objects carry a team label",
	"severity": "warning",
	"section": "house rules",
	"rationale": "ownership",
	"remediation": "add metadata.labels.team",
	"kinds": ["*"],
}

violation contains {"msg": "no team label", "path": ["metadata", "labels", "team"]} if not input.metadata.labels.team
"#).expect("write");
    let file = repo("fixtures/lint/lists/list.yaml");
    let (code, json) = lint_json(&[
        file.to_str().unwrap_or_default(),
        "--policy",
        dir.path().to_str().unwrap_or_default(),
        "--only",
        "team-label",
    ]);
    assert_eq!(code, 0);
    let f = findings_of(&json, "team-label");
    assert_eq!(f.len(), 2);
    assert_eq!(f[0]["path"], "items[0].metadata.labels.team");
    assert_eq!(
        f[0]["line"], 6,
        "nearest present ancestor: items[0].metadata"
    );
}

#[test]
fn broken_user_policy_is_a_clear_usage_error() {
    let dir = temp_dir();
    std::fs::write(
        dir.path().join("bad.rego"),
        "package k8sc.rules.bad\nviolation contains x if {\n",
    )
    .expect("write");
    let out = bin()
        .args([
            "lint",
            "-",
            "--policy",
            dir.path().to_str().unwrap_or_default(),
        ])
        .write_stdin("")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad.rego"));
}

#[test]
fn rules_and_explain() {
    let out = bin()
        .args(["rules", "--format", "json"])
        .output()
        .expect("runs");
    let rules: Value = serde_json::from_slice(&out.stdout).expect("json");
    let ids: Vec<&str> = rules
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["id"].as_str())
        .collect();
    assert!(ids.contains(&"run-as-non-root"));
    for r in rules.as_array().into_iter().flatten() {
        for key in ["id", "severity", "title", "section"] {
            assert!(
                r[key].as_str().is_some_and(|s| !s.is_empty()),
                "{key} missing in {r}"
            );
        }
    }
    let out = bin()
        .args(["explain", "run-as-non-root"])
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    for needle in ["Why:", "How to fix:", "Constitution:", "Fails", "Passes"] {
        assert!(text.contains(needle), "explain lacks {needle}:\n{text}");
    }
    let out = bin()
        .args(["explain", "no-such-rule"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no rule `no-such-rule`"));
}

#[test]
fn github_and_junit_formats() {
    let file = repo("fixtures/lint/lists/list.yaml");
    let out = bin()
        .args([
            "lint",
            file.to_str().unwrap_or_default(),
            "--only",
            "run-as-non-root",
            "--format",
            "github",
        ])
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("::error file="), "{text}");
    assert!(text.contains(",line=13,col=11,"), "{text}");

    let out = bin()
        .args([
            "lint",
            file.to_str().unwrap_or_default(),
            "--only",
            "run-as-non-root",
            "--format",
            "junit",
        ])
        .output()
        .expect("runs");
    let xml = String::from_utf8_lossy(&out.stdout);
    assert!(
        xml.contains(r#"tests="2" failures="1""#),
        "one testcase per resource: {xml}"
    );
    assert!(xml.contains(r#"name="ConfigMap settings"/>"#), "{xml}");
}

#[test]
fn rego_test_command_runs_the_shipped_tests() {
    let out = bin().arg("test").output().expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.trim_end().ends_with("0 failed"), "{text}");

    let dir = temp_dir();
    std::fs::write(
        dir.path().join("x_test.rego"),
        "package x\nimport rego.v1\ntest_bad if { 1 == 2 }\n",
    )
    .expect("write");
    let out = bin()
        .args(["test", dir.path().to_str().unwrap_or_default()])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("FAIL x.test_bad"));
}

/// Regression: a null member (`env:` with nothing after it) made `some .. in` fail, so the whole
/// object went unevaluated and its findings were lost.
#[test]
fn null_members_are_unset_not_evaluation_errors() {
    let (code, json) = lint_json(&[repo("fixtures/lint/null-members.yaml")
        .to_str()
        .unwrap_or("")]);
    assert_eq!(json["errors"], serde_json::json!([]), "{json:#}");
    // Evaluated: the Deployment's container lacks requests/limits and probes.
    assert!(
        !findings_of(&json, "resource-limits").is_empty(),
        "{json:#}"
    );
    assert!(
        !findings_of(&json, "readiness-probe").is_empty(),
        "{json:#}"
    );
    // Located at the present-but-empty key.
    let limits = findings_of(&json, "resource-limits");
    assert!(
        limits.iter().all(|f| f["line"].as_u64().unwrap_or(0) > 1),
        "{json:#}"
    );
    assert_eq!(code, 1);
}

/// Regression: the compiled VM stopped at its default budget of 25,000 instructions, so a
/// ConfigMap of a few thousand keys came back as "could not evaluate" instead of findings.
#[test]
fn large_objects_are_evaluated_in_full() {
    let dir = temp_dir();
    let mut yaml = String::from(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big, namespace: app}\ndata:\n",
    );
    for i in 0..5000 {
        yaml.push_str(&format!("  SETTING_{i}: value-{i}\n"));
    }
    yaml.push_str("  DB_PASSWORD: hunter2-but-longer\n");
    let file = dir.path().join("big.yaml");
    std::fs::write(&file, yaml).expect("writes");
    let (code, json) = lint_json(&[file.to_str().unwrap_or("")]);
    assert_eq!(json["errors"], serde_json::json!([]), "{json:#}");
    let found = findings_of(&json, "configmap-secrets");
    assert_eq!(found.len(), 1, "{json:#}");
    assert_eq!(found[0]["path"], "data.DB_PASSWORD");
    assert_eq!(code, 1);
}

/// The false-positive sweep: manifests modelled on widely used charts yield exactly the findings
/// a careful reviewer agrees with, written in each file as `# finding: <rule> <Kind>/<name>`.
#[test]
fn third_party_manifests_yield_exactly_the_reviewed_findings() {
    let dir = repo("fixtures/lint/third-party");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("fixtures/lint/third-party")
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    assert!(files.len() >= 5, "{files:?}");
    for file in files {
        let text = std::fs::read_to_string(&file).expect("fixture readable");
        let expected: std::collections::BTreeSet<String> = text
            .lines()
            .filter_map(|l| l.strip_prefix("# finding: "))
            .map(|l| l.trim().to_string())
            .collect();
        let (_, json) = lint_json(&[file.to_str().unwrap_or("")]);
        assert_eq!(json["errors"], serde_json::json!([]), "{}", file.display());
        let got: std::collections::BTreeSet<String> = json["findings"]
            .as_array()
            .map(|fs| {
                fs.iter()
                    .map(|f| {
                        format!(
                            "{} {}/{}",
                            f["rule"].as_str().unwrap_or(""),
                            f["resource"]["kind"].as_str().unwrap_or(""),
                            f["resource"]["name"].as_str().unwrap_or("")
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(got, expected, "{}", file.display());
    }
}

/// Mutant killed: `--fail-on warning` mapped to error severity, so a warning-only file exited 0.
#[test]
fn fail_on_warning_fails_a_warning_only_run() {
    // One replica: with --only min-replicas the findings are warnings only.
    let path = repo("fixtures/rules/min-replicas/fail/single-replicas.yaml");
    let f = path.to_str().unwrap_or_default();
    let run = |extra: &[&str]| {
        bin()
            .args(["lint", f, "--only", "min-replicas"])
            .args(extra)
            .output()
            .expect("runs")
            .status
            .code()
    };
    assert_eq!(run(&[]), Some(0), "a warning does not fail by default");
    assert_eq!(run(&["--fail-on", "warning"]), Some(1));
    assert_eq!(run(&["--fail-on", "error"]), Some(0));
}

/// Mutant killed: `--max-file-size` ignored (only the built-in 64 MiB limit was tested), for a
/// file and for standard input.
#[test]
fn max_file_size_is_honoured_for_files_and_stdin() {
    let dir = temp_dir();
    let path = dir.path().join("small.yaml");
    let text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: b}\n";
    std::fs::write(&path, text).expect("write");
    let limit = (text.len() - 1).to_string();
    let (code, json) = lint_json(&[path.to_str().unwrap_or_default(), "--max-file-size", &limit]);
    assert_eq!(code, 2, "{json}");
    assert!(
        json["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("limit")),
        "{json}"
    );
    let (code, _) = lint_json(&[
        path.to_str().unwrap_or_default(),
        "--max-file-size",
        &text.len().to_string(),
    ]);
    assert_eq!(code, 0, "a file of exactly the limit is read");
    let out = bin()
        .args(["lint", "-", "--format", "json", "--max-file-size", &limit])
        .write_stdin(text)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let json: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(
        json["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("limit")),
        "{json}"
    );
}

/// Mutant killed: a key with `-` rendered bracket-quoted (`data["db-password"]`) instead of
/// `data.db-password` (no fixture, snapshot or unit test had such a key).
#[test]
fn keys_with_dashes_stay_dotted_in_paths() {
    let text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  db-password: \"Xk9#mQ2$vL7pR4wZ\"\n";
    let out = lint_stdin_json(text.to_string());
    let json: Value = serde_json::from_slice(&out.stdout).expect("json");
    let finding = findings_of(&json, "configmap-secrets")
        .first()
        .copied()
        .cloned()
        .expect("the credential is found");
    assert_eq!(finding["path"], "data.db-password", "{finding}");
}

/// Mutant killed: a config-file exemption's `until` was never tested; past the date the
/// exemption no longer applies and the finding says so.
#[test]
fn config_exemption_until_expires() {
    let dir = temp_dir();
    let manifest = dir.path().join("pod.yaml");
    std::fs::write(
        &manifest,
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: ops}\nspec: {containers: [{name: c, image: \"nginx:latest\"}]}\n",
    )
    .expect("write");
    let config = dir.path().join(".k8s-constitution.yaml");
    let run = |until: &str| -> Value {
        std::fs::write(
            &config,
            format!("exemptions:\n  - rules: [no-latest-tag]\n    namespace: ops\n    reason: vendor image\n    until: {until}\n"),
        )
        .expect("write config");
        let out = bin()
            .current_dir(dir.path())
            .args([
                "lint",
                "pod.yaml",
                "--only",
                "no-latest-tag",
                "--format",
                "json",
            ])
            .output()
            .expect("runs");
        serde_json::from_slice(&out.stdout).expect("json")
    };
    let future = run("2999-01-01");
    assert_eq!(
        findings_of(&future, "no-latest-tag")[0]["exempted"],
        true,
        "{future}"
    );
    let past = run("2020-01-31");
    let finding = findings_of(&past, "no-latest-tag")[0];
    assert_eq!(finding["exempted"], false, "{past}");
    assert!(
        finding["message"]
            .as_str()
            .is_some_and(|m| m.contains("expired on 2020-01-31")),
        "{finding}"
    );
}
