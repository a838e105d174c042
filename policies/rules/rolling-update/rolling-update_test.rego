package k8sc.rules.rolling_update

import rego.v1

workload(kind, spec) := {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": "web"}, "spec": object.union({"template": {"spec": {"containers": [{"name": "app", "image": "app:1.0"}]}}}, spec)}

test_absent_strategy_is_rolling_update if {
	count(violation) == 0 with input as workload("Deployment", {})
	count(violation) == 0 with input as workload("StatefulSet", {})
	count(violation) == 0 with input as workload("DaemonSet", {})
}

test_explicit_rolling_update_passes if {
	count(violation) == 0 with input as workload("Deployment", {"strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 1}}})
	count(violation) == 0 with input as workload("Deployment", {"strategy": {"rollingUpdate": {"maxSurge": "25%"}}})
	count(violation) == 0 with input as workload("StatefulSet", {"updateStrategy": {"type": "RollingUpdate"}})
}

test_recreate_warns_at_strategy_type if {
	violation == {{
		"msg": "Deployment \"web\" uses the Recreate strategy (all pods are stopped before the new ones start)",
		"path": ["spec", "strategy", "type"],
		"help": "Set spec.strategy.type: RollingUpdate on Deployment \"web\" (or remove spec.strategy: RollingUpdate is the default), with maxUnavailable/maxSurge under spec.strategy.rollingUpdate if the 25% defaults do not suit it.",
	}} with input as workload("Deployment", {"strategy": {"type": "Recreate"}})
}

test_on_delete_warns_at_update_strategy_type if {
	violation == {{
		"msg": "StatefulSet \"web\" uses the OnDelete update strategy (changes roll out only when pods are deleted by hand)",
		"path": ["spec", "updateStrategy", "type"],
		"help": "Set spec.updateStrategy.type: RollingUpdate on StatefulSet \"web\" (or remove spec.updateStrategy: RollingUpdate is the default).",
	}} with input as workload("StatefulSet", {"updateStrategy": {"type": "OnDelete"}})
	count(violation) == 1 with input as workload("DaemonSet", {"updateStrategy": {"type": "OnDelete"}})
	{v.help | some v in violation} == {"Set spec.updateStrategy.type: RollingUpdate on DaemonSet \"web\" (or remove spec.updateStrategy: RollingUpdate is the default)."} with input as workload("DaemonSet", {"updateStrategy": {"type": "OnDelete"}})
}

test_fields_of_other_kinds_ignored if {
	# Deployments have no updateStrategy, StatefulSets no strategy: wrong-kind fields are the
	# API server's problem.
	count(violation) == 0 with input as workload("Deployment", {"updateStrategy": {"type": "OnDelete"}})
	count(violation) == 0 with input as workload("StatefulSet", {"strategy": {"type": "Recreate"}})
	count(violation) == 0 with input as workload("ReplicaSet", {"strategy": {"type": "Recreate"}})
}
