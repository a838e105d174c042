//! The pack is standard Rego: OPA, the reference engine (built from the Go module proxy by
//! scripts/install-tools.sh into .tools/bin), must accept it (`opa check --strict`), pass the
//! same number of its tests as `k8s-constitution test`, and answer exactly what the binary
//! answers for every object of every fixture and of a generated corpus, cross-resource rules
//! included. A Rego change or an engine patch that makes the two disagree fails here with the
//! differing object shown. Without OPA these tests fail (K8SC_SKIP_OPA=1 skips them on a
//! machine without Go, never in CI: scripts/test.sh sets K8SC_REQUIRE_TOOLS=1).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn binary() -> &'static str {
    env!("CARGO_BIN_EXE_k8s-constitution")
}

fn tool(name: &str) -> Option<PathBuf> {
    if std::env::var_os("K8SC_SKIP_OPA").is_some() {
        assert!(
            std::env::var("K8SC_REQUIRE_TOOLS").as_deref() != Ok("1"),
            "K8SC_SKIP_OPA is set but K8SC_REQUIRE_TOOLS=1: the OPA parity tests must run"
        );
        eprintln!("SKIPPED: OPA parity tests (K8SC_SKIP_OPA is set)");
        return None;
    }
    let path = repo().join(".tools/bin").join(name);
    assert!(
        path.is_file(),
        "{name} is missing: run scripts/install-tools.sh {name} (or set K8SC_SKIP_OPA=1)"
    );
    Some(path)
}

