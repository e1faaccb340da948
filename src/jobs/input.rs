//! The scrape request: validated field by field from raw JSON so that every error names
//! its field (`["body","starterLinks",0]`), and normalised for cache reuse.

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use crate::crawl::scope::{check_glob, parse_normalized};
use crate::error::ValidationIssue;

pub const MAX_STARTER_LINKS: usize = 100;
pub const MAX_URL_CHARS: usize = 2048;
pub const MAX_DEPTH: u64 = 100;
pub const MAX_PATTERNS: usize = 100;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ScrapeInput {
    pub starter_links: Vec<String>,
    pub application_name: String,
    pub application_version: String,
    pub skip_cache: bool,
    pub max_iterations: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_depth: Option<u32>,
    #[serde(default)]
    pub include_patterns: Vec<String>,
    #[serde(default)]
    pub exclude_patterns: Vec<String>,
}

/// Limits that come from the server's configuration.
pub struct InputLimits {
    pub default_max_iterations: u32,
    pub max_iterations_cap: u32,
}

impl ScrapeInput {
    pub fn from_json(
        body: &Value,
        limits: &InputLimits,
    ) -> Result<ScrapeInput, Vec<ValidationIssue>> {
        let Some(object) = body.as_object() else {
            return Err(vec![ValidationIssue::new(
                "model_attributes_type",
                vec![json!("body")],
                "Input should be a valid dictionary or object to extract fields from",
                body.clone(),
            )]);
        };
        let mut issues = Vec::new();
        let starter_links = starter_links(object, &mut issues);
        let application_name = required_text(object, "applicationName", &mut issues);
        let application_version = optional_text(object, "applicationVersion", &mut issues)
            .filter(|v| !v.trim().is_empty())
            .unwrap_or_else(|| "current".to_string());
        let skip_cache = optional_bool(object, "skipCache", &mut issues).unwrap_or(false);
        let max_iterations = optional_int(
            object,
            "maxIterations",
            1,
            u64::from(limits.max_iterations_cap),
            &mut issues,
        )
        .map(|n| n as u32)
        .unwrap_or(limits.default_max_iterations.min(limits.max_iterations_cap));
        let max_depth =
            optional_int(object, "maxDepth", 0, MAX_DEPTH, &mut issues).map(|n| n as u32);
        let include_patterns = patterns(object, "includePatterns", &mut issues);
        let exclude_patterns = patterns(object, "excludePatterns", &mut issues);
        if !issues.is_empty() {
            return Err(issues);
        }
        Ok(ScrapeInput {
            starter_links,
            application_name: application_name.unwrap_or_default(),
            application_version,
            skip_cache,
            max_iterations,
            max_depth,
            include_patterns,
            exclude_patterns,
        })
    }

    /// The same crawl asked again gives the same key: what is crawled, not how it is spelt.
    pub fn cache_key(&self) -> String {
        let normalised = json!({
            "starterLinks": self.starter_links,
            "applicationName": self.application_name.trim().to_lowercase(),
            "applicationVersion": self.application_version.trim().to_lowercase(),
            "maxIterations": self.max_iterations,
            "maxDepth": self.max_depth,
            "includePatterns": self.include_patterns,
            "excludePatterns": self.exclude_patterns,
        });
        let digest = Sha256::digest(normalised.to_string().as_bytes());
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }
}

fn loc(field: &str) -> Vec<Value> {
    vec![json!("body"), json!(field)]
}

/// A field present with a value of the wrong JSON type.
fn wrong_type(field: &str, kind: &'static str, expected: &str, value: &Value) -> ValidationIssue {
    ValidationIssue::new(
        kind,
        loc(field),
        format!("Input should be {expected}"),
        value.clone(),
    )
}

fn missing(field: &str) -> ValidationIssue {
    ValidationIssue::new("missing", loc(field), "Field required", Value::Null)
}

