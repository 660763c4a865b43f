//! The command line: `agora [serve|migrate|openapi|users grant-role]`.
use clap::{Parser, Subcommand};

use crate::{
    config::Config,
    identity::{accounts::find_by_phone, phone::Phone, profiles::set_role, Role},
    openapi,
    platform::db,
    startup::{self, Application},
    telemetry,
};

#[derive(Parser, Debug)]
#[command(
    name = "agora",
    version,
    about = "agora: a community-forum backend with privacy by construction"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the API (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Print the OpenAPI spec (JSON).
    Openapi,
    /// Fill an empty database with demo circles, users and posts.
    SeedDemo,
    /// Rebuild the search index from the database.
    Reindex,
    /// Carry out due deregistrations and run every retention rule, once.
    Purge,
    /// Manage users.
    Users {
        #[command(subcommand)]
        command: UsersCommand,
    },
}

#[derive(Subcommand, Debug)]
pub enum UsersCommand {
    /// Give the account with this phone number a role.
    GrantRole {
        /// The phone number of the account.
        phone: String,
        /// user, moderator or admin.
        role: String,
    },
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let command = cli.command.unwrap_or(Command::Serve);
    if let Command::Openapi = command {
        println!("{}", openapi::spec_json());
        return Ok(());
    }
    let config = Config::load()?;
    telemetry::init(
        &config.log_format,
        telemetry::DEFAULT_FILTER,
        std::io::stderr,
    );
    match command {
        Command::Serve => serve(config).await,
        Command::Migrate => {
            let conn = db::connect(&config).await?;
            db::migrate(&conn).await?;
            tracing::info!("migrations applied");
            Ok(())
        }
        Command::Users {
            command: UsersCommand::GrantRole { phone, role },
        } => grant_role(config, &phone, &role).await,
        Command::SeedDemo => seed_demo(config).await,
        Command::Reindex => {
            let (state, _) = startup::context(config).await?;
            match crate::search::outbox::reindex(&state).await? {
                Some(count) => println!("reindexed {count} documents"),
                None => println!(
                    "a running server holds the search outbox: it rebuilds the index at its next tick"
                ),
            }
            Ok(())
        }
        Command::Purge => {
            let (state, registries) = startup::context(config).await?;
            let report = crate::rights::purge::run(&state, &registries).await?;
            if !report.ran {
                println!("another instance is purging; nothing done");
            }
            println!(
                "deregistrations completed: {}, held for open reports: {}",
                report.completed, report.holding
            );
            if report.failed > 0 {
                println!("failed (see the log): {}", report.failed);
            }
            for (rule, removed) in report.retention {
                println!("retention {rule}: {removed} removed");
            }
            Ok(())
        }
        Command::Openapi => Ok(()),
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let app = Application::build(config).await?;
    let state = app.state();
    let base = format!("http://{}:{}", state.config.listen.ip(), app.port());
    tracing::info!(
        database = if db::is_sqlite(&state.db) {
            "sqlite"
        } else {
            "postgres"
        },
        cache = state.cache.kind(),
        "agora is serving on {base}: API {base}{}, docs {base}/docs, spec {base}/api/openapi.json",
        openapi::BASE_PATH
    );
    app.run_until_stopped().await?;
    Ok(())
}

async fn grant_role(config: Config, phone: &str, role: &str) -> anyhow::Result<()> {
    let role = Role::parse(role)
        .ok_or_else(|| anyhow::anyhow!("role must be user, moderator or admin"))?;
    let phone = Phone::parse(phone).map_err(|e| anyhow::anyhow!("the phone number {e}"))?;
    let (state, _) = startup::context(config).await?;
    let user = find_by_phone(&state, &phone)
        .await
        .map_err(anyhow::Error::from)?
        .ok_or_else(|| anyhow::anyhow!("no account has the phone number {}", phone.masked()))?;
    let user_id = user.id.clone();
    set_role(&state.db, user, role)
        .await
        .map_err(anyhow::Error::from)?;
    // Shared with the servers when the cache is Redis; an in-process copy
    // is the server's own and shows the old role for 30 s at most.
    crate::identity::copies::forget_public_profile(&state, &user_id).await;
    println!("{} is now {}", user_id, role.as_str());
    Ok(())
}

async fn seed_demo(config: Config) -> anyhow::Result<()> {
    let (state, _) = startup::context(config).await?;
    let seeded = crate::community::seed::seed_demo(&state).await?;
    println!(
        "seeded {} circles, {} users and {} posts; every demo account logs in with its phone and the password `{}`:",
        seeded.circles,
        seeded.users.len(),
        seeded.posts,
        crate::community::seed::DEMO_PASSWORD
    );
    for (phone, nickname) in seeded.users {
        println!("  {phone}  {nickname}");
    }
    Ok(())
}
