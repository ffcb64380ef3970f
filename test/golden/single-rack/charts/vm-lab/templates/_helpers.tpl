{{/*
Helpers of the vm-lab chart. Only functions that behave the same in Helm 3.17 (ArgoCD 3.4) and Helm 4:
no lookup, no now/rand, no .Capabilities; numbers are cast with int before printing because fromJson
yields floats.
*/}}

{{/* The lab name: the release name (the ApplicationSet sets it to the lab file's name). */}}
{{- define "vm-lab.name" -}}
{{- .Release.Name -}}
{{- end -}}

{{- define "vm-lab.labels" -}}
app.kubernetes.io/part-of: vm-lab
app.kubernetes.io/managed-by: {{ .Release.Service }}
labctl.dev/course: {{ required "course is required" .Values.course | quote }}
labctl.dev/lab: {{ include "vm-lab.name" . | quote }}
{{- end -}}

{{- define "vm-lab.selector" -}}
labctl.dev/lab: {{ include "vm-lab.name" . | quote }}
{{- end -}}

{{/* A login as a DNS label, like installer/labs/load.ts vmName. */}}
{{- define "vm-lab.vmName" -}}
{{- regexReplaceAll "-+$" (regexReplaceAll "[^a-z0-9-]" . "-") "" -}}
{{- end -}}

{{/* "4Gi" -> 4096 (MiB). */}}
{{- define "vm-lab.mi" -}}
{{- $q := toString . -}}
{{- if hasSuffix "Ti" $q -}}{{ mul (atoi (trimSuffix "Ti" $q)) 1048576 }}
{{- else if hasSuffix "Gi" $q -}}{{ mul (atoi (trimSuffix "Gi" $q)) 1024 }}
{{- else if hasSuffix "Mi" $q -}}{{ atoi (trimSuffix "Mi" $q) }}
{{- else -}}{{ fail (printf "%q is not a quantity like 4Gi" $q) }}
{{- end -}}
{{- end -}}

{{/* VM shape as JSON: size (or ""), cpu, memoryMi, diskGi. */}}
{{- define "vm-lab.shape" -}}
{{- $v := .Values -}}
{{- $size := dict -}}
{{- if $v.size -}}
{{- if not (hasKey $v.sizes $v.size) }}{{ fail (printf "size %q is not one of: %s" $v.size (keys $v.sizes | sortAlpha | join ", ")) }}{{ end -}}
{{- $size = get $v.sizes $v.size -}}
{{- else if not (and $v.cpu $v.memory) -}}
{{- fail "give size, or cpu and memory" -}}
{{- end -}}
{{- $cpu := $size.cpu | default $v.cpu -}}
{{- $mem := $size.memory | default $v.memory -}}
{{- $disk := $v.disk | default $size.disk | default $v.site.defaultDisk -}}
{{- dict "size" ($v.size | default "") "cpu" (int $cpu) "memoryMi" (include "vm-lab.mi" $mem | atoi) "diskGi" (div (include "vm-lab.mi" $disk | atoi) 1024) | toJson -}}
{{- end -}}

{{/* Students as JSON: [{login, vm, keys}] from strings or {name, sshKeys}. */}}
{{- define "vm-lab.students" -}}
{{- $out := list -}}
{{- range .Values.students -}}
{{- if kindIs "string" . -}}
{{- $out = append $out (dict "login" . "vm" (include "vm-lab.vmName" .) "keys" list) -}}
{{- else -}}
{{- $out = append $out (dict "login" .name "vm" (include "vm-lab.vmName" .name) "keys" (.sshKeys | default list)) -}}
{{- end -}}
{{- end -}}
{{- $out | toJson -}}
{{- end -}}

{{- define "vm-lab.staffGroup" -}}
{{- .Values.staffGroup | default (printf .Values.site.staffGroupPattern .Values.course) -}}
{{- end -}}

{{/* cloud-init user-data of one student's VM: their user and key, plus the lab's additions. */}}
{{- define "vm-lab.userdata" -}}
{{- $v := .root.Values -}}
{{- $user := dict "name" .login "shell" "/bin/bash" "lock_passwd" true -}}
{{- if .keys }}{{ $_ := set $user "ssh_authorized_keys" .keys }}{{ end -}}
{{- if $v.access.sudo }}{{ $_ := set $user "sudo" "ALL=(ALL) NOPASSWD:ALL" }}{{ end -}}
{{- $cfg := dict "hostname" .vm "users" (list "default" $user) "ssh_pwauth" false -}}
{{- $ci := $v.cloudInit | default dict -}}
{{- if $ci.packages }}{{ $_ := set $cfg "packages" $ci.packages }}{{ $_ := set $cfg "package_update" true }}{{ end -}}
{{- if $ci.files -}}
{{- $files := list -}}
{{- range $ci.files -}}
{{- $files = append $files (dict "path" .path "content" .content "permissions" (.permissions | default "0644") "owner" (.owner | default "root:root")) -}}
{{- end -}}
{{- $_ := set $cfg "write_files" $files -}}
{{- end -}}
{{- if $ci.runcmd }}{{ $_ := set $cfg "runcmd" $ci.runcmd }}{{ end -}}
{{- printf "#cloud-config\n%s" (toYaml $cfg) -}}
{{- end -}}
