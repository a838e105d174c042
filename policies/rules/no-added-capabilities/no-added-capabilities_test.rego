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

test_nothing_added_passes if {
	count(violation) == 0 with input as deployment({"capabilities": {"drop": ["ALL"]}})
}

test_net_bind_service_passes if {
	count(violation) == 0 with input as deployment({"capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]}})
}

findings(vs) := {[v.path, v.msg] | some v in vs}

restricted_msg(container, cap) := sprintf(`container %q adds capability %s; only ["NET_BIND_SERVICE"] may be added (%s is in the Pod Security baseline set; capabilities outside it are reported by no-unsafe-capabilities)`, [container, cap, cap])

# SYS_ADMIN is outside the baseline set: no-unsafe-capabilities reports it, not this rule.
test_each_forbidden_baseline_capability_is_reported_at_its_item if {
	vs := violation with input as deployment({"capabilities": {"add": ["NET_BIND_SERVICE", "SYS_ADMIN", "CHOWN", "KILL"]}})
	findings(vs) == {[add_path(2), restricted_msg("app", "CHOWN")], [add_path(3), restricted_msg("app", "KILL")]}
}

test_outside_baseline_is_left_to_no_unsafe_capabilities if {
	count(violation) == 0 with input as deployment({"capabilities": {"add": ["NET_RAW", "SYS_PTRACE"]}})
}

# Miswritten names are outside the baseline set (no-unsafe-capabilities reports them with a hint).
test_wrong_case_and_cap_prefix_are_left_to_no_unsafe_capabilities if {
	count(violation) == 0 with input as deployment({"capabilities": {"add": ["net_bind_service", "CAP_NET_BIND_SERVICE", "chown"]}})
}

# Windows pods are exempt from restricted (the baseline part is no-unsafe-capabilities').
test_windows_pod_is_exempt if {
	count(violation) == 0 with input as windows(deployment({"capabilities": {"add": ["CHOWN", "SYS_ADMIN"]}}))
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
		"ephemeralContainers": [{"name": "debugger", "image": "busybox:1.36", "securityContext": {"capabilities": {"add": ["SYS_PTRACE", "KILL"]}}}],
	}}
	vs := violation with input as obj
	findings(vs) == {[["spec", "ephemeralContainers", 0, "securityContext", "capabilities", "add", 1], restricted_msg("debugger", "KILL")]}
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
