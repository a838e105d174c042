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

/// Tests written against mutants that survived `scripts/mutants.sh --file src/exempt.rs` (or
/// would have): each names the change it catches.
#[cfg(test)]
mod mutants_tests {
    use super::*;
    use serde_json::json;

    /// Catches any change to the civil-from-days arithmetic (a `+` for a `-`, a divisor off by
    /// one) and to the leap-year rule: every day from 1970 to 2400, counted one at a time with
    /// `days_in_month`, must be what `from_days_since_epoch` computes, and print as a date that
    /// parses back to itself.
    #[test]
    fn every_day_from_1970_to_2400_counts_like_a_calendar() {
        let mut expected = Date {
            year: 1970,
            month: 1,
            day: 1,
        };
        let mut days = 0i64;
        while expected.year < 2401 {
            let computed = Date::from_days_since_epoch(days);
            assert_eq!(computed, expected, "day {days}");
            assert_eq!(Date::parse(&computed.to_string()), Some(computed));
            days += 1;
            expected.day += 1;
            if expected.day > days_in_month(expected.year, expected.month) {
                expected.day = 1;
                expected.month += 1;
                if expected.month > 12 {
                    expected.month = 1;
                    expected.year += 1;
                }
            }
        }
        // 1970 to 2400 inclusive: 431 years, 105 of them leap years (2100, 2200 and 2300 are
        // not; 2000 and 2400 are).
        assert_eq!(days, 431 * 365 + 105);
    }

    #[test]
    fn month_lengths() {
        let lengths: Vec<u32> = (1..=12).map(|m| days_in_month(2027, m)).collect();
        assert_eq!(lengths, [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]);
        assert_eq!(days_in_month(2028, 2), 29);
        assert_eq!(days_in_month(2000, 2), 29);
        assert_eq!(days_in_month(1900, 2), 28);
    }

    /// `today` divides seconds by 86 400: `%` or `*` there would put today in 1970 or far
    /// away.
    #[test]
    fn today_is_a_plausible_date() {
        let today = Date::today();
        assert!((2025..2200).contains(&today.year), "today is not {today}");
    }

    #[test]
    fn dates_are_trimmed_and_checked_digit_by_digit() {
        assert_eq!(
            Date::parse(" 2030-01-31\n"),
            Some(Date {
                year: 2030,
                month: 1,
                day: 31
            })
        );
        for bad in [
            "2030-01-3x",
            "2030x01-31",
            "2030-01x31",
            "203a-01-31",
            "2030-0a-31",
        ] {
            assert_eq!(Date::parse(bad), None, "{bad}");
        }
        assert_eq!(Date::parse("2030-12-31").map(|d| d.month), Some(12));
        assert_eq!(Date::parse("2030-12-01").map(|d| d.day), Some(1));
    }

    #[test]
    fn dates_order_by_year_then_month_then_day() {
        let d = |s: &str| Date::parse(s).expect("date");
        assert!(d("2029-12-31") < d("2030-01-01"));
        assert!(d("2030-01-31") < d("2030-02-01"));
        assert!(d("2030-02-01") < d("2030-02-02"));
    }

    #[test]
    fn only_an_exempted_status_has_a_reason() {
        let reason = || "why".to_string();
        assert_eq!(
            ExemptionStatus::Exempted { reason: reason() }.exempted_reason(),
            Some("why")
        );
        let until = Date::parse("2020-01-01").expect("date");
        assert_eq!(
            ExemptionStatus::Expired {
                reason: reason(),
                until
            }
            .exempted_reason(),
            None
        );
        assert_eq!(ExemptionStatus::None.exempted_reason(), None);
    }

    fn annotation(rules: &[&str], problems: usize) -> AnnotationExemption {
        AnnotationExemption {
            rules: rules.iter().map(|r| r.to_string()).collect(),
            reason: Some("r".into()),
            until: None,
            problems: (0..problems)
                .map(|_| AnnotationProblem {
                    path: vec![],
                    message: "bad".into(),
                })
                .collect(),
        }
    }

    #[test]
    fn an_annotation_covers_only_the_rules_it_names_and_only_when_well_formed() {
        assert!(annotation(&["a", "b"], 0).covers("b"));
        assert!(!annotation(&["a", "b"], 0).covers("c"));
        assert!(annotation(&["*"], 0).covers("c"));
        assert!(!annotation(&["a"], 1).covers("a"));
        assert!(!annotation(&["*"], 1).covers("a"));
    }

