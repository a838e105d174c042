//! The default report: miette's graphical diagnostics with the source snippet and a label on
//! the offending field, grouped by file, then a summary line. Secret values are masked in
//! every snippet before miette ever sees the text.

use std::collections::HashMap;
use std::sync::Arc;

use rayon::prelude::*;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError,
    MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};

use super::RenderOptions;
use crate::findings::{Finding, LintReport};
use crate::load::InputError;
use crate::policy::Severity;

/// One object's snippet: its findings' fields underlined and numbered; the findings themselves
/// are listed under it by number.
#[derive(Debug)]
struct ObjectDiagnostic {
    heading: String,
    severity: miette::Severity,
    labels: Vec<LabeledSpan>,
    source: Window,
}

impl std::fmt::Display for ObjectDiagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.heading)
    }
}

impl std::error::Error for ObjectDiagnostic {}

impl Diagnostic for ObjectDiagnostic {
    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
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
        .with_word_separator(textwrap::WordSeparator::AsciiSpace)
        .with_word_splitter(textwrap::WordSplitter::NoHyphenation)
        .with_break_words(false)
}

/// Wraps `text` to `width` columns after `first` (the first line's prefix) and `indent` (the
/// others'), only at spaces: rule ids, field paths, annotation keys and YAML stay whole.
pub(crate) fn wrap(text: &str, width: usize, first: &str, indent: &str) -> String {
    let options = textwrap::Options::new(width.max(20))
        .initial_indent(first)
        .subsequent_indent(indent)
        .word_separator(textwrap::WordSeparator::AsciiSpace)
        .word_splitter(textwrap::WordSplitter::NoHyphenation)
        .break_words(false);
    let mut out = textwrap::fill(text, options);
    out.push('\n');
    out
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
        FileText {
            line_starts: line_starts(&text),
            text: Arc::from(text),
        }
    }

    fn line_of(&self, offset: usize) -> usize {
        line_of(&self.line_starts, offset)
    }

    fn lines(&self, first: usize, last: usize) -> (usize, usize) {
        lines(&self.line_starts, self.text.len(), first, last)
    }
}

/// Byte offset of every line start of `text`, line breaks counted as miette counts them
/// (`\n`, `\r\n` and a lone `\r`). Masking never adds or removes a line break, so the
/// masked text has the same line starts as the original.
fn line_starts(text: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    let mut starts = vec![0];
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\r' if bytes.get(i + 1) == Some(&b'\n') => {
                i += 1;
                starts.push(i + 1);
            }
            b'\r' | b'\n' => starts.push(i + 1),
            _ => {}
        }
        i += 1;
    }
    starts
}

/// The 0-based line holding byte `offset`.
fn line_of(line_starts: &[usize], offset: usize) -> usize {
    line_starts
        .partition_point(|&start| start <= offset)
        .saturating_sub(1)
}

/// The byte range of the lines from `first` to `last` (0-based, inclusive), clamped to a text
/// of `len` bytes.
fn lines(line_starts: &[usize], len: usize, first: usize, last: usize) -> (usize, usize) {
    let start = line_starts
        .get(first.min(line_starts.len().saturating_sub(1)))
        .copied()
        .unwrap_or(0);
    let end = line_starts.get(last + 1).copied().unwrap_or(len);
    (start, end.max(start))
}

/// Lines of context miette shows before and after the label.
const CONTEXT_LINES: usize = 2;

/// How many lines beyond a label any snippet's text reaches (what miette shows, plus a margin
/// the window keeps): the redactor must have read every object within this reach.
pub(crate) const SNIPPET_REACH: usize = CONTEXT_LINES + 2;

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
    let margin = SNIPPET_REACH;
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

/// Consecutive findings about the same object of the same file: one snippet for all of them.
fn same_object(a: &Finding, b: &Finding) -> bool {
    a.file.name == b.file.name && a.resource == b.resource && a.helm_source == b.helm_source
}

