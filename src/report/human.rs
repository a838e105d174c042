//! The default report: miette's graphical diagnostics with the source snippet and a label on
//! the offending field, grouped by file, then a summary line. Secret values are masked in
//! every snippet before miette ever sees the text.

use std::collections::HashMap;
use std::sync::Arc;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError,
    MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};

use super::RenderOptions;
use crate::findings::{Finding, LintReport};
use crate::load::InputError;
use crate::policy::Severity;

#[derive(Debug)]
struct FindingDiagnostic {
    heading: String,
    code: String,
    severity: miette::Severity,
    help: Option<String>,
    label: LabeledSpan,
    source: Window,
}

impl std::fmt::Display for FindingDiagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.heading)
    }
}

impl std::error::Error for FindingDiagnostic {}

impl Diagnostic for FindingDiagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new(&self.code))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn std::fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(std::iter::once(self.label.clone())))
    }
}

fn handler(options: &RenderOptions<'_>) -> GraphicalReportHandler {
    let theme = if options.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    GraphicalReportHandler::new_themed(theme)
        .with_width(options.width)
        .with_context_lines(CONTEXT_LINES)
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// One file's masked text and where its lines start, computed once however many findings point
/// into it.
struct FileText {
    text: Arc<str>,
    /// Byte offset of every line start, line breaks counted as miette counts them (`\n`, `\r\n`
    /// and a lone `\r`).
    line_starts: Vec<usize>,
}

impl FileText {
    fn new(text: String) -> Self {
        let bytes = text.as_bytes();
        let mut line_starts = vec![0];
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\r' if bytes.get(i + 1) == Some(&b'\n') => {
                    i += 1;
                    line_starts.push(i + 1);
                }
                b'\r' | b'\n' => line_starts.push(i + 1),
                _ => {}
            }
            i += 1;
        }
        FileText {
            text: Arc::from(text),
            line_starts,
        }
    }

    /// The 0-based line holding byte `offset`.
    fn line_of(&self, offset: usize) -> usize {
        self.line_starts
            .partition_point(|&start| start <= offset)
            .saturating_sub(1)
    }

    /// The lines from `first` to `last` (0-based, inclusive), clamped to the file.
    fn lines(&self, first: usize, last: usize) -> (usize, usize) {
        let start = self.line_starts[first.min(self.line_starts.len() - 1)];
        let end = self
            .line_starts
            .get(last + 1)
            .copied()
            .unwrap_or(self.text.len());
        (start, end.max(start))
    }
}

/// Lines of context miette shows before and after the label.
const CONTEXT_LINES: usize = 2;

/// The part of a file one diagnostic shows: a few whole lines around its label, with the line
/// number of the first so that miette numbers them as in the whole file. miette's own
/// `SourceCode` for text counts lines from the start of the file on every call, which made the
/// report quadratic in the size of a file (a 2 MB stream: 83 s instead of under one).
#[derive(Debug)]
struct Window {
    name: String,
    text: Arc<str>,
    /// Byte range of the window in `text`; labels are relative to its start.
    start: usize,
    end: usize,
    /// 0-based line number of the window's first line.
    first_line: usize,
}

impl SourceCode for Window {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let window = &self.text[self.start..self.end];
        let contents = window.read_span(span, context_lines_before, context_lines_after)?;
        Ok(Box::new(
            MietteSpanContents::new_named(
                self.name.clone(),
                contents.data(),
                *contents.span(),
                contents.line() + self.first_line,
                contents.column(),
                contents.line_count() + self.first_line,
            )
            .with_language("yaml"),
        ))
    }
}

/// One masked copy of each file's text and its line index, made once however many findings
/// point into it.
struct Sources<'a> {
    report: &'a LintReport,
    cache: HashMap<String, Arc<FileText>>,
}

impl Sources<'_> {
    fn get(&mut self, finding: &Finding) -> Arc<FileText> {
        let report = self.report;
        self.cache
            .entry(finding.file.name.clone())
            .or_insert_with(|| {
                Arc::new(FileText::new(super::mask(
                    &finding.file.text,
                    report.redactions_for(&finding.file),
                )))
            })
            .clone()
    }
}

