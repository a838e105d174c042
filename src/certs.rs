//! `certs`: CA and serving certificate generation (being written).

use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct CertsArgs {}

pub fn run(_args: CertsArgs) -> miette::Result<ExitCode> {
    Err(miette::miette!("certs is not implemented yet"))
}
