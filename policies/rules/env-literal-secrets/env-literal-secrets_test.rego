package k8sc.rules.env_literal_secrets

import rego.v1

deployment(env) := {
	"apiVersion": "apps/v1",
	"kind": "Deployment",
	"metadata": {"name": "todo-backend"},
	"spec": {"template": {"spec": {"containers": [{"name": "backend", "image": "todo-backend:1.0.0", "env": env}]}}},
}

env_path(i) := ["spec", "template", "spec", "containers", 0, "env", i, "value"]

paths(env) := ps if {
	ps := {v.path | some v in violation} with input as deployment(env)
}

test_secret_key_refs_pass if {
	count(violation) == 0 with input as deployment([
		{"name": "OPENAI_API_KEY", "valueFrom": {"secretKeyRef": {"name": "backend-secrets", "key": "OPENAI_API_KEY"}}},
		{"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "backend-secrets", "key": "DB_PASSWORD"}}},
		{"name": "DATABASE_URL", "value": "postgresql://todo:$(DB_PASSWORD)@todo-db:5432/todo"},
	])
}

test_non_secret_values_pass if {
	count(violation) == 0 with input as deployment([
		{"name": "OPENAI_API_BASE", "value": "https://api.openai.com/v1"},
		{"name": "DB_PASSWORD_FILE", "value": "/run/secrets/db"},
		{"name": "LOG_LEVEL", "value": "info"},
		{"name": "DATABASE_URL", "value": "postgres://db:5432/todo"},
		{"name": "TOKEN_TTL_SECONDS", "value": "3600"},
		{"name": "AUTH_ENABLED", "value": "true"},
		{"name": "SECRET_NAME", "value": "backend-secrets"},
		{"name": "API_KEY_HEADER", "value": "X-Api-Key"},
		{"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
	])
}

test_literal_api_key_fails_at_value_path if {
	paths([
		{"name": "LOG_LEVEL", "value": "info"},
		{"name": "OPENAI_API_KEY", "value": "sk-proj-Xq7T2mLrV9aB4cN8dE1fG6hJ3kP0sW5yZ8uI2oQ7tR4e"},
	]) == {env_path(1)}
}

test_secret_named_literal_fails if {
	paths([{"name": "BETTER_AUTH_SECRET", "value": "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA=="}]) == {env_path(0)}
}

test_password_in_url_fails if {
	paths([{"name": "DATABASE_URL", "value": "postgres://todo:S3cr3tPassw0rd@db:5432/todo"}]) == {env_path(0)}
}

test_message_never_contains_the_value if {
	some v in violation with input as deployment([{"name": "DB_PASSWORD", "value": "hunter2-prod-Pa55"}])
	contains(v.msg, "DB_PASSWORD")
	contains(v.msg, "backend")
	not contains(v.msg, "hunter2")
}

test_init_and_ephemeral_containers if {
	pod := {
		"apiVersion": "v1",
		"kind": "Pod",
		"metadata": {"name": "p"},
		"spec": {
			"initContainers": [{"name": "migrate", "image": "m:1", "env": [{"name": "PGPASSWORD", "value": "hunter2-prod-Pa55"}]}],
			"containers": [{"name": "app", "image": "a:1"}],
			"ephemeralContainers": [{"name": "debug", "image": "d:1", "env": [{"name": "GITHUB_TOKEN", "value": "ghp_1234567890abcdefghijABCDEFGHIJ123456"}]}],
		},
	}
	{v.path | some v in violation} == {
		["spec", "initContainers", 0, "env", 0, "value"],
		["spec", "ephemeralContainers", 0, "env", 0, "value"],
	} with input as pod
}

test_cronjob_path if {
	cj := {
		"apiVersion": "batch/v1",
		"kind": "CronJob",
		"metadata": {"name": "backup"},
		"spec": {"schedule": "@daily", "jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "backup", "image": "b:1", "env": [{"name": "AWS_ACCESS_KEY_ID", "value": "AKIAIOSFODNN7EXAMPLE"}]}]}}}}},
	}
	{v.path | some v in violation} == {["spec", "jobTemplate", "spec", "template", "spec", "containers", 0, "env", 0, "value"]} with input as cj
}

test_non_string_and_nameless_entries_do_not_error if {
	count(violation) == 0 with input as deployment([{"name": "PORT", "value": 8000}, {"value": "x"}, {"name": 5, "value": "abcdefghij"}])
}

test_configmap_is_ignored if {
	count(violation) == 0 with input as {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"DB_PASSWORD": "hunter2-prod-Pa55"}}
}

# ---- issue #16 ------------------------------------------------------------------------------

test_short_and_oddly_named_credentials_fail if {
	paths([
		{"name": "DB_PASSWORD", "value": "abc123"},
		{"name": "ADMIN_PASSWORD", "value": "changeme1234"},
		{"name": "SECRET_BLAH", "value": "abc123"},
		{"name": "AZURE_BATCH_KEY", "value": "abc123"},
		{"name": "OCI_CLI_KEY_CONTENT", "value": "abc123"},
		{"name": "CACHE_KEY", "value": "user-id"},
		{"name": "PRIMARY_KEY", "value": "id"},
		{"name": "KEY_FILE", "value": "/etc/app/key.pem"},
		{"name": "AWS_KMS_KEY_ID", "value": "1234abcd-12ab-34cd-56ef-1234567890ab"},
		{"name": "SECRET_NAME", "value": "backend-secrets"},
	]) == {env_path(0), env_path(1), env_path(2), env_path(3), env_path(4)}
}

test_short_credential_message_names_the_variable_only if {
	some v in violation with input as deployment([{"name": "DB_PASSWORD", "value": "abc123"}])
	v.msg == "container \"backend\" sets env DB_PASSWORD to a literal credential (literal value of a secret-named key): use valueFrom.secretKeyRef"
}

test_min_length_below_eight if {
	count(violation) == 1 with input as deployment([{"name": "DB_PASSWORD", "value": "hunt3r7"}]) with data.k8sc.params as {"env-literal-secrets": {"min_length": 4}}
	count(violation) == 0 with input as deployment([{"name": "DB_PASSWORD", "value": "ab1"}]) with data.k8sc.params as {"env-literal-secrets": {"min_length": 4}}
	count(violation) == 0 with input as deployment([{"name": "DB_PASSWORD", "value": "hunter2-prod"}]) with data.k8sc.params as {"env-literal-secrets": {"min_length": 16}}
}

test_guard_default_is_the_param_default if {
	min_length == data.k8sc.lib.secrets.default_params.min_length
	min_length == 7 with data.k8sc.params as {"env-literal-secrets": {"min_length": 7}}
}

helps(env) := hs if {
	hs := {v.help | some v in violation} with input as deployment(env)
}

# The help names the variable and the container, never the value.
test_help_names_the_variable_not_the_value if {
	helps([{"name": "DB_PASSWORD", "value": "hunter2-prod-Pa55"}]) == {"Put the value in a Secret and replace value with valueFrom: {secretKeyRef: {name: <secret>, key: DB_PASSWORD}} in env DB_PASSWORD of container \"backend\"; rotate the exposed credential."}
	every h in helps([{"name": "DB_PASSWORD", "value": "hunter2-prod-Pa55"}]) {
		not contains(h, "hunter2")
	}
}

# A URL with a password keeps its other parts: the password goes to a variable of its own.
test_help_for_a_password_in_a_url if {
	helps([{"name": "DATABASE_URL", "value": "postgres://app:S3cr3tPassw0rd@db:5432/app"}]) == {"Put the password in a Secret, add env DATABASE_PASSWORD to container \"backend\" from it (valueFrom.secretKeyRef) before DATABASE_URL, and write $(DATABASE_PASSWORD) in place of the password in DATABASE_URL; rotate the exposed credential."}
	password_var("redisDsn") == "REDIS_PASSWORD"
	password_var("URL") == "PASSWORD"
	password_var("conn-string") == "PASSWORD"
}

test_help_for_an_unnamed_variable if {
	helps([{"value": "ghp_1234567890abcdefghijABCDEFGHIJ123456"}]) == {"Put the value in a Secret and replace value with valueFrom: {secretKeyRef: {name: <secret>, key: <key>}} in env (unnamed) of container \"backend\"; rotate the exposed credential."}
}
