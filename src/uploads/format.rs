//! Which format an uploaded file is: its bytes first (magic numbers, binary content), then
//! its name's extension and the declared type, then a look at the text itself.

use crate::crawl::extract::looks_binary;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadFormat {
    Pdf,
    Docx,
    Html,
    Json,
    Yaml,
    Markdown,
    AsciiDoc,
    Csv,
    Sql,
    Xml,
    GraphQl,
    Text,
}

impl UploadFormat {
    /// The MIME type chunks report as `metadata.content_type`.
    pub fn mime(self) -> &'static str {
        match self {
            UploadFormat::Pdf => "application/pdf",
            UploadFormat::Docx => DOCX_MIME,
            UploadFormat::Html => "text/html",
            UploadFormat::Json => "application/json",
            UploadFormat::Yaml => "application/yaml",
            UploadFormat::Markdown => "text/markdown",
            UploadFormat::AsciiDoc => "text/asciidoc",
            UploadFormat::Csv => "text/csv",
            UploadFormat::Sql => "application/sql",
            UploadFormat::Xml => "application/xml",
            UploadFormat::GraphQl => "application/graphql",
            UploadFormat::Text => "text/plain",
        }
    }

    /// Binary formats parsed in a separate, bounded process.
    pub fn is_binary(self) -> bool {
        matches!(self, UploadFormat::Pdf | UploadFormat::Docx)
    }
}

const DOCX_MIME: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// How many leading bytes the request screens before spooling the rest.
pub const SCREEN_BYTES: usize = 8 * 1024;

/// The one-sentence reason an upload is refused with 415 before it is spooled.
pub type Refusal = String;

/// Decides from the first bytes (up to [`SCREEN_BYTES`]), the file name and the declared
/// type whether the file can be documentation at all. `Ok` does not promise the job will
/// succeed: a PDF may turn out encrypted, a ZIP may lack a Word document.
pub fn screen(head: &[u8], file_name: &str, declared: &str) -> Result<(), Refusal> {
    if let Some(binary) = known_binary(head, file_name, declared) {
        return match binary {
            Binary::Supported(_) => Ok(()),
            Binary::Refused(reason) => Err(reason),
        };
    }
    if looks_binary(head) {
        return Err(format!(
            "{file_name} is binary data, not a document this service reads; {SUPPORTED}"
        ));
    }
    Ok(())
}

/// The formats accepted, for refusal sentences.
pub const SUPPORTED: &str = "supported are PDF, DOCX, OpenAPI / Swagger, Jupyter notebooks, \
    JSON, YAML, HTML, Markdown, AsciiDoc, CSV, SQL, XML, GraphQL and plain text";

enum Binary {
    Supported(UploadFormat),
    Refused(Refusal),
}

/// Magic numbers of the binary formats an upload may be.
fn known_binary(head: &[u8], file_name: &str, declared: &str) -> Option<Binary> {
    // A PDF header may follow up to 1 KiB of junk (as readers allow).
    if head[..head.len().min(1024)]
        .windows(5)
        .any(|w| w == b"%PDF-")
    {
        return Some(Binary::Supported(UploadFormat::Pdf));
    }
    if head.starts_with(b"PK\x03\x04") {
        return Some(zip_kind(head, file_name, declared));
    }
    let refused = |what: &str| {
        Some(Binary::Refused(format!(
            "{file_name} is {what}; {SUPPORTED}"
        )))
    };
    const SIGNATURES: &[(&[u8], &str)] = &[
        (
            b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1",
            "a legacy Office file (.doc, .xls or .ppt): save it as DOCX or PDF",
        ),
        (b"{\\rtf", "an RTF document: save it as DOCX or PDF"),
        (b"\x89PNG\r\n\x1a\n", "a PNG image"),
        (b"\xFF\xD8\xFF", "a JPEG image"),
        (b"GIF87a", "a GIF image"),
        (b"GIF89a", "a GIF image"),
        (b"II*\x00", "a TIFF image"),
        (b"MM\x00*", "a TIFF image"),
        (b"\x1F\x8B", "a gzip archive"),
        (b"BZh", "a bzip2 archive"),
        (b"\xFD7zXZ\x00", "an xz archive"),
        (b"7z\xBC\xAF\x27\x1C", "a 7-Zip archive"),
        (b"Rar!\x1A\x07", "a RAR archive"),
        (b"\x28\xB5\x2F\xFD", "a Zstandard archive"),
        (b"\x7FELF", "an executable"),
        (b"\xCF\xFA\xED\xFE", "an executable"),
        (b"\x00asm", "a WebAssembly module"),
        (b"SQLite format 3\x00", "an SQLite database"),
        (b"OggS", "an audio file"),
        (b"ID3", "an audio file"),
        (b"fLaC", "an audio file"),
    ];
    for (magic, what) in SIGNATURES {
        if head.starts_with(magic) {
            return refused(what);
        }
    }
    if head.starts_with(b"RIFF") || head.get(4..8) == Some(b"ftyp") {
        return refused("an image, audio or video file");
    }
    if head.starts_with(b"MZ") && looks_binary(head) {
        return refused("an executable");
    }
    None
}

