//! Command-line definitions. Front ends stay thin: each subcommand parses its arguments here
//! and hands off to the library.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "k8s-constitution",
    version,
    about = "Policy-as-code guard for Kubernetes: lint rendered manifests with exact locations, or enforce the same rules as a validating admission webhook.",
    long_about = None,
    propagate_version = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// The exit codes of `lint` and `audit`, in their `--help`.
const EXIT_CODES: &str = "Exit codes:
  0  no finding at or above --fail-on (exempted findings never count)
  1  at least one finding at or above --fail-on
  2  nothing or not everything was judged: an input that could not be read (invalid YAML,
     binary, over --max-file-size), no Kubernetes object without --allow-empty, a bad
     configuration, an unknown rule id, a usage error";

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check manifests (files, directories, `-` for stdin) against the rule pack.
    #[command(after_help = EXIT_CODES)]
    Lint(LintArgs),
    /// List the rules of the pack.
    Rules(RulesArgs),
    /// Explain one rule: rationale, what passes, what fails, how to fix it.
    Explain(ExplainArgs),
    /// Run the Rego unit tests (`test_*` rules) of the shipped pack or of a directory.
    Test(TestArgs),
    /// Serve the rule pack as a TLS validating admission webhook (AdmissionReview v1).
    Serve(crate::serve::ServeArgs),
    /// Generate a CA and a serving certificate for the webhook (clusters without cert-manager).
    Certs(crate::certs::CertsArgs),
    /// Check the live objects of a cluster (kubeconfig or in-cluster) against the full rule pack,
    /// cross-resource rules included; reports like `lint`.
    #[command(after_help = EXIT_CODES)]
    Audit(AuditArgs),
    /// Print a shell completion script (e.g. `k8s-constitution completions bash >
    /// /etc/bash_completion.d/k8s-constitution`).
    Completions(CompletionsArgs),
    /// Print the man page (roff), e.g. `k8s-constitution man > k8s-constitution.1`.
    Man,
    /// Print each object as the rules see it and the pack's raw answer for it (before the
    /// configuration, exemptions and positions), as JSON: for debugging a rule, and for
    /// checking another Rego engine (OPA over `rules export --format opa`) against this one.
    Eval(EvalArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
    Sarif,
    Junit,
    Github,
    /// One line per finding: `file:line:col: severity rule: message`.
    Compact,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Never,
}

#[derive(Debug, Args)]
pub struct CommonPolicyArgs {
    /// Add a directory of your own Rego rules (same contract as the shipped pack). Repeatable.
    #[arg(long = "policy", value_name = "DIR")]
    pub policy_dirs: Vec<PathBuf>,
    /// Configuration file (default: `.k8s-constitution.yaml` found upward from the current
    /// directory; `none` for no file at all).
    #[arg(long, value_name = "FILE", env = "K8S_CONSTITUTION_CONFIG")]
    pub config: Option<PathBuf>,
}

/// Where the rule links of `explain`, `rules --format json`, the human report and SARIF point.
#[derive(Debug, Args, Default)]
pub struct DocsArgs {
    /// Base URL of the rule reference the rule links point at (a fork's or an internal
    /// mirror's `docs/rules.md`); overrides the config's `docs_url`. Default: the project's
    /// repository.
    #[arg(long, value_name = "URL", value_parser = docs_url)]
    pub docs_url: Option<String>,
}

fn docs_url(text: &str) -> Result<String, String> {
    if crate::config::is_url(text) {
        Ok(text.to_string())
    } else {
        Err("expected an http(s) or file URL".to_string())
    }
}

/// How findings are reported and when they fail the run (lint and audit).
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Lowest severity that makes the exit code 1.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,
    /// Also show exempted findings in the human and GitHub formats.
    #[arg(long)]
    pub show_exempted: bool,
    /// Mask every value in the human format's snippets, not only secrets: keys and structure
    /// only (for CI logs that many people read).
    #[arg(long)]
    pub redact_all_values: bool,
    /// Print only the summary line (human and compact formats; the machine formats are
    /// unchanged).
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Write the report to this file instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub docs: DocsArgs,
}

