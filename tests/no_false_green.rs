//! No false green (issue #22): input the guard did not judge, a rule id or setting it does not
//! know, an exemption it cannot read — each is an error or a finding, never a silent pass.
//! Every test drives the real binary, as a user would, with the mistakes users make.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// The binary, run from `dir` so that only the config files the test writes are found.
fn bin_in(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("k8s-constitution").expect("binary built");
    cmd.current_dir(dir)
        .env("NO_COLOR", "1")
        .env("COLUMNS", "200")
        .env_remove("K8S_CONSTITUTION_CONFIG");
    cmd
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(dir: &Path, args: &[&str], stdin: Option<&str>) -> Run {
    let mut cmd = bin_in(dir);
    cmd.args(args);
    if let Some(text) = stdin {
        cmd.write_stdin(text.to_string());
    }
    let out = cmd.output().expect("runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn json_of(run: &Run) -> Value {
    serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\nstderr: {}", run.stdout, run.stderr))
}

/// `lint ARGS --format json` in `dir`: the exit code and the report.
fn lint_json_in(dir: &Path, args: &[&str]) -> (i32, Value) {
    let mut full = vec!["lint"];
    full.extend(args);
    full.extend(["--format", "json"]);
    let r = run(dir, &full, None);
    (r.code, json_of(&r))
}

fn temp() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

/// A Deployment with a dozen error-level findings (root, no probes, no resources, ...).
const ROOT_DEPLOYMENT: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  replicas: 2
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
        - name: api
          image: nginx:1.27
";

fn rules_of(json: &Value) -> Vec<String> {
    json["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["rule"].as_str().map(str::to_string))
        .collect()
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(&path, text).expect("write");
    path
}

// ---- 1. unknown rule ids ------------------------------------------------------------------

/// `--only run-as-nonroot` (one letter off) used to print "no findings" and exit 0.
#[test]
fn unknown_rule_ids_on_the_command_line_are_usage_errors_with_a_suggestion() {
    let dir = temp();
    let file = write(dir.path(), "app.yaml", ROOT_DEPLOYMENT);
    let file = file.to_str().unwrap_or_default();
    for (flag, id, suggestion) in [
        ("--only", "run-as-nonroot", Some("run-as-non-root")),
        ("--skip", "latest-tag", Some("no-latest-tag")),
        ("--only", "", None),
        ("--only", "zzz-no-such-thing", None),
    ] {
        let r = run(dir.path(), &["lint", file, flag, id], None);
        assert_eq!(r.code, 2, "{flag} {id:?}: {}{}", r.stdout, r.stderr);
        assert!(
            r.stdout.is_empty(),
            "no report for a run that did not happen: {}",
            r.stdout
        );
        assert!(r.stderr.contains(flag), "{flag} {id:?}: {}", r.stderr);
        if let Some(near) = suggestion {
            assert!(
                r.stderr.contains(&format!("did you mean `{near}`")),
                "{}",
                r.stderr
            );
        }
    }
    let r = run(dir.path(), &["explain", "run-as-nonroot"], None);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("did you mean `run-as-non-root`"),
        "{}",
        r.stderr
    );
}

#[test]
fn test_run_that_matches_nothing_is_a_usage_error_and_rule_ids_match() {
    let dir = temp();
    let r = run(
        dir.path(),
        &["test", "--run", "no-such-test-anywhere"],
        None,
    );
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("no test matched"), "{}", r.stderr);
    // A rule id selects its package's tests (packages use `_`).
    let r = run(dir.path(), &["test", "--run", "min-replicas"], None);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(!r.stdout.contains(" 0 passed"), "{}", r.stdout);
}

#[test]
fn builtin_invalid_exemption_is_listed_and_explained() {
    let dir = temp();
    let r = run(dir.path(), &["rules", "--format", "json"], None);
    let rules = json_of(&r);
    let builtin = rules
        .as_array()
        .into_iter()
        .flatten()
        .find(|rule| rule["id"] == "invalid-exemption")
        .expect("rules lists invalid-exemption");
    assert_eq!(builtin["severity"], "warning");
    let r = run(dir.path(), &["explain", "invalid-exemption"], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("not applied"), "{}", r.stdout);
}

// ---- 2. exemptions that cannot be read ---------------------------------------------------

fn exempted_deployment(annotations: &str) -> String {
    ROOT_DEPLOYMENT.replace(
        "  name: api\n",
        &format!("  name: api\n  annotations:\n{annotations}"),
    )
}

/// Each unreadable exemption is not applied (the findings stay errors) and the warning points
/// at the line of the annotation that is wrong.
#[test]
fn unreadable_exemption_annotations_do_not_apply_and_point_at_the_bad_line() {
    let dir = temp();
    let cases = [
        (
            "bad date",
            "    k8s-constitution.dev/exempt: run-as-non-root\n    k8s-constitution.dev/exempt-reason: migration\n    k8s-constitution.dev/exempt-until: next week\n",
            "k8s-constitution.dev/exempt-until",
        ),
        (
            "impossible date",
            "    k8s-constitution.dev/exempt: run-as-non-root\n    k8s-constitution.dev/exempt-reason: migration\n    k8s-constitution.dev/exempt-until: \"2099-02-30\"\n",
            "k8s-constitution.dev/exempt-until",
        ),
        (
            "unknown rule",
            "    k8s-constitution.dev/exempt-reason: migration\n    k8s-constitution.dev/exempt: run-as-non-root,no-latest-tags\n",
            "k8s-constitution.dev/exempt",
        ),
        (
            "no reason",
            "    k8s-constitution.dev/exempt: run-as-non-root\n",
            "k8s-constitution.dev/exempt",
        ),
    ];
    for (what, annotations, bad_key) in cases {
        let text = exempted_deployment(annotations);
        let bad_line = text
            .lines()
            .position(|l| l.trim_start().starts_with(&format!("{bad_key}:")))
            .map(|i| i + 1)
            .expect("annotation line");
        let r = run(
            dir.path(),
            &["lint", "-", "--format", "json", "--config", "none"],
            Some(&text),
        );
        let json = json_of(&r);
        assert_eq!(r.code, 1, "{what}: the error findings stand");
        let findings = json["findings"].as_array().cloned().unwrap_or_default();
        let root = findings
            .iter()
            .find(|f| f["rule"] == "run-as-non-root")
            .expect("run-as-non-root reported");
        assert_eq!(root["exempted"], false, "{what}: {root}");
        assert_eq!(root["severity"], "error", "{what}");
        let warning = findings
            .iter()
            .find(|f| f["rule"] == "invalid-exemption")
            .unwrap_or_else(|| panic!("{what}: invalid-exemption warning in {json}"));
        assert_eq!(warning["line"], bad_line, "{what}: {warning}");
        assert_eq!(json["summary"]["exempted"], 0, "{what}");
    }
}

/// The config file's `until` was already strict about shape; `2099-02-30` got through.
#[test]
fn config_exemption_dates_must_exist_and_name_known_rules() {
    let dir = temp();
    let file = write(dir.path(), "app.yaml", ROOT_DEPLOYMENT);
    let file = file.to_str().unwrap_or_default();
    for (config, needle, line) in [
        (
            "exemptions:\n  - rules: [run-as-non-root]\n    reason: r\n    until: \"2099-02-30\"\n",
            "2099-02-30",
            4,
        ),
        (
            "exemptions:\n  - rules: [no-latest-tags]\n    reason: r\n",
            "did you mean `no-latest-tag`",
            2,
        ),
    ] {
        write(dir.path(), ".k8s-constitution.yaml", config);
        let r = run(dir.path(), &["lint", file], None);
        assert_eq!(r.code, 2, "{config}: {}{}", r.stdout, r.stderr);
        assert!(r.stderr.contains(needle), "{}", r.stderr);
        assert!(
            r.stderr
                .contains(&format!(".k8s-constitution.yaml:{line}:")),
            "line {line} named: {}",
            r.stderr
        );
    }
}

/// An exemption of a cross-resource rule applies wherever in the set it is written: the
/// namespace's finding lands on its first workload, the exemption may be on the second.
#[test]
fn set_rule_exemption_applies_on_any_object_of_the_set() {
    let dir = temp();
    let second = ROOT_DEPLOYMENT.replace("name: api", "name: web").replace(
        "  name: web\n",
        "  name: web\n  annotations:\n    k8s-constitution.dev/exempt: namespace-default-deny\n    k8s-constitution.dev/exempt-reason: the mesh isolates this namespace\n",
    );
    let text = format!("{ROOT_DEPLOYMENT}---\n{second}");
    let r = run(
        dir.path(),
        &[
            "lint",
            "-",
            "--format",
            "json",
            "--only",
            "namespace-default-deny",
        ],
        Some(&text),
    );
    let json = json_of(&r);
    let finding = json["findings"]
        .as_array()
        .and_then(|f| f.first())
        .cloned()
        .expect("the namespace's finding is still listed");
    assert_eq!(finding["resource"]["name"], "api");
    assert_eq!(finding["exempted"], true, "{finding}");
    assert_eq!(r.code, 0);
}

// ---- 3. nothing judged is not a pass -----------------------------------------------------

#[test]
fn nothing_to_judge_is_exit_2_unless_allowed() {
    let dir = temp();
    let empty_dir = dir.path().join("empty");
    std::fs::create_dir_all(&empty_dir).expect("mkdir");
    let not_yaml = dir.path().join("notes");
    write(&not_yaml, "README.txt", "hello\n");
    let values_only = dir.path().join("values");
    write(&values_only, "values.yaml", "replicaCount: 3\n");
    for (what, args, stdin) in [
        (
            "empty directory",
            vec![empty_dir.to_str().unwrap_or_default()],
            None,
        ),
        (
            "no manifest files",
            vec![not_yaml.to_str().unwrap_or_default()],
            None,
        ),
        (
            "only a values file",
            vec![values_only.to_str().unwrap_or_default()],
            None,
        ),
        ("empty stdin", vec!["-"], Some("")),
    ] {
        let mut full = vec!["lint"];
        full.extend(&args);
        let r = run(dir.path(), &full, stdin);
        assert_eq!(r.code, 2, "{what}: {}", r.stdout);
        assert!(
            r.stdout.contains("nothing to judge"),
            "{what}: {}",
            r.stdout
        );
        assert!(
            !r.stdout.contains('✔'),
            "{what}: no check mark: {}",
            r.stdout
        );
        full.push("--allow-empty");
        let r = run(dir.path(), &full, stdin);
        assert_eq!(r.code, 0, "{what} with --allow-empty: {}", r.stdout);
    }
}

#[test]
fn a_missing_file_gets_no_check_mark() {
    let dir = temp();
    let r = run(dir.path(), &["lint", "/definitely/not/here.yaml"], None);
    assert_eq!(r.code, 2);
    assert!(!r.stdout.contains('✔'), "{}", r.stdout);
    assert!(r.stdout.contains("1 input error"), "{}", r.stdout);
}

/// A named `.json` file was linted, the same file found in a directory was not.
#[test]
fn directories_include_json_manifests() {
    let dir = temp();
    let json = r#"{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
 "spec": {"containers": [{"name": "c", "image": "nginx:latest"}]}}"#;
    write(dir.path(), "manifests/pod.json", json);
    let (code, report) = lint_json_in(dir.path(), &["manifests", "--only", "no-latest-tag"]);
    assert_eq!(report["summary"]["resources"], 1, "{report}");
    assert_eq!(rules_of(&report), vec!["no-latest-tag"]);
    assert_eq!(code, 1);

    // A JSON stream (one object per line, or several pretty-printed objects) is several
    // documents, each finding at its own line and column.
    let stream = "{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {\"name\": \"a\"}, \"spec\": {\"containers\": [{\"name\": \"c\", \"image\": \"nginx:1.0\"}]}}\n\
{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {\"name\": \"b\"},\n \"spec\": {\"containers\": [{\"name\": \"c\", \"image\": \"nginx:latest\"}]}}\n";
    write(dir.path(), "manifests/stream.json", stream);
    let (code, report) = lint_json_in(dir.path(), &["manifests", "--only", "no-latest-tag"]);
    assert_eq!(code, 1);
    assert_eq!(report["summary"]["resources"], 3, "{report}");
    assert_eq!(report["summary"]["documents"], 3, "{report}");
    let latest: Vec<(String, u64, u64)> = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| {
            (
                f["resource"]["name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                f["line"].as_u64().unwrap_or_default(),
                f["column"].as_u64().unwrap_or_default(),
            )
        })
        .collect();
    let col = stream
        .lines()
        .nth(2)
        .and_then(|l| l.find("\"image\": \"nginx:latest"))
        .map(|c| c as u64 + 1)
        .unwrap_or_default();
    assert!(
        latest.contains(&("b".to_string(), 3, col)),
        "finding at line 3, column {col}: {latest:?}"
    );
}

