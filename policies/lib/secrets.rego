# Credential detection shared by configmap-secrets and env-literal-secrets.
#
# `detect(name, value, p)` is the set of kinds of credential found in `value` stored under the
# key / env var `name` (empty when nothing looks like a credential). `p` is the rule's params
# (`default_params` overridden by the config file). Three detectors, cheapest guard first:
#
# 1. Value formats, whatever the key: credentials inside URLs (scheme://user:password@host with a
#    non-empty, non-placeholder password), PEM private keys, and well-known token formats (AWS,
#    GitHub, GitLab, Slack, OpenAI/Anthropic, Stripe, Google, SendGrid, npm, Hugging Face, JWT).
#    One combined regex decides whether any applies before each is tried.
# 2. Secret-named keys, on the key normalised to lower snake case (dbPassword, db.password and
#    DB_PASSWORD are all `db_password`):
#    - key ENDS with a secret noun (`secret_key_suffix_pattern`: DB_PASSWORD, OPENAI_API_KEY,
#      BETTER_AUTH_SECRET, GITHUB_TOKEN, AWS_CREDENTIALS) or STARTS with SECRET_ (SECRET_BLAH,
#      SECRET_KEY_BASE) and does not end with a modifier (`non_secret_key_pattern`:
#      SECRET_NAME, SECRET_STORE): any literal of at least `min_length` characters (default 1:
#      any length) that is not plainly non-secret (see below) is a credential, even a short or
#      low-entropy one like `abc123`, `changeme` or `password123` (a real password committed to
#      Git is still a committed password);
#    - key ends with _KEY or _KEY_CONTENT (AZURE_BATCH_KEY, STORAGE_ACCOUNT_KEY,
#      OCI_CLI_KEY_CONTENT), is not a non-secret kind of key (`non_secret_key_pattern` lists
#      them as modifiers: CACHE_KEY, SORT_KEY, PRIMARY_KEY, GPG_KEY, and *_KEY_ID, *_KEY_FILE...)
#      and has no `public` word (PUBLIC_KEY, NEXT_PUBLIC_STRIPE_KEY): the same, except that
#      a plain word or identifier (`user-id`, `createdAt`, `orders.created`: no digits) is a
#      lookup key, not a secret;
#    - key merely CONTAINS a secret word (`secret_key_pattern`: PASSWORD_HASH, AUTH_SALT_V2)
#      and does not end with a modifier (`non_secret_key_pattern`: PASSWORD_MIN_LENGTH,
#      TOKEN_TTL_SECONDS, AUTH_ENABLED, DB_PASSWORD_FILE, AUTH_URL, API_KEY_HEADER...): only a
#      random-looking value counts.
# 3. Embedded assignments, for config files and connection strings held in one value
#    (`password=...` in a libpq DSN or .properties file, `token: ...` in a YAML file,
#    `"apiKey": "..."` in JSON): each `<key><sep><value>` whose key ends with a secret noun is
#    checked like (2).
#
# "Random-looking" (no math.log in regorus, so a character-class / distinct-character stand-in
# for entropy): at least `entropy_min_length` (12) characters with upper case, lower case and
# digits (base62/base64 tokens); or at least 32 hex digits mixing letters and digits (hex keys);
# or at least `entropy_long_length` (20) characters, letters and digits, at least
# `entropy_min_distinct` (12) distinct characters.
#
# `min_length` is the only length threshold (the rules' cheap guard reads the same parameter).
#
# "Plainly non-secret" values are never credentials: empty, or shorter than `min_length`; values
# that are clearly not secrets: null words (null, none, nil, undefined), references to a
# variable or a template ($(VAR), ${VAR}, $VAR, {{ .Values.x }}, {% x %}, <%= x %>, %s), <...>
# placeholders (<your-key>), masks (***, xxxx, ..., ###, redacted); booleans, numbers /
# durations / quantities (3600, 30s, 512Mi), URLs without credentials, file paths and file
# names (tls.key, creds.json), ARNs, values with whitespace (prose, whole files: those go
# through detector 3), digests (sha256:...), container image references, and bare
# lower-case-and-hyphen names (`backend-secrets`: a reference to a Secret, not a password).
# Placeholder-looking literals (changeme, password, your_api_key_here, CHANGE_ME_IN_PROD) are
# NOT skipped: a default password committed to Git is still a password (issue #16).
package k8sc.lib.secrets

import rego.v1

