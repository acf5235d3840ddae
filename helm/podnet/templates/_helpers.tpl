{{/* The chart name, or nameOverride. */}}
{{- define "podnet.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The prefix of every resource name. */}}
{{- define "podnet.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "podnet.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels that select the agent's pods; never change them in an upgrade (the DaemonSet selector is immutable). */}}
{{- define "podnet.selectorLabels" -}}
app.kubernetes.io/name: {{ include "podnet.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: agent
{{- end -}}

{{- define "podnet.labels" -}}
helm.sh/chart: {{ include "podnet.chart" . }}
{{ include "podnet.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: podnet
{{- end -}}

{{- define "podnet.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "podnet.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "podnet.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/* The agent's application.properties. */}}
{{- define "podnet.applicationProperties" -}}
# Written by the podnet Helm chart (values: node.*, http.port). Environment variables override
# it: PODNET_NODE_NAME (the downward API) and PODNET_EMBEDDED_ENABLED=false are set on the pod.
quarkus.http.port={{ .Values.http.port }}
podnet.netns-dir={{ .Values.node.netnsDir }}
podnet.state-dir={{ .Values.node.stateDir }}
podnet.run-dir={{ .Values.node.runDir }}
podnet.networks-dir=/etc/podnet/networks
podnet.resync-interval={{ .Values.node.resyncInterval }}
podnet.node-gone.grace={{ .Values.node.nodeGoneGrace }}
podnet.node-gone.lease-namespace={{ .Release.Namespace }}
podnet.host-resolv-conf=/etc/podnet/host/resolv.conf
podnet.ports.denied={{ if .Values.node.deniedPorts }}{{ join "," .Values.node.deniedPorts }}{{ else }}none{{ end }}
podnet.ports.minimum={{ .Values.node.minimumPort }}
podnet.rootless.helper={{ .Values.node.rootless.helper }}
podnet.rootless.cidr={{ .Values.node.rootless.cidr }}
podnet.rootless.mtu={{ .Values.node.rootless.mtu }}
podnet.rootless.ipv6={{ .Values.node.rootless.ipv6 }}
podnet.rootless.allow-host-loopback={{ .Values.node.rootless.allowHostLoopback }}
podnet.embedded.enabled=false
quarkus.log.category."io.podnet".level={{ .Values.node.logLevel }}
# the node policy (values policy.grants), as the admission policy's ConfigMap has it too (an
# empty list is left out: the agent reads a missing key as empty, and refuses an empty value)
{{- range $key, $value := (include "podnet.policyData" . | fromYaml) }}
{{- if $value }}
podnet.policy.{{ $key }}={{ $value }}
{{- end }}
{{- end }}
{{- range $key, $value := .Values.node.properties }}
{{- if or (eq $key "podnet.node-name") (eq $key "podnet.embedded.enabled") (hasPrefix "podnet.policy." $key) }}
{{- fail (printf "node.properties: %s is set by the chart (the node policy by policy.grants)" $key) }}
{{- end }}
{{ $key }}={{ $value }}
{{- end }}
{{- end -}}

{{/*
The node policy in its one flat form (io.podnet.policy.NodePolicy): "grants" lists the grants'
names, "<grant>.<field>" holds a comma-separated list (or true/false). The agent reads it as
podnet.policy.* in application.properties, the admission policy's CEL as its parameter
ConfigMap's data: the same keys and values, written here once.
*/}}
{{- define "podnet.policyData" -}}
{{- $names := list -}}
{{- range .Values.policy.grants -}}
{{- if has .name $names -}}
{{- fail (printf "policy.grants: grant %s is given twice" .name) -}}
{{- end -}}
{{- $names = append $names .name -}}
{{- end -}}
grants: {{ if $names }}{{ join "," $names | quote }}{{ else }}"none"{{ end }}
{{- range .Values.policy.grants }}
{{- $selector := list -}}
{{- range $key, $value := (default dict .namespaceSelector) -}}
{{- $selector = append $selector (printf "%s=%s" $key $value) -}}
{{- end }}
{{ .name }}.namespaces: {{ join "," (default list .namespaces) | quote }}
{{ .name }}.namespaceSelector: {{ join "," $selector | quote }}
{{ .name }}.netns: {{ join "," (default list .netns) | quote }}
{{ .name }}.rootful: {{ default false .rootful | toString | quote }}
{{ .name }}.hostPorts: {{ join "," (default list .hostPorts) | quote }}
{{ .name }}.hostIPs: {{ join "," (default list .hostIPs) | quote }}
{{- end }}
{{- end -}}

{{/* Whether a grant selects namespaces by label: then the agent reads namespaces (and may). */}}
{{- define "podnet.policySelectsByLabels" -}}
{{- range .Values.policy.grants -}}
{{- if .namespaceSelector }}true{{ end -}}
{{- end -}}
{{- end -}}
