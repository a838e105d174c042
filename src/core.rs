//! The evaluation core shared by lint, serve and audit: given objects, run the pack, apply the
//! configuration (rules on/off, severities) and the exemptions, and return violations.
//! Front ends add only what is theirs: lint and audit locate violations in sources, serve
//! turns them into an admission verdict.

use regorus::Value;

use crate::config::Config;
use crate::exempt::{self, AnnotationExemption, Date, ExemptionStatus, Target};
use crate::object::{self, member, str_at};
use crate::path::{FieldPath, Segment};
use crate::policy::{
    Evaluator, PackError, PackSource, PolicyPack, RawViolation, RuleMeta, Severity,
};

/// The built-in check that an exemption annotation is well-formed (it is about the mechanism,
/// not the constitution, so it lives here rather than in the Rego pack).
pub const INVALID_EXEMPTION_RULE: &str = "invalid-exemption";

/// A violation after configuration and exemptions.
#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    pub rule: String,
    pub severity: Severity,
    pub message: String,
    /// Path of the offending field, relative to the object.
    pub path: FieldPath,
    pub exemption: ExemptionStatus,
    /// The finding is about secret material: show no value near it.
    pub sensitive: bool,
}

impl Violation {
    pub fn is_exempted(&self) -> bool {
        matches!(self.exemption, ExemptionStatus::Exempted { .. })
    }
}

/// Which rules run (CLI `--only`/`--skip` on top of the config's `enabled`).
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub only: Vec<String>,
    pub skip: Vec<String>,
}

#[derive(Clone)]
pub struct Core {
    pack: PolicyPack,
    config: Config,
    selection: Selection,
    /// A fixed date for tests; `None` reads the clock at every check, so a long-running
    /// webhook sees exemptions expire.
    today: Option<Date>,
}

impl Core {
    /// Loads the pack with the config's parameters.
    pub fn load(
        mut source: PackSource,
        config: Config,
        selection: Selection,
    ) -> Result<Self, PackError> {
        source.params = config.params();
        let pack = PolicyPack::load(&source)?;
        Ok(Self {
            pack,
            config,
            selection,
            today: None,
        })
    }

    /// Evaluates as if today were `date` (`None`: the real clock).
    pub fn set_today(&mut self, date: Option<Date>) {
        self.today = date;
    }