default_params := {
	"secret_key_pattern": `(password|passwd|pwd|passphrase|secret|token|api_?key|private_?key|access_?key|credential|auth|salt)`,
	"secret_key_suffix_pattern": `((password|passwd|passphrase|secret|secrets|token|apikey|api_key|private_?key|secret_?key|access_?key|signing_?key|encryption_?key|master_?key|auth_?key|credentials?)|(^|_)(pass|pwd))$`,
	"non_secret_key_pattern": concat("", [
		`(^|_)(min|max|minimum|maximum|length|len|size|count|ttl|seconds|secs|sec|ms|millis|minutes|mins|hours|days|timeout|expiry|expiration|expires|expires_in|lifetime|duration|interval|enabled|enable|disabled|required|optional|policy|rules|name|names|ref|file|files|path|dir|directory|mount|url|uri|endpoint|host|hostname|domain|port|header|type|kind|mode|algorithm|alg|format|encoding|rounds|cost|issuer|audience|scope|scopes|version|provider|method|strategy|id|prefix|suffix|pattern|regex|location|env|var|field|hint|label|description|image|realm|backend|store|level|limit|retries|attempts|source|key_ref|secret_ref|namespace|region|zone|project|manager|engine|volume|arn|fingerprint|thumbprint|user|username|login|email|`,
		`(cache|sort|sorting|primary|pub|partition|routing|shard|sharding|hash|range|foreign|unique|composite|lookup|group|grouping|dedup|dedupe|deduplication|idempotency|correlation|label|annotation|topology|node|metric|metrics|config|feature|flag|map|json|yaml|header|field|column|index|kms|cmk|gpg|pgp|site|object|lock|queue|stream|event|message|trace|search|query|cursor|order|row|table|record|entity|verify|verification|translation|i18n)_key)$`
	]),
	"min_length": 1,
	"entropy_min_length": 12,
	"entropy_long_length": 20,
	"entropy_min_distinct": 12,
}

# The types of `default_params`, checked when the config file sets one (rule metadata
# `param_types` of configmap-secrets and env-literal-secrets).
param_types := {
	"secret_key_pattern": {"type": "regex", "description": "Keys that contain a secret word; a random-looking value under one is a credential."},
	"secret_key_suffix_pattern": {"type": "regex", "description": "Keys that end with a secret noun; any literal under one is a credential."},
	"non_secret_key_pattern": {"type": "regex", "description": "Key endings that make a secret word harmless (PASSWORD_MIN_LENGTH, TOKEN_TTL)."},
	"min_length": {"type": "integer", "minimum": 1, "description": "Shortest value judged as a credential."},
	"entropy_min_length": {"type": "integer", "minimum": 1, "description": "Shortest mixed-case-and-digit value that counts as random-looking."},
	"entropy_long_length": {"type": "integer", "minimum": 1, "description": "Shortest letters-and-digits value that counts as random-looking by its distinct characters."},
	"entropy_min_distinct": {"type": "integer", "minimum": 1, "description": "Distinct characters a long value needs to count as random-looking."},
}

# The kinds of credential found in `value` under the key `name`; undefined when none. The
# rules call maybe_secret(name, value) first, as their cheap guard; detect does not repeat it
# (every detector implies it: it is only a shortcut).
detect(name, value, p) := kinds if {
	is_string(value)
	count(value) >= p.min_length
	kinds := value_kinds(value, p) | key_kinds(name, value, p)
	count(kinds) > 0
}

# Detectors 1 and 3, which look at the value alone. None can match fewer than 5 characters (the
# shortest is an embedded `pwd=x`; a URL with a password needs 7, a token 15), so a short value
# (the common `true`, `8080`, `1h` under a secret-sounding key) skips them.
value_kinds(value, p) := format_kinds(value) | embedded_kinds(value, p) if count(value) >= 5

value_kinds(value, _) := set() if count(value) < 5

# Only the value-format detectors (for values without a meaningful key, e.g. binaryData). No
# length threshold: the formats carry their own (a PEM block, a token's length).
detect_format(value) := kinds if {
	is_string(value)
	value != ""
	maybe_secret("", value)
	kinds := format_kinds(value)
	count(kinds) > 0
}

# Cheap guards: whether any detector could apply to the value, or the key sounds secret. Short
# literal alternations (regorus pays for a fresh match cache per regex.match, growing with the
# pattern), written inline: a rule reference inside a function costs more than the match.
# Value: format triggers, "@" (a password in a URL needs one) and fragments of the secret words
# an embedded assignment needs (assw: password, Passwd; oken: token, Token...) as config files
# spell them. Key: the secret words of the key patterns, on the lower-cased key.
maybe_secret(name, _) if {
	is_string(name)
	regex.match(`pass|pwd|secret|token|key|auth|cred|salt`, lower(name))
}

