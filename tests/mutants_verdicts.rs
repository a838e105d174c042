//! The verdict matrix, in one place and fast: what `lint` decides and how it exits, for each
//! way a finding can be raised, lowered, exempted or fail to be exempted. Written for mutation
//! testing (`scripts/mutants.sh`): this file and the library's unit tests are the "fast" test set
//! the in-diff run uses, so every decision a mutant in src/ can change (severity, exemption,
//! expiry, the config's hand-off to the rules, `--fail-on`, `--only`/`--skip`, the summary
//! counts) is asserted here exactly, with one binary run per case.

use std::path::Path;

use assert_cmd::Command;
use serde_json::{Value, json};

/// A Deployment with one replica (min-replicas, a warning) and a container without
/// runAsNonRoot (run-as-non-root, an error), with the given metadata annotations.
fn deployment(annotations: Value, replicas: u32) -> String {
    let doc = json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "shop", "annotations": annotations},
        "spec": {
            "replicas": replicas,
            "template": {"spec": {"containers": [{"name": "app", "image": "app:1.0"}]}},
        },
    });
    serde_json::to_string_pretty(&doc).expect("json is yaml")
}

struct Lint {
    code: i32,
    /// (rule, severity, exempted, exemption_reason) of every finding, in order.
    findings: Vec<(String, String, bool, Option<String>)>,
    messages: Vec<String>,
    summary: Value,
}

fn lint(dir: &Path, manifest: &str, config: Option<&str>, args: &[&str]) -> Lint {
    std::fs::write(dir.join("m.yaml"), manifest).expect("write manifest");
    std::fs::write(dir.join("config.yaml"), config.unwrap_or_default()).expect("write config");
    let out = Command::cargo_bin("k8s-constitution")
        .expect("binary built")
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("K8S_CONSTITUTION_CONFIG")
        .args([
            "lint",
            "m.yaml",
            "--format",
            "json",
            "--config",
            "config.yaml",
        ])
        .args(["--only", "min-replicas,run-as-non-root"])
        .args(args)
        .output()
        .expect("runs");
    let json: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let list = json["findings"].as_array().cloned().unwrap_or_default();
    Lint {
        code: out.status.code().unwrap_or(-1),
        findings: list
            .iter()
            .map(|f| {
                (
                    f["rule"].as_str().unwrap_or_default().to_string(),
                    f["severity"].as_str().unwrap_or_default().to_string(),
                    f["exempted"] == true,
                    f["exemption_reason"].as_str().map(str::to_string),
                )
            })
            .collect(),
        messages: list
            .iter()
            .map(|f| f["message"].as_str().unwrap_or_default().to_string())
            .collect(),
        summary: json["summary"].clone(),
    }
}

fn finding(rule: &str, severity: &str) -> (String, String, bool, Option<String>) {
    (rule.into(), severity.into(), false, None)
}

fn exempted(rule: &str, severity: &str, reason: &str) -> (String, String, bool, Option<String>) {
    (rule.into(), severity.into(), true, Some(reason.into()))
}

/// The summary; `fixable` counts the findings with a fix that are not exempted (here:
/// run-as-non-root's, whatever its severity).
fn counts(errors: u64, warnings: u64, exempted: u64, fixable: u64) -> Value {
    json!({"files": 1, "documents": 1, "resources": 1, "errors": errors, "warnings": warnings, "exempted": exempted, "fixable": fixable, "config": "config.yaml"})
}

#[test]
fn severities_and_fail_on_decide_the_exit_code() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let both = deployment(json!({}), 1);

    let r = lint(d, &both, None, &[]);
    assert_eq!(
        r.findings,
        [
            finding("min-replicas", "warning"),
            finding("run-as-non-root", "error")
        ]
    );
    assert_eq!(r.summary, counts(1, 1, 0, 1));
    assert_eq!(r.code, 1, "an error fails the default --fail-on error");
    assert_eq!(lint(d, &both, None, &["--fail-on", "never"]).code, 0);

    // Only the warning left: passes by default, fails with --fail-on warning.
    let warning_only = ["--skip", "run-as-non-root"];
    let r = lint(d, &both, None, &warning_only);
    assert_eq!(r.findings, [finding("min-replicas", "warning")]);
    assert_eq!(r.summary, counts(0, 1, 0, 0));
    assert_eq!(r.code, 0);
    let fail_on_warning = ["--skip", "run-as-non-root", "--fail-on", "warning"];
    assert_eq!(lint(d, &both, None, &fail_on_warning).code, 1);

    // Nothing left: passes even with --fail-on warning.
    let clean = deployment(json!({}), 2);
    let r = lint(
        d,
        &clean,
        None,
        &["--skip", "run-as-non-root", "--fail-on", "warning"],
    );
    assert_eq!((r.code, r.findings.len()), (0, 0));
    assert_eq!(r.summary, counts(0, 0, 0, 0));
}

