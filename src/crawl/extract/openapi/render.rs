//! Rendering a spec: header, servers, and one `## METHOD /path` section per operation.

use super::*;

pub(super) struct Renderer<'a> {
    pub(super) root: &'a Node,
    is_swagger2: bool,
    /// Direct lookup for the common `#/components/<kind>/<name>` and
    /// `#/<definitions|parameters|responses>/<name>` refs; a linear scan per
    /// ref would be quadratic on specs with thousands of schemas.
    pub(super) refs: HashMap<String, &'a Node>,
    pub(super) out: String,
    /// Output size past which schemas are no longer expanded (see `expansion_budget`).
    pub(super) expansion_budget: usize,
}

impl<'a> Renderer<'a> {
    pub(super) fn new(root: &'a Node, expansion_budget: usize) -> Self {
        Self {
            root,
            is_swagger2: root.get("swagger").is_some(),
            refs: index_refs(root),
            out: String::new(),
            expansion_budget,
        }
    }

    pub(super) fn render(mut self) -> ApiSpec {
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

    pub(super) fn render_header(&mut self, title: Option<&str>, version: Option<&str>) {
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

    pub(super) fn base_urls(&self) -> Vec<String> {
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

    pub(super) fn render_paths(&mut self) -> usize {
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

    pub(super) fn render_operation(&mut self, method: &str, path: &str, item: &Node, op: &Node) {
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

    pub(super) fn render_operation_intro(&mut self, op: &Node) {
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
    pub(super) fn security_line(&self, op: &Node) -> Option<String> {
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
    pub(super) fn merged_parameters(&self, item: &'a Node, op: &'a Node) -> Vec<&'a Node> {
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

    pub(super) fn render_parameter_table(&mut self, parameters: &[&Node]) {
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

    pub(super) fn render_request_body(&mut self, op: &Node, parameters: &[&Node]) {
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

    pub(super) fn render_swagger2_body(&mut self, op: &Node, parameters: &[&Node]) {
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

    pub(super) fn swagger2_media_types(&self, op: &Node, key: &str) -> Vec<String> {
        op.get(key)
            .or_else(|| self.root.get(key))
            .map(Node::items)
            .unwrap_or(&[])
            .iter()
            .filter_map(Node::scalar_text)
            .collect()
    }

    pub(super) fn render_media_types(&mut self, media_types: &[String]) {
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
    pub(super) fn render_content(&mut self, content: Option<&Node>) {
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

    pub(super) fn render_responses(&mut self, op: &Node) {
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
}
