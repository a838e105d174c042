//! `rules` and `explain`: the pack's own documentation, read from the rules' metadata.

use serde_json::json;

use crate::core::Core;
use crate::policy::{self, RuleMeta};
use crate::report::human::wrap;

/// The line naming the configuration in force (its severities, switches and parameters are
/// what `rules` and `explain` show).
fn config_line(core: &Core) -> String {
    match core.config().path() {
        Some(path) => format!("config: {}\n", path.display()),
        None => "config: none (the rules' defaults)\n".to_string(),
    }
}

/// A rule's state under the config: its effective severity, `off`, and `*` when the config
/// changed it.
fn state_text(rule: &RuleMeta, core: &Core) -> String {
    let (enabled, severity) = core.rule_state(&rule.id).unwrap_or((true, rule.severity));
    let configured = core.config().rules.get(&rule.id);
    if !enabled {
        return "off".to_string();
    }
    let changed = severity != rule.severity || configured.is_some_and(|c| !c.params.is_empty());
    format!("{}{}", severity.as_str(), if changed { "*" } else { "" })
}

/// Narrower than this, a title column is more breaks than words.
const MIN_TITLE_WIDTH: usize = 30;

/// The rules as a table that fits `width` columns: id, state, title (wrapped in its column).
/// The constitution sections stay in `explain`: a table is for finding a rule.
pub fn list_human(core: &Core, width: usize) -> String {
    let rules = core.rules();
    let id_width = rules.iter().map(|r| r.id.len()).max().unwrap_or(4).max(4);
    let title_column = id_width + 2 + 8 + 2;
    let indent = " ".repeat(title_column);
    let mut out = config_line(core);
    out.push_str(&format!(
        "{:<id_width$}  {:<8}  TITLE\n",
        "RULE", "SEVERITY"
    ));
    for r in rules {
        let scope = if r.needs_all_resources {
            " [cross-resource: lint and audit]"
        } else {
            ""
        };
        let title = format!("{}{scope}", r.title);
        if width < title_column + MIN_TITLE_WIDTH {
            // Too narrow for three columns: the title goes under the id.
            out.push_str(&format!("{:<id_width$}  {}\n", r.id, state_text(r, core)));
            out.push_str(&wrap(&title, width, "    ", "    "));
        } else {
            let first = format!("{:<id_width$}  {:<8}  ", r.id, state_text(r, core));
            out.push_str(&wrap(&title, width, &first, &indent));
        }
    }
    out.push_str(&wrap(
        &format!(
            "{} rules (* = changed by the config, off = switched off); `k8s-constitution explain <rule>` for one rule",
            rules.len()
        ),
        width,
        "",
        "",
    ));
    out
}

pub fn list_json(core: &Core) -> String {
    let items: Vec<_> = core
        .rules()
        .iter()
        .map(|r| {
            let (enabled, severity) = core.rule_state(&r.id).unwrap_or((true, r.severity));
            json!({
                "id": r.id,
                "severity": r.severity,
                "effective_severity": severity,
                "enabled": enabled,
                "title": r.title,
                "section": r.section,
                "url": crate::config::rule_url(core.config().docs_base(), &r.id),
                "kinds": r.kinds,
                "needs_all_resources": r.needs_all_resources,
                "reads": r.reads,
                "pod_spec_only": r.pod_spec_only,
                "pss": r.pss,
                "params": r.params,
                "param_types": r.param_types,
                "effective_params": effective_params(r, core),
            })
        })
        .collect();
    let mut out = serde_json::to_string_pretty(&items).unwrap_or_default();
    out.push('\n');
    out
}

/// The defaults with the config's values over them.
fn effective_params(rule: &RuleMeta, core: &Core) -> serde_json::Value {
    let mut params = rule.params.as_object().cloned().unwrap_or_default();
    if let Some(configured) = core.config().rules.get(&rule.id) {
        for (k, v) in &configured.params {
            params.insert(k.clone(), v.clone());
        }
    }
    serde_json::Value::Object(params)
}

/// The example `explain` and the rule reference show for an outcome (`pass`/`fail`): the
/// rule's shortest fixture of that outcome (ties by name), so that the example is about the
/// rule rather than a whole application that happens to sort first.
fn example(rule_id: &str, outcome: &str) -> Option<(&'static str, &'static str)> {
    policy::examples(rule_id)
        .into_iter()
        .filter(|(o, _, _)| *o == outcome)
        .min_by_key(|(_, file, text)| (example_body(text).lines().count(), *file))
        .map(|(_, file, text)| (file, text))
}

