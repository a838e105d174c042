package k8sc.rules.no_privileged

import data.k8sc.lib.fix
import data.k8sc.lib.workloads as w
import rego.v1

metadata := {
	"id": "no-privileged",
	"title": "Privileged containers are forbidden",
	"severity": "error",
	"section": "VIII. Security Best Practices (Container Security: No Privileged Containers - never use privileged: true)",
	"pss": "baseline",
	"rationale": "A privileged container gets every capability and every host device and runs without seccomp, AppArmor or SELinux confinement: root in it is root on the node.",
	"remediation": "Remove securityContext.privileged (or set it to false); grant the single capability the process needs instead, if any.",
	"kinds": ["*"],
	"pod_spec_only": true,
}

# Fix: privileged replaced by false. Which capability to grant instead, if any, is a human's call.
violation contains v if {
	some c in w.containers
	object.get(c.container, ["securityContext", "privileged"], null) == true
	path := array.concat(c.path, ["securityContext", "privileged"])
	msg := sprintf("container %q sets securityContext.privileged: true", [c.name])
	ops := [op | op := fix.set(c.container, c.path, ["securityContext", "privileged"], false)]
	v := object.union({"msg": msg, "path": path}, fix.member(ops))
}
