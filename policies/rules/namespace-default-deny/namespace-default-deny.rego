package k8sc.rules.namespace_default_deny

import data.k8sc.lib.help as hl
import data.k8sc.lib.selectors as sel
import data.k8sc.lib.workloads as w
import rego.v1

metadata := {
	"id": "namespace-default-deny",
	"title": "Every namespace with workloads must have a default-deny ingress NetworkPolicy",
	"severity": "error",
	"section": "VIII. Security Best Practices (Network Security: Network Policies restrict pod-to-pod communication); FR-034; 001 §4.2 Network Policies (Default Deny); 000 §1 Namespace Configuration",
	"rationale": "Kubernetes allows all pod-to-pod traffic until a NetworkPolicy selects a pod. Restricting communication to the flows an application needs (frontend -> backend -> database) only holds if every pod not explicitly allowed is denied: a NetworkPolicy with an empty podSelector ({}), Ingress among its policyTypes (or policyTypes omitted, which means Ingress) and no ingress rules. Objects without metadata.namespace are in the namespace they will be applied to: the one named with `lint --namespace`, else a group of their own (never the namespace another object names). An exemption of this rule on any workload of the namespace exempts the namespace's finding.",
	"remediation": "Add to the namespace: apiVersion: networking.k8s.io/v1, kind: NetworkPolicy, metadata: {name: default-deny}, spec: {podSelector: {}, policyTypes: [Ingress, Egress]}; then allow the required flows with narrower policies.",
	"compared": "Asks for one namespace-wide default-deny ingress NetworkPolicy (podSelector: {}, Ingress among its policyTypes, no ingress rules) per namespace with workloads, reported once per namespace. kube-linter's non-isolated-pod instead flags each workload that no NetworkPolicy selects: per-application policies satisfy it, while here a namespace without the default deny fails even when every pod is selected by some policy.",
	"kinds": ["*"],
	"needs_all_resources": true,
	"reads": ["NetworkPolicy"],
	"params": {"exempt_namespaces": ["kube-system", "kube-public", "kube-node-lease"]},
	"param_types": {"exempt_namespaces": {"type": "string_list", "description": "Namespaces that need no default-deny NetworkPolicy."}},
}

params := w.params(metadata)

# Reported once per namespace, on its first workload; `related` names every workload of the
# namespace, so an exemption annotation on any of them applies to the namespace's finding.
violation contains {"msg": msg, "path": ["metadata", "namespace"], "resource": first, "related": indexes, "help": help} if {
	some ns, indexes in data.k8sc.lib.selectors.workloads_by_namespace
	not ns in denied_namespaces
	not ns in params.exempt_namespaces
	first := min(indexes)
	msg := sprintf("%s has %d workload(s) but no default-deny NetworkPolicy (podSelector: {}, policyTypes including Ingress, no ingress rules)", [sel.describe_namespace(ns), count(indexes)])
	help := sprintf("Add a NetworkPolicy to %s: {apiVersion: networking.k8s.io/v1, kind: NetworkPolicy, metadata: %s, spec: {podSelector: {}, policyTypes: [Ingress, Egress]}}, then allow the flows its workloads need (DNS egress included) with narrower policies.", [target(ns), hl.flow_map(policy_metadata(ns))])
}

target(ns) := sprintf("namespace %q", [ns]) if ns != ""

target("") := "the namespace the objects without metadata.namespace are applied to"

policy_metadata(ns) := {"name": "default-deny", "namespace": ns} if ns != ""

policy_metadata("") := {"name": "default-deny"}

denied_namespaces contains ns if {
	some ns, indexes in data.k8sc.lib.selectors.network_policies_by_namespace
	some j in indexes
	default_deny_ingress(input.resources[j].spec)
}

default_deny_ingress(spec) if {
	sel.empty_selector(spec.podSelector)
	ingress_type(spec)
	count(object.get(spec, "ingress", [])) == 0
}

ingress_type(spec) if "Ingress" in spec.policyTypes

# policyTypes omitted: Ingress, plus Egress when egress rules exist.
ingress_type(spec) if not sel.has_key(spec, "policyTypes")
