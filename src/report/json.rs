//! `--format json`: the stable machine-readable shape tools and tests depend on.
//!
//! Serialized straight from borrowed views of the report: building a `serde_json::Value` first
//! cost ~40 MB and ~60 ms for a report of 19k findings. The findings are rendered in chunks on
//! all cores and `lint` writes them straight to standard output: the whole report in a string
//! (11 MB for 19k findings) was written on one thread after all the others had finished,
//! growing by reallocation and faulting in its pages as it went.

use std::io;

use rayon::prelude::*;
use serde::{Serialize, Serializer};

use crate::findings::{Finding, LintReport, ResourceRef, Summary};
use crate::load::InputError;
use crate::path::FieldPath;
use crate::policy::Severity;

/// The report around its findings: serialized with an empty `findings` array, which
/// [`write`] fills with the findings rendered apart.
#[derive(Serialize)]
struct JsonFrame<'a> {
    findings: [(); 0],
    errors: &'a [InputError],
    summary: &'a Summary,
}

/// A field path written as its text, without building the string first.
struct PathText<'a>(&'a FieldPath);

impl Serialize for PathText<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self.0)
    }
}

/// One finding, fields in the documented order.
#[derive(Serialize)]
struct JsonFinding<'a> {
    rule: &'a str,
    severity: Severity,
    message: &'a str,
    file: &'a str,
    line: u32,
    column: u32,
    path: PathText<'a>,
    resource: &'a ResourceRef,
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<&'a str>,
    exempted: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    exemption_reason: Option<&'a str>,
    /// The rule's advice for this object, when it computes one.
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<&'a str>,
    /// JSON Patch (RFC 6902) operations on the document that fix it.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    fix: &'a [crate::fix::PatchOp],
}

impl<'a> JsonFinding<'a> {
    fn of(f: &'a Finding) -> Self {
        Self {
            rule: &f.rule,
            severity: f.severity,
            message: &f.message,
            file: &f.file.name,
            line: f.line,
            column: f.column,
            path: PathText(&f.path),
            resource: &f.resource,
            source: f.helm_source.as_deref(),
            exempted: f.exempted(),
            exemption_reason: f.exemption_reason(),
            help: f.help.as_deref(),
            fix: &f.fix,
        }
    }
}

pub fn render(report: &LintReport) -> String {
    let mut out = Vec::new();
    // Writing into a vector fails only if serialization does, which it cannot for these types.
    let _ = write(report, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// Writes the report to `out` as it is serialized (what `lint --format json` does with standard
/// output), ending with a line break. The findings are rendered on all cores, a few chunks at a
/// time, and written in order: on one thread, 19k findings were ~25 ms after every other core
/// had finished.
pub fn write(report: &LintReport, out: &mut (impl io::Write + ?Sized)) -> io::Result<()> {
    let frame = serde_json::to_vec_pretty(&JsonFrame {
        findings: [],
        errors: &report.errors,
        summary: &report.summary,
    })?;
    // serde_json writes the empty array as `[]` right after this opening; the findings go
    // between the brackets, each as serde_json would indent it there.
    const OPENING: &[u8] = b"{\n  \"findings\": [";
    let Some(rest) = frame.strip_prefix(OPENING) else {
        return Err(io::Error::other("unexpected JSON report layout"));
    };
    out.write_all(OPENING)?;
    let mut first = true;
    for window in report.findings.chunks(CHUNK * WINDOW_CHUNKS) {
        let rendered = window
            .par_chunks(CHUNK)
            .map(render_elements)
            .collect::<Result<Vec<_>, _>>()?;
        for elements in rendered {
            if !first {
                out.write_all(b",")?;
            }
            out.write_all(&elements)?;
            first = false;
        }
    }
    if !report.findings.is_empty() {
        out.write_all(b"\n  ")?;
    }
    out.write_all(rest)?;
    out.write_all(b"\n")
}

/// Findings rendered per task.
const CHUNK: usize = 256;
/// Chunks rendered before they are written: bounds the memory held (~1.3 MB) while keeping
/// every core busy.
const WINDOW_CHUNKS: usize = 8;

/// `findings` as elements of the report's `findings` array: each on a new line, indented four
/// spaces deeper than serde_json indents it alone, separated by commas. (JSON strings hold no
/// raw line breaks, so every line break is serde_json's own.)
fn render_elements(findings: &[Finding]) -> serde_json::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(findings.len() * 640);
    let mut element = Vec::with_capacity(1024);
    for (i, finding) in findings.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        element.clear();
        serde_json::to_writer_pretty(&mut element, &JsonFinding::of(finding))?;
        for line in element.split(|&b| b == b'\n') {
            out.extend_from_slice(b"\n    ");
            out.extend_from_slice(line);
        }
    }
    Ok(out)
}
