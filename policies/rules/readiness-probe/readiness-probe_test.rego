package k8sc.rules.readiness_probe

import rego.v1

probe := {"httpGet": {"path": "/health", "port": 8000}}

app(name, with_probe) := {"name": name, "image": "app:1.0", "readinessProbe": probe} if with_probe

app(name, with_probe) := {"name": name, "image": "app:1.0"} if not with_probe

workload(kind, spec) := {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": "w"}, "spec": {"template": {"spec": spec}}}

missing(name, path) := {{"msg": sprintf("container %q has no readinessProbe", [name]), "path": path}}

deployment_path := ["spec", "template", "spec", "containers", 0, "readinessProbe"]

test_probe_present_passes if {
	count(violation) == 0 with input as workload("Deployment", {"containers": [app("app", true)]})
}

test_missing_probe_fails_at_probe_path if {
	violation == {{
		"msg": "container \"app\" has no readinessProbe",
		"path": ["spec", "template", "spec", "containers", 0, "readinessProbe"],
	}} with input as workload("Deployment", {"containers": [app("app", false)]})
}

test_every_long_running_kind if {
	every kind in ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"] {
		violation == missing("app", deployment_path) with input as workload(kind, {"containers": [app("app", false)]})
	}
}

test_second_container_path if {
	vs := violation with input as workload("Deployment", {"containers": [app("app", true), app("proxy", false)]})
	{v.path | some v in vs} == {["spec", "template", "spec", "containers", 1, "readinessProbe"]}
}

test_empty_or_null_probe_is_missing if {
	violation == missing("app", deployment_path) with input as workload("Deployment", {"containers": [{"name": "app", "image": "app:1.0", "readinessProbe": null}]})
	violation == missing("app", deployment_path) with input as workload("Deployment", {"containers": [{"name": "app", "image": "app:1.0", "readinessProbe": {}}]})
}

test_job_and_cronjob_need_no_probes if {
	count(violation) == 0 with input as {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"}, "spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [app("job", false)]}}}}
	count(violation) == 0 with input as {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c"}, "spec": {"schedule": "@hourly", "jobTemplate": {"spec": {"template": {"spec": {"restartPolicy": "OnFailure", "containers": [app("job", false)]}}}}}}
}

test_bare_pods if {
	count(violation) == 0 with input as {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"restartPolicy": "Never", "containers": [app("t", false)]}}
	count(violation) == 0 with input as {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"restartPolicy": "OnFailure", "containers": [app("t", false)]}}
	violation == missing("t", ["spec", "containers", 0, "readinessProbe"]) with input as {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [app("t", false)]}}
	violation == missing("t", ["spec", "containers", 0, "readinessProbe"]) with input as {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"restartPolicy": "Always", "containers": [app("t", false)]}}
}

test_init_containers_need_no_probes if {
	count(violation) == 0 with input as workload("Deployment", {"initContainers": [app("migrate", false)], "containers": [app("app", true)]})
}

test_sidecar_init_containers_need_probes if {
	sidecar := object.union(app("proxy", false), {"restartPolicy": "Always"})
	violation == {{
		"msg": "sidecar container \"proxy\" has no readinessProbe",
		"path": ["spec", "template", "spec", "initContainers", 0, "readinessProbe"],
	}} with input as workload("Deployment", {"initContainers": [sidecar], "containers": [app("app", true)]})
}

test_ephemeral_containers_need_no_probes if {
	count(violation) == 0 with input as {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [app("app", true)], "ephemeralContainers": [app("debug", false)]}}
}

test_non_workload_ignored if {
	count(violation) == 0 with input as {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}, "spec": {"ports": [{"port": 80}]}}
}

# A container that declares a port gets a probe on it (the first one) as help; one without ports
# has none (the rule's remediation applies).
test_help_probes_the_declared_port if {
	c := object.union(app("api", false), {"ports": [{"name": "metrics", "containerPort": "x"}, {"name": "http", "containerPort": 8080}, {"containerPort": 9090}]})
	violation == {{
		"msg": "container \"api\" has no readinessProbe",
		"path": ["spec", "template", "spec", "containers", 0, "readinessProbe"],
		"help": "Add a readinessProbe to container \"api\" on its port 8080, e.g. httpGet: {path: <readiness endpoint>, port: 8080} or tcpSocket: {port: 8080}.",
	}} with input as workload("Deployment", {"containers": [c]})
	vs := violation with input as workload("Deployment", {"containers": [object.union(app("api", false), {"ports": null})]})
	{v | some v in vs; v.help} == set()
	count(vs) == 1
}
