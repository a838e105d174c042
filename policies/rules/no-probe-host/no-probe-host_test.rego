package k8sc.rules.no_probe_host

import rego.v1

deployment(container) := {
	"apiVersion": "apps/v1",
	"kind": "Deployment",
	"metadata": {"name": "api"},
	"spec": {"template": {"spec": {"containers": [object.union({"name": "api", "image": "api:1.0"}, container)]}}},
}

base := ["spec", "template", "spec", "containers", 0]

paths(vs) := {v.path | some v in vs}

test_probes_without_host_pass if {
	count(violation) == 0 with input as deployment({
		"livenessProbe": {"httpGet": {"path": "/health/live", "port": 8000}},
		"readinessProbe": {"tcpSocket": {"port": 8000}},
		"startupProbe": {"exec": {"command": ["true"]}},
		"lifecycle": {"preStop": {"sleep": {"seconds": 5}}},
	})
}

test_empty_host_passes if {
	count(violation) == 0 with input as deployment({"livenessProbe": {"httpGet": {"host": "", "path": "/", "port": 80}}})
}

# The Host *header* is the right way to send a virtual host name.
test_host_header_passes if {
	count(violation) == 0 with input as deployment({"readinessProbe": {"httpGet": {"path": "/", "port": 80, "httpHeaders": [{"name": "Host", "value": "api.example.com"}]}}})
}

test_probe_hosts_fail_at_each_host if {
	vs := violation with input as deployment({
		"livenessProbe": {"httpGet": {"host": "169.254.169.254", "path": "/latest/meta-data", "port": 80}},
		"startupProbe": {"tcpSocket": {"host": "10.0.0.1", "port": 22}},
	})
	paths(vs) == {
		array.concat(base, ["livenessProbe", "httpGet", "host"]),
		array.concat(base, ["startupProbe", "tcpSocket", "host"]),
	}
}

# Pod Security admission allows no host at all, loopback included.
test_loopback_host_fails if {
	vs := violation with input as deployment({"readinessProbe": {"httpGet": {"host": "127.0.0.1", "port": 8080}}})
	paths(vs) == {array.concat(base, ["readinessProbe", "httpGet", "host"])}
}

test_lifecycle_hook_hosts_fail if {
	vs := violation with input as deployment({"lifecycle": {
		"postStart": {"httpGet": {"host": "internal.example", "path": "/register", "port": 80}},
		"preStop": {"tcpSocket": {"host": "10.0.0.2", "port": 9000}},
	}})
	paths(vs) == {
		array.concat(base, ["lifecycle", "postStart", "httpGet", "host"]),
		array.concat(base, ["lifecycle", "preStop", "tcpSocket", "host"]),
	}
}

test_sidecar_probe_host_fails if {
	obj := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {
		"initContainers": [{"name": "proxy", "image": "proxy:1", "restartPolicy": "Always", "startupProbe": {"httpGet": {"host": "node.local", "port": 15021}}}],
		"containers": [{"name": "app", "image": "app:1"}],
	}}
	vs := violation with input as obj
	paths(vs) == {["spec", "initContainers", 0, "startupProbe", "httpGet", "host"]}
}

test_configmap_is_ignored if {
	count(violation) == 0 with input as {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}, "data": {"host": "10.0.0.1"}}
}

test_metadata_declares_the_pss_level if {
	metadata.id == "no-probe-host"
	metadata.severity == "error"
	metadata.pss == "baseline"
	metadata.kinds == ["*"]
}

# Only the three probes and the two handlers that take a host are looked at: a field of another
# name that happens to hold a `host` is not a probe (written against mutants that dropped the
# `some probe in probes` and `some handler in handlers` iterations, looking at every field).
test_only_probe_handlers_with_a_host_count if {
	count(violation) == 0 with input as deployment({"customCheck": {"httpGet": {"host": "10.0.0.1", "port": 80}}})
	count(violation) == 0 with input as deployment({"livenessProbe": {"grpc": {"port": 9090, "host": "10.0.0.1"}}})
}

# The same for lifecycle hooks; and an empty or null host (what Helm renders for an empty
# value) is no host, in a probe or a hook (written against mutants that dropped bad_host from
# the hook finding and its null check).
test_only_hook_handlers_with_a_host_count if {
	count(violation) == 0 with input as deployment({"lifecycle": {"onExit": {"httpGet": {"host": "10.0.0.1", "port": 80}}}})
	count(violation) == 0 with input as deployment({"lifecycle": {"preStop": {"sleep": {"seconds": 5, "host": "10.0.0.1"}}}})
}

test_empty_and_null_hosts_pass if {
	count(violation) == 0 with input as deployment({"livenessProbe": {"httpGet": {"host": null, "path": "/", "port": 80}}})
	count(violation) == 0 with input as deployment({"lifecycle": {"preStop": {"httpGet": {"host": "", "path": "/", "port": 80}}}})
	count(violation) == 0 with input as deployment({"lifecycle": {"postStart": {"tcpSocket": {"host": null, "port": 80}}}})
}