/// The window of `file` a label on bytes `start..start + len` is shown in, and the label's
/// offset within it. A few lines more than miette shows on each side, so that it finds every
/// context line it would have found in the whole file.
fn window(name: &str, file: &FileText, start: usize, len: usize) -> (Window, usize) {
    let text_len = file.text.len();
    if start > text_len {
        // Out of bounds: miette reports the error and the caller falls back to a plain line.
        return (
            Window {
                name: name.to_string(),
                text: file.text.clone(),
                start: 0,
                end: text_len,
                first_line: 0,
            },
            start,
        );
    }
    let margin = CONTEXT_LINES + 2;
    let first = file.line_of(start).saturating_sub(margin);
    let last = file.line_of(start + len) + margin;
    let (from, to) = file.lines(first, last);
    (
        Window {
            name: name.to_string(),
            text: file.text.clone(),
            start: from,
            end: to,
            first_line: first,
        },
        start - from,
    )
}

fn finding_diagnostic(
    f: &Finding,
    file: &FileText,
    options: &RenderOptions<'_>,
) -> FindingDiagnostic {
    let rule = options.rules.iter().find(|r| r.id == f.rule);
    let mut context = vec![format!("resource: {}", f.resource.display())];
    if let Some(source) = &f.helm_source {
        context.push(format!("template: {source}"));
    }
    if let Some(reason) = f.exemption_reason() {
        context.push(format!("exempted: {reason}"));
    }
    let help = rule
        .map(|r| format!("{}\n{}", r.remediation, context.join("\n")))
        .or_else(|| Some(context.join("\n")));
    let label_text = if f.exact {
        f.path.to_string()
    } else {
        format!("{} (missing here)", f.path)
    };
    let (start, end) = f.span;
    let len = end
        .saturating_sub(start)
        .min(file.text.len().saturating_sub(start));
    let (source, offset) = window(&f.file.name, file, start, len);
    FindingDiagnostic {
        heading: f.message.clone(),
        code: f.rule.clone(),
        severity: match (f.exempted(), f.severity) {
            (true, _) => miette::Severity::Advice,
            (false, Severity::Error) => miette::Severity::Error,
            (false, Severity::Warning) => miette::Severity::Warning,
        },
        help,
        label: LabeledSpan::new_primary_with_span(Some(label_text), (offset, len)),
        source,
    }
}

fn input_error_line(e: &InputError) -> String {
    format!("error: {e}\n")
}

pub fn render(report: &LintReport, options: &RenderOptions<'_>) -> String {
    if options.quiet {
        return summary(report);
    }
    let handler = handler(options);
    let mut sources = Sources {
        report,
        cache: HashMap::new(),
    };
    let mut out = String::new();
    let mut current_file: Option<&str> = None;
    for f in report
        .findings
        .iter()
        .filter(|f| options.show_exempted || !f.exempted())
    {
        if current_file != Some(f.file.name.as_str()) {
            current_file = Some(&f.file.name);
            out.push_str(&format!("── {} ──\n", f.file.name));
        }
        let diagnostic = finding_diagnostic(f, &sources.get(f), options);
        if handler.render_report(&mut out, &diagnostic).is_err() {
            out.push_str(&format!(
                "{}:{}:{}: {} [{}] {}\n",
                f.file.name, f.line, f.column, f.severity, f.rule, f.message
            ));
        }
        out.push('\n');
    }
    for e in &report.errors {
        out.push_str(&input_error_line(e));
    }
    out.push_str(&summary(report));
    out
}

/// The closing lines: the configuration file used, then the counts (also the compact format's
/// and `--quiet`'s).
pub(super) fn summary(report: &LintReport) -> String {
    let mut out = String::new();
    let s = &report.summary;
    let scanned = format!(
        "{} in {} from {}",
        plural(s.resources, "resource"),
        plural(s.documents, "document"),
        plural(s.files, "file")
    );
    let exempted = if s.exempted > 0 {
        format!(", {} exempted", s.exempted)
    } else {
        String::new()
    };
    let input_errors = if report.errors.is_empty() {
        String::new()
    } else {
        format!(", {}", plural(report.errors.len(), "input error"))
    };
    if let Some(config) = &s.config {
        out.push_str(&format!("config: {config}\n"));
    }
    if s.errors + s.warnings == 0 && report.errors.is_empty() {
        out.push_str(&format!("✔ no findings: {scanned}{exempted}\n"));
    } else if s.errors + s.warnings == 0 {
        // Input errors mean something was not judged: never a check mark.
        out.push_str(&format!(
            "✖ no findings, but {}: {scanned}{exempted}\n",
            plural(report.errors.len(), "input error")
        ));
    } else {
        out.push_str(&format!(
            "✖ {}, {}: {scanned}{exempted}{input_errors}\n",
            plural(s.errors, "error"),
            plural(s.warnings, "warning")
        ));
    }
    out
}
