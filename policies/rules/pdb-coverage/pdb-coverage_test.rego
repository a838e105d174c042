package k8sc.rules.pdb_coverage

import rego.v1

workload(kind, name, replicas, labels) := {
	"apiVersion": "apps/v1",
	"kind": kind,
	"metadata": {"name": name, "namespace": "todo"},
	"spec": {
		"replicas": replicas,
		"selector": {"matchLabels": labels},
		"template": {"metadata": {"labels": labels}, "spec": {"containers": [{"name": "c", "image": "i:1.0"}]}},
	},
}

pdb(name, ns, selector) := {
	"apiVersion": "policy/v1",
	"kind": "PodDisruptionBudget",
	"metadata": {"name": name, "namespace": ns},
	"spec": {"minAvailable": 1, "selector": selector},
}

backend := workload("Deployment", "todo-backend", 2, {"app.kubernetes.io/name": "todo-backend", "app.kubernetes.io/instance": "todo"})

found(resources) := vs if {
	vs := {[v.resource, v.path] | some v in violation} with input as {"resources": resources}
}

test_covered_by_match_labels if {
	count(found([backend, pdb("todo-backend", "todo", {"matchLabels": {"app.kubernetes.io/name": "todo-backend"}})])) == 0
}

test_covered_by_match_expressions if {
	sel := {"matchExpressions": [
		{"key": "app.kubernetes.io/name", "operator": "In", "values": ["todo-backend", "todo-frontend"]},
		{"key": "app.kubernetes.io/instance", "operator": "Exists"},
		{"key": "track", "operator": "NotIn", "values": ["canary"]},
	]}
	count(found([backend, pdb("todo-web", "todo", sel)])) == 0
}

test_match_expressions_not_matching_fails if {
	sel := {"matchExpressions": [{"key": "app.kubernetes.io/name", "operator": "In", "values": ["todo-frontend"]}]}
	found([backend, pdb("todo-frontend", "todo", sel)]) == {[0, ["spec", "replicas"]]}
}

test_no_pdb_fails_at_replicas if {
	found([backend]) == {[0, ["spec", "replicas"]]}
}

test_pdb_in_other_namespace_does_not_count if {
	found([backend, pdb("todo-backend", "other", {"matchLabels": {"app.kubernetes.io/name": "todo-backend"}})]) == {[0, ["spec", "replicas"]]}
}

test_pdb_without_selector_selects_nothing if {
	p := {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "p", "namespace": "todo"}, "spec": {"minAvailable": 1}}
	found([p, backend]) == {[1, ["spec", "replicas"]]}
}

test_empty_pdb_selector_selects_everything if {
	count(found([backend, pdb("all", "todo", {})])) == 0
}

test_single_replica_and_missing_replicas_pass if {
	count(found([workload("Deployment", "one", 1, {"app": "one"})])) == 0
	d := json.remove(workload("Deployment", "default", 3, {"app": "d"}), ["spec/replicas"])
	count(found([d])) == 0
}

test_statefulset_fails if {
	found([workload("StatefulSet", "todo-db", 3, {"app": "todo-db"})]) == {[0, ["spec", "replicas"]]}
}

test_daemonset_and_other_kinds_ignored if {
	ds := json.patch(workload("Deployment", "agent", 2, {"app": "agent"}), [{"op": "replace", "path": "/kind", "value": "DaemonSet"}])
	count(found([ds])) == 0
}

hpa(target, min) := {
	"apiVersion": "autoscaling/v2",
	"kind": "HorizontalPodAutoscaler",
	"metadata": {"name": target, "namespace": "todo"},
	"spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": target}, "minReplicas": min, "maxReplicas": 10},
}

test_hpa_min_replicas_counts if {
	d := json.remove(workload("Deployment", "todo-backend", 1, {"app": "b"}), ["spec/replicas"])
	found([d, hpa("todo-backend", 2)]) == {[0, ["metadata", "name"]]}
	count(found([d, hpa("todo-backend", 1)])) == 0
	count(found([workload("Deployment", "todo-backend", 3, {"app": "b"}), hpa("todo-backend", 1)])) == 0
}

test_min_replicas_param if {
	count(found([backend])) == 0 with data.k8sc.params as {"pdb-coverage": {"min_replicas": 3}}
}

test_message_names_workload_and_namespace if {
	some v in violation with input as {"resources": [backend]}
	contains(v.msg, "todo-backend")
	contains(v.msg, "\"todo\"")
}

# A spec.replicas that is not a number ("3" from a template) is the API server's to reject: no
# finding, although a string sorts above every number in Rego (written against a mutant that
# dropped the is_number check).
test_non_numeric_replicas_are_left_to_schema_validation if {
	count(found([workload("Deployment", "web", "3", {"app": "web"})])) == 0
	count(found([workload("Deployment", "web", true, {"app": "web"})])) == 0
}

helps(resources) := hs if {
	hs := {v.help | some v in violation} with input as {"resources": resources}
}

# The help is a PodDisruptionBudget to paste: named after the workload, in its namespace,
# selecting its pods by the workload's own selector labels (sorted, YAML-quoted when needed).
test_help_is_a_pdb_selecting_the_workload_pods if {
	helps([backend]) == {"Add a PodDisruptionBudget for Deployment \"todo-backend\": {apiVersion: policy/v1, kind: PodDisruptionBudget, metadata: {name: todo-backend, namespace: todo}, spec: {minAvailable: 1, selector: {matchLabels: {app.kubernetes.io/instance: todo, app.kubernetes.io/name: todo-backend}}}}."}
}

# A version label of the pod template is left out when the workload's selector does without
# it; without metadata.namespace the PodDisruptionBudget names none either.
test_help_uses_the_stable_selector_labels if {
	d := json.patch(workload("StatefulSet", "db", 3, {"app": "db"}), [
		{"op": "remove", "path": "/metadata/namespace"},
		{"op": "add", "path": "/spec/template/metadata/labels/version", "value": "1.0"},
	])
	helps([d]) == {"Add a PodDisruptionBudget for StatefulSet \"db\": {apiVersion: policy/v1, kind: PodDisruptionBudget, metadata: {name: db}, spec: {minAvailable: 1, selector: {matchLabels: {app: db}}}}."}
	e := json.patch(d, [{"op": "remove", "path": "/spec/selector"}])
	helps([e]) == {`Add a PodDisruptionBudget for StatefulSet "db": {apiVersion: policy/v1, kind: PodDisruptionBudget, metadata: {name: db}, spec: {minAvailable: 1, selector: {matchLabels: {app: db, version: "1.0"}}}}.`}
}

test_help_for_pods_without_labels if {
	helps([workload("Deployment", "bare", 2, {})]) == {"Give the pods of Deployment \"bare\" labels (spec.template.metadata.labels), then add a policy/v1 PodDisruptionBudget in its namespace whose spec.selector.matchLabels are those labels, with minAvailable: 1."}
}

# No pod template at all: still a finding, with the help for unlabelled pods.
test_workload_without_template_keeps_its_finding_and_help if {
	d := {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "t", "namespace": "todo"}, "spec": {"replicas": 2}}
	found([d]) == {[0, ["spec", "replicas"]]}
	count(helps([d])) == 1
}