maybe_secret(_, value) if regex.match(`-----BEGIN|@|eyJ|AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|AIza|sk-|_live_|ghp_|gho_|ghu_|ghs_|ghr_|github_pat_|glpat-|xox|SG\.|npm_|hf_|hooks\.slack|assw|ASSW|pwd|PWD|ecret|ECRET|oken|OKEN|pikey|piKey|pi_key|pi-key|PIKEY|PI_KEY|PI-KEY|redential|REDENTIAL|rivate|RIVATE|ccess_key|ccessKey|ccess-key|CCESS_KEY|assphrase|ASSPHRASE`, value)

# ---------------------------------------------------------------------------------------------
# 1. Value formats

token_detectors := [
	{"kind": "AWS access key id", "re": `\b(?:AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA)[0-9A-Z]{16}\b`},
	{"kind": "GitHub token", "re": `\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})`},
	{"kind": "GitLab token", "re": `\bglpat-[A-Za-z0-9_-]{20,}`},
	{"kind": "Slack token", "re": `\bxox[abposr]-[A-Za-z0-9-]{10,}`},
	{"kind": "Slack webhook URL", "re": `https://hooks\.slack\.com/services/T[A-Za-z0-9]+/B[A-Za-z0-9]+/[A-Za-z0-9]{16,}`},
	# `sk-` is a common word prefix (sk-learn-compatible-wrapper): a digit is required, and 20+
	# characters after the prefix (token_re).
	{"kind": "OpenAI/Anthropic API key", "re": `\bsk-(?:proj-|svcacct-|admin-|ant-[a-z0-9]+-)?[A-Za-z0-9_-]*[0-9][A-Za-z0-9_-]*`, "token_re": `\bsk-[A-Za-z0-9_-]{20,}`},
	{"kind": "Stripe secret key", "re": `\b[rs]k_live_[A-Za-z0-9]{16,}`},
	{"kind": "Google API key", "re": `\bAIza[0-9A-Za-z_-]{35}`},
	{"kind": "SendGrid API key", "re": `\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}`},
	{"kind": "npm token", "re": `\bnpm_[A-Za-z0-9]{36}`},
	{"kind": "Hugging Face token", "re": `\bhf_[A-Za-z0-9]{34,}`},
	{"kind": "JSON Web Token", "re": `\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*`},
]

token_guard_re := `eyJ|AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|AIza|sk-|_live_|ghp_|gho_|ghu_|ghs_|ghr_|github_pat_|glpat-|xox|SG\.|npm_|hf_|hooks\.slack\.com`

pem_private_key_re := `-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----`

# scheme://[user]:password@ ; the password is checked separately (placeholders are fine).
url_credentials_re := `[A-Za-z][A-Za-z0-9+.-]*://[^\s/:@]*:([^\s/@]+)@`

format_kinds(value) := (token_kinds(value) | pem_kinds(value)) | url_kinds(value)

token_kinds(value) := {d.kind |
	regex.match(token_guard_re, value)
	some d in token_detectors
	regex.match(d.re, value)
	token_post_check(d, value)
}

token_post_check(d, _) if not d.token_re

token_post_check(d, value) if regex.match(d.token_re, value)

pem_kinds(value) := {"PEM private key" |
	contains(value, "-----BEGIN ")
	regex.match(pem_private_key_re, value)
}

url_kinds(value) := {"password in URL" |
	contains(value, "@")
	contains(value, "://")
	some m in regex.find_all_string_submatch_n(url_credentials_re, value, -1)
	not placeholder(m[1])
}

# ---------------------------------------------------------------------------------------------
# 2. Secret-named keys

# dbPassword, db.password, DB-PASSWORD, DB_PASSWORD -> db_password
normalize_key(name) := lower(regex.replace(regex.replace(name, `([a-z0-9])([A-Z])`, "${1}_${2}"), `[^A-Za-z0-9]+`, "_"))

key_kinds(name, value, p) := {k |
	is_string(name)
	key := normalize_key(name)
	k := key_kind(key_tier(key, p), value, p)
}

