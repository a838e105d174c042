package k8sc.rules.no_host_ports

import rego.v1

pod(ports, init_ports) := {
	"apiVersion": "v1",
	"kind": "Pod",
	"metadata": {"name": "web"},
	"spec": {
		"initContainers": [{"name": "init", "image": "init:1", "ports": init_ports}],
		"containers": [{"name": "web", "image": "nginx:1.27", "ports": ports}],
	},
}

paths(vs) := {v.path | some v in vs}

test_container_ports_pass if {
	count(violation) == 0 with input as pod([{"containerPort": 8080, "name": "http"}], [])
}

# 0 and an explicit null (what Helm renders for an empty value) bind nothing (the null case was
# written against a mutant that dropped its check).
test_host_port_zero_passes if {
	count(violation) == 0 with input as pod([{"containerPort": 8080, "hostPort": 0}], null)
	count(violation) == 0 with input as pod([{"containerPort": 8080, "hostPort": null}], [])
}

test_host_port_fails_at_the_port if {
	violation == {{"msg": "container \"web\" binds host port 443", "path": ["spec", "containers", 0, "ports", 1, "hostPort"]}} with input as pod([{"containerPort": 8080}, {"containerPort": 8443, "hostPort": 443}], [])
}

test_init_container_host_port_fails if {
	vs := violation with input as pod([], [{"containerPort": 9000, "hostPort": 9000}])
	paths(vs) == {["spec", "initContainers", 0, "ports", 0, "hostPort"]}
}

test_service_ports_are_ignored if {
	count(violation) == 0 with input as {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"}, "spec": {"type": "NodePort", "ports": [{"port": 80, "nodePort": 30080}]}}
}

test_metadata_declares_the_pss_level if {
	metadata.id == "no-host-ports"
	metadata.severity == "error"
	metadata.pss == "baseline"
	metadata.kinds == ["*"]
}
