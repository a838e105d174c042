//! AdmissionReview in, verdict out. Pure functions, no I/O: the envelope is kube's typed
//! `AdmissionReview`, the object stays the `serde_json::Value` the API server sent (the
//! evaluation core takes JSON, so no typed round trip), and the verdict is built from the
//! core's violations without any rule logic of its own.

use std::collections::{BTreeMap, HashMap};

use kube_core::DynamicObject;
use kube_core::admission::{AdmissionRequest, AdmissionResponse, AdmissionReview, Operation};
use kube_core::response::Status;
use serde_json::Value;

use crate::core::Violation;
use crate::exempt::{EXEMPT_ANNOTATION, REASON_ANNOTATION};
use crate::policy::Severity;

/// Kubernetes asks webhooks to keep each warning under 120 characters (longer ones may be
/// truncated by clients), and many warnings are cut too.
pub const MAX_WARNING_CHARS: usize = 120;
pub const MAX_WARNINGS: usize = 20;
/// Violations listed in a denial message; the rest are counted.
pub const MAX_LISTED_VIOLATIONS: usize = 30;

/// Why a request body is not a usable AdmissionReview (answered with HTTP 400). The texts
/// never quote the body: it may hold Secret data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadReview {
    #[error("the request body is not JSON ({0})")]
    NotJson(String),
    #[error("the body is not an AdmissionReview: {0}")]
    NotAReview(String),
    #[error("the AdmissionReview has no `request`")]
    NoRequest,
    #[error("the AdmissionReview's request is malformed: {0}")]
    BadRequest(String),
    #[error("the {0} request carries no `object`")]
    NoObject(String),
}

/// A parsed review: the typed request (without its objects) and the object to evaluate.
pub struct Review {
    pub request: AdmissionRequest<DynamicObject>,
    /// `request.object` for CREATE and UPDATE; `None` for operations not evaluated.
    pub object: Option<Value>,
}

impl Review {
    pub fn operation(&self) -> &'static str {
        operation_name(&self.request.operation)
    }

    pub fn kind(&self) -> &str {
        &self.request.kind.kind
    }

    pub fn namespace(&self) -> Option<&str> {
        self.request.namespace.as_deref().filter(|n| !n.is_empty())
    }

    /// The object's name; `generateName` prefix (with `*`) when the name is not chosen yet.
    pub fn name(&self) -> String {
        if !self.request.name.is_empty() {
            return self.request.name.clone();
        }
        let meta = self.object.as_ref().and_then(|o| o.get("metadata"));
        if let Some(name) = meta.and_then(|m| m.get("name")).and_then(Value::as_str) {
            return name.to_string();
        }
        match meta
            .and_then(|m| m.get("generateName"))
            .and_then(Value::as_str)
        {
            Some(prefix) => format!("{prefix}*"),
            None => String::new(),
        }
    }
}

pub fn operation_name(op: &Operation) -> &'static str {
    match op {
        Operation::Create => "CREATE",
        Operation::Update => "UPDATE",
        Operation::Delete => "DELETE",
        Operation::Connect => "CONNECT",
    }
}

/// The part of a serde error that is safe to show: its category and position, or which field
/// is missing. serde's "invalid type: string \"…\"" messages quote input, so they are not shown.
fn safe_serde_error(e: &serde_json::Error) -> String {
    let text = e.to_string();
    if text.starts_with("missing field") {
        return text;
    }
    let what = match e.classify() {
        serde_json::error::Category::Syntax => "syntax error",
        serde_json::error::Category::Eof => "unexpected end of input",
        serde_json::error::Category::Data => "a field has the wrong type",
        serde_json::error::Category::Io => "read error",
    };
    if e.line() > 0 {
        format!("{what} at line {}, column {}", e.line(), e.column())
    } else {
        what.to_string()
    }
}

/// Parses a request body.
pub fn parse(body: &[u8]) -> Result<Review, BadReview> {
    let mut json: Value =
        serde_json::from_slice(body).map_err(|e| BadReview::NotJson(safe_serde_error(&e)))?;
    let Some(envelope) = json.as_object_mut() else {
        return Err(BadReview::NotAReview("expected a JSON object".into()));
    };
    let kind = envelope
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let api_version = envelope
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if kind != "AdmissionReview"
        || !matches!(
            api_version,
            "admission.k8s.io/v1" | "admission.k8s.io/v1beta1"
        )
    {
        return Err(BadReview::NotAReview(
            "expected apiVersion admission.k8s.io/v1 and kind AdmissionReview".into(),
        ));
    }
    let request = match envelope.get_mut("request") {
        Some(Value::Object(request)) => request,
        None | Some(Value::Null) => return Err(BadReview::NoRequest),
        Some(_) => return Err(BadReview::BadRequest("`request` is not an object".into())),
    };
    // The objects stay JSON: the typed envelope gets nulls in their place (oldObject is not
    // needed at all: UPDATE is judged on the object as it would be stored).
    let object = request
        .insert("object".into(), Value::Null)
        .filter(|o| !o.is_null());
    request.insert("oldObject".into(), Value::Null);
    let review: AdmissionReview<DynamicObject> =
        serde_json::from_value(json).map_err(|e| BadReview::BadRequest(safe_serde_error(&e)))?;
    let request: AdmissionRequest<DynamicObject> =
        review.try_into().map_err(|_| BadReview::NoRequest)?;
    let evaluated = matches!(request.operation, Operation::Create | Operation::Update);
    if evaluated && object.is_none() {
        return Err(BadReview::NoObject(
            operation_name(&request.operation).to_string(),
        ));
    }
    Ok(Review {
        object: if evaluated { object } else { None },
        request,
    })
}

