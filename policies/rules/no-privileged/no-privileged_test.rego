package k8sc.rules.no_privileged

import data.k8sc.lib.fix
import rego.v1

deployment(containers, init) := {
	"apiVersion": "apps/v1",
	"kind": "Deployment",
	"metadata": {"name": "web"},
	"spec": {"template": {"spec": {"initContainers": init, "containers": containers}}},
}

paths(vs) := {v.path | some v in vs}

test_unset_passes if {
	count(violation) == 0 with input as deployment([{"name": "app", "image": "app:1"}], [])
}

test_explicit_false_passes if {
	count(violation) == 0 with input as deployment([{"name": "app", "image": "app:1", "securityContext": {"privileged": false}}], [])
}

test_privileged_container_fails if {
	vs := violation with input as deployment([{"name": "app", "image": "app:1", "securityContext": {"privileged": true}}], [])
	paths(vs) == {["spec", "template", "spec", "containers", 0, "securityContext", "privileged"]}
}

test_privileged_sidecar_fails if {
	sidecar := {"name": "mesh", "image": "proxy:1", "restartPolicy": "Always", "securityContext": {"privileged": true}}
	vs := violation with input as deployment([{"name": "app", "image": "app:1"}], [sidecar])
	paths(vs) == {["spec", "template", "spec", "initContainers", 0, "securityContext", "privileged"]}
}

test_privileged_ephemeral_container_fails if {
	obj := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {
		"containers": [{"name": "app", "image": "app:1"}],
		"ephemeralContainers": [{"name": "debugger", "image": "busybox:1.36", "securityContext": {"privileged": true}}],
	}}
	vs := violation with input as obj
	paths(vs) == {["spec", "ephemeralContainers", 0, "securityContext", "privileged"]}
}

test_null_security_context_passes if {
	count(violation) == 0 with input as deployment([{"name": "app", "image": "app:1", "securityContext": null}], [])
}

test_configmap_is_ignored if {
	count(violation) == 0 with input as {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}, "data": {"privileged": "true"}}
}

test_metadata_declares_the_pss_level if {
	metadata.id == "no-privileged"
	metadata.severity == "error"
	metadata.pss == "baseline"
	metadata.kinds == ["*"]
}

# --- fixes (issue #13)

# The object with every fix of its violations applied.
fixed(obj) := fix.apply(obj, fix.ops_of(vs)) if {
	vs := violation with input as obj
}

test_fix_replaces_privileged_with_false if {
	violation == {{
		"msg": "container \"app\" sets securityContext.privileged: true",
		"path": ["spec", "template", "spec", "containers", 0, "securityContext", "privileged"],
		"fix": [{"op": "replace", "path": ["spec", "template", "spec", "containers", 0, "securityContext", "privileged"], "value": false}],
	}} with input as deployment([{"name": "app", "image": "app:1", "securityContext": {"privileged": true}}], [])
}

test_fix_each_container_at_its_own_path if {
	obj := deployment(
		[{"name": "app", "image": "app:1"}, {"name": "agent", "image": "agent:1", "securityContext": {"privileged": true, "runAsUser": 1000}}],
		[{"name": "mesh", "image": "proxy:1", "restartPolicy": "Always", "securityContext": {"privileged": true}}],
	)
	{v.fix | some v in violation} == {
		[{"op": "replace", "path": ["spec", "template", "spec", "containers", 1, "securityContext", "privileged"], "value": false}],
		[{"op": "replace", "path": ["spec", "template", "spec", "initContainers", 0, "securityContext", "privileged"], "value": false}],
	} with input as obj
	fixed(obj).spec.template.spec.containers[1].securityContext == {"privileged": false, "runAsUser": 1000}
	count(violation) == 0 with input as fixed(obj)
}

test_fix_cronjob_path if {
	obj := {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c"}, "spec": {"schedule": "@daily", "jobTemplate": {"spec": {"template": {"spec": {
		"restartPolicy": "OnFailure",
		"containers": [{"name": "job", "image": "job:1", "securityContext": {"privileged": true}}],
	}}}}}}
	{v.fix | some v in violation} == {[{"op": "replace", "path": ["spec", "jobTemplate", "spec", "template", "spec", "containers", 0, "securityContext", "privileged"], "value": false}]} with input as obj
	count(violation) == 0 with input as fixed(obj)
}
