//! `certs`: a CA and a serving certificate for the webhook, for clusters without cert-manager.
//!
//! Writes `ca.crt`, `tls.crt` and `tls.key` (PEM, ECDSA P-256). The CA's private key is never
//! written: it signs this one serving certificate and is dropped, so a leaked `ca.crt` lets
//! nobody mint certificates the API server would trust. Renewal therefore means a new CA; the
//! no-downtime procedure (old and new CA both in `caBundle` for a while) is in
//! `deploy/manual/README.md`.

use std::io::Write as _;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use base64::Engine as _;
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, SanType,
};

/// Names of the files `certs` writes (the keys of a `kubernetes.io/tls` Secret, plus the CA).
pub const CA_FILE: &str = "ca.crt";
pub const CERT_FILE: &str = "tls.crt";
pub const KEY_FILE: &str = "tls.key";

#[derive(Debug, clap::Args)]
pub struct CertsArgs {
    /// Directory to write ca.crt, tls.crt and tls.key into (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Name of the webhook's Service: its in-cluster DNS names become SANs.
    #[arg(long, value_name = "NAME", default_value = "k8s-constitution")]
    pub service: String,
    /// Namespace of the Service.
    #[arg(long, value_name = "NS", default_value = "k8s-constitution")]
    pub namespace: String,
    /// Extra DNS name or IP address for the certificate (repeatable), e.g. 127.0.0.1 for tests.
    #[arg(long = "host", value_name = "HOST")]
    pub hosts: Vec<String>,
    /// Validity of the CA and the serving certificate, in days.
    #[arg(long, value_name = "DAYS", default_value_t = 365, value_parser = clap::value_parser!(u32).range(1..=3650))]
    pub days: u32,
    /// Overwrite existing files in --out.
    #[arg(long)]
    pub force: bool,
    /// Print base64 of ca.crt on stdout, ready for the webhook configuration's `caBundle`.
    #[arg(long)]
    pub print_ca_bundle: bool,
}

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum CertsError {
    #[error("invalid certificate name `{name}`: {message}")]
    #[diagnostic(
        code(k8sc::certs::name),
        help(
            "--service, --namespace and --host take DNS names (letters, digits, `-`, `.`) or IP addresses"
        )
    )]
    Name { name: String, message: String },
    #[error("cannot generate the certificate: {0}")]
    #[diagnostic(code(k8sc::certs::generate))]
    Generate(String),
    #[error("{path} already exists")]
    #[diagnostic(
        code(k8sc::certs::exists),
        help("pass --force to overwrite, or choose another --out")
    )]
    Exists { path: String },
    #[error("cannot write {path}: {source}")]
    #[diagnostic(code(k8sc::certs::io))]
    Io {
        path: String,
        source: std::io::Error,
    },
}

/// The generated PEM texts.
#[derive(Debug, Clone)]
pub struct Generated {
    pub ca_pem: String,
    pub cert_pem: String,
    pub key_pem: String,
    pub names: Vec<String>,
}

/// The subject alternative names: every way the API server may address the Service, then
/// the extra hosts, without duplicates.
pub fn subject_names(service: &str, namespace: &str, hosts: &[String]) -> Vec<String> {
    let mut names = vec![
        service.to_string(),
        format!("{service}.{namespace}"),
        format!("{service}.{namespace}.svc"),
        format!("{service}.{namespace}.svc.cluster.local"),
    ];
    for host in hosts {
        let host = host.trim();
        if !host.is_empty() && !names.iter().any(|n| n == host) {
            names.push(host.to_string());
        }
    }
    names
}

fn san(name: &str) -> Result<SanType, CertsError> {
    // `[::1]` is how people write IPv6 in URLs; accept it.
    let bare = name.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = bare.parse::<IpAddr>() {
        return Ok(SanType::IpAddress(ip));
    }
    let valid = !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '*')
        });
    if !valid {
        return Err(CertsError::Name {
            name: name.to_string(),
            message: "not a DNS name or IP address".into(),
        });
    }
    name.to_string()
        .try_into()
        .map(SanType::DnsName)
        .map_err(|e: rcgen::Error| CertsError::Name {
            name: name.to_string(),
            message: e.to_string(),
        })
}

