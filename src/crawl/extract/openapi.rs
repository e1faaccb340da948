//! Renders OpenAPI 3.x and Swagger 2.0 documents as Markdown.
//!
//! Every operation becomes one `## METHOD /path` section that contains only
//! `###`/`####` sub-headings and already has its `$ref`s expanded, so a
//! Markdown chunker that cuts at `##` keeps each operation self-contained.
//! Schema expansion is bounded (cycle guard, depth cap, line budget) so that
//! huge or recursive specs render in bounded time and size.

use std::collections::HashMap;
use std::fmt::{self, Write as _};

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpecFormat {
    Json,
    Yaml,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiSpec {
    pub title: Option<String>,
    pub version: Option<String>,
    pub markdown: String,
    pub operation_count: usize,
}

/// Returns `None` unless `text` parses and has a top-level `openapi` key
/// whose value starts with `3` or a `swagger` key whose value starts with `2`.
pub fn parse_api_spec(text: &str, format: SpecFormat) -> Option<ApiSpec> {
    let root = match format {
        SpecFormat::Json => parse_json(text)?,
        SpecFormat::Yaml => parse_yaml(text)?,
    };
    if !is_supported_spec(&root) {
        return None;
    }
    Some(Renderer::new(&root).render())
}

const HTTP_METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];
/// Deep enough for realistic nested payloads, shallow enough to keep one
/// operation's section readable.
const MAX_SCHEMA_DEPTH: usize = 6;
/// Caps the lines one schema expands to; wide schemas referencing wide
/// schemas would otherwise grow exponentially with depth.
const MAX_SCHEMA_LINES: usize = 120;
const MAX_ENUM_VALUES: usize = 12;
const MAX_CELL_CHARS: usize = 300;
/// Node nesting allowed when converting YAML; deeper documents are not specs
/// and recursive conversion/drop could exhaust the stack.
const MAX_YAML_NESTING: usize = 256;

// ---------------------------------------------------------------------------
// Document model

/// An order-preserving JSON/YAML value: operations must be rendered in
/// document order, which `serde_json::Value` (a BTreeMap without the
/// `preserve_order` feature) would lose.
#[derive(Debug, Clone, PartialEq)]
enum Node {
    Null,
    Bool(bool),
    Number(String),
    String(String),
    Array(Vec<Node>),
    Object(Vec<(String, Node)>),
}

