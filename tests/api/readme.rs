//! The README's commands work as written: its "try it by hand" block runs
//! against a live server (the same fixed SMS code the suite uses).
use crate::helpers::{skip, spawn_app};

/// The first ```sh block after `marker` in the README.
fn block_after(readme: &str, marker: &str) -> String {
    let from = readme.find(marker).expect("marker in README");
    let rest = &readme[from..];
    let start = rest.find("```sh\n").expect("a sh block") + "```sh\n".len();
    let end = rest[start..].find("\n```").expect("the block ends");
    rest[start..start + end].to_owned()
}

#[tokio::test]
async fn the_try_it_by_hand_commands_of_the_readme_work_as_written() {
    if std::process::Command::new("curl")
        .arg("--version")
        .output()
        .is_err()
    {
        return skip(
            "readme::the_try_it_by_hand_commands_of_the_readme_work_as_written",
            "needs curl",
        );
    }
    let app = spawn_app().await;
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let block = block_after(&readme, "To try it by hand");
    assert!(block.contains("AGORA_SMS_TEST_CODE=246810"), "{block}");
    let host = app.address.trim_start_matches("http://");
    // The server is ours already; every other line runs as written, and a
    // 4xx fails the script.
    let commands: Vec<String> = block
        .lines()
        .filter(|l| !l.contains("cargo run"))
        .map(|l| l.replace("localhost:8080", host))
        .collect();
    let script = format!(
        "set -euo pipefail\ncurl() {{ command curl --fail-with-body -sS \"$@\"; }}\n{}\n",
        commands.join("\n")
    );
    let out = tokio::process::Command::new("bash")
        .arg("-c")
        .arg(&script)
        .output()
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "the README's commands failed:\n{script}\nstdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(app.count("users").await, 1, "the account was created");
}
