package k8sc.rules.run_as_non_root

import data.k8sc.lib.workloads as w
import rego.v1

metadata := {
	"id": "run-as-non-root",
	"title": "Containers must run as a non-root user",
	"severity": "error",
	"section": "II. Containerization Best Practices (Non-root Users); VIII. Security Best Practices (Container Security); DON'T: Run containers as root",
	"pss": "restricted",
	"rationale": "A process running as UID 0 inside a container is root on the node if it ever escapes; Kubernetes only guarantees non-root when runAsNonRoot is true (the kubelet then refuses to start an image whose user is root).",
	"remediation": "Set securityContext.runAsNonRoot: true on the pod (or on every container), and never set runAsUser: 0.",
	"kinds": ["*"],
}

# runAsNonRoot must be true for every container, from the container or the pod.
violation contains {"msg": msg, "path": path} if {
	some c in w.containers
	not non_root_guaranteed(c)
	path := w.setting_path(c, "runAsNonRoot")
	msg := sprintf("container %q does not set runAsNonRoot: true (on the container or the pod)", [c.name])
}

# runAsUser: 0 anywhere is root, whatever runAsNonRoot says.
violation contains {"msg": msg, "path": s.path} if {
	some c in w.containers
	s := w.effective(c, "runAsUser")
	s.value == 0
	msg := sprintf("container %q runs as UID 0 (root)", [c.name])
}

non_root_guaranteed(c) if w.effective(c, "runAsNonRoot").value == true
