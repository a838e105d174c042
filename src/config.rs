//! `.k8s-constitution.yaml`: rules on/off, severity overrides, parameters, and exemptions for
//! objects you cannot annotate (third-party charts). The same file drives lint, serve and audit.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::exempt::Date;
use crate::load::positions::{Loc, PosNode};
use crate::load::{self, LoadOptions};
use crate::path::{FieldPath, Segment};
use crate::policy::{RuleMeta, Severity};
use crate::rule_ids::unknown_rule_message;

pub const CONFIG_FILE_NAME: &str = ".k8s-constitution.yaml";

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub rules: BTreeMap<String, RuleConfig>,
    #[serde(default)]
    pub exemptions: Vec<ConfigExemption>,
    /// Where the rule reference lives (a fork's or an internal mirror's `docs/rules.md`): the
    /// base of the links in `explain`, the human report and SARIF's `helpUri`.
    pub docs_url: Option<String>,
    /// The file this came from, with its position tree for messages; `None` for defaults.
    #[serde(skip)]
    pub origin: Option<ConfigOrigin>,
}

/// Where a configuration was read from.
#[derive(Debug, Clone)]
pub struct ConfigOrigin {
    pub path: PathBuf,
    positions: PosNode,
    /// The file's text, for the snippets of [`Config::validate`]'s errors.
    text: String,
}

/// `--config none`: use no file, not even one found upward from the working directory.
pub const NO_CONFIG: &str = "none";

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleConfig {
    pub enabled: Option<bool>,
    pub severity: Option<SeverityName>,
    #[serde(default)]
    pub params: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum SeverityName {
    Error,
    Warning,
}

impl From<SeverityName> for Severity {
    fn from(s: SeverityName) -> Self {
        match s {
            SeverityName::Error => Severity::Error,
            SeverityName::Warning => Severity::Warning,
        }
    }
}

/// An exemption matched by object coordinates. Unset fields match anything; `*` too.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigExemption {
    /// Rule ids, or `["*"]` for every rule.
    pub rules: Vec<String>,
    pub kind: Option<String>,
    pub namespace: Option<String>,
    pub name: Option<String>,
    pub container: Option<String>,
    pub reason: String,
    pub until: Option<String>,
}

impl ConfigExemption {
    pub fn until_date(&self) -> Option<Date> {
        self.until.as_deref().and_then(Date::parse)
    }
}

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ConfigError {
    #[error("cannot read config {path}: {message}")]
    #[diagnostic(code(k8sc::config::read))]
    Read { path: String, message: String },
    #[error(transparent)]
    #[diagnostic(transparent)]
    Invalid(Box<InvalidConfig>),
}

/// A configuration that cannot be used: every problem with its line, underlined in a snippet
/// of the file (boxed in [`ConfigError`]: the snippet makes it large).
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("invalid config {path}:{message}")]
#[diagnostic(
    code(k8sc::config::invalid),
    help("see the README section \"Configuration\" for the file's shape")
)]
pub struct InvalidConfig {
    pub path: String,
    pub message: String,
    /// The file's text, for a snippet under the message.
    #[source_code]
    snippet: Option<miette::NamedSource<String>>,
    /// Each problem's place in the file.
    #[label(collection)]
    labels: Vec<miette::LabeledSpan>,
}

impl ConfigError {
    /// Problems (each at its place in `text`, line 0 when unknown) as one error whose message
    /// lists them and whose snippet underlines each.
    fn invalid(name: &str, text: &str, problems: &[(Loc, String)]) -> Self {
        let message = problems
            .iter()
            .map(|(loc, problem)| at(*loc, problem))
            .collect::<Vec<_>>()
            .join(&format!("\n{name}:"));
        let labels: Vec<miette::LabeledSpan> = problems
            .iter()
            .filter(|(loc, _)| loc.line > 0 && loc.offset <= text.len())
            .map(|(loc, _)| {
                let rest = text.get(loc.offset..).unwrap_or_default();
                let len = rest
                    .find(['\n', ':', ',', ']', '}'])
                    .unwrap_or(rest.len())
                    .max(1)
                    .min(rest.len());
                miette::LabeledSpan::new_with_span(Some("here".into()), (loc.offset, len))
            })
            .collect();
        ConfigError::Invalid(Box::new(InvalidConfig {
            path: name.to_string(),
            message,
            snippet: (!labels.is_empty())
                .then(|| miette::NamedSource::new(name, text.to_string()).with_language("yaml")),
            labels,
        }))
    }
}

