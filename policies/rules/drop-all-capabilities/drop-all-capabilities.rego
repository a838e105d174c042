package k8sc.rules.drop_all_capabilities

import data.k8sc.lib.fix
import data.k8sc.lib.workloads as w
import rego.v1

metadata := {
	"id": "drop-all-capabilities",
	"title": "Containers must drop ALL Linux capabilities",
	"severity": "error",
	"section": "VIII. Security Best Practices (Container Security: Capabilities - drop all capabilities, add only required ones)",
	"pss": "restricted",
	"rationale": "Container runtimes grant a default set of capabilities (CHOWN, DAC_OVERRIDE, SETUID, NET_RAW...) that most applications never use; dropping them all removes whole classes of privilege escalation. Pod Security admission compares the name case-sensitively: only \"ALL\" counts, so a lowercase \"all\" (which some runtimes accept) is still rejected by a restricted namespace. Windows pods are exempt (capabilities do not exist there).",
	"remediation": "Set securityContext.capabilities.drop: [\"ALL\"] on every container, init container and ephemeral container (capabilities are per container; a pod-level setting does not exist).",
	"compared": "Requires the exact name \"ALL\" in capabilities.drop, compared case-sensitively as Pod Security admission (restricted) does; a lowercase \"all\" gets its own finding. kube-linter's drop-net-raw-capability is satisfied by dropping NET_RAW alone, and Polaris's insecureCapabilities accepts \"ALL\" in any case or an explicit list of the runtime's default capabilities; neither is enough here.",
	"kinds": ["*"],
	"pod_spec_only": true,
}

# Fix: "ALL" appended to the drop list (a new list when there is none; no fix when drop is
# something other than a list, which a human has to read).
violation contains v if {
	some c in w.containers
	not w.is_windows_pod
	drop := object.get(c.container, ["securityContext", "capabilities", "drop"], null)
	not "ALL" in drop
	not wrong_case_all(drop)
	path := array.concat(c.path, ["securityContext", "capabilities", "drop"])
	msg := sprintf("container %q does not drop ALL capabilities (securityContext.capabilities.drop must contain \"ALL\")", [c.name])
	ops := [op | op := fix.append(c.container, c.path, ["securityContext", "capabilities", "drop"], "ALL")]
	v := object.union({"msg": msg, "path": path}, fix.member(ops))
}

# "all", "All"...: point at the item itself. Fix: the item replaced by "ALL".
violation contains {"msg": msg, "path": path, "fix": [{"op": "replace", "path": path, "value": "ALL"}]} if {
	some c in w.containers
	not w.is_windows_pod
	drop := object.get(c.container, ["securityContext", "capabilities", "drop"], null)
	is_array(drop)
	not "ALL" in drop
	some i, name in drop
	is_string(name)
	upper(name) == "ALL"
	path := array.concat(c.path, ["securityContext", "capabilities", "drop", i])
	msg := sprintf("container %q drops %q: write it \"ALL\" in capitals (Pod Security admission compares capability names case-sensitively)", [c.name, name])
}

wrong_case_all(drop) if {
	is_array(drop)
	some name in drop
	is_string(name)
	upper(name) == "ALL"
}