/// A ZIP is a DOCX when its name, its declared type or its first entry says it is an
/// Office Open XML package; the job then checks it holds a Word document.
fn zip_kind(head: &[u8], file_name: &str, declared: &str) -> Binary {
    let extension = extension(file_name);
    if extension == "docx" || declared == DOCX_MIME {
        return Binary::Supported(UploadFormat::Docx);
    }
    let named = |what: &str| {
        Binary::Refused(format!(
            "{file_name} is {what}, which this service does not read; {SUPPORTED}"
        ))
    };
    match extension.as_str() {
        "xlsx" | "xlsm" => return named("an Excel workbook"),
        "pptx" => return named("a PowerPoint presentation"),
        "odt" | "ods" | "odp" => return named("an OpenDocument file (save it as DOCX or PDF)"),
        "epub" => return named("an EPUB book"),
        "jar" | "war" | "apk" => return named("a Java or Android archive"),
        _ => {}
    }
    // The local header of the first entry: its name starts at offset 30.
    let name_len = head
        .get(26..28)
        .map(|b| usize::from(u16::from_le_bytes([b[0], b[1]])))
        .unwrap_or(0);
    let first_entry = head
        .get(30..30 + name_len)
        .map(String::from_utf8_lossy)
        .unwrap_or_default();
    if first_entry == "[Content_Types].xml"
        || first_entry.starts_with("word/")
        || first_entry.starts_with("_rels/")
        || first_entry.starts_with("docProps/")
    {
        return Binary::Supported(UploadFormat::Docx);
    }
    named("a ZIP archive (upload the files inside it one by one)")
}

/// Decides the format of a whole file that passed [`screen`].
pub fn detect(bytes: &[u8], file_name: &str, declared: &str) -> UploadFormat {
    if let Some(Binary::Supported(format)) = known_binary(bytes, file_name, declared) {
        return format;
    }
    by_name(file_name)
        .or_else(|| by_declared_type(declared))
        .unwrap_or_else(|| sniff_text(bytes))
}

fn extension(file_name: &str) -> String {
    file_name
        .rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .unwrap_or_default()
}

/// The format a specific extension names; generic ones (`.txt`, none) leave it open.
fn by_name(file_name: &str) -> Option<UploadFormat> {
    Some(match extension(file_name).as_str() {
        "pdf" => UploadFormat::Pdf,
        "docx" => UploadFormat::Docx,
        "html" | "htm" | "xhtml" => UploadFormat::Html,
        "json" | "ipynb" => UploadFormat::Json,
        "yaml" | "yml" => UploadFormat::Yaml,
        "md" | "markdown" | "mdown" | "mkd" => UploadFormat::Markdown,
        "adoc" | "asciidoc" | "asc" => UploadFormat::AsciiDoc,
        "csv" | "tsv" => UploadFormat::Csv,
        "sql" | "ddl" => UploadFormat::Sql,
        "xml" | "xsd" | "wsdl" | "wadl" => UploadFormat::Xml,
        "graphql" | "gql" | "graphqls" => UploadFormat::GraphQl,
        _ => return None,
    })
}

fn by_declared_type(declared: &str) -> Option<UploadFormat> {
    let mime = declared
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    Some(match mime.as_str() {
        "application/pdf" => UploadFormat::Pdf,
        DOCX_MIME => UploadFormat::Docx,
        "text/html" | "application/xhtml+xml" => UploadFormat::Html,
        "application/json" | "text/json" => UploadFormat::Json,
        _ if mime.ends_with("+json") => UploadFormat::Json,
        "application/yaml"
        | "application/x-yaml"
        | "text/yaml"
        | "text/x-yaml"
        | "application/vnd.yaml" => UploadFormat::Yaml,
        _ if mime.ends_with("+yaml") => UploadFormat::Yaml,
        "text/markdown" | "text/x-markdown" => UploadFormat::Markdown,
        "text/asciidoc" | "text/x-asciidoc" => UploadFormat::AsciiDoc,
        "text/csv" | "application/csv" | "text/tab-separated-values" => UploadFormat::Csv,
        "application/sql" | "application/x-sql" | "text/sql" | "text/x-sql" => UploadFormat::Sql,
        "application/xml" | "text/xml" => UploadFormat::Xml,
        _ if mime.ends_with("+xml") => UploadFormat::Xml,
        "application/graphql" => UploadFormat::GraphQl,
        _ => return None,
    })
}

