//! Who owns which table. Every table in `entity/src` has one owner; a
//! module may use a table its own top-level module owns or one owned by a
//! lower layer (the platform's upload records, identity's users and social
//! graph). A feature area never touches another area's tables — it asks
//! through a read model, a registered source or a hook — and no layer
//! touches the tables of a layer above it.
use std::{collections::BTreeSet, path::Path};

use syn::visit::Visit;

use super::{layer_of, module_path, rust_files, LAYERS};

/// Each table's owner (a top-level module of `src/`).
pub const OWNERS: &[(&str, &[&str])] = &[
    // The upload records are the storage's: identity (avatars) and every
    // area (images, attachments) read their keys; the media layer fills them.
    ("platform", &["job_leases", "search_outbox", "uploads"]),
    (
        "privacy",
        &[
            "consents",
            "consent_receipts",
            "processing_log",
            "notice_versions",
            "staff_actions",
        ],
    ),
    // Accounts, and the social graph every area honours (blocks, follows).
    (
        "identity",
        &[
            "users",
            "sessions",
            "sms_codes",
            "user_locations",
            "user_blocks",
            "follows",
            "guardian_consents",
        ],
    ),
    (
        "community",
        &[
            "circles",
            "circle_members",
            "posts",
            "post_images",
            "post_likes",
            "post_revisions",
            "comments",
            "comment_likes",
            "reports",
            "moderation_log",
        ],
    ),
    (
        "messages",
        &[
            "conversations",
            "conversation_members",
            "messages",
            "notifications",
        ],
    ),
    ("search", &["search_history"]),
    ("events", &["events", "event_registrations"]),
    (
        "rewards",
        &[
            "reward_tasks",
            "coin_accounts",
            "coin_ledger",
            "reward_prizes",
            "reward_claims",
            "reward_partners",
            "reward_ticket_uses",
            "experience_log",
        ],
    ),
    (
        "help_groups",
        &[
            "help_groups",
            "help_group_managers",
            "help_group_applications",
        ],
    ),
    (
        "beta",
        &["beta_programs", "beta_applications", "beta_builds"],
    ),
    ("rights", &["deregistrations"]),
];

/// Modules of `entity` that are not tables.
const NOT_TABLES: &[&str] = &["lib", "enums"];

fn owner_of(table: &str) -> Option<&'static str> {
    OWNERS
        .iter()
        .find(|(_, tables)| tables.contains(&table))
        .map(|(owner, _)| *owner)
}

/// Why `module` may not use `table`, or `None` when it may.
pub fn table_verdict(module: &str, table: &str) -> Option<String> {
    if NOT_TABLES.contains(&table) {
        return None;
    }
    let Some(owner) = owner_of(table) else {
        return Some(format!(
            "table `{table}` has no owner: add it to OWNERS in tests/architecture/tables.rs"
        ));
    };
    if owner == module {
        return None;
    }
    let (Some((from, isolated)), Some((to, _))) = (layer_of(module), layer_of(owner)) else {
        return Some(format!("`{module}` or `{owner}` is on no layer"));
    };
    if LAYERS[from].0 == "wiring" || to < from || (to == from && !isolated) {
        return None;
    }
    Some(if to == from {
        format!("`{table}` is {owner}'s: areas never touch each other's tables")
    } else {
        format!(
            "`{table}` is {owner}'s ({}), a layer above {module}",
            LAYERS[to].0
        )
    })
}

/// The tables a source file names (`entity::posts`, `use entity::{users, …}`).
#[derive(Default)]
struct Tables(BTreeSet<String>);

impl Tables {
    fn use_tree(&mut self, prefix: &[String], tree: &syn::UseTree) {
        let mut at = |name: String| {
            let full: Vec<String> = prefix.iter().cloned().chain([name]).collect();
            if full.len() >= 2 && full[0] == "entity" {
                self.0.insert(full[1].clone());
            }
        };
        match tree {
            syn::UseTree::Path(p) => {
                let mut next = prefix.to_vec();
                next.push(p.ident.to_string());
                if next.len() == 2 && next[0] == "entity" {
                    self.0.insert(next[1].clone());
                }
                self.use_tree(&next, &p.tree);
            }
            syn::UseTree::Name(n) => at(n.ident.to_string()),
            syn::UseTree::Rename(r) if prefix.is_empty() && r.ident == "entity" => {
                // `use entity as e;` would hide every table behind `e::`.
                self.0.insert("*".into());
            }
            syn::UseTree::Rename(r) => at(r.ident.to_string()),
            syn::UseTree::Glob(_) => at("*".into()),
            syn::UseTree::Group(g) => g.items.iter().for_each(|i| self.use_tree(prefix, i)),
        }
    }
}

