//! Exemptions: the one mechanism lint, serve and audit share for accepting a known finding.
//!
//! On the object (or its pod template):
//!   k8s-constitution.dev/exempt: "rule-a,rule-b"      (or "*")
//!   k8s-constitution.dev/exempt-reason: "why"          (required; without it nothing is exempted)
//!   k8s-constitution.dev/exempt-until: "YYYY-MM-DD"    (optional; inclusive)
//! And in the config file, by kind/namespace/name/container, for objects you cannot annotate.

use regorus::Value;

use crate::object::{as_str, member};

use crate::config::ConfigExemption;

pub const EXEMPT_ANNOTATION: &str = "k8s-constitution.dev/exempt";
pub const REASON_ANNOTATION: &str = "k8s-constitution.dev/exempt-reason";
pub const UNTIL_ANNOTATION: &str = "k8s-constitution.dev/exempt-until";

/// A calendar date (UTC), enough for expiry checks without a date-time dependency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl Date {
    /// A `YYYY-MM-DD` date that exists on the calendar (`2099-02-30` does not).
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        let bytes = text.as_bytes();
        let shaped = bytes.len() == 10
            && bytes[4] == b'-'
            && bytes[7] == b'-'
            && bytes
                .iter()
                .enumerate()
                .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
        if !shaped {
            return None;
        }
        let year: i32 = text[0..4].parse().ok()?;
        let month: u32 = text[5..7].parse().ok()?;
        let day: u32 = text[8..10].parse().ok()?;
        ((1..=12).contains(&month) && (1..=days_in_month(year, month)).contains(&day))
            .then_some(Self { year, month, day })
    }

    /// Today in UTC (civil-from-days, Howard Hinnant's algorithm).
    pub fn today() -> Self {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        Self::from_days_since_epoch((secs / 86_400) as i64)
    }

    pub fn from_days_since_epoch(days: i64) -> Self {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Self { year, month, day }
    }
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// What an exemption did to a finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExemptionStatus {
    /// Not exempted.
    None,
    Exempted {
        reason: String,
    },
    /// An exemption named the rule but its date has passed: the finding stands.
    Expired {
        reason: String,
        until: Date,
    },
}

impl ExemptionStatus {
    /// The reason, when the finding is exempted.
    pub fn exempted_reason(&self) -> Option<&str> {
        match self {
            Self::Exempted { reason } => Some(reason),
            _ => None,
        }
    }
}

/// Exemption annotations read from one place on the object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnnotationExemption {
    pub rules: Vec<String>,
    pub reason: Option<String>,
    pub until: Option<Date>,
    /// Why the annotations cannot be read as written (no reason, an expiry that is not a date,
    /// a rule the pack does not have). An exemption with a problem exempts nothing: a mistake
    /// must never widen what is accepted.
    pub problems: Vec<AnnotationProblem>,
}

/// One thing wrong with an object's exemption annotations, and the annotation it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnnotationProblem {
    /// Path of the offending annotation, relative to the object.
    pub path: Vec<String>,
    pub message: String,
}

impl AnnotationExemption {
    /// Whether this exemption applies to `rule`: it names it (or `*`) and is well-formed.
    pub fn covers(&self, rule: &str) -> bool {
        self.problems.is_empty() && self.rules.iter().any(|r| r == rule || r == "*")
    }
}

