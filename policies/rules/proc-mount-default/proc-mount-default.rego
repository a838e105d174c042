package k8sc.rules.proc_mount_default

import data.k8sc.lib.workloads as w
import rego.v1

metadata := {
	"id": "proc-mount-default",
	"title": "Containers must keep the default masked /proc",
	"severity": "error",
	"section": "VIII. Security Best Practices (Container Security); 000 Security Requirements (Pod Security Standards)",
	"pss": "baseline",
	"rationale": "procMount: Unmasked exposes /proc paths (kcore, sysrq-trigger, timer_list...) the runtime normally masks. Since Kubernetes v1.35 baseline tolerates it in user-namespace pods (hostUsers: false) but restricted never does; this rule follows restricted and flags it everywhere.",
	"remediation": "Remove securityContext.procMount or set it to Default.",
	"compared": "Flags any procMount other than Default everywhere, also in user-namespace pods (hostUsers: false), where Pod Security admission baseline tolerates Unmasked since Kubernetes v1.35; only its restricted level forbids it there too.",
	"kinds": ["*"],
	"pod_spec_only": true,
}

violation contains {"msg": msg, "path": path} if {
	some c in w.containers
	proc_mount := object.get(c.container, ["securityContext", "procMount"], null)
	proc_mount != null
	proc_mount != "Default"
	path := array.concat(c.path, ["securityContext", "procMount"])
	msg := sprintf("container %q sets procMount %v; only Default is allowed", [c.name, proc_mount])
}