impl Node {
    fn get(&self, key: &str) -> Option<&Node> {
        match self {
            Node::Object(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    fn entries(&self) -> &[(String, Node)] {
        match self {
            Node::Object(entries) => entries,
            _ => &[],
        }
    }

    fn items(&self) -> &[Node] {
        match self {
            Node::Array(items) => items,
            _ => &[],
        }
    }

    fn as_str(&self) -> Option<&str> {
        match self {
            Node::String(s) => Some(s),
            _ => None,
        }
    }

    fn str_at(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(Node::as_str)
    }

    fn is_true(&self, key: &str) -> bool {
        matches!(self.get(key), Some(Node::Bool(true)))
    }

    /// Scalars as text, for versions (`3.0` may be a YAML float) and enums.
    fn scalar_text(&self) -> Option<String> {
        match self {
            Node::Null => Some("null".to_string()),
            Node::Bool(b) => Some(b.to_string()),
            Node::Number(n) | Node::String(n) => Some(n.clone()),
            _ => None,
        }
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Node, E> {
        Ok(Node::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Node, E> {
        Ok(Node::Number(v.to_string()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Node, E> {
        Ok(Node::Number(v.to_string()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Node, E> {
        Ok(Node::Number(v.to_string()))
    }
    fn visit_str<E>(self, v: &str) -> Result<Node, E> {
        Ok(Node::String(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Node, E> {
        Ok(Node::String(v))
    }
    fn visit_unit<E>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_none<E>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Node::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut entries = Vec::new();
        while let Some((key, value)) = map.next_entry::<String, Node>()? {
            entries.push((key, value));
        }
        Ok(Node::Object(entries))
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Node, D::Error> {
        deserializer.deserialize_any(NodeVisitor)
    }
}

/// serde_json's recursion limit (128) protects the stack here.
fn parse_json(text: &str) -> Option<Node> {
    serde_json::from_str(text.trim_start_matches('\u{feff}')).ok()
}

fn parse_yaml(text: &str) -> Option<Node> {
    use saphyr::LoadableYamlNode;
    if flow_nesting_exceeds(text, MAX_YAML_NESTING) {
        return None;
    }
    let docs = saphyr::Yaml::load_from_str(text).ok()?;
    let first = docs.into_iter().next()?;
    yaml_to_node(&first, 0)
}

/// Cheap pre-check against `[[[[…` bombs: the YAML loader builds and drops
/// its tree recursively, so absurd nesting must be refused before parsing.
/// Brackets inside quoted scalars are counted too, which only errs towards
/// refusing pathological input.
fn flow_nesting_exceeds(text: &str, limit: usize) -> bool {
    let mut depth: usize = 0;
    for byte in text.bytes() {
        match byte {
            b'[' | b'{' => {
                depth += 1;
                if depth > limit {
                    return true;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

fn yaml_to_node(yaml: &saphyr::Yaml, depth: usize) -> Option<Node> {
    use saphyr::{Scalar, Yaml};
    if depth > MAX_YAML_NESTING {
        return None;
    }
    Some(match yaml {
        Yaml::Value(Scalar::Null) | Yaml::Alias(_) | Yaml::BadValue => Node::Null,
        Yaml::Value(Scalar::Boolean(b)) => Node::Bool(*b),
        Yaml::Value(Scalar::Integer(i)) => Node::Number(i.to_string()),
        Yaml::Value(Scalar::FloatingPoint(f)) => Node::Number(f.to_string()),
        Yaml::Value(Scalar::String(s)) => Node::String(s.to_string()),
        Yaml::Representation(s, _, _) => Node::String(s.to_string()),
        Yaml::Tagged(_, inner) => yaml_to_node(inner, depth + 1)?,
        Yaml::Sequence(items) => Node::Array(
            items
                .iter()
                .map(|item| yaml_to_node(item, depth + 1))
                .collect::<Option<_>>()?,
        ),
        Yaml::Mapping(map) => {
            let mut entries = Vec::with_capacity(map.len());
            let mut merged = Vec::new();
            for (key, value) in map {
                let value = yaml_to_node(value, depth + 1)?;
                match yaml_key_text(key) {
                    Some(k) if k == "<<" => merged.push(value),
                    Some(k) => entries.push((k, value)),
                    None => {}
                }
            }
            apply_merge_keys(&mut entries, merged);
            Node::Object(entries)
        }
    })
}

/// YAML keys may be integers (`200:` response codes) or booleans; complex
/// keys cannot occur in OpenAPI and are dropped.
fn yaml_key_text(key: &saphyr::Yaml) -> Option<String> {
    yaml_to_node(key, MAX_YAML_NESTING).and_then(|node| node.scalar_text())
}

/// `<<: *base` merge keys are common in hand-written YAML specs; explicit
/// keys win over merged ones, as the YAML merge spec requires.
fn apply_merge_keys(entries: &mut Vec<(String, Node)>, merged: Vec<Node>) {
    for source in merged {
        let sources = match source {
            Node::Array(items) => items,
            other => vec![other],
        };
        for source in sources {
            if let Node::Object(extra) = source {
                for (k, v) in extra {
                    if !entries.iter().any(|(existing, _)| *existing == k) {
                        entries.push((k, v));
                    }
                }
            }
        }
    }
}

fn is_supported_spec(root: &Node) -> bool {
    let version_starts_with = |key: &str, major: char| {
        root.get(key)
            .and_then(Node::scalar_text)
            .is_some_and(|v| v.trim().starts_with(major))
    };
    version_starts_with("openapi", '3') || version_starts_with("swagger", '2')
}

// ---------------------------------------------------------------------------
// Rendering

struct Renderer<'a> {
    root: &'a Node,
    is_swagger2: bool,
    /// Direct lookup for the common `#/components/<kind>/<name>` and
    /// `#/<definitions|parameters|responses>/<name>` refs; a linear scan per
    /// ref would be quadratic on specs with thousands of schemas.
    refs: HashMap<String, &'a Node>,
    out: String,
}

impl<'a> Renderer<'a> {
    fn new(root: &'a Node) -> Self {
        Self {
            root,
            is_swagger2: root.get("swagger").is_some(),
            refs: index_refs(root),
            out: String::new(),
        }
    }

    fn render(mut self) -> ApiSpec {
        let info = self.root.get("info");
        let title = info.and_then(|i| i.str_at("title")).map(clean_inline);
        let version = info
            .and_then(|i| i.get("version"))
            .and_then(Node::scalar_text)
            .map(|v| clean_inline(&v));
        self.render_header(title.as_deref(), version.as_deref());
        let operation_count = self.render_paths();
        self.render_security_schemes();
        ApiSpec {
            title,
            version,
            markdown: self.out.trim_end().to_string() + "\n",
            operation_count,
        }
    }

    fn render_header(&mut self, title: Option<&str>, version: Option<&str>) {
        let heading = [title.unwrap_or("API"), version.unwrap_or("")]
            .iter()
            .filter(|p| !p.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" ");
        let _ = writeln!(self.out, "# {heading}\n");
        if let Some(description) = self.root.get("info").and_then(|i| i.str_at("description")) {
            self.push_block(description);
        }
        let base_urls = self.base_urls();
        if !base_urls.is_empty() {
            let _ = writeln!(self.out, "Base URL: {}\n", base_urls.join(", "));
        }
    }

    fn base_urls(&self) -> Vec<String> {
        if self.is_swagger2 {
            let host = self.root.str_at("host").unwrap_or("");
            let base = self.root.str_at("basePath").unwrap_or("");
            let joined = format!("{host}{base}");
            return if joined.is_empty() {
                Vec::new()
            } else {
                vec![format!("`{}`", clean_inline(&joined))]
            };
        }
        let servers = self.root.get("servers").map(Node::items).unwrap_or(&[]);
        servers
            .iter()
            .filter_map(|s| s.str_at("url"))
            .map(|url| format!("`{}`", clean_inline(url)))
            .collect()
    }

    fn render_paths(&mut self) -> usize {
        let root = self.root;
        let paths = root.get("paths").map(Node::entries).unwrap_or(&[]);
        let mut count = 0;
        for (path, item) in paths {
            let item = self.resolve(item);
            for (method, operation) in item.entries() {
                let method = method.to_ascii_lowercase();
                if HTTP_METHODS.contains(&method.as_str()) {
                    self.render_operation(&method, path, item, operation);
                    count += 1;
                }
            }
        }
        count
    }

    fn render_operation(&mut self, method: &str, path: &str, item: &Node, op: &Node) {
        let op = self.resolve(op);
        let _ = writeln!(
            self.out,
            "## {} {}\n",
            method.to_ascii_uppercase(),
            clean_inline(path)
        );
        self.render_operation_intro(op);
        let parameters = self.merged_parameters(item, op);
        self.render_parameter_table(&parameters);
        self.render_request_body(op, &parameters);
        self.render_responses(op);
    }

    fn render_operation_intro(&mut self, op: &Node) {
        if let Some(summary) = op.str_at("summary") {
            let _ = writeln!(self.out, "**Summary:** {}\n", clean_inline(summary));
        }
        if let Some(id) = op.str_at("operationId") {
            let _ = writeln!(self.out, "**Operation ID:** `{}`\n", clean_inline(id));
        }
        if op.is_true("deprecated") {
            self.out.push_str("**Deprecated.**\n\n");
        }
        let tags: Vec<String> = op
            .get("tags")
            .map(Node::items)
            .unwrap_or(&[])
            .iter()
            .filter_map(Node::scalar_text)
            .map(|t| clean_inline(&t))
            .collect();
        if !tags.is_empty() {
            let _ = writeln!(self.out, "**Tags:** {}\n", tags.join(", "));
        }
        if let Some(security) = self.security_line(op) {
            let _ = writeln!(self.out, "**Security:** {security}\n");
        }
        if let Some(description) = op.str_at("description") {
            self.push_block(description);
        }
    }

    /// Operation-level `security` overrides the document default.
    fn security_line(&self, op: &Node) -> Option<String> {
        let requirements = op.get("security").or_else(|| self.root.get("security"))?;
        let alternatives: Vec<String> = requirements
            .items()
            .iter()
            .map(|requirement| {
                requirement
                    .entries()
                    .iter()
                    .map(|(scheme, scopes)| {
                        let scopes: Vec<String> = scopes
                            .items()
                            .iter()
                            .filter_map(Node::scalar_text)
                            .collect();
                        if scopes.is_empty() {
                            clean_inline(scheme)
                        } else {
                            format!(
                                "{} ({})",
                                clean_inline(scheme),
                                clean_inline(&scopes.join(", "))
                            )
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(" + ")
            })
            .map(|s| if s.is_empty() { "none".to_string() } else { s })
            .collect();
        (!alternatives.is_empty()).then(|| alternatives.join(" or "))
    }

    /// Operation parameters override path-level ones with the same name and
    /// location, as the spec defines.
    fn merged_parameters(&self, item: &'a Node, op: &'a Node) -> Vec<&'a Node> {
        let resolve_all = |node: &'a Node| -> Vec<&'a Node> {
            node.get("parameters")
                .map(Node::items)
                .unwrap_or(&[])
                .iter()
                .map(|p| self.resolve(p))
                .collect()
        };
        let own = resolve_all(op);
        let key = |p: &Node| {
            (
                p.str_at("name").map(str::to_string),
                p.str_at("in").map(str::to_string),
            )
        };
        let mut merged: Vec<&Node> = resolve_all(item)
            .into_iter()
            .filter(|inherited| !own.iter().any(|o| key(o) == key(inherited)))
            .collect();
        merged.extend(own);
        merged
    }

    fn render_parameter_table(&mut self, parameters: &[&Node]) {
        let rows: Vec<&Node> = parameters
            .iter()
            .copied()
            .filter(|p| p.str_at("in") != Some("body"))
            .collect();
        if rows.is_empty() {
            return;
        }
        self.out.push_str("### Parameters\n\n");
        self.out
            .push_str("| Name | In | Type | Required | Description |\n");
        self.out.push_str("| --- | --- | --- | --- | --- |\n");
        for param in rows {
            // Swagger 2 puts type information on the parameter itself.
            let schema = param.get("schema").unwrap_or(param);
            let required = if param.is_true("required") {
                "yes"
            } else {
                "no"
            };
            let mut description = param
                .str_at("description")
                .map(clean_inline)
                .unwrap_or_default();
            if let Some(values) = enum_values(self.resolve(schema)) {
                description = join_nonempty(&[&description, &format!("One of: {values}")], " ");
            }
            let _ = writeln!(
                self.out,
                "| {} | {} | {} | {} | {} |",
                table_cell(param.str_at("name").unwrap_or("")),
                table_cell(param.str_at("in").unwrap_or("")),
                table_cell(&self.type_label(schema)),
                required,
                table_cell(&description),
            );
        }
        self.out.push('\n');
    }

    fn render_request_body(&mut self, op: &Node, parameters: &[&Node]) {
        if self.is_swagger2 {
            self.render_swagger2_body(op, parameters);
            return;
        }
        let Some(body) = op.get("requestBody").map(|b| self.resolve(b)) else {
            return;
        };
        self.out.push_str("### Request body\n\n");
        if let Some(description) = body.str_at("description") {
            self.push_block(description);
        }
        if body.is_true("required") {
            self.out.push_str("Required.\n\n");
        }
        self.render_content(body.get("content"));
    }

    fn render_swagger2_body(&mut self, op: &Node, parameters: &[&Node]) {
        let Some(body) = parameters.iter().find(|p| p.str_at("in") == Some("body")) else {
            return;
        };
        self.out.push_str("### Request body\n\n");
        if let Some(description) = body.str_at("description") {
            self.push_block(description);
        }
        if body.is_true("required") {
            self.out.push_str("Required.\n\n");
        }
        self.render_media_types(&self.swagger2_media_types(op, "consumes"));
        if let Some(schema) = body.get("schema") {
            self.render_schema_block(schema);
        }
    }

    fn swagger2_media_types(&self, op: &Node, key: &str) -> Vec<String> {
        op.get(key)
            .or_else(|| self.root.get(key))
            .map(Node::items)
            .unwrap_or(&[])
            .iter()
            .filter_map(Node::scalar_text)
            .collect()
    }

    fn render_media_types(&mut self, media_types: &[String]) {
        if !media_types.is_empty() {
            let list: Vec<String> = media_types
                .iter()
                .map(|m| format!("`{}`", clean_inline(m)))
                .collect();
            let _ = writeln!(self.out, "Content types: {}\n", list.join(", "));
        }
    }

    /// OpenAPI 3 `content` maps; media types sharing one schema are listed
    /// together so the schema is expanded once.
    fn render_content(&mut self, content: Option<&Node>) {
        let Some(content) = content else {
            return;
        };
        let mut groups: Vec<(Vec<String>, Option<&Node>)> = Vec::new();
        for (media_type, media) in content.entries() {
            let schema = media.get("schema");
            match groups.iter_mut().find(|(_, s)| *s == schema) {
                Some((types, _)) => types.push(media_type.clone()),
                None => groups.push((vec![media_type.clone()], schema)),
            }
        }
        for (types, schema) in groups {
            self.render_media_types(&types);
            if let Some(schema) = schema {
                self.render_schema_block(schema);
            }
        }
    }

    fn render_responses(&mut self, op: &Node) {
        let responses = op.get("responses").map(Node::entries).unwrap_or(&[]);
        if responses.is_empty() {
            return;
        }
        self.out.push_str("### Responses\n\n");
        for (status, response) in responses {
            let response = self.resolve(response);
            let description = response
                .str_at("description")
                .map(clean_inline)
                .unwrap_or_default();
            let heading = join_nonempty(
                &[&format!("#### {}", clean_inline(status)), &description],
                " — ",
            );
            let _ = writeln!(self.out, "{heading}\n");
            if self.is_swagger2 {
                if let Some(schema) = response.get("schema") {
                    self.render_media_types(&self.swagger2_media_types(op, "produces"));
                    self.render_schema_block(schema);
                }
            } else {
                self.render_content(response.get("content"));
            }
        }
    }

    fn render_schema_block(&mut self, schema: &Node) {
        let mut lines = SchemaLines::default();
        let _ = writeln!(self.out, "Schema: {}\n", self.type_label(schema));
        self.schema_children(schema, 0, &mut Vec::new(), &mut lines);
        if !lines.text.is_empty() {
            self.out.push_str(&lines.text);
            self.out.push('\n');
        }
    }

    /// Appends the nested list describing `schema`'s members. `stack` holds
    /// the `$ref`s being expanded on the current branch (cycle guard).
    fn schema_children(
        &self,
        schema: &Node,
        depth: usize,
        stack: &mut Vec<String>,
        lines: &mut SchemaLines,
    ) {
        if lines.is_full() {
            return;
        }
        let reference = schema.str_at("$ref").map(str::to_string);
        if let Some(reference) = &reference {
            if stack.contains(reference) {
                lines.push(depth, &format!("*(recursive: {})*", ref_name(reference)));
                return;
            }
            stack.push(reference.clone());
        }
        let resolved = self.resolve(schema);
        if depth >= MAX_SCHEMA_DEPTH {
            if has_members(resolved) {
                lines.push(depth, "*(…)*");
            }
        } else {
            self.schema_members(resolved, depth, stack, lines);
        }
        if reference.is_some() {
            stack.pop();
        }
    }

    fn schema_members(
        &self,
        schema: &Node,
        depth: usize,
        stack: &mut Vec<String>,
        lines: &mut SchemaLines,
    ) {
        for keyword in ["allOf", "oneOf", "anyOf"] {
            let members = schema.get(keyword).map(Node::items).unwrap_or(&[]);
            if members.is_empty() {
                continue;
            }
            lines.push(depth, &format!("**{keyword}**:"));
            for member in members {
                lines.push(depth + 1, &self.type_label(member));
                self.schema_children(member, depth + 2, stack, lines);
            }
        }
        let required: Vec<String> = schema
            .get("required")
            .map(Node::items)
            .unwrap_or(&[])
            .iter()
            .filter_map(Node::scalar_text)
            .collect();
        for (name, property) in schema.get("properties").map(Node::entries).unwrap_or(&[]) {
            let line = self.property_line(name, property, required.contains(name));
            lines.push(depth, &line);
            self.schema_children(property, depth + 1, stack, lines);
        }
        if let Some(items) = schema.get("items") {
            if has_members(self.resolve(items)) || is_array(self.resolve(items)) {
                lines.push(depth, &format!("items: {}", self.type_label(items)));
                self.schema_children(items, depth + 1, stack, lines);
            }
        }
        if let Some(extra @ Node::Object(_)) = schema.get("additionalProperties") {
            lines.push(
                depth,
                &format!("*(additional properties)*: {}", self.type_label(extra)),
            );
            self.schema_children(extra, depth + 1, stack, lines);
        }
    }

    fn property_line(&self, name: &str, property: &Node, required: bool) -> String {
        let resolved = self.resolve(property);
        let mut notes = vec![self.type_label(property)];
        if required {
            notes.push("required".to_string());
        }
        if resolved.is_true("readOnly") || property.is_true("readOnly") {
            notes.push("read-only".to_string());
        }
        let mut line = format!("`{}` ({})", clean_inline(name), notes.join(", "));
        let description = property
            .str_at("description")
            .or_else(|| resolved.str_at("description"))
            .map(|d| truncate_chars(&clean_inline(d), MAX_CELL_CHARS));
        if let Some(description) = description.filter(|d| !d.is_empty()) {
            let _ = write!(line, ": {description}");
            if !description.ends_with(['.', '!', '?', ':', '…']) {
                line.push('.');
            }
        }
        if let Some(values) = enum_values(resolved) {
            let _ = write!(line, " One of: {values}.");
        }
        line
    }

    /// Compact one-line type: the `$ref` name, `string (date-time)`,
    /// `array of User`, `oneOf: A | B`, or `object`.
    fn type_label(&self, schema: &Node) -> String {
        self.type_label_at(schema, 0)
    }

    fn type_label_at(&self, schema: &Node, depth: usize) -> String {
        if let Some(reference) = schema.str_at("$ref") {
            return ref_name(reference);
        }
        if depth > MAX_SCHEMA_DEPTH {
            return "…".to_string();
        }
        let base = match schema.get("type") {
            Some(Node::Array(types)) => types
                .iter()
                .filter_map(Node::scalar_text)
                .collect::<Vec<_>>()
                .join(" | "),
            Some(t) => t.scalar_text().unwrap_or_default(),
            None => String::new(),
        };
        let label = if base == "array" {
            match schema.get("items") {
                Some(items) => format!("array of {}", self.type_label_at(items, depth + 1)),
                None => "array".to_string(),
            }
        } else if let Some(format) = schema.str_at("format") {
            join_nonempty(&[&base, &format!("({format})")], " ")
        } else {
            base
        };
        let label = if label.is_empty() {
            self.composition_label(schema, depth)
        } else {
            label
        };
        let label = if label.is_empty() && schema.get("properties").is_some() {
            "object".to_string()
        } else {
            label
        };
        let label = if label.is_empty() {
            "any".to_string()
        } else {
            clean_inline(&label)
        };
        if schema.is_true("nullable") {
            format!("{label}, nullable")
        } else {
            label
        }
    }

    fn composition_label(&self, schema: &Node, depth: usize) -> String {
        for (keyword, separator) in [("allOf", " & "), ("oneOf", " | "), ("anyOf", " | ")] {
            let members = schema.get(keyword).map(Node::items).unwrap_or(&[]);
            if !members.is_empty() {
                let labels: Vec<String> = members
                    .iter()
                    .map(|m| self.type_label_at(m, depth + 1))
                    .collect();
                return format!("{keyword}: {}", labels.join(separator));
            }
        }
        String::new()
    }

    fn render_security_schemes(&mut self) {
        let root = self.root;
        let schemes = root
            .get("components")
            .and_then(|c| c.get("securitySchemes"))
            .or_else(|| root.get("securityDefinitions"))
            .map(Node::entries)
            .unwrap_or(&[]);
        if schemes.is_empty() {
            return;
        }
        self.out.push_str("## Security schemes\n\n");
        for (name, scheme) in schemes {
            let scheme = self.resolve(scheme);
            let line = security_scheme_line(name, scheme);
            let _ = writeln!(self.out, "- {line}");
        }
        self.out.push('\n');
    }

    /// Follows internal `$ref` chains (bounded, in case they loop); external
    /// or dangling refs resolve to the ref node itself.
    fn resolve(&self, node: &'a Node) -> &'a Node {
        let mut current = node;
        for _ in 0..16 {
            let Some(reference) = current.str_at("$ref") else {
                return current;
            };
            match self.lookup(reference) {
                Some(target) => current = target,
                None => return current,
            }
        }
        current
    }

    fn lookup(&self, reference: &str) -> Option<&'a Node> {
        if let Some(node) = self.refs.get(reference) {
            return Some(node);
        }
        let pointer = reference.strip_prefix('#')?;
        pointer
            .split('/')
            .skip(1)
            .try_fold(self.root, |node, token| {
                node.get(&unescape_pointer_token(token))
            })
    }

    /// Descriptions are Markdown, but their own headings would break the
    /// one-`##`-section-per-operation structure, and an unclosed fence would
    /// swallow the following operations, so both are neutralised.
    fn push_block(&mut self, text: &str) {
        let text = sanitize_markdown_block(text);
        if !text.is_empty() {
            self.out.push_str(&text);
            self.out.push_str("\n\n");
        }
    }
}

fn index_refs(root: &Node) -> HashMap<String, &Node> {
    let mut refs = HashMap::new();
    for section in ["definitions", "parameters", "responses"] {
        for (name, node) in root.get(section).map(Node::entries).unwrap_or(&[]) {
            refs.insert(format!("#/{section}/{name}"), node);
        }
    }
    for (kind, group) in root.get("components").map(Node::entries).unwrap_or(&[]) {
        for (name, node) in group.entries() {
            refs.insert(format!("#/components/{kind}/{name}"), node);
        }
    }
    refs
}

/// JSON Pointer tokens escape `/` as `~1` and `~` as `~0`; refs may also be
/// percent-encoded URI fragments.
fn unescape_pointer_token(token: &str) -> String {
    percent_decode(token).replace("~1", "/").replace("~0", "~")
}

fn percent_decode(text: &str) -> String {
    if !text.contains('%') {
        return text.to_string();
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(decoded)) => {
                out.push(decoded);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn ref_name(reference: &str) -> String {
    let name = reference.rsplit('/').next().unwrap_or(reference);
    clean_inline(&unescape_pointer_token(name))
}

fn has_members(schema: &Node) -> bool {
    ["properties", "allOf", "oneOf", "anyOf"]
        .iter()
        .any(|k| schema.get(k).is_some())
        || matches!(schema.get("additionalProperties"), Some(Node::Object(_)))
}

fn is_array(schema: &Node) -> bool {
    schema.str_at("type") == Some("array")
}

fn enum_values(schema: &Node) -> Option<String> {
    let values = schema.get("enum")?.items();
    if values.is_empty() {
        return None;
    }
    let mut shown: Vec<String> = values
        .iter()
        .take(MAX_ENUM_VALUES)
        .filter_map(Node::scalar_text)
        .map(|v| format!("`{}`", clean_inline(&v)))
        .collect();
    if values.len() > MAX_ENUM_VALUES {
        shown.push(format!("… ({} values)", values.len()));
    }
    Some(shown.join(", "))
}

fn security_scheme_line(name: &str, scheme: &Node) -> String {
    let kind = scheme.str_at("type").unwrap_or("unknown");
    let mut details = Vec::new();
    for key in [
        "scheme",
        "bearerFormat",
        "in",
        "name",
        "flow",
        "authorizationUrl",
        "tokenUrl",
        "openIdConnectUrl",
    ] {
        if let Some(value) = scheme.str_at(key) {
            details.push(format!("{key}: `{}`", clean_inline(value)));
        }
    }
    for (flow, config) in scheme.get("flows").map(Node::entries).unwrap_or(&[]) {
        let urls: Vec<String> = ["authorizationUrl", "tokenUrl"]
            .iter()
            .filter_map(|k| {
                config
                    .str_at(k)
                    .map(|u| format!("{k}: `{}`", clean_inline(u)))
            })
            .collect();
        details.push(join_nonempty(
            &[&format!("flow {flow}"), &urls.join(", ")],
            " — ",
        ));
        let scopes: Vec<&str> = config
            .get("scopes")
            .map(Node::entries)
            .unwrap_or(&[])
            .iter()
            .map(|(s, _)| s.as_str())
            .collect();
        if !scopes.is_empty() {
            details.push(format!("scopes: {}", clean_inline(&scopes.join(", "))));
        }
    }
    let scopes: Vec<&str> = scheme
        .get("scopes")
        .map(Node::entries)
        .unwrap_or(&[])
        .iter()
        .map(|(s, _)| s.as_str())
        .collect();
    if !scopes.is_empty() {
        details.push(format!("scopes: {}", clean_inline(&scopes.join(", "))));
    }
    let mut line = format!("**{}**: {}", clean_inline(name), clean_inline(kind));
    if !details.is_empty() {
        let _ = write!(line, " ({})", details.join("; "));
    }
    if let Some(description) = scheme.str_at("description") {
        let _ = write!(
            line,
            " — {}",
            truncate_chars(&clean_inline(description), MAX_CELL_CHARS)
        );
    }
    line
}

/// Nested Markdown list with a hard line budget.
#[derive(Default)]
struct SchemaLines {
    text: String,
    count: usize,
    truncated: bool,
}

impl SchemaLines {
    /// Checked before descending, so an exhausted budget also stops the
    /// (otherwise exponential) traversal, not just the output.
    fn is_full(&self) -> bool {
        self.count >= MAX_SCHEMA_LINES
    }

    fn push(&mut self, depth: usize, line: &str) {
        if self.count >= MAX_SCHEMA_LINES {
            if !self.truncated {
                self.truncated = true;
                self.text.push_str("- *(schema truncated)*\n");
            }
            return;
        }
        self.count += 1;
        let _ = writeln!(self.text, "{}- {line}", "  ".repeat(depth));
    }
}

fn join_nonempty(parts: &[&str], separator: &str) -> String {
    parts
        .iter()
        .filter(|p| !p.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(separator)
}

/// Single-line text safe inside headings, list items and table cells.
fn clean_inline(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn table_cell(text: &str) -> String {
    truncate_chars(&clean_inline(text), MAX_CELL_CHARS).replace('|', "\\|")
}

fn truncate_chars(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", text[..cut].trim_end()),
        None => text.to_string(),
    }
}

fn atx_heading_text(line: &str) -> Option<&str> {
    let level = line.bytes().take_while(|b| *b == b'#').count();
    let rest = &line[level..];
    let is_heading = (1..=6).contains(&level) && (rest.is_empty() || rest.starts_with([' ', '\t']));
    is_heading.then(|| rest.trim().trim_end_matches('#').trim())
}

fn sanitize_markdown_block(text: &str) -> String {
    let mut out = Vec::new();
    let mut open_fence: Option<String> = None;
    for line in text.trim().lines() {
        let trimmed = line.trim_start();
        let fence_marker: String = trimmed
            .chars()
            .take_while(|c| *c == '`' || *c == '~')
            .collect();
        if fence_marker.len() >= 3 {
            match &open_fence {
                Some(open) if fence_marker.starts_with(open.as_str()) => open_fence = None,
                Some(_) => {}
                None => open_fence = Some(fence_marker),
            }
            out.push(line.to_string());
        } else if let Some(heading) = open_fence
            .is_none()
            .then(|| atx_heading_text(trimmed))
            .flatten()
        {
            out.push(if heading.is_empty() {
                String::new()
            } else {
                format!("**{heading}**")
            });
        } else {
            out.push(line.to_string());
        }
    }
    if let Some(open) = open_fence {
        out.push(open);
    }
    out.join("\n").trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    const SWAGGER2_SCIM_JSON: &str = r##"{
      "swagger": "2.0",
      "info": {"title": "Example SCIM API", "version": "1.4", "description": "Provision users.\n\n# Heading inside description\n\n```\nunclosed fence"},
      "host": "api.example.com",
      "basePath": "/scim/v2",
      "consumes": ["application/scim+json"],
      "produces": ["application/scim+json"],
      "securityDefinitions": {
        "bearer": {"type": "apiKey", "in": "header", "name": "Authorization"},
        "oauth": {"type": "oauth2", "flow": "application", "tokenUrl": "https://auth.example.com/oauth/token", "scopes": {"scim:read": "Read", "scim:write": "Write"}}
      },
      "security": [{"bearer": []}],
      "parameters": {
        "UserId": {"name": "id", "in": "path", "required": true, "type": "string", "description": "User id | unique"}
      },
      "paths": {
        "/Users": {
          "get": {
            "summary": "List users",
            "operationId": "listUsers",
            "tags": ["Users"],
            "parameters": [
              {"name": "filter", "in": "query", "type": "string", "description": "SCIM filter"},
              {"name": "count", "in": "query", "type": "integer", "format": "int32"},
              {"name": "sortOrder", "in": "query", "type": "string", "enum": ["ascending", "descending"]}
            ],
            "responses": {
              "200": {"description": "A list", "schema": {"$ref": "#/definitions/UserList"}},
              "401": {"description": "Unauthorized"}
            }
          },
          "post": {
            "summary": "Create a user",
            "operationId": "createUser",
            "tags": ["Users"],
            "security": [{"oauth": ["scim:write"]}],
            "parameters": [{"name": "body", "in": "body", "required": true, "schema": {"$ref": "#/definitions/User"}}],
            "responses": {"201": {"description": "Created", "schema": {"$ref": "#/definitions/User"}}}
          }
        },
        "/Users/{id}": {
          "parameters": [{"$ref": "#/parameters/UserId"}],
          "get": {"summary": "Get a user", "responses": {"200": {"description": "OK", "schema": {"$ref": "#/definitions/User"}}}},
          "delete": {"summary": "Delete a user", "deprecated": true, "responses": {"204": {"description": "Deleted"}}}
        },
        "/Groups": {
          "get": {"summary": "List groups", "responses": {"200": {"description": "OK", "schema": {"type": "array", "items": {"$ref": "#/definitions/Group"}}}}}
        }
      },
      "definitions": {
        "UserList": {"type": "object", "properties": {
          "totalResults": {"type": "integer"},
          "Resources": {"type": "array", "items": {"$ref": "#/definitions/User"}}
        }},
        "User": {
          "type": "object",
          "required": ["userName"],
          "properties": {
            "id": {"type": "string", "readOnly": true},
            "userName": {"type": "string", "description": "Unique login name"},
            "name": {"$ref": "#/definitions/Name"},
            "emails": {"type": "array", "items": {"type": "object", "properties": {"value": {"type": "string", "format": "email"}, "primary": {"type": "boolean"}}}},
            "manager": {"$ref": "#/definitions/User"}
          }
        },
        "Name": {"type": "object", "properties": {"givenName": {"type": "string"}, "familyName": {"type": "string"}}},
        "Group": {"type": "object", "properties": {
          "displayName": {"type": "string"},
          "members": {"type": "array", "items": {"$ref": "#/definitions/Group"}}
        }}
      }
    }"##;

    const OPENAPI3_YAML: &str = r##"
openapi: 3.0.3
info:
  title: Widget Store
  version: 2.1.0
  description: Manage widgets.
servers:
  - url: https://api.widgets.test/v2
x-common: &common
  description: Shared page size
  schema:
    type: integer
    maximum: 100
paths:
  /widgets/{widgetId}:
    parameters:
      - name: widgetId
        in: path
        required: true
        schema:
          type: string
          format: uuid
      - name: X-Trace
        in: header
        schema:
          type: string
    patch:
      summary: Update a widget
      operationId: updateWidget
      tags: [Widgets]
      parameters:
        - name: X-Trace
          in: header
          required: true
          description: Overrides the path-level header
          schema:
            type: string
      requestBody:
        required: true
        content:
          application/json:
            schema:
              $ref: '#/components/schemas/WidgetPatch'
          application/merge-patch+json:
            schema:
              $ref: '#/components/schemas/WidgetPatch'
      responses:
        200:
          description: Updated
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Widget'
        '404':
          $ref: '#/components/responses/NotFound'
  /widgets:
    get:
      summary: List widgets
      parameters:
        - <<: *common
          name: limit
          in: query
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema:
                type: array
                items:
                  $ref: '#/components/schemas/Widget'
components:
  responses:
    NotFound:
      description: Not found
      content:
        application/json:
          schema:
            $ref: '#/components/schemas/Error'
  schemas:
    Widget:
      allOf:
        - $ref: '#/components/schemas/WidgetPatch'
        - type: object
          required: [id]
          properties:
            id:
              type: string
              format: uuid
            parent:
              $ref: '#/components/schemas/Widget'
    WidgetPatch:
      type: object
      properties:
        color:
          type: string
          enum: [red, green, blue]
          description: Paint colour
        shape:
          oneOf:
            - $ref: '#/components/schemas/Circle'
            - $ref: '#/components/schemas/Square'
    Circle:
      type: object
      properties:
        radius: {type: number}
    Square:
      type: object
      properties:
        side: {type: number}
    Error:
      type: object
      properties:
        message: {type: string}
  securitySchemes:
    oauth:
      type: oauth2
      flows:
        clientCredentials:
          tokenUrl: https://auth.widgets.test/token
          scopes:
            widgets:write: Modify widgets
"##;

    fn section<'m>(markdown: &'m str, heading: &str) -> &'m str {
        let start = markdown
            .find(heading)
            .unwrap_or_else(|| panic!("no {heading} in:\n{markdown}"));
        let rest = &markdown[start + heading.len()..];
        let end = rest.find("\n## ").map_or(rest.len(), |i| i + 1);
        &rest[..end]
    }

    #[test]
    fn renders_swagger2_json() {
        let spec = parse_api_spec(SWAGGER2_SCIM_JSON, SpecFormat::Json).expect("spec");
        assert_eq!(spec.title.as_deref(), Some("Example SCIM API"));
        assert_eq!(spec.version.as_deref(), Some("1.4"));
        assert_eq!(spec.operation_count, 5);
        let md = &spec.markdown;
        assert!(md.starts_with("# Example SCIM API 1.4\n"));
        assert!(md.contains("Base URL: `api.example.com/scim/v2`"));
        let headings: Vec<&str> = md.lines().filter(|l| l.starts_with("## ")).collect();
        assert_eq!(
            headings,
            [
                "## GET /Users",
                "## POST /Users",
                "## GET /Users/{id}",
                "## DELETE /Users/{id}",
                "## GET /Groups",
                "## Security schemes"
            ]
        );
        // Description headings and fences must not leak structure.
        assert!(md.contains("**Heading inside description**"));
        assert_eq!(md.matches("```").count() % 2, 0);

        let list = section(md, "## GET /Users\n");
        assert!(list.contains("**Operation ID:** `listUsers`"));
        assert!(list
            .contains("| sortOrder | query | string | no | One of: `ascending`, `descending` |"));
        assert!(list.contains("| count | query | integer (int32) | no |"));
        assert!(list.contains("**Security:** bearer"));
        assert!(list.contains("#### 200 — A list"));
        assert!(list.contains("- `Resources` (array of User)"));

        let create = section(md, "## POST /Users\n");
        assert!(create.contains("### Request body"));
        assert!(create.contains("Content types: `application/scim+json`"));
        assert!(create.contains("- `userName` (string, required): Unique login name"));
        assert!(create.contains("  - `givenName` (string)"));
        assert!(create.contains("- `id` (string, read-only)"));
        assert!(create.contains("*(recursive: User)*"));
        assert!(create.contains("**Security:** oauth (scim:write)"));

        let get = section(md, "## GET /Users/{id}\n");
        assert!(get.contains("| id | path | string | yes | User id \\| unique |"));
        assert!(section(md, "## DELETE /Users/{id}\n").contains("**Deprecated.**"));
        let groups = section(md, "## GET /Groups\n");
        assert!(groups.contains("Schema: array of Group"));
        assert!(groups.contains("*(recursive: Group)*"));
        let security = section(md, "## Security schemes\n");
        assert!(security.contains("**oauth**: oauth2"));
        assert!(security.contains("scopes: scim:read, scim:write"));
    }

    #[test]
    fn renders_openapi3_yaml() {
        let spec = parse_api_spec(OPENAPI3_YAML, SpecFormat::Yaml).expect("spec");
        assert_eq!(spec.title.as_deref(), Some("Widget Store"));
        assert_eq!(spec.version.as_deref(), Some("2.1.0"));
        assert_eq!(spec.operation_count, 2);
        let md = &spec.markdown;
        assert!(md.contains("Base URL: `https://api.widgets.test/v2`"));
        let patch = section(md, "## PATCH /widgets/{widgetId}\n");
        assert!(patch.contains("| widgetId | path | string (uuid) | yes |"));
        assert!(
            patch.contains("| X-Trace | header | string | yes | Overrides the path-level header |")
        );
        assert_eq!(patch.matches("| X-Trace |").count(), 1);
        assert!(patch.contains("Content types: `application/json`, `application/merge-patch+json`"));
        assert!(patch.contains("Required."));
        assert!(patch.contains("- `color` (string): Paint colour. One of: `red`, `green`, `blue`."));
        assert!(patch.contains("- `shape` (oneOf: Circle | Square)"));
        assert!(patch.contains("- `radius` (number)"));
        assert!(patch.contains("#### 200 — Updated"));
        assert!(
            patch.contains("Schema: Widget\n\n- **allOf**:\n  - WidgetPatch\n"),
            "{patch}"
        );
        assert!(patch.contains("*(recursive: Widget)*"));
        assert!(patch.contains("#### 404 — Not found"));
        assert!(patch.contains("- `message` (string)"));
        let list = section(md, "## GET /widgets\n");
        assert!(
            list.contains("| limit | query | integer | no | Shared page size |"),
            "{list}"
        );
        let security = section(md, "## Security schemes\n");
        assert!(security
            .contains("flow clientCredentials — tokenUrl: `https://auth.widgets.test/token`"));
    }

    #[test]
    fn markdown_chunker_keeps_each_operation_whole() {
        use crate::crawl::chunk::Chunker;
        let squash = |t: &str| t.split_whitespace().collect::<String>();
        for (text, format) in [
            (SWAGGER2_SCIM_JSON, SpecFormat::Json),
            (OPENAPI3_YAML, SpecFormat::Yaml),
        ] {
            let spec = parse_api_spec(text, format).expect("spec");
            let chunker = Chunker::new(400);
            let chunks: Vec<String> = chunker
                .split_markdown(&spec.markdown)
                .iter()
                .map(|c| squash(&c.content))
                .collect();
            for operation in spec.markdown.split("\n## ").skip(1) {
                let operation = format!("## {operation}");
                assert!(
                    chunker.count_tokens(&operation) <= 400,
                    "fixture operation too large"
                );
                let whole = squash(&operation);
                assert!(
                    chunks.iter().any(|c| c.contains(&whole)),
                    "split: {operation}"
                );
            }
        }
    }

    #[test]
    fn rejects_non_specs_and_garbage() {
        assert!(
            parse_api_spec(r#"{"name": "package", "version": "1"}"#, SpecFormat::Json).is_none()
        );
        assert!(parse_api_spec("openapi: [unclosed", SpecFormat::Yaml).is_none());
        assert!(parse_api_spec("{not json", SpecFormat::Json).is_none());
        assert!(parse_api_spec("", SpecFormat::Yaml).is_none());
        assert!(parse_api_spec("just: yaml\n", SpecFormat::Yaml).is_none());
        assert!(parse_api_spec(r#"{"openapi": "1.0"}"#, SpecFormat::Json).is_none());
        let deep = format!(
            "openapi: 3.0.0\nx: {}{}",
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        assert!(parse_api_spec(&deep, SpecFormat::Yaml).is_none());
        let deep_json = format!(
            r#"{{"openapi": "3.0.0", "x": {}{}}}"#,
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        assert!(parse_api_spec(&deep_json, SpecFormat::Json).is_none());
    }

    #[test]
    fn minimal_spec_without_info_or_paths() {
        let spec = parse_api_spec("swagger: '2.0'\n", SpecFormat::Yaml).expect("spec");
        assert_eq!(spec.title, None);
        assert_eq!(spec.operation_count, 0);
        assert_eq!(spec.markdown, "# API\n");
    }

    #[test]
    fn alias_bomb_is_refused_or_bounded() {
        let mut yaml = String::from("openapi: 3.0.0\na: &a [x, x, x, x, x, x, x, x, x, x]\n");
        let mut previous = 'a';
        for name in 'b'..='k' {
            let refs = vec![format!("*{previous}"); 10].join(", ");
            yaml.push_str(&format!("{name}: &{name} [{refs}]\n"));
            previous = name;
        }
        let started = Instant::now();
        let _ = parse_api_spec(&yaml, SpecFormat::Yaml);
        assert!(started.elapsed().as_secs() < 10);
    }

    /// A wide, deeply nested and self-referencing schema graph: without the
    /// line budget each operation would expand to millions of lines.
    fn huge_spec_json(operations: usize) -> String {
        let mut paths = Vec::new();
        for i in 0..operations {
            paths.push(format!(
                r##""/resources{i}/{{id}}": {{"post": {{"summary": "Create resource {i}", "description": "{pad}",
                "parameters": [{{"name": "id", "in": "path", "required": true, "schema": {{"type": "string"}}}}],
                "requestBody": {{"content": {{"application/json": {{"schema": {{"$ref": "#/components/schemas/Wide0"}}}}}}}},
                "responses": {{"200": {{"description": "OK", "content": {{"application/json": {{"schema": {{"$ref": "#/components/schemas/Node"}}}}}}}}}}}}}}"##,
                pad = "Lorem ipsum dolor sit amet. ".repeat(70)
            ));
        }
        let mut schemas = vec![r##""Node": {"type": "object", "properties": {"children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}}}}"##.to_string()];
        for level in 0..10 {
            let props: Vec<String> = (0..20)
                .map(|p| {
                    format!(
                        r##""p{p}": {{"$ref": "#/components/schemas/Wide{}"}}"##,
                        level + 1
                    )
                })
                .collect();
            schemas.push(format!(
                r#""Wide{level}": {{"type": "object", "properties": {{{}}}}}"#,
                props.join(",")
            ));
        }
        schemas.push(r#""Wide10": {"type": "string"}"#.to_string());
        format!(
            r#"{{"openapi": "3.0.0", "info": {{"title": "Huge", "version": "1"}}, "paths": {{{}}}, "components": {{"schemas": {{{}}}}}}}"#,
            paths.join(","),
            schemas.join(",")
        )
    }

    #[test]
    fn huge_recursive_spec_renders_quickly() {
        let text = huge_spec_json(2000);
        assert!(text.len() > 4_000_000, "{}", text.len());
        let started = Instant::now();
        let spec = parse_api_spec(&text, SpecFormat::Json).expect("spec");
        eprintln!(
            "{} bytes, 2000 operations rendered in {:?} ({} bytes of Markdown)",
            text.len(),
            started.elapsed(),
            spec.markdown.len()
        );
        assert_eq!(spec.operation_count, 2000);
        assert_eq!(spec.markdown.matches("\n## POST ").count(), 2000);
        assert!(spec.markdown.contains("*(schema truncated)*"));
        assert!(spec.markdown.contains("*(recursive: Node)*"));
        let per_operation = spec.markdown.len() / 2000;
        assert!(per_operation < 20_000, "{per_operation}");
    }

    #[test]
    fn huge_yaml_spec_parses() {
        let mut yaml =
            String::from("openapi: 3.1.0\ninfo:\n  title: Big\n  version: '1'\npaths:\n");
        for i in 0..3000 {
            yaml.push_str(&format!(
                "  /items{i}:\n    get:\n      summary: Item {i}\n      description: {}\n      responses:\n        '200':\n          description: OK\n",
                "Some words here. ".repeat(10)
            ));
        }
        let started = Instant::now();
        let spec = parse_api_spec(&yaml, SpecFormat::Yaml).expect("spec");
        eprintln!(
            "{} bytes of YAML rendered in {:?}",
            yaml.len(),
            started.elapsed()
        );
        assert_eq!(spec.operation_count, 3000);
    }
}
