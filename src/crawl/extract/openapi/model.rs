//! The document model: an order-preserving JSON/YAML value and spec detection.

use super::*;

/// An order-preserving JSON/YAML value: operations must be rendered in
/// document order, which `serde_json::Value` (a BTreeMap without the
/// `preserve_order` feature) would lose.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Node {
    Null,
    Bool(bool),
    Number(String),
    String(String),
    Array(Vec<Node>),
    Object(Vec<(String, Node)>),
}

impl Node {
    pub(super) fn get(&self, key: &str) -> Option<&Node> {
        match self {
            Node::Object(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub(super) fn entries(&self) -> &[(String, Node)] {
        match self {
            Node::Object(entries) => entries,
            _ => &[],
        }
    }

    pub(super) fn items(&self) -> &[Node] {
        match self {
            Node::Array(items) => items,
            _ => &[],
        }
    }

    pub(super) fn as_str(&self) -> Option<&str> {
        match self {
            Node::String(s) => Some(s),
            _ => None,
        }
    }

    pub(super) fn str_at(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(Node::as_str)
    }

    pub(super) fn is_true(&self, key: &str) -> bool {
        matches!(self.get(key), Some(Node::Bool(true)))
    }

    /// Scalars as text, for versions (`3.0` may be a YAML float) and enums.
    pub(super) fn scalar_text(&self) -> Option<String> {
        match self {
            Node::Null => Some("null".to_string()),
            Node::Bool(b) => Some(b.to_string()),
            Node::Number(n) | Node::String(n) => Some(n.clone()),
            _ => None,
        }
    }
}

pub(super) struct NodeVisitor;

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
pub(super) fn parse_json(text: &str) -> Option<Node> {
    serde_json::from_str(text.trim_start_matches('\u{feff}')).ok()
}

pub(super) fn parse_yaml(text: &str) -> Option<Node> {
    use saphyr::LoadableYamlNode;
    if flow_nesting_exceeds(text, MAX_YAML_NESTING)
        || alias_expansion_exceeds(text, yaml_expansion_limit(text))
    {
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
pub(super) fn flow_nesting_exceeds(text: &str, limit: usize) -> bool {
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

/// What a YAML document may grow to once its aliases are expanded: twice its own size,
/// and never less than 8 MiB, so that specs reusing schemas through anchors still load.
pub(super) fn yaml_expansion_limit(text: &str) -> usize {
    text.len().saturating_mul(2).max(8 << 20)
}

/// Whether loading `text` would build more than `limit` bytes: an alias repeats the whole
/// node it names (a 2 MB anchored string aliased 200 times loads as 400 MB), so the
/// expanded size is added up from the parser's events before anything is built. A
/// parse error answers `false`: the loader reports it.
pub(super) fn alias_expansion_exceeds(text: &str, limit: usize) -> bool {
    use saphyr_parser::{Event, Parser};
    if !text.contains('*') {
        return false;
    }
    let mut anchored: HashMap<usize, usize> = HashMap::new();
    // (anchor id, size so far) of each open collection; the first entry is the stream.
    let mut open: Vec<(usize, usize)> = vec![(0, 0)];
    for event in Parser::new_from_str(text) {
        let Ok((event, _)) = event else {
            return false;
        };
        let complete = match event {
            Event::Scalar(value, _, anchor, _) => Some((anchor, value.len() + 1)),
            Event::Alias(id) => Some((0, anchored.get(&id).copied().unwrap_or(1))),
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                open.push((anchor, 1));
                None
            }
            Event::SequenceEnd | Event::MappingEnd if open.len() > 1 => open.pop(),
            _ => None,
        };
        let Some((anchor, size)) = complete else {
            continue;
        };
        if anchor != 0 {
            anchored.insert(anchor, size);
        }
        if let Some((_, total)) = open.last_mut() {
            *total = total.saturating_add(size);
            if *total > limit {
                return true;
            }
        }
    }
    false
}

pub(super) fn yaml_to_node(yaml: &saphyr::Yaml, depth: usize) -> Option<Node> {
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
pub(super) fn yaml_key_text(key: &saphyr::Yaml) -> Option<String> {
    yaml_to_node(key, MAX_YAML_NESTING).and_then(|node| node.scalar_text())
}

/// `<<: *base` merge keys are common in hand-written YAML specs; explicit
/// keys win over merged ones, as the YAML merge spec requires.
pub(super) fn apply_merge_keys(entries: &mut Vec<(String, Node)>, merged: Vec<Node>) {
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

pub(super) fn is_supported_spec(root: &Node) -> bool {
    let version_starts_with = |key: &str, major: char| {
        root.get(key)
            .and_then(Node::scalar_text)
            .is_some_and(|v| v.trim().starts_with(major))
    };
    version_starts_with("openapi", '3') || version_starts_with("swagger", '2')
}

// ---------------------------------------------------------------------------