# How the key names a credential (see the header): "secret" (a secret noun at the end, or
# SECRET_ at the start), "key" (a generic _KEY / _KEY_CONTENT ending), "weak" (a secret word
# somewhere); undefined for other keys. The first that applies wins, and every tier but the
# secret noun's is cancelled by a modifier ending (`non_secret_key_pattern`, the longest
# pattern: matched once, last).
key_tier(key, p) := "secret" if {
	regex.match(p.secret_key_suffix_pattern, key)
} else := tier if {
	tier := candidate_tier(key, p)
	not regex.match(p.non_secret_key_pattern, key)
}

candidate_tier(key, p) := "secret" if {
	startswith(key, "secret_")
} else := "key" if {
	# AZURE_BATCH_KEY, STORAGE_ACCOUNT_KEY, OCI_CLI_KEY_CONTENT (not a bare KEY: too ambiguous);
	# the non-secret kinds of key (CACHE_KEY, SORT_KEY, GPG_KEY, *_KEY_ID...) end with one of
	# the modifiers of non_secret_key_pattern, checked by key_tier.
	regex.match(`_key$|(^|_)key_content$`, key)
	# NEXT_PUBLIC_*, *_PUBLISHABLE_KEY: published by design.
	not regex.match(`(^|_)(public|publishable)(_|$)`, key)
} else := "weak" if {
	regex.match(p.secret_key_pattern, key)
}

key_kind("secret", value, p) := "literal value of a secret-named key" if literal_secret(value, p)

key_kind("key", value, p) := "literal value of a secret-named key" if {
	# a word or identifier without digits (user-id, createdAt, orders.created, tenant_id): under
	# a generic *_KEY it names a lookup key, a field or a topic
	not regex.match(`^[A-Za-z]+([._:-][A-Za-z]+)*$`, value)
	literal_secret(value, p)
}

key_kind("weak", value, p) := "high-entropy value under a secret-like key" if {
	literal_secret(value, p)
	random_looking(value, p)
}

literal_secret(value, p) if {
	value != ""
	count(value) >= p.min_length
	not plainly_non_secret(value)
}

# ---------------------------------------------------------------------------------------------
# 3. Embedded assignments (config files, DSNs, query strings)

embedded_guard_re := `password|passwd|pwd|passphrase|secret|token|apikey|api_key|api-key|privatekey|private_key|private-key|accesskey|access_key|access-key|credential`

# `key = value`, `key: value`, `"key":value` (JSON) — but not `key:value` in running text, where
# the colon is part of a name (Prometheus rules `secret:kube_secret_info:count`, `token:refresh`):
# group 2 is the closing quote, 3 the separator, 4 the blanks after it, 5 the value.
embedded_re := `(?i)(?:^|[\s;,&?{(])["']?([A-Za-z0-9_.-]*?(?:password|passwd|pwd|passphrase|secret|token|api[_-]?key|apikey|private[_-]?key|access[_-]?key|credentials?))(["']?)[ \t]*([:=])([ \t]*)["']?([^\s"',;#&)}]+)`

# `key:value` with nothing around the colon counts only at the start of a line (.properties).
embedded_line_re := `(?im)^[ \t]*([A-Za-z0-9_.-]*?(?:password|passwd|pwd|passphrase|secret|token|api[_-]?key|apikey|private[_-]?key|access[_-]?key|credentials?)):([^\s"',;#&)}]+)`

embedded_kinds(value, p) := {"credential assigned inside the value" |
	regex.match(embedded_guard_re, lower(value))
	some [key, assigned] in embedded_assignments(value)
	regex.match(p.secret_key_suffix_pattern, normalize_key(key))
	literal_secret(assigned, p)
	# What follows `key:` in a YAML file when the value is not on that line or not a literal: a
	# block scalar header (|, >-, |2), a flow collection ({, [), null (~), an anchor, an alias or
	# a tag (&x, *x, !secret x: Home Assistant's reference to secrets.yaml).
	not regex.match(`^([|>][0-9+-]*|[\[{].*|~|[&*!].*)$`, assigned)
}

# [key, value] of every assignment-looking pair in the value.
embedded_assignments(value) := {[m[1], m[5]] |
	some m in regex.find_all_string_submatch_n(embedded_re, value, -1)
	is_assignment(m[2], m[3], m[4])
} | {[m[1], m[2]] | some m in regex.find_all_string_submatch_n(embedded_line_re, value, -1)}

is_assignment(_, separator, _) if separator == "="

is_assignment(_, ":", blanks) if blanks != ""

is_assignment(closing_quote, ":", _) if closing_quote != ""

