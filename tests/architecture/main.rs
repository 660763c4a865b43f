//! The layer map of `ARCHITECTURE.md`, enforced: every `crate::` path in
//! `src/` (in `use` trees, in code and inside macro calls) is read with
//! `syn`, and a path that points up the map, or from one feature area into
//! another, fails this test naming the file and the import.
//!
//! A module may import its own top-level module, anything in a lower
//! layer, and another module of its own layer unless that layer isolates
//! its modules (the feature areas: they talk through identity's read
//! models, the platform's index outbox or a registered hook).
use std::{
    collections::BTreeSet,
    path::{Path, PathBuf},
};

use syn::visit::Visit;

mod shape;
mod tables;

/// From the bottom up: (layer, its top-level modules, isolated).
const LAYERS: &[(&str, &[&str], bool)] = &[
    (
        "base",
        &["config", "convert", "error", "ids", "telemetry"],
        false,
    ),
    ("platform", &["platform", "state"], false),
    ("http", &["api"], false),
    ("privacy core", &["privacy"], false),
    ("identity", &["identity"], false),
    ("media", &["uploads"], false),
    (
        "areas",
        &[
            "beta",
            "community",
            "events",
            "help_groups",
            "messages",
            "rewards",
            "search",
        ],
        true,
    ),
    ("rights", &["rights"], false),
    (
        "wiring",
        &["startup", "openapi", "cli", "lib", "main"],
        false,
    ),
];

/// Imports that break the map today, each to be removed; the test fails
/// when one of them is gone (so that this list only shrinks) or when an
/// import breaks the map without being listed here.
const KNOWN: &[(&str, &str)] = &[];

fn layer_of(module: &str) -> Option<(usize, bool)> {
    LAYERS
        .iter()
        .position(|(_, modules, _)| modules.contains(&module))
        .map(|i| (i, LAYERS[i].2))
}

/// Layers that run over the areas through what they registered, and so
/// may not import any of them.
const ABOVE_AREAS_BY_HOOKS: &[&str] = &["rights"];

/// Why `from` may not import `to`, or `None` when it may.
fn verdict(from: &str, to: &str) -> Option<String> {
    if from == to {
        return None;
    }
    if to.is_empty() {
        return Some("aliasing or globbing the crate root hides what is imported".into());
    }
    let Some((from_layer, isolated)) = layer_of(from) else {
        return Some(format!(
            "`{from}` is on no layer: add it to ARCHITECTURE.md and LAYERS"
        ));
    };
    let Some((to_layer, _)) = layer_of(to) else {
        return Some(format!(
            "`{to}` is on no layer: add it to ARCHITECTURE.md and LAYERS"
        ));
    };
    let (from_name, to_name) = (LAYERS[from_layer].0, LAYERS[to_layer].0);
    if ABOVE_AREAS_BY_HOOKS.contains(&from) && to_name == "areas" {
        return Some(format!(
            "{from} runs over the areas through registered hooks and may not import {to}"
        ));
    }
    if to_layer > from_layer {
        Some(format!(
            "{from} ({from_name}) may not import {to} ({to_name}), a layer above it"
        ))
    } else if to_layer == from_layer && isolated {
        Some(format!(
            "{from} may not import {to}: feature areas talk through a lower layer or a registered hook"
        ))
    } else {
        None
    }
}

/// The module path of a source file: `src/privacy/purge.rs` is
/// `privacy::purge`, `src/identity/mod.rs` is `identity`.
fn module_path(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).unwrap_or(file);
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

/// Every path a file names that starts at the crate root (`crate::…`, or
/// `super::…` climbing out of its top-level module), as segments.
struct Paths {
    module: Vec<String>,
    found: Vec<Vec<String>>,
}

