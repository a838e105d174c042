package k8sc.rules.configmap_secrets

import rego.v1

configmap(entries) := {
	"apiVersion": "v1",
	"kind": "ConfigMap",
	"metadata": {"name": "backend-config", "namespace": "todo"},
	"data": entries,
}

paths(entries) := ps if {
	ps := {v.path | some v in violation} with input as configmap(entries)
}

test_plain_configuration_passes if {
	count(violation) == 0 with input as configmap({
		"ENVIRONMENT": "production",
		"LOG_LEVEL": "info",
		"DATABASE_URL": "postgres://db:5432/todo",
		"CORS_ORIGINS": "https://todo.example.com",
		"OPENAI_API_BASE": "https://api.openai.com/v1",
	})
}

test_secret_sounding_keys_with_non_secret_values_pass if {
	count(violation) == 0 with input as configmap({
		"PASSWORD_MIN_LENGTH": "12",
		"TOKEN_TTL_SECONDS": "3600",
		"AUTH_ENABLED": "true",
		"SECRET_NAME": "backend-secrets",
		"PASSWORD_POLICY": "strong",
		"AUTH_URL": "https://auth.example.com/login",
		"API_KEY_HEADER": "X-Api-Key",
		"DB_PASSWORD_FILE": "/run/secrets/db",
		"DB_PASSWORD": "",
		"ADMIN_PASSWORD": "${ADMIN_PASSWORD}",
		"CACHE_KEY": "user-id",
		"SORT_KEY": "createdAt",
		"PUBLIC_KEY": "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAu1SU1L7VLPHCgcBIjtEFd3",
		"SECRET_STORE": "vault",
	})
}

test_password_in_database_url_fails if {
	paths({"DATABASE_URL": "postgres://todo:S3cr3tPassw0rd@db:5432/todo"}) == {["data", "DATABASE_URL"]}
}

test_empty_password_in_url_passes if {
	count(violation) == 0 with input as configmap({"DATABASE_URL": "postgres://user:@db:5432/todo"})
}

test_secret_named_key_fails if {
	paths({"DB_PASSWORD": "hunter2-prod-Pa55", "LOG_LEVEL": "debug"}) == {["data", "DB_PASSWORD"]}
}

test_token_formats_fail if {
	paths({
		"openai": "sk-proj-Xq7T2mLrV9aB4cN8dE1fG6hJ3kP0sW5yZ8uI2oQ7tR4e",
		"aws": "AKIAIOSFODNN7EXAMPLE",
		"gh": "ghp_1234567890abcdefghijABCDEFGHIJ123456",
	}) == {["data", "openai"], ["data", "aws"], ["data", "gh"]}
}

test_message_names_key_and_kind_but_not_value if {
	some v in violation with input as configmap({"OPENAI_API_KEY": "sk-proj-Xq7T2mLrV9aB4cN8dE1fG6hJ3kP0sW5yZ8uI2oQ7tR4e"})
	contains(v.msg, "OPENAI_API_KEY")
	contains(v.msg, "OpenAI")
	not contains(v.msg, "Xq7T2m")
}

nginx_conf := concat("\n", [
	"server {",
	"  listen 8080;",
	"  location /api/ {",
	"    proxy_pass http://todo-backend:80/;",
	"    proxy_set_header Host $host;",
	"    proxy_buffering off;",
	"  }",
	"}",
])

test_whole_nginx_conf_without_credentials_passes if {
	count(violation) == 0 with input as configmap({"nginx.conf": nginx_conf})
}

test_credential_inside_a_config_file_fails if {
	conf := concat("\n", [nginx_conf, "# upstream auth", "proxy_set_header Authorization \"Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ0b2RvLWJhY2tlbmQifQ.c2lnbmF0dXJlLXBsYWNlaG9sZGVy\";"])
	paths({"nginx.conf": conf}) == {["data", "nginx.conf"]}
}

test_json_file_value if {
	count(violation) == 0 with input as configmap({"settings.json": "{\n  \"passwordPolicy\": \"strong\",\n  \"tokenTtlSeconds\": 3600,\n  \"authUrl\": \"https://auth.example.com\"\n}\n"})
	paths({"settings.json": "{\n  \"apiKey\": \"f00ba7Qux9Zz11\"\n}\n"}) == {["data", "settings.json"]}
}

test_yaml_file_value if {
	count(violation) == 0 with input as configmap({"app.yaml": "database:\n  host: db\n  port: 5432\n  passwordFile: /run/secrets/db\n"})
	paths({"app.yaml": "database:\n  host: db\n  password: hunter2-prod-Pa55\n"}) == {["data", "app.yaml"]}
}