#[derive(Debug, Args)]
pub struct LintArgs {
    /// Files, directories (searched recursively for *.yaml / *.yml) or `-` for stdin.
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<String>,
    #[command(flatten)]
    pub policy: CommonPolicyArgs,
    #[command(flatten)]
    pub report: ReportArgs,
    /// Refuse inputs larger than this many bytes.
    #[arg(long, value_name = "BYTES", default_value_t = crate::load::DEFAULT_MAX_FILE_BYTES)]
    pub max_file_size: u64,
    /// Evaluate only these rules (comma-separated ids).
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    pub only: Vec<String>,
    /// Skip these rules (comma-separated ids).
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    pub skip: Vec<String>,
    /// Pass when the input holds no Kubernetes object (by default that is an input error,
    /// exit 2: nothing judged is not a pass).
    #[arg(long)]
    pub allow_empty: bool,
    /// The namespace objects without `metadata.namespace` will be applied to (as `helm
    /// template --namespace`); unset, they are a namespace of their own for the
    /// cross-resource rules.
    #[arg(long, short = 'n', value_name = "NAME")]
    pub namespace: Option<String>,
    /// Files or directories whose objects take part in the cross-resource rules without being
    /// reported on (the rest of the repository, when a pre-commit hook passes only the staged
    /// files). Repeatable.
    #[arg(long, value_name = "PATH")]
    pub context: Vec<String>,
    /// Apply the fixes of the findings that have one (see `fixable` in the JSON summary) to
    /// the files in place, then report what remains. Only the nodes a fix touches change;
    /// Helm-rendered input is never rewritten. With `-`: the fixed stream on stdout.
    #[arg(long)]
    pub fix: bool,
    /// With --fix: print the changes as a unified diff instead of writing them; exit 1 when
    /// there is any.
    #[arg(long, requires = "fix")]
    pub diff: bool,
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct RulesArgs {
    #[command(subcommand)]
    pub action: Option<RulesAction>,
    #[command(flatten)]
    pub policy: CommonPolicyArgs,
    #[command(flatten)]
    pub docs: DocsArgs,
    /// `human` (a table), `json`, or `markdown` (the rule reference, docs/rules.md).
    #[arg(long, short = 'f', value_enum, default_value_t = RulesFormat::Human)]
    pub format: RulesFormat,
}

/// The formats `rules` has (not lint's: `rules --format sarif` is an error, not a table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    Human,
    Json,
    Markdown,
}

#[derive(Debug, Subcommand)]
pub enum RulesAction {
    /// Write the pack as standard Rego for another engine: `opa` (the pack, its generated
    /// entry module and data) or `conftest` (the same with conftest's `deny`/`warn` entry
    /// point), with the rules' parameters, severities and enabled rules of the configuration.
    Export(ExportArgs),
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// What to write.
    #[arg(long, short = 'f', value_enum)]
    pub format: crate::export::ExportFormat,
    /// Directory to write into (created if missing; must be empty).
    #[arg(long, short = 'o', value_name = "DIR")]
    pub output: PathBuf,
    #[command(flatten)]
    pub policy: CommonPolicyArgs,
}

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Files, directories (searched recursively for *.yaml / *.yml) or `-` for stdin.
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<String>,
    #[command(flatten)]
    pub policy: CommonPolicyArgs,
    /// Refuse inputs larger than this many bytes.
    #[arg(long, value_name = "BYTES", default_value_t = crate::load::DEFAULT_MAX_FILE_BYTES)]
    pub max_file_size: u64,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// Rule id, as listed by `k8s-constitution rules`.
    pub rule: String,
    #[command(flatten)]
    pub policy: CommonPolicyArgs,
    #[command(flatten)]
    pub docs: DocsArgs,
}

#[derive(Debug, Args)]
pub struct TestArgs {
    /// Directory of Rego files with `*_test.rego` tests (default: the shipped pack).
    pub dir: Option<PathBuf>,
    /// Only run tests whose name or package contains this text.
    #[arg(long, value_name = "TEXT")]
    pub run: Option<String>,
    /// Print a per-file line coverage report.
    #[arg(long)]
    pub coverage: bool,
    /// Print passing tests too.
    #[arg(long, short = 'v')]
    pub verbose: bool,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Audit only this namespace (default: every namespace, and the cluster-scoped kinds).
    #[arg(long, short = 'n', value_name = "NS")]
    pub namespace: Option<String>,
    #[command(flatten)]
    pub policy: CommonPolicyArgs,
    #[command(flatten)]
    pub report: ReportArgs,
    /// Kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then the in-cluster service account).
    #[arg(long, value_name = "FILE")]
    pub kubeconfig: Option<PathBuf>,
    /// Kubeconfig context (default: its current context).
    #[arg(long, value_name = "NAME")]
    pub context: Option<String>,
    /// Objects per list request (pagination): at most this many full objects are held at once.
    #[arg(long, value_name = "N", default_value_t = 500, value_parser = clap::value_parser!(u32).range(1..))]
    pub page_size: u32,
    /// Also audit objects managed by a controller whose kind is audited (ReplicaSets of a
    /// Deployment, its Pods, ...). By default they are judged through their owner only.
    #[arg(long)]
    pub include_owned: bool,
    /// Evaluate only these rules (comma-separated ids).
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    pub only: Vec<String>,
    /// Skip these rules (comma-separated ids).
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    pub skip: Vec<String>,
}
