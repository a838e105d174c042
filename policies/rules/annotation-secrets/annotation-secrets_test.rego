package k8sc.rules.annotation_secrets

import rego.v1

configmap(annotations) := {
	"apiVersion": "v1",
	"kind": "ConfigMap",
	"metadata": {"name": "c", "annotations": annotations},
}

paths(annotations) := ps if {
	ps := {v.path | some v in violation} with input as configmap(annotations)
}

annotation(key) := ["metadata", "annotations", key]

test_secret_named_annotation_fails if {
	paths({"vault-token": "hvs4Xk29dLq83", "example.com/db-password": "hunter2", "team": "payments"}) == {annotation("vault-token"), annotation("example.com/db-password")}
}

test_credential_shaped_values_fail_under_any_key if {
	paths({
		"alerts.example.com/webhook": "https://hooks.slack.com/services/T0ABCDEF1/B0ABCDEF2/Xk29dLq83mZpXk29dLq8",
		"example.com/db": "postgres://app:Hx8kLm2Pq@db:5432/app",
	}) == {annotation("alerts.example.com/webhook"), annotation("example.com/db")}
}

test_checksums_hashes_and_references_pass if {
	paths({
		"checksum/secret": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
		"checksum/config": "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae",
		"example.com/password-hash": "b1946ac92492d2347c6235b4d2611184b1946ac92492d2347c6235b4d2611184",
		"nginx.ingress.kubernetes.io/auth-secret": "basic-auth",
		"nginx.ingress.kubernetes.io/auth-type": "basic",
		"vault.hashicorp.com/agent-inject-secret-db": "database/creds/app",
		"vault.hashicorp.com/agent-inject-token": "true",
		"k8s-constitution.dev/exempt-reason": "a reason with spaces",
	}) == set()
}

test_last_applied_configuration_is_judged_by_the_core_not_as_text if {
	applied := json.marshal({"kind": "Deployment", "spec": {"template": {"spec": {"containers": [{"name": "a", "env": [{"name": "DB_PASSWORD", "value": "Xk29dLq83mZp"}]}]}}}})
	paths({"kubectl.kubernetes.io/last-applied-configuration": applied}) == set()
}

test_unparsable_last_applied_configuration_is_judged_as_text if {
	paths({"kubectl.kubernetes.io/last-applied-configuration": "{not json, password=Xk29dLq83mZp"}) == {annotation("kubectl.kubernetes.io/last-applied-configuration")}
}

test_pod_template_annotations_are_judged if {
	deployment := {
		"apiVersion": "apps/v1",
		"kind": "Deployment",
		"metadata": {"name": "d"},
		"spec": {"template": {"metadata": {"annotations": {"backup.example.com/s3-secret-key": "Xk29dLq83mZp"}}, "spec": {"containers": []}}},
	}
	found := {v.path | some v in violation} with input as deployment
	found == {["spec", "template", "metadata", "annotations", "backup.example.com/s3-secret-key"]}
}

test_message_names_the_annotation_and_kind_not_the_value if {
	messages := {v.msg | some v in violation} with input as configmap({"vault-token": "hvs4Xk29dLq83"})
	messages == {`the object's annotation "vault-token" holds a credential (literal value of a secret-named key): move it to a Secret`}
}

# The help names the annotation and where it is, never its value.
test_help_names_the_annotation if {
	hs := {v.help | some v in violation} with input as configmap({"example.com/db-password": "hunter2"})
	hs == {"Move the value of the object's annotation \"example.com/db-password\" to a Secret and have whatever reads the annotation read the Secret instead (or put the Secret's name in the annotation); rotate the exposed credential."}
	every h in hs {
		not contains(h, "hunter2")
	}
	deploy := {
		"apiVersion": "apps/v1",
		"kind": "Deployment",
		"metadata": {"name": "d"},
		"spec": {"template": {"metadata": {"annotations": {"vault-token": "hvs4Xk29dLq83"}}, "spec": {"containers": [{"name": "c", "image": "i:1"}]}}},
	}
	{v.help | some v in violation} == {"Move the value of the pod template's annotation \"vault-token\" to a Secret and have whatever reads the annotation read the Secret instead (or put the Secret's name in the annotation); rotate the exposed credential."} with input as deploy
}
