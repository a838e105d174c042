package k8sc.rules.run_as_non_root

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

container_path(field) := ["spec", "template", "spec", "containers", 0, "securityContext", field]

pod_path(field) := ["spec", "template", "spec", "securityContext", field]

paths(vs) := {v.path | some v in vs}

test_pod_level_run_as_non_root_is_inherited if {
	count(violation) == 0 with input as deployment({"runAsNonRoot": true}, {})
}

test_container_level_run_as_non_root_passes if {
	count(violation) == 0 with input as deployment({}, {"runAsNonRoot": true})
}

test_non_zero_uid_passes if {
	count(violation) == 0 with input as deployment({"runAsNonRoot": true, "runAsUser": 65532}, {"runAsUser": 1000})
}

test_missing_everywhere_fails_at_container_path if {
	vs := violation with input as deployment({}, {})
	paths(vs) == {container_path("runAsNonRoot")}
}

test_null_security_contexts_fail_at_container_path if {
	vs := violation with input as deployment(null, null)
	paths(vs) == {container_path("runAsNonRoot")}
}

test_container_false_overrides_pod_true if {
	vs := violation with input as deployment({"runAsNonRoot": true}, {"runAsNonRoot": false})
	paths(vs) == {container_path("runAsNonRoot")}
}

test_pod_false_reported_once_at_pod_path if {
	obj := json.patch(deployment({"runAsNonRoot": false}, {}), [{"op": "add", "path": "/spec/template/spec/containers/-", "value": {"name": "sidecar", "image": "s:1"}}])
	vs := violation with input as obj
	paths(vs) == {pod_path("runAsNonRoot")}
	count(vs) == 1
}

# Pod Security admission rejects an explicit pod-level false even when every container says true.
test_pod_false_fails_even_when_containers_override if {
	vs := violation with input as deployment({"runAsNonRoot": false}, {"runAsNonRoot": true})
	paths(vs) == {pod_path("runAsNonRoot")}
}

test_uid_zero_fails_even_with_run_as_non_root if {
	vs := violation with input as deployment({"runAsNonRoot": true, "runAsUser": 0}, {})
	paths(vs) == {pod_path("runAsUser")}
}

test_pod_uid_zero_fails_even_when_containers_override if {
	vs := violation with input as deployment({"runAsNonRoot": true, "runAsUser": 0}, {"runAsUser": 1000})
	paths(vs) == {pod_path("runAsUser")}
}

test_container_uid_zero_fails_at_container_path if {
	vs := violation with input as deployment({"runAsNonRoot": true, "runAsUser": 1000}, {"runAsUser": 0})
	paths(vs) == {container_path("runAsUser")}
}

test_init_sidecar_and_ephemeral_containers_are_checked if {
	obj := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {
		"initContainers": [
			{"name": "migrate", "image": "m:1", "securityContext": {"runAsNonRoot": true}},
			{"name": "proxy", "image": "proxy:1", "restartPolicy": "Always", "securityContext": {"runAsUser": 0}},
		],
		"containers": [{"name": "app", "image": "a:1", "securityContext": {"runAsNonRoot": true}}],
		"ephemeralContainers": [{"name": "dbg", "image": "busybox:1.36"}],
	}}
	vs := violation with input as obj
	paths(vs) == {
		["spec", "initContainers", 1, "securityContext", "runAsNonRoot"],
		["spec", "initContainers", 1, "securityContext", "runAsUser"],
		["spec", "ephemeralContainers", 0, "securityContext", "runAsNonRoot"],
	}
}

test_cronjob_pod_level_is_inherited if {
	obj := {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c"}, "spec": {"schedule": "@daily", "jobTemplate": {"spec": {"template": {"spec": {
		"restartPolicy": "OnFailure",
		"securityContext": {"runAsNonRoot": true},
		"containers": [{"name": "job", "image": "job:1"}],
	}}}}}}
	count(violation) == 0 with input as obj
}

