//! The crawler: fetch → robots / scope checks → one extraction pipeline per content type
//! → chunking, driven per job by `runner`.

pub mod chunk;
pub mod classify;
pub mod cpu_pool;
pub mod decompress;
pub mod discovery;
pub mod document_chunks;
pub mod extract;
pub mod fetch;
pub mod hosts;
pub mod netpolicy;
pub mod rank;
pub mod robots;
pub mod runner;
pub mod scope;
pub mod script_links;
pub mod template;
pub mod text;
pub mod tokens;
pub mod versions;
