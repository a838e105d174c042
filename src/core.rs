//! The evaluation core shared by lint, serve and audit: given objects, run the pack, apply the
//! configuration (rules on/off, severities) and the exemptions, and return violations.
//! Front ends add only what is theirs: lint and audit locate violations in sources, serve
//! turns them into an admission verdict.

use rayon::prelude::*;
use regorus::Value;

use crate::config::{Config, ConfigError};
use crate::exempt::{self, AnnotationExemption, Date, ExemptionStatus, Target};
use crate::fix::PatchOp;
use crate::object::{self, StringKey, member, str_at};
use crate::path::{FieldPath, Segment};
use crate::policy::{
    Evaluator, PackError, PackSource, PolicyPack, RawViolation, RuleMeta, Severity,
};

/// kubectl's copy of the applied object, judged by the sensitive rules as an object of its own.
pub const LAST_APPLIED_ANNOTATION: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// The built-in check that an exemption annotation is well-formed (it is about the mechanism,
/// not the constitution, so it lives here rather than in the Rego pack).
pub const INVALID_EXEMPTION_RULE: &str = "invalid-exemption";

/// The rules that live in Rust rather than in the pack: listed by `rules`, explained by
/// `explain`, configurable like any other.
pub fn builtin_rules() -> Vec<RuleMeta> {
    let invalid_exemption = serde_json::json!({
        "id": INVALID_EXEMPTION_RULE,
        "title": "Exemption annotations must be readable: known rule ids, a reason, a real expiry date",
        "severity": "warning",
        "section": "Governance (deviations from the constitution require explicit, documented justification)",
        "rationale": "An exemption that cannot be read must not widen what is accepted. An exemption annotation naming a rule the pack does not have, without a `k8s-constitution.dev/exempt-reason`, or with a `k8s-constitution.dev/exempt-until` that is not a YYYY-MM-DD date on the calendar is not applied at all: the findings it meant to exempt stay at their severity, and this warning points at the annotation that is wrong.",
        "remediation": "Fix the annotation this finding points at: spell the rule id as `k8s-constitution rules` lists it, add `k8s-constitution.dev/exempt-reason: \"<why>\"`, write the expiry as YYYY-MM-DD.",
        "kinds": ["*"],
    });
    RuleMeta::from_json("invalid_exemption", &invalid_exemption)
        .into_iter()
        .collect()
}

/// What can stop a core from being set up: the pack, the configuration, or a rule id that
/// names no rule.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum SetupError {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Pack(#[from] PackError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Config(#[from] ConfigError),
    #[error("{option}: {message}")]
    #[diagnostic(
        code(k8sc::usage::unknown_rule),
        help("`k8s-constitution rules` lists the rule ids")
    )]
    UnknownRule { option: String, message: String },
}

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
    /// The rule's advice for this object, when it computes one (else its remediation applies).
    pub help: Option<String>,
    /// The rule's fix: JSON Patch operations on the object (paths relative to it).
    pub fix: Vec<PatchOp>,
}

impl Violation {
    pub fn is_exempted(&self) -> bool {
        matches!(self.exemption, ExemptionStatus::Exempted { .. })
    }
}

/// How much of the source text the report will show, which decides what the redactor
/// computes (the human report's snippets are the only source text any face prints).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Redaction {
    /// The report shows no source text (JSON, SARIF, JUnit, GitHub, the webhook): only the
    /// values of sensitive findings are marked, nothing else is computed.
    NoSnippets,
    /// Snippets with every secret value masked (`policies/lib/redact.rego`).
    #[default]
    Secrets,
    /// Snippets with every value masked, keys and structure kept (`--redact-all-values`).
    AllValues,
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
    /// The pack's rules and the built-in ones, sorted by id.
    rules: Vec<RuleMeta>,
    config: Config,
    /// Where objects without `metadata.namespace` will be applied (`lint --namespace`).
    default_namespace: Option<String>,
    selection: Selection,
    redaction: Redaction,
    /// A fixed date for tests; `None` reads the clock at every check, so a long-running
    /// webhook sees exemptions expire.
    today: Option<Date>,
}

impl Core {
    /// Loads the pack with the config's parameters, after checking that the config and the
    /// selection name only rules the pack has, with parameters of the declared types.
    pub fn load(
        mut source: PackSource,
        config: Config,
        selection: Selection,
    ) -> Result<Self, SetupError> {
        source.params = config.params();
        let pack = PolicyPack::load(&source)?;
        let mut rules = pack.rules().to_vec();
        rules.extend(builtin_rules());
        rules.sort_by(|a, b| a.id.cmp(&b.id));
        config.validate(&rules)?;
        let known = || rules.iter().map(|r| r.id.as_str());
        for (option, ids) in [("--only", &selection.only), ("--skip", &selection.skip)] {
            if let Some(message) = ids
                .iter()
                .find_map(|id| crate::rule_ids::unknown_rule_message(id, known()))
            {
                return Err(SetupError::UnknownRule {
                    option: option.to_string(),
                    message,
                });
            }
        }
        Ok(Self {
            default_namespace: source.namespace.clone(),
            pack,
            rules,
            config,
            selection,
            redaction: Redaction::default(),
            today: None,
        })
    }

