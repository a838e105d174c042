//! Pod Security Admission conformance: the rule pack's Pod Security Standards rules (metadata
//! `pss: baseline | restricted`) against the Kubernetes project's own fixtures, the pass/fail pods
//! in `test/testdata` of the Go module k8s.io/pod-security-admission (fetched into Go's module
//! cache by `scripts/fetch-psa-testdata.sh`, which prints the directory).
//!
//! For the newest Kubernetes version in the fixtures (`<level>/v1.N/{pass,fail}/*.yaml`):
//!
//! - restricted pass: no finding from any rule whose pss is baseline or restricted;
//! - restricted fail: at least one such finding;
//! - baseline fail: at least one finding from a baseline rule;
//! - baseline pass: no finding from a baseline rule.
//!
//! All four must agree on every fixture, except the documented deviations of `DEVIATIONS` (a pass
//! fixture the pack flags on purpose, with exactly the rule listed there, in every kind); a listed
//! fixture that no longer deviates so fails the test too (the list is stale).
//!
//! Every fixture is also wrapped, metadata and spec unchanged, into each pod-spec kind
//! (Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob through
//! jobTemplate.spec.template, PodTemplate through template) and must get the same verdict there.
//! All of it is linted by the real binary in one process call over a temporary directory.
//!
//! The fixtures come from `K8SC_PSA_TESTDATA`; without it the test says it is skipped and
//! passes, unless `K8SC_REQUIRE_TOOLS=1` (as in scripts/test.sh), when it fails.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_k8s-constitution");

/// The kinds a fixture is linted as; "Pod" is the fixture file itself, unchanged.
const KINDS: [&str; 9] = [
    "Pod",
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "ReplicationController",
    "Job",
    "CronJob",
    "PodTemplate",
];

const LEVELS: [&str; 2] = ["restricted", "baseline"];
const OUTCOMES: [&str; 2] = ["pass", "fail"];

/// A pass fixture PSA admits at `level` but the pack flags on purpose, with `rule` (and no other
/// rule counting at that level), documented in that rule's metadata (`compared`).
struct Deviation {
    level: &'static str,
    fixture: &'static str,
    rule: &'static str,
    why: &'static str,
}

/// The documented deviations: every other disagreement fails the test, and so does a listed
/// fixture that agrees with PSA (in any kind) or is missing from the fixtures.
const DEVIATIONS: &[Deviation] = &[Deviation {
    level: "baseline",
    fixture: "procmount1",
    rule: "proc-mount-default",
    why: "procMount: Unmasked with hostUsers: false, which PSA baseline tolerates since v1.35; the pack \
          forbids it everywhere, as PSA restricted does (proc-mount-default's `compared`)",
}];

fn deviation(level: &str, outcome: &str, fixture: &str) -> Option<&'static Deviation> {
    DEVIATIONS
        .iter()
        .find(|d| outcome == "pass" && d.level == level && d.fixture == fixture)
}

/// Written straight to the process's stderr, past libtest's output capture, so the skip notice
/// and the agreement table show in every `cargo test` log, not only with --nocapture.
fn say(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(text.as_bytes());
    let _ = err.flush();
}

struct Fixture {
    level: &'static str,
    outcome: &'static str,
    /// The file stem, e.g. `runasnonroot0`.
    name: String,
    text: String,
}

/// `v1.N` directories of `dir`, newest last.
fn versions(dir: &Path) -> Vec<(u32, String)> {
    let mut out: Vec<(u32, String)> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(|e| {
            let name = e.ok()?.file_name().into_string().ok()?;
            let minor = name.strip_prefix("v1.")?.parse().ok()?;
            Some((minor, name))
        })
        .collect();
    out.sort();
    out
}

