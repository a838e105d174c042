//! `--format junit`: one test case per resource, one suite per file, and a failed case per
//! input error, for CI systems that chart JUnit results. A case fails only for findings that
//! fail the run (`--fail-on`); findings below it are listed in the case's `<system-out>`, so a
//! warning-only run that exits 0 is not a failing suite.

use std::collections::BTreeMap;

use crate::findings::{Finding, LintReport};
use crate::policy::Severity;

fn xml(s: &str) -> String {
    s.chars()
        .filter(|c| matches!(c, '\t' | '\n' | '\r') || !c.is_control())
        .collect::<String>()
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

pub fn render(report: &LintReport, fail_on: Option<Severity>) -> String {
    let fails = |f: &Finding| fail_on.is_some_and(|t| f.severity >= t);
    // file -> resource -> findings, including resources with no findings.
    let mut suites: BTreeMap<&str, BTreeMap<String, Vec<&Finding>>> = BTreeMap::new();
    for (file, resource) in &report.resources {
        suites
            .entry(file)
            .or_default()
            .entry(resource.display())
            .or_default();
    }
    for f in report.findings.iter().filter(|f| !f.exempted()) {
        suites
            .entry(&f.file.name)
            .or_default()
            .entry(f.resource.display())
            .or_default()
            .push(f);
    }
    let mut body = String::new();
    let (mut tests, mut failures) = (0usize, 0usize);
    for (file, cases) in &suites {
        let suite_failures = cases
            .values()
            .filter(|f| f.iter().any(|f| fails(f)))
            .count();
        tests += cases.len();
        failures += suite_failures;
        body.push_str(&format!(
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\">\n",
            xml(file),
            cases.len(),
            suite_failures
        ));
        for (resource, findings) in cases {
            body.push_str(&format!(
                "    <testcase classname=\"{}\" name=\"{}\"",
                xml(file),
                xml(resource)
            ));
            if findings.is_empty() {
                body.push_str("/>\n");
                continue;
            }
            body.push_str(">\n");
            let detail = |f: &&Finding| {
                format!(
                    "{}:{}:{} [{}] {}: {} ({})",
                    f.file.name, f.line, f.column, f.severity, f.rule, f.message, f.path
                )
            };
            let (failing, passing): (Vec<&Finding>, Vec<&Finding>) =
                findings.iter().partition(|f| fails(f));
            if !failing.is_empty() {
                let summary: Vec<&str> = failing.iter().map(|f| f.rule.as_str()).collect();
                let details: Vec<String> = failing.iter().map(detail).collect();
                body.push_str(&format!(
                    "      <failure message=\"{}\" type=\"constitution\">{}</failure>\n",
                    xml(&format!(
                        "{} finding(s): {}",
                        failing.len(),
                        summary.join(", ")
                    )),
                    xml(&details.join("\n"))
                ));
            }
            if !passing.is_empty() {
                let details: Vec<String> = passing.iter().map(detail).collect();
                body.push_str(&format!(
                    "      <system-out>{}</system-out>\n",
                    xml(&details.join("\n"))
                ));
            }
            body.push_str("    </testcase>\n");
        }
        body.push_str("  </testsuite>\n");
    }
    if !report.errors.is_empty() {
        body.push_str(&format!(
            "  <testsuite name=\"input errors\" tests=\"{0}\" failures=\"{0}\">\n",
            report.errors.len()
        ));
        for e in &report.errors {
            body.push_str(&format!(
                "    <testcase classname=\"{}\" name=\"{}:{}\">\n      <failure message=\"{}\" type=\"input\"/>\n    </testcase>\n",
                xml(&e.file),
                e.line,
                e.column,
                xml(&e.message)
            ));
        }
        body.push_str("  </testsuite>\n");
        tests += report.errors.len();
        failures += report.errors.len();
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"k8s-constitution\" tests=\"{tests}\" failures=\"{failures}\">\n{body}</testsuites>\n"
    )
}
