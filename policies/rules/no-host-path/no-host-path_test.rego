package k8sc.rules.no_host_path

import rego.v1

statefulset(volumes) := {
	"apiVersion": "apps/v1",
	"kind": "StatefulSet",
	"metadata": {"name": "db"},
	"spec": {"template": {"spec": {"containers": [{"name": "postgres", "image": "postgres:16.4"}], "volumes": volumes}}},
}

paths(vs) := {v.path | some v in vs}

test_core_volumes_pass if {
	count(violation) == 0 with input as statefulset([
		{"name": "tmp", "emptyDir": {}},
		{"name": "config", "configMap": {"name": "db-config"}},
		{"name": "data", "persistentVolumeClaim": {"claimName": "data"}},
	])
}

test_no_volumes_passes if {
	count(violation) == 0 with input as statefulset(null)
}

test_host_path_fails_at_the_volume_source if {
	vs := violation with input as statefulset([
		{"name": "tmp", "emptyDir": {}},
		{"name": "docker", "hostPath": {"path": "/var/run/docker.sock", "type": "Socket"}},
	])
	paths(vs) == {["spec", "template", "spec", "volumes", 1, "hostPath"]}
	some v in vs
	contains(v.msg, "docker")
}

test_cronjob_path if {
	obj := {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c"}, "spec": {"schedule": "@daily", "jobTemplate": {"spec": {"template": {"spec": {
		"restartPolicy": "Never",
		"containers": [{"name": "a", "image": "a:1"}],
		"volumes": [{"name": "logs", "hostPath": {"path": "/var/log"}}],
	}}}}}}
	vs := violation with input as obj
	paths(vs) == {["spec", "jobTemplate", "spec", "template", "spec", "volumes", 0, "hostPath"]}
}

test_persistent_volume_is_not_a_workload if {
	count(violation) == 0 with input as {"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": "pv"}, "spec": {"hostPath": {"path": "/data"}, "capacity": {"storage": "1Gi"}}}
}

test_metadata_declares_the_pss_level if {
	metadata.id == "no-host-path"
	metadata.severity == "error"
	metadata.pss == "baseline"
	metadata.kinds == ["*"]
}
