//! docs/rules.md is generated from the rules' metadata and fixtures; a rule added or changed
//! without regenerating it fails here (as kube-linter's docs/generated/checks.md does).

#[test]
fn docs_rules_md_is_the_generated_reference() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_k8s-constitution"))
        .args(["rules", "--format", "markdown", "--config", "none"])
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let generated = String::from_utf8(out.stdout).expect("UTF-8");
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules.md");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        generated == committed,
        "docs/rules.md is stale: run `k8s-constitution rules --format markdown --config none > docs/rules.md`"
    );
    // Every rule has its section, with its examples.
    for line in generated.lines().filter(|l| l.starts_with("| [`")) {
        let id = line
            .trim_start_matches("| [`")
            .split('`')
            .next()
            .expect("id");
        assert!(
            generated.contains(&format!("\n## {id}\n")),
            "no section for {id}"
        );
    }
}

#[test]
fn rules_refuses_a_format_it_does_not_have() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_k8s-constitution"))
        .args(["rules", "--format", "sarif"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        out.stdout.is_empty(),
        "no table printed for an unknown format"
    );
}
