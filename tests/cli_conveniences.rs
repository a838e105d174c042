//! The conveniences around the report: shell completions, the man page, `--quiet`, `-o FILE`
//! and the compact format's input errors.

use assert_cmd::Command;

fn bin() -> Command {
    let mut cmd = Command::cargo_bin("k8s-constitution").expect("binary");
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100");
    cmd
}

fn stdout(cmd: &mut Command) -> (Option<i32>, String) {
    let out = cmd.output().expect("runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn bash_completions_know_the_subcommands_and_flags() {
    let (code, text) = stdout(bin().args(["completions", "bash"]));
    assert_eq!(code, Some(0));
    assert!(text.contains("lint"), "{text}");
    assert!(text.contains("--format"), "{text}");
    for shell in ["zsh", "fish", "powershell", "elvish"] {
        let (code, text) = stdout(bin().args(["completions", shell]));
        assert_eq!(code, Some(0), "{shell}");
        assert!(text.contains("lint"), "{shell}: {text}");
    }
}

#[test]
fn man_page_is_roff() {
    let (code, text) = stdout(bin().arg("man"));
    assert_eq!(code, Some(0));
    assert!(text.starts_with(".TH"), "{text}");
    assert!(text.contains("lint"), "{text}");
}

const ARGS: [&str; 5] = [
    "lint",
    "fixtures/lint/mixed",
    "--only",
    "run-as-non-root",
    "--fail-on=never",
];

#[test]
fn quiet_prints_only_the_summary() {
    let (_, full) = stdout(bin().args(ARGS));
    let summary = full.lines().last().unwrap_or_default().to_string();
    assert!(summary.starts_with('✖'), "{full}");
    for format in ["human", "compact"] {
        let (code, text) = stdout(bin().args(ARGS).args(["--format", format, "--quiet"]));
        assert_eq!(code, Some(0));
        assert_eq!(text.lines().last(), Some(summary.as_str()), "{format}");
        assert!(
            text.lines().all(|l| !l.contains("run-as-non-root")),
            "{format}: {text}"
        );
    }
    // Machine formats are unchanged by -q.
    let (_, json) = stdout(bin().args(ARGS).args(["--format", "json"]));
    let (_, quiet_json) = stdout(bin().args(ARGS).args(["--format", "json", "-q"]));
    assert_eq!(json, quiet_json);
}

#[test]
fn output_file_holds_the_report() {
    let dir = tempfile::tempdir().expect("tempdir");
    for format in ["human", "json", "sarif", "junit", "github", "compact"] {
        let (_, expected) = stdout(bin().args(ARGS).args(["--format", format]));
        let file = dir.path().join(format!("report.{format}"));
        let (code, text) = stdout(bin().args(ARGS).args([
            "--format",
            format,
            "-o",
            file.to_str().unwrap_or_default(),
        ]));
        assert_eq!(code, Some(0), "{format}");
        assert_eq!(text, "", "{format}: nothing on stdout");
        let written = std::fs::read_to_string(&file).expect("report written");
        assert_eq!(written, expected, "{format}");
    }
}

#[test]
fn unwritable_output_is_a_usage_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("no-such-dir").join("report.json");
    let out = bin()
        .args(ARGS)
        .args(["--output", file.to_str().unwrap_or_default()])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cannot write the report to"), "{stderr}");
}

#[test]
fn compact_input_errors_name_their_place() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("broken.yaml");
    std::fs::write(
        &file,
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [unclosed\n",
    )
    .expect("write");
    let (code, text) = stdout(bin().args([
        "lint",
        file.to_str().unwrap_or_default(),
        "--format",
        "compact",
    ]));
    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains(": error input: "), "{text}");
}

/// A pod whose only findings are warnings (its replicas and token mount are the warning rules).
const WARNING_ONLY: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: team}\nspec:\n  replicas: 1\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [{name: c, image: x:1}]\n";

/// JUnit marks a case failed only for findings that fail the run: a warning-only run exits 0
/// and is not a failing suite, unless `--fail-on warning` makes warnings fail it.
#[test]
fn junit_fails_a_case_only_at_the_fail_on_severity() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("web.yaml");
    std::fs::write(&file, WARNING_ONLY).expect("write");
    let path = file.to_str().unwrap_or_default();
    let only = [
        "--only",
        "min-replicas",
        "--config",
        "none",
        "--format",
        "junit",
    ];
    let (code, text) = stdout(bin().args(["lint", path]).args(only));
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("failures=\"0\""), "{text}");
    assert!(!text.contains("<failure"), "{text}");
    assert!(
        text.contains("<system-out>") && text.contains("min-replicas"),
        "{text}"
    );
    let (code, text) = stdout(
        bin()
            .args(["lint", path, "--fail-on", "warning"])
            .args(only),
    );
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains("<failure message=\"1 finding(s): min-replicas\""),
        "{text}"
    );
    let (code, text) = stdout(bin().args(["lint", path, "--fail-on", "never"]).args(only));
    assert_eq!(code, Some(0), "{text}");
    assert!(!text.contains("<failure"), "{text}");
}

/// Rule links: the project's reference by default, `docs_url` in the config or `--docs-url`
/// (which wins) for a fork or a mirror; in SARIF's helpUri, `explain`, `rules --format json`
/// and the human report alike. A base that is not a URL is refused.
#[test]
fn rule_links_follow_docs_url() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("web.yaml");
    std::fs::write(&file, WARNING_ONLY).expect("write");
    let config = dir.path().join("cfg.yaml");
    std::fs::write(&config, "docs_url: https://mirror.test/rules.md\n").expect("write");
    let (path, config) = (
        file.to_str().unwrap_or_default(),
        config.to_str().unwrap_or_default(),
    );
    let default =
        "https://github.com/k8s-constitution/k8s-constitution/blob/main/docs/rules.md#min-replicas";
    let (_, sarif) = stdout(bin().args(["lint", path, "--config", "none", "-f", "sarif"]));
    assert!(
        sarif.contains(&format!("\"helpUri\": \"{default}\"")),
        "{sarif}"
    );
    let (_, human) = stdout(bin().args(["lint", path, "--config", config]));
    assert!(
        human.contains("docs: https://mirror.test/rules.md#min-replicas"),
        "{human}"
    );
    let (_, explain) = stdout(bin().args([
        "explain",
        "min-replicas",
        "--config",
        config,
        "--docs-url",
        "https://flag.test/r.md",
    ]));
    assert!(
        explain.contains("Reference: https://flag.test/r.md#min-replicas"),
        "{explain}"
    );
    let (_, json) = stdout(bin().args(["rules", "--config", "none", "-f", "json"]));
    assert!(json.contains(&format!("\"url\": \"{default}\"")), "{json}");
    let (code, _) = stdout(bin().args(["rules", "--docs-url", "not a url"]));
    assert_eq!(code, Some(2));
    std::fs::write(dir.path().join("bad.yaml"), "docs_url: rules.md\n").expect("write");
    let out = bin()
        .args(["rules", "--config"])
        .arg(dir.path().join("bad.yaml"))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("docs_url `rules.md`"));
}

#[test]
fn lint_help_lists_the_exit_codes() {
    for command in ["lint", "audit"] {
        let (code, text) = stdout(bin().args([command, "--help"]));
        assert_eq!(code, Some(0));
        assert!(
            text.contains("Exit codes:") && text.contains("2  nothing or not everything"),
            "{text}"
        );
    }
}
