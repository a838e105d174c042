package k8sc.rules.service_selector_matches

import rego.v1

workload(kind, name, labels) := {
	"apiVersion": "apps/v1",
	"kind": kind,
	"metadata": {"name": name, "namespace": "todo"},
	"spec": {
		"selector": {"matchLabels": labels},
		"template": {"metadata": {"labels": labels}, "spec": {"containers": [{"name": "c", "image": "i:1.0"}]}},
	},
}

service(name, spec) := {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": "todo"}, "spec": spec}

backend := workload("Deployment", "todo-backend", {"app.kubernetes.io/name": "todo-backend", "app.kubernetes.io/instance": "todo", "app.kubernetes.io/version": "1.2.0"})

found(resources) := vs if {
	vs := {[v.resource, v.path] | some v in violation} with input as {"resources": resources}
}

test_selector_subset_of_template_labels_passes if {
	svc := service("todo-backend", {"selector": {"app.kubernetes.io/name": "todo-backend", "app.kubernetes.io/instance": "todo"}, "ports": [{"port": 80, "targetPort": 8000}]})
	count(found([svc, backend])) == 0
}

test_selector_matching_nothing_fails if {
	svc := service("todo-backend", {"selector": {"app": "todo-backend"}, "ports": [{"port": 80}]})
	found([svc, backend]) == {[0, ["spec", "selector"]]}
}

test_selector_with_one_wrong_label_fails if {
	svc := service("todo-backend", {"selector": {"app.kubernetes.io/name": "todo-backend", "app.kubernetes.io/instance": "other"}})
	found([backend, svc]) == {[1, ["spec", "selector"]]}
}

test_workload_in_other_namespace_does_not_count if {
	svc := json.patch(service("todo-backend", {"selector": {"app.kubernetes.io/name": "todo-backend"}}), [{"op": "replace", "path": "/metadata/namespace", "value": "other"}])
	found([backend, svc]) == {[1, ["spec", "selector"]]}
}

test_headless_service_for_statefulset_passes if {
	db := workload("StatefulSet", "todo-db", {"app": "todo-db"})
	svc := service("todo-db-headless", {"clusterIP": "None", "selector": {"app": "todo-db"}, "ports": [{"port": 5432}]})
	count(found([db, svc])) == 0
}

test_headless_service_without_matching_statefulset_fails if {
	svc := service("todo-db-headless", {"clusterIP": "None", "selector": {"app": "todo-db"}, "ports": [{"port": 5432}]})
	found([backend, svc]) == {[1, ["spec", "selector"]]}
}

test_services_without_selector_pass if {
	ext := service("openai", {"type": "ExternalName", "externalName": "api.openai.com"})
	manual := service("neon", {"ports": [{"port": 5432}]})
	empty := service("empty", {"selector": {}, "ports": [{"port": 5432}]})
	ext_with_selector := service("ext2", {"type": "ExternalName", "externalName": "x.example.com", "selector": {"app": "nothing"}})
	count(found([ext, manual, empty, ext_with_selector])) == 0
}

test_pods_cronjobs_and_release_namespace if {
	pod := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "labels": {"app": "p"}}, "spec": {"containers": [{"name": "c", "image": "i:1"}]}}
	cj := {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "cj", "namespace": "todo"}, "spec": {"jobTemplate": {"spec": {"template": {"metadata": {"labels": {"app": "cj"}}, "spec": {"containers": [{"name": "c", "image": "i:1"}]}}}}}}
	svc_p := {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "p"}, "spec": {"selector": {"app": "p"}}}
	count(found([pod, cj, svc_p, service("cj", {"selector": {"app": "cj"}})])) == 0
}

test_knative_service_is_ignored if {
	ksvc := {"apiVersion": "serving.knative.dev/v1", "kind": "Service", "metadata": {"name": "k", "namespace": "todo"}, "spec": {"template": {"spec": {"containers": [{"image": "i:1"}]}}}}
	count(found([ksvc])) == 0
}

test_message_lists_selector if {
	some v in violation with input as {"resources": [service("s", {"selector": {"b": "2", "a": "1"}})]}
	contains(v.msg, "a=1,b=2")
}