impl Paths {
    fn push(&mut self, mut segments: Vec<String>) {
        // `self::super::…` is `super::…`.
        while segments.len() > 1 && segments[0] == "self" && segments[1] == "super" {
            segments.remove(0);
        }
        match segments.first().map(String::as_str) {
            Some("crate") => self.found.push(segments[1..].to_vec()),
            Some("super") => {
                // `super` from `a::b` (file a/b.rs) is `a`.
                let mut base = self.module.clone();
                let mut rest = segments.as_slice();
                while rest.first().is_some_and(|s| s == "super") {
                    base.pop();
                    rest = &rest[1..];
                }
                // Nothing left: `super` from an inline `mod tests` of a
                // top-level file, which is that file's own module.
                if base.is_empty() && rest.is_empty() {
                    base.extend(self.module.first().cloned());
                }
                base.extend(rest.iter().cloned());
                self.found.push(base);
            }
            _ => {}
        }
    }

    fn use_tree(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree) {
        match tree {
            syn::UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                self.use_tree(prefix, &p.tree);
                prefix.pop();
            }
            syn::UseTree::Name(n) => {
                let mut full = prefix.clone();
                full.push(n.ident.to_string());
                self.push(full);
            }
            syn::UseTree::Rename(r) => {
                let mut full = prefix.clone();
                full.push(r.ident.to_string());
                self.push(full);
            }
            syn::UseTree::Glob(_) => self.push(prefix.clone()),
            syn::UseTree::Group(g) => {
                for item in &g.items {
                    self.use_tree(prefix, item);
                }
            }
        }
    }

    /// Macro bodies are tokens to syn: look for `crate :: name` in them.
    fn tokens(&mut self, tokens: proc_macro2::TokenStream) {
        let trees: Vec<proc_macro2::TokenTree> = tokens.into_iter().collect();
        for (i, tree) in trees.iter().enumerate() {
            match tree {
                proc_macro2::TokenTree::Group(g) => self.tokens(g.stream()),
                proc_macro2::TokenTree::Ident(id) if id == "crate" => {
                    let mut segments = vec!["crate".to_owned()];
                    let mut j = i + 1;
                    while let (
                        Some(proc_macro2::TokenTree::Punct(a)),
                        Some(proc_macro2::TokenTree::Punct(b)),
                        Some(proc_macro2::TokenTree::Ident(name)),
                    ) = (trees.get(j), trees.get(j + 1), trees.get(j + 2))
                    {
                        if a.as_char() != ':' || b.as_char() != ':' {
                            break;
                        }
                        segments.push(name.to_string());
                        j += 3;
                    }
                    // `crate::{a::X, b::Y}` inside a macro: read the braces
                    // as the use tree they are.
                    if let (
                        Some(proc_macro2::TokenTree::Punct(a)),
                        Some(proc_macro2::TokenTree::Punct(b)),
                        Some(proc_macro2::TokenTree::Group(group)),
                    ) = (trees.get(j), trees.get(j + 1), trees.get(j + 2))
                    {
                        let braces = group.delimiter() == proc_macro2::Delimiter::Brace;
                        if a.as_char() == ':' && b.as_char() == ':' && braces {
                            let text = format!("{}::{}", segments.join("::"), group);
                            if let Ok(tree) = syn::parse_str::<syn::UseTree>(&text) {
                                self.use_tree(&mut Vec::new(), &tree);
                                continue;
                            }
                        }
                    }
                    if segments.len() > 1 {
                        self.push(segments);
                    }
                }
                _ => {}
            }
        }
    }
}

impl<'ast> Visit<'ast> for Paths {
    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        self.use_tree(&mut Vec::new(), &item.tree);
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        self.push(path.segments.iter().map(|s| s.ident.to_string()).collect());
        syn::visit::visit_path(self, path);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        self.tokens(mac.tokens.clone());
        syn::visit::visit_macro(self, mac);
    }
}