    /// Every rule, the pack's and the built-in ones, sorted by id.
    pub fn rules(&self) -> &[RuleMeta] {
        &self.rules
    }

    pub fn set_redaction(&mut self, redaction: Redaction) {
        self.redaction = redaction;
    }

    pub fn redaction(&self) -> Redaction {
        self.redaction
    }

    /// The paths (relative to the object) of the values the redactor masks for what the
    /// object is (a Secret's data, a credential on a command line): see `redact_strings` for
    /// the strings it masks for their key and value.
    pub fn redact_object_paths(
        &self,
        evaluator: &mut Evaluator,
        object: &Value,
    ) -> Result<Vec<FieldPath>, PackError> {
        evaluator.redact_paths(object.clone())
    }

    /// Which of `strings` the redactor masks for their key and value, wherever they stand:
    /// `true` at the index of each. The question does not depend on the object, so the strings
    /// of many objects are asked at once (in parallel batches): one VM run per object cost more
    /// than the questions themselves. A batch the redactor fails on is masked whole.
    pub fn redact_strings(&self, strings: &[StringKey<'_>]) -> Vec<bool> {
        const BATCH: usize = 512;
        strings
            .par_chunks(BATCH)
            .map_init(
                || self.evaluator(),
                |evaluator, batch| {
                    let input = batch
                        .iter()
                        .map(|s| {
                            let text = |t: Option<&str>| t.map_or(Value::Null, Value::from);
                            Value::from(vec![
                                text(s.key),
                                text(s.name_beside),
                                Value::from(s.value),
                            ])
                        })
                        .collect();
                    match evaluator.redact_scalars(input) {
                        Ok(masked) => {
                            let mut verdicts = vec![false; batch.len()];
                            for i in masked {
                                if let Some(v) = verdicts.get_mut(i) {
                                    *v = true;
                                }
                            }
                            verdicts
                        }
                        Err(_) => vec![true; batch.len()],
                    }
                },
            )
            .flatten_iter()
            .collect()
    }

    pub fn rule(&self, id: &str) -> Option<&RuleMeta> {
        self.rules.iter().find(|r| r.id == id)
    }

    fn is_known_rule(&self, id: &str) -> bool {
        self.rule(id).is_some()
    }

    /// Whether the rule runs (config `enabled`, `--only`, `--skip`) and at which severity.
    pub fn rule_state(&self, id: &str) -> Option<(bool, Severity)> {
        let rule = self.rule(id)?;
        Some(match self.active_rule(id) {
            Some((_, severity)) => (true, severity),
            None => (false, self.configured_severity(rule)),
        })
    }

    fn configured_severity(&self, rule: &RuleMeta) -> Severity {
        self.config
            .rules
            .get(&rule.id)
            .and_then(|r| r.severity)
            .map(Severity::from)
            .unwrap_or(rule.severity)
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
        let rule = self.rule(id)?;
        let rc = self.config.rules.get(id);
        // `--only` narrows the pack's rules; it does not hide that an exemption could not be
        // read (the warning explains why a selected rule's finding is not exempted).
        let only_allows = self.selection.only.is_empty()
            || self.selection.only.iter().any(|o| o == id)
            || id == INVALID_EXEMPTION_RULE;
        let enabled = rc.and_then(|r| r.enabled).unwrap_or(true)
            && only_allows
            && !self.selection.skip.iter().any(|s| s == id);
        enabled.then(|| (rule, self.configured_severity(rule)))
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
        let annotations = self.exemptions_on(object, result.pod_metadata_path.as_deref());
        let mut violations: Vec<Violation> = result
            .violations
            .into_iter()
            .filter_map(|raw| self.violation(raw, object, namespace, &annotations))
            .collect();
        violations.extend(self.last_applied_violations(
            evaluator,
            object,
            namespace,
            &annotations,
        )?);
        violations.extend(self.invalid_exemption_warnings(&annotations));
        violations.sort_by(|a, b| (&a.path, &a.rule).cmp(&(&b.path, &b.rule)));
        Ok(violations)
    }

    /// The sensitive rules' violations in the object kubectl keeps in its
    /// last-applied-configuration annotation (a JSON copy of what was applied, env and data
    /// included), each placed on that annotation. Only sensitive rules: the copy's other
    /// violations are the live object's own, already reported where they stand. Unparsable
    /// JSON is not skipped silently: `annotation-secrets` judges it as text.
    fn last_applied_violations(
        &self,
        evaluator: &mut Evaluator,
        object: &Value,
        namespace: Option<&str>,
        annotations: &[AnnotationExemption],
    ) -> Result<Vec<Violation>, PackError> {
        let Some(text) = str_at(
            object,
            &["metadata", "annotations", LAST_APPLIED_ANNOTATION],
        ) else {
            return Ok(Vec::new());
        };
        let Ok(applied) = Value::from_json_str(text) else {
            return Ok(Vec::new());
        };
        if str_at(&applied, &["kind"]).is_none() {
            return Ok(Vec::new());
        }
        let path = serde_json::json!(["metadata", "annotations", LAST_APPLIED_ANNOTATION]);
        let result = evaluator.evaluate_object(applied)?;
        Ok(result
            .violations
            .into_iter()
            .filter(|raw| self.rule(&raw.rule).is_some_and(|r| r.sensitive))
            .filter_map(|mut raw| {
                raw.msg = format!("{} (in {LAST_APPLIED_ANNOTATION})", raw.msg);
                raw.path = path.clone();
                self.violation(raw, object, namespace, annotations)
            })
            .collect())
    }

    /// Evaluates the cross-resource rules over a set of objects; each violation comes with
    /// the index of the object it is about. Only `objects[..judged]` are reported on; the rest
    /// is context (see [`crate::lint::lint_in_context`]): a finding the rule places on a
    /// context object moves to the first judged object it is also about, if any.
    pub fn check_set(
        &self,
        evaluator: &mut Evaluator,
        objects: &[&Value],
        judged: usize,
    ) -> Result<Vec<(usize, Violation)>, PackError> {
        let input = objects.iter().map(|o| (*o).clone()).collect();
        let raws = evaluator.evaluate_set(input)?;
        let judged = judged.min(objects.len());
        let mut out = Vec::new();
        for raw in raws {
            let Some(reported) = raw.resource.filter(|i| *i < objects.len()) else {
                continue;
            };
            let index = if reported < judged {
                reported
            } else {
                match raw.related.iter().copied().filter(|i| *i < judged).min() {
                    Some(judged_related) => judged_related,
                    None => continue,
                }
            };
            let object = objects[index];
            // The exemptions of every object the finding is about apply to it (for a
            // namespace's missing NetworkPolicy: any of its workloads), not only of the one
            // object it is reported on.
            let mut annotations = self.exemptions_on(object, None);
            for related in raw.related.iter().filter(|r| **r != index) {
                if let Some(other) = objects.get(*related) {
                    annotations.extend(self.exemptions_on(other, None));
                }
            }
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
            namespace: str_at(object, &["metadata", "namespace"])
                .or(namespace)
                .or(self.default_namespace.as_deref()),
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
        // A malformed fix is the pack's bug: the finding stands without it (the verdict does
        // not depend on it), and tests/rule_fixtures.rs fails on any fix that does not parse.
        let fix = raw
            .fix
            .as_ref()
            .and_then(|fix| crate::fix::parse(&rule.id, fix).ok())
            .unwrap_or_default();
        Some(Violation {
            rule: rule.id.clone(),
            severity,
            message,
            path,
            exemption,
            sensitive: rule.sensitive,
            help: raw.help,
            fix,
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

impl Core {
    /// Exemption annotations on the object's metadata and on its pod template's.
    fn exemptions_on(
        &self,
        object: &Value,
        pod_metadata_path: Option<&[String]>,
    ) -> Vec<AnnotationExemption> {
        let known = |id: &str| self.is_known_rule(id);
        let mut found = Vec::new();
        found.extend(exempt::annotation_exemption(
            member(object, "metadata"),
            &["metadata".to_string()],
            &known,
        ));
        if let Some(path) = pod_metadata_path.filter(|p| p.len() > 1) {
            let metadata = path.iter().try_fold(object, |node, key| member(node, key));
            found.extend(exempt::annotation_exemption(metadata, path, &known));
        }
        found
    }

    /// One `invalid-exemption` warning per problem, at the annotation that is wrong (unless
    /// the rule is switched off).
    fn invalid_exemption_warnings(&self, annotations: &[AnnotationExemption]) -> Vec<Violation> {
        let Some((_, severity)) = self.active_rule(INVALID_EXEMPTION_RULE) else {
            return Vec::new();
        };
        annotations
            .iter()
            .flat_map(|a| &a.problems)
            .map(|problem| Violation {
                rule: INVALID_EXEMPTION_RULE.to_string(),
                severity,
                message: problem.message.clone(),
                path: FieldPath(problem.path.iter().cloned().map(Segment::Key).collect()),
                exemption: ExemptionStatus::None,
                sensitive: false,
                help: None,
                fix: Vec::new(),
            })
            .collect()
    }
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
