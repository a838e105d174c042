package k8sc.rules.no_added_capabilities

import rego.v1

deployment(container_sc) := {
	"apiVersion": "apps/v1",
	"kind": "Deployment",
	"metadata": {"name": "web"},
	"spec": {"template": {"spec": {"containers": [{"name": "app", "image": "app:1.0", "securityContext": container_sc}]}}},
}

windows(obj) := json.patch(obj, [{"op": "add", "path": "/spec/template/spec/os", "value": {"name": "windows"}}])

add_path(i) := ["spec", "template", "spec", "containers", 0, "securityContext", "capabilities", "add", i]

paths(vs) := {v.path | some v in vs}

test_nothing_added_passes if {
	count(violation) == 0 with input as deployment({"capabilities": {"drop": ["ALL"]}})
}

test_net_bind_service_passes if {
	count(violation) == 0 with input as deployment({"capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]}})
}

test_each_forbidden_capability_is_reported_at_its_item if {
	vs := violation with input as deployment({"capabilities": {"add": ["NET_BIND_SERVICE", "SYS_ADMIN", "CHOWN"]}})
	paths(vs) == {add_path(1), add_path(2)}
}

test_outside_baseline_is_called_out if {
	vs := violation with input as deployment({"capabilities": {"add": ["NET_RAW"]}})
	some v in vs
	contains(v.msg, "outside even the Pod Security baseline set")
}

test_baseline_capability_is_still_a_restricted_violation if {
	vs := violation with input as deployment({"capabilities": {"add": ["CHOWN"]}})
	some v in vs
	not contains(v.msg, "baseline")
	v.path == add_path(0)
}

test_wrong_case_and_cap_prefix_fail_with_a_hint if {
	vs := violation with input as deployment({"capabilities": {"add": ["net_bind_service", "CAP_NET_BIND_SERVICE"]}})
	paths(vs) == {add_path(0), add_path(1)}
	every v in vs {
		contains(v.msg, "case-sensitively")
	}
}

# Windows pods are exempt from restricted but not from baseline.
test_windows_pod_keeps_the_baseline_part if {
	vs := violation with input as windows(deployment({"capabilities": {"add": ["CHOWN", "SYS_ADMIN"]}}))
	paths(vs) == {add_path(1)}
}

test_param_widens_the_allowed_set if {
	count(violation) == 0 with input as deployment({"capabilities": {"add": ["NET_BIND_SERVICE", "CHOWN"]}})
		with data.k8sc.params as {"no-added-capabilities": {"allowed_added_capabilities": ["NET_BIND_SERVICE", "CHOWN"]}}
}

test_pod_level_capabilities_are_not_a_field if {
	obj := json.patch(deployment({}), [{"op": "add", "path": "/spec/template/spec/securityContext", "value": {"capabilities": {"add": ["SYS_ADMIN"]}}}])
	count(violation) == 0 with input as obj
}

test_ephemeral_container_is_checked if {
	obj := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {
		"containers": [{"name": "app", "image": "app:1"}],
		"ephemeralContainers": [{"name": "debugger", "image": "busybox:1.36", "securityContext": {"capabilities": {"add": ["SYS_PTRACE"]}}}],
	}}
	vs := violation with input as obj
	paths(vs) == {["spec", "ephemeralContainers", 0, "securityContext", "capabilities", "add", 0]}
}

test_null_add_passes if {
	count(violation) == 0 with input as deployment({"capabilities": {"add": null}})
}

test_service_is_ignored if {
	count(violation) == 0 with input as {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"}, "spec": {"ports": [{"port": 80}]}}
}

test_metadata_declares_the_pss_level if {
	metadata.id == "no-added-capabilities"
	metadata.severity == "error"
	metadata.pss == "restricted"
	metadata.kinds == ["*"]
}

test_default_matches_metadata if {
	allowed_list == metadata.params.allowed_added_capabilities
}
