package k8sc.rules.no_host_path

import data.k8sc.lib.workloads as w
import rego.v1

metadata := {
	"id": "no-host-path",
	"title": "hostPath volumes are forbidden",
	"severity": "error",
	"section": "VIII. Security Best Practices (Container Security); III. Kubernetes Design Patterns (Storage Patterns: Persistent Volumes); 000 Security Requirements (Pod Security Standards)",
	"pss": "baseline",
	"rationale": "A hostPath volume mounts the node's own filesystem into the pod: the container runtime socket, kubelet credentials or /etc are one mount away from a node takeover, and the data is tied to one node.",
	"remediation": "Use a PersistentVolumeClaim for data, a ConfigMap/Secret/projected volume for configuration, or an emptyDir for scratch space.",
	"kinds": ["*"],
	"pod_spec_only": true,
}

violation contains {"msg": msg, "path": path} if {
	volumes := object.get(w.pod_spec, "volumes", [])
	is_array(volumes)
	some i, volume in volumes
	object.get(volume, "hostPath", null) != null
	path := array.concat(w.pod_spec_path, ["volumes", i, "hostPath"])
	msg := sprintf("volume %q mounts the node path %v (hostPath)", [object.get(volume, "name", sprintf("volumes[%d]", [i])), object.get(volume, ["hostPath", "path"], "?")])
}
