package k8sc.lib.workloads

import rego.v1

pod(pod_sc, container_sc) := {
	"apiVersion": "v1",
	"kind": "Pod",
	"metadata": {"name": "p"},
	"spec": {
		"securityContext": pod_sc,
		"containers": [{"name": "app", "image": "app:1", "securityContext": container_sc}],
		"initContainers": [
			{"name": "init", "image": "init:1"},
			{"name": "sidecar", "image": "proxy:1", "restartPolicy": "Always"},
		],
		"ephemeralContainers": [{"name": "debug", "image": "busybox:1"}],
	},
}

test_pod_spec_of_each_kind if {
	pod_spec_path == ["spec"] with input as pod({}, {})
	pod_spec_path == ["spec", "jobTemplate", "spec", "template", "spec"] with input as {"kind": "CronJob", "spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": []}}}}}}
	pod_spec_path == ["spec", "template", "spec"] with input as {"kind": "Rollout", "apiVersion": "argoproj.io/v1alpha1", "spec": {"template": {"spec": {"containers": []}}}}
	pod_spec_path == ["template", "spec"] with input as {"kind": "PodTemplate", "template": {"spec": {"containers": []}}}
}

test_configmap_is_not_a_workload if {
	not is_workload with input as {"kind": "ConfigMap", "data": {}}
}

test_every_container_list_is_included if {
	names := {r.name | some r in containers} with input as pod({}, {})
	names == {"app", "init", "sidecar", "debug"}
}

test_sidecars_are_long_running_init_containers_are_not if {
	lr := {r.name: r.long_running | some r in containers} with input as pod({}, {})
	lr == {"app": true, "init": false, "sidecar": true, "debug": false}
}

test_container_value_overrides_pod_value if {
	some r in containers with input as pod({"runAsUser": 1000}, {"runAsUser": 2000})
	r.name == "app"
	e := effective(r, "runAsUser") with input as pod({"runAsUser": 1000}, {"runAsUser": 2000})
	e.value == 2000
	e.source == "container"
}

test_pod_value_is_inherited if {
	some r in containers with input as pod({"runAsUser": 1000}, {})
	r.name == "app"
	e := effective(r, "runAsUser") with input as pod({"runAsUser": 1000}, {})
	e.path == ["spec", "securityContext", "runAsUser"]
}

test_explicit_null_counts_as_unset if {
	some r in containers with input as pod({"runAsNonRoot": true}, {"runAsNonRoot": null})
	r.name == "app"
	e := effective(r, "runAsNonRoot") with input as pod({"runAsNonRoot": true}, {"runAsNonRoot": null})
	e.source == "pod"
}

test_container_only_fields_do_not_inherit if {
	some r in containers with input as pod({"readOnlyRootFilesystem": true}, {})
	r.name == "app"
	not effective(r, "readOnlyRootFilesystem") with input as pod({"readOnlyRootFilesystem": true}, {})
}

test_jobs_run_to_completion if {
	runs_to_completion with input as {"kind": "Job", "spec": {"template": {"spec": {"containers": []}}}}
	is_long_running_workload with input as {"kind": "Deployment", "spec": {"template": {"spec": {"containers": []}}}}
}

# Written against mutants that survived scripts/mutants.sh (each names the condition it keeps).

# Only objects with a pod spec have a pod spec path; a Pod or CronJob that also carries a
# spec.template.spec keeps its own path (the generic body leaves those kinds alone).
test_pod_spec_path_only_for_pod_specs if {
	not pod_spec_path with input as {"kind": "ConfigMap", "data": {}}
	not pod_spec_path with input as {"kind": "Deployment", "spec": {"template": {"metadata": {}}}}
	pod_spec_path == ["spec"] with input as {"kind": "Pod", "spec": {"containers": [], "template": {"spec": {}}}}
	pod_spec_path == ["spec", "jobTemplate", "spec", "template", "spec"] with input as {"kind": "CronJob", "spec": {"template": {"spec": {}}, "jobTemplate": {"spec": {"template": {"spec": {"containers": []}}}}}}
}

test_pod_metadata_path_of_each_kind if {
	pod_metadata_path == ["metadata"] with input as pod({}, {})
	pod_metadata_path == ["spec", "template", "metadata"] with input as {"kind": "Deployment", "spec": {"template": {"spec": {"containers": []}}}}
	pod_metadata_path == ["spec", "jobTemplate", "spec", "template", "metadata"] with input as {"kind": "CronJob", "spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": []}}}}}}
	not pod_metadata_path with input as {"kind": "CronJob", "spec": {}}
}

# restartPolicy Never/OnFailure makes a bare Pod run to completion, not a Deployment (whose
# API server would refuse it anyway); an object without a pod spec is no long-running workload.
test_restart_policy_counts_for_pods_only if {
	runs_to_completion with input as {"kind": "Pod", "spec": {"restartPolicy": "OnFailure", "containers": []}}
	not runs_to_completion with input as {"kind": "Pod", "spec": {"restartPolicy": "Always", "containers": []}}
	not runs_to_completion with input as {"kind": "Deployment", "spec": {"template": {"spec": {"restartPolicy": "OnFailure", "containers": []}}}}
	is_long_running_workload with input as {"kind": "Deployment", "spec": {"template": {"spec": {"restartPolicy": "OnFailure", "containers": []}}}}
	not is_long_running_workload with input as {"kind": "ConfigMap", "data": {}}
}

# restartPolicy: Always makes an init container a sidecar, never an ephemeral container.
test_only_init_containers_become_sidecars if {
	container_long_running("initContainers", {"restartPolicy": "Always"})
	not container_long_running("ephemeralContainers", {"restartPolicy": "Always"})
	not container_long_running("initContainers", {"restartPolicy": "OnFailure"})
	container_long_running("containers", {})
}

test_null_pod_value_is_unset if {
	some r in containers with input as pod({"runAsUser": null}, {})
	r.name == "app"
	not effective(r, "runAsUser") with input as pod({"runAsUser": null}, {})
}

# Where a setting comes from, or where to set it when it is set nowhere.
test_setting_path if {
	some r in containers with input as pod({"runAsUser": 1000}, {})
	r.name == "app"
	setting_path(r, "runAsUser") == ["spec", "securityContext", "runAsUser"] with input as pod({"runAsUser": 1000}, {})
	setting_path(r, "runAsGroup") == ["spec", "containers", 0, "securityContext", "runAsGroup"] with input as pod({"runAsUser": 1000}, {})
	pod_field_path("hostPID") == ["spec", "hostPID"] with input as pod({}, {})
}

test_has_key if {
	has_key({"a": 1}, "a")
	has_key({"a": null}, "a")
	not has_key({"a": 1}, "b")
	not has_key(["x"], 0)
	not has_key("abc", 0)
}
