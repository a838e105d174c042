package k8sc.rules.no_added_capabilities

import data.k8sc.lib.workloads as w
import rego.v1

metadata := {
	"id": "no-added-capabilities",
	"title": "Containers may add back only NET_BIND_SERVICE",
	"severity": "error",
	"section": "VIII. Security Best Practices (Container Security: Capabilities - drop all capabilities, add only required ones)",
	"pss": "restricted",
	"rationale": "Implements the Pod Security restricted control on capabilities.add: only NET_BIND_SERVICE may be added. It reports the capabilities of the baseline set (CHOWN, KILL, SETUID...) that the restricted level forbids; a capability outside that set (NET_RAW, SYS_ADMIN, SYS_PTRACE, or a miswritten chown / CAP_CHOWN) breaks the baseline level and is reported once, by no-unsafe-capabilities, not here. Windows pods are exempt, as in Pod Security admission (the API server forbids capabilities on them anyway). allowed_added_capabilities only widens this restricted limit: no-unsafe-capabilities still reports anything outside the baseline set.",
	"remediation": "Remove the capability from securityContext.capabilities.add; a server that must bind a port below 1024 can add NET_BIND_SERVICE, or listen on a high port behind its Service.",
	"kinds": ["*"],
	"pod_spec_only": true,
	"params": {"allowed_added_capabilities": ["NET_BIND_SERVICE"]},
	"param_types": {"allowed_added_capabilities": {"type": "string_list", "description": "Capabilities a container may add (restricted allows only NET_BIND_SERVICE)."}},
}

violation contains {"msg": msg, "path": path} if {
	linux
	some c in w.containers
	added := object.get(c.container, ["securityContext", "capabilities", "add"], null)
	is_array(added)
	some i, cap in added
	not cap in allowed
	cap in baseline
	path := array.concat(c.path, ["securityContext", "capabilities", "add", i])
	msg := sprintf("container %q adds capability %v; only %v may be added (%v is in the Pod Security baseline set; capabilities outside it are reported by no-unsafe-capabilities)", [c.name, cap, sort(allowed), cap])
}

allowed := {x | some x in allowed_list}

# The configured list, read directly: w.params(metadata) builds the metadata object on every
# call, and NET_BIND_SERVICE is common. Falls back to metadata.params (a unit test checks the
# two agree).
allowed_list := data.k8sc.params["no-added-capabilities"].allowed_added_capabilities

default allowed_list := ["NET_BIND_SERVICE"]

# Restricted applies to Linux pods (the baseline part, for every pod, is no-unsafe-capabilities).
linux if not w.is_windows_pod

# The capabilities the baseline profile lets a container add (the runtimes' historical default):
# this rule reports only these, no-unsafe-capabilities the rest (a unit test there checks that
# both rules keep the same set).
baseline := {
	"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
	"NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
}
