package k8sc.lib.secrets

import rego.v1

p := default_params

found(name, value) := detect(name, value, p)

none(name, value) if not detect(name, value, p)

# ---- value formats, whatever the key ---------------------------------------------------------

test_url_with_password if {
	found("DATABASE_URL", "postgres://todo:S3cr3tPassw0rd@db:5432/todo") == {"password in URL"}
}

test_redis_url_with_password_and_no_user if {
	found("CACHE", "redis://:Kx9vLq2mZt@redis:6379/0") == {"password in URL"}
}

test_url_without_credentials if {
	none("DATABASE_URL", "postgres://db:5432/todo")
}

test_url_with_user_only if {
	none("GIT_REMOTE", "https://deploy@git.example.com/org/repo.git")
}

# An empty password is no secret.
test_url_with_empty_password if {
	none("DATABASE_URL", "postgres://user:@host:5432/db")
}

# Kubernetes expands $(VAR) from other env vars: the password comes from a secretKeyRef.
test_url_with_env_reference_password if {
	none("DATABASE_URL", "postgresql://todo:$(DB_PASSWORD)@db:5432/todo")
	none("DATABASE_URL", "postgresql://todo:${DB_PASSWORD}@db:5432/todo")
}

test_pem_private_key if {
	found("tls.key", "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----\n") == {"PEM private key"}
	found("key", "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----") == {"PEM private key"}
	found("key", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3Bl\n-----END OPENSSH PRIVATE KEY-----") == {"PEM private key"}
}

test_certificate_is_not_a_private_key if {
	none("ca.crt", "-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIE\n-----END CERTIFICATE-----\n")
	none("pub", "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkq\n-----END PUBLIC KEY-----")
}

test_aws_access_key_id if {
	found("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE") == {"AWS access key id"}
}

test_github_tokens if {
	found("X", "ghp_1234567890abcdefghijABCDEFGHIJ123456") == {"GitHub token"}
	found("X", "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz") == {"GitHub token"}
}

test_slack_token if {
	found("X", "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOp") == {"Slack token"}
}

test_openai_keys if {
	found("LLM", "sk-proj-Xq7T2mLrV9aB4cN8dE1fG6hJ3kP0sW5yZ8uI2oQ7tR4e") == {"OpenAI/Anthropic API key"}
	found("LLM", "sk-Xq7T2mLrV9aB4cN8dE1fG6hJ3kP0sW5y") == {"OpenAI/Anthropic API key"}
}

test_sk_word_prefix_is_not_a_key if {
	none("MODEL", "sk-learn-compatible-wrapper")
	none("MODEL", "disk-abcdefghijklmnopqrstuvw123")
}

test_stripe_and_google if {
	found("X", "sk_live_4eC39HqLyjWDarjtT1zdp7dc") == {"Stripe secret key"}
	found("X", "AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvW") == {"Google API key"}
}

test_jwt if {
	jwt := "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
	found("X", jwt) == {"JSON Web Token"}
	found("nginx.conf", sprintf("location / {\n  proxy_set_header Authorization \"Bearer %s\";\n}\n", [jwt])) == {"JSON Web Token"}
}

# ---- secret-named keys -----------------------------------------------------------------------

test_secret_named_key_with_literal if {
	found("DB_PASSWORD", "hunter2-prod-Pa55") == {"literal value of a secret-named key"}
	found("dbPassword", "password123") == {"literal value of a secret-named key"}
	found("db.password", "postgres") == {"literal value of a secret-named key"}
	found("PGPASSWORD", "password123") == {"literal value of a secret-named key"}
	found("MYSQL_PWD", "password123") == {"literal value of a secret-named key"}
	found("CLIENTSECRET", "password123") == {"literal value of a secret-named key"}
	found("BETTER_AUTH_SECRET", "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA==") == {"literal value of a secret-named key"}
}

test_weak_key_needs_random_value if {
	found("PASSWORD_HASH", "Xk29fLm3Qz81Pw") == {"high-entropy value under a secret-like key"}
	found("AUTH_SALT_V2", "9f8e7d6c5b4a39281706f5e4d3c2b1a0") == {"high-entropy value under a secret-like key"}
	none("PASSWORD_HASH", "notrandomatall")
}

test_short_nouns_need_a_word_boundary if {
	none("BYPASS", "something-long")
	none("BYPASS", "somethinglong")
}

test_non_secret_config_values if {
	none("PASSWORD_MIN_LENGTH", "12")
	none("TOKEN_TTL_SECONDS", "3600")
	none("AUTH_ENABLED", "true")
	none("SECRET_NAME", "backend-secrets")
	none("PASSWORD_POLICY", "strong")
	none("AUTH_URL", "https://auth.example.com/login")
	none("AUTH_URL", "https://auth.example.com/v1/Login2")
	none("API_KEY_HEADER", "X-Api-Key")
	none("OPENAI_API_BASE", "https://api.openai.com/v1")
	none("DB_PASSWORD_FILE", "/run/secrets/db")
	none("LOG_LEVEL", "debug")
	none("OAUTH2_PROXY_IMAGE", "quay.io/oauth2-proxy/oauth2-proxy:v7.5.1")
	none("TOKEN_AUDIENCE", "api://Todo-Backend-2024")
}

# Values that are clearly not secrets: empty (or a null word), references to a variable or a
# template, <...> placeholders, masks.
test_empty_references_and_masks if {
	none("DB_PASSWORD", "")
	none("DB_PASSWORD", "null")
	none("OPENAI_API_KEY", "<your key>")
	none("OPENAI_API_KEY", "********")
	none("OPENAI_API_KEY", "*")
	none("OPENAI_API_KEY", "x")
	none("OPENAI_API_KEY", "XXXXXXXX")
	none("OPENAI_API_KEY", "$(OPENAI_API_KEY)")
	none("OPENAI_API_KEY", "${OPENAI_API_KEY}")
	none("OPENAI_API_KEY", "$OPENAI_API_KEY")
	none("DB_PASSWORD", "{{ .Values.db.password }}")
	none("DB_PASSWORD", "<%= ENV['DB_PASSWORD'] %>")
	# Kubernetes-style names stay references to a Secret (see test_secret_name_reference).
	none("OPENAI_API_KEY", "your-openai-api-key")
	none("GITHUB_TOKEN", "put-token-here")
}

# Issue #16: a placeholder-looking literal under a secret-named key is still a literal password
# committed to Git (changeme and password are real default passwords), and so is a short one.
test_placeholder_looking_and_short_literals_are_credentials if {
	lit := {"literal value of a secret-named key"}
	found("DB_PASSWORD", "changeme") == lit
	found("DB_PASSWORD", "changeme1234") == lit
	found("DB_PASSWORD", "CHANGE_ME_IN_PROD") == lit
	found("DB_PASSWORD", "password") == lit
	found("ADMIN_PASSWORD", "admin") == lit
	found("JWT_SECRET", "secret") == lit
	found("API_TOKEN", "test") == lit
	found("OPENAI_API_KEY", "your_api_key_here") == lit
	found("db_password", "abc123") == lit
	found("PGPASSWORD", "pg") == lit
	# The suffix pattern alone names a secret (PASS and SIGNING_KEY were in it, but the key
	# also had to contain one of secret_key_pattern's words, which they do not).
	found("RABBITMQ_DEFAULT_PASS", "guest") == lit
	found("MYSQL_PASS", "root") == lit
	found("JWT_SIGNING_KEY", "hunter2") == lit
}

test_secret_name_reference if {
	none("JWT_SECRET", "backend-secrets")
}

test_non_string_value if {
	none("DB_PASSWORD", 12345678)
}

test_key_normalisation if {
	normalize_key("dbPassword") == "db_password"
	normalize_key("openaiApiKey") == "openai_api_key"
	normalize_key("db.password-file") == "db_password_file"
	normalize_key("DB_PASSWORD") == "db_password"
}

# ---- embedded assignments --------------------------------------------------------------------

test_dsn_with_password if {
	found("DATABASE_DSN", "host=db port=5432 user=todo password=S3cr3tPassw0rd dbname=todo") == {"credential assigned inside the value"}
}

test_properties_file_with_password if {
	props := "spring.datasource.url=jdbc:postgresql://db:5432/todo\nspring.datasource.username=todo\nspring.datasource.password=S3cr3tPassw0rd\n"
	found("application.properties", props) == {"credential assigned inside the value"}
}

test_yaml_file_with_api_key if {
	found("config.yaml", "llm:\n  provider: openai\n  apiKey: \"f00ba7Qux9Zz11\"\n") == {"credential assigned inside the value"}
}

test_files_with_references_only if {
	none("application.properties", "spring.datasource.password=${DB_PASSWORD}\nspring.datasource.password-file=/run/secrets/db\n")
	none("config.yaml", "auth:\n  enabled: true\n  token_ttl: 3600\n  password_min_length: 12\n")
	none("settings.json", "{\"passwordPolicy\": \"strong\", \"tokenTtlSeconds\": 3600}")
	none("entrypoint.sh", "#!/bin/sh\nexport PGPASSWORD=\"$POSTGRES_PASSWORD\"\nexec psql\n")
}

test_nginx_conf_without_credentials if {
	conf := concat("\n", [
		"server {",
		"  listen 8080;",
		"  location /api/ {",
		"    proxy_pass http://todo-backend:80/;",
		"    proxy_set_header Host $host;",
		"    auth_basic_user_file /etc/nginx/.htpasswd;",
		"  }",
		"}",
	])
	none("nginx.conf", conf)
}

test_format_only_detection if {
	detect_format("-----BEGIN EC PRIVATE KEY-----\nMHcC\n-----END EC PRIVATE KEY-----") == {"PEM private key"}
	not detect_format("just some text here")
}

test_describe if {
	describe({"b", "a"}) == "a, b"
}

# Regression: Prometheus recording rules are named `level:metric:operations`, so a rule named
# `secret:kube_secret_info:count` looked like the assignment `secret: kube_secret_info:count`.
# A YAML mapping needs a space after the colon; `key:value` is an assignment only when the key
# is quoted (JSON) or the separator is `=`.
test_colon_without_space_in_prose_is_not_an_assignment if {
	none("rules.yaml", "groups:\n- name: k\n  rules:\n  - record: secret:kube_secret_info:count\n    expr: count by (namespace) (kube_secret_info)\n")
	none("notes.txt", "see token:refresh_handler_v2_internal for details")
}

test_json_and_properties_colon_forms_still_detected if {
	found("settings.json", "{\"apiKey\":\"f00ba7Qux9Zz11\"}") == {"credential assigned inside the value"}
	found("app.properties", "db.password:S3cr3tPassw0rd\n") == {"credential assigned inside the value"}
}

# ---- issue #16: secret-named keys beyond the secret nouns -----------------------------------

test_secret_prefix_and_generic_key_names if {
	lit := {"literal value of a secret-named key"}
	found("SECRET_BLAH", "abc123") == lit
	found("secretBlah", "abc123") == lit
	found("SECRET_KEY_BASE", "notrandomatall") == lit
	found("AZURE_BATCH_KEY", "abc123") == lit
	found("STORAGE_ACCOUNT_KEY", "abc123") == lit
	found("NEW_RELIC_LICENSE_KEY", "eu01xx0123456789abcdef0123456789NRAL") == lit
	found("OCI_CLI_KEY_CONTENT", "abc123") == lit
	found("SSH_KEY", "abc123") == lit
	found("AWS_CREDENTIALS", "abc123") == lit
	found("azureBatchKey", "abc123") == lit
}

# *_KEY is also the name of lookup keys, public keys, key ids and key files.
test_non_secret_key_names if {
	none("CACHE_KEY", "user-id")
	none("CACHE_KEY", "userId")
	none("SORT_KEY", "createdAt")
	none("PRIMARY_KEY", "id")
	none("PARTITION_KEY", "tenant_id")
	none("ROUTING_KEY", "orders.created")
	none("IDEMPOTENCY_KEY", "requestId")
	none("FEATURE_FLAG_KEY", "newCheckout2")
	none("PUBLIC_KEY", "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAu1SU1L7VLPHCgcBIjtEFd3")
	none("JWT_PUBLIC_KEY", "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAu1SU1L7VLPHCgcBIjtEFd3")
	none("NEXT_PUBLIC_STRIPE_KEY", "pk_live_51H8example0000000000000000")
	none("RECAPTCHA_SITE_KEY", "6LeIxAcTAAAAAJcZVRqyHh71UMIEGNQ_MXjiZKhI")
	none("GPG_KEY", "A035C8C19219BA821ECEA86B64E628F8D684696D")
	none("KMS_KEY", "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab")
	none("SOPS_KMS_ARN_KEY", "arn:aws:kms:us-east-1:123456789012:alias/sops")
	none("TLS_KEY", "tls.key")
	none("KEY_FILE", "/etc/ssl/private/server.key")
	none("OCI_CLI_KEY_FILE", "~/.oci/oci_api_key.pem")
	none("AWS_KMS_KEY_ID", "1234abcd-12ab-34cd-56ef-1234567890ab")
	none("SIGNING_KEY_ID", "key-2024-01")
	none("SSH_KNOWN_HOSTS", "github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl")
	none("REDIS_KEY_PREFIX", "app:")
	none("KEY", "value1")
	none("MONKEY", "banana1")
	none("HOTKEY", "ctrl-k1")
}

# SECRET_* names a secret unless it ends with a modifier (the name, store, namespace... of one).
test_secret_prefix_modifiers if {
	none("SECRET_NAME", "backend-secrets")
	none("SECRET_STORE", "vault")
	none("SECRET_NAMESPACE", "vault")
	none("SECRET_MANAGER", "aws")
	none("SECRET_MANAGER_PROJECT", "prod-1234")
	none("SECRETS_MANAGER_REGION", "us-east-1")
	none("SECRET_MOUNT_PATH", "/var/run/secrets/app")
	none("SECRET_ENGINE", "kv2")
	none("SECRET_VERSION", "3")
	none("SECRET_PROVIDER", "gcp")
	none("SECRET_USERNAME", "TOP_SECRET")
	none("SECRET_FILE", "/var/vault/secret.json")
}

# Values that are names or identifiers, not secrets, whatever the key.
test_identifier_values if {
	none("KMS_MASTER_KEY", "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab")
	none("CLIENT_SECRET_FILE", "client-secret.json")
	none("TLS_PRIVATE_KEY", "tls.key")
}

# ---- issue #16: min_length is the only length threshold --------------------------------------

test_min_length_param_is_the_threshold if {
	p4 := object.union(default_params, {"min_length": 4})
	detect("DB_PASSWORD", "hunt3r7", p4) == {"literal value of a secret-named key"}
	detect("DB_PASSWORD", "ab12", p4) == {"literal value of a secret-named key"}
	not detect("DB_PASSWORD", "ab1", p4)
	p16 := object.union(default_params, {"min_length": 16})
	not detect("DB_PASSWORD", "password123", p16)
}

test_default_min_length_catches_any_literal if {
	default_params.min_length == 1
	found("DB_PASSWORD", "a") == {"literal value of a secret-named key"}
}

# With min_length 1 an embedded assignment's value may be short, but YAML syntax after a
# secret-named key is not a value.
test_yaml_syntax_after_a_secret_key_is_not_a_value if {
	none("config.yaml", "auth:\n  password: |\n    line one\n  token: >-\n    folded\n")
	none("config.yaml", "db:\n  password: *db_password\n  secret: {}\n  token: []\n  api_key: ~\n")
	none("configuration.yaml", "mqtt:\n  password: !secret mqtt_password\n")
	found("config.yaml", "db:\n  password: abc123\n") == {"credential assigned inside the value"}
}

# A password in a URL is judged like a secret-named key's value.
test_url_with_placeholder_looking_password if {
	found("DATABASE_URL", "postgres://todo:changeme@db:5432/todo") == {"password in URL"}
	none("DATABASE_URL", "postgres://todo:xxxxx@db:5432/todo")
	none("DATABASE_URL", "postgres://todo:<password>@db:5432/todo")
}
