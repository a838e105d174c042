//! `rules` and `explain`: the pack's own documentation, read from the rules' metadata.

use serde_json::json;

use crate::policy::{self, RuleMeta};

pub fn list_human(rules: &[RuleMeta]) -> String {
    let width = rules.iter().map(|r| r.id.len()).max().unwrap_or(4).max(4);
    let mut out = format!(
        "{:<width$}  {:<8}  {}\n",
        "RULE", "SEVERITY", "TITLE (constitution section)"
    );
    for r in rules {
        let scope = if r.needs_all_resources {
            " [cross-resource, lint/audit only]"
        } else {
            ""
        };
        out.push_str(&format!(
            "{:<width$}  {:<8}  {}{scope}\n{:<width$}  {:<8}  ↳ {}\n",
            r.id,
            r.severity.as_str(),
            r.title,
            "",
            "",
            r.section
        ));
    }
    out.push_str(&format!("{} rules\n", rules.len()));
    out
}

pub fn list_json(rules: &[RuleMeta]) -> String {
    let items: Vec<_> = rules
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "severity": r.severity,
                "title": r.title,
                "section": r.section,
                "kinds": r.kinds,
                "needs_all_resources": r.needs_all_resources,
                "pod_spec_only": r.pod_spec_only,
                "pss": r.pss,
                "params": r.params,
            })
        })
        .collect();
    let mut out = serde_json::to_string_pretty(&items).unwrap_or_default();
    out.push('\n');
    out
}

/// Drops the `# expect:` header lines of a fixture, which are for the test harness.
fn example_body(text: &str) -> String {
    text.lines()
        .filter(|l| !l.starts_with("# expect:"))
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn explain(rule: &RuleMeta) -> String {
    let mut out = format!(
        "{id} ({severity})\n{title}\n\nConstitution: {section}\n",
        id = rule.id,
        severity = rule.severity,
        title = rule.title,
        section = rule.section
    );
    if let Some(pss) = &rule.pss {
        out.push_str(&format!("Pod Security Standards: {pss}\n"));
    }
    out.push_str(&format!("Applies to: {}", rule.kinds.join(", ")));
    if rule.pod_spec_only {
        out.push_str(" (objects with a pod spec: Pods, pod templates, workloads, CronJobs)");
    }
    out.push('\n');
    if rule.needs_all_resources {
        out.push_str("Scope: evaluated over all linted resources together (lint and audit; not at admission)\n");
    }
    out.push_str(&format!(
        "\nWhy:\n  {}\n\nHow to fix:\n  {}\n",
        rule.rationale, rule.remediation
    ));
    if rule.params.as_object().is_some_and(|p| !p.is_empty()) {
        out.push_str(&format!(
            "\nParameters (override in .k8s-constitution.yaml under rules.{}.params):\n  {}\n",
            rule.id, rule.params
        ));
    }
    let examples = policy::examples(&rule.id);
    for (outcome, heading) in [("fail", "Fails"), ("pass", "Passes")] {
        if let Some((_, file, text)) = examples.iter().find(|(o, _, _)| *o == outcome) {
            out.push_str(&format!(
                "\n{heading} (fixtures/rules/{}/{outcome}/{file}):\n",
                rule.id
            ));
            for line in example_body(text).lines() {
                out.push_str(&format!("  {line}\n"));
            }
        }
    }
    out.push_str(&format!(
        "\nExempt one object: metadata.annotations:\n  k8s-constitution.dev/exempt: \"{}\"\n  k8s-constitution.dev/exempt-reason: \"<why>\"\n  k8s-constitution.dev/exempt-until: \"YYYY-MM-DD\"   # optional\n",
        rule.id
    ));
    out
}