// ---- 4. rule parameters ------------------------------------------------------------------

#[test]
fn rule_parameters_are_checked_against_their_types_with_file_and_line() {
    let dir = temp();
    let file = write(dir.path(), "app.yaml", ROOT_DEPLOYMENT);
    let file = file.to_str().unwrap_or_default();
    for (params, needle, line) in [
        (
            "run-as-user-min:\n    params: {min_uid: \"65532\"}",
            "must be an integer",
            3,
        ),
        (
            "run-as-user-min:\n    params: {min_uid: lots}",
            "must be an integer",
            3,
        ),
        (
            "run-as-user-min:\n    params: {min_uid: 0}",
            "at least 1",
            3,
        ),
        (
            "min-replicas:\n    params: {min_replicas: \"3\"}",
            "must be an integer",
            3,
        ),
        (
            "min-replicas:\n    params: {min_replica: 3}",
            "did you mean `min_replicas`",
            3,
        ),
        (
            "no-latest-tag:\n    params: {x: 1}",
            "takes no parameters",
            3,
        ),
        (
            "configmap-secrets:\n    params: {secret_key_pattern: \"(unclosed\"}",
            "regular expression",
            3,
        ),
        (
            "run-as-nonroot: {enabled: false}",
            "did you mean `run-as-non-root`",
            2,
        ),
        (
            "min-replicas: {enabeld: false}",
            "unknown field `enabeld`",
            2,
        ),
    ] {
        write(
            dir.path(),
            ".k8s-constitution.yaml",
            &format!("rules:\n  {params}\n"),
        );
        let r = run(dir.path(), &["lint", file], None);
        assert_eq!(r.code, 2, "{params}: {}{}", r.stdout, r.stderr);
        assert!(r.stderr.contains(needle), "{params}: {}", r.stderr);
        assert!(
            r.stderr
                .contains(&format!(".k8s-constitution.yaml:{line}:")),
            "{params}: the line is named: {}",
            r.stderr
        );
        // Every command that loads the config refuses it (serve too: same Core::load).
        let r = run(dir.path(), &["rules"], None);
        assert_eq!(r.code, 2, "rules refuses it too: {params}");
    }
}

