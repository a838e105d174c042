use std::process::ExitCode;

use clap::Parser;
use k8s_constitution::cli::{Cli, Command};
use k8s_constitution::{policy, testing};

/// Exit code for usage and input errors (1 is reserved for "findings at or above --fail-on").
const EXIT_USAGE: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Test(args) => run_test(args),
        _ => Err(miette::miette!("not implemented yet")),
    };
    match result {
        Ok(code) => code,
        Err(report) => {
            eprintln!("{report:?}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}

fn run_test(args: k8s_constitution::cli::TestArgs) -> miette::Result<ExitCode> {
    let files = match &args.dir {
        Some(dir) => policy::files_in_dir(dir)?,
        None => policy::embedded_files(),
    };
    let run = testing::run(&files, args.run.as_deref(), args.coverage)?;
    print!("{}", testing::render(&run, args.verbose));
    Ok(if run.failed() == 0 && !run.results.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
