package k8sc.rules.proc_mount_default

import rego.v1

pod(container_sc) := {
	"apiVersion": "v1",
	"kind": "Pod",
	"metadata": {"name": "p"},
	"spec": {"containers": [{"name": "app", "image": "app:1.0", "securityContext": container_sc}]},
}

paths(vs) := {v.path | some v in vs}

test_unset_passes if {
	count(violation) == 0 with input as pod({})
}

test_default_passes if {
	count(violation) == 0 with input as pod({"procMount": "Default"})
}

test_unmasked_fails if {
	vs := violation with input as pod({"procMount": "Unmasked"})
	paths(vs) == {["spec", "containers", 0, "securityContext", "procMount"]}
}

# Baseline relaxes this for user-namespace pods since v1.35; restricted (followed here) does not.
test_user_namespace_pod_is_not_relaxed if {
	obj := json.patch(pod({"procMount": "Unmasked"}), [{"op": "add", "path": "/spec/hostUsers", "value": false}])
	count(violation) == 1 with input as obj
}

test_ephemeral_container_is_checked if {
	obj := json.patch(pod({}), [{"op": "add", "path": "/spec/ephemeralContainers", "value": [{"name": "dbg", "image": "busybox:1.36", "securityContext": {"procMount": "Unmasked"}}]}])
	vs := violation with input as obj
	paths(vs) == {["spec", "ephemeralContainers", 0, "securityContext", "procMount"]}
}

test_service_is_ignored if {
	count(violation) == 0 with input as {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}, "spec": {"ports": [{"port": 80}]}}
}

test_metadata_declares_the_pss_level if {
	metadata.id == "proc-mount-default"
	metadata.severity == "error"
	metadata.pss == "baseline"
	metadata.kinds == ["*"]
}