/// The violations of one object, sorted into what admission does with them.
#[derive(Debug, Default)]
pub struct Outcome<'a> {
    pub denying: Vec<&'a Violation>,
    pub warning: Vec<&'a Violation>,
    pub exempted: Vec<&'a Violation>,
}

pub fn classify(violations: &[Violation]) -> Outcome<'_> {
    let mut outcome = Outcome::default();
    for v in violations {
        if v.is_exempted() {
            outcome.exempted.push(v);
        } else if v.severity == Severity::Error {
            outcome.denying.push(v);
        } else {
            outcome.warning.push(v);
        }
    }
    outcome
}

/// One line per violation (rule, field path, message), then the fix of each rule once (the
/// advice its first violation computed, else the rule's remediation), then
/// how to exempt. The API server prefixes it with `admission webhook "<name>" denied the request: `.
pub fn denial_message(
    kind: &str,
    name: &str,
    denying: &[&Violation],
    remediation: &HashMap<String, String>,
) -> String {
    let mut message = format!(
        "{kind} {name} breaks {} rule{} of the constitution:",
        denying.len(),
        if denying.len() == 1 { "" } else { "s" }
    );
    for v in denying.iter().take(MAX_LISTED_VIOLATIONS) {
        message.push_str(&format!("\n- [{}] {}: {}", v.rule, path_text(v), v.message));
    }
    if denying.len() > MAX_LISTED_VIOLATIONS {
        message.push_str(&format!(
            "\n- ... and {} more (run `k8s-constitution lint` on the manifest for all of them)",
            denying.len() - MAX_LISTED_VIOLATIONS
        ));
    }
    let mut fixes: BTreeMap<&str, &str> = BTreeMap::new();
    for v in denying {
        // The rule's advice for this object when it computes one, else its remediation.
        if let Some(fix) = v
            .help
            .as_deref()
            .or(remediation.get(&v.rule).map(String::as_str))
        {
            fixes.entry(&v.rule).or_insert(fix);
        }
    }
    if !fixes.is_empty() {
        message.push_str("\nHow to fix:");
        for (rule, fix) in fixes {
            message.push_str(&format!("\n- [{rule}] {fix}"));
        }
    }
    let fixable = denying.iter().filter(|v| !v.fix.is_empty()).count();
    if fixable > 0 {
        message.push_str(&format!(
            "\n`k8s-constitution lint --fix` on the manifest fixes {fixable} of them."
        ));
    }
    message.push_str(&format!(
        "\nTo accept a finding knowingly, annotate the object (or its pod template) with {EXEMPT_ANNOTATION}: <rule> and {REASON_ANNOTATION}: <why>."
    ));
    message
}

fn path_text(v: &Violation) -> String {
    let path = v.path.to_string();
    if path.is_empty() {
        "(object)".into()
    } else {
        path
    }
}

/// `[rule] path: message`, cut to what clients display in full.
pub fn warning_text(v: &Violation) -> String {
    truncate(
        &format!("[{}] {}: {}", v.rule, path_text(v), v.message),
        MAX_WARNING_CHARS,
    )
}

pub fn warnings(list: &[&Violation]) -> Vec<String> {
    let mut out: Vec<String> = list
        .iter()
        .take(MAX_WARNINGS)
        .map(|v| warning_text(v))
        .collect();
    if list.len() > MAX_WARNINGS {
        out.push(format!(
            "... and {} more warnings (run `k8s-constitution lint` for all)",
            list.len() - MAX_WARNINGS
        ));
    }
    out
}

fn truncate(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max_chars - 1).collect();
    out.push('…');
    out
}

