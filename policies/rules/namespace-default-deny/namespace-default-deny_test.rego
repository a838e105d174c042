package k8sc.rules.namespace_default_deny

import rego.v1

deploy(name, ns) := {
	"apiVersion": "apps/v1",
	"kind": "Deployment",
	"metadata": object.union({"name": name}, ns_field(ns)),
	"spec": {"template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": [{"name": "c", "image": "i:1.0"}]}}},
}

ns_field("") := {}

ns_field(ns) := {"namespace": ns} if ns != ""

netpol(ns, spec) := {
	"apiVersion": "networking.k8s.io/v1",
	"kind": "NetworkPolicy",
	"metadata": object.union({"name": "default-deny"}, ns_field(ns)),
	"spec": spec,
}

deny_all := {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}

found(resources) := vs if {
	vs := {[v.resource, v.path] | some v in violation} with input as {"resources": resources}
}

test_default_deny_present_passes if {
	count(found([deploy("a", "todo"), deploy("b", "todo"), netpol("todo", deny_all)])) == 0
}

test_missing_reported_once_on_first_workload if {
	cm := {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "todo"}, "data": {}}
	found([cm, deploy("a", "todo"), deploy("b", "todo")]) == {[1, ["metadata", "namespace"]]}
}

test_each_namespace_reported if {
	found([deploy("a", "one"), deploy("b", "two"), netpol("one", deny_all)]) == {[1, ["metadata", "namespace"]]}
}

test_namespace_with_only_configmaps_needs_nothing if {
	cm := {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "config-only"}, "data": {}}
	count(found([cm, deploy("a", "todo"), netpol("todo", deny_all)])) == 0
}

test_policy_types_omitted_means_ingress if {
	count(found([deploy("a", "todo"), netpol("todo", {"podSelector": {}})])) == 0
}

test_egress_only_deny_is_not_enough if {
	found([deploy("a", "todo"), netpol("todo", {"podSelector": {}, "policyTypes": ["Egress"]})]) == {[0, ["metadata", "namespace"]]}
}

test_policy_with_ingress_rules_is_not_deny if {
	allow_all := {"podSelector": {}, "policyTypes": ["Ingress"], "ingress": [{}]}
	found([deploy("a", "todo"), netpol("todo", allow_all)]) == {[0, ["metadata", "namespace"]]}
}

test_policy_selecting_some_pods_is_not_deny if {
	np := netpol("todo", {"podSelector": {"matchLabels": {"app": "a"}}, "policyTypes": ["Ingress"]})
	found([deploy("a", "todo"), np]) == {[0, ["metadata", "namespace"]]}
}

test_empty_match_labels_is_empty_selector if {
	count(found([deploy("a", "todo"), netpol("todo", {"podSelector": {"matchLabels": {}}, "policyTypes": ["Ingress"]})])) == 0
}

test_missing_namespaces_share_the_applied_namespace if {
	# helm template output: no namespace anywhere
	count(found([deploy("a", ""), netpol("", deny_all)])) == 0
	found([deploy("a", ""), deploy("b", "")]) == {[0, ["metadata", "namespace"]]}

	# an explicit namespace elsewhere says nothing about where the others go ...
	found([deploy("a", "todo"), deploy("b", ""), netpol("todo", deny_all)]) == {[1, ["metadata", "namespace"]]}

	# ... unless the user names it (lint --namespace todo)
	count(found([deploy("a", "todo"), deploy("b", ""), netpol("todo", deny_all)])) == 0 with data.k8sc.namespace as "todo"
}

test_exempt_namespaces if {
	count(found([deploy("coredns", "kube-system")])) == 0
	found([deploy("coredns", "kube-system")]) == {[0, ["metadata", "namespace"]]} with data.k8sc.params as {"namespace-default-deny": {"exempt_namespaces": []}}
}

test_jobs_and_pods_are_workloads if {
	pod := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "todo"}, "spec": {"containers": [{"name": "c", "image": "i:1"}]}}
	found([pod]) == {[0, ["metadata", "namespace"]]}
}

# A namespace is judged by its own NetworkPolicies only: another namespace's default-deny does
# not stand in for an allow policy here (written against a mutant that looked at every object).
test_default_deny_of_another_namespace_does_not_count if {
	allow := {"podSelector": {}, "policyTypes": ["Ingress"], "ingress": [{"from": [{"podSelector": {}}]}]}
	found([netpol("one", deny_all), deploy("a", "one"), netpol("two", allow), deploy("b", "two")]) == {[3, ["metadata", "namespace"]]}
}

helps(resources) := hs if {
	hs := {v.help | some v in violation} with input as {"resources": resources}
}

# The help names the namespace the NetworkPolicy must go into, when it is known.
test_help_names_the_namespace if {
	helps([deploy("a", "shop"), deploy("b", "shop")]) == {"Add a NetworkPolicy to namespace \"shop\": {apiVersion: networking.k8s.io/v1, kind: NetworkPolicy, metadata: {name: default-deny, namespace: shop}, spec: {podSelector: {}, policyTypes: [Ingress, Egress]}}, then allow the flows its workloads need (DNS egress included) with narrower policies."}
	helps([deploy("a", "")]) == {"Add a NetworkPolicy to the namespace the objects without metadata.namespace are applied to: {apiVersion: networking.k8s.io/v1, kind: NetworkPolicy, metadata: {name: default-deny}, spec: {podSelector: {}, policyTypes: [Ingress, Egress]}}, then allow the flows its workloads need (DNS egress included) with narrower policies."}
	helps([deploy("a", "")]) == {"Add a NetworkPolicy to namespace \"web\": {apiVersion: networking.k8s.io/v1, kind: NetworkPolicy, metadata: {name: default-deny, namespace: web}, spec: {podSelector: {}, policyTypes: [Ingress, Egress]}}, then allow the flows its workloads need (DNS egress included) with narrower policies."} with data.k8sc.namespace as "web"
}
