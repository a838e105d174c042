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
