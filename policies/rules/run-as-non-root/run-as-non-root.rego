package k8sc.rules.run_as_non_root

import data.k8sc.lib.workloads as w
import rego.v1

metadata := {
	"id": "run-as-non-root",
	"title": "Containers must run as a non-root user",
	"severity": "error",
	"section": "II. Containerization Best Practices (Non-root Users); VIII. Security Best Practices (Container Security); DON'T: Run containers as root",
	"pss": "restricted",
	"rationale": "A process running as UID 0 inside a container is root on the node if it ever escapes; Kubernetes only guarantees non-root when runAsNonRoot is true (the kubelet then refuses to start an image whose user is root). Implements the two Pod Security restricted controls \"Running as Non-root\" and \"Running as Non-root user\" (runAsUser never 0), on every container, init container and ephemeral container. An explicit pod-level false or 0 is reported even when the containers override it, as Pod Security admission does. Windows pods are not exempt. The v1.35 admission relaxation for user-namespace pods (hostUsers: false) is not applied: the constitution forbids root in the container, mapped or not.",
	"remediation": "Set securityContext.runAsNonRoot: true on the pod (or on every container), and never set runAsUser: 0.",
	"kinds": ["*"],
	"pod_spec_only": true,
}

violation contains {"msg": msg, "path": path} if {
	object.get(w.pod_spec, ["securityContext", "runAsNonRoot"], null) == false
	path := array.concat(w.pod_spec_path, ["securityContext", "runAsNonRoot"])
	msg := "the pod sets securityContext.runAsNonRoot: false"
}

violation contains {"msg": msg, "path": path} if {
	some c in w.containers
	object.get(c.container, ["securityContext", "runAsNonRoot"], null) == false
	path := array.concat(c.path, ["securityContext", "runAsNonRoot"])
	msg := sprintf("container %q sets securityContext.runAsNonRoot: false", [c.name])
}

# Set nowhere (a pod-level false is reported once, above).
violation contains {"msg": msg, "path": path} if {
	object.get(w.pod_spec, ["securityContext", "runAsNonRoot"], null) == null
	some c in w.containers
	object.get(c.container, ["securityContext", "runAsNonRoot"], null) == null
	path := array.concat(c.path, ["securityContext", "runAsNonRoot"])
	msg := sprintf("container %q does not set runAsNonRoot: true (on the container or the pod)", [c.name])
}

# runAsUser: 0 anywhere is root, whatever runAsNonRoot says.
violation contains {"msg": msg, "path": path} if {
	object.get(w.pod_spec, ["securityContext", "runAsUser"], null) == 0
	path := array.concat(w.pod_spec_path, ["securityContext", "runAsUser"])
	msg := "the pod sets runAsUser: 0 (root)"
}

violation contains {"msg": msg, "path": path} if {
	some c in w.containers
	object.get(c.container, ["securityContext", "runAsUser"], null) == 0
	path := array.concat(c.path, ["securityContext", "runAsUser"])
	msg := sprintf("container %q runs as UID 0 (root)", [c.name])
}