fn load_fixtures(root: &Path, version: &str) -> Vec<Fixture> {
    let mut out = Vec::new();
    for level in LEVELS {
        for outcome in OUTCOMES {
            let dir = root.join(level).join(version).join(outcome);
            let mut files: Vec<PathBuf> = fs::read_dir(&dir)
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
                .collect();
            files.sort();
            assert!(!files.is_empty(), "no fixtures in {}", dir.display());
            for file in files {
                let name = file
                    .file_stem()
                    .and_then(|s| s.to_str())
                    .expect("UTF-8 file name")
                    .to_string();
                let text = fs::read_to_string(&file)
                    .unwrap_or_else(|e| panic!("cannot read {}: {e}", file.display()));
                out.push(Fixture {
                    level,
                    outcome,
                    name,
                    text,
                });
            }
        }
    }
    out
}

/// The top-level `key:` blocks of a block-style YAML document (the fixtures are written by
/// sigs.k8s.io/yaml: apiVersion, kind, metadata, spec), each with its header line.
fn sections(text: &str) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        let top = !line.is_empty()
            && !line.starts_with([' ', '-', '#'])
            && line != "---"
            && line.contains(':');
        if top {
            let key = line.split(':').next().unwrap_or_default().to_string();
            current = Some(key.clone());
            out.entry(key).or_default().push(line.to_string());
        } else if let Some(key) = &current {
            out.entry(key.clone()).or_default().push(line.to_string());
        }
    }
    out
}

/// The lines shifted right by `n` spaces (a whole block moves as one, block scalars included).
fn indent(lines: &[String], n: usize) -> String {
    let pad = " ".repeat(n);
    let mut out = String::new();
    for line in lines {
        if line.trim().is_empty() {
            out.push('\n');
        } else {
            let _ = writeln!(out, "{pad}{line}");
        }
    }
    out
}

/// The fixture as `kind`: its metadata becomes the pod template's metadata (with a label for the
/// controller's selector) and its spec the pod template's spec.
fn wrap(fixture: &Fixture, kind: &str) -> String {
    if kind == "Pod" {
        return fixture.text.clone();
    }
    let sections = sections(&fixture.text);
    let mut meta = sections
        .get("metadata")
        .cloned()
        .unwrap_or_else(|| vec!["metadata:".to_string()]);
    let mut spec = sections
        .get("spec")
        .cloned()
        .unwrap_or_else(|| panic!("{}: no spec", fixture.name));
    assert!(
        !meta.iter().any(|l| l.starts_with("  labels:")),
        "{}: fixture has labels; extend wrap()",
        fixture.name
    );
    let label = format!("psa-fixture: {}", fixture.name);
    meta.push("  labels:".to_string());
    meta.push(format!("    {label}"));
    if matches!(kind, "Job" | "CronJob") && !spec.iter().any(|l| l.starts_with("  restartPolicy:"))
    {
        spec.push("  restartPolicy: Never".to_string());
    }
    let obj = fixture.name.replace('_', "-");
    let template = |n: usize| format!("{}{}", indent(&meta, n), indent(&spec, n));
    match kind {
        "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" => {
            let service = if kind == "StatefulSet" {
                format!("  serviceName: {obj}\n")
            } else {
                String::new()
            };
            format!(
                "apiVersion: apps/v1\nkind: {kind}\nmetadata:\n  name: {obj}\nspec:\n{service}  selector:\n    matchLabels:\n      {label}\n  template:\n{}",
                template(4)
            )
        }
        "ReplicationController" => format!(
            "apiVersion: v1\nkind: ReplicationController\nmetadata:\n  name: {obj}\nspec:\n  selector:\n    {label}\n  template:\n{}",
            template(4)
        ),
        "Job" => format!(
            "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: {obj}\nspec:\n  template:\n{}",
            template(4)
        ),
        "CronJob" => format!(
            "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: {obj}\nspec:\n  schedule: \"0 * * * *\"\n  jobTemplate:\n    spec:\n      template:\n{}",
            template(8)
        ),
        "PodTemplate" => format!(
            "apiVersion: v1\nkind: PodTemplate\nmetadata:\n  name: {obj}\ntemplate:\n{}",
            template(2)
        ),
        other => panic!("unknown kind {other}"),
    }
}