# ---------------------------------------------------------------------------------------------
# 4. Command lines (args-literal-secrets, and the redactor's view of command/args)

# Programs whose password flag takes the password as its next word (`redis-cli -a PASS`,
# `sshpass -p PASS`, `mongosh -p PASS`), and the MySQL clients, whose `-p` takes it attached
# (`mysql -uroot -pS3cret`; a bare `-p` prompts).
next_word_password_flags := {
	"redis-cli": "-a",
	"sshpass": "-p",
	"mongo": "-p",
	"mongosh": "-p",
	"mongodump": "-p",
	"mongorestore": "-p",
}

mysql_clients := {"mysql", "mysqldump", "mysqladmin", "mysqlimport", "mysqlcheck", "mysqlshow", "mysqlpump", "mysqlsh", "mariadb", "mariadb-dump", "mariadb-admin"}

# The credentials on a command line: `{[i, kind]}` for each word of `words` (a container's
# command followed by its args) that holds one. A word holds a credential when
# - it is `--flag=VALUE` / `-flag=VALUE` and the flag is secret-named, judged like a key
#   (`--db-password=x`, `--api-key=...`; `--password-file=/run/x` and `$(VAR)` are not);
# - the word before it is a flag named by a secret noun (`--token VALUE`, `--password VALUE`),
#   or the password flag of a client that takes it as the next word (`redis-cli -a VALUE`);
# - it is `-pVALUE` after a MySQL client (`mysql -uroot -pS3cret`);
# - the value formats or embedded assignments of detectors 1 and 3 flag it (a URL with a
#   password, a token, `PGPASSWORD=x psql ...`);
# - it is a shell string (`sh -c "mysql -pX ..."`) whose words hold one by the rules above.
argv_credentials(words, p) := {[i, kind] |
	some i, word in words
	is_string(word)
	some kind in word_kinds(words, i, word, p)
}

word_kinds(words, i, word, p) := argv_word_kinds(words, i, word, p) | shell_kinds(word, p)

# The words of a shell string, judged as a command line of their own.
shell_kinds(word, p) := {kind |
	regex.match(`\s`, word)
	shell_words := regex.split(`\s+`, trim_space(word))
	some j, shell_word in shell_words
	some kind in argv_word_kinds(shell_words, j, trim(shell_word, `"'`), p)
}

# The credentials on a container's command line, as `{[field, index, kind]}` with `field`
# "command" or "args": command and args are one command line (a flag at the end of command
# takes its value from args[0]).
container_argv_credentials(container, p) := {[field, index, kind] |
	words := command_line(container)
	argv_may_hold_credential(words)
	some [i, kind] in argv_credentials(words, p)
	[field, index] := word_field(container, i)
}

command_line(container) := array.concat(string_items(object.get(container, "command", [])), string_items(object.get(container, "args", [])))

string_items(list) := [x | some x in list; is_string(x)] if is_array(list)

string_items(list) := [] if not is_array(list)

# Which field and index the i-th word of command_line comes from (non-string items, which the
# API server would reject, are skipped in both lists).
word_field(container, i) := ["command", original_index(container.command, i)] if {
	i < count(string_items(object.get(container, "command", [])))
}

word_field(container, i) := ["args", original_index(container.args, i - n)] if {
	n := count(string_items(object.get(container, "command", [])))
	i >= n
}

original_index(list, k) := [j | some j, x in list; is_string(x)][k]

# The cheap guard before argv_credentials: a word with a secret word or a credential format in
# it, or a short flag that may be a client's password flag (-p, -a).
argv_may_hold_credential(words) if {
	some word in words
	is_string(word)
	maybe_secret(word, word)
}

argv_may_hold_credential(words) if {
	some word in words
	is_string(word)
	regex.match(`(^|\s)-[pa]`, word)
}

# What the command-line forms say about a word; only when none applies, the value detectors
# (which would also describe `--password=x` as an embedded assignment).
argv_word_kinds(words, i, word, p) := kinds if {
	kinds := (flag_value_kinds(word, p) | next_word_kinds(words, i, word, p)) | mysql_kinds(words, i, word, p)
	count(kinds) > 0
} else := argv_value_kinds(word, p)

# `--flag=VALUE`
flag_value_kinds(word, p) := {sprintf("value of %s", [flag]) |
	startswith(word, "-")
	contains(word, "=")
	some m in regex.find_all_string_submatch_n(`^(--?[A-Za-z][A-Za-z0-9_.-]*)=(.+)$`, word, 1)
	flag := m[1]
	value := trim(m[2], `"'`)
	maybe_secret(flag, value)
	count(key_kinds(trim_left(flag, "-"), value, p)) > 0
}