/// Per file, the byte ranges (sorted, possibly overlapping) that the snippets of `findings` can
/// show: for each object, the lines from its first underlined field to its last, with
/// [`SNIPPET_REACH`] lines on each side, as [`window`] cuts them. It covers every grouping of
/// the object's findings into snippets, so the redactor need only decide on the values in
/// these ranges (the rest of a long object is never printed).
pub(crate) fn shown_ranges(findings: &[Finding]) -> HashMap<&str, Vec<(usize, usize)>> {
    // Per object: its file's text and the first and last byte any of its labels covers.
    type ObjectKey<'a> = (&'a str, &'a crate::findings::ResourceRef, Option<&'a str>);
    let mut objects: HashMap<ObjectKey<'_>, (&str, usize, usize)> = HashMap::new();
    for f in findings {
        let text = f.file.text.as_str();
        let (start, end) = f.span;
        if start > text.len() {
            continue; // listed without a snippet
        }
        let end = end.clamp(start, text.len());
        let key = (f.file.name.as_str(), &f.resource, f.helm_source.as_deref());
        let span = objects.entry(key).or_insert((text, start, end));
        *span = (text, span.1.min(start), span.2.max(end));
    }
    let mut starts: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut shown: HashMap<&str, Vec<(usize, usize)>> = HashMap::new();
    for ((name, _, _), (text, from, to)) in objects {
        let line_starts = starts.entry(name).or_insert_with(|| line_starts(text));
        let first = line_of(line_starts, from).saturating_sub(SNIPPET_REACH);
        let last = line_of(line_starts, to) + SNIPPET_REACH;
        shown
            .entry(name)
            .or_default()
            .push(lines(line_starts, text.len(), first, last));
    }
    for ranges in shown.values_mut() {
        ranges.sort_unstable();
        // Merged: disjoint and in order, for `overlaps`.
        let mut merged: Vec<(usize, usize)> = Vec::with_capacity(ranges.len());
        for &(start, end) in ranges.iter() {
            match merged.last_mut() {
                Some(last) if start <= last.1 => last.1 = last.1.max(end),
                _ => merged.push((start, end)),
            }
        }
        *ranges = merged;
    }
    shown
}

/// Whether bytes `start..end` (an empty range counts as its first byte) meet one of `ranges`
/// (disjoint and in order, as [`shown_ranges`] gives them).
pub(crate) fn overlaps(ranges: &[(usize, usize)], start: usize, end: usize) -> bool {
    let end = end.max(start + 1);
    let before = ranges.partition_point(|r| r.0 < end);
    before > 0 && ranges[before - 1].1 > start
}

/// `3`, `3-5` or `3, 5`: the numbers of the findings one label stands for.
fn label_numbers(numbers: &[usize]) -> String {
    let contiguous = numbers.windows(2).all(|w| w[1] == w[0] + 1);
    match numbers {
        [] => String::new(),
        [only] => only.to_string(),
        [first, .., last] if contiguous => format!("{first}-{last}"),
        _ => numbers
            .iter()
            .map(usize::to_string)
            .collect::<Vec<_>>()
            .join(", "),
    }
}

fn severity_of(f: &Finding) -> miette::Severity {
    match (f.exempted(), f.severity) {
        (true, _) => miette::Severity::Advice,
        (false, Severity::Error) => miette::Severity::Error,
        (false, Severity::Warning) => miette::Severity::Warning,
    }
}

/// The snippet of one object with a numbered label per distinct underlined span.
fn object_diagnostic(group: &[&Finding], file: &FileText) -> Option<ObjectDiagnostic> {
    let first = group.first()?;
    let text_len = file.text.len();
    // Spans in order of appearance, each with the numbers of the findings it stands for.
    let mut spans: Vec<((usize, usize), Vec<usize>)> = Vec::new();
    for (i, f) in group.iter().enumerate() {
        let (start, end) = f.span;
        if start > text_len {
            return None; // out of bounds: the caller lists the findings without a snippet
        }
        let span = (start, end.saturating_sub(start).min(text_len - start));
        match spans.iter_mut().find(|(s, _)| *s == span) {
            Some((_, numbers)) => numbers.push(i + 1),
            None => spans.push((span, vec![i + 1])),
        }
    }
    let from = spans.iter().map(|((s, _), _)| *s).min()?;
    let to = spans.iter().map(|((s, l), _)| s + l).max()?;
    let (source, offset) = window(&first.file.name, file, from, to - from);
    let labels = spans
        .iter()
        .map(|((start, len), numbers)| {
            LabeledSpan::new_with_span(Some(label_numbers(numbers)), (start - from + offset, *len))
        })
        .collect();
    // miette orders Advice < Warning < Error: the heading takes the gravest.
    let severity = group
        .iter()
        .map(|f| severity_of(f))
        .max()
        .unwrap_or(miette::Severity::Advice);
    let mut heading = first.resource.display();
    if let Some(template) = &first.helm_source {
        heading.push_str(&format!(" (template {template})"));
    }
    Some(ObjectDiagnostic {
        heading,
        severity,
        labels,
        source,
    })
}

