package k8sc.rules.requests_within_limits

import data.k8sc.lib.quantity
import data.k8sc.lib.workloads as w
import rego.v1

# Compares every resource that has both a request and a limit (cpu, memory,
# ephemeral-storage, hugepages-*, extended resources), as quantities: "1" == "1000m",
# "1Gi" == "1024Mi". A request without a limit is resource-limits' business, not this rule's.
# A value that is not a Kubernetes quantity is reported too (the comparison is impossible and
# the API server would reject the object); null values count as absent.
metadata := {
	"id": "requests-within-limits",
	"title": "Resource requests must not exceed limits",
	"severity": "error",
	"section": "IV. High Availability & Resilience (Resource Management: requests guaranteed, limits maximum); X. Resource Optimization (Resource Requests & Limits)",
	"rationale": "A request above its limit is contradictory: the API server rejects the pod, so a chart that renders one fails at install time, usually because one of the two values was overridden per environment and the other was not.",
	"remediation": "Lower the request or raise the limit so that request <= limit for every resource; requests equal to limits give Guaranteed QoS.",
	"kinds": ["*"],
}

# The places that hold resources: every container and init container, and the pod itself
# (spec.resources, PodLevelResources).
holders contains {"name": sprintf("container %q", [r.name]), "resources": r.container.resources, "path": array.concat(r.path, ["resources"])} if {
	some r in w.app_containers
	is_object(r.container.resources)
}

holders contains {"name": "the pod", "resources": w.pod_spec.resources, "path": w.pod_field_path("resources")} if {
	is_object(w.pod_spec.resources)
}

violation contains {"msg": msg, "path": path} if {
	some h in holders
	some key, req in h.resources.requests
	lim := h.resources.limits[key]
	quantity.gt(req, lim)
	path := array.concat(h.path, ["requests", key])
	msg := sprintf("%s requests %v of %s, more than its limit %v", [h.name, req, key, lim])
}

violation contains {"msg": msg, "path": path} if {
	some h in holders
	some kind in ["requests", "limits"]
	some key, value in h.resources[kind]
	value != null
	not quantity.valid(value)
	path := array.concat(h.path, [kind, key])
	msg := sprintf("%s: resources.%s.%s %v is not a Kubernetes quantity (like 500m, 0.5, 256Mi, 1G)", [h.name, kind, key, value])
}
