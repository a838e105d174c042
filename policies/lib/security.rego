# Helpers shared by the Pod Security rules (Pod Security Standards baseline + restricted, and
# the constitution's security-context extras).
#
# Every accessor reads with object.get and a path, so a `securityContext:` rendered as null or
# {} by a Helm template reads as "not set" instead of making the rule undefined. A field whose
# value is null counts as unset, as it does for the API server.
#
# Reference for the controls: Kubernetes Pod Security admission (k8s.io/pod-security-admission
# policy checks) as of Kubernetes v1.37, which is what the API server enforces; the
# kubernetes.io Pod Security Standards page lags it on a few lists (volume types, sysctls).
package k8sc.lib.security

import data.k8sc.lib.workloads as w
import rego.v1

# regorus 0.14.1 pitfall: once any rule of a package has been evaluated from another package,
# a *function* of that package that refers to an import alias (w.pod_spec) evaluates to
# undefined. So the functions below only refer to rules of this package, which copy what they
# need from the workloads library.
pod_spec_path := w.pod_spec_path

all_containers := w.containers

# The pod-level securityContext ({} when absent or null).
pod_security_context := as_object(object.get(w.pod_spec, "securityContext", {}))

# A container's own securityContext field (rest is the path under securityContext);
# null when unset.
container_value(c, rest) := object.get(c.container, array.concat(["securityContext"], rest), null)

# The pod-level securityContext field; null when unset (undefined for non-workloads).
pod_value(rest) := object.get(pod_security_context, rest, null)

# Array paths (from the object root) of those fields.
container_path(c, rest) := array.concat(c.path, array.concat(["securityContext"], rest))

pod_path(rest) := array.concat(pod_spec_path, array.concat(["securityContext"], rest))

# True when at least one container leaves `field` unset, so the pod-level value applies to it
# (for the fields Kubernetes inherits from the pod securityContext).
pod_value_used(field) if {
	some c in all_containers
	container_value(c, [field]) == null
}

# Pod Security admission exempts pods with spec.os.name: windows from the restricted
# Linux-only controls: seccomp, capabilities (restricted), allowPrivilegeEscalation.
# The API server also forbids those fields (and readOnlyRootFilesystem, runAsUser,
# runAsGroup, seLinuxOptions, appArmorProfile, procMount, sysctls...) on such pods.
linux_only_controls_apply if {
	w.pod_spec
	not w.is_windows_pod
}

# The capabilities the baseline profile lets a container add (Docker's historical default set).
baseline_capabilities := {
	"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
	"NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
}

# A value as an array ([] for null or a non-array), for lists Helm may render as null.
as_array(x) := x if is_array(x)

as_array(x) := [] if not is_array(x)

# A value as an object ({} for null or a non-object).
as_object(x) := x if is_object(x)

as_object(x) := {} if not is_object(x)
