//! Schema expansion ($ref resolution, bounded nesting and line budget) and security schemes.

use super::*;

impl<'a> Renderer<'a> {
    pub(super) fn render_schema_block(&mut self, schema: &Node) {
        let mut lines = SchemaLines::default();
        let _ = writeln!(self.out, "Schema: {}\n", self.type_label(schema));
        if self.out.len() > self.expansion_budget {
            return;
        }
        self.schema_children(schema, 0, &mut Vec::new(), &mut lines);
        if !lines.text.is_empty() {
            self.out.push_str(&lines.text);
            self.out.push('\n');
        }
    }

    /// Appends the nested list describing `schema`'s members. `stack` holds
    /// the `$ref`s being expanded on the current branch (cycle guard).
    pub(super) fn schema_children(
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

    pub(super) fn schema_members(
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

    pub(super) fn property_line(&self, name: &str, property: &Node, required: bool) -> String {
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
    pub(super) fn type_label(&self, schema: &Node) -> String {
        self.type_label_at(schema, 0)
    }

    pub(super) fn type_label_at(&self, schema: &Node, depth: usize) -> String {
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

    pub(super) fn composition_label(&self, schema: &Node, depth: usize) -> String {
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

    pub(super) fn render_security_schemes(&mut self) {
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
    pub(super) fn resolve(&self, node: &'a Node) -> &'a Node {
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

    pub(super) fn lookup(&self, reference: &str) -> Option<&'a Node> {
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
    pub(super) fn push_block(&mut self, text: &str) {
        let text = sanitize_markdown_block(text);
        if !text.is_empty() {
            self.out.push_str(&text);
            self.out.push_str("\n\n");
        }
    }
}

pub(super) fn index_refs(root: &Node) -> HashMap<String, &Node> {
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
pub(super) fn unescape_pointer_token(token: &str) -> String {
    percent_decode(token).replace("~1", "/").replace("~0", "~")
}

pub(super) fn percent_decode(text: &str) -> String {
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

pub(super) fn ref_name(reference: &str) -> String {
    let name = reference.rsplit('/').next().unwrap_or(reference);
    clean_inline(&unescape_pointer_token(name))
}

pub(super) fn has_members(schema: &Node) -> bool {
    ["properties", "allOf", "oneOf", "anyOf"]
        .iter()
        .any(|k| schema.get(k).is_some())
        || matches!(schema.get("additionalProperties"), Some(Node::Object(_)))
}

pub(super) fn is_array(schema: &Node) -> bool {
    schema.str_at("type") == Some("array")
}

pub(super) fn enum_values(schema: &Node) -> Option<String> {
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

/// `scopes: a, b` for a node with a `scopes` map (OAuth flows, Swagger 2 schemes).
fn scopes_detail(node: &Node) -> Option<String> {
    let scopes: Vec<&str> = node
        .get("scopes")
        .map(Node::entries)
        .unwrap_or(&[])
        .iter()
        .map(|(s, _)| s.as_str())
        .collect();
    (!scopes.is_empty()).then(|| format!("scopes: {}", clean_inline(&scopes.join(", "))))
}

pub(super) fn security_scheme_line(name: &str, scheme: &Node) -> String {
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
        details.extend(scopes_detail(config));
    }
    details.extend(scopes_detail(scheme));
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
pub(super) struct SchemaLines {
    text: String,
    count: usize,
    truncated: bool,
}

impl SchemaLines {
    /// Checked before descending, so an exhausted budget also stops the
    /// (otherwise exponential) traversal, not just the output.
    pub(super) fn is_full(&self) -> bool {
        self.count >= MAX_SCHEMA_LINES
    }

    pub(super) fn push(&mut self, depth: usize, line: &str) {
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
