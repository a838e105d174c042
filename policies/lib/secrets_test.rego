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
	found("SECRET_KEY_BASE", "9f8e7d6c5b4a39281706f5e4d3c2b1a0") == {"high-entropy value under a secret-like key"}
	none("SECRET_KEY_BASE", "notrandomatall")
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

test_empty_and_placeholder_values if {
	none("DB_PASSWORD", "")
	none("DB_PASSWORD", "changeme")
	none("DB_PASSWORD", "CHANGE_ME_IN_PROD")
	none("OPENAI_API_KEY", "your-openai-api-key")
	none("OPENAI_API_KEY", "<your key>")
	none("OPENAI_API_KEY", "********")
	none("OPENAI_API_KEY", "$(OPENAI_API_KEY)")
	none("DB_PASSWORD", "{{ .Values.db.password }}")
	none("DB_PASSWORD", "password")
	none("GITHUB_TOKEN", "put-token-here")
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
