//! Generates a realistic corpus for the lint benchmark: Deployments, StatefulSets, CronJobs,
//! Services, ConfigMaps, ServiceAccounts, PDBs and NetworkPolicies across namespaces, a mix of
//! compliant and non-compliant, split over files like `helm template` output.
//!
//!   cargo run --release --example gen_corpus -- <resources> <out-dir> [files]

use std::fmt::Write as _;

fn workload(kind: &str, ns: &str, name: &str, i: usize) -> String {
    let compliant = !i.is_multiple_of(3);
    let (sc_pod, sc_ctr) = if compliant {
        (
            "      securityContext:\n        runAsNonRoot: true\n        runAsUser: 65532\n        runAsGroup: 65532\n        fsGroup: 65532\n        seccompProfile: {type: RuntimeDefault}\n",
            "          securityContext:\n            allowPrivilegeEscalation: false\n            readOnlyRootFilesystem: true\n            capabilities: {drop: [ALL]}\n",
        )
    } else {
        (
            "",
            "          securityContext:\n            privileged: false\n",
        )
    };
    let image = if compliant {
        format!("registry.example.com:5000/team/{name}:1.{}.0", i % 50)
    } else {
        format!("{name}:latest")
    };
    let probes = if compliant {
        "          livenessProbe: {httpGet: {path: /health, port: 8080}, periodSeconds: 10}\n          readinessProbe: {httpGet: {path: /ready, port: 8080}}\n"
    } else {
        ""
    };
    let resources = if compliant {
        "          resources:\n            requests: {cpu: 100m, memory: 128Mi}\n            limits: {cpu: 500m, memory: 512Mi}\n"
    } else {
        "          resources:\n            requests: {cpu: 100m}\n"
    };
    let pod = format!(
        "    metadata:\n      labels: {{app: {name}, tier: backend}}\n    spec:\n      serviceAccountName: {name}\n      automountServiceAccountToken: false\n{sc_pod}      affinity:\n        podAntiAffinity:\n          preferredDuringSchedulingIgnoredDuringExecution:\n            - weight: 100\n              podAffinityTerm: {{topologyKey: kubernetes.io/hostname, labelSelector: {{matchLabels: {{app: {name}}}}}}}\n      containers:\n        - name: app\n          image: {image}\n          ports: [{{containerPort: 8080, name: http}}]\n          env:\n            - {{name: LOG_LEVEL, value: info}}\n            - name: DB_PASSWORD\n              valueFrom: {{secretKeyRef: {{name: {name}-db, key: password}}}}\n{sc_ctr}{probes}{resources}          volumeMounts: [{{name: tmp, mountPath: /tmp}}]\n      volumes:\n        - name: tmp\n          emptyDir: {{}}\n"
    );
    match kind {
        "CronJob" => {
            let indented: String = pod.lines().map(|l| format!("        {l}\n")).collect();
            format!(
                "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: {name}\n  namespace: {ns}\nspec:\n  schedule: \"*/5 * * * *\"\n  jobTemplate:\n    spec:\n      template:\n{indented}"
            )
        }
        _ => format!(
            "apiVersion: apps/v1\nkind: {kind}\nmetadata:\n  name: {name}\n  namespace: {ns}\n  labels: {{app: {name}}}\nspec:\n  replicas: {}\n  selector:\n    matchLabels: {{app: {name}}}\n  template:\n{pod}",
            if compliant { 3 } else { 1 }
        ),
    }
}

fn object(i: usize) -> String {
    let ns = format!("team-{}", i % 20);
    let name = format!("svc-{i}");
    let mut out = format!("---\n# Source: corpus/templates/{name}.yaml\n");
    match i % 8 {
        0 | 1 => out.push_str(&workload("Deployment", &ns, &name, i)),
        2 => out.push_str(&workload(
            if i % 16 == 2 {
                "StatefulSet"
            } else {
                "CronJob"
            },
            &ns,
            &name,
            i,
        )),
        3 | 4 => {
            let _ = write!(
                out,
                "apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\n  namespace: {ns}\nspec:\n  type: ClusterIP\n  selector: {{app: svc-{}}}\n  ports:\n    - {{name: http, port: 80, targetPort: http}}\n",
                i - 3
            );
        }
        5 => {
            let leak = if i % 40 == 5 {
                "  DB_URL: postgres://app:Zk8pQ2vLm9xR@db:5432/app\n"
            } else {
                ""
            };
            let _ = write!(
                out,
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}-config\n  namespace: {ns}\ndata:\n  LOG_LEVEL: info\n  PASSWORD_MIN_LENGTH: \"12\"\n  TOKEN_TTL_SECONDS: \"3600\"\n  ALLOWED_ORIGINS: https://a.example.com,https://b.example.com\n{leak}  app.properties: |\n    server.port=8080\n    feature.flags=a,b,c\n"
            );
        }
        6 => {
            let _ = write!(
                out,
                "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {name}\n  namespace: {ns}\nautomountServiceAccountToken: false\n"
            );
        }
        _ => {
            if i % 16 == 7 {
                let _ = write!(
                    out,
                    "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: {name}\n  namespace: {ns}\nspec:\n  minAvailable: 1\n  selector:\n    matchLabels: {{app: svc-{}}}\n",
                    i - 7
                );
            } else {
                let _ = write!(
                    out,
                    "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: default-deny-{name}\n  namespace: {ns}\nspec:\n  podSelector: {{}}\n  policyTypes: [Ingress, Egress]\n"
                );
            }
        }
    }
    out
}

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let count: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let dir = std::path::PathBuf::from(
        args.get(2)
            .cloned()
            .unwrap_or_else(|| "target/corpus".into()),
    );
    let files: usize = args
        .get(3)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100)
        .max(1);
    std::fs::create_dir_all(&dir)?;
    let per_file = count.div_ceil(files);
    for f in 0..files {
        let mut text = String::new();
        for i in f * per_file..((f + 1) * per_file).min(count) {
            text.push_str(&object(i));
        }
        if !text.is_empty() {
            std::fs::write(dir.join(format!("rendered-{f:04}.yaml")), text)?;
        }
    }
    eprintln!(
        "wrote {count} resources in {files} files to {}",
        dir.display()
    );
    Ok(())
}