/// Reads the exemption annotations under `metadata` (an object's or a pod template's).
/// `known_rule` tells the rule ids of the pack, so that a misspelt id is a problem rather than
/// an exemption that silently matches nothing.
pub fn annotation_exemption(
    metadata: Option<&Value>,
    metadata_path: &[String],
    known_rule: &dyn Fn(&str) -> bool,
) -> Option<AnnotationExemption> {
    let annotations = member(metadata?, "annotations")?;
    let exempt = member(annotations, EXEMPT_ANNOTATION)?;
    let annotation_path = |name: &str| {
        let mut path = metadata_path.to_vec();
        path.extend(["annotations".to_string(), name.to_string()]);
        path
    };
    let mut problems = Vec::new();
    let mut problem = |name: &str, message: String| {
        problems.push(AnnotationProblem {
            path: annotation_path(name),
            message,
        });
    };
    let rules: Vec<String> = as_str(exempt)
        .unwrap_or_default()
        .split(',')
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty())
        .collect();
    let ignored = |rules: &[String]| {
        if rules.is_empty() {
            "the exemption".to_string()
        } else {
            format!("the exemption of {}", rules.join(", "))
        }
    };
    if rules.is_empty() {
        problem(
            EXEMPT_ANNOTATION,
            format!(
                "`{EXEMPT_ANNOTATION}` names no rule (a comma-separated list of rule ids, or \"*\"); nothing is exempted"
            ),
        );
    }
    for id in rules.iter().filter(|r| *r != "*" && !known_rule(r)) {
        problem(
            EXEMPT_ANNOTATION,
            format!(
                "`{EXEMPT_ANNOTATION}` names rule `{id}`, which the pack does not have; {} is not applied",
                ignored(&rules)
            ),
        );
    }
    let reason = member(annotations, REASON_ANNOTATION)
        .and_then(as_str)
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_string);
    if reason.is_none() {
        problem(
            EXEMPT_ANNOTATION,
            format!(
                "{} is not applied: it needs a `{REASON_ANNOTATION}` annotation saying why",
                ignored(&rules)
            ),
        );
    }
    let until = match member(annotations, UNTIL_ANNOTATION) {
        None => None,
        Some(value) => {
            let text = as_str(value).unwrap_or_default();
            let date = Date::parse(text);
            if date.is_none() {
                problem(
                    UNTIL_ANNOTATION,
                    format!(
                        "`{UNTIL_ANNOTATION}: {text}` is not a YYYY-MM-DD date that exists; {} is not applied",
                        ignored(&rules)
                    ),
                );
            }
            date
        }
    };
    Some(AnnotationExemption {
        rules,
        reason,
        until,
        problems,
    })
}

/// Coordinates a config exemption is matched against.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    pub rule: &'a str,
    pub kind: &'a str,
    pub namespace: Option<&'a str>,
    pub name: &'a str,
    pub container: Option<&'a str>,
}

fn field_matches(pattern: Option<&str>, actual: Option<&str>) -> bool {
    match pattern {
        None | Some("*") => true,
        Some(p) => match p.strip_suffix('*') {
            Some(prefix) => actual.is_some_and(|a| a.starts_with(prefix)),
            None => actual == Some(p),
        },
    }
}

pub fn config_exemption_matches(e: &ConfigExemption, t: &Target<'_>) -> bool {
    e.rules.iter().any(|r| r == t.rule || r == "*")
        && field_matches(e.kind.as_deref(), Some(t.kind))
        && field_matches(e.namespace.as_deref(), t.namespace)
        && field_matches(e.name.as_deref(), Some(t.name))
        && field_matches(e.container.as_deref(), t.container)
}