/// What `explain` and the rule reference both say about a rule, as (label, text).
fn facts(rule: &RuleMeta) -> Vec<(&'static str, String)> {
    let mut facts = vec![("Constitution", rule.section.clone())];
    if let Some(pss) = &rule.pss {
        facts.push(("Pod Security Standards", pss.clone()));
    }
    let mut applies = rule.kinds.join(", ");
    if rule.pod_spec_only {
        applies.push_str(" (objects with a pod spec: Pods, pod templates, workloads, CronJobs)");
    }
    facts.push(("Applies to", applies));
    if rule.needs_all_resources {
        facts.push((
            "Scope",
            "evaluated over all linted resources together (lint and audit; not at admission)"
                .into(),
        ));
        facts.push(("Also reads", reads_text(rule)));
    }
    facts
}

/// The kinds a cross-resource rule reads besides those it reports on.
fn reads_text(rule: &RuleMeta) -> String {
    rule.reads
        .iter()
        .map(|k| {
            if k == "*" {
                "every kind with a pod spec"
            } else {
                k.as_str()
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Drops the `# expect:` header lines of a fixture, which are for the test harness.
fn example_body(text: &str) -> String {
    text.lines()
        .filter(|l| !l.starts_with("# expect:"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// One rule, wrapped to `width` columns: what it checks, why, how to fix it, its parameters
/// as a small table, an example that fails and one that passes, how to exempt, and its link in
/// the rule reference.
pub fn explain(rule: &RuleMeta, core: &Core, width: usize) -> String {
    let (enabled, severity) = core.rule_state(&rule.id).unwrap_or((true, rule.severity));
    let mut out = format!("{id} ({severity})\n", id = rule.id);
    out.push_str(&wrap(&rule.title, width, "", ""));
    out.push('\n');
    out.push_str(&config_line(core));
    if !enabled {
        out.push_str("State: off (switched off by the config or the command line)\n");
    }
    if severity != rule.severity {
        out.push_str(&format!(
            "Severity: {severity} (set by the config; the rule's default is {})\n",
            rule.severity
        ));
    }
    for (label, value) in facts(rule) {
        let first = format!("{label}: ");
        out.push_str(&wrap(&value, width, &first, "  "));
    }
    out.push_str(&wrap(
        &crate::config::rule_url(core.config().docs_base(), &rule.id),
        width,
        "Reference: ",
        "  ",
    ));
    let paragraphs = [
        ("Why", Some(&rule.rationale)),
        ("How to fix", Some(&rule.remediation)),
        ("Compared with other tools", rule.compared.as_ref()),
    ];
    for (heading, text) in paragraphs {
        if let Some(text) = text {
            out.push_str(&format!("\n{heading}:\n"));
            out.push_str(&wrap(text, width, "  ", "  "));
        }
    }
    if !rule.param_types.is_empty() {
        out.push('\n');
        out.push_str(&wrap(
            &format!(
                "Parameters (in .k8s-constitution.yaml under rules.{}.params):",
                rule.id
            ),
            width,
            "",
            "  ",
        ));
        out.push_str(&parameter_table(rule, core, width));
    }
    for (outcome, heading) in [("fail", "Fails"), ("pass", "Passes")] {
        if let Some((file, text)) = example(&rule.id, outcome) {
            out.push_str(&format!(
                "\n{heading} (fixtures/rules/{}/{outcome}/{file}):\n",
                rule.id
            ));
            for line in example_body(text).lines() {
                out.push_str(&format!("  {line}\n"));
            }
            if outcome == "fail" {
                out.push_str(&fix_of_example(rule, core, file, text));
            }
        }
    }
    out.push_str(&format!(
        "\nExempt one object: metadata.annotations:\n  k8s-constitution.dev/exempt: \"{}\"\n  k8s-constitution.dev/exempt-reason: \"<why>\"\n  k8s-constitution.dev/exempt-until: \"YYYY-MM-DD\"   # optional\n",
        rule.id
    ));
    out
}

/// What `lint --fix` makes of the failing example with this rule alone, as a diff (nothing when
/// the rule has no fix for it).
fn fix_of_example(rule: &RuleMeta, core: &Core, file: &str, text: &str) -> String {
    let name = format!("fixtures/rules/{}/fail/{file}", rule.id);
    let loaded = crate::load::load_str(
        &name,
        &example_body(text),
        crate::load::LoadOptions::default(),
    );
    let mut report = crate::lint::lint_loaded(core, loaded);
    report.findings.retain(|f| f.rule == rule.id);
    let (fixes, _) = crate::fix::files::plan(&report);
    let Some(fix) = fixes.first() else {
        return String::new();
    };
    let mut out = String::from("\nFixed by `lint --fix`:\n");
    for line in crate::fix::files::diff(fix).lines().skip(2) {
        out.push_str(&format!("  {line}\n"));
    }
    out
}

/// A parameter value as YAML flow text (`[a, b]`, `{k: v}`): spaces to wrap at, where JSON has
/// none, and the way the config file writes it.
fn flow_text(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Array(items) => {
            let items: Vec<String> = items.iter().map(flow_text).collect();
            format!("[{}]", items.join(", "))
        }
        serde_json::Value::Object(map) => {
            let entries: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{k}: {}", flow_text(v)))
                .collect();
            format!("{{{}}}", entries.join(", "))
        }
        other => other.to_string(),
    }
}

/// NAME, TYPE and DEFAULT columns (the default wrapped in its column), the meaning under each
/// parameter, and the configured value when the config changes it.
fn parameter_table(rule: &RuleMeta, core: &Core, width: usize) -> String {
    let effective = effective_params(rule, core);
    let type_text = |p: &policy::meta::ParamSpec| {
        let bounds = match (p.minimum, p.maximum) {
            (Some(min), Some(max)) => format!(", {min}..{max}"),
            (Some(min), None) => format!(", at least {min}"),
            (None, Some(max)) => format!(", at most {max}"),
            (None, None) => String::new(),
        };
        format!("{}{bounds}", p.kind.as_str())
    };
    let name_width = rule
        .param_types
        .iter()
        .map(|p| p.name.len())
        .max()
        .unwrap_or(4)
        .max(4);
    let type_width = rule
        .param_types
        .iter()
        .map(|p| type_text(p).len())
        .max()
        .unwrap_or(4)
        .max(4);
    let default_indent = " ".repeat(2 + name_width + 2 + type_width + 2);
    let meaning_indent = " ".repeat(4);
    let mut out = format!(
        "  {:<name_width$}  {:<type_width$}  DEFAULT\n",
        "NAME", "TYPE"
    );
    for p in &rule.param_types {
        let first = format!("  {:<name_width$}  {:<type_width$}  ", p.name, type_text(p));
        out.push_str(&wrap(
            &flow_text(&p.default),
            width,
            &first,
            &default_indent,
        ));
        out.push_str(&wrap(
            &p.description,
            width,
            &meaning_indent,
            &meaning_indent,
        ));
        if let Some(value) = effective.get(&p.name).filter(|v| **v != p.default) {
            out.push_str(&wrap(
                &flow_text(value),
                width,
                "    configured: ",
                &default_indent,
            ));
        }
    }
    out
}

/// The rule reference (docs/rules.md): every rule's metadata and examples, generated so that
/// it cannot drift from the pack (tests/rule_reference.rs fails when the file is stale).
/// Written from the defaults, not the configuration in force: it documents the pack.
pub fn reference_markdown(core: &Core) -> String {
    let rules = core.rules();
    let mut out = String::from(
        "<!-- Generated by `k8s-constitution rules --format markdown --config none`: do not edit by hand. -->\n\n# Rule reference\n\n",
    );
    out.push_str(&format!(
        "{} rules. Each can be switched off, given another severity or parameters in \
         `.k8s-constitution.yaml`, and exempted per object (see the README). `k8s-constitution \
         explain <rule>` prints the same in a terminal.\n\n| rule | severity | title |\n|---|---|---|\n",
        rules.len()
    ));
    for r in rules {
        out.push_str(&format!(
            "| [`{id}`](#{id}) | {} | {} |\n",
            r.severity.as_str(),
            r.title.replace('|', "\\|"),
            id = r.id
        ));
    }
    for r in rules {
        out.push_str(&format!("\n## {}\n\n**{}**\n\n", r.id, r.title));
        out.push_str(&format!("- Severity: {}\n", r.severity.as_str()));
        for (label, value) in facts(r) {
            out.push_str(&format!("- {label}: {value}\n"));
        }
        if r.sensitive {
            out.push_str("- Sensitive: the offending value is never printed\n");
        }
        out.push_str(&format!(
            "\n**Why.** {}\n\n**How to fix.** {}\n",
            r.rationale, r.remediation
        ));
        if let Some(compared) = &r.compared {
            out.push_str(&format!("\n**Compared with other tools.** {compared}\n"));
        }
        if !r.param_types.is_empty() {
            out.push_str("\n| parameter | type | default | meaning |\n|---|---|---|---|\n");
            for p in &r.param_types {
                out.push_str(&format!(
                    "| `{}` | {} | `{}` | {} |\n",
                    p.name,
                    p.kind.as_str(),
                    p.default.to_string().replace('|', "\\|"),
                    p.description.replace('|', "\\|")
                ));
            }
        }
        for (outcome, heading) in [("fail", "Fails"), ("pass", "Passes")] {
            if let Some((file, text)) = example(&r.id, outcome) {
                out.push_str(&format!(
                    "\n{heading} (`fixtures/rules/{}/{outcome}/{file}`):\n\n```yaml\n{}\n```\n",
                    r.id,
                    example_body(text).trim_end()
                ));
            }
        }
    }
    out
}