impl Config {
    /// Finds `.k8s-constitution.yaml` in `start` or the nearest ancestor directory.
    pub fn discover(start: &Path) -> Option<PathBuf> {
        start
            .ancestors()
            .map(|dir| dir.join(CONFIG_FILE_NAME))
            .find(|candidate| candidate.is_file())
    }

    /// Loads the explicit file (`none`: no file), or the discovered one, or the defaults.
    pub fn load(explicit: Option<&Path>) -> Result<(Self, Option<PathBuf>), ConfigError> {
        let path = match explicit {
            Some(p) if p.as_os_str() == NO_CONFIG => None,
            Some(p) => Some(p.to_path_buf()),
            None => std::env::current_dir()
                .ok()
                .and_then(|cwd| Self::discover(&cwd)),
        };
        let Some(path) = path else {
            return Ok((Self::default(), None));
        };
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(&path).map_err(|e| ConfigError::Read {
            path: shown.clone(),
            message: e.to_string(),
        })?;
        let mut config = Self::parse(&shown, &text)?;
        if let Some(origin) = &mut config.origin {
            origin.path = path.clone();
        }
        Ok((config, Some(path)))
    }

    /// The file in force, for the "config:" line of `rules`, `explain` and `lint`.
    pub fn path(&self) -> Option<&Path> {
        self.origin.as_ref().map(|o| o.path.as_path())
    }

    pub fn parse(name: &str, text: &str) -> Result<Self, ConfigError> {
        let invalid = |loc: Loc, message: &str| {
            ConfigError::invalid(name, text, &[(loc, message.to_string())])
        };
        // Read as JSON, not as the engine's value: serde reads this file, and `rules: {x: }`
        // must stay an error rather than silently configure nothing.
        let stream = load::yaml::parse_stream_json(text, LoadOptions::default().limits);
        if let Some(e) = stream.error {
            return Err(invalid(e.loc, &e.message));
        }
        let (value, positions) = stream
            .documents
            .into_iter()
            .find_map(|d| Some((d.json?, d.positions)))
            .unwrap_or_else(|| {
                (
                    serde_json::Value::Object(Default::default()),
                    PosNode::default(),
                )
            });
        let mut config: Config = serde_path_to_error::deserialize(value).map_err(|e| {
            let path = serde_field_path(e.path());
            invalid(locate(&positions, &path), &e.into_inner().to_string())
        })?;
        config.origin = Some(ConfigOrigin {
            path: PathBuf::from(name),
            positions,
            text: text.to_string(),
        });
        if let Some(url) = &config.docs_url
            && !is_url(url)
        {
            return Err(invalid(
                config.locate(&["docs_url".into()]),
                &format!("docs_url `{url}` is not an http(s) or file URL"),
            ));
        }
        for (i, exemption) in config.exemptions.iter().enumerate() {
            let field =
                |key: &str| config.locate(&["exemptions".into(), i.to_string(), key.into()]);
            if exemption.reason.trim().is_empty() {
                return Err(invalid(
                    field("reason"),
                    "every exemption needs a non-empty `reason`",
                ));
            }
            if let Some(until) = &exemption.until
                && Date::parse(until).is_none()
            {
                return Err(invalid(
                    field("until"),
                    &format!("exemption `until: {until}` is not a YYYY-MM-DD date that exists"),
                ));
            }
        }
        Ok(config)
    }

    /// Where a path of keys (list indexes as numbers) stands in the file, or its nearest
    /// present ancestor.
    fn locate(&self, keys: &[String]) -> Loc {
        let path = FieldPath(
            keys.iter()
                .map(|k| match k.parse::<usize>() {
                    Ok(i) => Segment::Index(i),
                    Err(_) => Segment::Key(k.clone()),
                })
                .collect(),
        );
        self.origin
            .as_ref()
            .map(|o| locate(&o.positions, &path))
            .unwrap_or_default()
    }