/// Decides one finding: the first applicable exemption (annotations, then config) that is
/// still valid exempts it; otherwise an expired one is reported as expired.
pub fn decide(
    annotations: &[AnnotationExemption],
    config: &[ConfigExemption],
    target: &Target<'_>,
    today: Date,
) -> ExemptionStatus {
    let mut expired = None;
    let candidates = annotations
        .iter()
        .filter(|a| a.covers(target.rule))
        .filter_map(|a| a.reason.clone().map(|reason| (reason, a.until)))
        .chain(
            config
                .iter()
                .filter(|e| config_exemption_matches(e, target))
                .map(|e| (e.reason.clone(), e.until_date())),
        );
    for (reason, until) in candidates {
        match until {
            Some(until) if until < today => {
                expired.get_or_insert(ExemptionStatus::Expired { reason, until });
            }
            _ => return ExemptionStatus::Exempted { reason },
        }
    }
    expired.unwrap_or(ExemptionStatus::None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn civil_dates_from_epoch_days() {
        assert_eq!(Date::from_days_since_epoch(0).to_string(), "1970-01-01");
        assert_eq!(
            Date::from_days_since_epoch(20_414).to_string(),
            "2025-11-22"
        );
        assert_eq!(
            Date::from_days_since_epoch(11_016).to_string(),
            "2000-02-29"
        );
    }

    #[test]
    fn parses_annotations() {
        let meta = crate::object::from_json(
            &json!({"annotations": {EXEMPT_ANNOTATION: "a, b", REASON_ANNOTATION: "legacy", UNTIL_ANNOTATION: "2030-01-31"}}),
        );
        let a =
            annotation_exemption(Some(&meta), &["metadata".into()], &|_| true).expect("present");
        assert_eq!(a.rules, vec!["a", "b"]);
        assert_eq!(a.reason.as_deref(), Some("legacy"));
        assert_eq!(a.until, Date::parse("2030-01-31"));
        assert!(a.problems.is_empty() && a.covers("b"));
    }

    #[test]
    fn dates_must_exist_on_the_calendar() {
        assert!(Date::parse("2024-02-29").is_some(), "leap year");
        for bad in [
            "2099-02-30",
            "2023-02-29",
            "2100-02-29",
            "2027-04-31",
            "2027-13-01",
            "2027-00-10",
            "next week",
            "2027-1-010",
            "+027-01-01",
            "2027/01/01",
        ] {
            assert_eq!(Date::parse(bad), None, "{bad}");
        }
        assert!(Date::parse("2000-02-29").is_some());
    }

    /// Each unreadable annotation is a problem at the annotation that is wrong, and an
    /// exemption with a problem covers nothing (it used to apply forever on a bad date).
    #[test]
    fn unreadable_annotations_exempt_nothing() {
        let read = |annotations: serde_json::Value| {
            let meta = crate::object::from_json(&json!({ "annotations": annotations }));
            annotation_exemption(Some(&meta), &["metadata".into()], &|id| id == "known")
                .expect("present")
        };
        let bad_date = read(
            json!({EXEMPT_ANNOTATION: "known", REASON_ANNOTATION: "r", UNTIL_ANNOTATION: "next week"}),
        );
        assert!(!bad_date.covers("known"));
        assert_eq!(
            bad_date.problems[0].path,
            vec!["metadata", "annotations", UNTIL_ANNOTATION]
        );
        let unknown =
            read(json!({EXEMPT_ANNOTATION: "known,no-such-rule", REASON_ANNOTATION: "r"}));
        assert!(!unknown.covers("known"));
        assert!(unknown.problems[0].message.contains("`no-such-rule`"));
        assert_eq!(
            unknown.problems[0].path,
            vec!["metadata", "annotations", EXEMPT_ANNOTATION]
        );
        let no_reason = read(json!({EXEMPT_ANNOTATION: "known"}));
        assert!(!no_reason.covers("known"));
        let empty = read(json!({EXEMPT_ANNOTATION: " , ", REASON_ANNOTATION: "r"}));
        assert!(!empty.covers("known") && !empty.problems.is_empty());
        let star = read(json!({EXEMPT_ANNOTATION: "*", REASON_ANNOTATION: "r"}));
        assert!(star.covers("anything"));
    }

    #[test]
    fn expired_and_missing_reason() {
        let today = Date::parse("2026-06-01").expect("date");
        let target = Target {
            rule: "a",
            kind: "Deployment",
            namespace: None,
            name: "x",
            container: None,
        };
        let past = AnnotationExemption {
            rules: vec!["a".into()],
            reason: Some("r".into()),
            until: Date::parse("2026-05-31"),
            problems: vec![],
        };
        assert!(matches!(
            decide(&[past], &[], &target, today),
            ExemptionStatus::Expired { .. }
        ));
        let no_reason = AnnotationExemption {
            rules: vec!["a".into()],
            reason: None,
            until: None,
            problems: vec![AnnotationProblem {
                path: vec![],
                message: "no reason".into(),
            }],
        };
        assert_eq!(
            decide(&[no_reason], &[], &target, today),
            ExemptionStatus::None
        );
        let on_the_day = AnnotationExemption {
            rules: vec!["*".into()],
            reason: Some("r".into()),
            until: Some(today),
            problems: vec![],
        };
        assert!(matches!(
            decide(&[on_the_day], &[], &target, today),
            ExemptionStatus::Exempted { .. }
        ));
    }
}