impl Tables {
    /// Macro bodies are tokens to syn: look for `entity :: name` in them.
    fn tokens(&mut self, tokens: proc_macro2::TokenStream) {
        let trees: Vec<proc_macro2::TokenTree> = tokens.into_iter().collect();
        for (i, tree) in trees.iter().enumerate() {
            match tree {
                proc_macro2::TokenTree::Group(g) => self.tokens(g.stream()),
                proc_macro2::TokenTree::Ident(id) if id == "entity" => {
                    if let (
                        Some(proc_macro2::TokenTree::Punct(a)),
                        Some(proc_macro2::TokenTree::Punct(b)),
                        Some(proc_macro2::TokenTree::Ident(name)),
                    ) = (trees.get(i + 1), trees.get(i + 2), trees.get(i + 3))
                    {
                        if a.as_char() == ':' && b.as_char() == ':' {
                            self.0.insert(name.to_string());
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

impl<'ast> Visit<'ast> for Tables {
    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        self.tokens(mac.tokens.clone());
        syn::visit::visit_macro(self, mac);
    }

    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        self.use_tree(&[], &item.tree);
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        if segments.len() >= 2 && segments[0] == "entity" {
            self.0.insert(segments[1].clone());
        }
        syn::visit::visit_path(self, path);
    }
}

/// `(table, why)` for each table `source` uses that its module may not.
pub fn check_tables(src: &Path, file: &Path, source: &str) -> Vec<(String, String)> {
    let module = module_path(src, file).first().cloned().unwrap_or_default();
    let Ok(parsed) = syn::parse_file(source) else {
        return vec![(String::new(), "does not parse".into())];
    };
    let mut tables = Tables::default();
    tables.visit_file(&parsed);
    tables
        .0
        .into_iter()
        .filter_map(|t| {
            let why = if t == "*" {
                Some("a glob import of `entity` hides which tables are used".into())
            } else {
                table_verdict(&module, &t)
            };
            why.map(|why| (t, why))
        })
        .collect()
}

#[test]
fn every_table_has_one_owner() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut declared = BTreeSet::new();
    for (_, tables) in OWNERS {
        for table in *tables {
            assert!(declared.insert(*table), "`{table}` has two owners");
        }
    }
    let mut files = Vec::new();
    rust_files(&root.join("entity/src"), &mut files);
    let tables: BTreeSet<String> = files
        .iter()
        .filter_map(|f| f.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .filter(|t| !NOT_TABLES.contains(&t.as_str()))
        .collect();
    let unowned: Vec<&String> = tables
        .iter()
        .filter(|t| !declared.contains(t.as_str()))
        .collect();
    assert!(unowned.is_empty(), "tables without an owner: {unowned:?}");
    let gone: Vec<&&str> = declared.iter().filter(|t| !tables.contains(**t)).collect();
    assert!(gone.is_empty(), "owners declared for no table: {gone:?}");
}

#[test]
fn every_module_uses_only_tables_it_may() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let src = root.join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut broken = Vec::new();
    for file in &files {
        let source = std::fs::read_to_string(file).unwrap();
        for (table, why) in check_tables(&src, file, &source) {
            let rel = file
                .strip_prefix(root)
                .unwrap_or(file)
                .display()
                .to_string();
            broken.push(format!("{rel}: entity::{table} — {why}"));
        }
    }
    assert!(
        broken.is_empty(),
        "{} uses of a table break the ownership map (ARCHITECTURE.md):\n{}",
        broken.len(),
        broken.join("\n")
    );
}

#[test]
fn a_forbidden_table_is_named_with_its_file() {
    let src = Path::new("src");
    // The search area reading community's posts, in a `use` and in code.
    let found = check_tables(
        src,
        Path::new("src/search/api.rs"),
        "use entity::{posts, search_history};\n\
         fn f() { let _ = entity::comments::Entity; }",
    );
    let tables: Vec<&str> = found.iter().map(|f| f.0.as_str()).collect();
    assert_eq!(tables, ["comments", "posts"], "{found:?}");
    assert!(found[0].1.contains("each other's tables"), "{}", found[0].1);
    // Identity reaching up into an area's table; a glob.
    let found = check_tables(
        src,
        Path::new("src/identity/views.rs"),
        "use entity::messages;",
    );
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].1.contains("a layer above"), "{}", found[0].1);
    for source in [
        "use entity::*;",
        "use entity as e;",
        "use entity::prelude::*;",
    ] {
        let found = check_tables(src, Path::new("src/community/posts.rs"), source);
        assert_eq!(found.len(), 1, "{source}: {found:?}");
    }
    // Inside a macro call.
    let found = check_tables(
        src,
        Path::new("src/search/api.rs"),
        "fn f() { tracing::info!(x = ?entity::posts::Entity); }",
    );
    assert_eq!(found.len(), 1, "{found:?}");
    // Own tables, lower layers' tables and shared enums are fine.
    let found = check_tables(
        src,
        Path::new("src/community/posts.rs"),
        "use entity::{posts, users, uploads, follows, enums::Role};",
    );
    assert!(found.is_empty(), "{found:?}");
}

/// Tables a table's entity relates to (`super::<table>::Entity`).
fn related_tables(source: &str) -> BTreeSet<String> {
    source
        .match_indices("super::")
        .filter_map(|(at, _)| {
            let rest = &source[at + "super::".len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            rest[name.len()..].starts_with("::").then_some(name)
        })
        .filter(|name| !NOT_TABLES.contains(&name.as_str()))
        .collect()
}

#[test]
fn entity_relations_point_down_the_layers() {
    // A relation is an import in disguise: `find_also_related` lets its
    // owner read the other table. One may point at a table of its own
    // owner or of a lower layer; areas stay out of each other's tables.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("entity/src");
    let mut wrong = Vec::new();
    let mut relations = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let table = path.file_stem().unwrap().to_string_lossy().to_string();
        let Some(owner) = owner_of(&table) else {
            continue;
        };
        let source = std::fs::read_to_string(&path).unwrap();
        for other in related_tables(&source) {
            relations += 1;
            if let Some(why) = table_verdict(owner, &other) {
                wrong.push(format!("{table} -> {other}: {why}"));
            }
        }
    }
    assert!(relations > 5, "found only {relations} relations");
    assert!(wrong.is_empty(), "{wrong:#?}");
    // And the check itself sees a relation that points up.
    let up = "belongs_to = \"super::users::Entity\"";
    assert!(related_tables(up).contains("users"));
    assert!(table_verdict("platform", "users").is_some());
}
