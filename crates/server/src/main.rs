//! The `miaojing` command.
use clap::{Parser, Subcommand};
use miaojing_server::config::{CommonArgs, ServeArgs};
use miaojing_server::{startup, telemetry, Application};

/// MiaoJing (妙境): a self-hostable AI creation platform.
#[derive(Parser)]
#[command(name = "miaojing", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server (API and web app). With no configuration it uses SQLite and local
    /// storage in ./data and generates its secrets there.
    Serve(Box<ServeArgs>),
    /// Create or update the database schema, then exit.
    Migrate(CommonArgs),
    /// Manage admin accounts.
    Admin {
        #[command(subcommand)]
        action: AdminAction,
    },
    /// Print the OpenAPI document of the HTTP API.
    Openapi,
    /// Storage maintenance.
    Storage {
        #[command(subcommand)]
        action: StorageAction,
    },
}

#[derive(Subcommand)]
enum StorageAction {
    /// Copy local files to object storage (never deletes; skips files that already match by size
    /// and checksum; verifies each upload).
    Sync {
        /// Only report what would be copied.
        #[arg(long)]
        dry_run: bool,
        /// Only compare local files with object storage.
        #[arg(long)]
        verify_only: bool,
        #[command(flatten)]
        common: CommonArgs,
    },
}

#[derive(Subcommand)]
enum AdminAction {
    /// Create an admin account.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        password: String,
        #[arg(long, default_value = "admin")]
        username: String,
        #[command(flatten)]
        common: CommonArgs,
    },
}

/// glibc raises its mmap threshold after large blocks are freed, so every argon2 work area
/// (19 MiB) would then stay in a per-thread heap: a few logins grew the process by 200 MiB.
/// A fixed threshold keeps large blocks mmap-backed and returned to the system when freed.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn tune_allocator() {
    // SAFETY: mallopt only changes allocator parameters; called once before other threads start.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 512 * 1024);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn tune_allocator() {}

fn main() -> anyhow::Result<()> {
    tune_allocator();
    actix_web::rt::System::new().block_on(run())
}

async fn run() -> anyhow::Result<()> {
    telemetry::init();
    match Cli::parse().command {
        Command::Serve(args) => {
            let config = args.into_config()?;
            let (host, static_dir) = (config.host.clone(), config.static_dir.clone());
            let app = Application::build(config).await?;
            let shown = if host == "0.0.0.0" { "127.0.0.1" } else { host.as_str() };
            tracing::info!(url = %format!("http://{shown}:{}", app.port()), spa = ?static_dir, backend = app.state.store.backend(), "MiaoJing is listening");
            app.run_until_stopped().await?;
        }
        Command::Migrate(common) => {
            let r = common.resolve()?;
            let store = startup::open_store(&r.database_url, 2).await?;
            println!("schema is up to date ({})", store.backend());
        }
        Command::Admin { action: AdminAction::Create { email, password, username, common } } => {
            let r = common.resolve()?;
            let store = startup::open_store(&r.database_url, 2).await?;
            let auth = miaojing_auth::AuthService::new(
                store,
                miaojing_auth::TokenKeys::new(&r.jwt_secret),
                miaojing_auth::AuthSettings {
                    session_ttl: chrono::Duration::days(7),
                    code_secret: Vec::new(),
                    rate_limits: Default::default(),
                },
            )
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            let admin = auth.create_admin(&email, &password, Some(&username)).await.map_err(|e| anyhow::anyhow!("{}", e.message))?;
            println!("created admin {} ({})", admin.username, admin.email);
        }
        Command::Openapi => print!("{}", miaojing_server::openapi::spec_json()),
        Command::Storage { action: StorageAction::Sync { dry_run, verify_only, common } } => {
            let r = common.resolve()?;
            let summary = miaojing_server::storage_sync::run(&r, dry_run, verify_only).await?;
            if summary.failed > 0 || (verify_only && summary.missing > 0) {
                std::process::exit(1);
            }
        }
    }
    Ok(())
}
