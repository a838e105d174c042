package k8sc.rules.run_as_non_root

import rego.v1

deployment(pod_sc, container_sc) := {
	"apiVersion": "apps/v1",
	"kind": "Deployment",
	"metadata": {"name": "web"},
	"spec": {"template": {"spec": {
		"securityContext": pod_sc,
		"containers": [{"name": "app", "image": "app:1.0", "securityContext": container_sc}],
	}}},
}

test_pod_level_run_as_non_root_is_inherited if {
	count(violation) == 0 with input as deployment({"runAsNonRoot": true}, {})
}

test_container_level_run_as_non_root_passes if {
	count(violation) == 0 with input as deployment({}, {"runAsNonRoot": true})
}

test_missing_everywhere_fails_at_container_path if {
	vs := violation with input as deployment({}, {})
	some v in vs
	v.path == ["spec", "template", "spec", "containers", 0, "securityContext", "runAsNonRoot"]
}

test_container_false_overrides_pod_true if {
	vs := violation with input as deployment({"runAsNonRoot": true}, {"runAsNonRoot": false})
	some v in vs
	v.path == ["spec", "template", "spec", "containers", 0, "securityContext", "runAsNonRoot"]
}

test_pod_false_reported_at_pod_path if {
	vs := violation with input as deployment({"runAsNonRoot": false}, {})
	some v in vs
	v.path == ["spec", "template", "spec", "securityContext", "runAsNonRoot"]
}

test_uid_zero_fails_even_with_run_as_non_root if {
	vs := violation with input as deployment({"runAsNonRoot": true, "runAsUser": 0}, {})
	some v in vs
	v.path == ["spec", "template", "spec", "securityContext", "runAsUser"]
}

test_configmap_is_ignored if {
	count(violation) == 0 with input as {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}, "data": {}}
}

# PSS exempts Windows pods from seccomp, capabilities and privilege escalation, not from this.
test_windows_pod_is_not_exempt if {
	obj := json.patch(deployment({}, {}), [{"op": "add", "path": "/spec/template/spec/os", "value": {"name": "windows"}}])
	count(violation) == 1 with input as obj
}