# Only core v1 Services are checked: a v1 object of another kind with a selector map (a bare
# ReplicationController) and a Knative Service are not (written against mutants that dropped the
# kind and the apiVersion check); a selector that is not a map selects nothing to report.
test_only_core_services_with_a_selector_map if {
	rc := {"apiVersion": "v1", "kind": "ReplicationController", "metadata": {"name": "rc", "namespace": "todo"}, "spec": {"selector": {"app": "gone"}}}
	knative := {"apiVersion": "serving.knative.dev/v1", "kind": "Service", "metadata": {"name": "kn", "namespace": "todo"}, "spec": {"selector": {"app": "gone"}}}
	count(found([rc, knative, backend])) == 0
	count(found([service("s", {"selector": "app=gone"}), backend])) == 0
}

helps(resources) := hs if {
	hs := {v.help | some v in violation} with input as {"resources": resources}
}

# A label renamed on one side: the help shows the pod labels of the closest workload and the
# selector keys that differ.
test_help_names_the_closest_workload if {
	frontend := workload("Deployment", "todo-frontend", {"app.kubernetes.io/name": "todo-frontend", "app.kubernetes.io/instance": "todo"})
	svc := service("todo-backend", {"selector": {"app.kubernetes.io/name": "backend", "app.kubernetes.io/instance": "todo", "app.kubernetes.io/version": "1.2.0"}})
	helps([frontend, svc, backend]) == {`The closest pods, those of Deployment "todo-backend", are labelled {app.kubernetes.io/instance: todo, app.kubernetes.io/name: todo-backend, app.kubernetes.io/version: "1.2.0"} and differ on app.kubernetes.io/name: make spec.selector a subset of those labels, or change the pod template labels.`}

	# A tie goes to the workload that comes first.
	tie := service("todo-backend", {"selector": {"app.kubernetes.io/name": "backend", "app.kubernetes.io/instance": "todo"}})
	helps([frontend, tie, backend]) == {`The closest pods, those of Deployment "todo-frontend", are labelled {app.kubernetes.io/instance: todo, app.kubernetes.io/name: todo-frontend} and differ on app.kubernetes.io/name: make spec.selector a subset of those labels, or change the pod template labels.`}
}

test_help_names_the_workload_of_another_namespace if {
	svc := json.patch(service("todo-backend", {"selector": {"app.kubernetes.io/name": "todo-backend"}}), [{"op": "replace", "path": "/metadata/namespace", "value": "other"}])
	helps([backend, svc]) == {`Deployment "todo-backend" in namespace "todo" has pods with these labels, but a Service only routes to pods of its own namespace (namespace "other"): put the Service and the workload in the same namespace.`}
}

test_help_when_no_workload_shares_a_label if {
	helps([service("api", {"selector": {"app": "api"}}), backend]) == {`Set spec.selector to labels that the pod template of the intended workload carries, in namespace "todo"; if that workload is in another file, lint both together.`}
}

# Every pair of the selector must be carried by the workload; two pairs carried by the same
# workloads still count as two (the index intersects one set per pair).
test_help_names_the_workload_of_another_namespace_on_every_pair if {
	svc := json.patch(service("todo-backend", {"selector": {"app.kubernetes.io/name": "todo-backend", "app.kubernetes.io/instance": "todo"}}), [{"op": "replace", "path": "/metadata/namespace", "value": "other"}])
	helps([backend, svc]) == {`Deployment "todo-backend" in namespace "todo" has pods with these labels, but a Service only routes to pods of its own namespace (namespace "other"): put the Service and the workload in the same namespace.`}
}

test_help_ignores_a_workload_of_another_namespace_missing_one_pair if {
	svc := json.patch(service("todo-backend", {"selector": {"app.kubernetes.io/name": "todo-backend", "tier": "api"}}), [{"op": "replace", "path": "/metadata/namespace", "value": "other"}])
	helps([backend, svc]) == {`Set spec.selector to labels that the pod template of the intended workload carries, in namespace "other"; if that workload is in another file, lint both together.`}
}
