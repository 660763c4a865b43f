//! The shape of the code a reviewer checks by eye, checked here instead:
//! role requirements in signatures, short files and handlers, and request
//! field names only at the API edge.
use std::path::Path;

use super::rust_files;

#[test]
fn role_requirements_are_in_handler_signatures() {
    // `AdminAuth` / `ModeratorAuth` check the role before the body is read
    // and cannot be forgotten; a `require(Role::…)` call in a handler can.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    let calls: Vec<String> = files
        .iter()
        .filter(|f| !f.ends_with("identity/guard.rs"))
        .filter(|f| {
            std::fs::read_to_string(f)
                .unwrap()
                .contains(".require(Role::")
        })
        .map(|f| f.display().to_string())
        .collect();
    assert!(
        calls.is_empty(),
        "use AdminAuth or ModeratorAuth instead: {calls:?}"
    );
}

#[test]
fn source_files_stay_under_four_hundred_lines() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    let long: Vec<String> = files
        .iter()
        .map(|f| (f, std::fs::read_to_string(f).unwrap().lines().count()))
        .filter(|(_, n)| *n > 400)
        .map(|(f, n)| format!("{} ({n} lines)", f.display()))
        .collect();
    assert!(long.is_empty(), "split these by topic: {long:?}");
}

#[test]
fn handlers_stay_under_fifty_lines() {
    // A handler reads the request, calls a service and shapes the answer;
    // more than that belongs in the service. Counted: the body's lines of
    // every function in an API file, methods and free helpers alike.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    let mut long = Vec::new();
    let mut counted = 0;
    for file in &files {
        let source = std::fs::read_to_string(file).unwrap();
        if !source.contains("#[OpenApi") {
            continue;
        }
        for (name, lines) in function_lengths(&source) {
            counted += 1;
            if lines > 50 {
                long.push(format!("{}: {name} ({lines} lines)", file.display()));
            }
        }
    }
    assert!(counted > 60, "found only {counted} functions in API files");
    assert!(long.is_empty(), "move the work into a service: {long:?}");
}

/// Each function's name and body length, for functions that open at the
/// start of a line (top level or one indent in) and close at the same
/// indent, as rustfmt lays them out.
fn function_lengths(source: &str) -> Vec<(String, usize)> {
    let lines: Vec<&str> = source.lines().collect();
    let mut found = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let indent = line.len() - line.trim_start().len();
        if indent > 4 {
            continue;
        }
        let mut head = line.trim_start();
        for prefix in ["pub(crate) ", "pub(super) ", "pub ", "async "] {
            head = head.strip_prefix(prefix).unwrap_or(head);
        }
        let Some(rest) = head.strip_prefix("fn ") else {
            continue;
        };
        let name = rest.split(['(', '<']).next().unwrap_or_default().to_owned();
        let Some(open) = (i..lines.len()).find(|&j| lines[j].trim_end().ends_with('{')) else {
            continue;
        };
        let close_line = format!("{}}}", " ".repeat(indent));
        let close = (open + 1..lines.len())
            .find(|&j| lines[j] == close_line)
            .unwrap_or(lines.len());
        found.push((name, close - open - 1));
    }
    found
}

#[test]
fn the_length_count_sees_free_functions_and_methods() {
    let source = "fn free() {\n    a;\n    b;\n}\nimpl X {\n    pub async fn method(\n        x: u8,\n    ) -> u8 {\n        x\n    }\n}\n";
    assert_eq!(
        function_lengths(source),
        [("free".to_owned(), 2), ("method".to_owned(), 1)]
    );
}

#[test]
fn only_the_api_edge_names_request_fields() {
    // Services refuse with their area's `Refusal` (or a domain `Invalid`);
    // which request field that was is said once, at the edge: API files,
    // the forms that read bodies, each area's refusals table, the wiring.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    let edge = |f: &Path| {
        let name = f.file_name().unwrap_or_default().to_string_lossy();
        name.ends_with("api.rs")
            || name.ends_with("_forms.rs")
            || name == "refusals.rs"
            || name == "error.rs"
            || name == "startup.rs"
            || f.components().any(|c| c.as_os_str() == "api")
    };
    let deep: Vec<String> = files
        .iter()
        .filter(|f| !edge(f))
        .filter(|f| {
            let source = std::fs::read_to_string(f).unwrap();
            [
                "AppError::invalid(",
                "AppError::field(",
                "invalid_fields(",
                ".at(\"",
            ]
            .iter()
            .any(|call| source.contains(call))
        })
        .map(|f| f.display().to_string())
        .collect();
    assert!(
        deep.is_empty(),
        "a service names a request field; add a Refusal instead: {deep:?}"
    );
}

#[test]
fn every_promise_in_security_md_names_a_test_that_exists() {
    // `file::test_name` is a test in tests/api/file.rs, `file::*` a whole
    // file of them, `src/….rs` a source file with unit tests.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("SECURITY.md")).unwrap();
    let mut named = 0;
    let mut missing = Vec::new();
    for quoted in text.split('`').skip(1).step_by(2) {
        // A source file with unit tests.
        if quoted.starts_with("src/") && quoted.ends_with(".rs") {
            named += 1;
            let source = std::fs::read_to_string(root.join(quoted)).unwrap_or_default();
            if !source.contains("#[cfg(test)]") {
                missing.push(quoted.to_owned());
            }
            continue;
        }
        let Some((file, name)) = quoted.split_once("::") else {
            continue;
        };
        if !file.chars().all(|c| c.is_ascii_lowercase() || c == '_')
            || !name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '_' || c == '*')
        {
            continue;
        }
        named += 1;
        let api = root.join(format!("tests/api/{file}.rs"));
        let found = std::fs::read_to_string(&api)
            .is_ok_and(|source| name == "*" || source.contains(&format!("async fn {name}(")));
        if !found {
            missing.push(quoted.to_owned());
        }
    }
    assert!(named > 20, "found only {named} references");
    assert!(
        missing.is_empty(),
        "SECURITY.md names tests that do not exist: {missing:?}"
    );
}
