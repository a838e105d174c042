//! Reporters: one module per output format, all rendering the same [`LintReport`].

pub mod compact;
pub mod github;
pub mod human;
pub mod json;
pub mod junit;
pub mod sarif;

use crate::cli::Format;
use crate::findings::LintReport;
use crate::policy::RuleMeta;

/// What reporters need besides the report itself.
pub struct RenderOptions<'a> {
    pub rules: &'a [RuleMeta],
    pub show_exempted: bool,
    pub color: bool,
    /// Terminal width for wrapping (human format).
    pub width: usize,
    /// Only the summary line (human and compact formats).
    pub quiet: bool,
    /// `--fail-on`: the lowest severity that fails the run (`None`: nothing does). JUnit marks
    /// a case failed only for findings that fail the run.
    pub fail_on: Option<crate::policy::Severity>,
    /// The rule reference the rule links point at (`--docs-url`, the config's `docs_url`).
    pub docs_base: &'a str,
}

pub fn render(report: &LintReport, format: Format, options: &RenderOptions<'_>) -> String {
    match format {
        Format::Human => human::render(report, options),
        Format::Json => json::render(report),
        Format::Sarif => sarif::render(report, options.rules, options.docs_base),
        Format::Junit => junit::render(report, options.fail_on),
        Format::Github => github::render(report, options.show_exempted),
        Format::Compact => compact::render(report, options),
    }
}

/// Writes the report to `out`: JSON is serialized straight into it (reports of thousands of
/// findings are megabytes), the other formats are rendered first.
pub fn write(
    report: &LintReport,
    format: Format,
    options: &RenderOptions<'_>,
    out: &mut (impl std::io::Write + ?Sized),
) -> std::io::Result<()> {
    match format {
        Format::Json => json::write(report, out),
        _ => out.write_all(render(report, format, options).as_bytes()),
    }
}

/// Replaces every character of the given byte ranges (except line breaks) with `*`, keeping
/// offsets intact so labels still point at the right place.
pub fn mask(text: &str, ranges: &[(usize, usize)]) -> String {
    if ranges.is_empty() {
        return text.to_string();
    }
    let mut bytes = text.as_bytes().to_vec();
    for &(start, end) in ranges {
        let end = end.min(bytes.len());
        for b in bytes.iter_mut().take(end).skip(start) {
            // Continuation bytes of multi-byte characters become '*' as well, so the result is
            // ASCII there and stays valid UTF-8.
            if *b != b'\n' && *b != b'\r' {
                *b = b'*';
            }
        }
    }
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

#[cfg(test)]
mod tests {
    #[test]
    fn masks_values_but_keeps_lines() {
        let text = "a: secret\nb: |\n  multi\n  line\n";
        let start = text.find("secret").unwrap_or(0);
        let masked = super::mask(text, &[(start, start + 6)]);
        assert_eq!(masked, "a: ******\nb: |\n  multi\n  line\n");
    }
}
