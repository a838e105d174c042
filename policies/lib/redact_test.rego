package k8sc.lib.redact

import rego.v1

test_secret_values_and_binary_data_are_masked if {
	paths == {["data", "a"], ["stringData", "b"]} with input as {"kind": "Secret", "data": {"a": "eA=="}, "stringData": {"b": "x"}}
	paths == {["binaryData", "logo.png"]} with input as {"kind": "ConfigMap", "binaryData": {"logo.png": "eA=="}}
}

masked(scalars) := m if {
	m := masked_scalars with input as {"scalars": scalars}
}

test_strings_under_secret_named_keys_are_masked_whatever_the_value if {
	masked([
		["DB_PASSWORD", null, "${X}"],
		["apiKey", null, "short"],
		["LOG_LEVEL", null, "info"],
		["PASSWORD_MIN_LENGTH", null, "12"],
		["SECRET_NAME", null, "backend-secrets"],
	]) == {0, 1}
}

test_env_values_are_masked_under_their_name if {
	masked([
		["value", "ADMIN_PASSWORD", "changeme"],
		["value", "LOG_LEVEL", "debug"],
		["name", "ADMIN_PASSWORD", "ADMIN_PASSWORD"],
	]) == {0}
}

test_flagged_and_random_looking_strings_are_masked_under_any_key if {
	masked([
		["connection", null, "mongodb://admin:Hx8kLm2Pq@mongo:27017"],
		[null, null, "NeighbourSecret9f8Kq2Lm"],
		["notes", null, "Xk29dLq83mZpQ7"],
		["image", null, "registry.example.com/api:1.2.3"],
		["url", null, "https://example.com/a/b"],
		[null, null, "--port=8080"],
	]) == {0, 1, 2}
}

test_command_line_credentials_are_masked if {
	paths == {
		["spec", "template", "spec", "containers", 0, "args", 1],
		["spec", "template", "spec", "containers", 0, "args", 3],
	} with input as {
		"kind": "Deployment",
		"spec": {"template": {"spec": {"containers": [{"name": "a", "args": ["--verbose", "--db-password=Xk29dLq83mZp", "--token", "Zq81mPx0Lw3a"]}]}}},
	}
}

test_last_applied_configuration_is_masked if {
	paths == {["metadata", "annotations", "kubectl.kubernetes.io/last-applied-configuration"]} with input as {
		"kind": "ConfigMap",
		"metadata": {"annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{}", "team": "payments"}},
	}
}

test_ordinary_objects_have_no_structural_paths if {
	paths == set() with input as {
		"kind": "Deployment",
		"metadata": {"name": "api", "labels": {"app": "api"}},
		"spec": {"replicas": 2, "template": {"spec": {"containers": [{
			"name": "api",
			"image": "registry.example.com/api:1.2.3",
			"args": ["--port=8080", "--log-level", "debug"],
			"env": [{"name": "SECRET_NAME", "value": "backend-secrets"}],
		}]}}},
	}
}
