package k8sc.rules.resource_limits

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

test_limits_present_pass if {
	count(violation) == 0 with input as deployment([app(full)])
}

test_no_resources_one_violation_per_missing_key if {
	violation == {
		{"msg": "container \"app\" has no cpu limit (resources.limits.cpu)", "path": ["spec", "template", "spec", "containers", 0, "resources", "limits", "cpu"]},
		{"msg": "container \"app\" has no memory limit (resources.limits.memory)", "path": ["spec", "template", "spec", "containers", 0, "resources", "limits", "memory"]},
	} with input as deployment([{"name": "app", "image": "app:1.0"}])
}

# A request does not stand in for a limit.
test_requests_only_fail if {
	vs := violation with input as deployment([app({"requests": {"cpu": "100m", "memory": "128Mi"}})])
	count(vs) == 2
}

test_only_cpu_limit_missing if {
	vs := violation with input as deployment([app({"limits": {"memory": "256Mi"}})])
	{v.path | some v in vs} == {["spec", "template", "spec", "containers", 0, "resources", "limits", "cpu"]}
}

test_second_container_path if {
	vs := violation with input as deployment([app(full), {"name": "sidecar", "image": "proxy:2.0", "resources": {"limits": {"cpu": "100m"}}}])
	{v.path | some v in vs} == {["spec", "template", "spec", "containers", 1, "resources", "limits", "memory"]}
}

test_init_containers_checked_ephemeral_not if {
	obj := pod({
		"initContainers": [{"name": "migrate", "image": "app:1.0", "resources": {"limits": {"cpu": "1"}}}],
		"containers": [app(full)],
		"ephemeralContainers": [{"name": "debug", "image": "busybox:1.36"}],
	})
	vs := violation with input as obj
	{v.path | some v in vs} == {["spec", "initContainers", 0, "resources", "limits", "memory"]}
}

test_pod_level_limits_satisfy if {
	obj := pod({"resources": {"limits": {"cpu": "1", "memory": "1Gi"}}, "containers": [{"name": "app", "image": "app:1.0"}]})
	count(violation) == 0 with input as obj
}

test_cronjob_path if {
	obj := {
		"apiVersion": "batch/v1",
		"kind": "CronJob",
		"metadata": {"name": "c"},
		"spec": {"schedule": "@daily", "jobTemplate": {"spec": {"template": {"spec": {
			"restartPolicy": "OnFailure",
			"containers": [app({"limits": {"cpu": "1"}})],
		}}}}},
	}
	vs := violation with input as obj
	{v.path | some v in vs} == {["spec", "jobTemplate", "spec", "template", "spec", "containers", 0, "resources", "limits", "memory"]}
}

# ---- zero quantities (issue #16) ----------------------------------------------------------
# A zero limit is no limit: the kubelet sets no memory cap and no CPU quota for it, and QoS
# ignores it. Any spelling of zero counts.

limit_path(key) := ["spec", "template", "spec", "containers", 0, "resources", "limits", key]

test_zero_limits_are_unset if {
	violation == {
		{"msg": "container \"app\" has a zero cpu limit (resources.limits.cpu is 0), which Kubernetes treats as no limit", "path": limit_path("cpu")},
		{"msg": "container \"app\" has a zero memory limit (resources.limits.memory is 0), which Kubernetes treats as no limit", "path": limit_path("memory")},
	} with input as deployment([app({"requests": {"cpu": "0", "memory": "0"}, "limits": {"cpu": "0", "memory": "0"}})])
}

test_zero_in_every_spelling_is_unset if {
	every q in ["0m", "0Mi", "0.0", "0e3", 0, 0.0] {
		violation == {
			{"msg": sprintf("container \"app\" has a zero cpu limit (resources.limits.cpu is %v), which Kubernetes treats as no limit", [q]), "path": limit_path("cpu")},
			{"msg": sprintf("container \"app\" has a zero memory limit (resources.limits.memory is %v), which Kubernetes treats as no limit", [q]), "path": limit_path("memory")},
		} with input as deployment([app({"limits": {"cpu": q, "memory": q}})])
	}
}

test_zero_pod_level_limits_do_not_satisfy if {
	obj := pod({"resources": {"limits": {"cpu": "0", "memory": "0Gi"}}, "containers": [app({"limits": {"cpu": "1"}})]})
	vs := violation with input as obj
	{v.path | some v in vs} == {["spec", "containers", 0, "resources", "limits", "memory"]}
}

test_small_non_zero_limit_is_set if {
	count(violation) == 0 with input as deployment([app({"limits": {"cpu": "1m", "memory": "1"}})])
}

# An explicit null limit (what Helm renders for an empty value) is no limit, with the "no
# limit" message (written against mutants that dropped the null check, which counted null as a
# limit, and the zero check of the zero-limit message).
test_null_limits_are_unset if {
	violation == {
		{"msg": "container \"app\" has no cpu limit (resources.limits.cpu)", "path": limit_path("cpu")},
		{"msg": "container \"app\" has no memory limit (resources.limits.memory)", "path": limit_path("memory")},
	} with input as deployment([app({"limits": {"cpu": null, "memory": null}})])
}