#[test]
fn the_config_file_reaches_the_rules() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let two = deployment(json!({}), 2);

    // A parameter: min_replicas 3 makes two replicas a finding, with the parameter's number.
    let r = lint(
        d,
        &two,
        Some("rules:\n  min-replicas:\n    params: {min_replicas: 3}\n"),
        &["--skip", "run-as-non-root"],
    );
    assert_eq!(r.findings, [finding("min-replicas", "warning")]);
    assert_eq!(
        r.messages,
        ["Deployment \"web\" runs 2 replica(s) (at least 3 are required)"]
    );

    // A severity override: the error becomes a warning, and the run passes.
    let r = lint(
        d,
        &two,
        Some("rules:\n  run-as-non-root:\n    severity: warning\n"),
        &[],
    );
    assert_eq!(r.findings, [finding("run-as-non-root", "warning")]);
    assert_eq!((r.code, r.summary.clone()), (0, counts(0, 1, 0, 1)));
    // ... and a warning raised to an error fails it.
    let r = lint(
        d,
        &deployment(json!({}), 1),
        Some(
            "rules:\n  min-replicas:\n    severity: error\n  run-as-non-root:\n    enabled: false\n",
        ),
        &[],
    );
    assert_eq!(r.findings, [finding("min-replicas", "error")]);
    assert_eq!(r.code, 1);
}

#[test]
fn exemptions_lower_findings_until_they_expire() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let exempt = |until: Option<&str>| {
        let mut a = json!({
            "k8s-constitution.dev/exempt": "run-as-non-root",
            "k8s-constitution.dev/exempt-reason": "legacy image",
        });
        if let Some(u) = until {
            a["k8s-constitution.dev/exempt-until"] = json!(u);
        }
        deployment(a, 2)
    };

    let r = lint(d, &exempt(None), None, &[]);
    assert_eq!(
        r.findings,
        [exempted("run-as-non-root", "error", "legacy image")]
    );
    assert_eq!((r.code, r.summary.clone()), (0, counts(0, 0, 1, 0)));

    let r = lint(d, &exempt(Some("2999-12-31")), None, &[]);
    assert_eq!((r.code, r.findings[0].2), (0, true));

    // Expired: the finding stands, says so, and fails the run.
    let r = lint(d, &exempt(Some("2020-01-01")), None, &[]);
    assert_eq!(r.findings, [finding("run-as-non-root", "error")]);
    assert!(
        r.messages[0].ends_with("(its exemption expired on 2020-01-01)"),
        "{:?}",
        r.messages
    );
    assert_eq!((r.code, r.summary), (1, counts(1, 0, 0, 1)));

    // From the config file, by coordinates; a coordinate that does not match exempts nothing.
    let config = |name: &str, until: &str| {
        format!(
            "exemptions:\n  - rules: [run-as-non-root]\n    kind: Deployment\n    namespace: shop\n    name: {name}\n    container: app\n    reason: vendor chart\n    until: {until}\n"
        )
    };
    let plain = deployment(json!({}), 2);
    let r = lint(d, &plain, Some(&config("we*", "2999-12-31")), &[]);
    assert_eq!(
        r.findings,
        [exempted("run-as-non-root", "error", "vendor chart")]
    );
    assert_eq!(r.code, 0);
    let r = lint(d, &plain, Some(&config("api", "2999-12-31")), &[]);
    assert_eq!((r.code, r.findings[0].2), (1, false));
    let r = lint(d, &plain, Some(&config("web", "2020-01-01")), &[]);
    assert_eq!((r.code, r.findings[0].2), (1, false));
    assert!(r.messages[0].ends_with("(its exemption expired on 2020-01-01)"));
}
