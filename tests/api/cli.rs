use std::process::Command;

use serde_json::Value;

use crate::helpers::spawn_app;

fn agora() -> Command {
    Command::new(env!("CARGO_BIN_EXE_agora"))
}

#[test]
fn help_lists_the_subcommands() {
    let out = agora().arg("--help").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for sub in ["serve", "migrate", "openapi", "users"] {
        assert!(text.contains(sub), "{sub} missing from:\n{text}");
    }
    let out = agora().args(["users", "--help"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("grant-role"));
}

#[test]
fn openapi_prints_the_spec() {
    let out = agora().arg("openapi").output().unwrap();
    assert!(out.status.success());
    let spec: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(spec["info"]["title"], "agora");
}

#[tokio::test]
async fn grant_role_makes_an_admin_by_phone_number() {
    let app = spawn_app().await;
    let user = app.register().await;
    let mut cmd = agora();
    cmd.args(["users", "grant-role", &user.phone, "admin"])
        .env("AGORA_DATA_DIR", app.data_dir.path())
        .env(
            "AGORA_DATA_KEY",
            app.config.data_key.as_ref().unwrap().expose(),
        )
        .env_remove("AGORA_REDIS_URL");
    if let Some(url) = &app.config.database_url {
        cmd.env("AGORA_DATABASE_URL", url.expose());
    } else {
        cmd.env_remove("AGORA_DATABASE_URL");
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let me: Value = app
        .get("/me")
        .bearer_auth(&user.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["role"], "admin");

    let out = agora()
        .args(["users", "grant-role", &user.phone, "emperor"])
        .env("AGORA_DATA_DIR", app.data_dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    // The CLI names the account by masked phone only.
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains(&user.phone));
}
