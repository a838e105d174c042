package k8sc.rules.ingress_tls

import rego.v1

ingress(spec) := {
	"apiVersion": "networking.k8s.io/v1",
	"kind": "Ingress",
	"metadata": {"name": "todo", "namespace": "todo"},
	"spec": spec,
}

host_rule(host) := {"host": host, "http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "todo-frontend", "port": {"number": 80}}}}]}}

paths(spec) := ps if {
	ps := {v.path | some v in violation} with input as ingress(spec)
}

test_tls_covering_host_passes if {
	count(paths({"tls": [{"hosts": ["todo.example.com"], "secretName": "todo-tls"}], "rules": [host_rule("todo.example.com")]})) == 0
}

test_no_tls_fails_at_spec_tls if {
	paths({"rules": [host_rule("todo.local")]}) == {["spec", "tls"]}
	paths({"tls": [], "rules": [host_rule("todo.local")]}) == {["spec", "tls"]}
}

test_default_backend_without_tls_fails if {
	paths({"defaultBackend": {"service": {"name": "todo-frontend", "port": {"number": 80}}}}) == {["spec", "tls"]}
}

test_uncovered_host_fails_at_host if {
	spec := {"tls": [{"hosts": ["todo.example.com"], "secretName": "todo-tls"}], "rules": [host_rule("todo.example.com"), host_rule("api.example.com")]}
	paths(spec) == {["spec", "rules", 1, "host"]}
}

test_wildcard_tls_covers_one_label if {
	spec := {"tls": [{"hosts": ["*.example.com"], "secretName": "wildcard-tls"}], "rules": [host_rule("todo.example.com"), host_rule("a.b.example.com"), host_rule("example.com")]}
	paths(spec) == {["spec", "rules", 1, "host"], ["spec", "rules", 2, "host"]}
}

test_host_comparison_is_case_insensitive if {
	count(paths({"tls": [{"hosts": ["Todo.Example.com"]}], "rules": [host_rule("todo.example.COM")]})) == 0
}

test_hostless_rule_needs_any_tls if {
	r := {"http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "f", "port": {"number": 80}}}}]}}
	count(paths({"tls": [{"secretName": "default-tls"}], "rules": [r]})) == 0
	paths({"rules": [r]}) == {["spec", "tls"]}
}

test_tls_entry_without_hosts_does_not_cover_named_hosts if {
	paths({"tls": [{"secretName": "x"}], "rules": [host_rule("todo.example.com")]}) == {["spec", "rules", 0, "host"]}
}

test_message_names_ingress if {
	some v in violation with input as ingress({"rules": [host_rule("todo.local")]})
	contains(v.msg, "\"todo\"")
}

test_other_kinds_ignored if {
	count(violation) == 0 with input as {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}, "spec": {}}
}
