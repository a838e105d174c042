package k8sc.rules.selinux_options

import rego.v1

pod(pod_sc, container_sc) := {
	"apiVersion": "v1",
	"kind": "Pod",
	"metadata": {"name": "p"},
	"spec": {
		"securityContext": pod_sc,
		"containers": [{"name": "app", "image": "app:1.0", "securityContext": container_sc}],
	},
}

paths(vs) := {v.path | some v in vs}

test_unset_passes if {
	count(violation) == 0 with input as pod({}, {})
}

test_container_types_and_level_pass if {
	count(violation) == 0 with input as pod(
		{"seLinuxOptions": {"type": "container_t", "level": "s0:c123,c456"}},
		{"seLinuxOptions": {"type": "container_engine_t"}},
	)
}

test_empty_strings_pass if {
	count(violation) == 0 with input as pod({"seLinuxOptions": {"type": "", "user": "", "role": ""}}, {})
}

test_host_type_fails_at_type if {
	vs := violation with input as pod({}, {"seLinuxOptions": {"type": "spc_t"}})
	paths(vs) == {["spec", "containers", 0, "securityContext", "seLinuxOptions", "type"]}
}

test_user_and_role_fail_at_pod_level if {
	vs := violation with input as pod({"seLinuxOptions": {"user": "system_u", "role": "system_r", "level": "s0"}}, {})
	paths(vs) == {
		["spec", "securityContext", "seLinuxOptions", "user"],
		["spec", "securityContext", "seLinuxOptions", "role"],
	}
}

test_init_container_is_checked if {
	obj := json.patch(pod({}, {}), [{"op": "add", "path": "/spec/initContainers", "value": [{"name": "init", "image": "i:1", "securityContext": {"seLinuxOptions": {"type": "unconfined_t"}}}]}])
	vs := violation with input as obj
	paths(vs) == {["spec", "initContainers", 0, "securityContext", "seLinuxOptions", "type"]}
}

test_configmap_is_ignored if {
	count(violation) == 0 with input as {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}, "data": {"type": "spc_t"}}
}

test_metadata_declares_the_pss_level if {
	metadata.id == "selinux-options"
	metadata.severity == "error"
	metadata.pss == "baseline"
	metadata.kinds == ["*"]
}

# Values that are not strings are the API server's to reject, not a custom type (written against
# a mutant that dropped the is_string check of the type).
test_non_string_values_are_left_to_schema_validation if {
	count(violation) == 0 with input as pod({"seLinuxOptions": {"type": 5, "user": 1}}, {"seLinuxOptions": {"type": null, "role": false}})
}
