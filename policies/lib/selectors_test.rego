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

# Written against mutants that survived scripts/mutants.sh (each names the guard it keeps).

# The is_object guards: a selector or label map that is not an object selects nothing (an
# `every` over a string has nothing to check, so without the guard it would match).
test_non_object_selectors_match_nothing if {
	not matches_map("app=web", {"app": "web"})
	not matches_map(null, {})
	not matches_map([], {})
	not empty_selector("all")
	not empty_selector(null)
	not empty_selector({"matchExpressions": [{"key": "tier", "operator": "Exists"}]})
	not has_key(["a"], 0)
	has_key({"a": 1}, "a")
}

# A Pod without a spec, or a CronJob whose job template has no pod spec, runs no pods; the Pod
# body and the CronJob body each answer for their own kind only.
test_pod_labels_need_a_pod_spec if {
	not pod_labels({"kind": "Pod", "metadata": {"labels": {"a": "1"}}})
	not pod_labels({"kind": "Pod", "metadata": {"labels": {"a": "1"}}, "spec": "x"})
	not pod_labels({"kind": "CronJob", "spec": {"jobTemplate": {"spec": {"template": {"metadata": {"labels": {"a": "1"}}}}}}})
	pod_labels({"kind": "Pod", "metadata": {"labels": {"a": "1"}}, "spec": {"jobTemplate": {"spec": {"template": {"metadata": {"labels": {"b": "2"}}, "spec": {}}}}}}) == {"a": "1"}
}

test_namespaces_must_be_non_empty_strings if {
	applied_namespace == "" with data.k8sc.namespace as 5
	applied_namespace == "prod" with data.k8sc.namespace as "prod"
	namespace({"metadata": {"namespace": 5}}) == ""
	namespace({"metadata": {"namespace": 5}}) == "prod" with data.k8sc.namespace as "prod"
	namespace({"metadata": {"namespace": ""}}) == "prod" with data.k8sc.namespace as "prod"
	namespace({"metadata": {"namespace": "team"}}) == "team" with data.k8sc.namespace as "prod"
}

# spec.template without a pod spec is not a workload.
test_template_without_pod_spec_is_no_workload if {
	workloads == {} with input as {"resources": [{"kind": "Deployment", "metadata": {"name": "d"}, "spec": {"template": {"metadata": {"labels": {"a": "b"}}}}}]}
}

# Only Services' selectors are anchors (a Deployment's spec.selector is not), only non-empty
# object selectors, and label values that are not strings are not indexed.
test_anchor_index_is_built_from_service_selectors_only if {
	resources := [
		{"kind": "Deployment", "metadata": {"name": "d"}, "spec": {"selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web", "n": 1}}, "spec": {}}}},
		{"kind": "Service", "metadata": {"name": "s"}, "spec": {"selector": {"app": "web"}}},
		{"kind": "Service", "metadata": {"name": "t"}, "spec": {"selector": "app=web"}},
		{"kind": "Service", "metadata": {"name": "u"}, "spec": {"selector": {"n": 1}}},
	]
	service_anchor_keys == {"app", "n"} with input as {"resources": resources}
	workloads_by_anchor == {"=app=web": {0}} with input as {"resources": resources}
}

test_non_string_selector_values_select_nothing if {
	resources := [{"kind": "Deployment", "metadata": {"name": "d"}, "spec": {"template": {"metadata": {"labels": {"app": 1}}, "spec": {}}}}]
	selected_workloads("", {"app": 1}) == set() with input as {"resources": resources}
}

test_hpa_must_target_the_object_by_kind_and_name if {
	resources := [
		{"kind": "Deployment", "metadata": {"name": "a"}, "spec": {"template": {"spec": {}}}},
		{"kind": "Deployment", "metadata": {"name": "b"}, "spec": {"template": {"spec": {}}}},
		{"kind": "HorizontalPodAutoscaler", "metadata": {"name": "h"}, "spec": {"minReplicas": 3, "scaleTargetRef": {"kind": "Deployment", "name": "a"}}},
	]
	hpa_min_replicas(resources[0]) == 3 with input as {"resources": resources}
	not hpa_min_replicas(resources[1]) with input as {"resources": resources}
	not hpa_min_replicas({"kind": "StatefulSet", "metadata": {"name": "a"}}) with input as {"resources": resources}
}

test_non_object_selector_except_matches_nothing if {
	not matches_selector_except("app=web", [], {"app": "web"})
	not matches_selector_except(null, [], {})
	matches_selector_except({"matchLabels": {"app": "x"}}, ["app"], {"app": "web"})
}
