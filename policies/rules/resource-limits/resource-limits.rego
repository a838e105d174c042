package k8sc.rules.resource_limits

import data.k8sc.lib.quantity
import data.k8sc.lib.workloads as w
import rego.v1

# Decisions:
# - Pod-level limits (spec.resources.limits, Kubernetes 1.32+ PodLevelResources) cap every
#   container of the pod, so they satisfy the requirement ("all pods must have resource limits").
# - Ephemeral containers cannot have resources (the API rejects them); they are not checked.
# - A zero limit, in any spelling (0, 0m, 0Mi, 0.0, a YAML 0), is no limit: the kubelet sets no
#   memory cap and no CPU quota for it, and QoS ignores it.
metadata := {
	"id": "resource-limits",
	"title": "Containers must have CPU and memory limits",
	"severity": "error",
	"section": "III. Kubernetes Design Patterns (Resource Limits); Operational Constraints 1 (Resource Limits: all pods must have resource limits); DON'T: Deploy without resource limits; FR-013",
	"rationale": "Without a memory limit one leaking container can exhaust the node's memory and get unrelated pods OOM-killed; without a CPU limit it can starve its neighbours.",
	"remediation": "Set resources.limits.cpu and resources.limits.memory on every container and init container (from observed P95 usage).",
	"kinds": ["*"],
	"pod_spec_only": true,
}

violation contains {"msg": msg, "path": path} if {
	some r in w.app_containers
	some key in keys
	not limited(r.container, key)
	not limited(w.pod_spec, key)
	path := array.concat(r.path, ["resources", "limits", key])
	msg := message(r, key)
}

keys := ["cpu", "memory"]

# Null values count as absent; a value that is not a quantity counts as set
# (requests-within-limits reports it).
limited(holder, key) if {
	q := holder.resources.limits[key]
	q != null
	not quantity.zero(q)
}

message(r, key) := sprintf("container %q has a zero %s limit (resources.limits.%s is %v), which Kubernetes treats as no limit", [r.name, key, key, q]) if {
	q := r.container.resources.limits[key]
	quantity.zero(q)
}

message(r, key) := sprintf("container %q has no %s limit (resources.limits.%s)", [r.name, key, key]) if {
	not zero_limit(r.container, key)
}

# (A helper, never `not f(x.missing)`: OPA makes a negated call with an undefined argument fail
# where regorus makes it succeed; behind a helper both engines read "no zero limit".)
zero_limit(holder, key) if quantity.zero(holder.resources.limits[key])
