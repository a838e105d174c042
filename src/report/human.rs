//! The default report: miette's graphical diagnostics with the source snippet and a label on
//! the offending field, grouped by file, then a summary line. Secret values are masked in
//! every snippet before miette ever sees the text.

use std::collections::HashMap;
use std::sync::Arc;

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource};

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
    source: NamedSource<Arc<str>>,
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
        .with_context_lines(2)
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// One masked copy of each file's text, made once however many findings point into it.
struct Sources<'a> {
    report: &'a LintReport,
    cache: HashMap<String, Arc<str>>,
}

impl Sources<'_> {
    fn get(&mut self, finding: &Finding) -> Arc<str> {
        let report = self.report;
        self.cache
            .entry(finding.file.name.clone())
            .or_insert_with(|| {
                Arc::from(super::mask(
                    &finding.file.text,
                    report.redactions_for(&finding.file),
                ))
            })
            .clone()
    }
}

fn finding_diagnostic(
    f: &Finding,
    text: Arc<str>,
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
        .min(text.len().saturating_sub(start));
    FindingDiagnostic {
        heading: f.message.clone(),
        code: f.rule.clone(),
        severity: match (f.exempted(), f.severity) {
            (true, _) => miette::Severity::Advice,
            (false, Severity::Error) => miette::Severity::Error,
            (false, Severity::Warning) => miette::Severity::Warning,
        },
        help,
        label: LabeledSpan::new_primary_with_span(Some(label_text), (start, len)),
        source: NamedSource::new(f.file.name.clone(), text).with_language("yaml"),
    }
}

fn input_error_line(e: &InputError) -> String {
    if e.line > 0 {
        format!("error: {}:{}:{}: {}\n", e.file, e.line, e.column, e.message)
    } else {
        format!("error: {}: {}\n", e.file, e.message)
    }
}

pub fn render(report: &LintReport, options: &RenderOptions<'_>) -> String {
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
        let diagnostic = finding_diagnostic(f, sources.get(f), options);
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
