package k8sc.rules.safe_sysctls

import rego.v1

pod(sysctls) := {
	"apiVersion": "v1",
	"kind": "Pod",
	"metadata": {"name": "p"},
	"spec": {
		"securityContext": {"sysctls": sysctls},
		"containers": [{"name": "app", "image": "app:1.0"}],
	},
}

paths(vs) := {v.path | some v in vs}

test_no_sysctls_pass if {
	count(violation) == 0 with input as pod(null)
}

test_safe_sysctls_pass if {
	count(violation) == 0 with input as pod([
		{"name": "net.ipv4.ip_unprivileged_port_start", "value": "0"},
		{"name": "net.ipv4.tcp_keepalive_time", "value": "600"},
		{"name": "net.ipv4.tcp_rmem", "value": "4096 87380 6291456"},
		{"name": "kernel.shm_rmid_forced", "value": "1"},
	])
}

test_unsafe_sysctl_fails_at_its_name if {
	vs := violation with input as pod([
		{"name": "net.ipv4.ip_local_port_range", "value": "32768 60999"},
		{"name": "kernel.msgmax", "value": "65536"},
		{"name": "net.core.somaxconn", "value": "1024"},
	])
	paths(vs) == {
		["spec", "securityContext", "sysctls", 1, "name"],
		["spec", "securityContext", "sysctls", 2, "name"],
	}
}

test_slash_form_fails_with_a_hint if {
	vs := violation with input as pod([{"name": "net/ipv4/tcp_syncookies", "value": "1"}])
	some v in vs
	contains(v.msg, "with dots")
}

test_messages_do_not_print_values if {
	vs := violation with input as pod([{"name": "kernel.msgmax", "value": "s3cr3t-looking-value"}])
	every v in vs {
		not contains(v.msg, "s3cr3t")
	}
}

test_param_replaces_the_list if {
	vs := violation with input as pod([{"name": "net.ipv4.tcp_rmem", "value": "4096 87380 6291456"}])
		with data.k8sc.params as {"safe-sysctls": {"allowed_sysctls": ["kernel.shm_rmid_forced"]}}
	count(vs) == 1
}

test_deployment_path if {
	obj := {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}, "spec": {"template": {"spec": {
		"securityContext": {"sysctls": [{"name": "vm.overcommit_memory", "value": "1"}]},
		"containers": [{"name": "redis", "image": "redis:7.4"}],
	}}}}
	vs := violation with input as obj
	paths(vs) == {["spec", "template", "spec", "securityContext", "sysctls", 0, "name"]}
}

test_configmap_is_ignored if {
	count(violation) == 0 with input as {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}, "data": {"sysctls": "kernel.msgmax"}}
}

test_metadata_declares_the_pss_level if {
	metadata.id == "safe-sysctls"
	metadata.severity == "error"
	metadata.pss == "baseline"
	metadata.kinds == ["*"]
}

# The slash-form hint only for a name whose dotted form is safe, and never for a name that is not
# a string (written against mutants that dropped either condition of slash_form_of_allowed).
test_hint_only_for_the_slash_form_of_a_safe_sysctl if {
	violation == {{
		"msg": "the pod sets sysctl net.core.somaxconn, which is not in the safe set",
		"path": ["spec", "securityContext", "sysctls", 0, "name"],
	}} with input as pod([{"name": "net.core.somaxconn", "value": "1024"}])
	violation == {{
		"msg": "the pod sets sysctl 5, which is not in the safe set",
		"path": ["spec", "securityContext", "sysctls", 0, "name"],
	}} with input as pod([{"name": 5, "value": "1"}])
	violation == {{
		"msg": "the pod sets sysctl net/ipv4/ip_local_port_range, which is not in the safe set (write it with dots: Pod Security admission compares names exactly)",
		"path": ["spec", "securityContext", "sysctls", 0, "name"],
	}} with input as pod([{"name": "net/ipv4/ip_local_port_range", "value": "1024 65535"}])
}
