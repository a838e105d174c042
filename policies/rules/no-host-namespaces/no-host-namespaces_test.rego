package k8sc.rules.no_host_namespaces

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
