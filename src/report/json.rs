//! `--format json`: the stable machine-readable shape tools and tests depend on.

use serde_json::{Map, Value, json};

use crate::findings::{Finding, LintReport};

fn finding(f: &Finding) -> Value {
    let mut o = Map::new();
    o.insert("rule".into(), json!(f.rule));
    o.insert("severity".into(), json!(f.severity));
    o.insert("message".into(), json!(f.message));
    o.insert("file".into(), json!(f.file.name));
    o.insert("line".into(), json!(f.line));
    o.insert("column".into(), json!(f.column));
    o.insert("path".into(), json!(f.path.to_string()));
    o.insert("resource".into(), json!(f.resource));
    if let Some(source) = &f.helm_source {
        o.insert("source".into(), json!(source));
    }
    o.insert("exempted".into(), json!(f.exempted()));
    if let Some(reason) = f.exemption_reason() {
        o.insert("exemption_reason".into(), json!(reason));
    }
    Value::Object(o)
}

pub fn to_value(report: &LintReport) -> Value {
    json!({
        "findings": report.findings.iter().map(finding).collect::<Vec<_>>(),
        "errors": report.errors.iter().map(|e| json!({
            "file": e.file, "line": e.line, "column": e.column, "message": e.message
        })).collect::<Vec<_>>(),
        "summary": report.summary,
    })
}

pub fn render(report: &LintReport) -> String {
    let mut out = serde_json::to_string_pretty(&to_value(report)).unwrap_or_default();
    out.push('\n');
    out
}
