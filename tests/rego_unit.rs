//! Runs every Rego unit test of the shipped pack (the same runner as `k8s-constitution test`).

use k8s_constitution::{policy, testing};

#[test]
fn every_rego_unit_test_passes() {
    let run = testing::run(&policy::embedded_files(), None, false).expect("pack compiles");
    let failures: Vec<String> = run
        .results
        .iter()
        .filter(|r| r.outcome != testing::Outcome::Pass)
        .map(|r| format!("{}.{}: {:?}", r.package, r.name, r.outcome))
        .collect();
    assert!(!run.results.is_empty(), "no Rego tests found");
    assert!(
        failures.is_empty(),
        "failing Rego tests:\n{}",
        failures.join("\n")
    );
}

#[test]
fn every_rule_has_unit_tests() {
    let files = policy::embedded_files();
    let pack = policy::PolicyPack::load(&policy::PackSource::default()).expect("pack loads");
    for rule in pack.rules() {
        let test_file = format!("policies/rules/{0}/{0}_test.rego", rule.id);
        assert!(
            files
                .iter()
                .any(|f| f.path == test_file && f.text.contains("\ntest_")),
            "rule {} has no tests in {test_file}",
            rule.id
        );
    }
}

#[test]
fn a_failing_test_is_reported_as_failed() {
    // The runner itself must be able to fail: undefined and false both count as failures.
    let files = vec![policy::PolicyFile {
        path: "x_test.rego".into(),
        text: "package x\nimport rego.v1\ntest_false if { 1 == 2 }\ntest_true if { 1 == 1 }\ntest_value := false\n".into(),
    }];
    let run = testing::run(&files, None, false).expect("compiles");
    assert_eq!(run.passed(), 1);
    assert_eq!(run.failed(), 2);
}