    /// Checks the configuration against the rules: every rule id it names exists, every
    /// parameter is one the rule declares, of the declared type and within its bounds. All
    /// problems are reported at once, each with its line.
    pub fn validate(&self, rules: &[RuleMeta]) -> Result<(), ConfigError> {
        let known = || rules.iter().map(|r| r.id.as_str());
        let mut problems = Vec::new();
        for (id, rule_config) in &self.rules {
            let here = |tail: &[&str]| {
                let mut keys = vec!["rules".to_string(), id.clone()];
                keys.extend(tail.iter().map(|k| k.to_string()));
                self.locate(&keys)
            };
            let Some(rule) = rules.iter().find(|r| &r.id == id) else {
                problems.push((
                    here(&[]),
                    format!(
                        "rules: {}",
                        unknown_rule_message(id, known()).unwrap_or_default()
                    ),
                ));
                continue;
            };
            for (name, value) in &rule_config.params {
                let Some(spec) = rule.param_types.iter().find(|p| &p.name == name) else {
                    let declared: Vec<&str> =
                        rule.param_types.iter().map(|p| p.name.as_str()).collect();
                    let hint = match crate::rule_ids::suggestion(name, declared.iter().copied()) {
                        Some(near) => format!(" (did you mean `{near}`?)"),
                        None if declared.is_empty() => " (it takes no parameters)".to_string(),
                        None => format!(" (it takes: {})", declared.join(", ")),
                    };
                    problems.push((
                        here(&["params", name]),
                        format!("rule `{id}` has no parameter `{name}`{hint}"),
                    ));
                    continue;
                };
                let problem = spec.problem(value).or_else(|| {
                    let pattern = value
                        .as_str()
                        .filter(|_| spec.kind == crate::policy::meta::ParamType::Regex)?;
                    regex::Regex::new(pattern)
                        .err()
                        .map(|e| format!("is not a valid regular expression: {e}"))
                });
                if let Some(problem) = problem {
                    problems.push((
                        here(&["params", name]),
                        format!("rule `{id}`: parameter `{name}` {problem}"),
                    ));
                }
            }
        }
        for (i, exemption) in self.exemptions.iter().enumerate() {
            for (j, id) in exemption.rules.iter().enumerate() {
                if id == "*" {
                    continue;
                }
                if let Some(message) = unknown_rule_message(id, known()) {
                    let loc = self.locate(&[
                        "exemptions".into(),
                        i.to_string(),
                        "rules".into(),
                        j.to_string(),
                    ]);
                    problems.push((loc, format!("exemption: {message}")));
                }
            }
        }
        if problems.is_empty() {
            return Ok(());
        }
        let path = self
            .path()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        let text = self.origin.as_ref().map_or("", |o| o.text.as_str());
        Err(ConfigError::invalid(&path, text, &problems))
    }

    /// Per-rule parameter overrides, in the shape the rule pack reads (`data.k8sc.params`).
    pub fn params(&self) -> serde_json::Map<String, serde_json::Value> {
        self.rules
            .iter()
            .filter(|(_, rc)| !rc.params.is_empty())
            .map(|(id, rc)| (id.clone(), serde_json::Value::Object(rc.params.clone())))
            .collect()
    }
}

/// A base for the rule reference links: `https://…`, `http://…` or `file://…`.
pub fn is_url(text: &str) -> bool {
    ["https://", "http://", "file://"]
        .iter()
        .any(|scheme| text.len() > scheme.len() && text.starts_with(scheme))
}

/// The rule reference the links point at when neither `--docs-url` nor `docs_url` says
/// otherwise: `docs/rules.md` in the project's repository.
pub const DEFAULT_DOCS_URL: &str =
    concat!(env!("CARGO_PKG_REPOSITORY"), "/blob/main/docs/rules.md");

impl Config {
    /// The rule reference the links point at (`docs_url`, else [`DEFAULT_DOCS_URL`]).
    pub fn docs_base(&self) -> &str {
        self.docs_url.as_deref().unwrap_or(DEFAULT_DOCS_URL)
    }
}

/// The link to a rule's section of the rule reference at `base`.
pub fn rule_url(base: &str, rule: &str) -> String {
    format!("{}#{rule}", base.trim_end_matches('#'))
}

/// `line:column: message` (the file name comes first, in [`ConfigError::Invalid`]).
fn at(loc: Loc, message: &str) -> String {
    if loc.line == 0 {
        format!(" {message}")
    } else {
        format!("{}:{}: {message}", loc.line, loc.col)
    }
}

fn locate(positions: &PosNode, path: &FieldPath) -> Loc {
    positions.resolve(path).loc()
}

