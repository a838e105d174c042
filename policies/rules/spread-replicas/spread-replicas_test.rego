package k8sc.rules.spread_replicas

import rego.v1

workload(kind, replicas, pod_extra) := {
	"apiVersion": "apps/v1",
	"kind": kind,
	"metadata": {"name": "web"},
	"spec": {
		"replicas": replicas,
		"template": {
			"metadata": {"labels": {"app": "web"}},
			"spec": object.union({"containers": [{"name": "app", "image": "app:1.0"}]}, pod_extra),
		},
	},
}

term := {"labelSelector": {"matchLabels": {"app": "web"}}, "topologyKey": "kubernetes.io/hostname"}

path := ["spec", "template", "spec", "affinity", "podAntiAffinity"]

test_preferred_anti_affinity_passes if {
	count(violation) == 0 with input as workload("Deployment", 2, {"affinity": {"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 100, "podAffinityTerm": term}]}}})
}

test_required_anti_affinity_passes if {
	count(violation) == 0 with input as workload("StatefulSet", 3, {"affinity": {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [term]}}})
}

test_topology_spread_passes if {
	count(violation) == 0 with input as workload("Deployment", 3, {"topologySpreadConstraints": [{"maxSkew": 1, "topologyKey": "kubernetes.io/hostname", "whenUnsatisfiable": "ScheduleAnyway", "labelSelector": {"matchLabels": {"app": "web"}}}]})
}

test_no_spreading_warns_at_anti_affinity if {
	violation == {{
		"msg": "Deployment \"web\" runs 2 replicas with neither pod anti-affinity nor topologySpreadConstraints, so they may all land on one node",
		"path": path,
	}} with input as workload("Deployment", 2, {})
}

test_empty_constraints_do_not_count if {
	count(violation) == 1 with input as workload("Deployment", 2, {"affinity": {"podAntiAffinity": {}}})
	count(violation) == 1 with input as workload("Deployment", 2, {"topologySpreadConstraints": []})
	count(violation) == 1 with input as workload("Deployment", 2, {"affinity": {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": []}}})
}

# Pod *affinity* and node affinity do not spread anything.
test_pod_affinity_is_not_anti_affinity if {
	count(violation) == 1 with input as workload("Deployment", 2, {"affinity": {"podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [term]}}})
}

test_single_replica_not_checked if {
	count(violation) == 0 with input as workload("Deployment", 1, {})
	count(violation) == 0 with input as workload("StatefulSet", null, {})
}

test_other_kinds_ignored if {
	count(violation) == 0 with input as workload("DaemonSet", 2, {})
	count(violation) == 0 with input as workload("ReplicaSet", 2, {})
}