/// Parameters from the config reach the rules (a mutant that dropped them survived before).
#[test]
fn configured_parameters_reach_the_rules() {
    let dir = temp();
    let file = write(
        dir.path(),
        "app.yaml",
        &ROOT_DEPLOYMENT.replace("replicas: 2", "replicas: 3"),
    );
    let file = file.to_str().unwrap_or_default();
    let only = ["--only", "min-replicas", "--format", "json"];
    let mut args = vec!["lint", file];
    args.extend(only);
    let r = run(dir.path(), &args, None);
    assert!(rules_of(&json_of(&r)).is_empty());
    write(
        dir.path(),
        ".k8s-constitution.yaml",
        "rules:\n  min-replicas:\n    params: {min_replicas: 4}\n",
    );
    let r = run(dir.path(), &args, None);
    let json = json_of(&r);
    assert_eq!(rules_of(&json), vec!["min-replicas"], "{json}");
    assert!(
        json["findings"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("at least 4")),
        "{json}"
    );
}

// ---- 5. rules and explain follow the configuration ---------------------------------------

#[test]
fn rules_and_explain_show_the_config_in_force() {
    let dir = temp();
    write(
        dir.path(),
        ".k8s-constitution.yaml",
        "rules:\n  min-replicas: {enabled: false}\n  automount-token: {severity: error}\n  run-as-user-min:\n    params: {min_uid: 65532}\n",
    );
    let r = run(dir.path(), &["rules", "--format", "json"], None);
    let rules = json_of(&r);
    let rule = |id: &str| -> Value {
        rules
            .as_array()
            .into_iter()
            .flatten()
            .find(|r| r["id"] == id)
            .cloned()
            .unwrap_or_default()
    };
    assert_eq!(rule("min-replicas")["enabled"], false);
    assert_eq!(rule("automount-token")["effective_severity"], "error");
    assert_eq!(
        rule("run-as-user-min")["effective_params"]["min_uid"],
        65532
    );
    let r = run(dir.path(), &["rules"], None);
    let first = r.stdout.lines().next().unwrap_or_default();
    assert!(
        first.starts_with("config: ") && first.ends_with(".k8s-constitution.yaml"),
        "{}",
        r.stdout
    );
    let min_replicas_line = r
        .stdout
        .lines()
        .find(|l| l.starts_with("min-replicas "))
        .unwrap_or_default();
    assert!(min_replicas_line.contains(" off "), "{min_replicas_line}");
    let r = run(dir.path(), &["explain", "run-as-user-min"], None);
    assert!(r.stdout.contains("configured: 65532"), "{}", r.stdout);
    assert!(
        r.stdout
            .lines()
            .any(|l| l.trim_start().starts_with("min_uid ") && l.contains("integer")),
        "{}",
        r.stdout
    );

    // --config none ignores the file found upward.
    let r = run(
        dir.path(),
        &["rules", "--config", "none", "--format", "json"],
        None,
    );
    let rules = json_of(&r);
    let min = rules
        .as_array()
        .into_iter()
        .flatten()
        .find(|r| r["id"] == "min-replicas")
        .cloned()
        .unwrap_or_default();
    assert_eq!(min["enabled"], true);

    // lint says which config is in force.
    let file = write(dir.path(), "app.yaml", ROOT_DEPLOYMENT);
    let r = run(
        dir.path(),
        &[
            "lint",
            file.to_str().unwrap_or_default(),
            "--format",
            "json",
        ],
        None,
    );
    assert!(
        json_of(&r)["summary"]["config"]
            .as_str()
            .is_some_and(|c| c.ends_with(".k8s-constitution.yaml")),
        "{}",
        r.stdout
    );
}