/// serde_path_to_error's path as a field path of the YAML document.
fn serde_field_path(path: &serde_path_to_error::Path) -> FieldPath {
    use serde_path_to_error::Segment as S;
    FieldPath(
        path.iter()
            .filter_map(|segment| match segment {
                S::Seq { index } => Some(Segment::Index(*index)),
                S::Map { key } => Some(Segment::Key(key.clone())),
                S::Enum { variant } => Some(Segment::Key(variant.clone())),
                S::Unknown => None,
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_rules_and_exemptions() {
        let c = Config::parse(
            "t",
            "rules:\n  min-replicas: {enabled: false}\n  run-as-user-min:\n    params: {min_uid: 65532}\nexemptions:\n  - rules: [no-host-path]\n    kind: DaemonSet\n    reason: node metrics\n    until: 2030-01-01\n",
        )
        .expect("valid config");
        assert_eq!(c.rules["min-replicas"].enabled, Some(false));
        assert_eq!(c.params()["run-as-user-min"]["min_uid"], 65532);
        assert_eq!(c.exemptions[0].until_date(), Date::parse("2030-01-01"));
    }

    #[test]
    fn rejects_unknown_fields_and_missing_reasons() {
        assert!(Config::parse("t", "rulez: {}\n").is_err());
        assert!(Config::parse("t", "exemptions:\n  - rules: [x]\n    reason: ''\n").is_err());
        assert!(
            Config::parse(
                "t",
                "exemptions:\n  - rules: [x]\n    reason: r\n    until: soon\n"
            )
            .is_err()
        );
    }

    #[test]
    fn null_settings_are_errors_not_silently_unset() {
        // An empty rule entry or list is a mistake to report, not an unset field.
        assert!(Config::parse("t", "rules:\n  min-replicas:\n").is_err());
        assert!(Config::parse("t", "exemptions:\n").is_err());
        let c = Config::parse("t", "rules:\n  r:\n    params: {a: ~, b: 1}\n").expect("valid");
        assert_eq!(
            c.params()["r"],
            serde_json::json!({"a": null, "b": 1}),
            "a null parameter stays a null"
        );
    }
}

/// Tests written against mutants of this file (`scripts/mutants.sh --file src/config.rs`):
/// each names what it catches.
#[cfg(test)]
mod mutants_tests {
    use super::*;
    use serde_json::json;

    fn rule(id: &str, params: serde_json::Value, types: serde_json::Value) -> RuleMeta {
        RuleMeta::from_json(
            &id.replace('-', "_"),
            &json!({
                "id": id, "title": "t", "severity": "warning", "section": "s",
                "rationale": "r", "remediation": "m", "kinds": ["Deployment"],
                "params": params, "param_types": types,
            }),
        )
        .expect("rule metadata")
    }

    fn rules() -> Vec<RuleMeta> {
        vec![
            rule(
                "min-replicas",
                json!({"min_replicas": 2}),
                json!({"min_replicas": {"type": "integer", "minimum": 1, "description": "d"}}),
            ),
            rule(
                "image-pattern",
                json!({"pattern": "^x", "registries": ["a"]}),
                json!({"pattern": {"type": "regex", "description": "d"}, "registries": {"type": "string_list", "description": "d"}}),
            ),
            rule("no-params", json!({}), json!({})),
        ]
    }

    fn invalid(text: &str) -> String {
        let config = Config::parse("cfg.yaml", text).expect("parses");
        match config.validate(&rules()) {
            Err(ConfigError::Invalid(e)) => format!("{}:{}", e.path, e.message),
            other => panic!("expected invalid, got {other:?}"),
        }
    }

    /// Every problem at its line and column, all of them at once, joined one per line with the
    /// file name (a `continue` removed, a problem dropped, or the join changed, fails this).
    #[test]
    fn validate_reports_every_problem_at_its_line() {
        let text = "rules:\n  min-replica: {}\n  min-replicas:\n    params: {min_replica: 3, min_replicas: 0}\n  no-params:\n    params: {x: 1}\n  image-pattern:\n    params: {pattern: '(', other: 1}\nexemptions:\n  - rules: ['*', no-such-rule]\n    reason: r\n";
        assert_eq!(
            invalid(text),
            [
                "cfg.yaml:8:14: rule `image-pattern`: parameter `pattern` is not a valid regular expression: regex parse error:\n    (\n    ^\nerror: unclosed group",
                "cfg.yaml:8:28: rule `image-pattern` has no parameter `other` (it takes: pattern, registries)",
                "cfg.yaml:2:3: rules: no rule `min-replica` (did you mean `min-replicas`?)",
                "cfg.yaml:4:14: rule `min-replicas` has no parameter `min_replica` (did you mean `min_replicas`?)",
                "cfg.yaml:4:30: rule `min-replicas`: parameter `min_replicas` must be at least 1, not 0",
                "cfg.yaml:6:14: rule `no-params` has no parameter `x` (it takes no parameters)",
                "cfg.yaml:10:18: exemption: no rule `no-such-rule` (`k8s-constitution rules` lists them)",
            ]
            .join("\n")
        );
    }

    #[test]
    fn a_valid_config_validates() {
        let config = Config::parse(
            "cfg.yaml",
            "rules:\n  min-replicas:\n    params: {min_replicas: 3}\n  image-pattern:\n    params: {pattern: '^ok$'}\nexemptions:\n  - rules: ['*', no-params]\n    reason: r\n",
        )
        .expect("parses");
        config.validate(&rules()).expect("valid");
        assert!(Config::default().validate(&rules()).is_ok());
    }

    /// The parameters handed to the rules: only rules that set some, each as an object.
    #[test]
    fn params_are_handed_over_per_rule() {
        let config = Config::parse(
            "cfg.yaml",
            "rules:\n  min-replicas:\n    params: {min_replicas: 3}\n  no-params: {enabled: false}\n",
        )
        .expect("parses");
        let params = config.params();
        assert_eq!(
            serde_json::Value::Object(params),
            json!({"min-replicas": {"min_replicas": 3}})
        );
    }

    #[test]
    fn severity_names_map_to_severities() {
        assert_eq!(Severity::from(SeverityName::Error), Severity::Error);
        assert_eq!(Severity::from(SeverityName::Warning), Severity::Warning);
    }

    /// Parse errors carry `line:col: ` (the file name comes first in the error); the exemption
    /// checks point at the offending field.
    #[test]
    fn parse_errors_name_the_line() {
        let message = |text: &str| match Config::parse("cfg.yaml", text) {
            Err(ConfigError::Invalid(e)) => format!("{}:{}", e.path, e.message),
            other => panic!("expected invalid, got {other:?}"),
        };
        assert_eq!(
            message("exemptions:\n  - rules: [x]\n    reason: ' '\n"),
            "cfg.yaml:3:5: every exemption needs a non-empty `reason`"
        );
        assert_eq!(
            message("exemptions:\n  - rules: [x]\n    reason: r\n    until: 2030-02-30\n"),
            "cfg.yaml:4:5: exemption `until: 2030-02-30` is not a YYYY-MM-DD date that exists"
        );
        assert_eq!(
            message("rules:\n  x: {enabled: maybe}\n"),
            "cfg.yaml:2:7: invalid type: string \"maybe\", expected a boolean"
        );
        // Without a position, the message follows the name after a space.
        assert_eq!(at(Loc::default(), "m"), " m");
    }

    #[test]
    fn an_empty_file_is_the_defaults() {
        let config = Config::parse("cfg.yaml", "").expect("parses");
        assert!(config.rules.is_empty() && config.exemptions.is_empty());
        assert_eq!(config.path(), Some(Path::new("cfg.yaml")));
    }

    /// `none` means no file; an explicit file is read and remembered; a missing one is an
    /// error; without either, the nearest `.k8s-constitution.yaml` upward is found.
    #[test]
    fn load_and_discover() {
        let (config, path) = Config::load(Some(Path::new(NO_CONFIG))).expect("none");
        assert!(path.is_none() && config.path().is_none());

        let dir = tempfile::tempdir().expect("tempdir");
        let nested = dir.path().join("a/b");
        std::fs::create_dir_all(&nested).expect("mkdir");
        assert_eq!(Config::discover(&nested), None);
        let file = dir.path().join(CONFIG_FILE_NAME);
        std::fs::write(&file, "rules:\n  min-replicas: {enabled: false}\n").expect("write");
        assert_eq!(Config::discover(&nested), Some(file.clone()));

        let (config, path) = Config::load(Some(&file)).expect("loads");
        assert_eq!(path.as_deref(), Some(file.as_path()));
        assert_eq!(config.path(), Some(file.as_path()));
        assert_eq!(config.rules["min-replicas"].enabled, Some(false));

        let missing = dir.path().join("missing.yaml");
        match Config::load(Some(&missing)) {
            Err(ConfigError::Read { path, .. }) => assert_eq!(path, missing.display().to_string()),
            other => panic!("expected a read error, got {other:?}"),
        }
    }

    #[test]
    fn until_dates_are_read() {
        let mut e = ConfigExemption {
            rules: vec!["*".into()],
            kind: None,
            namespace: None,
            name: None,
            container: None,
            reason: "r".into(),
            until: None,
        };
        assert_eq!(e.until_date(), None);
        e.until = Some("2030-01-31".into());
        assert_eq!(e.until_date(), Date::parse("2030-01-31"));
    }
}