fn paint(text: &str, ansi: &str, color: bool) -> String {
    if color {
        format!("\x1b[{ansi}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}

/// The numbered list under an object's snippet: severity, rule and field, then the message and
/// the advice (each distinct advice once per object), wrapped to the width.
fn finding_list(
    group: &[&Finding],
    options: &RenderOptions<'_>,
    first_of_rule: &dyn Fn(&Finding) -> bool,
) -> String {
    let digits = group.len().to_string().len();
    let indent = " ".repeat(digits + 5);
    let mut out = String::new();
    let mut advice_given: Vec<&str> = Vec::new();
    let mut fixes_given: Vec<String> = Vec::new();
    for (i, f) in group.iter().enumerate() {
        let (mark, ansi) = match severity_of(f) {
            miette::Severity::Error => ("×", "31;1"),
            miette::Severity::Warning => ("⚠", "33;1"),
            miette::Severity::Advice => ("☞", "36;1"),
        };
        let field = if f.exact {
            f.path.to_string()
        } else {
            format!("{} (missing)", f.path)
        };
        // Wrapped before it is painted, so that colour codes do not count as width.
        let number = format!("  {:>digits$} {mark} ", i + 1);
        let head = wrap(
            &format!("{} {field}", f.rule),
            options.width,
            &number,
            &indent,
        );
        out.push_str(&head.replacen(
            &format!("{mark} {}", f.rule),
            &format!(
                "{} {}",
                paint(mark, ansi, options.color),
                paint(&f.rule, ansi, options.color)
            ),
            1,
        ));
        out.push_str(&wrap(&f.message, options.width, &indent, &indent));
        if let Some(reason) = f.exemption_reason() {
            out.push_str(&wrap(
                &format!("exempted: {reason}"),
                options.width,
                &indent,
                &indent,
            ));
        }
        let rule = options.rules.iter().find(|r| r.id == f.rule);
        let advice = f
            .help
            .as_deref()
            .or_else(|| rule.map(|r| r.remediation.as_str()));
        if let Some(advice) = advice.filter(|a| !advice_given.contains(a)) {
            advice_given.push(advice);
            let first = format!("{indent}help: ");
            out.push_str(&wrap(
                advice,
                options.width,
                &first,
                &" ".repeat(first.len()),
            ));
        }
        // The fix `--fix` would make, once per object (a pod-level fix stands on each
        // container's finding).
        if !f.fix.is_empty() && !f.exempted() {
            let fix = crate::fix::describe(&f.fix);
            if !fixes_given.contains(&fix) {
                let first = format!("{indent}fix:  ");
                out.push_str(&wrap(&fix, options.width, &first, &" ".repeat(first.len())));
                fixes_given.push(fix);
            }
        }
        // The rule's link in the reference, under its first finding of the report.
        if first_of_rule(f) {
            let url = crate::config::rule_url(options.docs_base, &f.rule);
            out.push_str(&wrap(
                &url,
                options.width,
                &format!("{indent}docs: "),
                &indent,
            ));
        }
    }
    out
}

/// An input that was not judged, shown like a finding: its place, a snippet, what to do.
#[derive(Debug)]
struct InputErrorDiagnostic {
    message: String,
    label: Option<LabeledSpan>,
    source: Option<Window>,
}

impl std::fmt::Display for InputErrorDiagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for InputErrorDiagnostic {}

impl Diagnostic for InputErrorDiagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new("input-error"))
    }
    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new(
            "nothing in this input was checked (exit code 2): fix it, or leave it out of the \
             paths given; values are hidden because the guard could not tell which are secret",
        ))
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.label.clone().into_iter()))
    }
}

/// Byte ranges of the values on each line of `text[from..to]`: everything after a mapping
/// key's `: ` (or after the indentation and `- ` of an item), comments included. A document
/// that could not be read cannot be judged, so any of its values may be secret.
fn value_ranges(text: &str, from: usize, to: usize) -> Vec<(usize, usize)> {
    let mut ranges = Vec::new();
    let mut line_start = from;
    for line in text[from..to].split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        let trimmed = body.trim_start_matches([' ', '\t', '-']);
        let lead = body.len() - trimmed.len();
        let value_start = if matches!(body, "---" | "...") {
            body.len()
        } else {
            match trimmed
                .find(": ")
                .or_else(|| trimmed.strip_suffix(':').map(|k| k.len()))
            {
                Some(colon) if !trimmed.starts_with(['"', '\'', '#', '{', '[']) => {
                    lead + colon + 1 + usize::from(trimmed[colon + 1..].starts_with(' '))
                }
                _ => lead,
            }
        };
        if value_start < body.len() {
            ranges.push((line_start + value_start, line_start + body.len()));
        }
        line_start += line.len();
    }
    ranges
}

