package k8sc.rules.no_root_group

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

pod_path(rest) := array.concat(["spec", "template", "spec", "securityContext"], rest)

paths(vs) := {v.path | some v in vs}

test_application_groups_pass if {
	count(violation) == 0 with input as deployment({"runAsUser": 1000, "runAsGroup": 1000, "fsGroup": 1000, "supplementalGroups": [2000]}, {"runAsGroup": 65532})
}

test_unset_groups_pass if {
	count(violation) == 0 with input as deployment({}, {})
}

test_pod_run_as_group_zero_fails_at_pod_path if {
	vs := violation with input as deployment({"runAsGroup": 0}, {})
	paths(vs) == {pod_path(["runAsGroup"])}
}

test_pod_run_as_group_zero_overridden_by_every_container_passes if {
	count(violation) == 0 with input as deployment({"runAsGroup": 0}, {"runAsGroup": 1000})
}

test_container_run_as_group_zero_fails if {
	vs := violation with input as deployment({"runAsGroup": 1000}, {"runAsGroup": 0})
	paths(vs) == {["spec", "template", "spec", "containers", 0, "securityContext", "runAsGroup"]}
}

test_fs_group_zero_fails if {
	vs := violation with input as deployment({"fsGroup": 0}, {})
	paths(vs) == {pod_path(["fsGroup"])}
}

test_supplemental_group_zero_fails_at_the_item if {
	vs := violation with input as deployment({"supplementalGroups": [1000, 0]}, {})
	paths(vs) == {pod_path(["supplementalGroups", 1])}
}

test_ephemeral_container_is_checked if {
	obj := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {
		"containers": [{"name": "app", "image": "a:1"}],
		"ephemeralContainers": [{"name": "dbg", "image": "busybox:1.36", "securityContext": {"runAsGroup": 0}}],
	}}
	vs := violation with input as obj
	paths(vs) == {["spec", "ephemeralContainers", 0, "securityContext", "runAsGroup"]}
}

test_configmap_is_ignored if {
	count(violation) == 0 with input as {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}, "data": {"fsGroup": "0"}}
}

# A constitution extra, not a Pod Security Standards control.
test_metadata_has_no_pss_level if {
	metadata.id == "no-root-group"
	metadata.severity == "error"
	not "pss" in object.keys(metadata)
	metadata.kinds == ["*"]
}
