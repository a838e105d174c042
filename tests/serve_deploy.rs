//! deploy/ and `certs`: the webhook's own manifests pass its own rules, the webhook
//! configuration asks for exactly the kinds the per-object rules look at, and `certs` writes
//! a chain the server accepts.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_k8s-constitution");

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn deploy_manifests_lint_clean() {
    let out = Command::new(BIN)
        .args(["lint", "--format", "json", "deploy"])
        .current_dir(root())
        .env_remove("K8S_CONSTITUTION_CONFIG")
        .output()
        .expect("run lint");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "deploy/ has errors:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Where the API server sends a kind: (API group, resource).
fn resource_of(kind: &str) -> Option<(&'static str, &'static str)> {
    Some(match kind {
        "Pod" => ("", "pods"),
        "PodTemplate" => ("", "podtemplates"),
        "ReplicationController" => ("", "replicationcontrollers"),
        "ConfigMap" => ("", "configmaps"),
        "Secret" => ("", "secrets"),
        "Service" => ("", "services"),
        "ServiceAccount" => ("", "serviceaccounts"),
        "Namespace" => ("", "namespaces"),
        "Deployment" => ("apps", "deployments"),
        "ReplicaSet" => ("apps", "replicasets"),
        "StatefulSet" => ("apps", "statefulsets"),
        "DaemonSet" => ("apps", "daemonsets"),
        "Job" => ("batch", "jobs"),
        "CronJob" => ("batch", "cronjobs"),
        "Ingress" => ("networking.k8s.io", "ingresses"),
        "NetworkPolicy" => ("networking.k8s.io", "networkpolicies"),
        "PodDisruptionBudget" => ("policy", "poddisruptionbudgets"),
        "HorizontalPodAutoscaler" => ("autoscaling", "horizontalpodautoscalers"),
        "Role" => ("rbac.authorization.k8s.io", "roles"),
        "ClusterRole" => ("rbac.authorization.k8s.io", "clusterroles"),
        "RoleBinding" => ("rbac.authorization.k8s.io", "rolebindings"),
        "ClusterRoleBinding" => ("rbac.authorization.k8s.io", "clusterrolebindings"),
        _ => return None,
    })
}

#[test]
fn webhook_rules_cover_exactly_the_kinds_of_per_object_rules() {
    let out = Command::new(BIN)
        .args(["rules", "--format", "json"])
        .output()
        .expect("rules");
    let rules: Vec<Value> = serde_json::from_slice(&out.stdout).expect("rules json");
    let mut wanted = BTreeSet::new();
    for rule in rules.iter().filter(|r| r["needs_all_resources"] != true) {
        for kind in rule["kinds"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            let kinds: Vec<&str> = if kind == "*" {
                k8s_constitution::audit::POD_SPEC_KINDS.to_vec()
            } else {
                vec![kind]
            };
            for k in kinds {
                let Some((group, resource)) = resource_of(k) else {
                    panic!(
                        "rule {} looks at kind {k}: add it to resource_of() here and to deploy/base/webhook.yaml",
                        rule["id"]
                    );
                };
                wanted.insert((group.to_string(), resource.to_string()));
            }
        }
    }

    let text =
        std::fs::read_to_string(root().join("deploy/base/webhook.yaml")).expect("webhook.yaml");
    let loaded = k8s_constitution::load::load_str(
        "webhook.yaml",
        &text,
        k8s_constitution::load::LoadOptions::default(),
    );
    let config: serde_json::Value = serde_json::to_value(
        &loaded
            .resources
            .first()
            .expect("a ValidatingWebhookConfiguration")
            .object,
    )
    .expect("serializable");
    let mut registered = BTreeSet::new();
    for webhook in config["webhooks"].as_array().expect("webhooks") {
        let name = webhook["name"].as_str().unwrap_or_default();
        assert_eq!(
            webhook["admissionReviewVersions"],
            serde_json::json!(["v1"]),
            "{name}"
        );
        assert_eq!(webhook["sideEffects"], "None", "{name}");
        assert!(
            webhook["timeoutSeconds"]
                .as_i64()
                .is_some_and(|t| (1..=5).contains(&t)),
            "{name}"
        );
        assert_eq!(webhook["matchPolicy"], "Equivalent", "{name}");
        let excluded = &webhook["namespaceSelector"]["matchExpressions"][0];
        assert_eq!(excluded["key"], "kubernetes.io/metadata.name");
        assert_eq!(excluded["operator"], "NotIn");
        for ns in ["kube-system", "kube-node-lease", "k8s-constitution"] {
            assert!(
                excluded["values"]
                    .as_array()
                    .is_some_and(|v| v.iter().any(|x| x == ns)),
                "{name} must exclude {ns}"
            );
        }
        assert_eq!(webhook["clientConfig"]["service"]["path"], "/validate");
        for rule in webhook["rules"].as_array().expect("rules") {
            assert_eq!(
                rule["operations"],
                serde_json::json!(["CREATE", "UPDATE"]),
                "{name}"
            );
            for group in rule["apiGroups"].as_array().expect("apiGroups") {
                for resource in rule["resources"].as_array().expect("resources") {
                    let resource = resource.as_str().unwrap_or_default();
                    assert!(
                        !resource.contains('*') && resource != "leases" && resource != "events",
                        "{resource}"
                    );
                    registered.insert((
                        group.as_str().unwrap_or_default().to_string(),
                        resource.to_string(),
                    ));
                }
            }
        }
    }
    // Fail-closed for everything that can deny; fail-open only where the rules merely warn.
    assert_eq!(config["webhooks"][0]["failurePolicy"], "Fail");
    assert_eq!(
        registered, wanted,
        "deploy/base/webhook.yaml must register exactly what the per-object rules look at"
    );
}

#[test]
fn certs_writes_a_chain_and_prints_the_ca_bundle() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = Command::new(BIN)
        .args([
            "certs",
            "--service",
            "wh",
            "--namespace",
            "ops",
            "--host",
            "10.1.2.3",
            "--print-ca-bundle",
            "--out",
        ])
        .arg(dir.path())
        .output()
        .expect("certs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ca = std::fs::read_to_string(dir.path().join("ca.crt")).expect("ca.crt");
    let bundle = String::from_utf8_lossy(&out.stdout).trim().to_string();
    use base64::Engine as _;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(&bundle)
        .expect("base64 caBundle");
    assert_eq!(decoded, ca.as_bytes());
    let stderr = String::from_utf8_lossy(&out.stderr);
    for name in [
        "wh",
        "wh.ops",
        "wh.ops.svc",
        "wh.ops.svc.cluster.local",
        "10.1.2.3",
    ] {
        assert!(stderr.contains(name), "{name} missing: {stderr}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(dir.path().join("tls.key"))
            .expect("key")
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "tls.key must not be readable by others");
    }
    // Existing files are not overwritten without --force.
    let again = Command::new(BIN)
        .args(["certs", "--out"])
        .arg(dir.path())
        .output()
        .expect("certs");
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));
}
