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
#      BETTER_AUTH_SECRET, GITHUB_TOKEN): any literal of at least `min_length` characters that
#      is not plainly non-secret (see below) is a credential, even a low-entropy one like
#      `password123` (a real password committed to Git is still a committed password);
#    - key merely CONTAINS a secret word (`secret_key_pattern`: PASSWORD_HASH, SECRET_KEY_BASE)
#      and does not end with a modifier (`non_secret_key_pattern`: PASSWORD_MIN_LENGTH,
#      TOKEN_TTL_SECONDS, AUTH_ENABLED, SECRET_NAME, DB_PASSWORD_FILE, AUTH_URL,
#      API_KEY_HEADER...): only a random-looking value counts.
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
# "Plainly non-secret" values are never credentials: shorter than `min_length`, placeholders
# ($(VAR), ${VAR}, $VAR, {{ .Values.x }}, <your-key>, ***, changeme, replace-me, your-api-key...),
# booleans, numbers / durations / quantities (3600, 30s, 512Mi), URLs without credentials,
# file paths, values with whitespace (prose, whole files: those go through detector 3),
# digests (sha256:...), container image references, and bare lower-case-and-hyphen names
# (`backend-secrets`: a reference to a Secret, not a password).
package k8sc.lib.secrets

import rego.v1

default_params := {
	"secret_key_pattern": `(password|passwd|pwd|passphrase|secret|token|api_?key|private_?key|access_?key|credential|auth|salt)`,
	"secret_key_suffix_pattern": `((password|passwd|passphrase|secret|secrets|token|apikey|api_key|private_?key|secret_?key|access_?key|signing_?key|encryption_?key|master_?key|auth_?key|credentials?)|(^|_)(pass|pwd))$`,
	"non_secret_key_pattern": `_(min|max|minimum|maximum|length|len|size|count|ttl|seconds|secs|sec|ms|millis|minutes|mins|hours|days|timeout|expiry|expiration|expires|expires_in|lifetime|duration|interval|enabled|enable|disabled|required|optional|policy|rules|name|names|ref|file|files|path|dir|directory|mount|url|uri|endpoint|host|hostname|domain|port|header|type|kind|mode|algorithm|alg|format|encoding|rounds|cost|issuer|audience|scope|scopes|version|provider|method|strategy|id|prefix|suffix|pattern|regex|location|env|var|field|hint|label|description|image|realm|backend|store|level|limit|retries|attempts|source|key_ref|secret_ref)$`,
	"min_length": 8,
	"entropy_min_length": 12,
	"entropy_long_length": 20,
	"entropy_min_distinct": 12,
}

# The kinds of credential found in `value` under the key `name`; undefined when none.
detect(name, value, p) := kinds if {
	is_string(value)
	count(value) >= 8
	maybe_secret(name, value)
	kinds := (format_kinds(value) | key_kinds(name, value, p)) | embedded_kinds(value, p)
	count(kinds) > 0
}

# Only the value-format detectors (for values without a meaningful key, e.g. binaryData).
detect_format(value) := kinds if {
	is_string(value)
	count(value) >= 8
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
maybe_secret(_, value) if regex.match(`-----BEGIN|@|eyJ|AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|AIza|sk-|_live_|ghp_|gho_|ghu_|ghs_|ghr_|github_pat_|glpat-|xox|SG\.|npm_|hf_|hooks\.slack|assw|ASSW|pwd|PWD|ecret|ECRET|oken|OKEN|pikey|piKey|pi_key|pi-key|PIKEY|PI_KEY|PI-KEY|redential|REDENTIAL|rivate|RIVATE|ccess_key|ccessKey|ccess-key|CCESS_KEY|assphrase|ASSPHRASE`, value)

maybe_secret(name, _) if {
	is_string(name)
	regex.match(`pass|pwd|secret|token|key|auth|cred|salt`, lower(name))
}

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
	regex.match(p.secret_key_pattern, key)
	k := key_kind(key, regex.match(p.secret_key_suffix_pattern, key), value, p)
}

key_kind(_, true, value, p) := "literal value of a secret-named key" if literal_secret(value, p)

key_kind(key, false, value, p) := "high-entropy value under a secret-like key" if {
	not regex.match(p.non_secret_key_pattern, key)
	literal_secret(value, p)
	random_looking(value, p)
}

literal_secret(value, p) if {
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
# Value classification

placeholder_re := `(?i)^(\$[({A-Za-z_].*|.*\{\{.*|<.*>|%s|%\(.*\)s|\*+|x{3,}|\.{3,}|#+|-+|change[-_ ]?me.*|replace[-_ ]?me.*|placeholder.*|redacted|secret|password|passw0rd|none|null|nil|undefined|todo|tbd|dummy|example|test|your[-_].*|my[-_]?(secret|password|token|api[-_]?key).*|.*[-_]here)$`

placeholder(v) if regex.match(placeholder_re, v)

plainly_non_secret_res := [
	placeholder_re,
	`(?i)^(true|false|yes|no|on|off|enabled|disabled|y|n)$`,
	`^[0-9]+(\.[0-9]+)?([a-zA-Z]{1,3})?$`, # 3600, 30s, 1.5h, 512Mi
	`^[A-Za-z][A-Za-z0-9+.-]*://`, # a URL (credentials in it are detector 1's job)
	`^(\.{0,2}|~)/[A-Za-z0-9._/-]*$`, # a file path
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
