package k8sc.lib.selectors

import rego.v1

labels := {"app.kubernetes.io/name": "todo-backend", "tier": "api", "track": "stable"}

test_match_labels if {
	matches_selector({"matchLabels": {"tier": "api"}}, labels)
	not matches_selector({"matchLabels": {"tier": "web"}}, labels)
	not matches_selector({"matchLabels": {"missing": "x"}}, labels)
}

test_empty_selector_matches_everything if {
	matches_selector({}, labels)
	matches_selector({}, {})
	empty_selector({})
	empty_selector({"matchLabels": {}})
	not empty_selector({"matchLabels": {"a": "b"}})
}

test_null_selector_matches_nothing if {
	not matches_selector(null, labels)
}

test_match_expressions_in_notin if {
	matches_selector({"matchExpressions": [{"key": "tier", "operator": "In", "values": ["api", "web"]}]}, labels)
	not matches_selector({"matchExpressions": [{"key": "tier", "operator": "In", "values": ["web"]}]}, labels)
	not matches_selector({"matchExpressions": [{"key": "missing", "operator": "In", "values": ["x"]}]}, labels)
	matches_selector({"matchExpressions": [{"key": "track", "operator": "NotIn", "values": ["canary"]}]}, labels)
	not matches_selector({"matchExpressions": [{"key": "track", "operator": "NotIn", "values": ["stable"]}]}, labels)
	matches_selector({"matchExpressions": [{"key": "missing", "operator": "NotIn", "values": ["x"]}]}, labels)
}

test_match_expressions_exists if {
	matches_selector({"matchExpressions": [{"key": "tier", "operator": "Exists"}]}, labels)
	not matches_selector({"matchExpressions": [{"key": "missing", "operator": "Exists"}]}, labels)
	matches_selector({"matchExpressions": [{"key": "missing", "operator": "DoesNotExist"}]}, labels)
	not matches_selector({"matchExpressions": [{"key": "tier", "operator": "DoesNotExist"}]}, labels)
}

test_match_labels_and_expressions_combined if {
	matches_selector({"matchLabels": {"tier": "api"}, "matchExpressions": [{"key": "track", "operator": "In", "values": ["stable"]}]}, labels)
	not matches_selector({"matchLabels": {"tier": "api"}, "matchExpressions": [{"key": "track", "operator": "In", "values": ["canary"]}]}, labels)
}

test_unknown_operator_matches_nothing if {
	not matches_selector({"matchExpressions": [{"key": "tier", "operator": "Gt", "values": ["1"]}]}, labels)
}

test_matches_map if {
	matches_map({"tier": "api"}, labels)
	not matches_map({"tier": "api", "x": "y"}, labels)
}

deploy(name, ns, l) := {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": object.union({"name": name}, ns_field(ns)), "spec": {"template": {"metadata": {"labels": l}, "spec": {"containers": [{"name": "c", "image": "i:1"}]}}}}

ns_field("") := {}

ns_field(ns) := {"namespace": ns} if ns != ""

test_pod_labels_of_kinds if {
	pod_labels({"kind": "Pod", "metadata": {"labels": {"a": "b"}}, "spec": {}}) == {"a": "b"}
	pod_labels({"kind": "CronJob", "spec": {"jobTemplate": {"spec": {"template": {"metadata": {"labels": {"a": "c"}}, "spec": {}}}}}}) == {"a": "c"}
	pod_labels(deploy("d", "", {"a": "d"})) == {"a": "d"}
	pod_labels({"kind": "StatefulSet", "spec": {"template": {"spec": {}}}}) == {}
	pod_labels({"kind": "Deployment", "spec": {"template": {"metadata": {"labels": null}, "spec": {}}}}) == {}
	not pod_labels({"kind": "ConfigMap", "data": {}})
	not pod_labels({"kind": "PodTemplate", "template": {"metadata": {"labels": {"a": "b"}}, "spec": {}}})
}

# Regression: an object without a namespace used to join the one explicit namespace of the set
# (a ConfigMap in `shop` made every un-namespaced Deployment a workload of `shop`).
test_unset_namespace_never_joins_an_explicit_one if {
	rs := [deploy("a", "todo", {"app": "a"}), deploy("b", "", {"app": "b"})]
	workloads_by_namespace == {"todo": {0}, "": {1}} with input as {"resources": rs}
}

test_unset_namespace_is_the_named_one if {
	rs := [deploy("a", "todo", {"app": "a"}), deploy("b", "other", {"app": "b"}), deploy("c", "", {"app": "c"})]
	workloads_by_namespace == {"todo": {0, 2}, "other": {1}} with input as {"resources": rs}
		with data.k8sc.namespace as "todo"
}

test_unset_namespace_alone if {
	rs := [deploy("a", "", {"app": "a"}), {"kind": "ConfigMap", "metadata": {"name": "c"}}]
	workloads_by_namespace == {"": {0}} with input as {"resources": rs}
}

svc(ns, selector) := {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s", "namespace": ns}, "spec": {"selector": selector}}

test_selected_workloads_uses_namespace_and_all_labels if {
	rs := [
		deploy("a", "todo", {"app": "a", "tier": "api"}),
		deploy("b", "other", {"app": "a", "tier": "api"}),
		deploy("c", "todo", {"app": "a", "tier": "web"}),
		svc("todo", {"app": "a", "tier": "api"}),
		svc("todo", {"app": "b"}),
	]
	selected_workloads("todo", {"app": "a", "tier": "api"}) == {0} with input as {"resources": rs}
	selected_workloads("todo", {"app": "a"}) == {0, 2} with input as {"resources": rs}
	count(selected_workloads("todo", {"app": "b"})) == 0 with input as {"resources": rs}
	count(selected_workloads("todo", {"app": "a", "tier": "db"})) == 0 with input as {"resources": rs}
}

test_anchor_index_covers_only_selector_keys if {
	rs := [deploy("a", "todo", {"app": "a", "tier": "api"}), svc("todo", {"tier": "api", "app": "a"})]
	service_anchor_keys == {"app"} with input as {"resources": rs}
	workloads_by_anchor == {"todo=app=a": {0}} with input as {"resources": rs}
}

test_by_namespace_indexes if {
	rs := [
		{"kind": "PodDisruptionBudget", "metadata": {"name": "p", "namespace": "todo"}, "spec": {}},
		{"kind": "NetworkPolicy", "metadata": {"name": "n", "namespace": "todo"}, "spec": {}},
		{"kind": "ConfigMap", "metadata": {"name": "c", "namespace": "todo"}},
	]
	pdbs_by_namespace == {"todo": {0}} with input as {"resources": rs}
	network_policies_by_namespace == {"todo": {1}} with input as {"resources": rs}
	not hpas_by_namespace.todo with input as {"resources": rs}
}

test_describe_namespace if {
	describe_namespace("todo") == "namespace \"todo\""
	contains(describe_namespace(""), "without metadata.namespace")
}
