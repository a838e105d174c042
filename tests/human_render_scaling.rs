//! The human report must take time linear in its findings and its input: rendering used to
//! count lines from the start of the file for every finding, so one 2 MB stream took 83 s. The
//! test renders N and 4N resources from one stream in the same run and compares the times:
//! linear gives about 4× (less, with the fixed start-up cost), quadratic about 16×. It fails
//! only above 8×, and each size is timed as the best of three runs, so a busy machine slows
//! both sides rather than failing the test.

#[path = "common/timing.rs"]
mod timing;

use std::time::Duration;

use timing::{best_of_three, run_with_stdin};

/// A stream of `n` Deployments, each with several findings spread over its lines.
fn stream(n: usize) -> String {
    let mut out = String::new();
    for i in 0..n {
        out.push_str(&format!(
            "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-{i}\n  namespace: team-{}\n  labels: {{app: app-{i}}}\nspec:\n  replicas: 1\n  selector:\n    matchLabels: {{app: app-{i}}}\n  template:\n    metadata:\n      labels: {{app: app-{i}}}\n    spec:\n      containers:\n        - name: app\n          image: app-{i}:latest\n          ports: [{{containerPort: 8080}}]\n          securityContext:\n            privileged: false\n          resources:\n            requests: {{cpu: 100m}}\n",
            i % 10
        ));
    }
    out
}

/// Wall time of one `lint - <args>` over `input`, and the output's length in lines.
fn render_with(args: &[&str], input: &str) -> (Duration, usize) {
    let mut all = vec!["lint", "-", "--fail-on", "never"];
    all.extend_from_slice(args);
    let (elapsed, output) = run_with_stdin(&all, input);
    assert_eq!(output.status.code(), Some(0), "lint ran");
    let lines = String::from_utf8_lossy(&output.stdout).lines().count();
    (elapsed, lines)
}

#[test]
fn human_rendering_is_linear_in_one_stream() {
    assert_linear(&["--format", "human"]);
}

/// SARIF's fixes and `--fix` edit the text per finding: each edit must look only near where it
/// goes (looking through the whole stream for its line breaks made SARIF 2x JSON on 10k).
#[test]
fn sarif_fixes_and_fix_are_linear_in_one_stream() {
    assert_linear(&["--format", "sarif"]);
    assert_linear(&["--fix"]);
}

fn assert_linear(args: &[&str]) {
    const N: usize = 250;
    let (small_input, large_input) = (stream(N), stream(4 * N));
    let (small, small_lines) = best_of_three(|| render_with(args, &small_input));
    let (large, large_lines) = best_of_three(|| render_with(args, &large_input));
    // The larger report really holds about four times as many findings.
    assert!(
        large_lines > 3 * small_lines,
        "{small_lines} lines for {N} resources, {large_lines} for {}",
        4 * N
    );
    let ratio = large.as_secs_f64() / small.as_secs_f64().max(1e-3);
    assert!(
        ratio <= 8.0,
        "lint {args:?} of {N} resources took {small:?}, of {} resources {large:?}: {ratio:.1}× \
         for 4× the input (linear is about 4×, quadratic about 16×)",
        4 * N
    );
}
