//! Embeds every file under `policies/` (and the rule fixtures, as `explain` examples) into the
//! binary, so the shipped rule pack works from any directory without data files beside it.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            collect(&path, out);
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("rego" | "json" | "yaml")
        ) {
            out.push(path);
        }
    }
}

/// `pub static NAME: &[(&str, &str)]` of (path relative to `root`, contents).
fn embed(code: &mut String, name: &str, root: &Path) {
    println!("cargo:rerun-if-changed={}", root.display());
    let mut files = Vec::new();
    collect(root, &mut files);
    let _ = writeln!(code, "pub static {name}: &[(&str, &str)] = &[");
    for file in &files {
        println!("cargo:rerun-if-changed={}", file.display());
        let rel = file
            .strip_prefix(root)
            .unwrap_or(file)
            .to_string_lossy()
            .replace('\\', "/");
        let _ = writeln!(
            code,
            "    ({rel:?}, include_str!({:?})),",
            file.display().to_string()
        );
    }
    code.push_str("];\n");
}

fn main() {
    let manifest_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    let mut code = String::new();
    embed(
        &mut code,
        "EMBEDDED_POLICIES",
        &manifest_dir.join("policies"),
    );
    // Each rule's fixtures double as the examples `explain` shows.
    embed(
        &mut code,
        "EMBEDDED_EXAMPLES",
        &manifest_dir.join("fixtures/rules"),
    );
    let out =
        PathBuf::from(std::env::var("OUT_DIR").unwrap_or_default()).join("embedded_policies.rs");
    if let Err(e) = std::fs::write(&out, code) {
        panic!("cannot write {}: {e}", out.display());
    }
}
