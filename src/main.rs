use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = agora::cli::Cli::parse();
    match agora::cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("agora: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
