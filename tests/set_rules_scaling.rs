//! The cross-resource rules must take time linear in the input: a Service's help once looked
//! for the workloads of other namespaces that its selector matches by scanning every workload
//! per Service, and 10,000 resources took over a minute instead of a second. The test lints N
//! and 4N resources (each Service selecting labels that only a workload of another namespace
//! carries, the case that scan served) and fails only when 4× the input takes more than 8× the
//! time (linear is about 4×, quadratic about 16×); each size is the best of three runs.

#[path = "common/timing.rs"]
mod timing;

use std::time::Duration;

use timing::{best_of_three, run_with_stdin};

/// `n` Deployments and `n` Services over ten namespaces; Service i selects the labels of
/// Deployment i, which is in the next namespace.
fn stream(n: usize) -> String {
    let mut out = String::new();
    for i in 0..n {
        out.push_str(&format!(
            "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: app-{i}, namespace: team-{}}}\nspec:\n  replicas: 2\n  selector: {{matchLabels: {{app: app-{i}}}}}\n  template:\n    metadata: {{labels: {{app: app-{i}, tier: web}}}}\n    spec: {{containers: [{{name: app, image: app:1}}]}}\n---\napiVersion: v1\nkind: Service\nmetadata: {{name: app-{i}, namespace: team-{}}}\nspec: {{selector: {{app: app-{i}, tier: web}}, ports: [{{port: 80}}]}}\n",
            i % 10,
            (i + 1) % 10
        ));
    }
    out
}

/// Wall time of `lint - --format json` over `input`, and how many findings name another
/// namespace's workload in their help (so the case under test really ran).
fn lint(input: &str) -> (Duration, usize) {
    let args = [
        "lint",
        "-",
        "--format",
        "json",
        "--fail-on",
        "never",
        "--config",
        "none",
        "--only",
        "service-selector-matches",
    ];
    let (elapsed, output) = run_with_stdin(&args, input);
    assert_eq!(output.status.code(), Some(0), "lint ran");
    let elsewhere = String::from_utf8_lossy(&output.stdout)
        .matches("but a Service only routes to pods of its own namespace")
        .count();
    (elapsed, elsewhere)
}

#[test]
fn service_help_is_linear_in_the_input() {
    const N: usize = 300;
    let (small_input, large_input) = (stream(N), stream(4 * N));
    let (small, small_found) = best_of_three(|| lint(&small_input));
    let (large, large_found) = best_of_three(|| lint(&large_input));
    assert_eq!((small_found, large_found), (N, 4 * N));
    let ratio = large.as_secs_f64() / small.as_secs_f64().max(1e-3);
    assert!(
        ratio <= 8.0,
        "{N} Services took {small:?}, {} took {large:?}: {ratio:.1}× for 4× the input \
         (linear is about 4×, quadratic about 16×)",
        4 * N
    );
}
