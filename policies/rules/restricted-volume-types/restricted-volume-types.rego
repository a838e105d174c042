package k8sc.rules.restricted_volume_types

import data.k8sc.lib.workloads as w
import rego.v1

metadata := {
	"id": "restricted-volume-types",
	"title": "Pods may use only core, non-host volume types",
	"severity": "error",
	"section": "III. Kubernetes Design Patterns (Storage Patterns: Persistent Volumes; Configuration Patterns); VIII. Security Best Practices; 000 Security Requirements (Pod Security Standards)",
	"pss": "restricted",
	"rationale": "In-tree network and cloud volume types (nfs, iscsi, rbd, gitRepo, flexVolume...) are mounted by the kubelet with node privileges and bypass the PersistentVolume/StorageClass layer where an administrator controls storage. Pod Security restricted allows configMap, csi, downwardAPI, emptyDir, ephemeral, image (since Kubernetes v1.33), persistentVolumeClaim, projected and secret. hostPath is left to no-host-path so a hostPath volume is reported once.",
	"remediation": "Replace the volume with a persistentVolumeClaim (backed by a PersistentVolume or StorageClass for that storage), an ephemeral volume, or a CSI inline volume.",
	"kinds": ["*"],
	"pod_spec_only": true,
}

allowed_types := {
	"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "image",
	"persistentVolumeClaim", "projected", "secret",
}

violation contains {"msg": msg, "path": path} if {
	volumes := object.get(w.pod_spec, "volumes", [])
	is_array(volumes)
	some i, volume in volumes
	is_object(volume)
	some source, value in volume
	source != "name"
	source != "hostPath"
	value != null
	not source in allowed_types
	path := array.concat(w.pod_spec_path, ["volumes", i, source])
	msg := sprintf("volume %q is of type %s; the restricted profile allows only %s", [object.get(volume, "name", sprintf("volumes[%d]", [i])), source, concat(", ", sort(allowed_types))])
}
