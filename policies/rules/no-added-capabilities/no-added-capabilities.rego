package k8sc.rules.no_added_capabilities

import data.k8sc.lib.security as s
import data.k8sc.lib.workloads as w
import rego.v1

metadata := {
	"id": "no-added-capabilities",
	"title": "Containers may add back only NET_BIND_SERVICE",
	"severity": "error",
	"section": "VIII. Security Best Practices (Container Security: Capabilities - drop all capabilities, add only required ones)",
	"pss": "restricted",
	"rationale": "Implements both Pod Security controls on capabilities.add: restricted allows only NET_BIND_SERVICE, and baseline forbids anything outside the runtime default set (so NET_RAW, SYS_ADMIN, SYS_PTRACE... are reported as outside baseline too). Names are compared as Pod Security admission does, case-sensitively and without a CAP_ prefix. Windows pods are exempt from the restricted part only (the API server forbids capabilities on them anyway). Widening allowed_added_capabilities beyond the baseline set leaves the baseline profile.",
	"remediation": "Remove the capability from securityContext.capabilities.add; a server that must bind a port below 1024 can add NET_BIND_SERVICE, or listen on a high port behind its Service.",
	"kinds": ["*"],
	"params": {"allowed_added_capabilities": ["NET_BIND_SERVICE"]},
}

violation contains {"msg": msg, "path": path} if {
	some c in w.containers
	some i, cap in s.as_array(s.container_value(c, ["capabilities", "add"]))
	not cap in allowed
	reportable(cap)
	path := s.container_path(c, ["capabilities", "add", i])
	msg := sprintf("container %q adds capability %v%s; only %v may be added", [c.name, cap, detail(cap), sort(allowed)])
}

allowed := {x | some x in w.params(metadata).allowed_added_capabilities}

# Restricted applies to Linux pods; the baseline set applies to every pod.
# (Functions refer only to rules of this package: see the regorus note in lib/security.rego.)
linux if s.linux_only_controls_apply

baseline := s.baseline_capabilities

reportable(_) if linux

reportable(cap) if not cap in baseline

detail(cap) := " (outside even the Pod Security baseline set)" if {
	not cap in baseline
	not normalised(cap) in allowed
}

detail(cap) := sprintf(" (write it %q: names are compared case-sensitively, without CAP_)", [normalised(cap)]) if {
	normalised(cap) in allowed
}

detail(cap) := "" if {
	cap in baseline
	not normalised(cap) in allowed
}

normalised(cap) := trim_prefix(upper(cap), "CAP_") if is_string(cap)

normalised(cap) := cap if not is_string(cap)
