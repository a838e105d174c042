package k8sc.rules.read_only_root_filesystem

import data.k8sc.lib.fix
import rego.v1

deployment(pod_sc, container_sc) := {
	"apiVersion": "apps/v1",
	"kind": "Deployment",
	"metadata": {"name": "web"},
	"spec": {"template": {"spec": {
		"securityContext": pod_sc,
		"containers": [{"name": "app", "image": "app:1.0", "securityContext": container_sc, "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}]}],
		"volumes": [{"name": "tmp", "emptyDir": {}}],
	}}},
}

field_path := ["spec", "template", "spec", "containers", 0, "securityContext", "readOnlyRootFilesystem"]

paths(vs) := {v.path | some v in vs}

test_read_only_passes if {
	count(violation) == 0 with input as deployment({}, {"readOnlyRootFilesystem": true})
}

test_missing_fails if {
	vs := violation with input as deployment({}, {})
	paths(vs) == {field_path}
}

test_false_fails if {
	vs := violation with input as deployment({}, {"readOnlyRootFilesystem": false})
	paths(vs) == {field_path}
	some v in vs
	contains(v.msg, "false")
}

# readOnlyRootFilesystem exists per container only.
test_pod_level_value_does_not_count if {
	vs := violation with input as deployment({"readOnlyRootFilesystem": true}, {})
	paths(vs) == {field_path}
}

test_init_sidecar_and_ephemeral_containers_are_checked if {
	ro := {"readOnlyRootFilesystem": true}
	obj := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {
		"initContainers": [
			{"name": "migrate", "image": "m:1"},
			{"name": "proxy", "image": "proxy:1", "restartPolicy": "Always", "securityContext": ro},
		],
		"containers": [{"name": "app", "image": "a:1", "securityContext": ro}],
		"ephemeralContainers": [{"name": "dbg", "image": "busybox:1.36"}],
	}}
	vs := violation with input as obj
	paths(vs) == {
		["spec", "initContainers", 0, "securityContext", "readOnlyRootFilesystem"],
		["spec", "ephemeralContainers", 0, "securityContext", "readOnlyRootFilesystem"],
	}
}

# The API server forbids readOnlyRootFilesystem on Windows pods.
test_windows_pod_is_exempt if {
	obj := json.patch(deployment({}, {}), [{"op": "add", "path": "/spec/template/spec/os", "value": {"name": "windows"}}])
	count(violation) == 0 with input as obj
}

test_configmap_is_ignored if {
	count(violation) == 0 with input as {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}, "data": {}}
}

# A constitution extra, not a Pod Security Standards control.
test_metadata_has_no_pss_level if {
	metadata.id == "read-only-root-filesystem"
	metadata.severity == "error"
	not "pss" in object.keys(metadata)
	metadata.kinds == ["*"]
}

# --- fixes (issue #13)

# A Deployment whose pod spec is exactly `spec`.
workload(spec) := {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": {"template": {"spec": spec}}}

# The object with every fix of its violations applied.
fixed(obj) := fix.apply(obj, fix.ops_of(vs)) if {
	vs := violation with input as obj
}

test_fix_adds_the_security_context_when_there_is_none if {
	violation == {{
		"msg": "container \"app\" does not set readOnlyRootFilesystem: true",
		"path": field_path,
		"fix": [{"op": "add", "path": ["spec", "template", "spec", "containers", 0, "securityContext"], "value": {"readOnlyRootFilesystem": true}}],
	}} with input as workload({"containers": [{"name": "app", "image": "app:1.0"}]})
	{v.fix | some v in violation} == {[{"op": "add", "path": ["spec", "template", "spec", "containers", 0, "securityContext"], "value": {"readOnlyRootFilesystem": true}}]} with input as deployment({}, null)
}

test_fix_adds_the_field_to_an_existing_security_context if {
	{v.fix | some v in violation} == {[{"op": "add", "path": field_path, "value": true}]} with input as deployment({}, {"runAsNonRoot": true})
	{v.fix | some v in violation} == {[{"op": "add", "path": field_path, "value": true}]} with input as deployment({}, {"readOnlyRootFilesystem": null})
}

test_fix_replaces_a_wrong_value if {
	violation == {{
		"msg": "container \"app\" sets readOnlyRootFilesystem: false",
		"path": field_path,
		"fix": [{"op": "replace", "path": field_path, "value": true}],
	}} with input as deployment({}, {"readOnlyRootFilesystem": false})
}

test_fix_cronjob_path if {
	obj := {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c"}, "spec": {"schedule": "@daily", "jobTemplate": {"spec": {"template": {"spec": {
		"restartPolicy": "OnFailure",
		"containers": [{"name": "job", "image": "job:1"}],
	}}}}}}
	{v.fix | some v in violation} == {[{"op": "add", "path": ["spec", "jobTemplate", "spec", "template", "spec", "containers", 0, "securityContext"], "value": {"readOnlyRootFilesystem": true}}]} with input as obj
	count(violation) == 0 with input as fixed(obj)
}

# A securityContext that is not an object cannot be patched safely: the finding stays, unfixed.
test_fix_none_for_a_malformed_security_context if {
	violation == {{
		"msg": "container \"app\" does not set readOnlyRootFilesystem: true",
		"path": field_path,
	}} with input as deployment({}, ["readOnlyRootFilesystem"])
}

test_fixes_make_the_violations_disappear if {
	every obj in [
		deployment({}, {}),
		deployment({}, null),
		deployment({}, {"readOnlyRootFilesystem": false}),
		workload({"containers": [{"name": "app", "image": "app:1.0"}]}),
		{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {
			"initContainers": [{"name": "migrate", "image": "m:1"}, {"name": "proxy", "image": "proxy:1", "restartPolicy": "Always", "securityContext": {"readOnlyRootFilesystem": false}}],
			"containers": [{"name": "app", "image": "a:1", "securityContext": {"runAsNonRoot": true}}],
			"ephemeralContainers": [{"name": "dbg", "image": "busybox:1.36"}],
		}},
	] {
		count(violation) == 0 with input as fixed(obj)
	}
}
