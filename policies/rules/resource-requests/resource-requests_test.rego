package k8sc.rules.resource_requests

import rego.v1

pod(spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": spec}

deployment(containers) := {
	"apiVersion": "apps/v1",
	"kind": "Deployment",
	"metadata": {"name": "web"},
	"spec": {"template": {"spec": {"containers": containers}}},
}

app(resources) := {"name": "app", "image": "app:1.0", "resources": resources}

full := {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"cpu": "500m", "memory": "256Mi"}}

test_requests_present_pass if {
	count(violation) == 0 with input as deployment([app(full)])
}

test_no_resources_one_violation_per_missing_key if {
	violation == {
		{"msg": "container \"app\" has no cpu request (resources.requests.cpu)", "path": ["spec", "template", "spec", "containers", 0, "resources", "requests", "cpu"]},
		{"msg": "container \"app\" has no memory request (resources.requests.memory)", "path": ["spec", "template", "spec", "containers", 0, "resources", "requests", "memory"]},
	} with input as deployment([{"name": "app", "image": "app:1.0"}])
}

test_only_memory_missing if {
	vs := violation with input as deployment([app({"requests": {"cpu": "100m"}})])
	{v.path | some v in vs} == {["spec", "template", "spec", "containers", 0, "resources", "requests", "memory"]}
}

test_null_request_is_missing if {
	vs := violation with input as deployment([app({"requests": {"cpu": "100m", "memory": null}})])
	count(vs) == 1
}

# Kubernetes defaults a missing request to the limit.
test_limit_without_request_counts_as_request if {
	count(violation) == 0 with input as deployment([app({"limits": {"cpu": "1", "memory": "1Gi"}})])
}

test_init_containers_checked_ephemeral_not if {
	obj := pod({
		"initContainers": [{"name": "migrate", "image": "app:1.0"}],
		"containers": [app(full)],
		"ephemeralContainers": [{"name": "debug", "image": "busybox:1.36"}],
	})
	vs := violation with input as obj
	{v.path | some v in vs} == {
		["spec", "initContainers", 0, "resources", "requests", "cpu"],
		["spec", "initContainers", 0, "resources", "requests", "memory"],
	}
}

test_sidecar_init_container_checked if {
	obj := pod({
		"initContainers": [{"name": "proxy", "image": "envoy:1.30", "restartPolicy": "Always", "resources": {"requests": {"cpu": "50m"}}}],
		"containers": [app(full)],
	})
	vs := violation with input as obj
	{v.path | some v in vs} == {["spec", "initContainers", 0, "resources", "requests", "memory"]}
}

test_pod_level_requests_satisfy if {
	obj := pod({"resources": {"requests": {"cpu": "1", "memory": "1Gi"}}, "containers": [{"name": "app", "image": "app:1.0"}]})
	count(violation) == 0 with input as obj
}

test_jobs_are_checked_too if {
	obj := {
		"apiVersion": "batch/v1",
		"kind": "Job",
		"metadata": {"name": "j"},
		"spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "job", "image": "app:1.0"}]}}},
	}
	count(violation) == 2 with input as obj
}


test_non_workload_ignored if {
	count(violation) == 0 with input as {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}, "spec": {}}
}
