//! The serving certificate: loading, validation and hot reload.
//!
//! Kubernetes updates a mounted Secret by writing a new timestamped directory and swapping the
//! `..data` symlink, so file mtimes and inotify events on the visible names are unreliable.
//! Polling the *content* of both files every few seconds is simple and catches every way a
//! file can change (symlink swap, rename, in-place write). A change is applied with
//! `RustlsConfig::reload_from_config`: new handshakes use the new certificate, established
//! connections keep theirs, nothing is dropped. A pair that does not load (half-written
//! update, key not matching the certificate, expired certificate...) is rejected and the
//! certificate in use stays.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum_server::tls_rustls::RustlsConfig;
use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use super::metrics::Metrics;

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum TlsError {
    #[error("cannot read {path}: {source}")]
    #[diagnostic(code(k8sc::serve::tls_read))]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path} holds no PEM certificate")]
    #[diagnostic(
        code(k8sc::serve::tls_cert),
        help(
            "--cert takes a PEM file (tls.crt): the serving certificate first, then any intermediates"
        )
    )]
    NoCertificate { path: String },
    #[error("{path} holds no PEM private key ({reason})")]
    #[diagnostic(
        code(k8sc::serve::tls_key),
        help("--key takes a PEM private key (tls.key): PKCS#8, PKCS#1 or SEC1")
    )]
    NoKey { path: String, reason: String },
    #[error("the certificate {path} cannot be parsed: {reason}")]
    #[diagnostic(code(k8sc::serve::tls_parse))]
    Parse { path: String, reason: String },
    #[error("the certificate {cert} expired at {not_after} (Unix time)")]
    #[diagnostic(
        code(k8sc::serve::tls_expired),
        help("renew it (`k8s-constitution certs`, or check cert-manager)")
    )]
    Expired { cert: String, not_after: i64 },
    #[error("cannot use {cert} with {key}: {reason}")]
    #[diagnostic(
        code(k8sc::serve::tls_config),
        help("the key must be the private key of the first certificate in the file")
    )]
    Config {
        cert: String,
        key: String,
        reason: String,
    },
}

/// A certificate and key as read from disk, with what the logs and metrics say about it.
pub struct Loaded {
    pub config: Arc<ServerConfig>,
    pub not_after: i64,
    pub serial: String,
    /// The file contents, to tell when they change.
    pub source: (Vec<u8>, Vec<u8>),
}

/// Where the certificate lives.
#[derive(Debug, Clone)]
pub struct CertFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

fn read(path: &Path) -> Result<Vec<u8>, TlsError> {
    std::fs::read(path).map_err(|source| TlsError::Read {
        path: path.display().to_string(),
        source,
    })
}

impl CertFiles {
    pub fn read(&self) -> Result<(Vec<u8>, Vec<u8>), TlsError> {
        Ok((read(&self.cert)?, read(&self.key)?))
    }

    /// Builds the TLS configuration from file contents.
    pub fn load(&self, source: (Vec<u8>, Vec<u8>)) -> Result<Loaded, TlsError> {
        let cert_path = self.cert.display().to_string();
        let key_path = self.key.display().to_string();
        let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&source.0)
            .collect::<Result<_, _>>()
            .map_err(|e| TlsError::Parse {
                path: cert_path.clone(),
                reason: e.to_string(),
            })?;
        let Some(leaf) = chain.first() else {
            return Err(TlsError::NoCertificate { path: cert_path });
        };
        let key = PrivateKeyDer::from_pem_slice(&source.1).map_err(|e| TlsError::NoKey {
            path: key_path.clone(),
            reason: e.to_string(),
        })?;
        let (not_after, serial) = {
            let (_, parsed) =
                x509_parser::parse_x509_certificate(leaf).map_err(|e| TlsError::Parse {
                    path: cert_path.clone(),
                    reason: e.to_string(),
                })?;
            (
                parsed.validity().not_after.timestamp(),
                parsed.raw_serial_as_string(),
            )
        };
        if not_after < now_unix() {
            return Err(TlsError::Expired {
                cert: cert_path,
                not_after,
            });
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config_error = |e: rustls::Error| TlsError::Config {
            cert: cert_path.clone(),
            key: key_path.clone(),
            reason: e.to_string(),
        };
        // TLS 1.2 and 1.3 only (the API server speaks both; nothing older is acceptable).
        let mut config = ServerConfig::builder_with_provider(provider)
            .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
            .map_err(config_error)?
            .with_no_client_auth()
            // Also checks that the key belongs to the certificate.
            .with_single_cert(chain, key)
            .map_err(config_error)?;
        // The router speaks HTTP/1.1 only; the API server uses it for webhooks.
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Loaded {
            config: Arc::new(config),
            not_after,
            serial,
            source,
        })
    }
}

pub fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Polls the files and swaps the certificate in `rustls` when they change. Runs until the
/// task is dropped.
pub async fn watch(
    files: CertFiles,
    rustls: RustlsConfig,
    metrics: Arc<Metrics>,
    mut current: (Vec<u8>, Vec<u8>),
    every: Duration,
) {
    let mut ticker = tokio::time::interval(every);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // The last content that failed to load, so a bad pair is reported once, not every tick.
    let mut rejected: Option<(Vec<u8>, Vec<u8>)> = None;
    let mut unreadable = false;
    loop {
        ticker.tick().await;
        let read_files = files.clone();
        let Ok(read) = tokio::task::spawn_blocking(move || read_files.read()).await else {
            continue;
        };
        let source = match read {
            Ok(source) => {
                unreadable = false;
                source
            }
            Err(e) => {
                // Reported once per outage, not every tick.
                if !unreadable {
                    tracing::warn!(error = %e, "cannot read the serving certificate; keeping the one in use");
                }
                unreadable = true;
                continue;
            }
        };
        if source == current || rejected.as_ref() == Some(&source) {
            continue;
        }
        match files.load(source.clone()) {
            Ok(loaded) => {
                rustls.reload_from_config(loaded.config);
                metrics.certificate_loaded(loaded.not_after);
                metrics.certificate_reload(true);
                tracing::info!(serial = %loaded.serial, not_after = loaded.not_after, "serving certificate reloaded");
                current = loaded.source;
                rejected = None;
            }
            Err(e) => {
                metrics.certificate_reload(false);
                tracing::error!(error = %e, "new serving certificate rejected; keeping the one in use");
                rejected = Some(source);
            }
        }
    }
}