    fn read(annotations: serde_json::Value) -> Option<AnnotationExemption> {
        let meta = crate::object::from_json(&json!({ "annotations": annotations }));
        annotation_exemption(
            Some(&meta),
            &["spec".into(), "template".into(), "metadata".into()],
            &|id| id == "known" || id == "other",
        )
    }

    #[test]
    fn no_exempt_annotation_is_no_exemption() {
        assert_eq!(read(json!({REASON_ANNOTATION: "r"})), None);
        assert_eq!(annotation_exemption(None, &[], &|_| true), None);
    }

    /// The messages and paths of each problem, exactly: the rule list in "the exemption of
    /// ...", the annotation each one is at, and nothing reported for a good exemption.
    #[test]
    fn problems_say_what_is_wrong_where() {
        let exempt_path = [
            "spec",
            "template",
            "metadata",
            "annotations",
            EXEMPT_ANNOTATION,
        ];
        let until_path = [
            "spec",
            "template",
            "metadata",
            "annotations",
            UNTIL_ANNOTATION,
        ];

        let good = read(json!({EXEMPT_ANNOTATION: " known , other ", REASON_ANNOTATION: " legacy ", UNTIL_ANNOTATION: "2030-01-31"})).expect("present");
        assert_eq!(good.rules, ["known", "other"]);
        assert_eq!(good.reason.as_deref(), Some("legacy"));
        assert_eq!(good.until, Date::parse("2030-01-31"));
        assert_eq!(good.problems, []);

        let unknown = read(json!({EXEMPT_ANNOTATION: "known,nope", REASON_ANNOTATION: "r"}))
            .expect("present");
        assert_eq!(
            unknown.problems,
            [AnnotationProblem {
                path: exempt_path.iter().map(|s| s.to_string()).collect(),
                message: format!(
                    "`{EXEMPT_ANNOTATION}` names rule `nope`, which the pack does not have; the exemption of known, nope is not applied"
                ),
            }]
        );

        let star = read(json!({EXEMPT_ANNOTATION: "*", REASON_ANNOTATION: "r"})).expect("present");
        assert_eq!(star.problems, [], "`*` is not an unknown rule");

        let empty = read(json!({EXEMPT_ANNOTATION: ",", REASON_ANNOTATION: "r"})).expect("present");
        assert_eq!(empty.rules, Vec::<String>::new());
        assert_eq!(empty.problems.len(), 1);
        assert_eq!(
            empty.problems[0].message,
            format!(
                "`{EXEMPT_ANNOTATION}` names no rule (a comma-separated list of rule ids, or \"*\"); nothing is exempted"
            )
        );

        let blank_reason =
            read(json!({EXEMPT_ANNOTATION: "known", REASON_ANNOTATION: "  "})).expect("present");
        assert_eq!(blank_reason.reason, None);
        assert_eq!(
            blank_reason.problems[0].message,
            format!(
                "the exemption of known is not applied: it needs a `{REASON_ANNOTATION}` annotation saying why"
            )
        );
        let nothing = read(json!({EXEMPT_ANNOTATION: ""})).expect("present");
        assert_eq!(
            nothing.problems[1].message,
            format!(
                "the exemption is not applied: it needs a `{REASON_ANNOTATION}` annotation saying why"
            )
        );

        let bad_until = read(
            json!({EXEMPT_ANNOTATION: "known", REASON_ANNOTATION: "r", UNTIL_ANNOTATION: 20300131}),
        )
        .expect("present");
        assert_eq!(bad_until.until, None);
        assert_eq!(
            bad_until.problems,
            [AnnotationProblem {
                path: until_path.iter().map(|s| s.to_string()).collect(),
                message: format!(
                    "`{UNTIL_ANNOTATION}: ` is not a YYYY-MM-DD date that exists; the exemption of known is not applied"
                ),
            }]
        );
    }

    fn config(rules: &[&str]) -> ConfigExemption {
        ConfigExemption {
            rules: rules.iter().map(|r| r.to_string()).collect(),
            kind: None,
            namespace: None,
            name: None,
            container: None,
            reason: "vendor chart".into(),
            until: None,
        }
    }

