{{/* vim: set filetype=mustache: */}}

{{/*
Chart name, truncated to 63 characters.
*/}}
{{- define "todo-app.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Fully qualified, release-prefixed name. Truncated to 40 characters so that the
longest suffix used below ("-backend-secrets", "-postgresql") still fits in 63.
*/}}
{{- define "todo-app.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 40 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 40 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Chart label value: name-version.
*/}}
{{- define "todo-app.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Short "app" label used by doc 001 (app: todo-backend / todo-frontend / todo-postgresql).
Usage: include "todo-app.appLabel" (dict "component" "backend")
*/}}
{{- define "todo-app.appLabel" -}}
{{- printf "todo-%s" .component }}
{{- end }}

{{/*
Selector labels. Stable across upgrades: never add version or chart labels here.
Usage: include "todo-app.selectorLabels" (dict "ctx" $ "component" "backend")
*/}}
{{- define "todo-app.selectorLabels" -}}
app.kubernetes.io/name: {{ include "todo-app.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
{{- if .component }}
app.kubernetes.io/component: {{ .component }}
app: {{ include "todo-app.appLabel" . }}
{{- end }}
{{- end }}

{{/*
Common labels for every object.
Usage: include "todo-app.labels" (dict "ctx" $ "component" "backend")
       include "todo-app.labels" (dict "ctx" $)           (release-wide objects)
*/}}
{{- define "todo-app.labels" -}}
helm.sh/chart: {{ include "todo-app.chart" .ctx }}
{{ include "todo-app.selectorLabels" . }}
app.kubernetes.io/version: {{ .ctx.Chart.AppVersion | quote }}
app.kubernetes.io/part-of: {{ .ctx.Values.partOf }}
app.kubernetes.io/managed-by: {{ .ctx.Release.Service }}
{{- with .ctx.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* ---------------------------------------------------------------- names */}}

{{- define "todo-app.frontend.fullname" -}}
{{- printf "%s-frontend" (include "todo-app.fullname" .) }}
{{- end }}

{{- define "todo-app.backend.fullname" -}}
{{- printf "%s-backend" (include "todo-app.fullname" .) }}
{{- end }}

{{- define "todo-app.postgresql.fullname" -}}
{{- printf "%s-postgresql" (include "todo-app.fullname" .) }}
{{- end }}

{{/* ConfigMap named after doc 001's "backend-config", release-prefixed. */}}
{{- define "todo-app.backend.configMapName" -}}
{{- printf "%s-backend-config" (include "todo-app.fullname" .) }}
{{- end }}

{{/* Secret named after doc 001's "backend-secrets", release-prefixed, or the existing one. */}}
{{- define "todo-app.backend.secretName" -}}
{{- if .Values.backend.existingSecret }}
{{- .Values.backend.existingSecret }}
{{- else }}
{{- printf "%s-backend-secrets" (include "todo-app.fullname" .) }}
{{- end }}
{{- end }}

{{- define "todo-app.postgresql.secretName" -}}
{{- if .Values.postgresql.auth.existingSecret }}
{{- .Values.postgresql.auth.existingSecret }}
{{- else }}
{{- include "todo-app.postgresql.fullname" . }}
{{- end }}
{{- end }}

{{/*
ServiceAccount name of a component.
Usage: include "todo-app.serviceAccountName" (dict "ctx" $ "component" "backend")
*/}}
{{- define "todo-app.serviceAccountName" -}}
{{- $values := index .ctx.Values .component }}
{{- if $values.serviceAccount.create }}
{{- default (printf "%s-%s" (include "todo-app.fullname" .ctx) .component) $values.serviceAccount.name }}
{{- else }}
{{- required (printf "%s.serviceAccount.name is required when %s.serviceAccount.create is false (the default ServiceAccount is not used)" .component .component) $values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* ---------------------------------------------------------------- images */}}

{{/*
Image reference with a pinned tag (or digest). Fails on "latest".
Usage: include "todo-app.image" (dict "image" .Values.backend.image "ctx" $ "what" "backend.image")
*/}}
{{- define "todo-app.image" -}}
{{- $tag := toString (default .ctx.Chart.AppVersion .image.tag) }}
{{- if or (eq (lower $tag) "latest") (eq $tag "") }}
{{- fail (printf "%s.tag must be a pinned version, not %q (constitution: DON'T use latest tags)" .what $tag) }}
{{- end }}
{{- if .image.digest }}
{{- printf "%s:%s@%s" .image.repository $tag .image.digest }}
{{- else }}
{{- printf "%s:%s" .image.repository $tag }}
{{- end }}
{{- end }}

{{/* ---------------------------------------------------------- security */}}

{{/*
Pod securityContext: top-level podSecurityContext merged with the component's.
Usage: include "todo-app.podSecurityContext" (dict "ctx" $ "component" "backend")
*/}}
{{- define "todo-app.podSecurityContext" -}}
{{- $values := index .ctx.Values .component }}
{{- $sc := mergeOverwrite (deepCopy .ctx.Values.podSecurityContext) (deepCopy (default dict $values.podSecurityContext)) }}
{{- toYaml $sc }}
{{- end }}

{{/*
Container securityContext: top-level containerSecurityContext merged with the component's.
*/}}
{{- define "todo-app.containerSecurityContext" -}}
{{- $values := index .ctx.Values .component }}
{{- $sc := mergeOverwrite (deepCopy .ctx.Values.containerSecurityContext) (deepCopy (default dict $values.containerSecurityContext)) }}
{{- toYaml $sc }}
{{- end }}

{{/* ---------------------------------------------------------- scheduling */}}

{{/*
Affinity: the component's override, or a preferred podAntiAffinity on the hostname (FR-017).
*/}}
{{- define "todo-app.affinity" -}}
{{- $values := index .ctx.Values .component }}
{{- if $values.affinity }}
{{- toYaml $values.affinity }}
{{- else if $values.podAntiAffinity }}
podAntiAffinity:
  preferredDuringSchedulingIgnoredDuringExecution:
    - weight: 100
      podAffinityTerm:
        topologyKey: kubernetes.io/hostname
        labelSelector:
          matchLabels:
            {{- include "todo-app.selectorLabels" . | nindent 12 }}
{{- end }}
{{- end }}

{{- define "todo-app.topologySpreadConstraints" -}}
- maxSkew: 1
  topologyKey: kubernetes.io/hostname
  whenUnsatisfiable: ScheduleAnyway
  labelSelector:
    matchLabels:
      {{- include "todo-app.selectorLabels" . | nindent 6 }}
{{- end }}

{{/* ------------------------------------------------------------ config */}}

{{/*
Fails when a key of a non-sensitive map looks like a credential (SC-009).
Usage: include "todo-app.assertNonSensitive" (dict "map" .Values.backend.extraConfig "what" "backend.extraConfig")
*/}}
{{- define "todo-app.assertNonSensitive" -}}
{{- range $k, $v := .map }}
{{- if regexMatch "(?i)(passw|secret|token|api_?key|private_?key|credential|auth_?key|database_url|dsn)" $k }}
{{- fail (printf "%s.%s looks like a credential: put it in backend.secrets.extra (a Secret), never in a ConfigMap or plain env (SC-009)" $.what $k) }}
{{- end }}
{{- end }}
{{- end }}

{{/* External URL of the application when the Ingress is on. */}}
{{- define "todo-app.ingressUrl" -}}
{{- printf "%s://%s" (ternary "https" "http" .Values.ingress.tls.enabled) .Values.ingress.host }}
{{- end }}

{{/* NEXT_PUBLIC_API_URL for the frontend (FR-028, FR-039). */}}
{{- define "todo-app.frontend.apiUrl" -}}
{{- if .Values.frontend.apiUrl }}
{{- .Values.frontend.apiUrl }}
{{- else if .Values.ingress.enabled }}
{{- include "todo-app.ingressUrl" . }}
{{- else }}
{{- printf "http://%s.%s.svc.cluster.local" (include "todo-app.backend.fullname" .) .Release.Namespace }}
{{- if ne (int .Values.backend.service.port) 80 }}:{{ .Values.backend.service.port }}{{ end }}
{{- end }}
{{- end }}

{{/* ALLOWED_ORIGINS for the backend ConfigMap. */}}
{{- define "todo-app.backend.allowedOrigins" -}}
{{- if .Values.backend.config.ALLOWED_ORIGINS }}
{{- .Values.backend.config.ALLOWED_ORIGINS }}
{{- else if .Values.ingress.enabled }}
{{- printf "%s,http://localhost:3000" (include "todo-app.ingressUrl" .) }}
{{- else }}
{{- "http://localhost:3000" }}
{{- end }}
{{- end }}

{{/*
Validates where the backend's DATABASE_URL comes from, failing with an actionable
message when there is no source at all (FR-052, edge case "connection string missing").
*/}}
{{- define "todo-app.validateDatabase" -}}
{{- if not .Values.postgresql.enabled }}
{{- if and .Values.externalDatabase.url .Values.externalDatabase.existingSecret }}
{{- fail "set only one of externalDatabase.url and externalDatabase.existingSecret" }}
{{- end }}
{{- if and .Values.externalDatabase.url .Values.backend.existingSecret }}
{{- fail "externalDatabase.url cannot be used with backend.existingSecret: put DATABASE_URL in that Secret, or use externalDatabase.existingSecret" }}
{{- end }}
{{- if not (or .Values.externalDatabase.url .Values.externalDatabase.existingSecret .Values.backend.existingSecret) }}
{{- fail "postgresql.enabled is false but no database is configured: set externalDatabase.url (e.g. --set-string externalDatabase.url=postgresql://...), externalDatabase.existingSecret, or backend.existingSecret containing DATABASE_URL" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Value for one key of a chart-managed Secret, base64-encoded:
explicit value > value in the live Secret (lookup; keeps generated values across
upgrades) > generated random value (when generate is true) > empty.
Usage: include "todo-app.secretValue" (dict "value" .Values.x "existing" $data "key" "K" "generate" true "length" 48)
*/}}
{{- define "todo-app.secretValue" -}}
{{- if .value }}
{{- toString .value | b64enc }}
{{- else if and (hasKey .existing .key) (index .existing .key) }}
{{- index .existing .key }}
{{- else if .generate }}
{{- randAlphaNum (int .length) | b64enc }}
{{- end }}
{{- end }}

{{/*
Port list for backend egress to the internet.
*/}}
{{- define "todo-app.backendEgressPorts" -}}
{{- $ports := list }}
{{- range .Values.networkPolicy.backendEgress.ports }}
{{- $ports = append $ports (int .) }}
{{- end }}
{{- if not .Values.postgresql.enabled }}
{{- $ports = append $ports (int .Values.externalDatabase.port) }}
{{- end }}
{{- range (uniq $ports) }}
- protocol: TCP
  port: {{ . }}
{{- end }}
{{- end }}
