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
	violation == {
		{"msg": "container \"job\" has no cpu request (resources.requests.cpu)", "path": ["spec", "template", "spec", "containers", 0, "resources", "requests", "cpu"]},
		{"msg": "container \"job\" has no memory request (resources.requests.memory)", "path": ["spec", "template", "spec", "containers", 0, "resources", "requests", "memory"]},
	} with input as obj
}


test_non_workload_ignored if {
	count(violation) == 0 with input as {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}, "spec": {}}
}

# ---- zero quantities (issue #16) ----------------------------------------------------------
# Kubernetes ignores a zero request for QoS (the pod is BestEffort) and the scheduler reserves
# nothing for it: a zero request, in any spelling, is no request.

cpu_path := ["spec", "template", "spec", "containers", 0, "resources", "requests", "cpu"]

memory_path := ["spec", "template", "spec", "containers", 0, "resources", "requests", "memory"]

test_zero_requests_and_limits_are_unset if {
	violation == {
		{"msg": "container \"app\" requests zero cpu (resources.requests.cpu is 0): Kubernetes ignores a zero request, so it counts as none", "path": cpu_path},
		{"msg": "container \"app\" requests zero memory (resources.requests.memory is 0): Kubernetes ignores a zero request, so it counts as none", "path": memory_path},
	} with input as deployment([app({"requests": {"cpu": "0", "memory": "0"}, "limits": {"cpu": "0", "memory": "0"}})])
}

test_zero_in_every_spelling_is_unset if {
	every q in ["0m", "0Mi", "0.0", "0e3", 0, 0.0] {
		violation == {
			{"msg": sprintf("container \"app\" requests zero cpu (resources.requests.cpu is %v): Kubernetes ignores a zero request, so it counts as none", [q]), "path": cpu_path},
			{"msg": sprintf("container \"app\" requests zero memory (resources.requests.memory is %v): Kubernetes ignores a zero request, so it counts as none", [q]), "path": memory_path},
		} with input as deployment([app({"requests": {"cpu": q, "memory": q}})])
	}
}

# A limit stands in for a missing request only when it is non-zero: the API server copies the
# limit into the request, and a copied zero is still zero.
test_zero_limit_without_request_is_unset if {
	violation == {{
		"msg": "container \"app\" has no cpu request (resources.requests.cpu), and its cpu limit is zero, which Kubernetes ignores",
		"path": cpu_path,
	}} with input as deployment([app({"requests": {"memory": "64Mi"}, "limits": {"cpu": "0m"}})])
}

# An explicit zero request is kept as it is (only a missing request is defaulted to the limit).
test_zero_request_with_non_zero_limit_is_unset if {
	vs := violation with input as deployment([app({"requests": {"cpu": "0", "memory": "64Mi"}, "limits": {"cpu": "1", "memory": "64Mi"}})])
	{v.path | some v in vs} == {cpu_path}
}

test_zero_pod_level_request_does_not_satisfy if {
	obj := pod({"resources": {"requests": {"cpu": "0", "memory": "0"}}, "containers": [{"name": "app", "image": "app:1.0"}]})
	{v.path | some v in violation} == {["spec", "containers", 0, "resources", "requests", "cpu"], ["spec", "containers", 0, "resources", "requests", "memory"]} with input as obj
}

# A null limit stands in for nothing (written against a mutant that dropped its null check,
# which let a null limit count as a request).
test_null_limit_is_no_request if {
	violation == {{
		"msg": "container \"app\" has no cpu request (resources.requests.cpu)",
		"path": cpu_path,
	}} with input as deployment([app({"requests": {"memory": "64Mi"}, "limits": {"cpu": null}})])
}

test_small_non_zero_request_is_set if {
	count(violation) == 0 with input as deployment([app({"requests": {"cpu": "1m", "memory": "1"}})])
}