# `--token VALUE`, `redis-cli -a VALUE`
next_word_kinds(words, i, word, p) := {sprintf("value of %s", [flag]) |
	i > 0
	flag := words[i - 1]
	is_string(flag)
	startswith(flag, "-")
	not startswith(word, "-")
	password_flag_for_next_word(words, i - 1, flag, p)
	literal_secret(trim(word, `"'`), p)
}

password_flag_for_next_word(_, _, flag, p) if {
	maybe_secret(flag, "")
	regex.match(`^--?[A-Za-z][A-Za-z0-9_.-]*$`, flag)
	key_tier(normalize_key(trim_left(flag, "-")), p) == "secret"
}

password_flag_for_next_word(words, at, flag, _) if {
	some j, program in words
	j < at
	is_string(program)
	next_word_password_flags[program_name(program)] == flag
}

# `mysql -pVALUE`
mysql_kinds(words, i, word, p) := {"password attached to -p of a MySQL client" |
	startswith(word, "-p")
	count(word) > 2
	some j, program in words
	j < i
	is_string(program)
	mysql_clients[program_name(program)]
	literal_secret(trim(substring(word, 2, -1), `"'`), p)
}

argv_value_kinds(word, p) := value_kinds(word, p) if maybe_secret("", word)

argv_value_kinds(word, _) := set() if not maybe_secret("", word)

program_name(path) := regex.replace(path, `^.*/`, "")

# ---------------------------------------------------------------------------------------------
# Value classification

# Clearly not a secret: a null word, a variable or template reference ($(VAR), ${VAR}, $VAR,
# {{ }}, {% %}, <%= %>, %s, %(name)s), a <...> placeholder, a mask (***, xxxx, ..., ###, ---,
# redacted). Placeholder-looking literals (changeme, password, your_api_key_here) are literals.
placeholder_re := `(?i)^(\$[({A-Za-z_].*|.*\{\{.*|\{%.*|<%.*|<.*>|%s|%\(.*\)s|\*+|x+|\.{3,}|#+|-+|_+|redacted|none|null|nil|undefined)$`

placeholder(v) if regex.match(placeholder_re, v)

plainly_non_secret_res := [
	placeholder_re,
	`(?i)^(true|false|yes|no|on|off|enabled|disabled|y|n)$`,
	`^[0-9]+(\.[0-9]+)?([a-zA-Z]{1,3})?$`, # 3600, 30s, 1.5h, 512Mi
	`^[A-Za-z][A-Za-z0-9+.-]*://`, # a URL (credentials in it are detector 1's job)
	`^(\.{0,2}|~)/[A-Za-z0-9._/-]*$`, # a file path
	`^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.(key|pem|crt|cer|der|p12|pfx|jks|pub|json|ya?ml|txt|conf|cfg|ini|properties|xml|env|toml)$`, # a file name
	`^arn:aws[a-z-]*:`, # an AWS resource name
	`\s`, # prose or a whole file
	`^(sha1|sha256|sha512|md5):`, # a digest
	`^[a-z0-9]+([.-][a-z0-9]+)*(:[0-9]+)?/[a-z0-9._/-]+(:[A-Za-z0-9_.-]+)?(@sha256:[a-f0-9]{64})?$`, # an image
	`^[a-z]+(-[a-z]+)+$`, # a Kubernetes-style name: backend-secrets
]

plainly_non_secret(v) if {
	some re in plainly_non_secret_res
	regex.match(re, v)
}

random_looking(v, p) if {
	count(v) >= p.entropy_min_length
	regex.match(`[a-z]`, v)
	regex.match(`[A-Z]`, v)
	regex.match(`[0-9]`, v)
}

random_looking(v, _) if {
	regex.match(`^[0-9a-fA-F]{32,}$`, v)
	regex.match(`[0-9]`, v)
	regex.match(`[a-fA-F]`, v)
}

random_looking(v, p) if {
	count(v) >= p.entropy_long_length
	regex.match(`[A-Za-z]`, v)
	regex.match(`[0-9]`, v)
	count({c | some c in split(v, "")}) >= p.entropy_min_distinct
}

# "the OPENAI_API_KEY ..." / "a JSON Web Token" for messages.
describe(kinds) := concat(", ", sort(kinds))
