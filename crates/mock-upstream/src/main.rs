//! `miaojing-mock-upstream`: runs the mock upstream AI provider until interrupted.

use std::net::SocketAddr;

use clap::Parser;
use miaojing_mock_upstream::{try_start, MockConfig};

/// Mock upstream AI provider (OpenAI-compatible images/chat/models, async video tasks) for tests and demos.
#[derive(Parser, Debug)]
#[command(name = "miaojing-mock-upstream", version)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1", env = "MOCK_UPSTREAM_HOST")]
    host: std::net::IpAddr,
    /// Port to listen on (0 picks a free port; the chosen URL is printed on stdout).
    #[arg(long, default_value_t = 0, env = "MOCK_UPSTREAM_PORT")]
    port: u16,
    /// HTTP worker threads (default: number of CPUs).
    #[arg(long)]
    workers: Option<usize>,
    /// Accepted API keys, comma-separated (default: any key starting with `sk-`).
    #[arg(long, value_delimiter = ',')]
    api_keys: Option<Vec<String>>,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::io::Result<()> {
    let args = Args::parse();
    let config = MockConfig {
        addr: Some(SocketAddr::new(args.host, args.port)),
        api_keys: args.api_keys,
        workers: args.workers.unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2)),
        ..MockConfig::default()
    };
    let mock = try_start(config).await?;
    println!("{}", mock.base_url());
    tokio::signal::ctrl_c().await?;
    mock.stop().await;
    Ok(())
}