    const TARGET: Target<'static> = Target {
        rule: "a",
        kind: "DaemonSet",
        namespace: Some("monitoring"),
        name: "node-exporter",
        container: Some("exporter"),
    };

    /// Each coordinate must match on its own (an `&&` turned into `||` lets one matching field
    /// exempt every object), `*` and a trailing `*` are wildcards, and an unset field matches.
    #[test]
    fn config_exemptions_match_every_coordinate() {
        let matches = |e: &ConfigExemption| config_exemption_matches(e, &TARGET);
        assert!(matches(&config(&["a"])));
        assert!(matches(&config(&["*"])));
        assert!(!matches(&config(&["b"])));

        let with = |f: &dyn Fn(&mut ConfigExemption)| {
            let mut e = config(&["a"]);
            f(&mut e);
            matches(&e)
        };
        assert!(with(&|e| e.kind = Some("DaemonSet".into())));
        assert!(!with(&|e| e.kind = Some("Deployment".into())));
        assert!(with(&|e| e.namespace = Some("monitor*".into())));
        assert!(!with(&|e| e.namespace = Some("kube-*".into())));
        assert!(!with(&|e| e.namespace = Some("monitoring-2".into())));
        assert!(with(&|e| e.name = Some("*".into())));
        assert!(!with(&|e| e.name = Some("node".into())));
        assert!(with(&|e| e.container = Some("exporter".into())));
        assert!(!with(&|e| e.container = Some("sidecar".into())));

        // A pattern never matches a coordinate the object does not have.
        let pod_level = Target {
            container: None,
            namespace: None,
            ..TARGET
        };
        let mut e = config(&["a"]);
        e.container = Some("exp*".into());
        assert!(!config_exemption_matches(&e, &pod_level));
        e.container = None;
        e.namespace = Some("monitoring".into());
        assert!(!config_exemption_matches(&e, &pod_level));
        e.namespace = Some("*".into());
        assert!(config_exemption_matches(&e, &pod_level));
    }

    /// The first applicable exemption that is still valid wins, annotations before the config;
    /// an expired one is reported only when nothing valid applies, and then the first expired.
    #[test]
    fn decide_prefers_a_valid_exemption_and_reports_the_first_expired() {
        let today = Date::parse("2026-06-01").expect("date");
        let with_until = |reason: &str, until: &str| AnnotationExemption {
            rules: vec!["a".into()],
            reason: Some(reason.into()),
            until: Date::parse(until),
            problems: vec![],
        };
        let expired_config = |reason: &str| ConfigExemption {
            reason: reason.into(),
            until: Some("2026-05-01".into()),
            ..config(&["a"])
        };

        assert_eq!(decide(&[], &[], &TARGET, today), ExemptionStatus::None);
        assert_eq!(
            decide(
                &[
                    with_until("old", "2026-05-31"),
                    with_until("new", "2026-06-02")
                ],
                &[],
                &TARGET,
                today
            ),
            ExemptionStatus::Exempted {
                reason: "new".into()
            }
        );
        assert_eq!(
            decide(
                &[with_until("first", "2026-05-31")],
                &[expired_config("second"), config(&["a"])],
                &TARGET,
                today
            ),
            ExemptionStatus::Exempted {
                reason: "vendor chart".into()
            }
        );
        assert_eq!(
            decide(
                &[with_until("first", "2026-05-31")],
                &[expired_config("second")],
                &TARGET,
                today
            ),
            ExemptionStatus::Expired {
                reason: "first".into(),
                until: Date::parse("2026-05-31").expect("date")
            }
        );
        assert_eq!(
            decide(&[], &[expired_config("cfg")], &TARGET, today),
            ExemptionStatus::Expired {
                reason: "cfg".into(),
                until: Date::parse("2026-05-01").expect("date")
            }
        );
        // An annotation for another rule, or a config exemption for another kind, is no help.
        let mut other_kind = config(&["a"]);
        other_kind.kind = Some("Deployment".into());
        assert_eq!(
            decide(&[annotation(&["b"], 0)], &[other_kind], &TARGET, today),
            ExemptionStatus::None
        );
        // An annotation is applied with its own reason, not the config's.
        assert_eq!(
            decide(&[annotation(&["a"], 0)], &[config(&["a"])], &TARGET, today),
            ExemptionStatus::Exempted { reason: "r".into() }
        );
    }
}
