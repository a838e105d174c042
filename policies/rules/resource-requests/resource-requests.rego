package k8sc.rules.resource_requests

import data.k8sc.lib.quantity
import data.k8sc.lib.workloads as w
import rego.v1

# Decisions:
# - A container that sets a limit but no request for a resource passes: Kubernetes defaults
#   the request to the limit (before any admission webhook sees the pod), so lint and
#   admission agree and the pod is scheduled with that request.
# - Pod-level resources (spec.resources, Kubernetes 1.32+ PodLevelResources) satisfy the
#   requirement for every container of the pod.
# - Ephemeral containers cannot have resources (the API rejects them); they are not checked.
# - A zero quantity, in any spelling (0, 0m, 0Mi, 0.0, a YAML 0), is no request: Kubernetes
#   ignores zero requests for QoS (the pod stays BestEffort) and the scheduler reserves nothing.
#   A zero limit does not stand in for a missing request either (the copied request is zero),
#   and an explicit zero request is kept as it is even when the limit is non-zero.
metadata := {
	"id": "resource-requests",
	"title": "Containers must request CPU and memory",
	"severity": "error",
	"section": "III. Kubernetes Design Patterns (Resource Limits: CPU and memory limits/requests for all containers); IV. Resource Management (Requests); FR-014",
	"rationale": "The scheduler places pods by their requests: without them a pod is BestEffort, lands on nodes that cannot hold it and is the first to be evicted under pressure.",
	"remediation": "Set resources.requests.cpu and resources.requests.memory on every container and init container (from observed P50 usage).",
	"compared": "A limit without a request satisfies the rule, because the API server copies the limit into the missing request (a zero limit copies zero, which counts as no request). Polaris's cpuRequestsMissing/memoryRequestsMissing look only at resources.requests, so they flag a limit-only container (as kube-score does), skip init containers, and accept a \"0\" request, which this rule, like kube-score, treats as none.",
	"kinds": ["*"],
	"pod_spec_only": true,
}

violation contains {"msg": msg, "path": path} if {
	some r in w.app_containers
	some key in keys
	not requested(r.container, key)
	not requested(w.pod_spec, key)
	path := array.concat(r.path, ["resources", "requests", key])
	msg := message(r, key)
}

keys := ["cpu", "memory"]

# A non-zero request, or (with no request at all) a non-zero limit, which the API server copies
# into the request. Null values count as absent; a value that is not a quantity counts as set
# (requests-within-limits reports it).
requested(holder, key) if {
	q := holder.resources.requests[key]
	q != null
	not quantity.zero(q)
}

requested(holder, key) if {
	not has_request(holder, key)
	q := holder.resources.limits[key]
	q != null
	not quantity.zero(q)
}

has_request(holder, key) if holder.resources.requests[key] != null

message(r, key) := sprintf("container %q requests zero %s (resources.requests.%s is %v): Kubernetes ignores a zero request, so it counts as none", [r.name, key, key, q]) if {
	q := r.container.resources.requests[key]
	quantity.zero(q)
}

message(r, key) := sprintf("container %q has no %s request (resources.requests.%s), and its %s limit is zero, which Kubernetes ignores", [r.name, key, key, key]) if {
	not has_request(r.container, key)
	quantity.zero(r.container.resources.limits[key])
}

message(r, key) := sprintf("container %q has no %s request (resources.requests.%s)", [r.name, key, key]) if {
	not has_request(r.container, key)
	not zero_limit(r.container, key)
}

# (A helper, never `not f(x.missing)`: OPA makes a negated call with an undefined argument fail
# where regorus makes it succeed; behind a helper both engines read "no zero limit".)
zero_limit(holder, key) if quantity.zero(holder.resources.limits[key])