fn input_error_diagnostic(e: &InputError, report: &LintReport) -> InputErrorDiagnostic {
    let mut diagnostic = InputErrorDiagnostic {
        message: e.to_string(),
        label: None,
        source: None,
    };
    let source = report.sources.iter().find(|s| s.name == e.file);
    if let (Some(source), Some(line)) = (source, (e.line as usize).checked_sub(1)) {
        let unmasked = FileText::new(source.text.clone());
        if let Some(&line_start) = unmasked.line_starts.get(line) {
            let column = (e.column as usize).saturating_sub(1);
            let offset = source.text[line_start..]
                .char_indices()
                .nth(column)
                .map_or(source.text.len(), |(i, _)| line_start + i);
            // Only the lines the window can show are masked; masking keeps every offset, so
            // the line index stays valid for the masked text.
            let (from, to) =
                unmasked.lines(line.saturating_sub(SNIPPET_REACH), line + SNIPPET_REACH);
            let file = FileText {
                text: Arc::from(super::mask(
                    &source.text,
                    &value_ranges(&source.text, from, to),
                )),
                line_starts: unmasked.line_starts,
            };
            let (window, at) = window(&e.file, &file, offset, 0);
            diagnostic.label = Some(LabeledSpan::new_primary_with_span(
                Some("here".into()),
                (at, 0),
            ));
            diagnostic.source = Some(window);
        }
    }
    diagnostic
}

pub fn render(report: &LintReport, options: &RenderOptions<'_>) -> String {
    if options.quiet {
        return fitted_summary(report, options.width);
    }
    let handler = handler(options);
    let shown: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| options.show_exempted || !f.exempted())
        .collect();
    // The first finding of each rule in the report carries the rule's link.
    let mut first_of_rule: HashMap<&str, &Finding> = HashMap::new();
    for f in &shown {
        first_of_rule.entry(f.rule.as_str()).or_insert(f);
    }
    let is_first = |f: &Finding| {
        first_of_rule
            .get(f.rule.as_str())
            .is_some_and(|first| std::ptr::eq(*first, f))
    };
    // Each file's masked text once, then the objects rendered in parallel (in order).
    let mut files: Vec<&crate::load::SourceFile> = Vec::new();
    for f in &shown {
        if files.last().is_none_or(|last| last.name != f.file.name) {
            files.push(&f.file);
        }
    }
    let texts: HashMap<&str, FileText> = files
        .par_iter()
        .map(|file| {
            let masked = super::mask(&file.text, report.redactions_for(file));
            (file.name.as_str(), FileText::new(masked))
        })
        .collect();
    let groups: Vec<&[&Finding]> = shown.chunk_by(|a, b| same_object(a, b)).collect();
    let rendered: Vec<String> = groups
        .par_iter()
        .map(|group| {
            let mut out = String::new();
            let first = group[0];
            let snippet = texts
                .get(first.file.name.as_str())
                .and_then(|text| object_diagnostic(group, text))
                .is_some_and(|diagnostic| handler.render_report(&mut out, &diagnostic).is_ok());
            if !snippet {
                // No snippet to show: one plain line per finding, then the list as usual.
                for f in *group {
                    out.push_str(&format!(
                        "{}:{}:{}: {} [{}] {}\n",
                        f.file.name, f.line, f.column, f.severity, f.rule, f.message
                    ));
                }
            }
            out.push_str(&finding_list(group, options, &is_first));
            out.push('\n');
            out
        })
        .collect();
    let mut out = String::new();
    let mut current_file: Option<&str> = None;
    for (group, text) in groups.iter().zip(rendered) {
        let file = group[0].file.name.as_str();
        if current_file != Some(file) {
            current_file = Some(file);
            out.push_str(&format!("── {file} ──\n"));
        }
        out.push_str(&text);
    }
    for e in &report.errors {
        if handler
            .render_report(&mut out, &input_error_diagnostic(e, report))
            .is_err()
        {
            out.push_str(&format!("error: {e}\n"));
        }
        out.push('\n');
    }
    out.push_str(&fitted_summary(report, options.width));
    out
}

