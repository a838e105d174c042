package k8sc.rules.drop_all_capabilities

import data.k8sc.lib.fix
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
		"fix": [{"op": "replace", "path": ["spec", "template", "spec", "containers", 0, "securityContext", "capabilities", "drop", 1], "value": "ALL"}],
	}}
}

# Capabilities are per container only: a pod-level securityContext cannot satisfy the rule.
test_pod_level_capabilities_do_not_count if {
	vs := violation with input as deployment({"capabilities": {"drop": ["ALL"]}}, {})
	vs == {{
		"msg": "container \"app\" does not drop ALL capabilities (securityContext.capabilities.drop must contain \"ALL\")",
		"path": ["spec", "template", "spec", "containers", 0, "securityContext", "capabilities", "drop"],
		"fix": [{"op": "add", "path": ["spec", "template", "spec", "containers", 0, "securityContext", "capabilities"], "value": {"drop": ["ALL"]}}],
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

# --- fixes (issue #13)

# A Deployment whose pod spec is exactly `spec`.
workload(spec) := {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": {"template": {"spec": spec}}}

container_path := ["spec", "template", "spec", "containers", 0]

drop_path := array.concat(container_path, ["securityContext", "capabilities", "drop"])

# The object with every fix of its violations applied.
fixed(obj) := fix.apply(obj, fix.ops_of(vs)) if {
	vs := violation with input as obj
}

# Capabilities are per container: a new securityContext on the container.
test_fix_adds_the_security_context_when_there_is_none if {
	violation == {{
		"msg": "container \"app\" does not drop ALL capabilities (securityContext.capabilities.drop must contain \"ALL\")",
		"path": drop_path,
		"fix": [{"op": "add", "path": array.concat(container_path, ["securityContext"]), "value": {"capabilities": {"drop": ["ALL"]}}}],
	}} with input as workload({"containers": [{"name": "app", "image": "app:1.0"}]})
	{v.fix | some v in violation} == {[{"op": "add", "path": array.concat(container_path, ["securityContext"]), "value": {"capabilities": {"drop": ["ALL"]}}}]} with input as deployment({}, null)
}

# The first missing level is added, the rest nested in it.
test_fix_adds_the_missing_levels_only if {
	{v.fix | some v in violation} == {[{"op": "add", "path": array.concat(container_path, ["securityContext", "capabilities"]), "value": {"drop": ["ALL"]}}]} with input as deployment({}, {"runAsNonRoot": true})
	{v.fix | some v in violation} == {[{"op": "add", "path": drop_path, "value": ["ALL"]}]} with input as deployment({}, {"capabilities": {"add": ["NET_BIND_SERVICE"]}})
	{v.fix | some v in violation} == {[{"op": "add", "path": drop_path, "value": ["ALL"]}]} with input as deployment({}, {"capabilities": {"drop": null}})
}

# A drop list without "ALL": appended to, what it already drops kept.
test_fix_appends_to_an_existing_list if {
	violation == {{
		"msg": "container \"app\" does not drop ALL capabilities (securityContext.capabilities.drop must contain \"ALL\")",
		"path": drop_path,
		"fix": [{"op": "add", "path": array.concat(drop_path, ["-"]), "value": "ALL"}],
	}} with input as deployment({}, {"capabilities": {"drop": ["NET_RAW", "SYS_ADMIN"]}})
	fixed(deployment({}, {"capabilities": {"drop": ["NET_RAW", "SYS_ADMIN"]}})).spec.template.spec.containers[0].securityContext.capabilities.drop == ["NET_RAW", "SYS_ADMIN", "ALL"]
	{v.fix | some v in violation} == {[{"op": "add", "path": array.concat(drop_path, ["-"]), "value": "ALL"}]} with input as deployment({}, {"capabilities": {"drop": []}})
}

# Each wrong-case item is replaced where it stands.
test_fix_wrong_case_items_are_replaced if {
	{[v.path, v.fix] | some v in violation} == {
		[array.concat(drop_path, [0]), [{"op": "replace", "path": array.concat(drop_path, [0]), "value": "ALL"}]],
		[array.concat(drop_path, [2]), [{"op": "replace", "path": array.concat(drop_path, [2]), "value": "ALL"}]],
	} with input as deployment({}, {"capabilities": {"drop": ["all", "NET_RAW", "All"]}})
	count(violation) == 0 with input as fixed(deployment({}, {"capabilities": {"drop": ["all", "NET_RAW", "All"]}}))
}

test_fix_cronjob_path if {
	obj := {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c"}, "spec": {"schedule": "@daily", "jobTemplate": {"spec": {"template": {"spec": {
		"restartPolicy": "OnFailure",
		"containers": [{"name": "job", "image": "job:1", "securityContext": {"capabilities": {"drop": ["NET_RAW"]}}}],
	}}}}}}
	{v.fix | some v in violation} == {[{"op": "add", "path": ["spec", "jobTemplate", "spec", "template", "spec", "containers", 0, "securityContext", "capabilities", "drop", "-"], "value": "ALL"}]} with input as obj
	count(violation) == 0 with input as fixed(obj)
}

# A drop that is not a list, or capabilities that are not an object, cannot be patched safely:
# the finding stays, unfixed.
test_fix_none_when_drop_is_not_a_list if {
	violation == {{
		"msg": "container \"app\" does not drop ALL capabilities (securityContext.capabilities.drop must contain \"ALL\")",
		"path": drop_path,
	}} with input as deployment({}, {"capabilities": {"drop": "NET_RAW"}})
	violation == {{
		"msg": "container \"app\" does not drop ALL capabilities (securityContext.capabilities.drop must contain \"ALL\")",
		"path": drop_path,
	}} with input as deployment({}, {"capabilities": ["ALL"]})
}

test_fixes_make_the_violations_disappear if {
	every obj in [
		deployment({}, {}),
		deployment({}, null),
		deployment({}, {"capabilities": {"drop": ["NET_RAW"]}}),
		deployment({}, {"capabilities": {"drop": [1, "all"]}}),
		workload({"containers": [{"name": "app", "image": "app:1.0"}]}),
		{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {
			"initContainers": [{"name": "migrate", "image": "m:1", "securityContext": {"capabilities": {"drop": ["all"]}}}, {"name": "proxy", "image": "proxy:1", "restartPolicy": "Always"}],
			"containers": [{"name": "app", "image": "a:1", "securityContext": {"capabilities": null}}],
			"ephemeralContainers": [{"name": "dbg", "image": "busybox:1.36", "securityContext": {"capabilities": {"add": ["SYS_PTRACE"]}}}],
		}},
	] {
		count(violation) == 0 with input as fixed(obj)
	}
}
