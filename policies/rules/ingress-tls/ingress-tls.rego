package k8sc.rules.ingress_tls

import rego.v1

metadata := {
	"id": "ingress-tls",
	"title": "Ingresses must terminate TLS for every host they route",
	"severity": "error",
	"section": "VIII. Security Best Practices (Network Security: Ingress TLS, use TLS for external traffic); 000 Requirements: certificate management for TLS; 001 §4.1 Ingress (cert-manager cluster-issuer for TLS)",
	"rationale": "An Ingress exposes the application outside the cluster; without a spec.tls entry the controller serves it over plain HTTP (or with its default, untrusted certificate), exposing session cookies and API keys in transit. Every host in spec.rules must be listed in the hosts of some spec.tls entry (a wildcard *.example.com covers one label); rules without a host need at least one tls entry.",
	"remediation": "Add spec.tls: [{hosts: [todo.example.com], secretName: todo-example-com-tls}] covering every rule host, and let cert-manager issue the certificate (annotation cert-manager.io/cluster-issuer: letsencrypt-prod).",
	"compared": "An Ingress whose rules name no host (or that has only a defaultBackend) still needs a spec.tls entry, and an empty spec.tls: [] counts as none; each host that is set must be listed in a tls entry. Polaris's tlsSettingsMissing is satisfied by any spec.tls array, even an empty one or one for other hosts.",
	"kinds": ["Ingress"],
}

tls := object.get(input, ["spec", "tls"], [])

violation contains {"msg": msg, "path": ["spec", "tls"]} if {
	input.kind == "Ingress"
	not has_tls
	msg := sprintf("Ingress %q has no spec.tls: its traffic is served over plain HTTP", [object.get(input, ["metadata", "name"], "")])
}

violation contains {"msg": msg, "path": ["spec", "rules", i, "host"]} if {
	input.kind == "Ingress"
	has_tls
	some i, r in input.spec.rules
	host := r.host
	is_string(host)
	host != ""
	not covered(host)
	msg := sprintf("Ingress host %q is not listed in the hosts of any spec.tls entry", [host])
}

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