/// The response review for `request`: allowed or denied, with warnings.
pub fn respond(
    request: &AdmissionRequest<DynamicObject>,
    denial: Option<String>,
    warnings: Vec<String>,
) -> AdmissionReview<DynamicObject> {
    let mut response = AdmissionResponse::from(request);
    if let Some(message) = denial {
        response.allowed = false;
        // 403 is what the API server reports for a webhook denial anyway; being explicit
        // keeps clients from seeing a bare failure without a code.
        response.result = Status::failure(&message, "Forbidden").with_code(403);
    }
    if !warnings.is_empty() {
        response.warnings = Some(warnings);
    }
    response.into_review()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exempt::ExemptionStatus;
    use crate::path::FieldPath;
    use serde_json::json;

    fn review(op: &str, object: Value) -> Vec<u8> {
        serde_json::to_vec(&json!({
            "apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
            "request": {
                "uid": "u-1", "kind": {"group": "", "version": "v1", "kind": "Pod"},
                "resource": {"group": "", "version": "v1", "resource": "pods"},
                "namespace": "team", "operation": op, "userInfo": {"username": "me"},
                "object": object, "dryRun": true
            }
        }))
        .unwrap_or_default()
    }

    fn violation(rule: &str, severity: Severity, exempted: bool) -> Violation {
        Violation {
            rule: rule.into(),
            severity,
            message: format!("{rule} happened"),
            path: FieldPath::from_json(&json!(["spec", "containers", 0, "image"])),
            exemption: if exempted {
                ExemptionStatus::Exempted { reason: "r".into() }
            } else {
                ExemptionStatus::None
            },
            sensitive: false,
            help: None,
            fix: Vec::new(),
        }
    }

    #[test]
    fn parses_the_envelope_and_keeps_the_object_as_json() {
        let r = parse(&review(
            "CREATE",
            json!({"kind": "Pod", "metadata": {"generateName": "web-"}}),
        ))
        .expect("valid");
        assert_eq!(r.request.uid, "u-1");
        assert_eq!(r.operation(), "CREATE");
        assert_eq!(r.namespace(), Some("team"));
        assert_eq!(r.name(), "web-*");
        assert!(r.request.dry_run);
        assert_eq!(
            r.object.as_ref().and_then(|o| o.get("kind")),
            Some(&json!("Pod"))
        );
        let d = parse(&review("DELETE", Value::Null)).expect("valid");
        assert!(d.object.is_none());
    }

    #[test]
    fn rejects_what_is_not_a_review_without_quoting_it() {
        assert!(matches!(
            parse(b"{\"secret\": \"hunter2\""),
            Err(BadReview::NotJson(_))
        ));
        let e = parse(br#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}"#);
        assert_eq!(e.err(), Some(BadReview::NoRequest));
        let e = parse(br#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"hunter2-is-not-a-uid","kind":7}}"#)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(!e.contains("hunter2"), "{e}");
        assert!(matches!(
            parse(&review("CREATE", Value::Null)),
            Err(BadReview::NoObject(_))
        ));
        assert!(matches!(parse(b"[1]"), Err(BadReview::NotAReview(_))));
    }

    #[test]
    fn sorts_violations_and_formats_the_denial() {
        let vs = vec![
            violation("a-rule", Severity::Error, false),
            violation("b-rule", Severity::Warning, false),
            violation("c-rule", Severity::Error, true),
        ];
        let o = classify(&vs);
        assert_eq!(
            (o.denying.len(), o.warning.len(), o.exempted.len()),
            (1, 1, 1)
        );
        let fixes = HashMap::from([("a-rule".to_string(), "do the thing".to_string())]);
        let m = denial_message("Pod", "team/web", &o.denying, &fixes);
        assert!(
            m.contains("- [a-rule] spec.containers[0].image: a-rule happened"),
            "{m}"
        );
        assert!(m.contains("- [a-rule] do the thing"), "{m}");
        assert!(!m.contains("--fix"), "no fixable violation, no hint: {m}");
        let mut fixable = violation("a-rule", Severity::Error, false);
        fixable.fix = crate::fix::parse(
            "a-rule",
            &json!([{"op": "replace", "path": ["spec", "hostPID"], "value": false}]),
        )
        .unwrap_or_default();
        let m = denial_message("Pod", "team/web", &[&fixable, o.denying[0]], &fixes);
        assert!(
            m.contains("`k8s-constitution lint --fix` on the manifest fixes 1 of them."),
            "{m}"
        );
        assert_eq!(
            warning_text(o.warning[0]),
            "[b-rule] spec.containers[0].image: b-rule happened"
        );
    }

    #[test]
    fn warnings_are_short_and_bounded() {
        let mut long = violation("x", Severity::Warning, false);
        long.message = "é".repeat(300);
        assert_eq!(warning_text(&long).chars().count(), MAX_WARNING_CHARS);
        let many: Vec<Violation> = (0..30)
            .map(|_| violation("x", Severity::Warning, false))
            .collect();
        let refs: Vec<&Violation> = many.iter().collect();
        assert_eq!(warnings(&refs).len(), MAX_WARNINGS + 1);
    }
}
