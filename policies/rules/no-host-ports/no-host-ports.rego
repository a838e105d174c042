package k8sc.rules.no_host_ports

import data.k8sc.lib.workloads as w
import rego.v1

metadata := {
	"id": "no-host-ports",
	"title": "Containers must not bind host ports",
	"severity": "error",
	"section": "VIII. Security Best Practices (Network Security: restrict pod-to-pod communication); III. Kubernetes Design Patterns (Service Patterns); 000 Security Requirements (Pod Security Standards)",
	"pss": "baseline",
	"rationale": "A hostPort opens a port on the node's own address, bypassing Services and most NetworkPolicy implementations, and limits scheduling to one replica per node.",
	"remediation": "Remove ports[].hostPort (0 means unset); expose the port through a Service (ClusterIP, NodePort or LoadBalancer) or an Ingress.",
	"kinds": ["*"],
	"pod_spec_only": true,
}

violation contains {"msg": msg, "path": path} if {
	some c in w.containers
	ports := object.get(c.container, "ports", [])
	is_array(ports)
	some j, port in ports
	host_port := object.get(port, "hostPort", 0)
	host_port != 0
	host_port != null
	path := array.concat(c.path, ["ports", j, "hostPort"])
	msg := sprintf("container %q binds host port %v", [c.name, host_port])
}
