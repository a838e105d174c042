package k8sc.rules.min_replicas

import rego.v1

workload(kind, spec) := {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": "web"}, "spec": object.union({"template": {"spec": {"containers": [{"name": "app", "image": "app:1.0"}]}}}, spec)}

test_two_or_more_replicas_pass if {
	count(violation) == 0 with input as workload("Deployment", {"replicas": 2})
	count(violation) == 0 with input as workload("StatefulSet", {"replicas": 3})
}

test_one_replica_warns_at_replicas if {
	violation == {{"msg": "Deployment \"web\" runs 1 replica(s) (at least 2 are required)", "path": ["spec", "replicas"], "help": "Set spec.replicas to at least 2 on Deployment \"web\", or exempt it with the reason if it cannot run more replicas (a single-primary database, for example)."}} with input as workload("Deployment", {"replicas": 1})
}

# An HPA-managed Deployment omits spec.replicas (so helm upgrade does not reset the scale); one
# object cannot show the HPA, so an omitted spec.replicas is unset-replicas' business.
test_omitted_replicas_left_to_unset_replicas if {
	count(violation) == 0 with input as workload("Deployment", {})
	count(violation) == 0 with input as workload("StatefulSet", {})
}

test_zero_replicas_warns if {
	violation == {{"msg": "Deployment \"web\" runs 0 replica(s) (at least 2 are required)", "path": ["spec", "replicas"], "help": "Set spec.replicas to at least 2 on Deployment \"web\", or exempt it with the reason if it cannot run more replicas (a single-primary database, for example)."}} with input as workload("Deployment", {"replicas": 0})
}

# Intended: the todo chart's single-primary PostgreSQL is exempted with its justification.
test_single_replica_database_statefulset_warns if {
	violation == {{"msg": "StatefulSet \"web\" runs 1 replica(s) (at least 2 are required)", "path": ["spec", "replicas"], "help": "Set spec.replicas to at least 2 on StatefulSet \"web\", or exempt it with the reason if it cannot run more replicas (a single-primary database, for example)."}} with input as workload("StatefulSet", {"replicas": 1, "serviceName": "db"})
}

test_param_overrides_minimum if {
	violation == {{"msg": "Deployment \"web\" runs 2 replica(s) (at least 3 are required)", "path": ["spec", "replicas"], "help": "Set spec.replicas to at least 3 on Deployment \"web\", or exempt it with the reason if it cannot run more replicas (a single-primary database, for example)."}} with input as workload("Deployment", {"replicas": 2}) with data.k8sc.params as {"min-replicas": {"min_replicas": 3}}
	count(violation) == 0 with input as workload("Deployment", {"replicas": 1}) with data.k8sc.params as {"min-replicas": {"min_replicas": 1}}
}

test_other_kinds_ignored if {
	count(violation) == 0 with input as workload("DaemonSet", {})
	count(violation) == 0 with input as workload("ReplicaSet", {"replicas": 1})
	count(violation) == 0 with input as {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"}, "spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "j", "image": "app:1.0"}]}}}}
}

# Not numbers, whatever Rego's ordering of types says (null and booleans sort below numbers, so
# `replicas < minimum` alone would report them; written against a mutant without is_number).
test_non_numeric_replicas_left_to_schema_validation if {
	count(violation) == 0 with input as workload("Deployment", {"replicas": "1"})
	count(violation) == 0 with input as workload("Deployment", {"replicas": true})
	count(violation) == 0 with input as workload("Deployment", {"replicas": null})
}

test_default_minimum_is_the_metadata_default if {
	minimum == metadata.params.min_replicas
}