/// Text whose name and type say nothing specific: HTML, XML, JSON, an OpenAPI YAML, or
/// Markdown / AsciiDoc by their headings; plain text otherwise.
fn sniff_text(bytes: &[u8]) -> UploadFormat {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(SCREEN_BYTES)]);
    let text = head.trim_start_matches('\u{feff}').trim_start();
    let lower: String = text
        .chars()
        .take(1024)
        .collect::<String>()
        .to_ascii_lowercase();
    if lower.starts_with("<!doctype html") || lower.starts_with("<html") || lower.contains("<html")
    {
        return UploadFormat::Html;
    }
    if lower.starts_with('<') {
        return UploadFormat::Xml;
    }
    if (text.starts_with('{') || text.starts_with('['))
        && serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_ok()
    {
        return UploadFormat::Json;
    }
    let first_line = text
        .lines()
        .find(|line| !line.trim().is_empty() && !line.starts_with('#'))
        .unwrap_or("");
    if first_line.starts_with("openapi:") || first_line.starts_with("swagger:") {
        return UploadFormat::Yaml;
    }
    if text.starts_with("= ") && text.lines().any(|line| line.starts_with("== ")) {
        return UploadFormat::AsciiDoc;
    }
    let markdown_heading = |line: &str| {
        let hashes = line.chars().take_while(|c| *c == '#').count();
        (1..=6).contains(&hashes) && line[hashes..].starts_with(' ')
    };
    if text.lines().any(markdown_heading) || text.lines().any(|line| line.starts_with("```")) {
        return UploadFormat::Markdown;
    }
    UploadFormat::Text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_numbers_come_before_names_and_types() {
        assert_eq!(
            detect(b"%PDF-1.7\n...", "notes.txt", "text/plain"),
            UploadFormat::Pdf
        );
        assert!(screen(b"\x89PNG\r\n\x1a\n\0\0", "spec.pdf", "application/pdf").is_err());
        let refusal = screen(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0", "old.doc", "").unwrap_err();
        assert!(refusal.contains("legacy Office"), "{refusal}");
        assert!(screen(b"\x7FELF\x02\x01\x01\0\0\0", "x", "").is_err());
    }

    #[test]
    fn zips_are_docx_only_when_something_says_so() {
        let mut docx = b"PK\x03\x04".to_vec();
        docx.extend([0u8; 22]);
        docx.extend(19u16.to_le_bytes());
        docx.extend([0u8; 2]);
        docx.extend(b"[Content_Types].xml");
        assert!(screen(&docx, "file.bin", "application/octet-stream").is_ok());
        assert_eq!(detect(&docx, "file.bin", ""), UploadFormat::Docx);
        let mut plain_zip = b"PK\x03\x04".to_vec();
        plain_zip.extend([0u8; 22]);
        plain_zip.extend(7u16.to_le_bytes());
        plain_zip.extend([0u8; 2]);
        plain_zip.extend(b"a/b.txt");
        assert!(screen(&plain_zip, "docs.zip", "application/zip").is_err());
        assert!(screen(&plain_zip, "sheet.xlsx", "")
            .unwrap_err()
            .contains("Excel"));
        assert!(screen(&plain_zip, "spec.docx", "").is_ok());
    }

    #[test]
    fn binary_without_magic_is_refused_and_text_is_not() {
        let noise: Vec<u8> = (0..4096u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        assert!(screen(&noise, "blob", "").is_err());
        assert!(screen("Grüße, naïve café".as_bytes(), "a.txt", "").is_ok());
        assert!(screen(b"\xFF\xFEh\0i\0", "utf16.txt", "").is_ok());
    }

    #[test]
    fn names_then_types_then_the_text_itself() {
        assert_eq!(detect(b"a,b\n1,2\n", "t.csv", ""), UploadFormat::Csv);
        assert_eq!(detect(b"select 1;", "q.sql", ""), UploadFormat::Sql);
        assert_eq!(
            detect(b"type Query { a: Int }", "s.graphql", ""),
            UploadFormat::GraphQl
        );
        assert_eq!(
            detect(b"= Guide\n\n== Intro\n", "g.adoc", ""),
            UploadFormat::AsciiDoc
        );
        assert_eq!(
            detect(b"{}", "upload", "application/json"),
            UploadFormat::Json
        );
        assert_eq!(
            detect(b"<!DOCTYPE html><p>x", "page", ""),
            UploadFormat::Html
        );
        assert_eq!(
            detect(b"<?xml version='1.0'?><a/>", "x", ""),
            UploadFormat::Xml
        );
        assert_eq!(
            detect(br#"{"openapi": "3.0.0"}"#, "spec", ""),
            UploadFormat::Json
        );
        assert_eq!(
            detect(b"openapi: 3.0.0\ninfo: {}\n", "spec.txt", "text/plain"),
            UploadFormat::Yaml
        );
        assert_eq!(
            detect(b"Intro\n\n## Users\n", "notes.txt", ""),
            UploadFormat::Markdown
        );
        assert_eq!(
            detect(b"= Guide\n\n== Intro\n", "notes", ""),
            UploadFormat::AsciiDoc
        );
        assert_eq!(detect(b"just words", "notes.txt", ""), UploadFormat::Text);
        assert_eq!(detect(b"{ not json", "notes", ""), UploadFormat::Text);
    }
}
