//! Findings: violations located in their source, the unit every reporter renders.

use std::sync::Arc;

use serde::Serialize;

use crate::core::Violation;
use crate::exempt::ExemptionStatus;
use crate::load::{InputError, Resource, SourceFile};
use crate::path::FieldPath;
use crate::policy::Severity;

#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ResourceRef {
    #[serde(rename = "apiVersion")]
    pub api_version: String,
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
}

impl ResourceRef {
    pub fn of(resource: &Resource) -> Self {
        Self {
            api_version: resource.api_version().to_string(),
            kind: resource.kind().to_string(),
            namespace: resource.namespace().map(str::to_string),
            name: resource.name().to_string(),
        }
    }

    /// `Deployment default/web`, or `ClusterRole admin` without a namespace.
    pub fn display(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{} {ns}/{}", self.kind, self.name),
            None => format!("{} {}", self.kind, self.name),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Finding {
    pub rule: String,
    pub severity: Severity,
    pub message: String,
    /// Full path from the document root (List items included).
    pub path: FieldPath,
    pub file: Arc<SourceFile>,
    /// Which document of the file (0-based), to find the object again (`--fix`).
    pub document: usize,
    pub line: u32,
    pub column: u32,
    /// Byte span in the source of what the label should underline.
    pub span: (usize, usize),
    /// False when the field is absent and the location is its nearest present ancestor.
    pub exact: bool,
    pub resource: ResourceRef,
    pub helm_source: Option<String>,
    pub exemption: ExemptionStatus,
    pub sensitive: bool,
    /// Byte ranges of scalar values that must not be shown (secret material).
    pub redact: Vec<(usize, usize)>,
    /// Advice computed for this object by the rule; `None`: the rule's remediation applies.
    pub help: Option<String>,
    /// The rule's fix, its paths from the document's root.
    pub fix: Vec<crate::fix::PatchOp>,
}

impl Finding {
    pub fn exempted(&self) -> bool {
        matches!(self.exemption, ExemptionStatus::Exempted { .. })
    }

    pub fn exemption_reason(&self) -> Option<&str> {
        self.exemption.exempted_reason()
    }

    /// Places a violation of `resource` in its source.
    pub fn locate(resource: &Resource, violation: Violation) -> Self {
        let path = resource.absolute(&violation.path);
        let resolved = resource.positions.resolve(&path);
        let loc = resolved.loc();
        let node = resolved.node;
        // Underline the key (or the value of a sequence item), not the whole subtree.
        let span = match node.key {
            Some(key) => (
                key.offset,
                key.offset + key_len(&resource.file.text, key.offset),
            ),
            None => {
                // A mapping or sequence value: underline only its first line.
                let text = &resource.file.text;
                let start = node.start.offset.min(text.len());
                let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
                (start, node.end.clamp(start, line_end.max(start + 1)))
            }
        };
        let mut redact = Vec::new();
        if violation.sensitive {
            node.scalar_ranges(&mut redact);
        }
        Self {
            rule: violation.rule,
            severity: violation.severity,
            message: violation.message,
            path,
            file: resource.file.clone(),
            document: resource.document_index,
            line: loc.line,
            column: loc.col,
            span,
            exact: resolved.exact,
            resource: ResourceRef::of(resource),
            helm_source: resource.helm_source.clone(),
            exemption: violation.exemption,
            sensitive: violation.sensitive,
            redact,
            help: violation.help,
            fix: violation
                .fix
                .into_iter()
                .map(|op| crate::fix::PatchOp {
                    path: resource.absolute(&op.path),
                    ..op
                })
                .collect(),
        }
    }
}

/// Length of the mapping key starting at `offset` (up to the `:`), for the label.
fn key_len(text: &str, offset: usize) -> usize {
    let rest = text.get(offset..).unwrap_or_default();
    let line = rest.split('\n').next().unwrap_or_default();
    let quoted = line.starts_with('"') || line.starts_with('\'');
    if quoted {
        let quote = &line[..1];
        return line[1..].find(quote).map_or(line.len(), |i| i + 2);
    }
    line.find(':').unwrap_or(line.len()).max(1)
}

#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Summary {
    pub files: usize,
    pub documents: usize,
    pub resources: usize,
    /// Error-severity findings that are not exempted.
    pub errors: usize,
    /// Warning-severity findings that are not exempted.
    pub warnings: usize,
    pub exempted: usize,
    /// Findings (not exempted) that carry a fix.
    pub fixable: usize,
    /// The configuration file in force, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config: Option<String>,
}

/// Everything a lint run produced.
#[derive(Debug, Default)]
pub struct LintReport {
    pub findings: Vec<Finding>,
    pub errors: Vec<InputError>,
    pub summary: Summary,
    pub sources: Vec<Arc<SourceFile>>,
    /// Every resource linted, with its file (JUnit reports clean resources too).
    pub resources: Vec<(String, ResourceRef)>,
    /// Byte ranges per file name that no snippet may show: values of sensitive findings and
    /// every value of a Secret's `data`/`stringData`.
    pub redactions: std::collections::BTreeMap<String, Vec<(usize, usize)>>,
    /// The linted resources themselves (values and position trees), held so that the owner of
    /// the report decides when they are freed: `lint` exits without freeing them at all (one by
    /// one, 10,000 objects took a core ~20 ms while the report was written).
    pub linted: Vec<Resource>,
}

impl LintReport {
    pub fn count(&mut self) {
        self.summary.errors = self
            .findings
            .iter()
            .filter(|f| !f.exempted() && f.severity == Severity::Error)
            .count();
        self.summary.warnings = self
            .findings
            .iter()
            .filter(|f| !f.exempted() && f.severity == Severity::Warning)
            .count();
        self.summary.exempted = self.findings.iter().filter(|f| f.exempted()).count();
        self.summary.fixable = self
            .findings
            .iter()
            .filter(|f| !f.exempted() && !f.fix.is_empty())
            .count();
    }

    /// Whether any non-exempted finding is at or above `threshold`.
    pub fn fails_at(&self, threshold: Option<Severity>) -> bool {
        threshold.is_some_and(|t| {
            self.findings
                .iter()
                .any(|f| !f.exempted() && f.severity >= t)
        })
    }

    pub fn redactions_for(&self, file: &SourceFile) -> &[(usize, usize)] {
        self.redactions.get(&file.name).map_or(&[], Vec::as_slice)
    }
}
