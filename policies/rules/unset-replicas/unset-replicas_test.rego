package k8sc.rules.unset_replicas

import rego.v1

workload(kind, name, spec) := {
	"apiVersion": "apps/v1",
	"kind": kind,
	"metadata": {"name": name, "namespace": "todo"},
	"spec": object.union({"template": {"spec": {"containers": [{"name": "c", "image": "i:1.0"}]}}}, spec),
}

hpa(target_kind, target, ns, spec) := {
	"apiVersion": "autoscaling/v2",
	"kind": "HorizontalPodAutoscaler",
	"metadata": {"name": target, "namespace": ns},
	"spec": object.union({"scaleTargetRef": {"apiVersion": "apps/v1", "kind": target_kind, "name": target}, "maxReplicas": 10}, spec),
}

found(resources) := vs if {
	vs := {[v.resource, v.path] | some v in violation} with input as {"resources": resources}
}

messages(resources) := ms if {
	ms := {v.msg | some v in violation} with input as {"resources": resources}
}

test_omitted_without_hpa_warns_at_replicas if {
	found([workload("Deployment", "web", {})]) == {[0, ["spec", "replicas"]]}
	messages([workload("StatefulSet", "db", {})]) == {"StatefulSet \"db\" does not set spec.replicas and no HorizontalPodAutoscaler in namespace \"todo\" scales it, so it runs 1 replica (at least 2 are required)"}
}

test_omitted_with_hpa_min_2_passes if {
	count(found([hpa("Deployment", "web", "todo", {"minReplicas": 3}), workload("Deployment", "web", {})])) == 0
}

test_hpa_min_replicas_below_minimum_warns if {
	messages([workload("Deployment", "web", {}), hpa("Deployment", "web", "todo", {"minReplicas": 1})]) == {"Deployment \"web\" is scaled by a HorizontalPodAutoscaler with minReplicas 1 (at least 2 are required)"}
}

test_hpa_without_min_replicas_defaults_to_one if {
	found([workload("Deployment", "web", {}), hpa("Deployment", "web", "todo", {})]) == {[0, ["spec", "replicas"]]}
}

test_hpa_for_another_workload_kind_or_namespace_does_not_count if {
	count(found([workload("Deployment", "web", {}), hpa("StatefulSet", "web", "todo", {"minReplicas": 3})])) == 1
	count(found([workload("Deployment", "web", {}), hpa("Deployment", "web", "other", {"minReplicas": 3})])) == 1
}

test_explicit_replicas_are_min_replicas_business if {
	count(found([workload("Deployment", "web", {"replicas": 1})])) == 0
	count(found([workload("Deployment", "web", {"replicas": 3})])) == 0
}

test_other_kinds_ignored if {
	count(found([{"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "d"}, "spec": {}}])) == 0
}

test_param_overrides_minimum if {
	count(found([workload("Deployment", "web", {}), hpa("Deployment", "web", "todo", {"minReplicas": 2})])) == 1 with data.k8sc.params as {"unset-replicas": {"min_replicas": 3}}
}

helps(resources) := hs if {
	hs := {v.help | some v in violation} with input as {"resources": resources}
}

test_help_without_hpa_names_the_workload_and_its_namespace if {
	helps([workload("StatefulSet", "db", {})]) == {"Set spec.replicas to at least 2 on StatefulSet \"db\", or add a HorizontalPodAutoscaler in namespace \"todo\" with scaleTargetRef: {apiVersion: apps/v1, kind: StatefulSet, name: db} and minReplicas: 2."}
	bare := json.remove(workload("Deployment", "web", {}), ["metadata/namespace"])
	helps([bare]) == {"Set spec.replicas to at least 3 on Deployment \"web\", or add a HorizontalPodAutoscaler in the same namespace with scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web} and minReplicas: 3."} with data.k8sc.params as {"unset-replicas": {"min_replicas": 3}}
}

test_help_with_a_low_hpa_names_the_hpa if {
	helps([workload("Deployment", "web", {}), hpa("Deployment", "web", "todo", {"minReplicas": 1})]) == {"Raise minReplicas to at least 2 on HorizontalPodAutoscaler \"web\", which scales Deployment \"web\"."}
}
