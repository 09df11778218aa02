{{/* Chart name, at most 63 characters (a DNS label). */}}
{{- define "mesos-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name: <release>-<chart> unless the release name already holds the chart name. */}}
{{- define "mesos-operator.fullname" -}}
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

{{- define "mesos-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "mesos-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "mesos-operator.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "mesos-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/component: operator
{{- end }}

{{- define "mesos-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "mesos-operator.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create=false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "mesos-operator.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/*
Refuses settings that would run two active operators at once: both would drive the same
machines over SSH and restart Mesos masters concurrently, breaking quorum rules.
*/}}
{{- define "mesos-operator.validate" -}}
{{- if and (gt (int .Values.replicaCount) 1) (not .Values.leaderElection.enabled) }}
{{- fail (printf "replicaCount is %d but leaderElection.enabled is false: more than one replica needs leader election, or several operators would reconcile the same clusters at once. Set leaderElection.enabled=true or replicaCount=1." (int .Values.replicaCount)) }}
{{- end }}
{{- if and .Values.leaderElection.enabled (not .Values.leaderElection.leaseName) }}
{{- fail "leaderElection.leaseName must not be empty when leaderElection.enabled=true" }}
{{- end }}
{{- end }}

{{/*
The operator's rules on its own resources and what it writes beside them: only the verbs it
uses (ChartRbacIT runs it as this ServiceAccount on a real kube-apiserver and compares).
It never creates, updates or deletes a MesosCluster: it reads them, and patches only its
finalizer and the status. MesosNodes are its own: created, patched (spec settings, finalizer)
and deleted. Status is written with one JSON patch; no update, no read of the subresource.
The finalizers subresource is checked where OwnerReferencesPermissionEnforcement is on
(OpenShift, hardened clusters): the operator's MesosNodes and Secrets carry owner references
with blockOwnerDeletion.
*/}}
{{- define "mesos-operator.rules" -}}
- apiGroups: ["mesosoperator.io"]
  resources: ["mesosclusters"]
  verbs: ["get", "list", "watch", "patch"]
- apiGroups: ["mesosoperator.io"]
  resources: ["mesosnodes"]
  verbs: ["get", "list", "watch", "create", "delete", "patch"]
- apiGroups: ["mesosoperator.io"]
  resources: ["mesosclusters/status", "mesosnodes/status"]
  verbs: ["patch"]
- apiGroups: ["mesosoperator.io"]
  resources: ["mesosclusters/finalizers", "mesosnodes/finalizers"]
  verbs: ["update"]
# Named reads (credentials, SSH key), the generated SSH key Secret and the per-node
# first-login Secrets (created, or updated when one is left from an earlier machine).
# No list or watch: the operator never enumerates Secrets.
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get", "create", "update"]
# Each event is a new one: created, never patched.
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create"]
{{- end }}