test_binary_data_with_private_key_fails if {
	pem := "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n"
	vs := violation with input as {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "tls"}, "binaryData": {"tls.key": base64.encode(pem)}}
	{v.path | some v in vs} == {["binaryData", "tls.key"]}
}

test_binary_data_certificate_passes if {
	crt := "-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIE\n-----END CERTIFICATE-----\n"
	count(violation) == 0 with input as {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "ca"}, "binaryData": {"ca.crt": base64.encode(crt)}}
}

test_secret_kind_is_ignored if {
	count(violation) == 0 with input as {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "stringData": {"DB_PASSWORD": "hunter2-prod-Pa55"}, "data": {"DB_PASSWORD": "aHVudGVyMi1wcm9kLVBhNTU="}}
}

test_params_override_min_length if {
	count(violation) == 0 with input as configmap({"DB_PASSWORD": "password123"}) with data.k8sc.params as {"configmap-secrets": {"min_length": 16}}
	count(violation) == 1 with input as configmap({"DB_PASSWORD": "password123"})
}

# ---- issue #16 ------------------------------------------------------------------------------

# Short and placeholder-looking literals under secret-named keys, and keys named SECRET_*,
# *_KEY, *_KEY_CONTENT, *_CREDENTIALS.
test_short_and_oddly_named_credentials_fail if {
	paths({
		"db_password": "abc123",
		"ADMIN_PASSWORD": "changeme1234",
		"SECRET_BLAH": "abc123",
		"AZURE_BATCH_KEY": "abc123",
		"OCI_CLI_KEY_CONTENT": "abc123",
		"AWS_CREDENTIALS": "abc123",
		"LOG_LEVEL": "debug",
	}) == {["data", "db_password"], ["data", "ADMIN_PASSWORD"], ["data", "SECRET_BLAH"], ["data", "AZURE_BATCH_KEY"], ["data", "OCI_CLI_KEY_CONTENT"], ["data", "AWS_CREDENTIALS"]}
}

test_short_credential_message_names_the_key_only if {
	some v in violation with input as configmap({"db_password": "abc123"})
	v.msg == "ConfigMap key \"db_password\" holds a credential (literal value of a secret-named key): move it to a Secret"
}

# min_length is the only threshold: below it nothing is judged, at or above it a literal is.
test_min_length_below_eight if {
	count(violation) == 1 with input as configmap({"DB_PASSWORD": "hunt3r7"}) with data.k8sc.params as {"configmap-secrets": {"min_length": 4}}
	count(violation) == 0 with input as configmap({"DB_PASSWORD": "ab1"}) with data.k8sc.params as {"configmap-secrets": {"min_length": 4}}
	count(violation) == 1 with input as configmap({"DB_PASSWORD": "ab1"})
}

# The rule's guard reads min_length without building the params: it must default to the lib's.
test_guard_default_is_the_param_default if {
	min_length == data.k8sc.lib.secrets.default_params.min_length
	min_length == 7 with data.k8sc.params as {"configmap-secrets": {"min_length": 7}}
}

binary_configmap(binary) := {
	"apiVersion": "v1",
	"kind": "ConfigMap",
	"metadata": {"name": "c"},
	"binaryData": binary,
}

test_binary_data_is_judged_like_data_once_decoded if {
	{v.path | some v in violation} with input as binary_configmap({
		"db-password": base64.encode("Xk29dLq83mZp"),
		"creds.env": base64.encode("user=app\npassword=Hx8kLm2Pq\n"),
		"keystore.p12": base64.encode("not a credential, a binary blob stand-in"),
		"logo.png": base64.encode("PNG"),
	}) == {["binaryData", "db-password"], ["binaryData", "creds.env"]}
}

# The help names the key and the ConfigMap, never the value.
test_help_names_the_key_and_the_configmap if {
	hs := {v.help | some v in violation} with input as configmap({"DB_PASSWORD": "hunter2-prod-Pa55"})
	hs == {"Move key \"DB_PASSWORD\" from ConfigMap \"backend-config\" to a Secret (stringData) and point its consumers there (env valueFrom.secretKeyRef, envFrom.secretRef or a secret volume, instead of the configMap ones); rotate the exposed credential."}
	every h in hs {
		not contains(h, "hunter2")
	}
}

test_help_for_binary_data if {
	pem := "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n"
	hs := {v.help | some v in violation} with input as {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "tls"}, "binaryData": {"tls.key": base64.encode(pem)}}
	hs == {"Move binaryData key \"tls.key\" from ConfigMap \"tls\" to the data of a Secret (the same base64) and mount it from there (a secret volume instead of the configMap one); rotate the exposed credential."}
}
