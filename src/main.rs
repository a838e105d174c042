use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::{CommandFactory, Parser};
use k8s_constitution::cli::{
    AuditArgs, Cli, Command, CommonPolicyArgs, CompletionsArgs, DocsArgs, EvalArgs, ExplainArgs,
    ExportArgs, FailOn, Format, LintArgs, ReportArgs, RulesAction, RulesArgs, RulesFormat,
    TestArgs,
};
use k8s_constitution::config::Config;
use k8s_constitution::core::{Core, Redaction, Selection};
use k8s_constitution::findings::LintReport;
use k8s_constitution::load::LoadOptions;
use k8s_constitution::policy::{self, PackSource, RuleMeta, Severity};
use k8s_constitution::report::{self, RenderOptions};
use k8s_constitution::{lint, rules_cmd, testing};
use miette::IntoDiagnostic;

/// Exit code for usage and input errors (1 is reserved for "findings at or above --fail-on").
const EXIT_USAGE: u8 = 2;

fn main() -> ExitCode {
    quiet_library_backtraces();
    no_transparent_huge_pages();
    let cli = Cli::parse();
    // Error reports as wide as the terminal, and never broken inside a rule id or path.
    let width = terminal_width();
    let _ = miette::set_hook(Box::new(move |_| {
        Box::new(
            miette::MietteHandlerOpts::new()
                .width(width)
                .break_words(false)
                .build(),
        )
    }));
    let result = match cli.command {
        Command::Lint(args) => run_lint(args),
        Command::Rules(args) => run_rules(args),
        Command::Explain(args) => run_explain(args),
        Command::Test(args) => run_test(args),
        Command::Serve(args) => k8s_constitution::serve::run(args),
        Command::Certs(args) => k8s_constitution::certs::run(args),
        Command::Audit(args) => run_audit(args),
        Command::Completions(args) => run_completions(args),
        Command::Man => run_man(),
        Command::Eval(args) => run_eval(args),
    };
    match result {
        Ok(code) => code,
        Err(report) => {
            eprintln!("{report:?}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}

/// regorus' parser uses `anyhow` errors for ordinary backtracking (hundreds while compiling the
/// pack), and with `RUST_BACKTRACE` set each one captures a backtrace: ~30 ms of start-up for
/// nothing we ever print. Library backtraces are off unless asked for with `RUST_LIB_BACKTRACE`;
/// panics still honour `RUST_BACKTRACE`.
fn quiet_library_backtraces() {
    if std::env::var_os("RUST_LIB_BACKTRACE").is_none() {
        // SAFETY: called first thing in `main`, before any other thread exists, so nothing can
        // read the environment concurrently.
        unsafe { std::env::set_var("RUST_LIB_BACKTRACE", "0") };
    }
}

/// Evaluation allocates and frees small values at a high rate. With transparent huge pages the
/// allocator's freed ranges are given back and faulted in again as 2 MiB pages the kernel must
/// zero each time: ~20 % of a lint run went to `clear_page`, and the cross-resource rules ran
/// twice as long. Measured on the 10k corpus (scripts/bench-lint.sh): 3.1 -> 2.4 s, peak RSS
/// 307 -> 290 MB.
fn no_transparent_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes plain integers and only sets a flag on this process.
    // Failing (an old kernel) just leaves THP as it was.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

fn load_core(
    args: &CommonPolicyArgs,
    selection: Selection,
    namespace: Option<String>,
    docs: Option<&DocsArgs>,
) -> miette::Result<Core> {
    let config = load_config(args, docs)?;
    let source = PackSource {
        extra_dirs: args.policy_dirs.clone(),
        namespace,
        ..PackSource::default()
    };
    Ok(Core::load(source, config, selection)?)
}

/// The configuration file, with `--docs-url` in place of its `docs_url` when given.
fn load_config(args: &CommonPolicyArgs, docs: Option<&DocsArgs>) -> miette::Result<Config> {
    let (mut config, _) = Config::load(args.config.as_deref())?;
    if let Some(url) = docs.and_then(|d| d.docs_url.as_ref()) {
        config.docs_url = Some(url.clone());
    }
    Ok(config)
}

fn write_stdout(text: &str) -> miette::Result<()> {
    write_stdout_with(|out| out.write_all(text.as_bytes()))
}

/// Runs `write` on buffered standard output, then flushes it.
fn write_stdout_with(
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> miette::Result<()> {
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    match write(&mut out).and_then(|_| out.flush()) {
        // A closed pipe (`| head`) is not an error worth reporting.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.into_diagnostic(),
    }
}

fn color_wanted() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// `COLUMNS` when set, else the width of the terminal standard output is, else 100.
fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .filter(|&c: &usize| c > 0)
        .or_else(|| {
            terminal_size::terminal_size_of(std::io::stdout())
                .map(|(terminal_size::Width(w), _)| usize::from(w))
                .filter(|&w| w > 0)
        })
        .unwrap_or(100)
}

fn run_lint(args: LintArgs) -> miette::Result<ExitCode> {
    let selection = Selection {
        only: args.only.clone(),
        skip: args.skip.clone(),
    };
    let mut core = load_core(
        &args.policy,
        selection,
        args.namespace.clone(),
        Some(&args.report.docs),
    )?;
    core.set_redaction(redaction_for(&args.report));
    let options = LoadOptions {
        max_file_bytes: args.max_file_size,
        ..LoadOptions::default()
    };
    let report = lint_args(&core, &args, options);
    if args.fix {
        return run_fix(&core, &args, report, options);
    }
    report_and_exit(&core, &args, report)
}

/// The lint of `args`' paths, with its configuration file named in the summary.
fn lint_args(core: &Core, args: &LintArgs, options: LoadOptions) -> LintReport {
    let mut report = lint::lint_paths_in_context(core, &args.paths, &args.context, options);
    if !args.allow_empty {
        lint::require_objects(&mut report);
    }
    report.summary.config = core.config().path().map(|p| p.display().to_string());
    report
}

fn report_and_exit(core: &Core, args: &LintArgs, report: LintReport) -> miette::Result<ExitCode> {
    let code = finish_report(
        &report,
        &args.report,
        core.rules(),
        core.config().docs_base(),
    );
    // The process exits next and the OS takes the memory back at once; freeing every
    // resource's value and position tree one by one was ~2 % of a lint run, on one thread.
    std::mem::forget(report);
    code
}

/// `lint --fix`: writes the fixable files (or prints their diff, or the fixed stream for
/// stdin), says which were refused and why, then lints again and reports what remains.
fn run_fix(
    core: &Core,
    args: &LintArgs,
    report: LintReport,
    options: LoadOptions,
) -> miette::Result<ExitCode> {
    use k8s_constitution::fix::files;
    use k8s_constitution::load::STDIN_NAME as STDIN;
    let (fixes, mut refusals) = files::plan(&report);
    let from_stdin = args.paths.iter().any(|p| p == "-");
    if args.diff {
        let diffs: String = fixes.iter().map(files::diff).collect();
        write_stdout_with(|out| out.write_all(diffs.as_bytes()))?;
        for r in &refusals {
            eprintln!("{r}");
        }
        let findings: usize = fixes.iter().map(|f| f.findings).sum();
        eprintln!(
            "fix: {findings} finding(s) fixable in {} file(s)",
            fixes.len()
        );
        return Ok(ExitCode::from(u8::from(
            !fixes.is_empty() || !refusals.is_empty(),
        )));
    }
    let mut fixed_findings = 0;
    let mut fixed_files = 0;
    let mut stdin_text = None;
    for fix in &fixes {
        if fix.file.name == STDIN {
            stdin_text = Some(fix.fixed.clone());
            fixed_findings += fix.findings;
            continue;
        }
        match files::write(fix) {
            Ok(()) => {
                fixed_findings += fix.findings;
                fixed_files += 1;
            }
            Err(refusal) => refusals.push(refusal),
        }
    }
    for r in &refusals {
        eprintln!("{r}");
    }
    if from_stdin {
        // The stream, fixed or as it came, and nothing else on stdout.
        let original = report
            .sources
            .iter()
            .find(|s| s.name == STDIN)
            .map(|s| s.text.clone())
            .unwrap_or_default();
        let text = stdin_text.unwrap_or(original);
        write_stdout_with(|out| out.write_all(text.as_bytes()))?;
        eprintln!("fix: {fixed_findings} finding(s) fixed in the stream");
        return Ok(ExitCode::from(u8::from(!refusals.is_empty())));
    }
    eprintln!("fix: {fixed_findings} finding(s) fixed in {fixed_files} file(s)");
    // Lint again with the first run's objects freed (two reports of 10k objects held together
    // would double the peak memory).
    drop(fixes);
    drop(report);
    report_and_exit(core, args, lint_args(core, args, options))
}

/// What the redactor computes: only the human format shows source text.
fn redaction_for(args: &ReportArgs) -> Redaction {
    // `--quiet` prints the summary alone: no snippet, nothing to mask.
    match (args.format, args.redact_all_values) {
        (Format::Human, _) if args.quiet => Redaction::NoSnippets,
        (Format::Human, true) => Redaction::AllValues,
        (Format::Human, false) => Redaction::Secrets,
        _ => Redaction::NoSnippets,
    }
}

/// Prints the report in the asked format and picks the exit code: 2 for input errors, 1 for
/// findings at or above `--fail-on`, else 0 (lint and audit alike).
fn finish_report(
    report: &LintReport,
    args: &ReportArgs,
    rules: &[RuleMeta],
    docs_base: &str,
) -> miette::Result<ExitCode> {
    let threshold = match args.fail_on {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Never => None,
    };
    let options = RenderOptions {
        rules,
        fail_on: threshold,
        docs_base,
        show_exempted: args.show_exempted,
        color: args.output.is_none() && color_wanted(),
        width: terminal_width(),
        quiet: args.quiet,
    };
    match &args.output {
        None => write_stdout_with(|out| report::write(report, args.format, &options, out))?,
        Some(path) => write_report_file(path, |out| {
            report::write(report, args.format, &options, out)
        })?,
    }
    Ok(if !report.errors.is_empty() {
        ExitCode::from(EXIT_USAGE)
    } else if report.fails_at(threshold) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// `-o FILE`: the report goes to the file, created or truncated.
fn write_report_file(
    path: &std::path::Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> miette::Result<()> {
    let result = std::fs::File::create(path).and_then(|file| {
        let mut out = std::io::BufWriter::with_capacity(1 << 16, file);
        write(&mut out)?;
        out.flush()
    });
    result.map_err(|e| {
        miette::miette!(
            code = "k8sc::usage::output",
            "cannot write the report to {}: {e}",
            path.display()
        )
    })
}

fn run_completions(args: CompletionsArgs) -> miette::Result<ExitCode> {
    let mut command = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "k8s-constitution", &mut script);
    write_stdout_with(|out| out.write_all(&script))?;
    Ok(ExitCode::SUCCESS)
}

fn run_man() -> miette::Result<ExitCode> {
    let mut page = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut page)
        .into_diagnostic()?;
    // clap_mangen opens with the definition of the `Aq` string; `.TH` comes first in a man page
    // (and is what `man` and `file` look for), the definition right after it.
    let page = String::from_utf8_lossy(&page).into_owned();
    let page = match page.find("\n.TH ") {
        Some(at) => {
            let (preamble, rest) = page.split_at(at + 1);
            let (title, body) = rest.split_at(rest.find('\n').map_or(rest.len(), |n| n + 1));
            format!("{title}{preamble}{body}")
        }
        None => page,
    };
    write_stdout(&page)?;
    Ok(ExitCode::SUCCESS)
}

fn run_rules(args: RulesArgs) -> miette::Result<ExitCode> {
    if let Some(RulesAction::Export(export)) = args.action {
        return run_export(export);
    }
    let core = load_core(&args.policy, Selection::default(), None, Some(&args.docs))?;
    let text = match args.format {
        RulesFormat::Json => rules_cmd::list_json(&core),
        RulesFormat::Human => rules_cmd::list_human(&core, terminal_width()),
        RulesFormat::Markdown => rules_cmd::reference_markdown(&core),
    };
    write_stdout(&text)?;
    Ok(ExitCode::SUCCESS)
}

fn run_export(args: ExportArgs) -> miette::Result<ExitCode> {
    let core = load_core(&args.policy, Selection::default(), None, None)?;
    let written = k8s_constitution::export::export(&core, args.format, &args.output)?;
    eprintln!(
        "wrote {} files into {}",
        written.len(),
        args.output.display()
    );
    let exemptions = core.config().exemptions.len();
    if exemptions > 0 {
        // Said, not dropped quietly: the export finds what they would have exempted.
        eprintln!(
            "note: the configuration's {exemptions} exemption(s) are not part of the export \
             (conftest and OPA report what they exempt); see the README, \
             \"Use the pack with OPA, conftest or Gatekeeper\""
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Exit 2 when an input could not be read: its objects are missing from the answer.
fn run_eval(args: EvalArgs) -> miette::Result<ExitCode> {
    let core = load_core(&args.policy, Selection::default(), None, None)?;
    let options = LoadOptions {
        max_file_bytes: args.max_file_size,
        ..LoadOptions::default()
    };
    let (answer, errors) = k8s_constitution::eval_cmd::evaluate(&core, &args.paths, options)?;
    write_stdout_with(|out| {
        serde_json::to_writer(&mut *out, &answer)?;
        out.write_all(b"\n")
    })?;
    for error in &errors {
        eprintln!("error: {error}");
    }
    Ok(if errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}

fn run_explain(args: ExplainArgs) -> miette::Result<ExitCode> {
    let core = load_core(&args.policy, Selection::default(), None, Some(&args.docs))?;
    let Some(rule) = core.rule(&args.rule) else {
        let message = k8s_constitution::rule_ids::unknown_rule_message(
            &args.rule,
            core.rules().iter().map(|r| r.id.as_str()),
        )
        .unwrap_or_default();
        return Err(miette::miette!(
            code = "k8sc::usage::unknown_rule",
            help = "`k8s-constitution rules` lists the rule ids",
            "{message}"
        ));
    };
    write_stdout(&rules_cmd::explain(rule, &core, terminal_width()))?;
    Ok(ExitCode::SUCCESS)
}

fn run_test(args: TestArgs) -> miette::Result<ExitCode> {
    let files = match &args.dir {
        Some(dir) => policy::files_in_dir(dir)?,
        None => policy::embedded_files(),
    };
    let run = testing::run(&files, args.run.as_deref(), args.coverage)?;
    if let Some(filter) = args.run.as_deref().filter(|_| run.results.is_empty()) {
        return Err(miette::miette!(
            code = "k8sc::usage::no_test_matched",
            help = "--run matches a test name, a package (k8sc.rules.min_replicas) or a rule id (min-replicas)",
            "no test matched --run {filter:?}"
        ));
    }
    write_stdout(&testing::render(&run, args.verbose))?;
    Ok(if run.failed() == 0 && !run.results.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn run_audit(args: AuditArgs) -> miette::Result<ExitCode> {
    use k8s_constitution::audit;
    let selection = Selection {
        only: args.only.clone(),
        skip: args.skip.clone(),
    };
    let mut set_core = load_core(
        &args.policy,
        selection.clone(),
        None,
        Some(&args.report.docs),
    )?;
    set_core.set_redaction(redaction_for(&args.report));
    // The pages run the per-object rules only; the cross-resource ones run per namespace.
    let mut object_selection = selection;
    object_selection.skip.extend(
        set_core
            .pack()
            .rules()
            .iter()
            .filter(|r| r.needs_all_resources)
            .map(|r| r.id.clone()),
    );
    let config = load_config(&args.policy, Some(&args.report.docs))?;
    let mut object_core = Core::load(
        PackSource {
            extra_dirs: args.policy.policy_dirs.clone(),
            ..PackSource::default()
        },
        config,
        object_selection,
    )?;
    object_core.set_redaction(redaction_for(&args.report));
    let rules: Vec<&policy::RuleMeta> = set_core
        .pack()
        .rules()
        .iter()
        .filter(|r| {
            (args.only.is_empty() || args.only.contains(&r.id)) && !args.skip.contains(&r.id)
        })
        .collect();
    let (report, notes) = audit::run(
        &object_core,
        &set_core,
        &rules,
        &audit::AuditOptions::from_args(&args),
    )?;
    eprintln!(
        "audited {} objects of {} kinds{}{}",
        report.summary.resources,
        notes.listed.len(),
        if notes.owned_skipped > 0 {
            format!(
                "; {} objects owned by a controller judged through their owner (--include-owned to audit them too)",
                notes.owned_skipped
            )
        } else {
            String::new()
        },
        if notes.not_served.is_empty() {
            String::new()
        } else {
            format!("; not served here: {}", notes.not_served.join(", "))
        }
    );
    let mut report = report;
    report.summary.config = set_core.config().path().map(|p| p.display().to_string());
    finish_report(
        &report,
        &args.report,
        set_core.rules(),
        set_core.config().docs_base(),
    )
}
