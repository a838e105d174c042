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
    pub fn parse(text: &str) -> Option<Self> {
        let mut parts = text.trim().splitn(3, '-');
        let year: i32 = parts.next()?.parse().ok()?;
        let month: u32 = parts.next()?.parse().ok()?;
        let day: u32 = parts.next()?.parse().ok()?;
        ((1..=12).contains(&month) && (1..=31).contains(&day) && text.trim().len() == 10)
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
    /// `until` was present but not a date.
    pub bad_until: Option<String>,
    /// Path of the `exempt` annotation, for the warning when the reason is missing.
    pub path: Vec<String>,
}

impl AnnotationExemption {
    pub fn covers(&self, rule: &str) -> bool {
        self.rules.iter().any(|r| r == rule || r == "*")
    }
}

/// Reads the exemption annotations under `metadata` (an object's or a pod template's).
pub fn annotation_exemption(
    metadata: Option<&Value>,
    metadata_path: &[String],
) -> Option<AnnotationExemption> {
    let annotations = member(metadata?, "annotations")?;
    let rules: Vec<String> = as_str(member(annotations, EXEMPT_ANNOTATION)?)?
        .split(',')
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty())
        .collect();
    let reason = member(annotations, REASON_ANNOTATION)
        .and_then(as_str)
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_string);
    let until_text = member(annotations, UNTIL_ANNOTATION).and_then(as_str);
    let until = until_text.and_then(Date::parse);
    let mut path = metadata_path.to_vec();
    path.extend(["annotations".to_string(), EXEMPT_ANNOTATION.to_string()]);
    Some(AnnotationExemption {
        rules,
        reason,
        until,
        bad_until: until_text.filter(|_| until.is_none()).map(str::to_string),
        path,
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
        let a = annotation_exemption(Some(&meta), &["metadata".into()]).expect("present");
        assert_eq!(a.rules, vec!["a", "b"]);
        assert_eq!(a.reason.as_deref(), Some("legacy"));
        assert_eq!(a.until, Date::parse("2030-01-31"));
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
            bad_until: None,
            path: vec![],
        };
        assert!(matches!(
            decide(&[past], &[], &target, today),
            ExemptionStatus::Expired { .. }
        ));
        let no_reason = AnnotationExemption {
            rules: vec!["a".into()],
            reason: None,
            until: None,
            bad_until: None,
            path: vec![],
        };
        assert_eq!(
            decide(&[no_reason], &[], &target, today),
            ExemptionStatus::None
        );
        let on_the_day = AnnotationExemption {
            rules: vec!["*".into()],
            reason: Some("r".into()),
            until: Some(today),
            bad_until: None,
            path: vec![],
        };
        assert!(matches!(
            decide(&[on_the_day], &[], &target, today),
            ExemptionStatus::Exempted { .. }
        ));
    }
}
