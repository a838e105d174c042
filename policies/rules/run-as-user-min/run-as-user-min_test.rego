package k8sc.rules.run_as_user_min

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

paths(vs) := {v.path | some v in vs}

test_documented_uids_pass if {
	count(violation) == 0 with input as deployment({"runAsUser": 1000}, {"runAsUser": 65532})
}

test_run_as_non_root_without_uid_passes if {
	count(violation) == 0 with input as deployment({"runAsNonRoot": true}, {})
}

test_low_container_uid_fails if {
	vs := violation with input as deployment({}, {"runAsUser": 999})
	paths(vs) == {["spec", "template", "spec", "containers", 0, "securityContext", "runAsUser"]}
}

test_low_pod_uid_inherited_fails_at_pod_path if {
	obj := json.patch(deployment({"runAsUser": 33}, {}), [{"op": "add", "path": "/spec/template/spec/containers/-", "value": {"name": "sidecar", "image": "s:1"}}])
	vs := violation with input as obj
	paths(vs) == {["spec", "template", "spec", "securityContext", "runAsUser"]}
	count(vs) == 1
}

# The pod value applies to no container when every container sets its own.
test_low_pod_uid_overridden_by_every_container_passes if {
	count(violation) == 0 with input as deployment({"runAsUser": 33}, {"runAsUser": 1000})
}

test_high_pod_uid_overridden_by_low_container_uid_fails if {
	vs := violation with input as deployment({"runAsUser": 65532}, {"runAsUser": 100})
	paths(vs) == {["spec", "template", "spec", "containers", 0, "securityContext", "runAsUser"]}
}

# UID 0 is run-as-non-root's finding.
test_uid_zero_is_left_to_run_as_non_root if {
	count(violation) == 0 with input as deployment({"runAsUser": 0}, {"runAsUser": 0})
}

test_param_raises_the_minimum if {
	vs := violation with input as deployment({}, {"runAsUser": 1000}) with data.k8sc.params as {"run-as-user-min": {"min_uid": 10000}}
	count(vs) == 1
	count(violation) == 0 with input as deployment({}, {"runAsUser": 65532}) with data.k8sc.params as {"run-as-user-min": {"min_uid": 10000}}
}

test_init_and_ephemeral_containers_are_checked if {
	obj := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {
		"initContainers": [{"name": "chown", "image": "busybox:1.36", "securityContext": {"runAsUser": 1}}],
		"containers": [{"name": "app", "image": "a:1"}],
		"ephemeralContainers": [{"name": "dbg", "image": "busybox:1.36", "securityContext": {"runAsUser": 500}}],
	}}
	vs := violation with input as obj
	paths(vs) == {
		["spec", "initContainers", 0, "securityContext", "runAsUser"],
		["spec", "ephemeralContainers", 0, "securityContext", "runAsUser"],
	}
}

test_configmap_is_ignored if {
	count(violation) == 0 with input as {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}, "data": {"runAsUser": "1"}}
}

test_default_matches_metadata if {
	min_uid == metadata.params.min_uid
}

# A constitution extra, not a Pod Security Standards control.
test_metadata_has_no_pss_level if {
	metadata.id == "run-as-user-min"
	metadata.severity == "error"
	not "pss" in object.keys(metadata)
	metadata.kinds == ["*"]
}

# The help gives the configured minimum.
test_help_gives_the_minimum if {
	{v.help | some v in violation} == {"Set securityContext.runAsUser of container \"app\" to a UID of at least 1000 that its image's files allow."} with input as deployment({}, {"runAsUser": 999})
	{v.help | some v in violation} == {"Set spec.template.spec.securityContext.runAsUser to a UID of at least 10000 that the images' files allow."} with input as deployment({"runAsUser": 33}, {}) with data.k8sc.params as {"run-as-user-min": {"min_uid": 10000}}
}