fn starter_links(object: &Map<String, Value>, issues: &mut Vec<ValidationIssue>) -> Vec<String> {
    let field = "starterLinks";
    let Some(value) = object.get(field) else {
        issues.push(missing(field));
        return Vec::new();
    };
    let Some(items) = value.as_array() else {
        issues.push(ValidationIssue::new(
            "list_type",
            loc(field),
            "Input should be a valid list",
            value.clone(),
        ));
        return Vec::new();
    };
    if items.is_empty() || items.len() > MAX_STARTER_LINKS {
        issues.push(ValidationIssue::new(
            if items.is_empty() {
                "too_short"
            } else {
                "too_long"
            },
            loc(field),
            format!(
                "List should have between 1 and {MAX_STARTER_LINKS} items, not {}",
                items.len()
            ),
            value.clone(),
        ));
        return Vec::new();
    }
    let mut links = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let at = vec![json!("body"), json!(field), json!(index)];
        match item.as_str() {
            None => issues.push(ValidationIssue::new(
                "string_type",
                at,
                "Input should be a valid string",
                item.clone(),
            )),
            Some(text) if text.chars().count() > MAX_URL_CHARS => {
                issues.push(ValidationIssue::new(
                    "url_too_long",
                    at,
                    format!("URL should have at most {MAX_URL_CHARS} characters"),
                    item.clone(),
                ))
            }
            Some(text) => match parse_normalized(text) {
                Some(url) => {
                    let url = url.to_string();
                    if !links.contains(&url) {
                        links.push(url);
                    }
                }
                None => issues.push(ValidationIssue::new(
                    "url_parsing",
                    at,
                    "Input should be a valid absolute http or https URL",
                    item.clone(),
                )),
            },
        }
    }
    links
}

fn required_text(
    object: &Map<String, Value>,
    field: &str,
    issues: &mut Vec<ValidationIssue>,
) -> Option<String> {
    match object.get(field) {
        None => {
            issues.push(missing(field));
            None
        }
        Some(Value::String(text)) if !text.trim().is_empty() => Some(text.trim().to_string()),
        Some(Value::String(text)) => {
            issues.push(ValidationIssue::new(
                "string_too_short",
                loc(field),
                "String should not be blank",
                json!(text),
            ));
            None
        }
        Some(other) => {
            issues.push(wrong_type(field, "string_type", "a valid string", other));
            None
        }
    }
}

fn optional_text(
    object: &Map<String, Value>,
    field: &str,
    issues: &mut Vec<ValidationIssue>,
) -> Option<String> {
    match object.get(field) {
        None | Some(Value::Null) => None,
        Some(Value::String(text)) => Some(text.trim().to_string()),
        Some(other) => {
            issues.push(wrong_type(field, "string_type", "a valid string", other));
            None
        }
    }
}

fn optional_bool(
    object: &Map<String, Value>,
    field: &str,
    issues: &mut Vec<ValidationIssue>,
) -> Option<bool> {
    match object.get(field) {
        None | Some(Value::Null) => None,
        Some(Value::Bool(flag)) => Some(*flag),
        Some(other) => {
            issues.push(wrong_type(field, "bool_type", "a valid boolean", other));
            None
        }
    }
}

fn optional_int(
    object: &Map<String, Value>,
    field: &str,
    min: u64,
    max: u64,
    issues: &mut Vec<ValidationIssue>,
) -> Option<u64> {
    let value = match object.get(field) {
        None | Some(Value::Null) => return None,
        Some(value) => value,
    };
    let Some(number) = value.as_i64().or_else(|| {
        value
            .as_f64()
            .filter(|f| f.fract() == 0.0 && f.abs() < 9e15)
            .map(|f| f as i64)
    }) else {
        issues.push(wrong_type(field, "int_type", "a valid integer", value));
        return None;
    };
    if number < min as i64 {
        issues.push(ValidationIssue::new(
            "greater_than_equal",
            loc(field),
            format!("Input should be greater than or equal to {min}"),
            value.clone(),
        ));
        return None;
    }
    if number as u64 > max {
        issues.push(ValidationIssue::new(
            "less_than_equal",
            loc(field),
            format!("Input should be less than or equal to {max}"),
            value.clone(),
        ));
        return None;
    }
    Some(number as u64)
}

