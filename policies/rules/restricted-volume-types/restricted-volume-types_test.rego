package k8sc.rules.restricted_volume_types

import rego.v1

deployment(volumes) := {
	"apiVersion": "apps/v1",
	"kind": "Deployment",
	"metadata": {"name": "web"},
	"spec": {"template": {"spec": {"containers": [{"name": "app", "image": "app:1.0"}], "volumes": volumes}}},
}

paths(vs) := {v.path | some v in vs}

test_every_allowed_type_passes if {
	count(violation) == 0 with input as deployment([
		{"name": "a", "configMap": {"name": "cfg"}},
		{"name": "b", "csi": {"driver": "secrets-store.csi.k8s.io", "readOnly": true}},
		{"name": "c", "downwardAPI": {"items": [{"path": "labels", "fieldRef": {"fieldPath": "metadata.labels"}}]}},
		{"name": "d", "emptyDir": {"medium": "Memory"}},
		{"name": "e", "ephemeral": {"volumeClaimTemplate": {"spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}}},
		{"name": "f", "image": {"reference": "registry.example/models:1.0", "pullPolicy": "IfNotPresent"}},
		{"name": "g", "persistentVolumeClaim": {"claimName": "data"}},
		{"name": "h", "projected": {"sources": [{"serviceAccountToken": {"path": "token"}}]}},
		{"name": "i", "secret": {"secretName": "tls"}},
	])
}

test_no_volumes_pass if {
	count(violation) == 0 with input as deployment(null)
}

test_network_volume_fails_at_its_source if {
	vs := violation with input as deployment([
		{"name": "tmp", "emptyDir": {}},
		{"name": "shared", "nfs": {"server": "nfs.example", "path": "/exports"}},
		{"name": "repo", "gitRepo": {"repository": "https://example/repo.git"}},
	])
	paths(vs) == {
		["spec", "template", "spec", "volumes", 1, "nfs"],
		["spec", "template", "spec", "volumes", 2, "gitRepo"],
	}
}

# hostPath is no-host-path's finding; it is not reported twice.
test_host_path_is_left_to_no_host_path if {
	count(violation) == 0 with input as deployment([{"name": "h", "hostPath": {"path": "/"}}])
}

test_cronjob_path if {
	obj := {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c"}, "spec": {"schedule": "@daily", "jobTemplate": {"spec": {"template": {"spec": {
		"restartPolicy": "Never",
		"containers": [{"name": "a", "image": "a:1"}],
		"volumes": [{"name": "ceph", "cephfs": {"monitors": ["10.0.0.1:6789"]}}],
	}}}}}}
	vs := violation with input as obj
	paths(vs) == {["spec", "jobTemplate", "spec", "template", "spec", "volumes", 0, "cephfs"]}
}

test_persistent_volume_is_not_a_workload if {
	count(violation) == 0 with input as {"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": "pv"}, "spec": {"nfs": {"server": "nfs.example", "path": "/"}}}
}

test_metadata_declares_the_pss_level if {
	metadata.id == "restricted-volume-types"
	metadata.severity == "error"
	metadata.pss == "restricted"
	metadata.kinds == ["*"]
}

# A volume that is not an object (a templating slip) has no source type to judge (written
# against a mutant that dropped the is_object check: a list's items looked like sources).
test_non_object_volumes_are_skipped if {
	count(violation) == 0 with input as deployment([["nfs"], "hostPath", null])
}

# A source set to null (what Helm renders for an empty value) is no source (written against a
# mutant that dropped the null check).
test_null_sources_are_unset if {
	count(violation) == 0 with input as deployment([{"name": "a", "nfs": null, "emptyDir": {}}])
}
