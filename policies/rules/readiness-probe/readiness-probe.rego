package k8sc.rules.readiness_probe

import data.k8sc.lib.workloads as w
import rego.v1

# Required of every long-running container (regular containers and sidecar init containers,
# restartPolicy: Always) of a long-running workload. Not required of Jobs, CronJobs, bare
# Pods with restartPolicy Never/OnFailure, plain init containers (they run to completion
# before the others start) or ephemeral containers (the API forbids probes on them).
metadata := {
	"id": "readiness-probe",
	"title": "Long-running containers must have a readiness probe",
	"severity": "error",
	"section": "IV. High Availability & Resilience (Health Checks: Readiness Probe); III. Kubernetes Design Patterns (Health Probes); Non-Negotiable Technical Constraints 7 (Health Checks); FR-015",
	"rationale": "Without a readiness probe a pod receives Service traffic as soon as its containers start, before the application can answer, and keeps receiving it while unhealthy; rolling updates then drop requests.",
	"remediation": "Add a readinessProbe (httpGet on the application's readiness endpoint, a tcpSocket, exec or grpc) to every container and sidecar.",
	"compared": "Requires a readinessProbe on every long-running container and sidecar, whether or not a Service selects the pod today. kube-score requires a readiness probe only for pods a Service selects, and one container's probe satisfies it for the whole pod.",
	"kinds": ["*"],
	"pod_spec_only": true,
}

violation contains object.union({"msg": msg, "path": path}, advice(r)) if {
	w.is_long_running_workload
	some r in w.containers
	r.long_running
	not has_probe(r.container)
	path := array.concat(r.path, ["readinessProbe"])
	msg := sprintf("%s %q has no readinessProbe", [describe(r), r.name])
}

# A help only for a container that declares a port: a probe on it. (Complementary definitions,
# not `else`: regorus' VM lost the `else := {}` of this function, and the finding with it.)
advice(r) := {"help": sprintf("Add a readinessProbe to %s %q on its port %v, e.g. httpGet: {path: <readiness endpoint>, port: %v} or tcpSocket: {port: %v}.", [describe(r), r.name, port, port, port])} if {
	port := first_port(r.container)
}

advice(r) := {} if not declares_port(r.container)

declares_port(c) if first_port(c)

first_port(c) := ports[0] if {
	is_array(c.ports)
	ports := [p.containerPort | some p in c.ports; is_number(p.containerPort)]
	count(ports) > 0
}

has_probe(c) if {
	is_object(c.readinessProbe)
	count(c.readinessProbe) > 0
}

describe(r) := "sidecar container" if r.list == "initContainers"

describe(r) := "container" if r.list != "initContainers"