fn run(program: &Path, args: &[&str]) -> std::process::Output {
    Command::new(program)
        .args(args)
        .current_dir(repo())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", program.display()))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn opa_check_strict_accepts_the_pack() {
    let Some(opa) = tool("opa") else { return };
    let out = run(&opa, &["check", "--strict", "policies"]);
    assert!(
        out.status.success(),
        "opa check --strict policies failed:\n{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
}

/// `PASS: n/m` from `opa test`, `n passed, 0 failed` from ours: the same n, and every test
/// passing in both.
#[test]
fn opa_test_passes_as_many_tests_as_ours() {
    let Some(opa) = tool("opa") else { return };
    let out = run(&opa, &["test", "policies"]);
    let opa_text = text(&out.stdout);
    assert!(
        out.status.success(),
        "opa test policies failed:\n{opa_text}"
    );
    let opa_passed: usize = opa_text
        .lines()
        .find_map(|l| l.strip_prefix("PASS: "))
        .and_then(|l| l.split('/').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no 'PASS: n/m' line from opa test:\n{opa_text}"));
    let ours = run(Path::new(binary()), &["test"]);
    let ours_text = text(&ours.stdout);
    assert!(
        ours.status.success(),
        "k8s-constitution test failed:\n{ours_text}"
    );
    let ours_passed: usize = ours_text
        .lines()
        .find_map(|l| l.strip_suffix(" passed, 0 failed"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| {
            panic!("no 'n passed, 0 failed' line from k8s-constitution test:\n{ours_text}")
        });
    assert!(ours_passed > 500, "suspiciously few tests: {ours_passed}");
    assert_eq!(
        opa_passed, ours_passed,
        "opa test and k8s-constitution test ran different numbers of tests"
    );
}

/// Sets come back as arrays in either engine's own order: compare them sorted.
fn canonical(value: &Value) -> Value {
    match value {
        Value::Array(items) => {
            let mut items: Vec<Value> = items.iter().map(canonical).collect();
            items.sort_by_key(|v| v.to_string());
            Value::Array(items)
        }
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), canonical(v)))
                .collect::<BTreeMap<_, _>>()
                .into_iter()
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Runs `k8s-constitution eval` and OPA over the same inputs and compares every object's
/// result and the set result. Returns how many objects were compared.
fn compare_with_opa(opa: &Path, paths: &[&str]) -> usize {
    let scratch = tempfile::tempdir().expect("temp dir");
    let export = export_pack("opa", scratch.path());

    let mut args = vec!["eval"];
    args.extend_from_slice(paths);
    let out = run(Path::new(binary()), &args);
    // Exit 2 is expected where fixtures are deliberately unreadable; the rest is judged.
    assert!(
        matches!(out.status.code(), Some(0 | 2)),
        "eval failed: {}",
        text(&out.stderr)
    );
    let ours: Value = serde_json::from_slice(&out.stdout).expect("eval prints JSON");
    let objects = ours["objects"].as_array().expect("objects").clone();
    assert!(!objects.is_empty(), "eval found no object in {paths:?}");
    let inputs: Vec<&Value> = objects.iter().map(|o| &o["input"]).collect();
    let input_file = scratch.path().join("input.json");
    std::fs::write(
        &input_file,
        serde_json::to_vec(&json!({"objects": inputs})).expect("json"),
    )
    .expect("write input");

    // The same two queries the binary runs, once per object and once over all of them.
    let parity = scratch.path().join("parity.rego");
    std::fs::write(
        &parity,
        "package k8sc.parity\n\nimport rego.v1\n\n\
         objects := [r | some o in input.objects; r := data.k8sc.generated.object_result with input as o]\n\n\
         set := s if {\n\ts := data.k8sc.generated.set_violations with input as {\"resources\": input.objects}\n}\n",
    )
    .expect("write parity.rego");
    let query = "data.k8sc.parity";
    let out = run(
        opa,
        &[
            "eval",
            "--format",
            "raw",
            "--data",
            export.join("policy").to_str().expect("utf-8"),
            "--data",
            export.join("data").to_str().expect("utf-8"),
            "--data",
            parity.to_str().expect("utf-8"),
            "--input",
            input_file.to_str().expect("utf-8"),
            query,
        ],
    );
    assert!(
        out.status.success(),
        "opa eval failed: {}",
        text(&out.stderr)
    );
    let theirs: Value = serde_json::from_slice(&out.stdout).expect("opa prints JSON");
    let their_objects = theirs["objects"].as_array().expect("OPA's objects");
    assert_eq!(
        their_objects.len(),
        objects.len(),
        "OPA answered for a different number of objects"
    );

    let mut differences = Vec::new();
    for (ours, theirs) in objects.iter().zip(their_objects) {
        if canonical(&ours["result"]) != canonical(theirs) {
            differences.push(format!(
                "{} document {}{}:\n  ours: {}\n  OPA:  {}",
                ours["file"].as_str().unwrap_or("?"),
                ours["document"],
                ours["prefix"]
                    .as_str()
                    .filter(|p| !p.is_empty())
                    .map(|p| format!(" {p}"))
                    .unwrap_or_default(),
                canonical(&ours["result"]),
                canonical(theirs)
            ));
        }
    }
    if canonical(&ours["set"]["result"]) != canonical(&theirs["set"]) {
        differences.push(format!(
            "cross-resource rules:\n  ours: {}\n  OPA:  {}",
            canonical(&ours["set"]["result"]),
            canonical(&theirs["set"])
        ));
    }
    assert!(
        differences.is_empty(),
        "OPA and k8s-constitution disagree on {} of {} objects (or the set):\n{}",
        differences.len(),
        objects.len(),
        differences.join("\n")
    );
    objects.len()
}

#[test]
fn opa_answers_what_the_binary_answers_on_every_fixture() {
    let Some(opa) = tool("opa") else { return };
    let compared = compare_with_opa(&opa, &["fixtures"]);
    assert!(compared > 300, "only {compared} fixture objects compared");
}

/// `rules export --format FORMAT` into `dir/export`.
fn export_pack(format: &str, dir: &Path) -> PathBuf {
    let export = dir.join("export");
    let out = run(
        Path::new(binary()),
        &[
            "rules",
            "export",
            "--format",
            format,
            "--output",
            export.to_str().expect("utf-8"),
        ],
    );
    assert!(
        out.status.success(),
        "rules export failed: {}",
        text(&out.stderr)
    );
    export
}

/// `count` resources of the benchmark corpus (20 files) in `dir/corpus`.
fn generated_corpus(dir: &Path, count: usize) -> PathBuf {
    let corpus = dir.join("corpus");
    let out = run(
        &gen_corpus(),
        &[&count.to_string(), corpus.to_str().expect("utf-8"), "20"],
    );
    assert!(
        out.status.success(),
        "gen_corpus failed: {}",
        text(&out.stderr)
    );
    corpus
}

/// The generator of the benchmark corpus, built by `cargo test` with the other examples.
fn gen_corpus() -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("target/<profile>/deps/..");
    let generator = profile_dir.join("examples/gen_corpus");
    assert!(
        generator.is_file(),
        "{} is missing (cargo test builds the examples)",
        generator.display()
    );
    generator
}

#[test]
fn opa_answers_what_the_binary_answers_on_a_generated_corpus() {
    let Some(opa) = tool("opa") else { return };
    let scratch = tempfile::tempdir().expect("temp dir");
    let corpus = generated_corpus(scratch.path(), 2000);
    let compared = compare_with_opa(&opa, &[corpus.to_str().expect("utf-8")]);
    assert_eq!(compared, 2000);
}

/// Findings per `(rule, severity)`: conftest's messages start with the rule id.
fn conftest_counts(results: &Value) -> BTreeMap<(String, String), usize> {
    let mut counts = BTreeMap::new();
    for result in results.as_array().expect("conftest results") {
        for (field, severity) in [("failures", "error"), ("warnings", "warning")] {
            for finding in result[field].as_array().into_iter().flatten() {
                let msg = finding["msg"].as_str().expect("msg");
                let rule = msg.split(':').next().expect("rule id").to_string();
                *counts.entry((rule, severity.to_string())).or_default() += 1;
            }
        }
    }
    counts
}

/// `rules export --format conftest` run by real conftest (built by install-tools.sh) over a
/// generated 2,000-resource corpus with `--combine` (so the cross-resource rules run): the
/// same findings per rule and severity as `lint`.
#[test]
fn conftest_export_finds_what_lint_finds() {
    let Some(conftest) = tool("conftest") else {
        return;
    };
    let scratch = tempfile::tempdir().expect("temp dir");
    let corpus = generated_corpus(scratch.path(), 2000);
    let export = export_pack("conftest", scratch.path());

    let out = run(
        &conftest,
        &[
            "test",
            "--policy",
            export.join("policy").to_str().expect("utf-8"),
            "--data",
            export.join("data").to_str().expect("utf-8"),
            "--combine",
            "--output",
            "json",
            corpus.to_str().expect("utf-8"),
        ],
    );
    // conftest exits 1 when anything is denied.
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "conftest failed: {}",
        text(&out.stderr)
    );
    let theirs =
        conftest_counts(&serde_json::from_slice(&out.stdout).expect("conftest prints JSON"));

    let out = run(
        Path::new(binary()),
        &[
            "lint",
            corpus.to_str().expect("utf-8"),
            "--format",
            "json",
            "--fail-on",
            "never",
        ],
    );
    assert!(out.status.success(), "lint failed: {}", text(&out.stderr));
    let report: Value = serde_json::from_slice(&out.stdout).expect("lint prints JSON");
    let mut ours: BTreeMap<(String, String), usize> = BTreeMap::new();
    for finding in report["findings"].as_array().expect("findings") {
        let key = (
            finding["rule"].as_str().expect("rule").to_string(),
            finding["severity"].as_str().expect("severity").to_string(),
        );
        *ours.entry(key).or_default() += 1;
    }
    assert!(
        ours.values().sum::<usize>() > 1000,
        "the corpus should break many rules: {ours:?}"
    );
    assert!(
        ours.keys().any(|(rule, _)| rule == "pdb-coverage"),
        "the corpus should exercise a cross-resource rule"
    );
    assert_eq!(
        theirs, ours,
        "conftest over the export and lint disagree (per rule and severity)"
    );
}
