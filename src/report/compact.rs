//! The compact report: one line per finding, `file:line:col: severity rule: message`, the shape
//! editors' error lists and `grep` understand; input errors as `file:line:col: error input:
//! message`; then the human format's summary.

use std::fmt::Write as _;

use super::RenderOptions;
use crate::findings::LintReport;

pub fn render(report: &LintReport, options: &RenderOptions<'_>) -> String {
    let mut out = String::new();
    if !options.quiet {
        for f in report
            .findings
            .iter()
            .filter(|f| options.show_exempted || !f.exempted())
        {
            let _ = write!(
                out,
                "{}:{}:{}: {} {}: {}",
                f.file.name, f.line, f.column, f.severity, f.rule, f.message
            );
            if f.exempted() {
                match f.exemption_reason() {
                    Some(reason) => {
                        let _ = write!(out, " [exempted: {reason}]");
                    }
                    None => out.push_str(" [exempted]"),
                }
            }
            out.push('\n');
        }
        for e in &report.errors {
            if e.line > 0 {
                let _ = writeln!(
                    out,
                    "{}:{}:{}: error input: {}",
                    e.file, e.line, e.column, e.message
                );
            } else {
                let _ = writeln!(out, "{}: error input: {}", e.file, e.message);
            }
        }
    }
    out.push_str(&super::human::summary(report));
    out
}
