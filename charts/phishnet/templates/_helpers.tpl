{{/* Chart name, truncated to the 63 characters of a DNS label. */}}
{{- define "phishnet.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Fully qualified release name: <release>-<chart> unless the release name already contains the chart name. */}}
{{- define "phishnet.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "phishnet.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels on every object. helm.sh/chart changes with each chart version, so it never enters a selector. */}}
{{- define "phishnet.labels" -}}
helm.sh/chart: {{ include "phishnet.chart" . }}
app.kubernetes.io/part-of: phishnet
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Selector labels of one component: stable across upgrades. Call with (dict "ctx" $ "component" "gateway"). */}}
{{- define "phishnet.selectorLabels" -}}
app.kubernetes.io/name: {{ include "phishnet.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* Full labels of one component. Call with (dict "ctx" $ "component" "gateway"). */}}
{{- define "phishnet.componentLabels" -}}
{{ include "phishnet.labels" .ctx }}
{{ include "phishnet.selectorLabels" . }}
{{- end }}

{{- define "phishnet.gateway.fullname" -}}
{{- printf "%s-gateway" (include "phishnet.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- define "phishnet.operator.fullname" -}}
{{- printf "%s-operator" (include "phishnet.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- define "phishnet.redis.fullname" -}}
{{- printf "%s-redis" (include "phishnet.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "phishnet.gateway.serviceAccountName" -}}
{{- default (include "phishnet.gateway.fullname" .) .Values.gateway.serviceAccount.name }}
{{- end }}
{{- define "phishnet.operator.serviceAccountName" -}}
{{- default (include "phishnet.operator.fullname" .) .Values.operator.serviceAccount.name }}
{{- end }}

{{/* image reference: repository:tag, or repository@digest when a digest is set. Call with an image dict. */}}
{{- define "phishnet.image" -}}
{{- if .digest }}{{ .repository }}@{{ .digest }}{{ else }}{{ .repository }}:{{ .tag }}{{ end }}
{{- end }}

{{/* Hardened pod securityContext (non-root, seccomp RuntimeDefault), merged with the component's overrides. */}}
{{- define "phishnet.podSecurityContext" -}}
{{- $base := dict "runAsNonRoot" true "seccompProfile" (dict "type" "RuntimeDefault") }}
{{- toYaml (mergeOverwrite $base (deepCopy (default (dict) .))) }}
{{- end }}

{{/* Hardened container securityContext (read-only root, no privilege escalation, drop ALL), merged with overrides. */}}
{{- define "phishnet.containerSecurityContext" -}}
{{- $base := dict "allowPrivilegeEscalation" false "readOnlyRootFilesystem" true "runAsNonRoot" true "capabilities" (dict "drop" (list "ALL")) "seccompProfile" (dict "type" "RuntimeDefault") }}
{{- toYaml (mergeOverwrite $base (deepCopy (default (dict) .))) }}
{{- end }}

{{/* Name of the PhishModel the gateway routes to (the operator's stable Service is inference-<model>-stable). */}}
{{- define "phishnet.inferenceUrl" -}}
{{- if .Values.gateway.env.INFERENCE_URL }}
{{- .Values.gateway.env.INFERENCE_URL }}
{{- else }}
{{- printf "http://inference-%s-stable.%s.svc:%d" .Values.phishModel.name (default .Release.Namespace .Values.phishModel.namespace) (int .Values.inference.servicePort) }}
{{- end }}
{{- end }}

{{/* redis:// URL the gateway uses: the bundled Redis, redis.external.url, or "" (embedded in-memory cache). */}}
{{- define "phishnet.redisUrl" -}}
{{- if .Values.gateway.env.REDIS_URL }}
{{- .Values.gateway.env.REDIS_URL }}
{{- else if .Values.redis.enabled }}
{{- printf "redis://%s:%d" (include "phishnet.redis.fullname" .) (int .Values.redis.service.port) }}
{{- else }}
{{- .Values.redis.external.url }}
{{- end }}
{{- end }}

{{/* One env entry per key of an env map, name = <prefix><KEY>; lists are joined with commas, values quoted. */}}
{{- define "phishnet.envFromMap" -}}
{{- range $k, $v := .env }}
{{- if not (has $k $.skip) }}
- name: {{ printf "%s%s" $.prefix $k }}
  value: {{ if kindIs "slice" $v }}{{ join "," $v | quote }}{{ else if and (kindIs "float64" $v) (eq $v (float64 (int64 $v))) }}{{ int64 $v | toString | quote }}{{ else }}{{ $v | toString | quote }}{{ end }}
{{- end }}
{{- end }}
{{- end }}

{{/* PHISHNET_GATEWAY_PHISHMODEL: explicit, derived from phishModel when routeByPhishModel, else "". */}}
{{- define "phishnet.gatewayPhishModel" -}}
{{- if .Values.gateway.env.PHISHMODEL }}
{{- .Values.gateway.env.PHISHMODEL }}
{{- else if .Values.gateway.routeByPhishModel }}
{{- printf "%s/%s" (default .Release.Namespace .Values.phishModel.namespace) .Values.phishModel.name }}
{{- end }}
{{- end }}

{{/* redis:// URL the operator writes PhishFeed lists to: operator.env.REDIS_URL, else the gateway's Redis ("" = none). */}}
{{- define "phishnet.operatorRedisUrl" -}}
{{- if .Values.operator.env.REDIS_URL }}
{{- .Values.operator.env.REDIS_URL }}
{{- else }}
{{- include "phishnet.redisUrl" . }}
{{- end }}
{{- end }}

{{/* OpenTelemetry env (standard OTEL_* variables) for a component when tracing.enabled; nothing otherwise. */}}
{{- define "phishnet.tracingEnv" -}}
{{- if .Values.tracing.enabled }}
- {name: OTEL_EXPORTER_OTLP_ENDPOINT, value: {{ .Values.tracing.otlpEndpoint | quote }}}
- {name: OTEL_TRACES_SAMPLER, value: {{ .Values.tracing.sampler | quote }}}
- {name: OTEL_TRACES_SAMPLER_ARG, value: {{ .Values.tracing.samplerArg | quote }}}
{{- end }}
{{- end }}

{{/* TCP port of tracing.otlpEndpoint (its explicit port, else 443 for https and 80 for http), for NetworkPolicy egress. */}}
{{- define "phishnet.tracingPort" -}}
{{- $u := urlParse .Values.tracing.otlpEndpoint -}}
{{- $hp := splitList ":" $u.host -}}
{{- if gt (len $hp) 1 }}{{ last $hp }}{{ else if eq $u.scheme "https" }}443{{ else }}80{{ end -}}
{{- end }}

{{/* NetworkPolicy egress rule to the OTLP receiver (any destination on its port) when tracing.enabled. */}}
{{- define "phishnet.tracingEgress" -}}
{{- if .Values.tracing.enabled }}
# OpenTelemetry: the OTLP receiver of tracing.otlpEndpoint (any destination on its port)
- ports:
    - {protocol: TCP, port: {{ include "phishnet.tracingPort" . | int }}}
{{- end }}
{{- end }}
