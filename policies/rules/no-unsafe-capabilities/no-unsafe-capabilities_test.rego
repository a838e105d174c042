package k8sc.rules.no_unsafe_capabilities

import rego.v1

deployment(container_sc) := {
	"apiVersion": "apps/v1",
	"kind": "Deployment",
	"metadata": {"name": "web"},
	"spec": {"template": {"spec": {"containers": [{"name": "app", "image": "app:1.0", "securityContext": container_sc}]}}},
}

windows(obj) := json.patch(obj, [{"op": "add", "path": "/spec/template/spec/os", "value": {"name": "windows"}}])

add_path(i) := ["spec", "template", "spec", "containers", 0, "securityContext", "capabilities", "add", i]

findings(vs) := {[v.path, v.msg] | some v in vs}

test_nothing_added_passes if {
	count(violation) == 0 with input as deployment({"capabilities": {"drop": ["ALL"]}})
}

# Pod Security admission's baseline pass fixture: the whole default set, on a container and an
# init container.
test_the_whole_baseline_set_passes if {
	caps := [
		"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
		"NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
	]
	obj := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {
		"initContainers": [{"name": "init", "image": "i:1", "securityContext": {"capabilities": {"add": caps}}}],
		"containers": [{"name": "app", "image": "a:1", "securityContext": {"capabilities": {"add": caps}}}],
	}}
	count(violation) == 0 with input as obj
}

test_each_capability_outside_baseline_is_reported_at_its_item if {
	vs := violation with input as deployment({"capabilities": {"add": ["NET_BIND_SERVICE", "NET_RAW", "CHOWN", "SYS_ADMIN"]}})
	findings(vs) == {
		[add_path(1), `container "app" adds capability NET_RAW, outside the Pod Security baseline set`],
		[add_path(3), `container "app" adds capability SYS_ADMIN, outside the Pod Security baseline set`],
	}
}

# As in Pod Security admission (fixtures capabilities_baseline2 and 3): names are compared
# case-sensitively and without a CAP_ prefix.
test_wrong_case_and_cap_prefix_fail_with_a_hint if {
	vs := violation with input as deployment({"capabilities": {"add": ["chown", "CAP_CHOWN", "cap_sys_admin"]}})
	findings(vs) == {
		[add_path(0), `container "app" adds capability chown, outside the Pod Security baseline set (write it "CHOWN": names are compared case-sensitively, without CAP_)`],
		[add_path(1), `container "app" adds capability CAP_CHOWN, outside the Pod Security baseline set (write it "CHOWN": names are compared case-sensitively, without CAP_)`],
		[add_path(2), `container "app" adds capability cap_sys_admin, outside the Pod Security baseline set`],
	}
}

test_non_string_item_is_reported if {
	vs := violation with input as deployment({"capabilities": {"add": [7]}})
	findings(vs) == {[add_path(0), `container "app" adds capability 7, outside the Pod Security baseline set`]}
}

# Baseline applies to every pod, Windows included (Pod Security admission's baseline check has no
# OS exemption; the API server rejects capabilities on Windows pods anyway).
test_windows_pod_is_checked if {
	vs := violation with input as windows(deployment({"capabilities": {"add": ["CHOWN", "SYS_ADMIN"]}}))
	findings(vs) == {[add_path(1), `container "app" adds capability SYS_ADMIN, outside the Pod Security baseline set`]}
}

test_init_and_ephemeral_containers_are_checked if {
	obj := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {
		"initContainers": [{"name": "init", "image": "i:1", "securityContext": {"capabilities": {"add": ["NET_RAW"]}}}],
		"containers": [{"name": "app", "image": "app:1"}],
		"ephemeralContainers": [{"name": "debugger", "image": "busybox:1.36", "securityContext": {"capabilities": {"add": ["SYS_PTRACE"]}}}],
	}}
	vs := violation with input as obj
	findings(vs) == {
		[["spec", "initContainers", 0, "securityContext", "capabilities", "add", 0], `container "init" adds capability NET_RAW, outside the Pod Security baseline set`],
		[["spec", "ephemeralContainers", 0, "securityContext", "capabilities", "add", 0], `container "debugger" adds capability SYS_PTRACE, outside the Pod Security baseline set`],
	}
}

# The restricted rule's parameter does not widen the baseline set.
test_restricted_param_does_not_widen_baseline if {
	vs := violation with input as deployment({"capabilities": {"add": ["SYS_PTRACE"]}})
		with data.k8sc.params as {"no-added-capabilities": {"allowed_added_capabilities": ["NET_BIND_SERVICE", "SYS_PTRACE"]}}
	findings(vs) == {[add_path(0), `container "app" adds capability SYS_PTRACE, outside the Pod Security baseline set`]}
}

test_pod_level_capabilities_are_not_a_field if {
	obj := json.patch(deployment({}), [{"op": "add", "path": "/spec/template/spec/securityContext", "value": {"capabilities": {"add": ["SYS_ADMIN"]}}}])
	count(violation) == 0 with input as obj
}

test_null_and_empty_add_pass if {
	count(violation) == 0 with input as deployment({"capabilities": {"add": null}})
	count(violation) == 0 with input as deployment({"capabilities": {}})
	count(violation) == 0 with input as deployment(null)
}

test_service_is_ignored if {
	count(violation) == 0 with input as {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"}, "spec": {"ports": [{"port": 80}]}}
}

test_metadata_declares_the_pss_level if {
	metadata.id == "no-unsafe-capabilities"
	metadata.severity == "error"
	metadata.pss == "baseline"
	metadata.kinds == ["*"]
	metadata.pod_spec_only == true
	metadata.section == data.k8sc.rules.no_added_capabilities.metadata.section
}

# One set for the two rules: no-added-capabilities reports exactly the baseline capabilities
# this rule lets through.
test_baseline_set_matches_no_added_capabilities if {
	baseline == data.k8sc.rules.no_added_capabilities.baseline
}
