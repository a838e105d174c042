package k8sc.rules.no_privilege_escalation

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

# --- fixes (issue #13)

# A Deployment whose pod spec is exactly `spec`.
workload(spec) := {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": {"template": {"spec": spec}}}

# The object with every fix of its violations applied.
fixed(obj) := fix.apply(obj, fix.ops_of(vs)) if {
	vs := violation with input as obj
}

test_fix_adds_the_security_context_when_there_is_none if {
	violation == {{
		"msg": "container \"app\" does not set allowPrivilegeEscalation: false (it defaults to true)",
		"path": field_path,
		"fix": [{"op": "add", "path": ["spec", "template", "spec", "containers", 0, "securityContext"], "value": {"allowPrivilegeEscalation": false}}],
	}} with input as workload({"containers": [{"name": "app", "image": "app:1.0"}]})
	{v.fix | some v in violation} == {[{"op": "add", "path": ["spec", "template", "spec", "containers", 0, "securityContext"], "value": {"allowPrivilegeEscalation": false}}]} with input as deployment({}, null)
}

test_fix_adds_the_field_to_an_existing_security_context if {
	{v.fix | some v in violation} == {[{"op": "add", "path": field_path, "value": false}]} with input as deployment({}, {"runAsNonRoot": true})
}

test_fix_replaces_a_wrong_value if {
	violation == {{
		"msg": "container \"app\" sets allowPrivilegeEscalation: true",
		"path": field_path,
		"fix": [{"op": "replace", "path": field_path, "value": false}],
	}} with input as deployment({}, {"allowPrivilegeEscalation": true})

	# a string is not false either
	{v.fix | some v in violation} == {[{"op": "replace", "path": field_path, "value": false}]} with input as deployment({}, {"allowPrivilegeEscalation": "false"})
}

test_fix_cronjob_path if {
	obj := {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c"}, "spec": {"schedule": "@daily", "jobTemplate": {"spec": {"template": {"spec": {
		"restartPolicy": "OnFailure",
		"containers": [{"name": "job", "image": "job:1", "securityContext": {}}],
	}}}}}}
	{v.fix | some v in violation} == {[{"op": "add", "path": ["spec", "jobTemplate", "spec", "template", "spec", "containers", 0, "securityContext", "allowPrivilegeEscalation"], "value": false}]} with input as obj
	count(violation) == 0 with input as fixed(obj)
}

# A securityContext that is not an object cannot be patched safely: the finding stays, unfixed.
test_fix_none_for_a_malformed_security_context if {
	violation == {{
		"msg": "container \"app\" does not set allowPrivilegeEscalation: false (it defaults to true)",
		"path": field_path,
	}} with input as deployment({}, "restricted")
}

test_fixes_make_the_violations_disappear if {
	every obj in [
		deployment({}, {}),
		deployment({}, null),
		deployment({}, {"allowPrivilegeEscalation": true}),
		workload({"containers": [{"name": "app", "image": "app:1.0"}]}),
		{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {
			"initContainers": [{"name": "migrate", "image": "m:1"}, {"name": "proxy", "image": "proxy:1", "restartPolicy": "Always", "securityContext": {"allowPrivilegeEscalation": true}}],
			"containers": [{"name": "app", "image": "a:1", "securityContext": {"capabilities": {"drop": ["ALL"]}}}],
			"ephemeralContainers": [{"name": "dbg", "image": "busybox:1.36"}],
		}},
	] {
		count(violation) == 0 with input as fixed(obj)
	}
}
