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
	"pod_spec_only": true,
}

# The places that hold resources: every container and init container, and the pod itself
# (spec.resources, PodLevelResources). The message and path are built only for a finding:
# building them up front for every container was a third of this rule's cost.
violation contains v if {
	some r in w.app_containers
	some v in findings(r.container.resources, r.path, r.name)
}

violation contains v if {
	some v in findings(w.pod_spec.resources, w.pod_spec_path, null)
}

# owner: path of the container (or pod spec); name: the container's, null for the pod.
findings(resources, owner, name) := array.concat(over_limit(resources, requests, limits, owner, name), invalid(resources, requests, limits, owner, name)) if {
	is_object(resources)
	requests := parsed(object.get(resources, "requests", {}))
	limits := parsed(object.get(resources, "limits", {}))
}

parsed(values) := {key: q |
	is_object(values)
	some key, value in values
	q := quantity.parse(value)
}

over_limit(resources, requests, limits, owner, name) := [v |
	some key, req in requests
	req > limits[key]
	v := {
		"msg": sprintf("%s requests %v of %s, more than its limit %v%s", [who(name), resources.requests[key], key, resources.limits[key], zero_limit_note(limits[key])]),
		"path": array.concat(owner, ["resources", "requests", key]),
	}
]

# Values that did not parse (fewer parsed than given; nulls count as absent).
invalid(resources, requests, limits, owner, name) := [v |
	some kind, good in {"requests": requests, "limits": limits}
	values := resources[kind]
	is_object(values)
	count(values) != count(good)
	some key, value in values
	value != null
	not good[key]
	v := {
		"msg": sprintf("%s: resources.%s.%s %v is not a Kubernetes quantity (like 500m, 0.5, 256Mi, 1G)", [who(name), kind, key, value]),
		"path": array.concat(owner, ["resources", kind, key]),
	}
]

# A zero limit is no limit at run time (resource-limits reports it), but the API server still
# validates request <= limit on the quantities as written, so the object is rejected.
zero_limit_note(limit) := " (a zero limit means no limit at run time, but the API server rejects a request above it)" if limit == 0

zero_limit_note(limit) := "" if limit != 0

who(name) := "the pod" if name == null

who(name) := sprintf("container %q", [name]) if name != null
