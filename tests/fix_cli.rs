//! `lint --fix` (issue #13), through the real binary: only the touched nodes change, the result
//! re-lints without the fixed findings, a second run changes nothing, and every file it cannot
//! fix safely is refused whole.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

fn bin(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("k8s-constitution").expect("binary built");
    cmd.current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("K8S_CONSTITUTION_CONFIG");
    cmd
}

/// `lint --format json` of `file`: every finding.
fn findings(dir: &Path, file: &str) -> Vec<Value> {
    let out = bin(dir)
        .args([
            "lint",
            file,
            "--config",
            "none",
            "--format",
            "json",
            "--fail-on",
            "never",
        ])
        .output()
        .expect("runs");
    let json: Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    json["findings"].as_array().cloned().unwrap_or_default()
}

fn fixable(findings: &[Value]) -> Vec<String> {
    findings
        .iter()
        .filter(|f| f.get("fix").is_some())
        .map(|f| format!("{} {}", f["rule"], f["path"]))
        .collect()
}

const DEPLOYMENT: &str = "# a comment at the top
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web   # trailing comment
  namespace: shop
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: \"nginx:1.27\"
          securityContext:
            privileged: true

          # a blank line and a comment stay where they are
        - name: side
          image: busybox:1.36
          securityContext: {capabilities: {drop: [NET_RAW]}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: c, namespace: shop}
data: {a: b}
";

const FIXED: &str = "# a comment at the top
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web   # trailing comment
  namespace: shop
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: \"nginx:1.27\"
          securityContext:
            privileged: false
            capabilities:
              drop: [ALL]
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true

          # a blank line and a comment stay where they are
        - name: side
          image: busybox:1.36
          securityContext: {capabilities: {drop: [NET_RAW, ALL]}, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true}
      automountServiceAccountToken: false
      securityContext:
        runAsNonRoot: true
        seccompProfile:
          type: RuntimeDefault
---
apiVersion: v1
kind: ConfigMap
metadata: {name: c, namespace: shop}
data: {a: b}
";

#[test]
fn fix_edits_only_the_touched_nodes_and_is_idempotent() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("d.yaml"), DEPLOYMENT).expect("write");
    let before = fixable(&findings(dir.path(), "d.yaml"));
    assert!(before.len() >= 10, "fixable findings: {before:?}");

    // --diff writes nothing and exits 1.
    let out = bin(dir.path())
        .args(["lint", "d.yaml", "--config", "none", "--fix", "--diff"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let diff = String::from_utf8_lossy(&out.stdout);
    assert!(
        diff.contains("-            privileged: true\n+            privileged: false\n"),
        "{diff}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("d.yaml")).expect("read"),
        DEPLOYMENT
    );

    let out = bin(dir.path())
        .args([
            "lint", "d.yaml", "--config", "none", "--fix", "--format", "compact",
        ])
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "fix: {} finding(s) fixed in 1 file(s)",
            before.len()
        )),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("d.yaml")).expect("read"),
        FIXED
    );
    // What remains is reported (probes, resources: no fix without a human's choice).
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        report.contains("liveness-probe") && !report.contains("no-privileged"),
        "{report}"
    );
    assert_eq!(
        fixable(&findings(dir.path(), "d.yaml")),
        Vec::<String>::new()
    );

    // A second run changes nothing.
    let out = bin(dir.path())
        .args(["lint", "d.yaml", "--config", "none", "--fix", "--diff"])
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn fix_of_stdin_writes_the_stream_to_stdout() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = bin(dir.path())
        .args(["lint", "-", "--config", "none", "--fix"])
        .write_stdin(DEPLOYMENT)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stdout), FIXED);
    // Nothing fixable: the stream as it came.
    let out = bin(dir.path())
        .args(["lint", "-", "--config", "none", "--fix"])
        .write_stdin(FIXED)
        .output()
        .expect("runs");
    assert_eq!(String::from_utf8_lossy(&out.stdout), FIXED);
}

#[test]
fn crlf_files_keep_their_line_breaks() {
    let dir = tempfile::tempdir().expect("tempdir");
    let crlf = DEPLOYMENT.replace('\n', "\r\n");
    std::fs::write(dir.path().join("d.yaml"), &crlf).expect("write");
    bin(dir.path())
        .args([
            "lint",
            "d.yaml",
            "--config",
            "none",
            "--fix",
            "--fail-on",
            "never",
        ])
        .assert()
        .success();
    let fixed = std::fs::read_to_string(dir.path().join("d.yaml")).expect("read");
    assert_eq!(fixed, FIXED.replace('\n', "\r\n"));
}

