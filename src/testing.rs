//! `k8s-constitution test`: a Rego unit-test runner in the manner of `opa test`, which regorus
//! does not have. Every rule named `test_*` is a test; it passes when it evaluates to `true`
//! and fails when it is false or undefined (a failed expression inside a rule body leaves the
//! rule undefined, not false) or when evaluation errors.

use std::time::{Duration, Instant};

use crate::policy::{self, PackError, PolicyFile};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Pass,
    Fail(String),
}

#[derive(Debug, Clone)]
pub struct TestResult {
    pub file: String,
    pub package: String,
    pub name: String,
    pub outcome: Outcome,
    pub duration: Duration,
}

#[derive(Debug, Default)]
pub struct TestRun {
    pub results: Vec<TestResult>,
    /// Per-file covered / coverable line counts, when coverage was asked for.
    pub coverage: Option<Vec<FileCoverage>>,
}

#[derive(Debug, Clone)]
pub struct FileCoverage {
    pub path: String,
    pub covered: usize,
    pub not_covered: Vec<u32>,
}

impl TestRun {
    pub fn passed(&self) -> usize {
        self.results
            .iter()
            .filter(|r| r.outcome == Outcome::Pass)
            .count()
    }
    pub fn failed(&self) -> usize {
        self.results.len() - self.passed()
    }
}

/// The package a module declares, and the `test_*` rules defined at its top level.
fn tests_in(file: &PolicyFile) -> Option<(String, Vec<String>)> {
    let package = file
        .text
        .lines()
        .find_map(|l| l.trim().strip_prefix("package "))?
        .trim()
        .to_string();
    let mut names: Vec<String> = file
        .text
        .lines()
        .filter(|l| l.starts_with("test_"))
        .filter_map(|l| {
            let end = l
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(l.len());
            Some(l[..end].to_string()).filter(|n| n.len() > "test_".len())
        })
        .collect();
    names.dedup();
    Some((package, names))
}

/// Runs every test in `files` (all Rego files are loaded together, as in `opa test`).
pub fn run(
    files: &[PolicyFile],
    filter: Option<&str>,
    coverage: bool,
) -> Result<TestRun, PackError> {
    let rego: Vec<&PolicyFile> = files.iter().filter(|f| f.is_rego()).collect();
    let mut engine = policy::engine_with(&rego)?;
    // A builtin that errors (a regex the linked regex crate cannot compile, say) must fail the
    // test with its message, not read as an ordinary "undefined".
    engine.set_strict_builtin_errors(true);
    engine.set_enable_coverage(coverage);
    let mut run = TestRun::default();
    for file in rego.iter().filter(|f| f.is_test()) {
        let Some((package, names)) = tests_in(file) else {
            continue;
        };
        for name in names {
            // A rule id (`min-replicas`) selects its package (`...min_replicas`) too.
            let matches = |f: &str| {
                name.contains(f) || package.contains(f) || package.contains(&f.replace('-', "_"))
            };
            if filter.is_some_and(|f| !matches(f)) {
                continue;
            }
            let started = Instant::now();
            let outcome = match engine.eval_rule(format!("data.{package}.{name}")) {
                Ok(regorus::Value::Bool(true)) => Outcome::Pass,
                Ok(regorus::Value::Undefined) => Outcome::Fail("undefined".into()),
                Ok(other) => Outcome::Fail(format!(
                    "evaluated to {}",
                    other.to_json_str().unwrap_or_default()
                )),
                Err(e) => Outcome::Fail(format!("error: {e}")),
            };
            run.results.push(TestResult {
                file: file.path.clone(),
                package: package.clone(),
                name,
                outcome,
                duration: started.elapsed(),
            });
        }
    }
    if coverage {
        let report = engine
            .get_coverage_report()
            .map_err(|e| PackError::Eval(e.to_string()))?;
        run.coverage = Some(
            report
                .files
                .into_iter()
                .filter(|f| !f.path.ends_with("_test.rego"))
                .map(|f| {
                    let text = rego
                        .iter()
                        .find(|r| r.path == f.path)
                        .map(|r| r.text.as_str());
                    let metadata = text.map(metadata_lines).unwrap_or(0..=0);
                    let counted = |line: &u32| !metadata.contains(line);
                    FileCoverage {
                        covered: f.covered.iter().filter(|l| counted(l)).count(),
                        not_covered: f.not_covered.into_iter().filter(counted).collect(),
                        path: f.path,
                    }
                })
                .collect(),
        );
    }
    Ok(run)
}

/// The lines (1-based) of a rule's `metadata := {...}` block: data read by the binary, not
/// logic a test could run, so coverage does not count them. `0..=0` when there is none.
fn metadata_lines(text: &str) -> std::ops::RangeInclusive<u32> {
    let lines: Vec<&str> = text.lines().collect();
    let Some(start) = lines.iter().position(|l| l.starts_with("metadata := {")) else {
        return 0..=0;
    };
    let end = lines[start..]
        .iter()
        // The block ends at the first line that is not indented and closes a brace: `}` alone,
        // or the opening line itself for a one-line `metadata := {...}`.
        .position(|l| l.trim_end().ends_with('}') && !l.starts_with([' ', '\t']))
        .map_or(start, |i| start + i);
    let line = |i: usize| u32::try_from(i + 1).unwrap_or(u32::MAX);
    line(start)..=line(end)
}

/// Plain-text report, one line per test, then the closing `N passed, N failed` line.
pub fn render(run: &TestRun, verbose: bool) -> String {
    let mut out = String::new();
    for r in &run.results {
        match &r.outcome {
            Outcome::Pass if verbose => out.push_str(&format!(
                "PASS {}.{} ({:.1?})\n",
                r.package, r.name, r.duration
            )),
            Outcome::Pass => {}
            Outcome::Fail(why) => out.push_str(&format!(
                "FAIL {}.{} ({}): {why}\n",
                r.package, r.name, r.file
            )),
        }
    }
    if let Some(files) = &run.coverage {
        out.push_str("\ncoverage:\n");
        let (mut covered, mut total) = (0usize, 0usize);
        for f in files {
            let coverable = f.covered + f.not_covered.len();
            covered += f.covered;
            total += coverable;
            let pct = if coverable == 0 {
                100.0
            } else {
                100.0 * f.covered as f64 / coverable as f64
            };
            out.push_str(&format!("  {pct:5.1}%  {}", f.path));
            if !f.not_covered.is_empty() {
                let lines: Vec<String> = f.not_covered.iter().map(u32::to_string).collect();
                out.push_str(&format!("  (not covered: lines {})", lines.join(",")));
            }
            out.push('\n');
        }
        let pct = if total == 0 {
            100.0
        } else {
            100.0 * covered as f64 / total as f64
        };
        out.push_str(&format!("  {pct:5.1}%  total\n"));
    }
    out.push_str(&format!(
        "{} passed, {} failed\n",
        run.passed(),
        run.failed()
    ));
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn metadata_block_is_not_coverable() {
        let text =
            "package p\n\nmetadata := {\n\t\"id\": \"x\",\n}\n\nviolation contains 1 if true\n";
        assert_eq!(super::metadata_lines(text), 3..=5);
        let one_line = "package p\nmetadata := {\"id\": \"x\"}\n";
        assert_eq!(super::metadata_lines(one_line), 2..=2);
        assert_eq!(super::metadata_lines("package p\n"), 0..=0);
    }
}
