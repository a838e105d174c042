package k8sc.rules.no_added_capabilities

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
	"pod_spec_only": true,
	"params": {"allowed_added_capabilities": ["NET_BIND_SERVICE"]},
	"param_types": {"allowed_added_capabilities": {"type": "string_list", "description": "Capabilities a container may add (restricted allows only NET_BIND_SERVICE)."}},
}

violation contains {"msg": msg, "path": path} if {
	some c in w.containers
	added := object.get(c.container, ["securityContext", "capabilities", "add"], null)
	is_array(added)
	some i, cap in added
	not cap in allowed
	reportable(cap)
	path := array.concat(c.path, ["securityContext", "capabilities", "add", i])
	msg := sprintf("container %q adds capability %v%s; only %v may be added", [c.name, cap, detail(cap), sort(allowed)])
}

allowed := {x | some x in allowed_list}

# The configured list, read directly: w.params(metadata) builds the metadata object on every
# call, and NET_BIND_SERVICE is common. Falls back to metadata.params (a unit test checks the
# two agree).
allowed_list := data.k8sc.params["no-added-capabilities"].allowed_added_capabilities

default allowed_list := ["NET_BIND_SERVICE"]

# Restricted applies to Linux pods; the baseline set applies to every pod.
# (regorus 0.14: functions refer only to rules of their own package, never to an import alias.)
linux if not w.is_windows_pod

# The capabilities the baseline profile lets a container add (the runtimes' historical default).
baseline := {
	"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
	"NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
}

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
