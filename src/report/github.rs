//! `--format github`: workflow commands, which GitHub Actions turns into annotations on the
//! pull request's diff.

use crate::findings::LintReport;
use crate::policy::Severity;

/// Escaping per the workflow-command spec: data escapes %, CR, LF; properties also : and ,.
fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn render(report: &LintReport, show_exempted: bool) -> String {
    let mut out = String::new();
    for f in report
        .findings
        .iter()
        .filter(|f| show_exempted || !f.exempted())
    {
        let level = match (f.exempted(), f.severity) {
            (true, _) => "notice",
            (false, Severity::Error) => "error",
            (false, Severity::Warning) => "warning",
        };
        out.push_str(&format!(
            "::{level} file={},line={},col={},title={}::{}\n",
            property(&f.file.name),
            f.line,
            f.column,
            property(&format!("{} ({})", f.rule, f.resource.display())),
            data(&format!("{} [{}]", f.message, f.path))
        ));
    }
    for e in &report.errors {
        out.push_str(&format!(
            "::error file={},line={},col={},title=input error::{}\n",
            property(&e.file),
            e.line.max(1),
            e.column.max(1),
            data(&e.message)
        ));
    }
    out
}
