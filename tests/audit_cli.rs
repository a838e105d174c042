//! `k8s-constitution audit` without a cluster: argument and connection errors are clear
//! messages with exit code 2, never panics or hangs. (Against a real API server, scripts/e2e.sh
//! checks the findings.)

use std::io::Write;
use std::time::{Duration, Instant};

use assert_cmd::Command;

/// The binary, run from an empty directory with no kubeconfig or in-cluster environment.
fn bin(home: &std::path::Path) -> Command {
    let mut cmd = Command::cargo_bin("k8s-constitution").expect("binary built");
    cmd.current_dir(home)
        .env("NO_COLOR", "1")
        .env("HOME", home)
        .env_remove("KUBECONFIG")
        .env_remove("KUBERNETES_SERVICE_HOST")
        .env_remove("KUBERNETES_SERVICE_PORT")
        .env_remove("K8S_CONSTITUTION_CONFIG");
    cmd
}

fn run(home: &std::path::Path, args: &[&str]) -> (i32, String) {
    let out = bin(home).arg("audit").args(args).output().expect("runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

#[test]
fn missing_kubeconfig_is_exit_2_with_the_path() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("nope.kubeconfig");
    let (code, text) = run(
        dir.path(),
        &["--kubeconfig", &missing.display().to_string()],
    );
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("cannot read the kubeconfig"), "{text}");
    assert!(text.contains("nope.kubeconfig"), "{text}");
}

#[test]
fn no_configuration_at_all_is_exit_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (code, text) = run(dir.path(), &[]);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("no usable cluster configuration"), "{text}");
}

#[test]
fn unknown_context_is_exit_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("kubeconfig");
    write_kubeconfig(&path, "https://127.0.0.1:1");
    let (code, text) = run(
        dir.path(),
        &[
            "--kubeconfig",
            &path.display().to_string(),
            "--context",
            "other",
        ],
    );
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("other"), "{text}");
}

#[test]
fn unreachable_api_server_is_exit_2_quickly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("kubeconfig");
    // Port 1 on loopback: connection refused at once.
    write_kubeconfig(&path, "https://127.0.0.1:1");
    let started = Instant::now();
    let (code, text) = run(dir.path(), &["--kubeconfig", &path.display().to_string()]);
    assert_eq!(code, 2, "{text}");
    assert!(
        text.contains("cannot talk to the API server at https://127.0.0.1:1"),
        "{text}"
    );
    assert!(started.elapsed() < Duration::from_secs(30));
}

#[test]
fn bad_arguments_are_usage_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    for args in [
        &["--format", "yaml"][..],
        &["--fail-on", "sometimes"][..],
        &["--page-size", "0"][..],
    ] {
        let (code, text) = run(dir.path(), args);
        assert_eq!(code, 2, "{args:?}: {text}");
        assert!(text.contains("invalid value"), "{args:?}: {text}");
    }
}

fn write_kubeconfig(path: &std::path::Path, server: &str) {
    let mut f = std::fs::File::create(path).expect("create kubeconfig");
    write!(
        f,
        "apiVersion: v1
kind: Config
clusters:
- name: c
  cluster:
    server: {server}
    insecure-skip-tls-verify: true
users:
- name: u
  user:
    token: abc
contexts:
- name: ctx
  context:
    cluster: c
    user: u
current-context: ctx
"
    )
    .expect("write kubeconfig");
}
