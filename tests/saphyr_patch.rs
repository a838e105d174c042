//! The vendored saphyr-parser's patches (vendor/saphyr-parser/PATCHES.md) scan a `&str` input's
//! plain scalars and indentation as bytes. The character-at-a-time loops they replace are still
//! there, as the `Input` trait's default methods, and a parser over a `char` iterator
//! (`BufferedInput`) runs them. So the two inputs must give the same events, spans and errors
//! for any text: checked here on every YAML file of the repository and on generated strings
//! made of the characters that matter to YAML's scanner.

use std::path::Path;

use saphyr_parser::{Event, Parser, ScanError, Span};

/// Every event (and span) up to the end of the stream or the first error.
fn events<I: Iterator<Item = Result<(Event<'static>, Span), ScanError>>>(
    parser: I,
) -> Vec<Result<(Event<'static>, Span), ScanError>> {
    let mut out = Vec::new();
    for item in parser {
        let stop = item.is_err();
        out.push(item);
        if stop {
            break;
        }
    }
    out
}

fn byte_scanner(text: &str) -> Vec<Result<(Event<'static>, Span), ScanError>> {
    events(Parser::new_from_str(text).map(|item| item.map(|(e, s)| (owned(e), s))))
}

fn char_scanner(text: &str) -> Vec<Result<(Event<'static>, Span), ScanError>> {
    events(Parser::new_from_iter(text.chars()).map(|item| item.map(|(e, s)| (owned(e), s))))
}

/// The event with its text owned (a `&str` input borrows scalars from the text).
fn owned(event: Event<'_>) -> Event<'static> {
    match event {
        Event::Scalar(text, style, anchor, tag) => Event::Scalar(
            std::borrow::Cow::Owned(text.into_owned()),
            style,
            anchor,
            tag.map(|t| std::borrow::Cow::Owned(t.into_owned())),
        ),
        Event::MappingStart(anchor, tag) => {
            Event::MappingStart(anchor, tag.map(|t| std::borrow::Cow::Owned(t.into_owned())))
        }
        Event::SequenceStart(anchor, tag) => {
            Event::SequenceStart(anchor, tag.map(|t| std::borrow::Cow::Owned(t.into_owned())))
        }
        Event::Nothing => Event::Nothing,
        Event::StreamStart => Event::StreamStart,
        Event::StreamEnd => Event::StreamEnd,
        Event::DocumentStart(explicit) => Event::DocumentStart(explicit),
        Event::DocumentEnd => Event::DocumentEnd,
        Event::Alias(id) => Event::Alias(id),
        Event::SequenceEnd => Event::SequenceEnd,
        Event::MappingEnd => Event::MappingEnd,
    }
}

fn assert_same(text: &str, origin: &str) {
    let bytes = byte_scanner(text);
    let chars = char_scanner(text);
    assert_eq!(
        bytes, chars,
        "byte and character scanners differ on {origin}: {text:?}"
    );
}

#[test]
fn repository_yaml_scans_the_same_through_both_inputs() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut checked = 0;
    for dir in ["fixtures", "charts", "deploy", "policies"] {
        for entry in walkdir::WalkDir::new(root.join(dir))
            .into_iter()
            .filter_map(Result::ok)
        {
            let path = entry.path();
            let yaml = path.extension().is_some_and(|e| e == "yaml" || e == "yml");
            if !yaml {
                continue;
            }
            // Non-UTF-8 fixtures (binary input) are not text to scan.
            if let Ok(text) = std::fs::read_to_string(path) {
                assert_same(&text, &path.display().to_string());
                checked += 1;
            }
        }
    }
    assert!(checked > 100, "only {checked} YAML files found");
}

#[test]
fn edge_cases_scan_the_same_through_both_inputs() {
    for text in [
        "a: b\n",
        "url: http://example.com:8080/x\n",
        "k: a:b\n",
        "k: a: b\n",
        "k: {a: b:c, d:e, f: [g:h, i]}\n",
        "[a:b, c: d, :e]\n",
        "k: héllo wörld ✓ 日本\n",
        "ké: vé\nlist: [ü, ö]\n",
        "k: a\u{FEFF}b\n",
        "k: a\0b\n",
        "k: a\tb\n",
        "k: a #c\n",
        "k: a#b\n",
        "k: multi\n  line\n   plain\n",
        "- a\n-   b\n    - c\n",
        "    \n  \t\nk: v\n",
        "k:\n\t- a\n",
        "k: v     \n",
        "a:",
        "a: b",
        "{a: b}",
        "- x:",
        "k: -a\n",
        "k: --- \n---\nk: ...\n...\n",
    ] {
        assert_same(text, "an edge case");
    }
}

#[test]
fn generated_strings_scan_the_same_through_both_inputs() {
    // Characters that steer the scanner, plus plain text and a few multi-byte characters.
    const ALPHABET: &[char] = &[
        ' ', ' ', ' ', '\t', '\n', '\n', '\r', ':', ':', ',', '[', ']', '{', '}', '-', '#', '?',
        '"', '\'', '|', '>', '&', '*', '!', '.', 'a', 'b', 'k', '1', 'é', '✓', '\u{FEFF}',
    ];
    // A fixed-seed linear congruential generator: the same strings on every run.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) as usize
    };
    for _ in 0..20_000 {
        let len = next() % 48;
        let text: String = (0..len)
            .map(|_| ALPHABET[next() % ALPHABET.len()])
            .collect();
        assert_same(&text, "a generated string");
    }
}