/// The summary wrapped to the terminal (the compact format keeps it on one line for `grep`).
fn fitted_summary(report: &LintReport, width: usize) -> String {
    summary(report)
        .lines()
        .map(|line| wrap(line, width, "", "  "))
        .collect()
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
        let fixable = if s.fixable > 0 {
            format!(" ({} fixable with --fix)", s.fixable)
        } else {
            String::new()
        };
        out.push_str(&format!(
            "✖ {}, {}{fixable}: {scanned}{exempted}{input_errors}\n",
            plural(s.errors, "error"),
            plural(s.warnings, "warning")
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::ResourceRef;
    use crate::load::SourceFile;
    use crate::path::FieldPath;

    #[test]
    fn line_starts_count_every_kind_of_line_break() {
        assert_eq!(line_starts("a\nb\r\nc\rd"), vec![0, 2, 5, 7]);
        assert_eq!(line_starts(""), vec![0]);
        assert_eq!(line_of(&[0, 2, 5, 7], 4), 1);
        assert_eq!(line_of(&[0, 2, 5, 7], 5), 2);
        assert_eq!(lines(&[0, 2, 5, 7], 9, 1, 2), (2, 7));
        assert_eq!(lines(&[0, 2, 5, 7], 9, 3, 10), (7, 9));
    }

    #[test]
    fn overlaps_is_true_only_for_ranges_that_meet() {
        let shown = [(10, 20), (30, 40)];
        assert!(overlaps(&shown, 15, 16));
        assert!(overlaps(&shown, 5, 11)); // ends inside the first
        assert!(overlaps(&shown, 39, 50)); // starts inside the second
        assert!(overlaps(&shown, 0, 100)); // covers both
        assert!(!overlaps(&shown, 20, 30)); // between them (ends are exclusive)
        assert!(!overlaps(&shown, 0, 10));
        assert!(!overlaps(&shown, 40, 41));
        assert!(overlaps(&shown, 10, 10)); // an empty value counts as its first byte
        assert!(!overlaps(&shown, 20, 20));
        assert!(!overlaps(&[], 0, 100));
    }

    fn finding(file: &Arc<SourceFile>, name: &str, span: (usize, usize)) -> Finding {
        Finding {
            rule: "r".into(),
            severity: Severity::Error,
            message: String::new(),
            path: FieldPath::root(),
            file: file.clone(),
            document: 0,
            line: 1,
            column: 1,
            span,
            exact: true,
            resource: ResourceRef {
                api_version: "v1".into(),
                kind: "Pod".into(),
                namespace: None,
                name: name.into(),
            },
            helm_source: None,
            exemption: crate::exempt::ExemptionStatus::None,
            sensitive: false,
            redact: Vec::new(),
            help: None,
            fix: Vec::new(),
        }
    }

    #[test]
    fn shown_ranges_cover_an_objects_labels_and_their_reach_and_merge() {
        // 40 lines of 3 bytes ("NN\n"): line k starts at byte 3k.
        let text: String = (0..40).map(|i| format!("{i:02}\n")).collect();
        let file = Arc::new(SourceFile {
            name: "f.yaml".into(),
            text,
        });
        let line = |k: usize| 3 * k;
        // Object a: labels on lines 10 and 12 (a label ending on line 12); object b: line 30.
        let findings = vec![
            finding(&file, "a", (line(10), line(10) + 2)),
            finding(&file, "a", (line(12), line(12) + 1)),
            finding(&file, "b", (line(30), line(30) + 2)),
            // Out of the file: listed without a snippet, shows nothing.
            finding(&file, "c", (1000, 1001)),
        ];
        let shown = shown_ranges(&findings);
        let reach = SNIPPET_REACH;
        assert_eq!(
            shown.get("f.yaml"),
            Some(&vec![
                (line(10 - reach), line(12 + reach + 1)),
                (line(30 - reach), line(30 + reach + 1)),
            ])
        );
        // Two objects whose reaches touch are merged into one range.
        let findings = vec![
            finding(&file, "a", (line(10), line(10) + 2)),
            finding(&file, "b", (line(14), line(14) + 2)),
        ];
        assert_eq!(
            shown_ranges(&findings).get("f.yaml"),
            Some(&vec![(line(10 - reach), line(14 + reach + 1))])
        );
    }
}
