//! The credentials of `fixtures/secrets-corpus` (issue #17) and the check that a text shows
//! none of them: not the value, not its base64, not any 8-character piece of either.

use std::path::PathBuf;

pub fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/secrets-corpus")
}

/// (value, where it stands) for every credential listed in `secrets.txt`.
pub fn secrets() -> Vec<(String, String)> {
    let list = std::fs::read_to_string(corpus_dir().join("secrets.txt")).expect("secrets.txt");
    list.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let (value, label) = l.split_once('\t').expect("<value>\\t<label>");
            (value.to_string(), label.to_string())
        })
        .collect()
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The forms of a credential a report must never show: the value, its base64 (without the
/// padding, which is not secret) and every 8-character window of either.
pub fn forbidden_forms(value: &str) -> Vec<String> {
    let encoded = base64(value.as_bytes()).trim_end_matches('=').to_string();
    let mut forms = vec![value.to_string(), encoded.clone()];
    for text in [value, encoded.as_str()] {
        let chars: Vec<char> = text.chars().collect();
        for window in chars.windows(8) {
            forms.push(window.iter().collect());
        }
    }
    forms
}

/// Every (credential label, piece) that `text` shows.
pub fn leaks(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (value, label) in secrets() {
        for form in forbidden_forms(&value) {
            if text.contains(&form) {
                found.push(format!("{label}: {form:?}"));
                break;
            }
        }
    }
    found
}

#[test]
fn base64_matches_the_standard_alphabet() {
    assert_eq!(base64(b"password=hunter2"), "cGFzc3dvcmQ9aHVudGVyMg==");
    assert_eq!(base64(b"ab"), "YWI=");
}