fn patterns(
    object: &Map<String, Value>,
    field: &str,
    issues: &mut Vec<ValidationIssue>,
) -> Vec<String> {
    let value = match object.get(field) {
        None | Some(Value::Null) => return Vec::new(),
        Some(value) => value,
    };
    let Some(items) = value.as_array().filter(|items| items.len() <= MAX_PATTERNS) else {
        issues.push(ValidationIssue::new(
            "list_type",
            loc(field),
            format!("Input should be a list of at most {MAX_PATTERNS} glob strings"),
            value.clone(),
        ));
        return Vec::new();
    };
    let mut out = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let at = vec![json!("body"), json!(field), json!(index)];
        match item.as_str().map(str::trim) {
            Some(glob) if !glob.is_empty() => match check_glob(glob) {
                Ok(()) => out.push(glob.to_string()),
                Err(why) => issues.push(ValidationIssue::new(
                    "glob_parsing",
                    at,
                    format!("Invalid glob: {why}"),
                    item.clone(),
                )),
            },
            _ => issues.push(ValidationIssue::new(
                "string_type",
                at,
                "Input should be a non-empty glob string",
                item.clone(),
            )),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: InputLimits = InputLimits {
        default_max_iterations: 50,
        max_iterations_cap: 10_000,
    };

    #[test]
    fn minimal_request_gets_defaults() {
        let input = ScrapeInput::from_json(
            &json!({"starterLinks": ["HTTPS://Docs.Example.com/a#x"], "applicationName": " Acme ", "applicationVersion": " ", "unknown": 1}),
            &LIMITS,
        )
        .expect("valid");
        assert_eq!(
            input.starter_links,
            vec!["https://docs.example.com/a".to_string()]
        );
        assert_eq!(input.application_name, "Acme");
        assert_eq!(input.application_version, "current");
        assert_eq!(input.max_iterations, 50);
        assert!(!input.skip_cache);
        assert_eq!(input.max_depth, None);
    }

    #[test]
    fn every_bad_field_is_named() {
        let issues = ScrapeInput::from_json(
            &json!({"starterLinks": ["https://ok.example/", "not a url", 3], "maxIterations": 0, "maxDepth": "2", "skipCache": "yes"}),
            &LIMITS,
        )
        .expect_err("invalid");
        let locs: Vec<Value> = issues.iter().map(|i| json!(i.loc)).collect();
        assert!(locs.contains(&json!(["body", "starterLinks", 1])));
        assert!(locs.contains(&json!(["body", "starterLinks", 2])));
        assert!(locs.contains(&json!(["body", "applicationName"])));
        assert!(locs.contains(&json!(["body", "maxIterations"])));
        assert!(locs.contains(&json!(["body", "maxDepth"])));
        assert!(locs.contains(&json!(["body", "skipCache"])));
    }

    #[test]
    fn cap_and_limits_are_enforced() {
        let over = json!({"starterLinks": ["https://a.example/"], "applicationName": "A", "maxIterations": 10_001});
        assert_eq!(
            ScrapeInput::from_json(&over, &LIMITS).expect_err("over cap")[0].kind,
            "less_than_equal"
        );
        let many: Vec<String> = (0..101).map(|i| format!("https://a.example/{i}")).collect();
        let body = json!({"starterLinks": many, "applicationName": "A"});
        assert_eq!(
            ScrapeInput::from_json(&body, &LIMITS).expect_err("too many")[0].kind,
            "too_long"
        );
        let long = format!("https://a.example/{}", "x".repeat(2100));
        let body = json!({"starterLinks": [long], "applicationName": "A"});
        assert_eq!(
            ScrapeInput::from_json(&body, &LIMITS).expect_err("too long")[0].kind,
            "url_too_long"
        );
    }

    #[test]
    fn cache_key_ignores_spelling_of_the_same_crawl() {
        let a = ScrapeInput::from_json(
            &json!({"starterLinks": ["https://A.example/x#f"], "applicationName": "Acme"}),
            &LIMITS,
        )
        .expect("a");
        let b = ScrapeInput::from_json(
            &json!({"starterLinks": ["https://a.example/x"], "applicationName": "acme "}),
            &LIMITS,
        )
        .expect("b");
        assert_eq!(a.cache_key(), b.cache_key());
        let c = ScrapeInput::from_json(
            &json!({"starterLinks": ["https://a.example/y"], "applicationName": "acme"}),
            &LIMITS,
        )
        .expect("c");
        assert_ne!(a.cache_key(), c.cache_key());
    }
}