// ---- 6. namespaces -----------------------------------------------------------------------

/// A ConfigMap in `shop` made three un-namespaced Deployments "workloads of namespace shop".
#[test]
fn objects_without_a_namespace_never_join_another_objects_namespace() {
    let dir = temp();
    let netpol = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: shop}\nspec: {podSelector: {}, policyTypes: [Ingress]}\n";
    let text = format!("{netpol}---\n{ROOT_DEPLOYMENT}");
    let args = [
        "lint",
        "-",
        "--format",
        "json",
        "--only",
        "namespace-default-deny",
    ];
    let r = run(dir.path(), &args, Some(&text));
    let json = json_of(&r);
    assert_eq!(rules_of(&json), vec!["namespace-default-deny"], "{json}");
    assert!(
        json["findings"][0]["message"]
            .as_str()
            .is_some_and(|m| !m.contains("\"shop\"")),
        "{json}"
    );
    // Naming the namespace the objects are applied to puts them with the NetworkPolicy.
    let mut named = args.to_vec();
    named.extend(["--namespace", "shop"]);
    let r = run(dir.path(), &named, Some(&text));
    assert!(rules_of(&json_of(&r)).is_empty(), "{}", r.stdout);
}

// ---- 8. partial input: the pre-commit hook -----------------------------------------------

