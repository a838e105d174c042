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
