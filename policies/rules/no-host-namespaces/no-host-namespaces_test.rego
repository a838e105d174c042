package k8sc.rules.no_host_namespaces

import data.k8sc.lib.fix
import rego.v1

deployment(extra) := {
	"apiVersion": "apps/v1",
	"kind": "Deployment",
	"metadata": {"name": "web"},
	"spec": {"template": {"spec": object.union({"containers": [{"name": "app", "image": "app:1.0"}]}, extra)}},
}

paths(vs) := {v.path | some v in vs}

test_unset_passes if {
	count(violation) == 0 with input as deployment({})
}

test_explicit_false_passes if {
	count(violation) == 0 with input as deployment({"hostNetwork": false, "hostPID": false, "hostIPC": false})
}

test_each_namespace_fails_at_its_pod_field if {
	vs := violation with input as deployment({"hostNetwork": true, "hostPID": true, "hostIPC": true})
	paths(vs) == {
		["spec", "template", "spec", "hostNetwork"],
		["spec", "template", "spec", "hostPID"],
		["spec", "template", "spec", "hostIPC"],
	}
}

test_cronjob_pod_spec_path if {
	obj := {
		"apiVersion": "batch/v1",
		"kind": "CronJob",
		"metadata": {"name": "backup"},
		"spec": {"schedule": "0 3 * * *", "jobTemplate": {"spec": {"template": {"spec": {
			"hostNetwork": true,
			"restartPolicy": "OnFailure",
			"containers": [{"name": "backup", "image": "backup:1"}],
		}}}}},
	}
	vs := violation with input as obj
	paths(vs) == {["spec", "jobTemplate", "spec", "template", "spec", "hostNetwork"]}
}

test_bare_pod_path if {
	obj := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"hostPID": true, "containers": [{"name": "a", "image": "a:1"}]}}
	vs := violation with input as obj
	paths(vs) == {["spec", "hostPID"]}
}

test_service_is_ignored if {
	count(violation) == 0 with input as {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"}, "spec": {"hostNetwork": true, "ports": [{"port": 80}]}}
}

test_metadata_declares_the_pss_level if {
	metadata.id == "no-host-namespaces"
	metadata.severity == "error"
	metadata.pss == "baseline"
	metadata.kinds == ["*"]
}

# --- fixes (issue #13)

# The object with every fix of its violations applied.
fixed(obj) := fix.apply(obj, fix.ops_of(vs)) if {
	vs := violation with input as obj
}

test_fix_replaces_each_field_with_false if {
	violation == {
		{
			"msg": "the pod sets hostNetwork: true and shares the node's network namespace",
			"path": ["spec", "template", "spec", "hostNetwork"],
			"fix": [{"op": "replace", "path": ["spec", "template", "spec", "hostNetwork"], "value": false}],
		},
		{
			"msg": "the pod sets hostPID: true and shares the node's process (PID) namespace",
			"path": ["spec", "template", "spec", "hostPID"],
			"fix": [{"op": "replace", "path": ["spec", "template", "spec", "hostPID"], "value": false}],
		},
		{
			"msg": "the pod sets hostIPC: true and shares the node's IPC namespace",
			"path": ["spec", "template", "spec", "hostIPC"],
			"fix": [{"op": "replace", "path": ["spec", "template", "spec", "hostIPC"], "value": false}],
		},
	} with input as deployment({"hostNetwork": true, "hostPID": true, "hostIPC": true})
	count(violation) == 0 with input as fixed(deployment({"hostNetwork": true, "hostPID": true, "hostIPC": true}))
}

test_fix_cronjob_and_bare_pod_paths if {
	cronjob := {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "backup"}, "spec": {"schedule": "0 3 * * *", "jobTemplate": {"spec": {"template": {"spec": {
		"hostNetwork": true,
		"restartPolicy": "OnFailure",
		"containers": [{"name": "backup", "image": "backup:1"}],
	}}}}}}
	{v.fix | some v in violation} == {[{"op": "replace", "path": ["spec", "jobTemplate", "spec", "template", "spec", "hostNetwork"], "value": false}]} with input as cronjob
	count(violation) == 0 with input as fixed(cronjob)
	pod := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"hostPID": true, "hostIPC": false, "containers": [{"name": "a", "image": "a:1"}]}}
	{v.fix | some v in violation} == {[{"op": "replace", "path": ["spec", "hostPID"], "value": false}]} with input as pod
	fixed(pod).spec == {"hostPID": false, "hostIPC": false, "containers": [{"name": "a", "image": "a:1"}]}
}
