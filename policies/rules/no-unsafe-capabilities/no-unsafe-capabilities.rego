package k8sc.rules.no_unsafe_capabilities

import data.k8sc.lib.workloads as w
import rego.v1

metadata := {
	"id": "no-unsafe-capabilities",
	"title": "Containers may add only capabilities of the Pod Security baseline set",
	"severity": "error",
	"section": "VIII. Security Best Practices (Container Security: Capabilities - drop all capabilities, add only required ones)",
	"pss": "baseline",
	"rationale": "Implements the Pod Security baseline control on capabilities.add: a container may add back only capabilities of the runtimes' historical default set (AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT); NET_RAW, NET_ADMIN, SYS_ADMIN, SYS_PTRACE... give a container powers over the node's network or kernel. Names are compared as Pod Security admission does, case-sensitively and without a CAP_ prefix (chown and CAP_CHOWN are outside the set, with a hint to write CHOWN). It applies to every pod, Windows included, as the baseline level does; the restricted limit (only NET_BIND_SERVICE) is no-added-capabilities', which leaves these capabilities to this rule so that each is reported once.",
	"remediation": "Remove the capability from securityContext.capabilities.add. If the workload really needs it (a CNI or packet-capture agent), run it in a namespace that is not held to the baseline profile, or exempt it for this rule.",
	"compared": "Same set and comparison as Pod Security admission baseline (and gatekeeper-library's psp-capabilities with that set). Pod Security admission at its restricted level replaces this check by the restricted one, which exempts Windows pods; the API server rejects capabilities on Windows pods anyway.",
	"kinds": ["*"],
	"pod_spec_only": true,
}

# The capabilities the baseline profile lets a container add (the runtimes' historical default),
# as in k8s.io/pod-security-admission policy/check_capabilities_baseline.go. no-added-capabilities
# keeps the same set (a unit test checks the two agree).
baseline := {
	"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
	"NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
}

violation contains {"msg": msg, "path": path} if {
	some c in w.containers
	added := object.get(c.container, ["securityContext", "capabilities", "add"], null)
	is_array(added)
	some i, cap in added
	not cap in baseline
	path := array.concat(c.path, ["securityContext", "capabilities", "add", i])
	msg := sprintf("container %q adds capability %v, outside the Pod Security baseline set%s", [c.name, shown(cap), hint(cap)])
}

hint(cap) := sprintf(" (write it %q: names are compared case-sensitively, without CAP_)", [normalised(cap)]) if {
	normalised(cap) in baseline
}

hint(cap) := "" if not normalised(cap) in baseline

normalised(cap) := trim_prefix(upper(cap), "CAP_") if is_string(cap)

normalised(cap) := cap if not is_string(cap)

shown(v) := v if is_string(v)

shown(v) := sprintf("%v", [v]) if not is_string(v)
