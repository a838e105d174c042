//! Checks every rule fixture: `fixtures/rules/<id>/fail/*.yaml` must produce exactly the
//! findings of `<id>` listed in its `# expect: <id> <path>` lines, and `pass/*.yaml` none.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use k8s_constitution::config::Config;
use k8s_constitution::core::{Core, Selection};
use k8s_constitution::lint;
use k8s_constitution::load::LoadOptions;
use k8s_constitution::policy::PackSource;

fn fixture_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| entries.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"));
    files.sort();
    files
}

fn expected(text: &str, rule: &str) -> BTreeSet<String> {
    text.lines()
        .filter_map(|l| l.strip_prefix("# expect:"))
        .filter_map(|l| {
            let mut parts = l.trim().splitn(2, ' ');
            let (id, path) = (parts.next()?, parts.next()?.trim());
            (id == rule).then(|| path.to_string())
        })
        .collect()
}

#[test]
fn every_fixture_yields_exactly_its_expected_findings() {
    let core = Core::load(
        PackSource::default(),
        Config::default(),
        Selection::default(),
    )
    .expect("pack loads");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/rules");
    let mut problems = Vec::new();
    let mut checked = 0;
    for rule in core.pack().rules() {
        let dir = root.join(&rule.id);
        let (pass, fail) = (
            fixture_files(&dir.join("pass")),
            fixture_files(&dir.join("fail")),
        );
        if pass.is_empty() || fail.is_empty() {
            problems.push(format!(
                "{}: needs at least one pass and one fail fixture in {}",
                rule.id,
                dir.display()
            ));
        }
        for (file, must_fail) in pass
            .iter()
            .map(|f| (f, false))
            .chain(fail.iter().map(|f| (f, true)))
        {
            checked += 1;
            let text = std::fs::read_to_string(file).unwrap_or_default();
            let report =
                lint::lint_paths(&core, &[file.display().to_string()], LoadOptions::default());
            if !report.errors.is_empty() {
                problems.push(format!(
                    "{}: input errors {:?}",
                    file.display(),
                    report.errors
                ));
            }
            let got: BTreeSet<String> = report
                .findings
                .iter()
                .filter(|f| f.rule == rule.id)
                .map(|f| f.path.to_string())
                .collect();
            let want = if must_fail {
                expected(&text, &rule.id)
            } else {
                BTreeSet::new()
            };
            if must_fail && want.is_empty() {
                problems.push(format!(
                    "{}: fail fixture without `# expect: {} <path>` lines",
                    file.display(),
                    rule.id
                ));
            }
            if got != want {
                problems.push(format!(
                    "{}:\n    expected {:?}\n    got      {:?}",
                    file.display(),
                    want,
                    got
                ));
            }
        }
    }
    assert!(checked > 0, "no fixtures checked");
    assert!(
        problems.is_empty(),
        "{} fixture problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
