package k8sc.rules.safe_sysctls

import data.k8sc.lib.workloads as w
import rego.v1

metadata := {
	"id": "safe-sysctls",
	"title": "Pods may set only the namespaced, node-safe sysctls",
	"severity": "error",
	"section": "VIII. Security Best Practices (Container Security); 000 Security Requirements (Pod Security Standards)",
	"pss": "baseline",
	"rationale": "Most sysctls are node-wide or can starve or weaken other pods on the node. The default allowed_sysctls is Pod Security admission's safe list as of Kubernetes v1.37 (tcp_rmem/tcp_wmem since v1.32, tcp_slow_start_after_idle/tcp_notsent_lowat since v1.37); trim it to match an older cluster. Names are compared exactly, as admission does (the slash form net/ipv4/... is not accepted).",
	"remediation": "Remove the sysctl from spec.securityContext.sysctls, or tune the node instead (the cluster administrator's job, not the workload's).",
	"kinds": ["*"],
	"pod_spec_only": true,
	"params": {"allowed_sysctls": [
		"kernel.shm_rmid_forced",
		"net.ipv4.ip_local_port_range",
		"net.ipv4.ip_unprivileged_port_start",
		"net.ipv4.tcp_syncookies",
		"net.ipv4.ping_group_range",
		"net.ipv4.ip_local_reserved_ports",
		"net.ipv4.tcp_keepalive_time",
		"net.ipv4.tcp_fin_timeout",
		"net.ipv4.tcp_keepalive_intvl",
		"net.ipv4.tcp_keepalive_probes",
		"net.ipv4.tcp_rmem",
		"net.ipv4.tcp_wmem",
		"net.ipv4.tcp_slow_start_after_idle",
		"net.ipv4.tcp_notsent_lowat",
	]},
	"param_types": {"allowed_sysctls": {"type": "string_list", "description": "Sysctls a pod may set (the Pod Security Standards' safe set by default)."}},
}

violation contains {"msg": msg, "path": path} if {
	sysctls := object.get(w.pod_spec, ["securityContext", "sysctls"], null)
	is_array(sysctls)
	some i, sysctl in sysctls
	name := object.get(sysctl, "name", "")
	not name in allowed
	path := array.concat(w.pod_spec_path, ["securityContext", "sysctls", i, "name"])
	msg := sprintf("the pod sets sysctl %v, which is not in the safe set%s", [name, hint(name)])
}

allowed := {x | some x in w.params(metadata).allowed_sysctls}

hint(name) := " (write it with dots: Pod Security admission compares names exactly)" if slash_form_of_allowed(name)

hint(name) := "" if not slash_form_of_allowed(name)

slash_form_of_allowed(name) if {
	is_string(name)
	replace(name, "/", ".") in allowed
}
