package k8sc.rules.no_privilege_escalation

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

field_path := ["spec", "template", "spec", "containers", 0, "securityContext", "allowPrivilegeEscalation"]

paths(vs) := {v.path | some v in vs}

test_explicit_false_passes if {
	count(violation) == 0 with input as deployment({}, {"allowPrivilegeEscalation": false})
}

test_missing_fails if {
	vs := violation with input as deployment({}, {})
	paths(vs) == {field_path}
	some v in vs
	contains(v.msg, "defaults to true")
}

test_true_fails if {
	vs := violation with input as deployment({}, {"allowPrivilegeEscalation": true})
	paths(vs) == {field_path}
}

# There is no pod-level allowPrivilegeEscalation: a pod value does not satisfy the containers.
test_pod_level_value_does_not_count if {
	vs := violation with input as deployment({"allowPrivilegeEscalation": false}, {})
	paths(vs) == {field_path}
}

test_init_sidecar_and_ephemeral_containers_are_checked if {
	good := {"allowPrivilegeEscalation": false}
	obj := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {
		"initContainers": [
			{"name": "migrate", "image": "m:1"},
			{"name": "proxy", "image": "proxy:1", "restartPolicy": "Always", "securityContext": good},
		],
		"containers": [{"name": "app", "image": "a:1", "securityContext": good}],
		"ephemeralContainers": [{"name": "dbg", "image": "busybox:1.36"}],
	}}
	vs := violation with input as obj
	paths(vs) == {
		["spec", "initContainers", 0, "securityContext", "allowPrivilegeEscalation"],
		["spec", "ephemeralContainers", 0, "securityContext", "allowPrivilegeEscalation"],
	}
}

test_windows_pod_is_exempt if {
	obj := json.patch(deployment({}, {}), [{"op": "add", "path": "/spec/template/spec/os", "value": {"name": "windows"}}])
	count(violation) == 0 with input as obj
}

test_configmap_is_ignored if {
	count(violation) == 0 with input as {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}, "data": {}}
}

test_metadata_declares_the_pss_level if {
	metadata.id == "no-privilege-escalation"
	metadata.severity == "error"
	metadata.pss == "restricted"
	metadata.kinds == ["*"]
}