/// Editing only the Deployment used to fail the commit with namespace-default-deny although
/// the NetworkPolicy sits in the next file.
#[test]
fn context_objects_count_for_cross_resource_rules_but_are_not_reported() {
    let dir = temp();
    let deploy = write(
        dir.path(),
        "deploy/deployment.yaml",
        &ROOT_DEPLOYMENT.replace("  name: api\n", "  name: api\n  namespace: todo\n"),
    );
    write(
        dir.path(),
        "deploy/netpol.yaml",
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: todo}\nspec: {podSelector: {}, policyTypes: [Ingress]}\n",
    );
    write(
        dir.path(),
        "deploy/other.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata: {name: other, namespace: todo}\nspec: {containers: [{name: c, image: \"nginx:latest\"}]}\n",
    );
    let deploy = deploy.to_str().unwrap_or_default();
    let staged_only = run(
        dir.path(),
        &[
            "lint",
            deploy,
            "--format",
            "json",
            "--only",
            "namespace-default-deny,no-latest-tag",
        ],
        None,
    );
    assert_eq!(
        rules_of(&json_of(&staged_only)),
        vec!["namespace-default-deny"]
    );
    let in_context = run(
        dir.path(),
        &[
            "lint",
            deploy,
            "--context",
            ".",
            "--format",
            "json",
            "--only",
            "namespace-default-deny,no-latest-tag",
        ],
        None,
    );
    let json = json_of(&in_context);
    assert!(rules_of(&json).is_empty(), "{json}");
    assert_eq!(
        json["summary"]["resources"], 1,
        "only the judged objects count"
    );
    assert_eq!(in_context.code, 0);

    // Without the NetworkPolicy, the finding lands on the staged Deployment even when a
    // context workload comes first in the namespace.
    std::fs::remove_file(dir.path().join("deploy/netpol.yaml")).expect("rm");
    let r = run(
        dir.path(),
        &[
            "lint",
            deploy,
            "--context",
            ".",
            "--format",
            "json",
            "--only",
            "namespace-default-deny",
        ],
        None,
    );
    let json = json_of(&r);
    assert_eq!(rules_of(&json), vec!["namespace-default-deny"], "{json}");
    assert_eq!(json["findings"][0]["resource"]["name"], "api");
}

