package k8sc.rules.no_host_process

import data.k8sc.lib.workloads as w
import rego.v1

metadata := {
	"id": "no-host-process",
	"title": "Windows HostProcess containers are forbidden",
	"severity": "error",
	"section": "VIII. Security Best Practices (Container Security: No Privileged Containers); 000 Security Requirements (Pod Security Standards)",
	"pss": "baseline",
	"rationale": "A HostProcess container runs directly on the Windows node with the node's privileges, outside any container isolation: the Windows equivalent of a privileged container.",
	"remediation": "Remove securityContext.windowsOptions.hostProcess (or set it to false) on the pod and on every container.",
	"kinds": ["*"],
	"pod_spec_only": true,
}

violation contains {"msg": msg, "path": path} if {
	object.get(w.pod_spec, ["securityContext", "windowsOptions", "hostProcess"], null) == true
	path := array.concat(w.pod_spec_path, ["securityContext", "windowsOptions", "hostProcess"])
	msg := "the pod sets securityContext.windowsOptions.hostProcess: true (HostProcess containers run with the Windows node's privileges)"
}

violation contains {"msg": msg, "path": path} if {
	some c in w.containers
	object.get(c.container, ["securityContext", "windowsOptions", "hostProcess"], null) == true
	path := array.concat(c.path, ["securityContext", "windowsOptions", "hostProcess"])
	msg := sprintf("container %q sets securityContext.windowsOptions.hostProcess: true (HostProcess containers run with the Windows node's privileges)", [c.name])
}