/// `(file, import, why)` for each import of `source` that breaks the map.
fn check_source(src: &Path, file: &Path, source: &str) -> Vec<(String, String, String)> {
    let module = module_path(src, file);
    let parsed = match syn::parse_file(source) {
        Ok(parsed) => parsed,
        Err(err) => {
            return vec![(
                file.display().to_string(),
                String::new(),
                format!("does not parse: {err}"),
            )]
        }
    };
    let mut paths = Paths {
        module: module.clone(),
        found: Vec::new(),
    };
    paths.visit_file(&parsed);
    let from = module.first().cloned().unwrap_or_default();
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for path in paths.found {
        let to = path.first().map(String::as_str).unwrap_or_default();
        let import = format!("crate::{}", path.join("::"));
        if let Some(why) = verdict(&from, to) {
            if seen.insert(import.clone()) {
                out.push((file.display().to_string(), import, why));
            }
        }
    }
    out
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_import_in_src_follows_the_layer_map() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let src = root.join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    assert!(files.len() > 50, "found only {} files in src/", files.len());
    let mut broken = Vec::new();
    let mut known_seen = BTreeSet::new();
    for file in &files {
        let source = std::fs::read_to_string(file).unwrap();
        for (_, import, why) in check_source(&src, file, &source) {
            let rel = file
                .strip_prefix(root)
                .unwrap_or(file)
                .display()
                .to_string();
            let top = import.split("::").nth(1).unwrap_or_default().to_owned();
            if let Some(known) = KNOWN.iter().find(|(f, t)| *f == rel && *t == top) {
                known_seen.insert(*known);
                continue;
            }
            broken.push(format!("{rel}: {import} — {why}"));
        }
    }
    let gone: Vec<String> = KNOWN
        .iter()
        .filter(|k| !known_seen.contains(*k))
        .map(|(f, t)| format!("{f} → {t}"))
        .collect();
    assert!(
        broken.is_empty(),
        "{} imports break the layer map (ARCHITECTURE.md):\n{}",
        broken.len(),
        broken.join("\n")
    );
    assert!(
        gone.is_empty(),
        "these known breaks are fixed: take them off KNOWN\n{}",
        gone.join("\n")
    );
}

#[test]
fn a_forbidden_import_is_named_with_its_file() {
    let src = Path::new("src");
    // The platform reaching up into a feature area.
    let found = check_source(
        src,
        Path::new("src/platform/db.rs"),
        "use crate::{config::Config, community::feeds::invalidate};",
    );
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "src/platform/db.rs");
    assert_eq!(found[0].1, "crate::community::feeds::invalidate");
    assert!(found[0].2.contains("a layer above"), "{}", found[0].2);
    // One feature area reaching into another, in code and in a macro.
    let found = check_source(
        src,
        Path::new("src/messages/dto.rs"),
        "fn f() { let _ = crate::community::dto::AuthorView::default(); }\n\
         fn g() { tracing::info!(x = ?crate::search::api::X); }",
    );
    let imports: Vec<&str> = found.iter().map(|f| f.1.as_str()).collect();
    assert_eq!(
        imports,
        [
            "crate::community::dto::AuthorView::default",
            "crate::search::api::X"
        ]
    );
    // `super` climbing out of the module counts too, behind `self` too.
    for source in [
        "use super::super::community::erasure;",
        "use self::super::super::community::erasure;",
    ] {
        let found = check_source(src, Path::new("src/privacy/purge.rs"), source);
        assert_eq!(found.len(), 1, "{source}: {found:?}");
    }
    // A use tree inside a macro's tokens.
    let found = check_source(
        src,
        Path::new("src/messages/dto.rs"),
        "fn g() { tracing::info!(x = ?{ use crate::{search::api::X, error::E}; 1 }); }",
    );
    let imports: Vec<&str> = found.iter().map(|f| f.1.as_str()).collect();
    assert_eq!(imports, ["crate::search::api::X"]);
    // The crate root aliased or globbed, and rights reaching into an area.
    for source in ["use crate as root;", "use crate::*;"] {
        let found = check_source(src, Path::new("src/community/posts.rs"), source);
        assert_eq!(found.len(), 1, "{source}: {found:?}");
    }
    let found = check_source(
        src,
        Path::new("src/rights/purge.rs"),
        "use crate::community::feeds;",
    );
    assert_eq!(found.len(), 1, "{found:?}");
    // Downward and within-module imports are fine.
    let found = check_source(
        src,
        Path::new("src/community/posts.rs"),
        "use super::feeds; use crate::{identity::BearerAuth, platform::db, error::AppError};",
    );
    assert!(found.is_empty(), "{found:?}");
}
