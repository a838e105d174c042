package k8sc.rules.requests_within_limits

import rego.v1

deployment(containers) := {
	"apiVersion": "apps/v1",
	"kind": "Deployment",
	"metadata": {"name": "web"},
	"spec": {"template": {"spec": {"containers": containers}}},
}

with_resources(resources) := deployment([{"name": "app", "image": "app:1.0", "resources": resources}])

res(req_cpu, req_mem, lim_cpu, lim_mem) := {"requests": {"cpu": req_cpu, "memory": req_mem}, "limits": {"cpu": lim_cpu, "memory": lim_mem}}

base := ["spec", "template", "spec", "containers", 0, "resources"]

test_requests_below_limits_pass if {
	count(violation) == 0 with input as with_resources(res("100m", "128Mi", "500m", "256Mi"))
}

test_requests_equal_to_limits_pass if {
	count(violation) == 0 with input as with_resources(res("500m", "256Mi", "500m", "256Mi"))
}

test_equal_in_different_units_pass if {
	count(violation) == 0 with input as with_resources(res("1", "1Gi", "1000m", "1024Mi"))
	count(violation) == 0 with input as with_resources(res(1, "1024Mi", "1", "1Gi"))
	count(violation) == 0 with input as with_resources(res("0.5", "1e3", "500m", "1k"))
}

test_cpu_request_above_limit_fails if {
	violation == {{
		"msg": "container \"app\" requests 2 of cpu, more than its limit 1",
		"path": array.concat(base, ["requests", "cpu"]),
	}} with input as with_resources(res("2", "128Mi", "1", "256Mi"))
}

test_memory_request_above_limit_fails if {
	vs := violation with input as with_resources(res("100m", "1Gi", "500m", "1000M"))
	{v.path | some v in vs} == {array.concat(base, ["requests", "memory"])}
}

test_milli_cpu_vs_cores if {
	vs := violation with input as with_resources(res("1500m", "128Mi", 1, "256Mi"))
	{v.path | some v in vs} == {array.concat(base, ["requests", "cpu"])}
}

test_decimal_vs_binary_memory if {
	# 512M = 512,000,000 < 512Mi = 536,870,912
	count(violation) == 0 with input as with_resources(res("100m", "512M", "1", "512Mi"))
	violation == {{
		"msg": "container \"app\" requests 512Mi of memory, more than its limit 512M",
		"path": array.concat(base, ["requests", "memory"]),
	}} with input as with_resources(res("100m", "512Mi", "1", "512M"))
}

# resources that is not an object (a templating slip) holds no request or limit (written against
# a mutant that dropped the is_object check, which made object.get fail on a string).
test_non_object_resources_hold_nothing if {
	count(violation) == 0 with input as with_resources("500m")
	count(violation) == 0 with input as with_resources({"requests": "500m", "limits": {"cpu": "1"}})
}

# A request with no limit for that resource is resource-limits' finding, not this rule's.
test_request_without_limit_passes if {
	count(violation) == 0 with input as with_resources({"requests": {"cpu": "4", "memory": "8Gi"}, "limits": {"memory": "8Gi"}})
	count(violation) == 0 with input as with_resources({"requests": {"cpu": "4", "memory": "8Gi"}})
}

test_other_resources_compared if {
	vs := violation with input as with_resources({"requests": {"ephemeral-storage": "2Gi", "nvidia.com/gpu": 2}, "limits": {"ephemeral-storage": "1Gi", "nvidia.com/gpu": 1}})
	{v.path | some v in vs} == {array.concat(base, ["requests", "ephemeral-storage"]), array.concat(base, ["requests", "nvidia.com/gpu"])}
}

test_invalid_quantity_reported if {
	vs := violation with input as with_resources(res("100m", "128MB", "500m", "256Mi"))
	vs == {{
		"msg": "container \"app\": resources.requests.memory 128MB is not a Kubernetes quantity (like 500m, 0.5, 256Mi, 1G)",
		"path": array.concat(base, ["requests", "memory"]),
	}}
}

test_null_values_are_absent if {
	count(violation) == 0 with input as with_resources(res("100m", null, "500m", null))
}

test_init_container_checked if {
	obj := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {
		"initContainers": [{"name": "migrate", "image": "app:1.0", "resources": res("2", "1Gi", "1", "1Gi")}],
		"containers": [{"name": "app", "image": "app:1.0", "resources": res("1", "1Gi", "1", "1Gi")}],
	}}
	vs := violation with input as obj
	{v.path | some v in vs} == {["spec", "initContainers", 0, "resources", "requests", "cpu"]}
}

test_pod_level_resources_checked if {
	obj := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {
		"resources": {"requests": {"memory": "2Gi"}, "limits": {"memory": "1Gi"}},
		"containers": [{"name": "app", "image": "app:1.0"}],
	}}
	vs := violation with input as obj
	vs == {{"msg": "the pod requests 2Gi of memory, more than its limit 1Gi", "path": ["spec", "resources", "requests", "memory"]}}
}

test_no_resources_nothing_to_compare if {
	count(violation) == 0 with input as deployment([{"name": "app", "image": "app:1.0"}])
}

# ---- zero quantities (issue #16) ----------------------------------------------------------
# Zeros count as unset for resource-requests / resource-limits; here they are still compared:
# a zero request is within any limit, and the API server rejects a non-zero request above a
# zero limit (validation compares the quantities as given), so that stays a finding.
test_all_zero_passes if {
	count(violation) == 0 with input as with_resources(res("0", "0", "0", "0"))
	count(violation) == 0 with input as with_resources(res("0m", "0Mi", 0, "0.0"))
}

test_zero_request_under_a_limit_passes if {
	count(violation) == 0 with input as with_resources(res("0", "0Mi", "500m", "256Mi"))
}

test_request_above_zero_limit_fails if {
	violation == {{
		"msg": "container \"app\" requests 100m of cpu, more than its limit 0 (a zero limit means no limit at run time, but the API server rejects a request above it)",
		"path": array.concat(base, ["requests", "cpu"]),
	}} with input as with_resources(res("100m", "0", "0", "0"))
}
