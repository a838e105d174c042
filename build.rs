//! Embeds every file under `policies/` (and the rule fixtures, as `explain` examples) into the
//! binary, so the shipped rule pack works from any directory without data files beside it, and
//! compiles the shipped pack to a VM program (`pack.rvm`, plus the rules' metadata): compiling
//! it took ~17 ms of every run's start-up; deserializing the program takes a fraction of that.
//! A pack that does not compile fails the build, with the compiler's message.

// The pack compiler itself, shared with the binary (src/policy/compile.rs and what it uses).
#[allow(dead_code)] // the binary uses more of it than the build does
#[path = "src/policy/compile.rs"]
mod compile;
#[allow(dead_code)] // not every error can happen at build time
#[path = "src/policy/error.rs"]
mod error;
#[allow(dead_code)] // the binary uses more of it than the build does
#[path = "src/policy/meta.rs"]
mod meta;

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
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_default());
    write(&out_dir.join("embedded_policies.rs"), code.as_bytes());
    let (program, metadata) = match compile_shipped_pack(&manifest_dir.join("policies")) {
        Ok(compiled) => compiled,
        Err(e) => panic!("the rule pack in policies/ does not compile: {e}"),
    };
    write(&out_dir.join("pack.rvm"), &program);
    write(&out_dir.join("pack-metadata.json"), metadata.as_bytes());
}

fn write(path: &Path, contents: &[u8]) {
    if let Err(e) = std::fs::write(path, contents) {
        panic!("cannot write {}: {e}", path.display());
    }
}

/// The shipped pack (no parameter overrides) as the binary's `PolicyPack::load` would compile
/// it: the serialized program and `[[package, metadata]]`.
fn compile_shipped_pack(root: &Path) -> Result<(Vec<u8>, String), String> {
    let mut paths = Vec::new();
    collect(root, &mut paths);
    let mut files = Vec::new();
    for path in paths {
        let rel = path
            .strip_prefix(root)
            .unwrap_or(&path)
            .to_string_lossy()
            .replace('\\', "/");
        let text = std::fs::read_to_string(&path).map_err(|e| format!("{rel}: {e}"))?;
        // The same names the binary gives embedded files, for the program's sources.
        files.push(compile::PolicyFile {
            path: format!("policies/{rel}"),
            text,
        });
    }
    let compiled = compile::compile_pack(&files, Default::default()).map_err(|e| e.to_string())?;
    let bytes = compiled.program.serialize_binary()?;
    let metadata = serde_json::to_string(&compiled.declared).map_err(|e| e.to_string())?;
    Ok((bytes, metadata))
}
