package k8sc.rules.args_literal_secrets

import rego.v1

deployment(container) := {
	"apiVersion": "apps/v1",
	"kind": "Deployment",
	"metadata": {"name": "api"},
	"spec": {"template": {"spec": {"containers": [object.union({"name": "api", "image": "api:1.0.0"}, container)]}}},
}

container_path := ["spec", "template", "spec", "containers", 0]

paths(container) := ps if {
	ps := {v.path | some v in violation} with input as deployment(container)
}

messages(container) := ms if {
	ms := {v.msg | some v in violation} with input as deployment(container)
}

at(field, i) := array.concat(container_path, [field, i])

test_flag_with_attached_value_fails_at_that_word if {
	paths({"args": ["--port=8080", "--db-password=Xk29dLq83mZp"]}) == {at("args", 1)}
}

test_flag_followed_by_its_value_fails_at_the_value if {
	paths({"args": ["--token", "Zq81mPx0Lw3a", "--verbose"]}) == {at("args", 1)}
}

test_flag_at_the_end_of_command_takes_its_value_from_args if {
	paths({"command": ["/app", "--password"], "args": ["Rt5kLm2nQ8w"]}) == {at("args", 0)}
}

test_mysql_attached_password_fails if {
	paths({"command": ["/usr/bin/mysql", "-h", "db", "-uroot", "-pS3cretPass"]}) == {at("command", 4)}
}

test_mysql_bare_p_prompts_and_passes if {
	paths({"command": ["mysql", "-h", "db", "-uroot", "-p"]}) == set()
}

test_p_flag_of_other_programs_is_not_a_password if {
	# ssh -p 22, kubectl port-forward -p..., psql -p 5432: a port, not a password
	paths({"command": ["ssh", "-p2222", "host"]}) == set()
}

test_redis_cli_a_and_sshpass_p_take_the_next_word if {
	paths({"command": ["redis-cli", "-a", "Pw9xLk3mQ2", "PING"]}) == {at("command", 2)}
	paths({"command": ["sshpass", "-p", "Pw9xLk3mQ2", "ssh", "host"]}) == {at("command", 2)}
}

test_shell_string_is_judged_word_by_word if {
	paths({"command": ["sh", "-c", "mysql -uroot -pS3cret app < /x.sql && redis-cli -a Pw9xLk3mQ2 PING"]}) == {at("command", 2)}
	paths({"command": ["sh", "-c", "exec /app --api-key 'Zq81mPx0Lw3a'"]}) == {at("command", 2)}
}

test_credential_formats_anywhere_fail if {
	paths({"args": [
		"postgres://app:Hx8kLm2Pq@db:5432/app",
		"--bearer=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl",
		"ghp_1234567890abcdefghijABCDEFGHIJ123456",
	]}) == {at("args", 0), at("args", 1), at("args", 2)}
}

test_references_files_and_settings_pass if {
	paths({
		"command": ["/app"],
		"args": [
			"--db-password=$(DB_PASSWORD)",
			"--password-file=/run/secrets/db",
			"--token-ttl",
			"3600",
			"--auth-enabled=true",
			"--secret-name=backend-secrets",
			"--api-key-header=X-Api-Key",
			"--tls-private-key-file",
			"/etc/tls/tls.key",
			"--password",
			"--verbose",
			"postgres://db:5432/app",
		],
	}) == set()
}

test_message_names_container_field_flag_and_kind_but_not_value if {
	messages({"args": ["--db-password=Xk29dLq83mZp"]}) == {`container "api" passes a credential in args[0] (value of --db-password): pass it from a Secret through an env var and $(VAR)`}
}

test_init_and_cronjob_containers_are_judged if {
	cronjob := {
		"apiVersion": "batch/v1",
		"kind": "CronJob",
		"metadata": {"name": "backup"},
		"spec": {"jobTemplate": {"spec": {"template": {"spec": {"initContainers": [{"name": "i", "image": "x:1", "args": ["--token=Zq81mPx0Lw3a"]}], "containers": [{"name": "c", "image": "x:1"}]}}}}},
	}
	found := {v.path | some v in violation} with input as cronjob
	found == {["spec", "jobTemplate", "spec", "template", "spec", "initContainers", 0, "args", 0]}
}

helps(container) := hs if {
	hs := {v.help | some v in violation} with input as deployment(container)
}

# The help names a variable after the flag and never shows the value.
test_help_rewrites_an_attached_flag if {
	helps({"args": ["--port=8080", "--db-password=Xk29dLq83mZp"]}) == {"Put the credential in a Secret, add env DB_PASSWORD to container \"api\" from it (valueFrom.secretKeyRef) and write args[1] as --db-password=$(DB_PASSWORD), or let the program read the variable or a mounted file itself; rotate the exposed credential."}
}

test_help_for_a_value_after_its_flag if {
	helps({"command": ["/app", "--api-token"], "args": ["Rt5kLm2nQ8wZ"]}) == {"Put the credential in a Secret, add env API_TOKEN to container \"api\" from it (valueFrom.secretKeyRef) and write $(API_TOKEN) in place of the credential in args[0], or let the program read the variable or a mounted file itself; rotate the exposed credential."}
}

test_help_without_a_flag_name if {
	hs := helps({"command": ["/usr/bin/mysql", "-h", "db", "-uroot", "-pS3cretPass"]})
	hs == {"Put the credential in a Secret, add env CREDENTIAL to container \"api\" from it (valueFrom.secretKeyRef) and write $(CREDENTIAL) in place of the credential in command[4], or let the program read the variable or a mounted file itself; rotate the exposed credential."}
	every h in hs {
		not contains(h, "S3cretPass")
	}
}