test_cronjob_path if {
	obj := {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c"}, "spec": {"schedule": "@daily", "jobTemplate": {"spec": {"template": {"spec": {
		"restartPolicy": "OnFailure",
		"containers": [{"name": "job", "image": "job:1"}],
	}}}}}}
	vs := violation with input as obj
	paths(vs) == {["spec", "jobTemplate", "spec", "template", "spec", "containers", 0, "securityContext", "runAsNonRoot"]}
}

# The v1.35 admission relaxation for user-namespace pods is deliberately not applied.
test_user_namespace_pod_is_not_relaxed if {
	obj := json.patch(deployment({}, {"runAsUser": 0}), [{"op": "add", "path": "/spec/template/spec/hostUsers", "value": false}])
	count(violation) == 2 with input as obj
}

test_configmap_is_ignored if {
	count(violation) == 0 with input as {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}, "data": {}}
}

# PSS exempts Windows pods from seccomp, capabilities and privilege escalation, not from this.
test_windows_pod_is_not_exempt if {
	obj := json.patch(deployment({}, {}), [{"op": "add", "path": "/spec/template/spec/os", "value": {"name": "windows"}}])
	count(violation) == 1 with input as obj
}

test_metadata_declares_the_pss_level if {
	metadata.id == "run-as-non-root"
	metadata.severity == "error"
	metadata.pss == "restricted"
	metadata.kinds == ["*"]
}

# --- fixes (issue #13)

# A Deployment whose pod spec is exactly `spec` (no securityContext key unless given).
workload(spec) := {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": {"template": {"spec": spec}}}

app := {"name": "app", "image": "app:1.0"}

sidecar := {"name": "sidecar", "image": "proxy:1.0"}

# The object with every fix of its violations applied.
fixed(obj) := fix.apply(obj, fix.ops_of(vs)) if {
	vs := violation with input as obj
}

test_fix_pod_false_is_replaced if {
	violation == {{
		"msg": "the pod sets securityContext.runAsNonRoot: false",
		"path": pod_path("runAsNonRoot"),
		"fix": [{"op": "replace", "path": pod_path("runAsNonRoot"), "value": true}],
	}} with input as deployment({"runAsNonRoot": false}, {})
}

test_fix_container_false_is_replaced if {
	violation == {{
		"msg": "container \"app\" sets securityContext.runAsNonRoot: false",
		"path": container_path("runAsNonRoot"),
		"fix": [{"op": "replace", "path": container_path("runAsNonRoot"), "value": true}],
	}} with input as deployment({"runAsNonRoot": true}, {"runAsNonRoot": false})
}

# No container sets it: the pod-level securityContext, added whole when the pod has none.
test_fix_unset_everywhere_goes_to_the_pod if {
	violation == {{
		"msg": "container \"app\" does not set runAsNonRoot: true (on the container or the pod)",
		"path": container_path("runAsNonRoot"),
		"fix": [{"op": "add", "path": ["spec", "template", "spec", "securityContext"], "value": {"runAsNonRoot": true}}],
	}} with input as workload({"containers": [app]})
	{v.fix | some v in violation} == {[{"op": "add", "path": pod_path("runAsNonRoot"), "value": true}]} with input as deployment({"runAsUser": 1000}, {})

	# a null securityContext counts as missing
	{v.fix | some v in violation} == {[{"op": "add", "path": ["spec", "template", "spec", "securityContext"], "value": {"runAsNonRoot": true}}]} with input as deployment(null, null)
}

# Every container's violation carries the same single pod-level operation.
test_fix_unset_in_every_container_is_one_pod_level_op if {
	vs := violation with input as workload({"containers": [app, sidecar], "initContainers": [{"name": "init", "image": "init:1", "securityContext": {"runAsUser": 1000}}]})
	count(vs) == 3
	{v.fix | some v in vs} == {[{"op": "add", "path": ["spec", "template", "spec", "securityContext"], "value": {"runAsNonRoot": true}}]}
	count(violation) == 0 with input as fixed(workload({"containers": [app, sidecar], "initContainers": [{"name": "init", "image": "init:1", "securityContext": {"runAsUser": 1000}}]}))
}

# Some containers set it: the pod value would not reach them, so each other container gets its
# own, whether it has no securityContext or one without the field.
test_fix_mixed_goes_to_each_container if {
	obj := workload({"containers": [
		{"name": "app", "image": "app:1.0", "securityContext": {"runAsNonRoot": true}},
		sidecar,
		{"name": "exporter", "image": "exporter:1.0", "securityContext": {"readOnlyRootFilesystem": true}},
	]})
	{[v.path, v.fix] | some v in violation} == {
		[
			["spec", "template", "spec", "containers", 1, "securityContext", "runAsNonRoot"],
			[{"op": "add", "path": ["spec", "template", "spec", "containers", 1, "securityContext"], "value": {"runAsNonRoot": true}}],
		],
		[
			["spec", "template", "spec", "containers", 2, "securityContext", "runAsNonRoot"],
			[{"op": "add", "path": ["spec", "template", "spec", "containers", 2, "securityContext", "runAsNonRoot"], "value": true}],
		],
	} with input as obj
	count(violation) == 0 with input as fixed(obj)
}

# A container that sets false counts as setting it: its sibling gets a container-level fix.
test_fix_mixed_with_an_explicit_false if {
	obj := workload({"containers": [{"name": "app", "image": "app:1.0", "securityContext": {"runAsNonRoot": false}}, sidecar]})
	{[v.path, v.fix] | some v in violation} == {
		[container_path("runAsNonRoot"), [{"op": "replace", "path": container_path("runAsNonRoot"), "value": true}]],
		[
			["spec", "template", "spec", "containers", 1, "securityContext", "runAsNonRoot"],
			[{"op": "add", "path": ["spec", "template", "spec", "containers", 1, "securityContext"], "value": {"runAsNonRoot": true}}],
		],
	} with input as obj
	count(violation) == 0 with input as fixed(obj)
}

test_fix_cronjob_pod_level if {
	obj := {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c"}, "spec": {"schedule": "@daily", "jobTemplate": {"spec": {"template": {"spec": {
		"restartPolicy": "OnFailure",
		"containers": [{"name": "job", "image": "job:1"}],
	}}}}}}
	{v.fix | some v in violation} == {[{"op": "add", "path": ["spec", "jobTemplate", "spec", "template", "spec", "securityContext"], "value": {"runAsNonRoot": true}}]} with input as obj
	count(violation) == 0 with input as fixed(obj)
}

