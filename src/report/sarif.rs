//! `--format sarif`: SARIF 2.1.0 with full rule metadata, real regions, and exempted findings
//! kept as suppressed results (so code-scanning UIs show them as dismissed, not gone).

use serde_json::{Value, json};

use crate::core::INVALID_EXEMPTION_RULE;
use crate::findings::{Finding, LintReport};
use crate::fix::edit::Edit;
use crate::policy::{RuleMeta, Severity};

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// SARIF's `name`: readable and unlike the `id` (the validator's SARIF1001): `RunAsNonRoot`.
fn rule_name(id: &str) -> String {
    id.split('-')
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

fn rule_descriptor(rule: &RuleMeta, docs_base: &str) -> Value {
    json!({
        "id": rule.id,
        "name": rule_name(&rule.id),
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

/// SARIF's artifactLocation.uri: a relative reference with forward slashes, or a `file://` URI
/// for an absolute path (a relative reference may not begin with a slash); characters URIs
/// reserve are percent-encoded.
fn uri(path: &str) -> String {
    let path = path.trim_start_matches("./").replace('\\', "/");
    let mut encoded = String::with_capacity(path.len());
    for c in path.chars() {
        match c {
            '%' | ' ' | '#' | '?' | '[' | ']' => encoded.push_str(&format!("%{:02X}", c as u32)),
            c => encoded.push(c),
        }
    }
    if encoded.starts_with('/') {
        format!("file://{encoded}")
    } else {
        encoded
    }
}

/// A SARIF fix: the finding's edit as replacements of regions of its file (`line_starts`: the
/// byte offset of each of its lines).
fn fix(f: &Finding, edits: &[Edit], line_starts: &[usize]) -> Value {
    let text = f.file.text.as_str();
    let replacements: Vec<Value> = edits
        .iter()
        .map(|e| {
            let (start_line, start_column) = line_column(text, line_starts, e.offset);
            let (end_line, end_column) = line_column(text, line_starts, e.offset + e.len);
            json!({
                "deletedRegion": {
                    "startLine": start_line, "startColumn": start_column,
                    "endLine": end_line, "endColumn": end_column,
                },
                "insertedContent": {"text": e.text},
            })
        })
        .collect();
    json!({
        "description": {"text": crate::fix::describe(&f.fix)},
        "artifactChanges": [{
            "artifactLocation": {"uri": uri(&f.file.name)},
            "replacements": replacements,
        }],
    })
}

/// 1-based line and column of a byte offset, the column in UTF-16 code units (SARIF's default
/// `columnKind`).
fn line_column(text: &str, line_starts: &[usize], offset: usize) -> (usize, usize) {
    let line = line_starts.partition_point(|&s| s <= offset).max(1);
    let start = line_starts.get(line - 1).copied().unwrap_or(0);
    let column = text
        .get(start..offset)
        .map_or(0, |t| t.encode_utf16().count())
        + 1;
    (line, column)
}

fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect()
}

pub fn render(report: &LintReport, rules: &[RuleMeta], docs_base: &str) -> String {
    let mut descriptors: Vec<Value> = rules
        .iter()
        .map(|rule| rule_descriptor(rule, docs_base))
        .collect();
    descriptors.push(json!({
        "id": INVALID_EXEMPTION_RULE,
        "name": rule_name(INVALID_EXEMPTION_RULE),
        "helpUri": crate::config::rule_url(docs_base, INVALID_EXEMPTION_RULE),
        "shortDescription": {"text": "Exemption annotations must be well-formed"},
        "fullDescription": {"text": "An exemption without a reason is ignored; an unparsable expiry date means no expiry."},
        "help": {"text": "Add k8s-constitution.dev/exempt-reason, and write exempt-until as YYYY-MM-DD."},
        "defaultConfiguration": {"level": "warning"},
    }));
    let index_of = |id: &str| descriptors.iter().position(|d| d["id"] == id);
    let edits = crate::fix::files::finding_edits(report);
    // Each file's line index once, for the files a fix edits.
    let mut line_index: std::collections::HashMap<&str, Vec<usize>> = Default::default();
    for (f, e) in report.findings.iter().zip(&edits) {
        if e.is_some() {
            line_index
                .entry(f.file.name.as_str())
                .or_insert_with(|| line_starts(&f.file.text));
        }
    }
    let results: Vec<Value> = report
        .findings
        .iter()
        .zip(&edits)
        .map(|(f, edits)| {
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
            if let Some(edits) = edits.as_ref().filter(|e| !e.is_empty()) {
                let starts = line_index
                    .get(f.file.name.as_str())
                    .map_or(&[][..], Vec::as_slice);
                result["fixes"] = json!([fix(f, edits, starts)]);
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
                "informationUri": env!("CARGO_PKG_REPOSITORY"),
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
