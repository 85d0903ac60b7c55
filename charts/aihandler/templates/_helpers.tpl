{{/* Chart name, shortened to fit label values. */}}
{{- define "aihandler.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Full name of the release's objects. Kept to 50 characters so that suffixed names
("-webhook-tls", "-leader") stay within the 63-character limit.
*/}}
{{- define "aihandler.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 50 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 50 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 50 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* Labels that select the operator pods; never change them between releases. */}}
{{- define "aihandler.selectorLabels" -}}
app.kubernetes.io/name: {{ include "aihandler.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Labels on every object of the chart. */}}
{{- define "aihandler.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "aihandler.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: aihandler
{{- end }}

{{- define "aihandler.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "aihandler.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* repository:tag[@digest]; the tag defaults to the chart's appVersion. */}}
{{- define "aihandler.imageReference" -}}
{{- $tag := default .root.Chart.AppVersion .image.tag }}
{{- if .image.digest }}
{{- printf "%s:%s@%s" .image.repository $tag .image.digest }}
{{- else }}
{{- printf "%s:%s" .image.repository $tag }}
{{- end }}
{{- end }}

{{- define "aihandler.operatorImage" -}}
{{- include "aihandler.imageReference" (dict "root" . "image" .Values.image) }}
{{- end }}

{{- define "aihandler.sidecarImage" -}}
{{- include "aihandler.imageReference" (dict "root" . "image" .Values.sidecar.image) }}
{{- end }}

{{- define "aihandler.webhookServiceName" -}}
{{- printf "%s-webhook" (include "aihandler.fullname" .) }}
{{- end }}

{{- define "aihandler.metricsServiceName" -}}
{{- printf "%s-metrics" (include "aihandler.fullname" .) }}
{{- end }}

{{- define "aihandler.webhookTlsSecretName" -}}
{{- default (printf "%s-webhook-tls" (include "aihandler.fullname" .)) .Values.webhook.tls.secretName }}
{{- end }}

{{- define "aihandler.leaseName" -}}
{{- default (printf "%s-leader" (include "aihandler.fullname" .)) .Values.leaderElection.leaseName }}
{{- end }}

{{- define "aihandler.mutatingWebhookName" -}}
{{- printf "%s-sidecar-injector" (include "aihandler.clusterName" .) }}
{{- end }}

{{- define "aihandler.validatingWebhookName" -}}
{{- printf "%s-workflow-validator" (include "aihandler.clusterName" .) }}
{{- end }}

{{- define "aihandler.certificateName" -}}
{{- printf "%s-webhook" (include "aihandler.fullname" .) }}
{{- end }}

{{- define "aihandler.certManager" -}}
{{- if eq .Values.webhook.tls.mode "cert-manager" }}true{{- end }}
{{- end }}

{{/* Cluster-scoped objects carry the namespace in their name so two releases do not collide. */}}
{{- define "aihandler.clusterName" -}}
{{- printf "%s-%s" .Release.Namespace (include "aihandler.fullname" .) | trimPrefix "-" }}
{{- end }}

{{/* Hosts the operator reaches without the proxy, in NO_PROXY syntax. */}}
{{- define "aihandler.noProxy" -}}
{{- $hosts := list "localhost" "127.0.0.1" ".svc" ".cluster.local" "kubernetes.default.svc" -}}
{{- join "," (concat $hosts .Values.proxy.noProxy | uniq) -}}
{{- end -}}

{{/* One NO_PROXY entry as the JVM's http.nonProxyHosts writes it: .x is *.x, a CIDR its octets. */}}
{{- define "aihandler.jvmNonProxyHost" -}}
{{- if hasPrefix "." . -}}
*{{ . }}
{{- else if contains "/" . -}}
{{- $cidr := split "/" . -}}
{{- $octets := splitList "." $cidr._0 -}}
{{- $whole := int (div (atoi $cidr._1) 8) -}}
{{- if ge $whole 4 -}}{{ $cidr._0 }}{{- else if eq $whole 0 -}}*{{- else -}}{{ join "." (slice $octets 0 $whole) }}.*{{- end -}}
{{- else -}}
{{ . }}
{{- end -}}
{{- end -}}

{{/* JAVA_TOOL_OPTIONS: jvmOptions, plus the proxy for the JVM's own HTTP client. */}}
{{- define "aihandler.javaToolOptions" -}}
{{- $options := list .Values.jvmOptions -}}
{{- with .Values.proxy.httpsProxy -}}
{{- $url := urlParse . -}}
{{- $hostPort := split ":" $url.host -}}
{{- $port := $hostPort._1 | default (ternary "443" "80" (eq $url.scheme "https")) -}}
{{- $options = append $options (printf "-Dhttps.proxyHost=%s -Dhttps.proxyPort=%s" $hostPort._0 $port) -}}
{{- $nonProxy := list -}}
{{- range splitList "," (include "aihandler.noProxy" $) -}}
{{- $nonProxy = append $nonProxy (include "aihandler.jvmNonProxyHost" .) -}}
{{- end -}}
{{- $options = append $options (printf "-Dhttp.nonProxyHosts=%s" (join "|" (uniq $nonProxy))) -}}
{{- end -}}
{{- join " " (compact $options) -}}
{{- end -}}

{{/* Whether an extra CA bundle is mounted. */}}
{{- define "aihandler.extraCaBundle" -}}
{{- if or .Values.extraCaBundle.configMap .Values.extraCaBundle.secret -}}true{{- end -}}
{{- end -}}

{{/* Labels of a monitoring object: the chart's, monitoring.labels and the part's own (the argument's "part"). */}}
{{- define "aihandler.monitoringLabels" -}}
{{ include "aihandler.labels" .root }}
{{- with .root.Values.monitoring.labels }}
{{ toYaml . }}
{{- end }}
{{- with .part.labels }}
{{ toYaml . }}
{{- end }}
{{- end }}