    pub fn pack(&self) -> &PolicyPack {
        &self.pack
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn evaluator(&self) -> Evaluator {
        self.pack.evaluator()
    }

    /// The rule as configured: `None` when it is switched off.
    fn active_rule(&self, id: &str) -> Option<(&RuleMeta, Severity)> {
        let rule = self.pack.rule(id)?;
        let rc = self.config.rules.get(id);
        let enabled = rc.and_then(|r| r.enabled).unwrap_or(true)
            && (self.selection.only.is_empty() || self.selection.only.iter().any(|o| o == id))
            && !self.selection.skip.iter().any(|s| s == id);
        let severity = rc
            .and_then(|r| r.severity)
            .map(Severity::from)
            .unwrap_or(rule.severity);
        enabled.then_some((rule, severity))
    }

    pub fn has_set_rules(&self) -> bool {
        self.pack
            .rules()
            .iter()
            .any(|r| r.needs_all_resources && self.active_rule(&r.id).is_some())
    }

    /// Evaluates one object. `namespace` is the namespace it lives in when the object itself
    /// does not say (admission requests carry it separately).
    pub fn check_object(
        &self,
        evaluator: &mut Evaluator,
        object: &Value,
        namespace: Option<&str>,
    ) -> Result<Vec<Violation>, PackError> {
        let result = evaluator.evaluate_object(object.clone())?;
        let annotations = exemptions_on(object, result.pod_metadata_path.as_deref());
        let mut violations: Vec<Violation> = result
            .violations
            .into_iter()
            .filter_map(|raw| self.violation(raw, object, namespace, &annotations))
            .collect();
        violations.extend(invalid_exemption_warnings(&annotations));
        violations.sort_by(|a, b| (&a.path, &a.rule).cmp(&(&b.path, &b.rule)));
        Ok(violations)
    }

    /// Evaluates the cross-resource rules over a set of objects; each violation comes with
    /// the index of the object it is about.
    pub fn check_set(
        &self,
        evaluator: &mut Evaluator,
        objects: &[&Value],
    ) -> Result<Vec<(usize, Violation)>, PackError> {
        let input = objects.iter().map(|o| (*o).clone()).collect();
        let raws = evaluator.evaluate_set(input)?;
        let mut out = Vec::new();
        for raw in raws {
            let Some(index) = raw.resource.filter(|i| *i < objects.len()) else {
                continue;
            };
            let object = objects[index];
            let annotations = exemptions_on(object, None);
            if let Some(v) = self.violation(raw, object, None, &annotations) {
                out.push((index, v));
            }
        }
        out.sort_by(|a, b| (a.0, &a.1.path, &a.1.rule).cmp(&(b.0, &b.1.path, &b.1.rule)));
        Ok(out)
    }

    fn violation(
        &self,
        raw: RawViolation,
        object: &Value,
        namespace: Option<&str>,
        annotations: &[AnnotationExemption],
    ) -> Option<Violation> {
        let (rule, severity) = self.active_rule(&raw.rule)?;
        let path = FieldPath::from_json(&raw.path);
        let container = container_name(object, &path);
        let target = Target {
            rule: &rule.id,
            kind: str_at(object, &["kind"]).unwrap_or_default(),
            namespace: str_at(object, &["metadata", "namespace"]).or(namespace),
            name: str_at(object, &["metadata", "name"]).unwrap_or_default(),
            container: container.as_deref(),
        };
        let today = self.today.unwrap_or_else(Date::today);
        let exemption = exempt::decide(annotations, &self.config.exemptions, &target, today);
        let message = match &exemption {
            ExemptionStatus::Expired { until, .. } => {
                format!("{} (its exemption expired on {until})", raw.msg)
            }
            _ => raw.msg,
        };
        Some(Violation {
            rule: rule.id.clone(),
            severity,
            message,
            path,
            exemption,
            sensitive: rule.sensitive,
        })
    }
}

/// The name of the container a path goes through, looked up in the object.
fn container_name(object: &Value, path: &FieldPath) -> Option<String> {
    let prefix = path.container_prefix()?;
    let mut node = object;
    for segment in prefix.segments() {
        node = match segment {
            Segment::Key(k) => member(node, k)?,
            Segment::Index(i) => object::item(node, *i)?,
        };
    }
    str_at(node, &["name"]).map(str::to_string)
}

/// Exemption annotations on the object's metadata and on its pod template's.
fn exemptions_on(object: &Value, pod_metadata_path: Option<&[String]>) -> Vec<AnnotationExemption> {
    let mut found = Vec::new();
    found.extend(exempt::annotation_exemption(
        member(object, "metadata"),
        &["metadata".to_string()],
    ));
    if let Some(path) = pod_metadata_path.filter(|p| p.len() > 1) {
        let metadata = path.iter().try_fold(object, |node, key| member(node, key));
        found.extend(exempt::annotation_exemption(metadata, path));
    }
    found
}

fn invalid_exemption_warnings(annotations: &[AnnotationExemption]) -> Vec<Violation> {
    annotations
        .iter()
        .filter_map(|a| {
            let problem = if a.reason.is_none() {
                format!(
                    "exemption of {} ignored: it needs a `{}` annotation saying why",
                    a.rules.join(", "),
                    exempt::REASON_ANNOTATION
                )
            } else if let Some(bad) = &a.bad_until {
                format!(
                    "`{}: {bad}` is not a YYYY-MM-DD date; the exemption is treated as having no expiry",
                    exempt::UNTIL_ANNOTATION
                )
            } else {
                return None;
            };
            Some(Violation {
                rule: INVALID_EXEMPTION_RULE.to_string(),
                severity: Severity::Warning,
                message: problem,
                path: FieldPath(a.path.iter().cloned().map(Segment::Key).collect()),
                exemption: ExemptionStatus::None,
                sensitive: false,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Regression: the date used to be fixed when the pack loaded, so a webhook running for
    /// weeks never saw an exemption expire.
    #[test]
    fn exemption_expiry_follows_the_current_date() {
        let mut core = Core::load(
            PackSource::default(),
            Config::default(),
            Selection::default(),
        )
        .expect("pack loads");
        let pod = object::from_json(&json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "p", "annotations": {
                "k8s-constitution.dev/exempt": "run-as-non-root",
                "k8s-constitution.dev/exempt-reason": "migration",
                "k8s-constitution.dev/exempt-until": "2027-01-31"}},
            "spec": {"containers": [{"name": "c", "image": "nginx:1.0"}]}
        }));
        let mut evaluator = core.evaluator();
        let status = |core: &Core, evaluator: &mut Evaluator| {
            core.check_object(evaluator, &pod, None)
                .expect("evaluates")
                .into_iter()
                .find(|v| v.rule == "run-as-non-root")
                .map(|v| v.exemption)
        };
        core.set_today(Date::parse("2027-01-31"));
        assert!(matches!(
            status(&core, &mut evaluator),
            Some(ExemptionStatus::Exempted { .. })
        ));
        core.set_today(Date::parse("2027-02-01"));
        assert!(matches!(
            status(&core, &mut evaluator),
            Some(ExemptionStatus::Expired { .. })
        ));
    }
}