fn run(args: &[&str]) -> Vec<u8> {
    let out = Command::new(BIN)
        .args(args)
        .current_dir(std::env::temp_dir())
        .env("NO_COLOR", "1")
        .env_remove("K8S_CONSTITUTION_CONFIG")
        .output()
        .expect("the binary runs");
    assert!(
        out.status.success(),
        "k8s-constitution {args:?} exited {:?}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// rule id -> pss level, for the rules that have one.
fn pss_rules() -> BTreeMap<String, String> {
    let json: Value =
        serde_json::from_slice(&run(&["rules", "--format", "json"])).expect("rules JSON");
    let rules = json.as_array().expect("rules: a JSON array");
    rules
        .iter()
        .filter_map(|r| {
            Some((
                r["id"].as_str()?.to_string(),
                r["pss"].as_str()?.to_string(),
            ))
        })
        .collect()
}

/// Whether a finding of a rule with this pss level counts against a pod at `level`.
fn counts_at(level: &str, pss: &str) -> bool {
    match level {
        "restricted" => pss == "restricted" || pss == "baseline",
        "baseline" => pss == "baseline",
        other => panic!("unknown level {other}"),
    }
}

/// The relative path a fixture-as-kind is written to.
fn rel_path(f: &Fixture, kind: &str) -> String {
    format!("{}/{}/{}/{kind}.yaml", f.level, f.outcome, f.name)
}

#[test]
fn pss_rules_agree_with_pod_security_admission_fixtures() {
    let Some(root) = std::env::var_os("K8SC_PSA_TESTDATA").filter(|v| !v.is_empty()) else {
        if std::env::var("K8SC_REQUIRE_TOOLS").is_ok_and(|v| v == "1") {
            panic!(
                "K8SC_PSA_TESTDATA is not set but K8SC_REQUIRE_TOOLS=1: run \
                 K8SC_PSA_TESTDATA=$(scripts/fetch-psa-testdata.sh) cargo test --test conformance_psa"
            );
        }
        say("conformance_psa: SKIPPED: K8SC_PSA_TESTDATA is not set \
             (K8SC_PSA_TESTDATA=$(scripts/fetch-psa-testdata.sh) to run it)\n");
        return;
    };
    let root = PathBuf::from(root);
    let (minor, version) = versions(&root.join("restricted")).pop().unwrap_or_else(|| {
        panic!(
            "no v1.N fixture directories in {}/restricted",
            root.display()
        )
    });
    assert!(
        versions(&root.join("baseline"))
            .iter()
            .any(|(m, _)| *m == minor),
        "baseline fixtures lack {version}"
    );
    let fixtures = load_fixtures(&root, &version);

    let pss = pss_rules();
    for level in LEVELS {
        assert!(
            pss.values().any(|p| p == level),
            "no rule declares pss: {level}: {pss:?}"
        );
    }

    // Every fixture as every kind, in one directory, linted by one process.
    let tmp = tempfile::tempdir().expect("temp dir");
    for f in &fixtures {
        for kind in KINDS {
            let path = tmp.path().join(rel_path(f, kind));
            fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            fs::write(&path, wrap(f, kind)).expect("write");
        }
    }
    let dir = tmp.path().to_str().expect("UTF-8 temp path").to_string();
    let json: Value = serde_json::from_slice(&run(&[
        "lint",
        &dir,
        "--format",
        "json",
        "--fail-on",
        "never",
    ]))
    .expect("lint JSON");
    let objects = fixtures.len() * KINDS.len();
    assert_eq!(
        json["errors"].as_array().map(Vec::len),
        Some(0),
        "input errors: {}",
        json["errors"]
    );
    assert_eq!(
        json["summary"]["resources"].as_u64(),
        Some(objects as u64),
        "every fixture in every kind is one resource: {}",
        json["summary"]
    );

    // relative path -> rule ids with a pss level that fired there
    let mut fired: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let prefix = format!("{dir}/");
    for finding in json["findings"].as_array().expect("findings array") {
        let rule = finding["rule"].as_str().unwrap_or_default();
        if !pss.contains_key(rule) {
            continue;
        }
        let file = finding["file"].as_str().unwrap_or_default();
        let rel = file.strip_prefix(&prefix).unwrap_or(file).to_string();
        fired.entry(rel).or_default().insert(rule.to_string());
    }

    // Verdicts and the agreement table.
    let mut table = format!(
        "\nPod Security Admission conformance: k8s.io/pod-security-admission test/testdata {version}, \
         each fixture as {} ({objects} objects, one lint call)\n\n\
         | level | outcome | fixtures | agreed | documented deviations | disagreed |\n\
         |---|---|---:|---:|---|---|\n",
        KINDS.join(", ")
    );
    let mut details = String::new();
    let mut deviations = String::new();
    let mut failed = Vec::new();
    for level in LEVELS {
        for outcome in OUTCOMES {
            let group: Vec<&Fixture> = fixtures
                .iter()
                .filter(|f| f.level == level && f.outcome == outcome)
                .collect();
            let mut disagreed = Vec::new();
            let mut deviated = Vec::new();
            for f in &group {
                let listed = deviation(level, outcome, &f.name);
                // kind -> the counting rules that fired
                let mut wrong: Vec<(&str, Vec<String>)> = Vec::new();
                // whether every disagreeing kind has exactly the listed deviation's rule
                let mut as_listed = true;
                for kind in KINDS {
                    let ids: Vec<&String> = fired
                        .get(&rel_path(f, kind))
                        .into_iter()
                        .flatten()
                        .filter(|r| counts_at(level, &pss[*r]))
                        .collect();
                    let rules: Vec<String> =
                        ids.iter().map(|r| format!("{r} ({})", pss[*r])).collect();
                    let denied = !rules.is_empty();
                    if denied != (outcome == "fail") {
                        as_listed &= listed.is_some_and(|d| ids.len() == 1 && ids[0] == d.rule);
                        wrong.push((kind, rules));
                    }
                }
                if let Some(d) = listed {
                    if as_listed && wrong.len() == KINDS.len() {
                        deviated.push(f.name.clone());
                        let _ = writeln!(
                            deviations,
                            "- {level}/{version}/{outcome}/{}.yaml [every kind]: {} ({}): {}",
                            f.name, d.rule, pss[d.rule], d.why
                        );
                        continue;
                    }
                    disagreed.push(f.name.clone());
                    let _ = writeln!(
                        details,
                        "- {level}/{version}/{outcome}/{}.yaml: listed in DEVIATIONS as flagged by {} alone \
                         in every kind, but {}",
                        f.name,
                        d.rule,
                        if wrong.is_empty() {
                            "it agrees with PSA now: remove the stale entry".to_string()
                        } else {
                            let found: Vec<String> = wrong
                                .iter()
                                .map(|(k, r)| format!("{k}: {}", r.join(", ")))
                                .collect();
                            format!("found {}", found.join("; "))
                        }
                    );
                    continue;
                }
                if wrong.is_empty() {
                    continue;
                }
                disagreed.push(f.name.clone());
                let kinds: Vec<&str> = wrong.iter().map(|(k, _)| *k).collect();
                let kinds = if kinds.len() == KINDS.len() {
                    "every kind".to_string()
                } else {
                    kinds.join(", ")
                };
                let why = if outcome == "fail" {
                    let other: BTreeSet<String> = KINDS
                        .iter()
                        .flat_map(|k| fired.get(&rel_path(f, k)).into_iter().flatten())
                        .map(|r| format!("{r} ({})", pss[r]))
                        .collect();
                    format!(
                        "PSA denies it, no {level}-level finding{}",
                        if other.is_empty() {
                            String::new()
                        } else {
                            format!(
                                " (pss findings of other levels: {})",
                                other.into_iter().collect::<Vec<_>>().join(", ")
                            )
                        }
                    )
                } else {
                    let rules: BTreeSet<&String> = wrong.iter().flat_map(|(_, r)| r).collect();
                    format!(
                        "PSA allows it, found: {}",
                        rules
                            .into_iter()
                            .map(String::as_str)
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                };
                let _ = writeln!(
                    details,
                    "- {level}/{version}/{outcome}/{}.yaml [{kinds}]: {why}",
                    f.name
                );
            }
            let listing = |names: &[String]| {
                if names.is_empty() {
                    "0".to_string()
                } else {
                    format!("{}: {}", names.len(), names.join(", "))
                }
            };
            let _ = writeln!(
                table,
                "| {level} | {outcome} | {} | {} | {} | {} |",
                group.len(),
                group.len() - disagreed.len() - deviated.len(),
                listing(&deviated),
                listing(&disagreed),
            );
            if !disagreed.is_empty() {
                failed.push(format!("{level} {outcome}"));
            }
        }
    }
    for d in DEVIATIONS {
        if !fixtures
            .iter()
            .any(|f| f.level == d.level && f.outcome == "pass" && f.name == d.fixture)
        {
            let _ = writeln!(
                details,
                "- {}/{version}/pass/{}.yaml: listed in DEVIATIONS but not among the fixtures: remove the stale entry",
                d.level, d.fixture
            );
            failed.push(format!("stale deviation {} {}", d.level, d.fixture));
        }
    }
    if !deviations.is_empty() {
        let _ = write!(
            table,
            "\nDocumented deviations (DEVIATIONS; the pack is stricter on purpose):\n{deviations}"
        );
    }
    if !details.is_empty() {
        let _ = write!(table, "\nDisagreements:\n{details}");
    }
    say(&table);
    assert!(
        failed.is_empty(),
        "the rule pack disagrees with Pod Security Admission on: {}",
        failed.join("; ")
    );
}

#[test]
fn wrapping_keeps_the_pod_spec_and_metadata() {
    let fixture = Fixture {
        level: "restricted",
        outcome: "fail",
        name: "apparmor_x".to_string(),
        text:
            "apiVersion: v1\nkind: Pod\nmetadata:\n  annotations:\n    a/b: c\n  name: apparmor_x\n\
               spec:\n  containers:\n  - image: i\n    name: c\n  hostPID: true\n"
                .to_string(),
    };
    assert_eq!(
        wrap(&fixture, "CronJob"),
        "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: apparmor-x\nspec:\n  schedule: \"0 * * * *\"\n  \
         jobTemplate:\n    spec:\n      template:\n        metadata:\n          annotations:\n            a/b: c\n          \
         name: apparmor_x\n          labels:\n            psa-fixture: apparmor_x\n        spec:\n          containers:\n          \
         - image: i\n            name: c\n          hostPID: true\n          restartPolicy: Never\n"
    );
    assert_eq!(
        wrap(&fixture, "PodTemplate"),
        "apiVersion: v1\nkind: PodTemplate\nmetadata:\n  name: apparmor-x\ntemplate:\n  metadata:\n    annotations:\n      \
         a/b: c\n    name: apparmor_x\n    labels:\n      psa-fixture: apparmor_x\n  spec:\n    containers:\n    - image: i\n      \
         name: c\n    hostPID: true\n"
    );
    assert!(wrap(&fixture, "StatefulSet").contains("\n  serviceName: apparmor-x\n  selector:\n    matchLabels:\n      psa-fixture: apparmor_x\n  template:\n    metadata:\n"));
    assert_eq!(wrap(&fixture, "Pod"), fixture.text);
}
