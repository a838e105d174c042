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

test_messages_name_the_ingress_and_the_host if {
	violation == {{
		"msg": "Ingress \"todo\" has no spec.tls: its traffic is served over plain HTTP",
		"path": ["spec", "tls"],
		"help": "Add spec.tls: [{hosts: [todo.local], secretName: todo-tls}] and store the certificate for those hosts in Secret todo-tls (or let cert-manager issue it).",
	}} with input as ingress({"rules": [host_rule("todo.local")]})
	violation == {{
		"msg": "Ingress host \"api.example.com\" is not listed in the hosts of any spec.tls entry",
		"path": ["spec", "rules", 0, "host"],
		"help": "Add api.example.com to the hosts of a spec.tls entry whose certificate covers it, or add an entry {hosts: [api.example.com], secretName: api-example-com-tls}.",
	}} with input as ingress({"tls": [{"hosts": ["todo.example.com"]}], "rules": [host_rule("api.example.com")]})
}

helps(obj) := hs if {
	hs := {v.help | some v in violation} with input as obj
}

# The help of a missing spec.tls lists the Ingress's own hosts (sorted, once each, a wildcard
# quoted for YAML) and names the Secret after the Ingress.
test_help_lists_the_ingress_own_hosts if {
	shop := json.patch(ingress({"rules": [host_rule("www.shop.example"), host_rule("*.shop.example"), host_rule("www.shop.example"), host_rule("")]}), [{"op": "replace", "path": "/metadata/name", "value": "shop"}])
	helps(shop) == {`Add spec.tls: [{hosts: ["*.shop.example", www.shop.example], secretName: shop-tls}] and store the certificate for those hosts in Secret shop-tls (or let cert-manager issue it).`}
}

test_help_without_hosts if {
	helps(ingress({"defaultBackend": {"service": {"name": "web", "port": {"number": 80}}}})) == {"Add spec.tls: [{secretName: todo-tls}] and store the certificate of the host name clients use in Secret todo-tls (or let cert-manager issue it)."}
}

test_help_for_an_uncovered_wildcard_host if {
	helps(ingress({"tls": [{"hosts": ["todo.example.com"]}], "rules": [host_rule("*.Apps.example.com")]})) == {`Add "*.Apps.example.com" to the hosts of a spec.tls entry whose certificate covers it, or add an entry {hosts: ["*.Apps.example.com"], secretName: wildcard-apps-example-com-tls}.`}
}

# Another kind with the same spec shape is not an Ingress, for either finding (written against
# a mutant that dropped the kind check of the host finding).
test_other_kinds_ignored if {
	count(violation) == 0 with input as {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}, "spec": {}}
	count(violation) == 0 with input as {"apiVersion": "example.com/v1", "kind": "Route", "metadata": {"name": "r"}, "spec": {"tls": [{"hosts": ["a.example.com"]}], "rules": [host_rule("b.example.com")]}}
}

# An empty or non-string host is no host: the rule is hostless and any TLS entry will do.
test_empty_and_non_string_hosts_are_hostless if {
	count(paths({"tls": [{"hosts": ["todo.example.com"]}], "rules": [host_rule("")]})) == 0
	count(paths({"tls": [{"hosts": ["todo.example.com"]}], "rules": [host_rule(5)]})) == 0
}

# spec.tls must be a non-empty list: a string is not TLS.
test_tls_that_is_not_a_list_is_no_tls if {
	paths({"tls": "todo-tls", "rules": [host_rule("todo.local")]}) == {["spec", "tls"]}
}

# Written against mutants of host_matches: only a "*." entry is a wildcard, it needs the host to
# end with its suffix, and it covers exactly one more label (not the bare suffix, not a host
# without the suffix).
one_host(tls_host, host) := {"tls": [{"hosts": [tls_host]}], "rules": [host_rule(host)]}

test_wildcards_match_one_label_exactly if {
	paths(one_host("x.example.com", "y.example.com")) == {["spec", "rules", 0, "host"]}
	paths(one_host("*.example.com", "intranetlocalhost")) == {["spec", "rules", 0, "host"]}
	paths(one_host("*.example.com", ".example.com")) == {["spec", "rules", 0, "host"]}
	count(paths(one_host("*.example.com", "y.example.com"))) == 0
}
