//! Rule metadata, as each rule declares it in its Rego package (`metadata := {...}`).

use serde::Serialize;
use serde_json::Value as Json;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

impl Severity {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "error" => Some(Self::Error),
            "warning" => Some(Self::Warning),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Error => "error",
            Self::Warning => "warning",
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a rule says about itself.
#[derive(Debug, Clone, Serialize)]
pub struct RuleMeta {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    /// The constitution section (or external standard) the rule enforces.
    pub section: String,
    pub rationale: String,
    pub remediation: String,
    /// Kinds the rule looks at; `*` means any object (the rule decides, e.g. any pod template).
    pub kinds: Vec<String>,
    /// Evaluated over every linted resource at once (lint and audit only, not admission).
    pub needs_all_resources: bool,
    /// Looks only at objects that carry a pod spec (`data.k8sc.lib.workloads.pod_spec`): the
    /// generated query skips the rule for every other object without calling it.
    pub pod_spec_only: bool,
    /// Findings concern secret material: reporters redact the offending value.
    pub sensitive: bool,
    /// Default parameters (overridable in the config file).
    pub params: Json,
    /// Pod Security Standards level the rule belongs to, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pss: Option<String>,
    /// The Rego package name under `k8sc.rules`.
    #[serde(skip)]
    pub package_name: String,
    #[serde(skip)]
    pub package: String,
}

impl RuleMeta {
    pub fn applies_to_any_kind(&self) -> bool {
        self.kinds.iter().any(|k| k == "*")
    }

    pub fn from_json(package_name: &str, json: &Json) -> Result<Self, String> {
        let text = |key: &str| -> Result<String, String> {
            json.get(key)
                .and_then(Json::as_str)
                .filter(|s| !s.trim().is_empty())
                .map(str::to_string)
                .ok_or_else(|| format!("`{key}` must be a non-empty string"))
        };
        let id = text("id")?;
        if id.replace('-', "_") != package_name {
            return Err(format!(
                "id `{id}` does not match package name `{package_name}` (ids are the package name with `-` for `_`)"
            ));
        }
        let severity_text = text("severity")?;
        let severity = Severity::parse(&severity_text)
            .ok_or_else(|| format!("severity `{severity_text}` is not `error` or `warning`"))?;
        let kinds = string_list(json.get("kinds")).unwrap_or_default();
        if kinds.is_empty() {
            return Err("`kinds` must list at least one kind (or \"*\")".into());
        }
        let flag = |key: &str| json.get(key).and_then(Json::as_bool).unwrap_or(false);
        if flag("pod_spec_only") && flag("needs_all_resources") {
            return Err(
                "`pod_spec_only` is for rules over one object; a `needs_all_resources` rule sees them all".into(),
            );
        }
        Ok(Self {
            title: text("title")?,
            section: text("section")?,
            rationale: text("rationale")?,
            remediation: text("remediation")?,
            severity,
            kinds,
            needs_all_resources: flag("needs_all_resources"),
            pod_spec_only: flag("pod_spec_only"),
            sensitive: flag("sensitive"),
            params: json
                .get("params")
                .cloned()
                .unwrap_or(Json::Object(Default::default())),
            pss: json.get("pss").and_then(Json::as_str).map(str::to_string),
            package_name: package_name.to_string(),
            package: format!("data.k8sc.rules.{package_name}"),
            id,
        })
    }
}

/// The strings of a JSON array (non-strings skipped); `None` when it is not an array.
pub(crate) fn string_list(value: Option<&Json>) -> Option<Vec<String>> {
    value.and_then(Json::as_array).map(|items| {
        items
            .iter()
            .filter_map(Json::as_str)
            .map(str::to_string)
            .collect()
    })
}
