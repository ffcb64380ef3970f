{{/*
Helpers of the vm-lab chart. Only functions that behave the same in Helm 3.17 (ArgoCD 3.4) and Helm 4:
no lookup, no now/rand, no .Capabilities; numbers are cast with int before printing because fromJson
yields floats.

Course files are untrusted input: every value a template writes goes through toJson (a JSON scalar is
a YAML flow scalar, so no value can add a key, an item or a document) or is a number the template
computed itself. values.schema.json refuses bad values before any template runs.
*/}}

{{/* The lab name: the release name (the ApplicationSet sets it to the lab file's name). */}}
{{- define "vm-lab.name" -}}
{{- .Release.Name -}}
{{- end -}}

{{- define "vm-lab.labels" -}}
app.kubernetes.io/part-of: vm-lab
app.kubernetes.io/managed-by: {{ .Release.Service | toJson }}
labctl.dev/course: {{ required "course is required" .Values.course | toJson }}
labctl.dev/lab: {{ include "vm-lab.name" . | toJson }}
{{- end -}}

{{- define "vm-lab.selector" -}}
labctl.dev/lab: {{ include "vm-lab.name" . | toJson }}
{{- end -}}

{{/* A login as a DNS label, like installer/labs/load.ts vmName. */}}
{{- define "vm-lab.vmName" -}}
{{- regexReplaceAll "-+$" (regexReplaceAll "[^a-z0-9-]" . "-") "" -}}
{{- end -}}

{{/* "4Gi" -> 4096 (MiB). */}}
{{- define "vm-lab.mi" -}}
{{- $q := toString . -}}
{{- if not (regexMatch "^[1-9][0-9]{0,6}(Mi|Gi|Ti)$" $q) -}}{{ fail (printf "%q is not a quantity like 4Gi" $q) }}
{{- else if hasSuffix "Ti" $q -}}{{ mul (atoi (trimSuffix "Ti" $q)) 1048576 }}
{{- else if hasSuffix "Gi" $q -}}{{ mul (atoi (trimSuffix "Gi" $q)) 1024 }}
{{- else -}}{{ atoi (trimSuffix "Mi" $q) }}
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

{{/*
An IPv4 CIDR as JSON {cidr, start, size}: the network in canonical form (host bits cleared, printed
from the numbers, never copied from the input) and its first address and size as integers.
*/}}
{{- define "vm-lab.cidr" -}}
{{- $c := toString . -}}
{{- if not (regexMatch "^((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])/(3[0-2]|[12]?[0-9])$" $c) -}}
{{- fail (printf "%q is not an IPv4 CIDR like 10.1.0.0/16" $c) -}}
{{- end -}}
{{- $parts := splitList "/" $c -}}
{{- $o := splitList "." (first $parts) -}}
{{- $ip := add (mul (atoi (index $o 0)) 16777216) (mul (atoi (index $o 1)) 65536) (mul (atoi (index $o 2)) 256) (atoi (index $o 3)) -}}
{{- $prefix := atoi (last $parts) -}}
{{- $size := 1 -}}
{{- range until (int (sub 32 $prefix)) }}{{ $size = mul $size 2 }}{{ end -}}
{{- $start := sub $ip (mod $ip $size) -}}
{{- $cidr := printf "%d.%d.%d.%d/%d" (div $start 16777216) (mod (div $start 65536) 256) (mod (div $start 256) 256) (mod $start 256) $prefix -}}
{{- dict "cidr" $cidr "start" $start "size" $size | toJson -}}
{{- end -}}

{{/*
An ipBlock for a lab's CIDR that never reaches a protected range, as JSON {cidr, except, inside}:
protected ranges inside the CIDR are excepted; a CIDR that lies inside a protected range (no except can
express that) is named in `inside`, and the caller fails. Input: dict "cidr" X "protected" [...].
*/}}
{{- define "vm-lab.ipBlock" -}}
{{- $x := include "vm-lab.cidr" .cidr | fromJson -}}
{{- $xs := int64 $x.start -}}{{- $xe := add (int64 $x.start) (int64 $x.size) -}}
{{- $except := list -}}
{{- $inside := "" -}}
{{- range .protected -}}
{{- $p := include "vm-lab.cidr" . | fromJson -}}
{{- $ps := int64 $p.start -}}{{- $pe := add (int64 $p.start) (int64 $p.size) -}}
{{- if and (ge $xs $ps) (le $xe $pe) -}}
{{- $inside = $p.cidr -}}
{{- else if and (ge $ps $xs) (le $pe $xe) -}}
{{- $except = append $except $p.cidr -}}
{{- end -}}
{{- end -}}
{{- dict "cidr" $x.cidr "except" ($except | uniq) "inside" $inside | toJson -}}
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
