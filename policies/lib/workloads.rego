# Workload normalisation shared by every rule, so no rule re-derives where a pod spec lives
# or how container security settings inherit from the pod.
#
# A "container record" is {"container", "path", "list", "index", "name", "long_running"}
# where `path` is the array path (from the object root) of the container itself.
package k8sc.lib.workloads

import rego.v1

# Kinds whose pod template sits at spec.template.spec; any other object that has one
# (Argo Rollouts, Knative, OpenKruise...) is treated the same way.
pod_spec_path := ["spec"] if input.kind == "Pod"

pod_spec_path := ["template", "spec"] if input.kind == "PodTemplate"

pod_spec_path := ["spec", "jobTemplate", "spec", "template", "spec"] if input.kind == "CronJob"

# Kinds whose pod spec is not at spec.template.spec. A rule, not `not input.kind in {...}`,
# which OPA fails on a kindless input where regorus succeeds.
own_pod_spec_path if input.kind in {"Pod", "PodTemplate", "CronJob"}

pod_spec_path := ["spec", "template", "spec"] if {
	not own_pod_spec_path
	is_object(input.spec.template.spec)
}

pod_spec := object.get(input, pod_spec_path, null) if is_object(object.get(input, pod_spec_path, null))

# The pod template's metadata path (for annotations/labels on the pod).
pod_metadata_path := array.concat(array.slice(pod_spec_path, 0, count(pod_spec_path) - 1), ["metadata"]) if {
	pod_spec
	input.kind != "Pod"
}

pod_metadata_path := ["metadata"] if input.kind == "Pod"

is_workload if pod_spec

# Jobs and CronJobs run to completion; everything else with a pod spec is long-running
# (a bare Pod counts: it is meant to keep running unless its restartPolicy says otherwise).
runs_to_completion if input.kind in {"Job", "CronJob"}

runs_to_completion if {
	input.kind == "Pod"
	pod_spec.restartPolicy in {"Never", "OnFailure"}
}

is_long_running_workload if {
	pod_spec
	not runs_to_completion
}

# Every container of the pod spec, init and ephemeral ones included. One body per list
# (rather than iterating over the list names) keeps this within what regorus' virtual
# machine compiles correctly; tests/rule_fixtures.rs compares it with the interpreter.
containers contains record if {
	some i, c in pod_spec.containers
	record := container_record("containers", i, c)
}

containers contains record if {
	some i, c in pod_spec.initContainers
	record := container_record("initContainers", i, c)
}

containers contains record if {
	some i, c in pod_spec.ephemeralContainers
	record := container_record("ephemeralContainers", i, c)
}

container_record(list, i, c) := {
	"container": c,
	"path": array.concat(pod_spec_path, [list, i]),
	"list": list,
	"index": i,
	"name": object.get(c, "name", sprintf("%s[%d]", [list, i])),
	"long_running": container_long_running(list, c),
}

# Regular containers run for the pod's life; init containers only when they are sidecars
# (restartPolicy: Always, Kubernetes >= 1.29); ephemeral containers are debugging sessions.
container_long_running(list, _) if list == "containers"

container_long_running(list, c) if {
	list == "initContainers"
	c.restartPolicy == "Always"
}

default container_long_running(_, _) := false

# Containers that run the workload's own code (not ephemeral debug containers), the ones
# resource and probe rules care about.
app_containers contains r if {
	some r in containers
	r.list != "ephemeralContainers"
}

# Security context fields that a pod-level securityContext provides as a default for every
# container (a container's own value wins). The rest exist only per container.
inherited_fields := {"runAsUser", "runAsGroup", "runAsNonRoot", "seLinuxOptions", "seccompProfile", "windowsOptions", "appArmorProfile"}

# The effective value of a container security setting: {"value", "path", "source"}.
# Undefined when set nowhere; `path` is where the value actually comes from. An explicit
# null (what Helm renders for an empty value) counts as unset, as it does in Kubernetes.
effective(record, field) := {"value": v, "path": p, "source": "container"} if {
	v := record.container.securityContext[field]
	v != null
	p := array.concat(record.path, ["securityContext", field])
}

effective(record, field) := {"value": v, "path": p, "source": "pod"} if {
	field in inherited_fields
	not container_sets(record, field)
	v := pod_spec.securityContext[field]
	v != null
	p := array.concat(pod_spec_path, ["securityContext", field])
}

container_sets(record, field) if record.container.securityContext[field] != null

# Where to tell the user to set a missing container setting.
container_field_path(record, field) := array.concat(record.path, ["securityContext", field])

# Where a container's effective setting comes from, or where to set it when it is set nowhere.
setting_path(record, field) := effective(record, field).path

setting_path(record, field) := container_field_path(record, field) if not effective(record, field)

pod_field_path(field) := array.concat(pod_spec_path, [field])

has_key(obj, key) if {
	is_object(obj)
	_ = obj[key]
}

# Windows pods (spec.os.name: windows) are exempt from the Linux-only controls of the Pod
# Security Standards (seccomp, capabilities, runAsNonRoot... per the PSS table).
is_windows_pod if pod_spec.os.name == "windows"

# A rule's parameters: its metadata defaults, overridden per rule id by
# data.k8sc.params[id] (the config file's `rules.<id>.params`).
params(metadata) := object.union(object.get(metadata, "params", {}), data.k8sc.params[metadata.id])

params(metadata) := object.get(metadata, "params", {}) if not data.k8sc.params[metadata.id]
