package k8sc.rules.ingress_tls

import data.k8sc.lib.help as hl
import rego.v1

metadata := {
	"id": "ingress-tls",
	"title": "Ingresses must terminate TLS for every host they route",
	"severity": "error",
	"section": "VIII. Security Best Practices (Network Security: Ingress TLS, use TLS for external traffic); 000 Requirements: certificate management for TLS; 001 §4.1 Ingress (cert-manager cluster-issuer for TLS)",
	"rationale": "An Ingress exposes the application outside the cluster; without a spec.tls entry the controller serves it over plain HTTP (or with its default, untrusted certificate), exposing session cookies and API keys in transit. Every host in spec.rules must be listed in the hosts of some spec.tls entry (a wildcard *.example.com covers one label); rules without a host need at least one tls entry.",
	"remediation": "Add spec.tls: [{hosts: [<every host of spec.rules>], secretName: <a Secret holding their certificate>}], and store the certificate in that Secret or let cert-manager issue it (annotation cert-manager.io/cluster-issuer: <your ClusterIssuer>).",
	"compared": "An Ingress whose rules name no host (or that has only a defaultBackend) still needs a spec.tls entry, and an empty spec.tls: [] counts as none; each host that is set must be listed in a tls entry. Polaris's tlsSettingsMissing is satisfied by any spec.tls array, even an empty one or one for other hosts.",
	"kinds": ["Ingress"],
}

tls := object.get(input, ["spec", "tls"], [])

violation contains {"msg": msg, "path": ["spec", "tls"], "help": help} if {
	input.kind == "Ingress"
	not has_tls
	msg := sprintf("Ingress %q has no spec.tls: its traffic is served over plain HTTP", [object.get(input, ["metadata", "name"], "")])
	help := no_tls_help(sprintf("%s-tls", [hl.name_or(input, "ingress")]))
}

violation contains {"msg": msg, "path": ["spec", "rules", i, "host"], "help": help} if {
	input.kind == "Ingress"
	has_tls
	some i, r in input.spec.rules
	host := r.host
	is_string(host)
	host != ""
	not covered(host)
	msg := sprintf("Ingress host %q is not listed in the hosts of any spec.tls entry", [host])
	help := sprintf("Add %s to the hosts of a spec.tls entry whose certificate covers it, or add an entry {hosts: [%s], secretName: %s}.", [hl.scalar(host), hl.scalar(host), host_secret_name(host)])
}

# The hosts the Ingress routes (non-empty strings).
rule_hosts := {host |
	some r in input.spec.rules
	host := r.host
	is_string(host)
	host != ""
}

no_tls_help(secret) := sprintf("Add spec.tls: [{hosts: %s, secretName: %s}] and store the certificate for those hosts in Secret %s (or let cert-manager issue it).", [hl.flow_list(sort(rule_hosts)), secret, secret]) if {
	count(rule_hosts) > 0
}

no_tls_help(secret) := sprintf("Add spec.tls: [{secretName: %s}] and store the certificate of the host name clients use in Secret %s (or let cert-manager issue it).", [secret, secret]) if {
	count(rule_hosts) == 0
}

# api.example.com -> api-example-com-tls, *.example.com -> wildcard-example-com-tls.
host_secret_name(host) := sprintf("%s-tls", [trim(regex.replace(lower(replace(host, "*", "wildcard")), `[^a-z0-9]+`, "-"), "-")])

has_tls if {
	is_array(tls)
	count(tls) > 0
}

covered(host) if {
	some t in tls
	some h in t.hosts
	host_matches(h, host)
}

host_matches(h, host) if lower(h) == lower(host)

# *.example.com covers a.example.com, not example.com nor a.b.example.com.
host_matches(h, host) if {
	startswith(h, "*.")
	suffix := lower(substring(h, 1, -1))
	endswith(lower(host), suffix)
	not contains(trim_suffix(lower(host), suffix), ".")
	count(host) > count(suffix)
}