/// Generates a fresh CA and a serving certificate for `names` (DNS names or IPs).
pub fn generate(names: &[String], days: u32) -> Result<Generated, CertsError> {
    let gen_err = |e: rcgen::Error| CertsError::Generate(e.to_string());
    let sans = names
        .iter()
        .map(|n| san(n))
        .collect::<Result<Vec<_>, _>>()?;
    let now = time::OffsetDateTime::now_utc();
    // An hour of slack for clocks that are a little behind ours.
    let not_before = now - time::Duration::hours(1);
    let not_after = now + time::Duration::days(i64::from(days));

    let ca_key = KeyPair::generate().map_err(gen_err)?;
    let mut ca_params = CertificateParams::default();
    ca_params.distinguished_name = DistinguishedName::new();
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "k8s-constitution webhook CA");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    ca_params.not_before = not_before;
    ca_params.not_after = not_after;
    let ca_cert = ca_params.self_signed(&ca_key).map_err(gen_err)?;
    let issuer = Issuer::new(ca_params, ca_key);

    let key = KeyPair::generate().map_err(gen_err)?;
    let mut params = CertificateParams::default();
    params.distinguished_name = DistinguishedName::new();
    let common_name = names.get(2).or(names.first()).cloned().unwrap_or_default();
    params
        .distinguished_name
        .push(DnType::CommonName, common_name);
    params.subject_alt_names = sans;
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.use_authority_key_identifier_extension = true;
    params.not_before = not_before;
    params.not_after = not_after;
    let cert = params.signed_by(&key, &issuer).map_err(gen_err)?;

    Ok(Generated {
        ca_pem: ca_cert.pem(),
        cert_pem: cert.pem(),
        key_pem: key.serialize_pem(),
        names: names.to_vec(),
    })
}

/// Writes `text` to `dir/name` through a temporary file and a rename, so a server watching
/// the directory never reads half a certificate.
fn write_file(dir: &Path, name: &str, text: &str, private: bool) -> Result<(), CertsError> {
    let path = dir.join(name);
    let tmp = dir.join(format!(".{name}.tmp"));
    let io = |source| CertsError::Io {
        path: path.display().to_string(),
        source,
    };
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(if private { 0o600 } else { 0o644 });
    }
    #[cfg(not(unix))]
    let _ = private;
    let mut file = options.open(&tmp).map_err(io)?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(io)?;
    drop(file);
    std::fs::rename(&tmp, &path).map_err(io)
}

pub fn run(args: CertsArgs) -> miette::Result<ExitCode> {
    let names = subject_names(&args.service, &args.namespace, &args.hosts);
    let generated = generate(&names, args.days)?;
    std::fs::create_dir_all(&args.out).map_err(|source| CertsError::Io {
        path: args.out.display().to_string(),
        source,
    })?;
    if !args.force {
        for name in [CA_FILE, CERT_FILE, KEY_FILE] {
            let path = args.out.join(name);
            if path.exists() {
                return Err(CertsError::Exists {
                    path: path.display().to_string(),
                }
                .into());
            }
        }
    }
    // The key last: a reader that sees the new key also sees the matching certificate.
    write_file(&args.out, CA_FILE, &generated.ca_pem, false)?;
    write_file(&args.out, CERT_FILE, &generated.cert_pem, false)?;
    write_file(&args.out, KEY_FILE, &generated.key_pem, true)?;

    eprintln!(
        "wrote {dir}/{CA_FILE}, {dir}/{CERT_FILE}, {dir}/{KEY_FILE} (valid {days} days) for {names}",
        dir = args.out.display(),
        days = args.days,
        names = generated.names.join(", ")
    );
    if args.print_ca_bundle {
        let bundle = base64::engine::general_purpose::STANDARD.encode(generated.ca_pem.as_bytes());
        let mut out = std::io::stdout().lock();
        writeln!(out, "{bundle}")
            .and_then(|()| out.flush())
            .map_err(|source| CertsError::Io {
                path: "stdout".into(),
                source,
            })?;
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_names_then_hosts_without_duplicates() {
        let names = subject_names("wh", "ns", &["127.0.0.1".into(), "wh".into(), " ".into()]);
        assert_eq!(
            names,
            [
                "wh",
                "wh.ns",
                "wh.ns.svc",
                "wh.ns.svc.cluster.local",
                "127.0.0.1"
            ]
        );
    }

    #[test]
    fn ips_become_ip_sans_and_bad_names_are_refused() {
        assert!(matches!(san("10.0.0.1"), Ok(SanType::IpAddress(_))));
        assert!(matches!(san("[::1]"), Ok(SanType::IpAddress(_))));
        assert!(matches!(san("wh.ns.svc"), Ok(SanType::DnsName(_))));
        assert!(san("bad name").is_err());
        assert!(san("a..b").is_err());
    }

    #[test]
    fn generates_a_chain() {
        let g = generate(&subject_names("wh", "ns", &["127.0.0.1".into()]), 2).expect("generated");
        assert!(g.ca_pem.starts_with("-----BEGIN CERTIFICATE-----"));
        assert!(g.cert_pem.starts_with("-----BEGIN CERTIFICATE-----"));
        assert!(g.key_pem.contains("PRIVATE KEY"));
    }
}
