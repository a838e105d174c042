//! `--format sarif`: SARIF 2.1.0 with full rule metadata, real regions, and exempted findings
//! kept as suppressed results (so code-scanning UIs show them as dismissed, not gone).

use serde_json::{Value, json};

use crate::core::INVALID_EXEMPTION_RULE;
use crate::findings::LintReport;
use crate::policy::{RuleMeta, Severity};

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

fn rule_descriptor(rule: &RuleMeta, docs_base: &str) -> Value {
    json!({
        "id": rule.id,
        "name": rule.id,
        "helpUri": crate::config::rule_url(docs_base, &rule.id),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.rationale},
        "help": {
            "text": format!("{}\n\nConstitution: {}", rule.remediation, rule.section),
            "markdown": format!("**Fix:** {}\n\n**Why:** {}\n\n**Constitution:** {}", rule.remediation, rule.rationale, rule.section),
        },
        "defaultConfiguration": {"level": level(rule.severity)},
        "properties": {
            "tags": ["kubernetes", "security", "constitution"],
            "section": rule.section,
            "kinds": rule.kinds,
        }
    })
}

/// URIs are relative paths with forward slashes (SARIF's artifactLocation.uri).
fn uri(path: &str) -> String {
    path.trim_start_matches("./").replace('\\', "/")
}

pub fn render(report: &LintReport, rules: &[RuleMeta], docs_base: &str) -> String {
    let mut descriptors: Vec<Value> = rules
        .iter()
        .map(|rule| rule_descriptor(rule, docs_base))
        .collect();
    descriptors.push(json!({
        "id": INVALID_EXEMPTION_RULE,
        "name": INVALID_EXEMPTION_RULE,
        "helpUri": crate::config::rule_url(docs_base, INVALID_EXEMPTION_RULE),
        "shortDescription": {"text": "Exemption annotations must be well-formed"},
        "fullDescription": {"text": "An exemption without a reason is ignored; an unparsable expiry date means no expiry."},
        "help": {"text": "Add k8s-constitution.dev/exempt-reason, and write exempt-until as YYYY-MM-DD."},
        "defaultConfiguration": {"level": "warning"},
    }));
    let index_of = |id: &str| descriptors.iter().position(|d| d["id"] == id);
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            let mut result = json!({
                "ruleId": f.rule,
                "level": level(f.severity),
                "message": {"text": format!("{} ({})", f.message, f.resource.display())},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": {"uri": uri(&f.file.name)},
                        "region": {"startLine": f.line.max(1), "startColumn": f.column.max(1)},
                    },
                    "logicalLocations": [{
                        "fullyQualifiedName": f.path.to_string(),
                        "kind": "member",
                    }],
                }],
                "properties": {
                    "resource": f.resource,
                    "path": f.path.to_string(),
                },
            });
            if let Some(i) = index_of(&f.rule) {
                result["ruleIndex"] = json!(i);
            }
            if let Some(source) = &f.helm_source {
                result["properties"]["source"] = json!(source);
            }
            if let Some(reason) = f.exemption_reason() {
                result["suppressions"] = json!([{"kind": "inSource", "justification": reason}]);
            }
            result
        })
        .collect();
    let notifications: Vec<Value> = report
        .errors
        .iter()
        .map(|e| {
            json!({
                "level": "error",
                "message": {"text": e.message},
                "locations": [{"physicalLocation": {
                    "artifactLocation": {"uri": uri(&e.file)},
                    "region": {"startLine": e.line.max(1), "startColumn": e.column.max(1)},
                }}],
            })
        })
        .collect();
    let sarif = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "k8s-constitution",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": descriptors,
            }},
            "invocations": [{
                "executionSuccessful": report.errors.is_empty(),
                "toolExecutionNotifications": notifications,
            }],
            "results": results,
        }],
    });
    let mut out = serde_json::to_string_pretty(&sarif).unwrap_or_default();
    out.push('\n');
    out
}
