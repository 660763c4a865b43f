//! The table the consent middleware enforces: every operation of the API
//! with its tagged inputs, found by method and path as the router finds it.
use std::sync::OnceLock;

use poem::http::Method;

use super::tags::Tag;

/// Where an operation takes an input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, poem_openapi::Enum)]
#[oai(rename = "FieldLocation", rename_all = "lowercase")]
pub enum Location {
    Body,
    Query,
    Path,
    Header,
}

/// One tagged input of an operation.
#[derive(Clone, Debug)]
pub struct FieldTag {
    pub location: Location,
    /// A JSON path (`phone`, `address.city`) or a parameter name.
    pub name: String,
    pub tag: Tag,
}

#[derive(Clone, Debug)]
pub struct OperationPolicy {
    pub operation_id: String,
    pub method: Method,
    pub(super) segments: Vec<String>,
    pub fields: Vec<FieldTag>,
    /// The purposes of its personal fields.
    pub purposes: Vec<&'static str>,
    pub authenticated: bool,
}

impl OperationPolicy {
    /// The names of the path parameters, in the order of the path.
    pub fn path_params(&self) -> Vec<&str> {
        self.segments
            .iter()
            .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
            .collect()
    }

    /// Whether its path template matches `segments`, whatever the method.
    fn matches_path(&self, segments: &[&str]) -> bool {
        self.segments.len() == segments.len()
            && self
                .segments
                .iter()
                .zip(segments)
                .all(|(pattern, seg)| pattern.starts_with('{') || pattern == seg)
    }

    /// How the router ranks templates: a literal segment beats a parameter,
    /// the earlier segment first (`/uploads/avatar` over `/uploads/{id}`).
    fn specificity(&self) -> Vec<bool> {
        self.segments.iter().map(|s| !s.starts_with('{')).collect()
    }
}

#[derive(Clone, Debug, Default)]
pub struct PolicyTable {
    pub operations: Vec<OperationPolicy>,
}

impl PolicyTable {
    /// The operation serving `path` (below the API base path).
    pub fn find(&self, method: &Method, path: &str) -> Option<&OperationPolicy> {
        self.routed(path).into_iter().find(|op| op.method == method)
    }

    /// The methods some operation serves at `path` (a 405's `Allow`).
    pub fn methods_at(&self, path: &str) -> Vec<&Method> {
        let mut methods: Vec<&Method> =
            self.routed(path).into_iter().map(|op| &op.method).collect();
        methods.dedup();
        methods
    }

    /// The operations of the one template the router picks for `path`:
    /// the most specific that matches, as poem's router ranks them.
    fn routed(&self, path: &str) -> Vec<&OperationPolicy> {
        let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
        let matching: Vec<&OperationPolicy> = self
            .operations
            .iter()
            .filter(|op| op.matches_path(&segments))
            .collect();
        let Some(best) = matching.iter().map(|op| op.specificity()).max() else {
            return Vec::new();
        };
        matching
            .into_iter()
            .filter(|op| op.specificity() == best)
            .collect()
    }

    pub fn by_id(&self, operation_id: &str) -> Option<&OperationPolicy> {
        self.operations
            .iter()
            .find(|op| op.operation_id == operation_id)
    }
}

static POLICIES: OnceLock<&'static PolicyTable> = OnceLock::new();

/// The wiring registers the table read out of the whole API's spec at
/// start-up (the privacy core cannot import the list of APIs above it).
pub fn register_policies(table: &'static PolicyTable) {
    let _ = POLICIES.set(table);
}

/// The registered table: every operation, its tagged fields and purposes;
/// `None` until the wiring registered it (the middleware then refuses
/// every call rather than let one through unchecked).
pub fn policies() -> Option<&'static PolicyTable> {
    POLICIES.get().copied()
}