# Which UID to run as instead of 0 is a human's choice: no fix.
test_fix_none_for_uid_zero if {
	violation == {
		{"msg": "the pod sets runAsUser: 0 (root)", "path": pod_path("runAsUser")},
		{"msg": "container \"app\" runs as UID 0 (root)", "path": container_path("runAsUser")},
	} with input as deployment({"runAsNonRoot": true, "runAsUser": 0}, {"runAsUser": 0})
}

# A securityContext that is not an object cannot be patched safely: the finding stays, unfixed.
test_fix_none_for_a_malformed_security_context if {
	violation == {{
		"msg": "container \"app\" does not set runAsNonRoot: true (on the container or the pod)",
		"path": container_path("runAsNonRoot"),
	}} with input as deployment("restricted", {})
}

test_fixes_make_the_violations_disappear if {
	every obj in [
		deployment({"runAsNonRoot": false}, {}),
		deployment({"runAsNonRoot": false}, {"runAsNonRoot": false}),
		deployment({}, {"runAsNonRoot": false}),
		deployment(null, null),
		deployment({"runAsUser": 1000}, {"runAsUser": 1000}),
		workload({"containers": [app]}),
		{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {
			"initContainers": [{"name": "proxy", "image": "proxy:1", "restartPolicy": "Always"}],
			"containers": [app],
			"ephemeralContainers": [{"name": "dbg", "image": "busybox:1.36", "securityContext": {"runAsNonRoot": false}}],
		}},
	] {
		count(violation) == 0 with input as fixed(obj)
	}
}
