//! Timing the binary for the scaling tests: one run with its input on standard input, and the
//! best of three runs (so that a busy machine slows both sizes rather than failing a test).

use std::io::Write;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Runs the binary with `args` and `input` on standard input (written from another thread, so
/// a large input cannot dead-lock against a full output pipe): the wall time and the output.
pub fn run_with_stdin(args: &[&str], input: &str) -> (Duration, Output) {
    let start = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_k8s-constitution"))
        .args(args)
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("runs");
    let mut stdin = child.stdin.take().expect("stdin");
    let input = input.to_string();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child.wait_with_output().expect("waits");
    let elapsed = start.elapsed();
    writer.join().expect("writer").expect("writes stdin");
    (elapsed, output)
}

/// The shortest time of three calls of `run`, with what the first call returned.
pub fn best_of_three<T>(mut run: impl FnMut() -> (Duration, T)) -> (Duration, T) {
    let (first_time, first) = run();
    let best = (0..2).map(|_| run().0).fold(first_time, Duration::min);
    (best, first)
}
