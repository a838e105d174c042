package k8sc.rules.resource_requests

import data.k8sc.lib.workloads as w
import rego.v1

# Decisions:
# - A container that sets a limit but no request for a resource passes: Kubernetes defaults
#   the request to the limit (before any admission webhook sees the pod), so lint and
#   admission agree and the pod is scheduled with that request.
# - Pod-level resources (spec.resources, Kubernetes 1.32+ PodLevelResources) satisfy the
#   requirement for every container of the pod.
# - Ephemeral containers cannot have resources (the API rejects them); they are not checked.
metadata := {
	"id": "resource-requests",
	"title": "Containers must request CPU and memory",
	"severity": "error",
	"section": "III. Kubernetes Design Patterns (Resource Limits: CPU and memory limits/requests for all containers); IV. Resource Management (Requests); FR-014",
	"rationale": "The scheduler places pods by their requests: without them a pod is BestEffort, lands on nodes that cannot hold it and is the first to be evicted under pressure.",
	"remediation": "Set resources.requests.cpu and resources.requests.memory on every container and init container (from observed P50 usage, constitution X).",
	"kinds": ["*"],
	"pod_spec_only": true,
}

violation contains {"msg": msg, "path": path} if {
	some r in w.app_containers
	some key in keys
	not requested(r.container, key)
	not requested(w.pod_spec, key)
	path := array.concat(r.path, ["resources", "requests", key])
	msg := sprintf("container %q has no %s request (resources.requests.%s)", [r.name, key, key])
}

keys := ["cpu", "memory"]

requested(holder, key) if holder.resources.requests[key] != null

requested(holder, key) if holder.resources.limits[key] != null
