//! Builds the token counter's tables (`cl100k_base`) into `OUT_DIR`, without what
//! counting never reads.
//!
//! `bpe-openai` embeds tables with three automata over the vocabulary: one finds the
//! longest token at a position (counting and encoding use it), two find every token
//! ending at a position, over the text and over its reverse (only the table, minimal,
//! appendable, prependable and interval encoders use them). Those two, and a map from a
//! token's hash to the token that only the bitfield encoder reads, are 8 MiB of the
//! resident tables of every running docscrape, so the tables are built here with each of
//! those two automata replaced by a one-token automaton and the map left empty.
//! `src/crawl/tokens.rs` loads them and only counts and splits; its tests check the
//! counts against `bpe-openai`'s full tables and against tiktoken.

use std::io::Read;
use std::path::PathBuf;

use bpe::byte_pair_encoding::{read_tiktoken, BytePairEncoding};

/// The vocabulary, as `bpe-openai` 0.3.2 ships it (see `assets/vendor/README.md`).
const VOCABULARY: &str = "assets/vendor/cl100k_base.tiktoken.gz";
/// The hash factor `bpe-openai` builds its `cl100k_base` tables with.
const HASH_FACTOR: u64 = 17_846_336_922_010_275_747;
/// The positions of the two every-token automata and of the hash-to-token map among the
/// serialised fields of `BytePairEncoding` (a MessagePack array, in declaration order).
const ALL_MATCHES_FIELDS: [usize; 2] = [6, 7];
const HASH_TO_TOKEN_FIELD: usize = 2;
const FIELDS: usize = 10;

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed={VOCABULARY}");
    let mut vocabulary = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(VOCABULARY).expect("vocabulary file"))
        .read_to_string(&mut vocabulary)
        .expect("vocabulary is gzipped text");
    let tokens = read_tiktoken(&vocabulary).expect("vocabulary is in tiktoken's format");
    let tables = BytePairEncoding::from_dictionary(tokens, Some(HASH_FACTOR));
    let serialised = rmp_serde::to_vec(&tables).expect("tables serialise");

    let rmpv::Value::Array(mut fields) =
        rmpv::decode::read_value(&mut serialised.as_slice()).expect("tables read back")
    else {
        panic!("BytePairEncoding no longer serialises as an array of fields");
    };
    assert_eq!(fields.len(), FIELDS, "BytePairEncoding's fields changed");
    let one_token = aneubeck_daachorse::DoubleArrayAhoCorasick::<u32>::new([[0u8]])
        .expect("a one-token automaton builds")
        .serialize();
    for field in ALL_MATCHES_FIELDS {
        assert!(
            matches!(fields[field], rmpv::Value::Binary(_)),
            "field {field} of BytePairEncoding is no longer an automaton"
        );
        fields[field] = rmpv::Value::Binary(one_token.clone());
    }
    assert!(
        matches!(fields[HASH_TO_TOKEN_FIELD], rmpv::Value::Map(_)),
        "field {HASH_TO_TOKEN_FIELD} of BytePairEncoding is no longer a map"
    );
    fields[HASH_TO_TOKEN_FIELD] = rmpv::Value::Map(Vec::new());
    let mut trimmed = Vec::new();
    rmpv::encode::write_value(&mut trimmed, &rmpv::Value::Array(fields)).expect("tables write");
    check_counting(&tables, &trimmed);

    let mut path = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    path.push("cl100k_base_counting.tables");
    std::fs::write(path, trimmed).expect("tables are written to OUT_DIR");
}

/// The trimmed tables read back and count as the full ones: were the fields reordered
/// (the three automata are all bytes), the longest-match automaton would be the one
/// replaced and this fails the build.
fn check_counting(full: &BytePairEncoding, trimmed: &[u8]) {
    let read: BytePairEncoding = rmp_serde::from_slice(trimmed).expect("trimmed tables read back");
    let mut run = Vec::new();
    for id in (0..full.num_tokens() as u32).step_by(101) {
        let bytes = full.token_bytes(id);
        assert_eq!(read.count(bytes), 1, "token {id} counts as one");
        run.extend_from_slice(bytes);
    }
    assert_eq!(
        read.count(&run),
        full.count(&run),
        "a run of tokens counts the same"
    );
}
