package k8sc.rules.no_probe_host

import data.k8sc.lib.workloads as w
import rego.v1

metadata := {
	"id": "no-probe-host",
	"title": "Probes and lifecycle hooks must not set a host",
	"severity": "error",
	"section": "VIII. Security Best Practices (Network Security); IV. High Availability & Resilience (Health Checks); 000 Security Requirements (Pod Security Standards)",
	"pss": "baseline",
	"rationale": "The kubelet sends httpGet/tcpSocket probes and hooks from the node, to the pod IP unless .host overrides it: a host lets a pod author make the kubelet reach any address the node can (cloud metadata, node-local services), a blind SSRF. Pod Security baseline forbids it since Kubernetes v1.34 (empty or unset only).",
	"remediation": "Remove .host from the probe or hook so the kubelet targets the pod IP; to send a virtual host name, set an httpHeaders entry named Host instead.",
	"kinds": ["*"],
	"pod_spec_only": true,
}

probes := ["livenessProbe", "readinessProbe", "startupProbe"]

hooks := ["postStart", "preStop"]

handlers := ["httpGet", "tcpSocket"]

# (References, not object.get, so a container without probes is dropped at the first step.)
violation contains {"msg": msg, "path": path} if {
	some c in w.containers
	some probe in probes
	spec := c.container[probe]
	some handler in handlers
	host := spec[handler].host
	bad_host(host)
	path := array.concat(c.path, [probe, handler, "host"])
	msg := sprintf("container %q: %s.%s.host is set (%v); probes must target the pod IP", [c.name, probe, handler, host])
}

violation contains {"msg": msg, "path": path} if {
	some c in w.containers
	lifecycle := c.container.lifecycle
	some hook in hooks
	some handler in handlers
	host := lifecycle[hook][handler].host
	bad_host(host)
	path := array.concat(c.path, ["lifecycle", hook, handler, "host"])
	msg := sprintf("container %q: lifecycle.%s.%s.host is set (%v); hooks must target the pod IP", [c.name, hook, handler, host])
}

bad_host(host) if {
	host != ""
	host != null
}
