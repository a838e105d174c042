//! `.k8s-constitution.yaml`: rules on/off, severity overrides, parameters, and exemptions for
//! objects you cannot annotate (third-party charts). The same file drives lint, serve and audit.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::exempt::Date;
use crate::load::{self, LoadOptions};
use crate::policy::Severity;

pub const CONFIG_FILE_NAME: &str = ".k8s-constitution.yaml";

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub rules: BTreeMap<String, RuleConfig>,
    #[serde(default)]
    pub exemptions: Vec<ConfigExemption>,
}

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
    #[error("invalid config {path}: {message}")]
    #[diagnostic(
        code(k8sc::config::invalid),
        help("see the README section \"Configuration\" for the file's shape")
    )]
    Invalid { path: String, message: String },
}

impl Config {
    /// Finds `.k8s-constitution.yaml` in `start` or the nearest ancestor directory.
    pub fn discover(start: &Path) -> Option<PathBuf> {
        start
            .ancestors()
            .map(|dir| dir.join(CONFIG_FILE_NAME))
            .find(|candidate| candidate.is_file())
    }

    /// Loads the explicit file, or the discovered one, or the defaults.
    pub fn load(explicit: Option<&Path>) -> Result<(Self, Option<PathBuf>), ConfigError> {
        let path = match explicit {
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
        let config = Self::parse(&shown, &text)?;
        Ok((config, Some(path)))
    }

    pub fn parse(name: &str, text: &str) -> Result<Self, ConfigError> {
        let invalid = |message: String| ConfigError::Invalid {
            path: name.to_string(),
            message,
        };
        // Read as JSON, not as the engine's value: serde reads this file, and `rules: {x: }`
        // must stay an error rather than silently configure nothing.
        let stream = load::yaml::parse_stream_json(text, LoadOptions::default().limits);
        if let Some(e) = stream.error {
            return Err(invalid(format!(
                "line {}, column {}: {}",
                e.loc.line, e.loc.col, e.message
            )));
        }
        let value = stream
            .documents
            .into_iter()
            .find_map(|d| d.json)
            .unwrap_or(serde_json::Value::Object(Default::default()));
        let config: Config = serde_json::from_value(value).map_err(|e| invalid(e.to_string()))?;
        for exemption in &config.exemptions {
            if exemption.reason.trim().is_empty() {
                return Err(invalid("every exemption needs a non-empty `reason`".into()));
            }
            if let Some(until) = &exemption.until
                && Date::parse(until).is_none()
            {
                return Err(invalid(format!(
                    "exemption `until: {until}` is not a YYYY-MM-DD date"
                )));
            }
        }
        Ok(config)
    }

    /// Per-rule parameter overrides, in the shape the rule pack reads (`data.k8sc.params`).
    pub fn params(&self) -> serde_json::Map<String, serde_json::Value> {
        self.rules
            .iter()
            .filter(|(_, rc)| !rc.params.is_empty())
            .map(|(id, rc)| (id.clone(), serde_json::Value::Object(rc.params.clone())))
            .collect()
    }

    /// Rule ids the config names that the pack does not have (typos are worth a warning).
    pub fn unknown_rules<'a>(&'a self, known: &[&str]) -> Vec<&'a str> {
        let mut ids: Vec<&str> = self.rules.keys().map(String::as_str).collect();
        ids.extend(
            self.exemptions
                .iter()
                .flat_map(|e| e.rules.iter().map(String::as_str)),
        );
        ids.retain(|id| *id != "*" && !known.contains(id));
        ids.sort_unstable();
        ids.dedup();
        ids
    }
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
