{{/* seqstream.name: the chart name, or nameOverride. */}}
{{- define "seqstream.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* seqstream.fullname: release-qualified name of every resource (fullnameOverride wins). */}}
{{- define "seqstream.fullname" -}}
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

{{/* seqstream.headlessServiceName: the headless Service that gives each pod its DNS name. */}}
{{- define "seqstream.headlessServiceName" -}}
{{- printf "%s-headless" (include "seqstream.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* seqstream.chart: chart name and version for the helm.sh/chart label. */}}
{{- define "seqstream.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* seqstream.selectorLabels: the labels that select this release's pods (never change them after install). */}}
{{- define "seqstream.selectorLabels" -}}
app.kubernetes.io/name: {{ include "seqstream.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* seqstream.labels: the standard labels of every resource. */}}
{{- define "seqstream.labels" -}}
helm.sh/chart: {{ include "seqstream.chart" . }}
{{ include "seqstream.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: seqstream
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* seqstream.annotations: commonAnnotations as a metadata block, or nothing. */}}
{{- define "seqstream.annotations" -}}
{{- with .Values.commonAnnotations }}
annotations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/* seqstream.serviceAccountName: the ServiceAccount the pods run as. */}}
{{- define "seqstream.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "seqstream.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* seqstream.image: the application image reference (the GPU image when gpu.enabled). */}}
{{- define "seqstream.image" -}}
{{- $repository := .Values.image.repository -}}
{{- $tag := default .Chart.AppVersion .Values.image.tag -}}
{{- if .Values.gpu.enabled -}}
{{- $repository = default .Values.image.repository .Values.gpu.image.repository -}}
{{- $tag = .Values.gpu.image.tag -}}
{{- end -}}
{{- $prefix := ternary "" (printf "%s/" .Values.image.registry) (empty .Values.image.registry) -}}
{{- if and .Values.image.digest (not .Values.gpu.enabled) -}}
{{- printf "%s%s@%s" $prefix $repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s%s:%s" $prefix $repository $tag -}}
{{- end -}}
{{- end -}}

{{/* seqstream.sidecarImage: the sidecar's image, always the regular (CPU) one: it verifies on the CPU. */}}
{{- define "seqstream.sidecarImage" -}}
{{- $prefix := ternary "" (printf "%s/" .Values.image.registry) (empty .Values.image.registry) -}}
{{- if .Values.image.digest -}}
{{- printf "%s%s@%s" $prefix .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s%s:%s" $prefix .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{/* seqstream.str: a value as a settings string; whole numbers never in exponent form (YAML numbers are floats). */}}
{{- define "seqstream.str" -}}
{{- if kindIs "float64" . -}}
{{- if eq (float64 (int64 .)) . -}}{{ int64 . }}{{- else -}}{{ . }}{{- end -}}
{{- else -}}
{{- toString . -}}
{{- end -}}
{{- end -}}

{{/* seqstream.configMapName: the ConfigMap holding seqstream.properties. */}}
{{- define "seqstream.configMapName" -}}
{{- printf "%s-config" (include "seqstream.fullname" .) -}}
{{- end -}}

{{/* seqstream.kafkaSaslSecretName: the Secret with the SASL user name and password. */}}
{{- define "seqstream.kafkaSaslSecretName" -}}
{{- default (printf "%s-kafka-sasl" (include "seqstream.fullname" .)) .Values.kafka.sasl.existingSecret -}}
{{- end -}}

{{/* seqstream.kafkaTlsSecretName: the Secret with the Kafka trust store. */}}
{{- define "seqstream.kafkaTlsSecretName" -}}
{{- default (printf "%s-kafka-tls" (include "seqstream.fullname" .)) .Values.kafka.tls.truststore.existingSecret -}}
{{- end -}}

{{/* seqstream.kafkaTlsMounted: "true" when a trust store file is mounted (a PEM given or an existing Secret). */}}
{{- define "seqstream.kafkaTlsMounted" -}}
{{- if and .Values.kafka.tls.enabled (or .Values.kafka.tls.truststore.pem .Values.kafka.tls.truststore.existingSecret) -}}true{{- end -}}
{{- end -}}

{{/* seqstream.httpAuthSecretName: the Secret with the HTTP token or the basic auth user and password. */}}
{{- define "seqstream.httpAuthSecretName" -}}
{{- default (printf "%s-http-auth" (include "seqstream.fullname" .)) .Values.http.auth.existingSecret -}}
{{- end -}}

{{/* seqstream.securityProtocol: the Kafka security.protocol the sasl and tls values imply. */}}
{{- define "seqstream.securityProtocol" -}}
{{- if and .Values.kafka.sasl.enabled .Values.kafka.tls.enabled -}}SASL_SSL
{{- else if .Values.kafka.sasl.enabled -}}SASL_PLAINTEXT
{{- else if .Values.kafka.tls.enabled -}}SSL
{{- else -}}PLAINTEXT
{{- end -}}
{{- end -}}

{{/* seqstream.saslLoginModule: the JAAS login module class of kafka.sasl.mechanism. */}}
{{- define "seqstream.saslLoginModule" -}}
{{- if eq .Values.kafka.sasl.mechanism "PLAIN" -}}org.apache.kafka.common.security.plain.PlainLoginModule
{{- else -}}org.apache.kafka.common.security.scram.ScramLoginModule
{{- end -}}
{{- end -}}

{{/*
seqstream.settings: every seqstream setting the chart sets, as a dict (key -> string), before per-pod values.
Order of precedence: derived from values < .Values.settings.
*/}}
{{- define "seqstream.settings" -}}
{{- $s := dict -}}
{{- $_ := set $s "application.id" .Values.applicationId -}}
{{- $_ := set $s "bootstrap.servers" .Values.kafka.bootstrapServers -}}
{{- $_ := set $s "topic.events" .Values.topics.events -}}
{{- $_ := set $s "topic.scores" .Values.topics.scores -}}
{{- $_ := set $s "topic.anomalies" .Values.topics.anomalies -}}
{{- $_ := set $s "topic.summaries" .Values.topics.summaries -}}
{{- $_ := set $s "topic.dead-letter" .Values.topics.deadLetter -}}
{{- $_ := set $s "topic.models" .Values.topics.models -}}
{{- $_ := set $s "model.name" .Values.model.name -}}
{{- $_ := set $s "model.store" .Values.model.store -}}
{{- $_ := set $s "model.store.s3.endpoint" .Values.model.s3.endpoint -}}
{{- $_ := set $s "model.store.s3.region" .Values.model.s3.region -}}
{{- $_ := set $s "model.store.s3.path-style" .Values.model.s3.pathStyle -}}
{{- $_ := set $s "model.state-migration" .Values.model.stateMigration -}}
{{- $_ := set $s "model.dir" "/var/lib/seqstream/models" -}}
{{- $_ := set $s "sidecar.keep-versions" (include "seqstream.str" .Values.sidecar.keepVersions) -}}
{{- if not .Values.sidecar.enabled -}}
{{- $_ := set $s "model.follow" "true" -}}
{{- end -}}
{{- $_ := set $s "state.dir" "/var/lib/seqstream/state" -}}
{{- $_ := set $s "http.port" (include "seqstream.str" .Values.http.port) -}}
{{- $_ := set $s "http.auth" .Values.http.auth.mode -}}
{{- if .Values.gpu.enabled -}}
{{- $_ := set $s "engine" .Values.gpu.engine -}}
{{- end -}}
{{- $_ := set $s "kafka.num.standby.replicas" (include "seqstream.str" .Values.kafka.numStandbyReplicas) -}}
{{- if gt (int .Values.kafka.sessionTimeoutMs) 0 -}}
{{- $_ := set $s "kafka.session.timeout.ms" (include "seqstream.str" .Values.kafka.sessionTimeoutMs) -}}
{{- end -}}
{{- $protocol := include "seqstream.securityProtocol" . -}}
{{- if ne $protocol "PLAINTEXT" -}}
{{- $_ := set $s "kafka.security.protocol" $protocol -}}
{{- end -}}
{{- if .Values.kafka.sasl.enabled -}}
{{- $_ := set $s "kafka.sasl.mechanism" .Values.kafka.sasl.mechanism -}}
{{- end -}}
{{- if .Values.kafka.tls.enabled -}}
{{- $_ := set $s "kafka.ssl.endpoint.identification.algorithm" .Values.kafka.tls.endpointIdentification -}}
{{- if include "seqstream.kafkaTlsMounted" . -}}
{{- $_ := set $s "kafka.ssl.truststore.type" .Values.kafka.tls.truststore.type -}}
{{- $_ := set $s "kafka.ssl.truststore.location" (printf "/etc/seqstream/kafka-tls/%s" .Values.kafka.tls.truststore.key) -}}
{{- end -}}
{{- end -}}
{{- range $k, $v := .Values.kafka.config -}}
{{- $_ := set $s (printf "kafka.%s" $k) (include "seqstream.str" $v) -}}
{{- end -}}
{{- range $k, $v := .Values.settings -}}
{{- $_ := set $s $k (include "seqstream.str" $v) -}}
{{- end -}}
{{- toYaml $s -}}
{{- end -}}

{{/*
seqstream.kafkaArgs: -D arguments both containers take for Kafka credentials; $(VAR) is expanded by Kubernetes
from the container's environment (secretKeyRef), so no secret is ever written into the ConfigMap.
*/}}
{{- define "seqstream.kafkaArgs" -}}
{{- if .Values.kafka.sasl.enabled }}
- -D
- kafka.sasl.jaas.config={{ include "seqstream.saslLoginModule" . }} required username="$(KAFKA_SASL_USERNAME)" password="$(KAFKA_SASL_PASSWORD)";
{{- end }}
{{- if and (include "seqstream.kafkaTlsMounted" .) .Values.kafka.tls.truststore.existingSecret .Values.kafka.tls.truststore.passwordKey }}
- -D
- kafka.ssl.truststore.password=$(KAFKA_TLS_TRUSTSTORE_PASSWORD)
{{- end }}
{{- end -}}

{{/* seqstream.kafkaEnv: the environment variables seqstream.kafkaArgs refers to, from Secrets. */}}
{{- define "seqstream.kafkaEnv" -}}
{{- if .Values.kafka.sasl.enabled }}
- name: KAFKA_SASL_USERNAME
  valueFrom:
    secretKeyRef:
      name: {{ include "seqstream.kafkaSaslSecretName" . }}
      key: {{ .Values.kafka.sasl.usernameKey }}
- name: KAFKA_SASL_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "seqstream.kafkaSaslSecretName" . }}
      key: {{ .Values.kafka.sasl.passwordKey }}
{{- end }}
{{- if and (include "seqstream.kafkaTlsMounted" .) .Values.kafka.tls.truststore.existingSecret .Values.kafka.tls.truststore.passwordKey }}
- name: KAFKA_TLS_TRUSTSTORE_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "seqstream.kafkaTlsSecretName" . }}
      key: {{ .Values.kafka.tls.truststore.passwordKey }}
{{- end }}
{{- end -}}

{{/* seqstream.modelStoreEnv: AWS_* variables for the model store from model.credentials.existingSecret. */}}
{{- define "seqstream.modelStoreEnv" -}}
{{- with .Values.model.credentials.existingSecret }}
- name: AWS_ACCESS_KEY_ID
  valueFrom:
    secretKeyRef:
      name: {{ . }}
      key: {{ $.Values.model.credentials.accessKeyIdKey }}
- name: AWS_SECRET_ACCESS_KEY
  valueFrom:
    secretKeyRef:
      name: {{ . }}
      key: {{ $.Values.model.credentials.secretAccessKeyKey }}
{{- end }}
{{- end -}}

{{/* seqstream.httpAuthEnv: SEQSTREAM_HTTP_AUTH_* variables (settings http.auth.*) from the HTTP auth Secret. */}}
{{- define "seqstream.httpAuthEnv" -}}
{{- if eq .Values.http.auth.mode "bearer" }}
- name: SEQSTREAM_HTTP_AUTH_TOKEN
  valueFrom:
    secretKeyRef:
      name: {{ include "seqstream.httpAuthSecretName" . }}
      key: {{ .Values.http.auth.tokenKey }}
{{- else if eq .Values.http.auth.mode "basic" }}
- name: SEQSTREAM_HTTP_AUTH_USER
  valueFrom:
    secretKeyRef:
      name: {{ include "seqstream.httpAuthSecretName" . }}
      key: {{ .Values.http.auth.userKey }}
- name: SEQSTREAM_HTTP_AUTH_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "seqstream.httpAuthSecretName" . }}
      key: {{ .Values.http.auth.passwordKey }}
{{- end }}
{{- end -}}

{{/* seqstream.validateValues: fails the render with an actionable message for combinations the schema cannot express. */}}
{{- define "seqstream.validateValues" -}}
{{- $errors := list -}}
{{- if and (eq .Values.http.auth.mode "bearer") (not .Values.http.auth.existingSecret) (not .Values.http.auth.token) -}}
{{- $errors = append $errors "http.auth.mode=bearer needs a token: set http.auth.token or http.auth.existingSecret" -}}
{{- end -}}
{{- if and (eq .Values.http.auth.mode "basic") (not .Values.http.auth.existingSecret) (or (not .Values.http.auth.user) (not .Values.http.auth.password)) -}}
{{- $errors = append $errors "http.auth.mode=basic needs a user and a password: set http.auth.user and http.auth.password, or http.auth.existingSecret" -}}
{{- end -}}
{{- if and .Values.kafka.sasl.enabled (not .Values.kafka.sasl.existingSecret) (or (not .Values.kafka.sasl.username) (not .Values.kafka.sasl.password)) -}}
{{- $errors = append $errors "kafka.sasl.enabled=true needs credentials: set kafka.sasl.username and kafka.sasl.password, or kafka.sasl.existingSecret" -}}
{{- end -}}
{{- if and .Values.kafka.tls.enabled .Values.kafka.tls.truststore.pem (ne .Values.kafka.tls.truststore.type "PEM") (not .Values.kafka.tls.truststore.existingSecret) -}}
{{- $errors = append $errors "kafka.tls.truststore.pem holds PEM certificates: set kafka.tls.truststore.type=PEM (or give a PKCS12/JKS file through kafka.tls.truststore.existingSecret)" -}}
{{- end -}}
{{- if and .Values.gpu.enabled (not .Values.gpu.image.tag) -}}
{{- $errors = append $errors "gpu.enabled=true needs gpu.image.tag (and gpu.image.repository if it differs): an image whose ND4J backend can reach the GPU; this project's build makes only the CPU image so far" -}}
{{- end -}}
{{- if and .Values.sidecar.enabled (hasKey .Values.settings "model.version") -}}
{{- $errors = append $errors "settings.model.version pins one version, but the sidecar serves the announced one: remove it and activate versions with `seqstream publish` (or `rollback`)" -}}
{{- end -}}
{{- range $k, $v := .Values.settings -}}
{{- if or (eq $k "state.dir") (eq $k "model.dir") (eq $k "http.advertised-address") (eq $k "http.auth.token") (eq $k "http.auth.password") -}}
{{- $errors = append $errors (printf "settings.%s is set by the chart (per pod, or from a Secret): remove it from settings" $k) -}}
{{- end -}}
{{- if hasPrefix "kafka." $k -}}
{{- $errors = append $errors (printf "settings.%s: Kafka properties go in kafka.config without the prefix (kafka.config.%s)" $k (trimPrefix "kafka." $k)) -}}
{{- end -}}
{{- end -}}
{{- range $k, $v := .Values.kafka.config -}}
{{- if or (eq $k "group.instance.id") (eq $k "sasl.jaas.config") (eq $k "ssl.truststore.password") -}}
{{- $errors = append $errors (printf "kafka.config.%s is set by the chart (per pod, or from a Secret): use kafka.staticMembership, kafka.sasl or kafka.tls" $k) -}}
{{- end -}}
{{- end -}}
{{- if $errors -}}
{{- fail (printf "\n\nVALUES VALIDATION:\n  - %s\n" (join "\n  - " $errors)) -}}
{{- end -}}
{{- end -}}

{{/* seqstream.configChecksum: hash of everything that the pods read at start-up (settings and chart Secrets). */}}
{{- define "seqstream.configChecksum" -}}
{{- $secrets := printf "%s%s%s%s%s%s" .Values.http.auth.mode .Values.http.auth.token .Values.http.auth.user .Values.http.auth.password .Values.kafka.sasl.username .Values.kafka.sasl.password -}}
{{- printf "%s%s%s" (include "seqstream.settings" .) $secrets .Values.kafka.tls.truststore.pem | sha256sum -}}
{{- end -}}

{{/* seqstream.serviceMonitorAuth: how Prometheus authenticates to /metrics under http.auth (nothing for none). */}}
{{- define "seqstream.serviceMonitorAuth" -}}
{{- if eq .Values.http.auth.mode "bearer" -}}
authorization:
  type: Bearer
  credentials:
    name: {{ include "seqstream.httpAuthSecretName" . }}
    key: {{ .Values.http.auth.tokenKey }}
{{- else if eq .Values.http.auth.mode "basic" -}}
basicAuth:
  username:
    name: {{ include "seqstream.httpAuthSecretName" . }}
    key: {{ .Values.http.auth.userKey }}
  password:
    name: {{ include "seqstream.httpAuthSecretName" . }}
    key: {{ .Values.http.auth.passwordKey }}
{{- end -}}
{{- end -}}

{{/*
seqstream.imageDefaultsEnv: the settings the image itself sets as SEQSTREAM_* variables (state.dir, model.store).
A variable beats the settings file, so each container sets them again to the chart's values.
*/}}
{{- define "seqstream.imageDefaultsEnv" -}}
- name: SEQSTREAM_STATE_DIR
  value: /var/lib/seqstream/state
- name: SEQSTREAM_MODEL_STORE
  value: {{ .Values.model.store | quote }}
{{- end -}}

{{/* seqstream.javaToolOptions: JAVA_TOOL_OPTIONS of a container: its jvmOptions, then the tmp and JavaCPP dirs. */}}
{{- define "seqstream.javaToolOptions" -}}
{{- printf "%s -Djava.io.tmpdir=/tmp -Dorg.bytedeco.javacpp.cachedir=/tmp/javacpp" . | trim -}}
{{- end -}}