#[test]
fn the_pre_commit_hook_lints_in_context_and_allows_empty_commits() {
    let hooks = std::fs::read_to_string(repo(".pre-commit-hooks.yaml")).expect("hooks file");
    assert!(hooks.contains("--allow-empty"), "{hooks}");
    assert!(hooks.contains("--context"), "{hooks}");
}

/// `serve` used to start with a warning when the config named a rule the pack lacks; it now
/// refuses to start, as lint does, so a typo cannot switch a rule off in the cluster.
#[test]
fn serve_refuses_to_start_on_a_config_naming_an_unknown_rule() {
    let dir = temp();
    let certs = dir.path().join("certs");
    let r = run(
        dir.path(),
        &["certs", "--out", certs.to_str().unwrap_or_default()],
        None,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    write(
        dir.path(),
        ".k8s-constitution.yaml",
        "rules:\n  run-as-nonroot: {enabled: false}\n",
    );
    let out = bin_in(dir.path())
        .args([
            "serve",
            "--cert",
            certs.join("tls.crt").to_str().unwrap_or_default(),
            "--key",
            certs.join("tls.key").to_str().unwrap_or_default(),
            "--addr",
            "127.0.0.1:0",
            "--metrics-addr",
            "127.0.0.1:0",
        ])
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .expect("runs");
    assert_ne!(out.status.code(), Some(0));
    assert!(
        out.status.code().is_some(),
        "exited by itself, not killed by the timeout"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("did you mean `run-as-non-root`"),
        "{stderr}"
    );
}