#[test]
fn a_byte_order_mark_is_kept() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut text = b"\xEF\xBB\xBF".to_vec();
    text.extend_from_slice(DEPLOYMENT.as_bytes());
    std::fs::write(dir.path().join("d.yaml"), &text).expect("write");
    let out = bin(dir.path())
        .args([
            "lint",
            "d.yaml",
            "--config",
            "none",
            "--fix",
            "--fail-on",
            "never",
        ])
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("not fixed"), "{stderr}");
    let mut expected = b"\xEF\xBB\xBF".to_vec();
    expected.extend_from_slice(FIXED.as_bytes());
    assert_eq!(
        std::fs::read(dir.path().join("d.yaml")).expect("read"),
        expected
    );
}

#[test]
fn files_it_cannot_fix_safely_are_refused_whole() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Rendered by Helm: the template is what to fix.
    let rendered = format!(
        "---\n# Source: web/templates/deployment.yaml\n{}",
        DEPLOYMENT.split("---").next().unwrap_or_default()
    );
    std::fs::write(dir.path().join("rendered.yaml"), &rendered).expect("write");
    // A symbolic link, and a read-only file.
    std::fs::write(dir.path().join("target.yaml"), DEPLOYMENT).expect("write");
    #[cfg(unix)]
    std::os::unix::fs::symlink("target.yaml", dir.path().join("link.yaml")).expect("symlink");
    std::fs::write(dir.path().join("ro.yaml"), DEPLOYMENT).expect("write");
    let mut perms = std::fs::metadata(dir.path().join("ro.yaml"))
        .expect("meta")
        .permissions();
    perms.set_readonly(true);
    std::fs::set_permissions(dir.path().join("ro.yaml"), perms).expect("chmod");

    for (file, reason) in [
        (
            "rendered.yaml",
            "rendered by Helm (from web/templates/deployment.yaml)",
        ),
        ("link.yaml", "a symbolic link"),
        ("ro.yaml", "read-only"),
    ] {
        let out = bin(dir.path())
            .args([
                "lint",
                file,
                "--config",
                "none",
                "--fix",
                "--fail-on",
                "never",
            ])
            .output()
            .expect("runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(&format!("{file}: not fixed: ")) && stderr.contains(reason),
            "{file}: {stderr}"
        );
    }
    // A file with an input error further down: the fix could not be checked against it.
    std::fs::write(
        dir.path().join("broken.yaml"),
        format!("{DEPLOYMENT}---\nkind: [unclosed\n"),
    )
    .expect("write");
    let out = bin(dir.path())
        .args([
            "lint",
            "broken.yaml",
            "--config",
            "none",
            "--fix",
            "--fail-on",
            "never",
        ])
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "broken.yaml: not fixed: it has an input error; fix that first (broken.yaml:"
        ),
        "{stderr}"
    );
    assert_eq!(out.status.code(), Some(2), "input errors still exit 2");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("rendered.yaml")).expect("read"),
        rendered
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("target.yaml")).expect("read"),
        DEPLOYMENT
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("ro.yaml")).expect("read"),
        DEPLOYMENT
    );
}

/// Every YAML file of the repository's fixtures, fixed: each file is either fixed so that no
/// fixable finding remains, or refused with a reason; never corrupted (the binary re-parses
/// its edit and compares it with the patched objects before writing), and no byte before the
/// first edit or after the last changes.
#[test]
fn every_fixture_is_fixed_or_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut copied = Vec::new();
    for entry in walkdir::WalkDir::new(repo("fixtures"))
        .into_iter()
        .filter_map(Result::ok)
    {
        let path = entry.path();
        if !matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml")
        ) {
            continue;
        }
        let name = format!("f{}.yaml", copied.len());
        std::fs::copy(path, dir.path().join(&name)).expect("copy");
        copied.push((name, std::fs::read(path).expect("read")));
    }
    assert!(copied.len() > 50, "fixtures found: {}", copied.len());
    let out = bin(dir.path())
        .args([
            "lint",
            ".",
            "--config",
            "none",
            "--fix",
            "--fail-on",
            "never",
            "--format",
            "json",
        ])
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    let refused: Vec<&str> = stderr
        .lines()
        .filter_map(|l| {
            l.split_once(": not fixed: ")
                .map(|(file, _)| file.trim_start_matches("./"))
        })
        .collect();
    let report: Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    let mut changed = 0;
    for f in report["findings"].as_array().into_iter().flatten() {
        if f.get("fix").is_some() && f["exempted"] == false {
            let file = f["file"]
                .as_str()
                .unwrap_or_default()
                .trim_start_matches("./");
            assert!(
                refused.contains(&file),
                "fixable finding left in a file not refused: {f}\n{stderr}"
            );
        }
    }
    for (name, before) in &copied {
        let after = std::fs::read(dir.path().join(name)).expect("read");
        if &after != before {
            changed += 1;
            let prefix = before
                .iter()
                .zip(&after)
                .take_while(|(a, b)| a == b)
                .count();
            assert!(
                prefix > 0 || before.is_empty(),
                "{name}: the first byte changed"
            );
        }
    }
    assert!(changed > 10, "only {changed} fixtures changed\n{stderr}");
}

