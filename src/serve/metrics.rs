//! Prometheus metrics of the webhook, served as text on the plain metrics port.
//!
//! Label values are bounded: operation (4 values), kind (only the kinds the webhook
//! configuration sends), verdict (a fixed set) and rule ids (the pack's).

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::{Registry, Unit};

/// What the webhook answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Evaluated, nothing to report.
    Allowed,
    /// Evaluated, admitted, with warnings.
    Warned,
    Denied,
    /// Not evaluated (DELETE, CONNECT).
    Skipped,
    /// Evaluation failed or timed out: answered with HTTP 500, the failurePolicy decides.
    Error,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Allowed => "allowed",
            Self::Warned => "warned",
            Self::Denied => "denied",
            Self::Skipped => "skipped",
            Self::Error => "error",
        }
    }
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReviewLabels {
    operation: String,
    kind: String,
    verdict: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RuleLabels {
    rule: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ResultLabels {
    result: String,
}

pub struct Metrics {
    registry: Registry,
    reviews: Family<ReviewLabels, Counter>,
    denials: Family<RuleLabels, Counter>,
    duration: Histogram,
    cert_expiry: Gauge,
    cert_reloads: Family<ResultLabels, Counter>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::default();
        let reviews = Family::<ReviewLabels, Counter>::default();
        registry.register(
            "k8sc_admission_reviews",
            "AdmissionReviews answered, by operation, kind and verdict",
            reviews.clone(),
        );
        let denials = Family::<RuleLabels, Counter>::default();
        registry.register(
            "k8sc_admission_denials",
            "Denied AdmissionReviews, once per rule that denied",
            denials.clone(),
        );
        // From 0.25 ms: a review typically takes about a millisecond; the API server gives
        // up at the webhook timeout (at most 5 s here).
        let duration = Histogram::new([
            0.00025, 0.0005, 0.001, 0.002, 0.003, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0,
            2.5, 5.0,
        ]);
        registry.register_with_unit(
            "k8sc_admission_review_duration",
            "Time from request body received to response ready",
            Unit::Seconds,
            duration.clone(),
        );
        let cert_expiry = Gauge::default();
        registry.register(
            "k8sc_certificate_expiry_timestamp_seconds",
            "notAfter of the serving certificate in use, as a Unix timestamp",
            cert_expiry.clone(),
        );
        let cert_reloads = Family::<ResultLabels, Counter>::default();
        registry.register(
            "k8sc_certificate_reloads",
            "Serving certificate changes seen on disk, by result (loaded or rejected)",
            cert_reloads.clone(),
        );
        Self {
            registry,
            reviews,
            denials,
            duration,
            cert_expiry,
            cert_reloads,
        }
    }

    pub fn review(&self, operation: &str, kind: &str, verdict: Verdict, seconds: f64) {
        self.reviews
            .get_or_create(&ReviewLabels {
                operation: operation.to_string(),
                kind: kind.to_string(),
                verdict: verdict.as_str().to_string(),
            })
            .inc();
        self.duration.observe(seconds);
    }

    pub fn denied_by(&self, rule: &str) {
        self.denials
            .get_or_create(&RuleLabels {
                rule: rule.to_string(),
            })
            .inc();
    }

    pub fn certificate_loaded(&self, not_after_unix: i64) {
        self.cert_expiry.set(not_after_unix);
    }

    pub fn certificate_reload(&self, ok: bool) {
        self.cert_reloads
            .get_or_create(&ResultLabels {
                result: if ok { "loaded" } else { "rejected" }.to_string(),
            })
            .inc();
    }

    /// The OpenMetrics text exposition (Prometheus scrapes it natively).
    pub fn encode(&self) -> String {
        let mut text = String::new();
        // Writing into a String cannot fail; an error would only mean a bug in the encoder.
        if prometheus_client::encoding::text::encode(&mut text, &self.registry).is_err() {
            text.clear();
        }
        text
    }
}

pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exposes_the_documented_names() {
        let m = Metrics::new();
        m.review("CREATE", "Deployment", Verdict::Denied, 0.002);
        m.denied_by("run-as-non-root");
        m.certificate_loaded(1_900_000_000);
        let text = m.encode();
        assert!(text.contains(
            "k8sc_admission_reviews_total{operation=\"CREATE\",kind=\"Deployment\",verdict=\"denied\"} 1"
        ));
        assert!(text.contains("k8sc_admission_denials_total{rule=\"run-as-non-root\"} 1"));
        assert!(text.contains("k8sc_admission_review_duration_seconds_bucket{le=\"0.003\"} 1"));
        assert!(text.contains("k8sc_certificate_expiry_timestamp_seconds 1900000000"));
    }
}
