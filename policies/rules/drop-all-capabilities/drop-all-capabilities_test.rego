package k8sc.rules.drop_all_capabilities

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

paths(vs) := {v.path | some v in vs}

test_drop_all_passes if {
	count(violation) == 0 with input as deployment({}, {"capabilities": {"drop": ["ALL"]}})
}

test_drop_all_among_others_passes if {
	count(violation) == 0 with input as deployment({}, {"capabilities": {"drop": ["NET_RAW", "ALL"], "add": ["NET_BIND_SERVICE"]}})
}

test_missing_fails_at_drop_path if {
	vs := violation with input as deployment({}, {})
	paths(vs) == {["spec", "template", "spec", "containers", 0, "securityContext", "capabilities", "drop"]}
}

test_dropping_some_is_not_enough if {
	vs := violation with input as deployment({}, {"capabilities": {"drop": ["NET_RAW", "SYS_ADMIN"]}})
	paths(vs) == {["spec", "template", "spec", "containers", 0, "securityContext", "capabilities", "drop"]}
}

# Pod Security admission compares "ALL" case-sensitively: "all" is reported at the item.
test_lowercase_all_fails_at_the_item if {
	vs := violation with input as deployment({}, {"capabilities": {"drop": ["NET_RAW", "all"]}})
	vs == {{
		"msg": "container \"app\" drops \"all\": write it \"ALL\" in capitals (Pod Security admission compares capability names case-sensitively)",
		"path": ["spec", "template", "spec", "containers", 0, "securityContext", "capabilities", "drop", 1],
	}}
}

# Capabilities are per container only: a pod-level securityContext cannot satisfy the rule.
test_pod_level_capabilities_do_not_count if {
	vs := violation with input as deployment({"capabilities": {"drop": ["ALL"]}}, {})
	vs == {{
		"msg": "container \"app\" does not drop ALL capabilities (securityContext.capabilities.drop must contain \"ALL\")",
		"path": ["spec", "template", "spec", "containers", 0, "securityContext", "capabilities", "drop"],
	}}
}

test_null_capabilities_fail if {
	vs := violation with input as deployment(null, {"capabilities": {"drop": null}})
	paths(vs) == {["spec", "template", "spec", "containers", 0, "securityContext", "capabilities", "drop"]}
}

test_init_sidecar_and_ephemeral_containers_are_checked if {
	good := {"capabilities": {"drop": ["ALL"]}}
	obj := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {
		"initContainers": [
			{"name": "migrate", "image": "migrate:1", "securityContext": good},
			{"name": "log-shipper", "image": "shipper:1", "restartPolicy": "Always"},
		],
		"containers": [{"name": "app", "image": "app:1", "securityContext": good}],
		"ephemeralContainers": [{"name": "debugger", "image": "busybox:1.36"}],
	}}
	vs := violation with input as obj
	paths(vs) == {
		["spec", "initContainers", 1, "securityContext", "capabilities", "drop"],
		["spec", "ephemeralContainers", 0, "securityContext", "capabilities", "drop"],
	}
}

test_windows_pod_is_exempt if {
	obj := json.patch(deployment({}, {}), [{"op": "add", "path": "/spec/template/spec/os", "value": {"name": "windows"}}])
	count(violation) == 0 with input as obj
	# ... from the wrong-case finding too (written against a mutant that dropped its check).
	lower := json.patch(deployment({}, {"capabilities": {"drop": ["all"]}}), [{"op": "add", "path": "/spec/template/spec/os", "value": {"name": "windows"}}])
	count(violation) == 0 with input as lower
}

test_linux_os_is_not_exempt if {
	obj := json.patch(deployment({}, {}), [{"op": "add", "path": "/spec/template/spec/os", "value": {"name": "linux"}}])
	paths(violation) == {["spec", "template", "spec", "containers", 0, "securityContext", "capabilities", "drop"]} with input as obj
}

# Items that are not strings are no capability names (upper() of a number is an error): the
# list is judged on its strings (written against mutants that dropped the is_string checks).
test_non_string_items_are_not_names if {
	paths(violation) == {["spec", "template", "spec", "containers", 0, "securityContext", "capabilities", "drop"]} with input as deployment({}, {"capabilities": {"drop": [1]}})
	paths(violation) == {["spec", "template", "spec", "containers", 0, "securityContext", "capabilities", "drop", 1]} with input as deployment({}, {"capabilities": {"drop": [1, "all"]}})
}

test_configmap_is_ignored if {
	count(violation) == 0 with input as {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}, "data": {}}
}

test_metadata_declares_the_pss_level if {
	metadata.id == "drop-all-capabilities"
	metadata.severity == "error"
	metadata.pss == "restricted"
	metadata.kinds == ["*"]
}

# "ALL" in capitals anywhere in the list is enough: a lowercase "all" next to it is not reported
# (written against a mutant that dropped the check from the wrong-case finding).
test_all_next_to_lowercase_all_passes if {
	count(violation) == 0 with input as deployment({}, {"capabilities": {"drop": ["all", "ALL"]}})
}
