//! What can go wrong loading or running a rule pack (shared with build.rs, which compiles the
//! embedded pack).

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum PackError {
    #[error("cannot read policy directory {path}: {source}")]
    #[diagnostic(code(k8sc::policy::io))]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("policy {path} does not compile: {message}")]
    #[diagnostic(code(k8sc::policy::compile))]
    Compile { path: String, message: String },
    #[error("rule package {package} has invalid metadata: {message}")]
    #[diagnostic(
        code(k8sc::policy::metadata),
        help(
            "see CONTRIBUTING.md: metadata needs id, title, severity (error|warning), section, rationale, remediation, kinds"
        )
    )]
    Metadata { package: String, message: String },
    #[error("two rules use the id {id}: {first} and {second}")]
    #[diagnostic(code(k8sc::policy::duplicate))]
    Duplicate {
        id: String,
        first: String,
        second: String,
    },
    #[error("evaluation failed: {0}")]
    #[diagnostic(code(k8sc::policy::eval))]
    Eval(String),
}
