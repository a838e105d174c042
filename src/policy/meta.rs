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
    /// What a cross-resource rule reads besides the kinds it reports on (`*`: every kind that
    /// carries a pod spec): `audit` lists these kinds too, so a rule that reads a new kind is
    /// never judged without it. Required for `needs_all_resources` rules, refused on others.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reads: Vec<String>,
    /// Looks only at objects that carry a pod spec (`data.k8sc.lib.workloads.pod_spec`): the
    /// generated query skips the rule for every other object without calling it.
    pub pod_spec_only: bool,
    /// Findings concern secret material: reporters redact the offending value.
    pub sensitive: bool,
    /// Default parameters (overridable in the config file).
    pub params: Json,
    /// Each parameter's type, bounds and meaning (`param_types`), by name: the config file is
    /// checked against them, and `explain` shows them.
    pub param_types: Vec<ParamSpec>,
    /// Where the verdict differs from common peers (PSA, Kyverno, kube-linter, Polaris,
    /// kube-score), and why: shown by `explain`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compared: Option<String>,
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
        let reads = string_list(json.get("reads")).unwrap_or_default();
        match (flag("needs_all_resources"), json.get("reads").is_some()) {
            (true, false) => {
                return Err("a `needs_all_resources` rule must list the kinds it reads besides those it reports on in `reads` (\"*\" for every kind with a pod spec), so that `audit` lists them".into());
            }
            (true, true) if reads.is_empty() => {
                return Err(
                    "`reads` must be a list of kind names (\"*\" for every kind with a pod spec)"
                        .into(),
                );
            }
            (false, true) => {
                return Err("`reads` is for `needs_all_resources` rules (a per-object rule reads only its object)".into());
            }
            _ => {}
        }
        let params = json
            .get("params")
            .cloned()
            .unwrap_or(Json::Object(Default::default()));
        let param_types = param_specs(&params, json.get("param_types"))?;
        Ok(Self {
            title: text("title")?,
            section: text("section")?,
            rationale: text("rationale")?,
            remediation: text("remediation")?,
            severity,
            kinds,
            needs_all_resources: flag("needs_all_resources"),
            reads,
            pod_spec_only: flag("pod_spec_only"),
            sensitive: flag("sensitive"),
            params,
            param_types,
            compared: json
                .get("compared")
                .and_then(Json::as_str)
                .map(str::to_string),
            pss: json.get("pss").and_then(Json::as_str).map(str::to_string),
            package_name: package_name.to_string(),
            package: format!("data.k8sc.rules.{package_name}"),
            id,
        })
    }
}

/// The type of a rule parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ParamType {
    Integer,
    Boolean,
    String,
    /// A string that must compile as a regular expression (Rust `regex` syntax, as Rego's).
    Regex,
    StringList,
}

impl ParamType {
    fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "integer" => Self::Integer,
            "boolean" => Self::Boolean,
            "string" => Self::String,
            "regex" => Self::Regex,
            "string_list" => Self::StringList,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Integer => "integer",
            Self::Boolean => "boolean",
            Self::String => "string",
            Self::Regex => "regex",
            Self::StringList => "string_list",
        }
    }

    /// Whether `value` has this type (a regex is checked as a string here; whether it
    /// compiles is the config loader's business).
    pub fn admits(self, value: &Json) -> bool {
        match self {
            Self::Integer => value.as_i64().is_some(),
            Self::Boolean => value.is_boolean(),
            Self::String | Self::Regex => value.is_string(),
            Self::StringList => value
                .as_array()
                .is_some_and(|items| items.iter().all(Json::is_string)),
        }
    }
}

/// One parameter of a rule: its type, bounds, default and meaning.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParamSpec {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: ParamType,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub minimum: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub maximum: Option<i64>,
    pub default: Json,
    pub description: String,
}

impl ParamSpec {
    /// Why `value` is not acceptable for this parameter, if it is not.
    pub fn problem(&self, value: &Json) -> Option<String> {
        if !self.kind.admits(value) {
            return Some(format!(
                "must be {}, not {}",
                match self.kind {
                    ParamType::Integer => "an integer",
                    ParamType::Boolean => "true or false",
                    ParamType::String => "a string",
                    ParamType::Regex => "a regular expression (a string)",
                    ParamType::StringList => "a list of strings",
                },
                json_type_name(value)
            ));
        }
        let n = value.as_i64()?;
        match (self.minimum, self.maximum) {
            (Some(min), _) if n < min => Some(format!("must be at least {min}, not {n}")),
            (_, Some(max)) if n > max => Some(format!("must be at most {max}, not {n}")),
            _ => None,
        }
    }
}

/// How a JSON value's type is named in messages (YAML words: a user wrote YAML).
pub fn json_type_name(value: &Json) -> String {
    match value {
        Json::Null => "null".into(),
        Json::Bool(b) => format!("the boolean {b}"),
        Json::Number(n) => format!("the number {n}"),
        Json::String(s) => format!("the string {s:?}"),
        Json::Array(_) => "a list".into(),
        Json::Object(_) => "a mapping".into(),
    }
}

/// Reads `param_types` against the `params` defaults: every parameter must be typed, every
/// type must have a default, and the default must fit its own type.
fn param_specs(params: &Json, types: Option<&Json>) -> Result<Vec<ParamSpec>, String> {
    let defaults = params
        .as_object()
        .ok_or("`params` must be an object of default values")?;
    let empty = serde_json::Map::new();
    let types = match types {
        None => &empty,
        Some(t) => t.as_object().ok_or(
            "`param_types` must be an object: {name: {type, minimum?, maximum?, description}}",
        )?,
    };
    if let Some(untyped) = defaults.keys().find(|k| !types.contains_key(*k)) {
        return Err(format!(
            "parameter `{untyped}` has no entry in `param_types` (type and description)"
        ));
    }
    let mut specs = Vec::new();
    for (name, spec) in types {
        let default = defaults.get(name).ok_or_else(|| {
            format!("`param_types` names `{name}`, which `params` gives no default")
        })?;
        let field = |key: &str| spec.get(key);
        let kind_text = field("type").and_then(Json::as_str).unwrap_or_default();
        let kind = ParamType::parse(kind_text).ok_or_else(|| {
            format!("parameter `{name}`: type `{kind_text}` is not integer, boolean, string, regex or string_list")
        })?;
        let description = field("description")
            .and_then(Json::as_str)
            .filter(|d| !d.trim().is_empty())
            .ok_or_else(|| format!("parameter `{name}` needs a `description`"))?
            .to_string();
        let spec = ParamSpec {
            name: name.clone(),
            kind,
            minimum: field("minimum").and_then(Json::as_i64),
            maximum: field("maximum").and_then(Json::as_i64),
            default: default.clone(),
            description,
        };
        if let Some(problem) = spec.problem(default) {
            return Err(format!("the default of parameter `{name}` {problem}"));
        }
        specs.push(spec);
    }
    Ok(specs)
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
