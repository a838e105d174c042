//! `serve`: the validating admission webhook (being written; see issue "serve").

use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct ServeArgs {}

pub fn run(_args: ServeArgs) -> miette::Result<ExitCode> {
    Err(miette::miette!("serve is not implemented yet"))
}