/// The `# expect:` lines of a fixture name findings; `--fix` adds nothing of that kind.
fn rule_findings(dir: &Path, file: &str, rule: &str) -> Vec<Value> {
    let out = bin(dir)
        .args([
            "lint", file, "--config", "none", "--only", rule, "--format", "json",
        ])
        .args(["--fail-on", "never"])
        .output()
        .expect("runs");
    let json: Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    json["findings"].as_array().cloned().unwrap_or_default()
}

/// Every fail fixture of every rule, fixed by that rule alone: each finding that carried a fix
/// is gone and nothing new appears (the fix gives the pass shape); the ones without a fix (a
/// human's choice) remain. Fixes the rules make are thus checked on the rule's own fixtures.
#[test]
fn each_rules_fix_clears_its_own_fail_fixtures() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut fixed_rules = std::collections::BTreeSet::new();
    for rule_dir in std::fs::read_dir(repo("fixtures/rules")).expect("fixtures/rules") {
        let rule_dir = rule_dir.expect("entry").path();
        let rule = rule_dir
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        let Ok(fails) = std::fs::read_dir(rule_dir.join("fail")) else {
            continue;
        };
        for fixture in fails {
            let fixture = fixture.expect("entry").path();
            let name = format!(
                "{rule}-{}",
                fixture
                    .file_name()
                    .and_then(|n| n.to_str())
                    .unwrap_or_default()
            );
            std::fs::copy(&fixture, dir.path().join(&name)).expect("copy");
            let before = rule_findings(dir.path(), &name, &rule);
            let unfixable: Vec<&Value> = before.iter().filter(|f| f.get("fix").is_none()).collect();
            if unfixable.len() == before.len() {
                continue;
            }
            let out = bin(dir.path())
                .args([
                    "lint",
                    &name,
                    "--config",
                    "none",
                    "--only",
                    &rule,
                    "--fix",
                    "--fail-on",
                    "never",
                ])
                .output()
                .expect("runs");
            let stderr = String::from_utf8_lossy(&out.stderr);
            if stderr.contains("not fixed: rendered by Helm") {
                continue;
            }
            assert!(!stderr.contains("not fixed"), "{name}: {stderr}");
            let after = rule_findings(dir.path(), &name, &rule);
            let messages = |fs: &[&Value]| -> Vec<String> {
                fs.iter().map(|f| f["message"].to_string()).collect()
            };
            assert_eq!(
                messages(&after.iter().collect::<Vec<_>>()),
                messages(&unfixable),
                "{name}: after --fix only the findings without a fix should remain"
            );
            fixed_rules.insert(rule.clone());
        }
    }
    for rule in [
        "run-as-non-root",
        "no-privilege-escalation",
        "read-only-root-filesystem",
        "drop-all-capabilities",
        "seccomp-profile",
        "automount-token",
        "no-privileged",
        "no-host-namespaces",
    ] {
        assert!(
            fixed_rules.contains(rule),
            "no fail fixture of {rule} was fixed: {fixed_rules:?}"
        );
    }
}

/// `explain` shows what `--fix` makes of the rule's failing example, and nothing for a rule
/// without a fix.
#[test]
fn explain_shows_the_fix_of_the_failing_example() {
    let dir = tempfile::tempdir().expect("tempdir");
    let explain = |rule: &str| {
        let out = bin(dir.path())
            .args(["explain", rule])
            .env("COLUMNS", "100")
            .output()
            .expect("runs");
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    let text = explain("drop-all-capabilities");
    let fixed = text
        .split("Fixed by `lint --fix`:\n")
        .nth(1)
        .unwrap_or_default();
    assert!(
        fixed.contains("\n  +          capabilities:\n  +            drop: [ALL]\n"),
        "{text}"
    );
    assert!(!explain("liveness-probe").contains("Fixed by"));
}
