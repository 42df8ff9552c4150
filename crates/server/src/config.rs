//! Configuration from flags and environment variables (every variable is documented in
//! `docs/configuration.md`).
use std::path::{Path, PathBuf};

use clap::{ArgAction, Args};
use miaojing_auth::rate_limit::{Limit, RateLimits};
use miaojing_storage::{Mode, ObjectConfig, StorageConfig};

/// Settings of `miaojing serve` (each flag also reads the environment variable named).
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "HOST", default_value = "127.0.0.1")]
    pub host: String,
    /// Port to listen on (0 picks a free port).
    #[arg(long, env = "PORT", default_value_t = 8080)]
    pub port: u16,
    #[command(flatten)]
    pub common: CommonArgs,
    /// E-mail of an admin to create on first start when no admin exists.
    #[arg(long, env = "ADMIN_EMAIL")]
    pub admin_email: Option<String>,
    /// Password of that admin.
    #[arg(long, env = "ADMIN_PASSWORD", hide_env_values = true)]
    pub admin_password: Option<String>,
    /// Username of that admin.
    #[arg(long, env = "ADMIN_USERNAME", default_value = "admin")]
    pub admin_username: String,
    /// Extra origins allowed to embed the site in a frame (comma or space separated).
    #[arg(long, env = "MIAOJING_FRAME_ANCESTORS", default_value = "")]
    pub frame_ancestors: String,
    /// Directory of the built SPA (default: `frontend/dist` when it exists).
    #[arg(long, env = "MIAOJING_STATIC_DIR")]
    pub static_dir: Option<PathBuf>,
    /// Trust `X-Forwarded-For` / `X-Real-IP` (only behind a reverse proxy that sets them).
    #[arg(long, env = "MIAOJING_TRUST_PROXY", value_parser = parse_bool, action = ArgAction::Set, num_args = 0..=1, default_value = "false", default_missing_value = "true")]
    pub trust_proxy: bool,
    /// HTTP worker threads (default: one per core).
    #[arg(long, env = "MIAOJING_WORKERS")]
    pub workers: Option<usize>,
    /// Session lifetime in days.
    #[arg(long, env = "SESSION_TTL_DAYS", default_value_t = 7)]
    pub session_ttl_days: i64,
    /// Login attempts per client IP per minute.
    #[arg(long, env = "RATE_LIMIT_LOGIN_IP_MAX", default_value_t = 20)]
    pub rate_login_ip: i64,
    /// Login attempts per account per minute.
    #[arg(long, env = "RATE_LIMIT_LOGIN_ACCOUNT_MAX", default_value_t = 10)]
    pub rate_login_account: i64,
    /// Registrations per client IP per minute.
    #[arg(long, env = "RATE_LIMIT_REGISTER_MAX", default_value_t = 10)]
    pub rate_register: i64,
    /// E-mail code requests per client IP per minute.
    #[arg(long, env = "RATE_LIMIT_EMAIL_MAX", default_value_t = 6)]
    pub rate_email: i64,
    /// Admin API calls per admin session per minute.
    #[arg(long, env = "RATE_LIMIT_ADMIN_MAX", default_value_t = 600)]
    pub rate_admin: i64,
    /// Exact `host:port` exceptions to the outbound guard (comma separated), e.g. a local
    /// test upstream. Everything else must be a public address.
    #[arg(long, env = "MIAOJING_OUTBOUND_ALLOWLIST", default_value = "")]
    pub outbound_allowlist: String,
    /// Demo mode: run the mock upstream in-process on loopback and register one demo image
    /// model and one demo video model, so a fresh install can create without keys.
    #[arg(long, env = "MIAOJING_DEMO", value_parser = parse_bool, action = ArgAction::Set, num_args = 0..=1, default_value = "false", default_missing_value = "true")]
    pub demo: bool,
    /// On the first start with no model configured, start with the demo models (until the
    /// console's switch turns them off). `false` leaves a fresh install without models.
    #[arg(long, env = "MIAOJING_DEMO_WHEN_EMPTY", default_value_t = true, action = clap::ArgAction::Set)]
    pub demo_when_empty: bool,
    /// Generation jobs run concurrently by this instance.
    #[arg(long, env = "MIAOJING_WORKER_SLOTS", default_value_t = 4)]
    pub worker_slots: usize,
    /// Bearer token that `GET /metrics` requires. Without it, metrics answer only direct
    /// loopback requests (no proxy forwarding headers).
    #[arg(long, env = "MIAOJING_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,
    /// Seconds a claimed job stays this instance's without a heartbeat; after a crash its
    /// jobs are recovered once it lapses (3–600).
    #[arg(long, env = "MIAOJING_JOB_LEASE_SECS", default_value_t = 30)]
    pub job_lease_secs: u64,
}

/// The one parser of every boolean setting: `true/false`, `1/0`, `yes/no`, `on/off`, any case.
pub fn parse_bool(value: &str) -> Result<bool, String> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        _ => Err(format!("'{value}' is not a boolean: use true/false, 1/0, yes/no or on/off")),
    }
}

/// Settings shared by every subcommand that opens the database.
#[derive(Debug, Clone, Args)]
pub struct CommonArgs {
    /// Data directory (SQLite database, generated secrets, local storage).
    #[arg(long, env = "MIAOJING_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,
    /// `postgres://…` for PostgreSQL, `sqlite://…` or empty for SQLite in the data dir.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// Maximum database connections (PostgreSQL pool).
    #[arg(long, env = "DATABASE_MAX_CONNECTIONS", default_value_t = 16)]
    pub db_max_connections: u32,
    /// `production` makes missing secrets a start-up error.
    #[arg(long, env = "MIAOJING_ENV", default_value = "development")]
    pub env: String,
    /// Secret for signing session tokens.
    #[arg(long, env = "JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<String>,
    /// Secret for encrypting stored credentials (AES-256-GCM).
    #[arg(long, env = "DATA_ENCRYPTION_KEY", hide_env_values = true)]
    pub data_encryption_key: Option<String>,
    /// Local storage directory (default: `<data dir>/storage`).
    #[arg(long, env = "LOCAL_STORAGE_DIR")]
    pub local_storage_dir: Option<PathBuf>,
    #[command(flatten)]
    pub object: ObjectArgs,
}

/// Object storage settings (`STORAGE_MODE=object|dual`).
#[derive(Debug, Clone, Default, Args)]
pub struct ObjectArgs {
    /// `local`, `object` or `dual` (default: `dual` when a bucket is set, else `local`).
    #[arg(long, env = "STORAGE_MODE")]
    pub storage_mode: Option<String>,
    /// Bucket of the S3-compatible object store.
    #[arg(long, env = "OBJECT_STORAGE_BUCKET")]
    pub object_storage_bucket: Option<String>,
    /// Region (default `us-east-1`; `auto` means the same).
    #[arg(long, env = "OBJECT_STORAGE_REGION", default_value = "")]
    pub object_storage_region: String,
    /// Endpoint URL of an S3-compatible service (empty: AWS S3).
    #[arg(long, env = "OBJECT_STORAGE_ENDPOINT")]
    pub object_storage_endpoint: Option<String>,
    /// Access key id.
    #[arg(long, env = "OBJECT_STORAGE_ACCESS_KEY_ID", hide_env_values = true)]
    pub object_storage_access_key_id: Option<String>,
    /// Secret access key.
    #[arg(long, env = "OBJECT_STORAGE_SECRET_ACCESS_KEY", hide_env_values = true)]
    pub object_storage_secret_access_key: Option<String>,
    /// Path-style URLs (default true).
    #[arg(long, env = "OBJECT_STORAGE_FORCE_PATH_STYLE", value_parser = parse_bool, action = ArgAction::Set, num_args = 0..=1, default_value = "true", default_missing_value = "true")]
    pub object_storage_force_path_style: bool,
    /// Key prefix inside the bucket.
    #[arg(long, env = "OBJECT_STORAGE_PREFIX")]
    pub object_storage_prefix: Option<String>,
}

impl ObjectArgs {
    /// The mode and bucket; a mode that needs a bucket without one is an error.
    pub fn resolve(&self) -> anyhow::Result<(Mode, Option<ObjectConfig>)> {
        let nonempty = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(String::from);
        let object = nonempty(&self.object_storage_bucket).map(|bucket| ObjectConfig {
            bucket,
            region: self.object_storage_region.trim().to_string(),
            endpoint: nonempty(&self.object_storage_endpoint),
            access_key_id: nonempty(&self.object_storage_access_key_id),
            secret_access_key: nonempty(&self.object_storage_secret_access_key),
            force_path_style: self.object_storage_force_path_style,
            prefix: nonempty(&self.object_storage_prefix),
        });
        let mode = match nonempty(&self.storage_mode) {
            Some(m) => Mode::parse(&m)?,
            None if object.is_some() => Mode::Dual,
            None => Mode::Local,
        };
        if mode != Mode::Local && object.is_none() {
            anyhow::bail!("STORAGE_MODE={} needs OBJECT_STORAGE_BUCKET", mode.as_str());
        }
        let object = match object {
            Some(o) => Some(o.validated()?),
            None => None,
        };
        Ok((mode, object))
    }
}

/// Resolved configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub host: String,
    pub port: u16,
    pub data_dir: PathBuf,
    pub database_url: String,
    pub db_max_connections: u32,
    pub production: bool,
    pub jwt_secret: String,
    pub encryption_key: String,
    pub storage_dir: PathBuf,
    pub storage_mode: Mode,
    pub object_storage: Option<ObjectConfig>,
    pub admin: Option<AdminSeed>,
    pub frame_ancestors: Vec<String>,
    pub static_dir: Option<PathBuf>,
    pub trust_proxy: bool,
    pub workers: usize,
    pub session_ttl_days: i64,
    pub rate_limits: RateLimits,
    /// `MIAOJING_OUTBOUND_ALLOWLIST`: exact `host:port` exceptions to the outbound guard.
    pub outbound_allowlist: String,
    /// `--demo` / `MIAOJING_DEMO`: run the demo models (turns the console switch on).
    pub demo: bool,
    /// `MIAOJING_DEMO_WHEN_EMPTY`: a first start without models runs the demo models.
    pub demo_when_empty: bool,
    /// `MIAOJING_WORKER_SLOTS`: generation jobs run concurrently by this instance (0: none).
    pub worker_slots: usize,
    /// `MIAOJING_JOB_LEASE_SECS`: how long a job claim lasts without a heartbeat.
    pub job_lease: std::time::Duration,
    /// `MIAOJING_METRICS_TOKEN`: the bearer token `/metrics` requires (`None`: loopback only).
    pub metrics_token: Option<String>,
}

/// The admin to create on first start.
#[derive(Debug, Clone)]
pub struct AdminSeed {
    pub email: String,
    pub password: String,
    pub username: String,
}

/// Database URL, secrets and directories, resolved from [`CommonArgs`].
#[derive(Debug, Clone)]
pub struct Resolved {
    pub data_dir: PathBuf,
    pub database_url: String,
    pub production: bool,
    pub jwt_secret: String,
    pub encryption_key: String,
    pub storage_dir: PathBuf,
    pub storage_mode: Mode,
    pub object_storage: Option<ObjectConfig>,
}

impl CommonArgs {
    /// Resolves the database URL and secrets; generates missing secrets into the data dir
    /// (`<data>/secrets/`) unless in production, where they must be given.
    pub fn resolve(&self) -> anyhow::Result<Resolved> {
        let production = self.env.eq_ignore_ascii_case("production");
        std::fs::create_dir_all(&self.data_dir).map_err(|e| anyhow::anyhow!("cannot create data dir {}: {e}", self.data_dir.display()))?;
        let database_url = match self.database_url.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(url) => url.to_string(),
            None => format!("sqlite://{}", self.data_dir.join("miaojing.db").display()),
        };
        let jwt_secret = secret(&self.data_dir, "jwt_secret", self.jwt_secret.as_deref(), production, "JWT_SECRET")?;
        let encryption_key =
            secret(&self.data_dir, "data_encryption_key", self.data_encryption_key.as_deref(), production, "DATA_ENCRYPTION_KEY")?;
        let storage_dir = self.local_storage_dir.clone().unwrap_or_else(|| self.data_dir.join("storage"));
        let (storage_mode, object_storage) = self.object.resolve()?;
        Ok(Resolved {
            data_dir: self.data_dir.clone(),
            database_url,
            production,
            jwt_secret,
            encryption_key,
            storage_dir,
            storage_mode,
            object_storage,
        })
    }
}

fn secret(data_dir: &Path, name: &str, given: Option<&str>, production: bool, var: &str) -> anyhow::Result<String> {
    if let Some(v) = given.map(str::trim).filter(|v| !v.is_empty()) {
        if production && v.len() < 32 {
            anyhow::bail!("{var} must be at least 32 characters in production");
        }
        return Ok(v.to_string());
    }
    if production {
        anyhow::bail!("{var} is required when MIAOJING_ENV=production (set it to a random string of at least 32 characters)");
    }
    let dir = data_dir.join("secrets");
    let path = dir.join(name);
    if let Ok(v) = std::fs::read_to_string(&path) {
        if !v.trim().is_empty() {
            return Ok(v.trim().to_string());
        }
    }
    std::fs::create_dir_all(&dir)?;
    let value: String = {
        use rand::Rng;
        let mut rng = rand::thread_rng();
        (0..48).map(|_| char::from(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"[rng.gen_range(0..62)])).collect()
    };
    write_private(&path, &value)?;
    tracing::info!(path = %path.display(), "generated {var}");
    Ok(value)
}

#[cfg(unix)]
fn write_private(path: &Path, value: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(path)?;
    f.write_all(value.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, value: &str) -> std::io::Result<()> {
    std::fs::write(path, value)
}

impl Config {
    /// A throwaway configuration for tests and benchmarks: loopback on a free port, data in
    /// `dir`, fixed secrets, SQLite in `dir` unless `database_url` is set, generous rate limits.
    pub fn ephemeral(dir: &Path) -> Config {
        Config {
            host: "127.0.0.1".into(),
            port: 0,
            data_dir: dir.to_path_buf(),
            database_url: String::new(),
            db_max_connections: 5,
            production: false,
            jwt_secret: "test-jwt-secret-0123456789abcdef0123456789".into(),
            encryption_key: "test-encryption-key-0123456789abcdef012345".into(),
            storage_dir: dir.join("storage"),
            storage_mode: miaojing_storage::Mode::Local,
            object_storage: None,
            admin: None,
            frame_ancestors: vec![],
            static_dir: None,
            trust_proxy: false,
            workers: 1,
            session_ttl_days: 7,
            rate_limits: RateLimits {
                login_ip: Limit::new(10_000, 60),
                login_account: Limit::new(10_000, 60),
                register_ip: Limit::new(10_000, 60),
                email_ip: Limit::new(10_000, 60),
                admin: Limit::new(100_000, 60),
            },
            outbound_allowlist: String::new(),
            demo: false,
            demo_when_empty: false,
            worker_slots: 4,
            job_lease: std::time::Duration::from_secs(30),
            metrics_token: None,
        }
    }

    /// The storage configuration.
    pub fn storage_config(&self) -> StorageConfig {
        StorageConfig { mode: self.storage_mode, local_dir: self.storage_dir.clone(), object: self.object_storage.clone() }
    }
}

impl Resolved {
    /// The storage configuration.
    pub fn storage_config(&self) -> StorageConfig {
        StorageConfig { mode: self.storage_mode, local_dir: self.storage_dir.clone(), object: self.object_storage.clone() }
    }
}

impl ServeArgs {
    /// Resolves everything `serve` needs.
    pub fn into_config(self) -> anyhow::Result<Config> {
        let r = self.common.resolve()?;
        let admin = match (self.admin_email, self.admin_password) {
            (Some(email), Some(password)) if !email.trim().is_empty() => Some(AdminSeed { email, password, username: self.admin_username }),
            (Some(_), None) => anyhow::bail!("ADMIN_EMAIL is set but ADMIN_PASSWORD is not"),
            _ => None,
        };
        let static_dir = self.static_dir.or_else(|| {
            let default = PathBuf::from("frontend/dist");
            default.join("index.html").exists().then_some(default)
        });
        let defaults = RateLimits::default();
        Ok(Config {
            host: self.host,
            port: self.port,
            data_dir: r.data_dir,
            database_url: r.database_url,
            db_max_connections: self.common.db_max_connections.max(1),
            production: r.production,
            jwt_secret: r.jwt_secret,
            encryption_key: r.encryption_key,
            storage_dir: r.storage_dir,
            storage_mode: r.storage_mode,
            object_storage: r.object_storage,
            admin,
            frame_ancestors: self.frame_ancestors.split([',', ' ']).map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect(),
            static_dir,
            trust_proxy: self.trust_proxy,
            workers: self.workers.unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2)).max(1),
            session_ttl_days: self.session_ttl_days.clamp(1, 365),
            rate_limits: RateLimits {
                login_ip: Limit::new(self.rate_login_ip.max(1), 60),
                login_account: Limit::new(self.rate_login_account.max(1), 60),
                register_ip: Limit::new(self.rate_register.max(1), 60),
                email_ip: Limit::new(self.rate_email.max(1), 60),
                admin: Limit::new(self.rate_admin.max(1), defaults.admin.window_secs),
            },
            outbound_allowlist: self.outbound_allowlist,
            demo: self.demo,
            demo_when_empty: self.demo_when_empty,
            worker_slots: self.worker_slots.min(256),
            job_lease: std::time::Duration::from_secs(self.job_lease_secs.clamp(3, 600)),
            metrics_token: self.metrics_token.map(|t| t.trim().to_string()).filter(|t| !t.is_empty()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        serve: ServeArgs,
    }

    #[test]
    fn every_boolean_spelling_is_accepted() {
        for (v, want) in
            [("true", true), ("1", true), ("YES", true), ("On", true), ("false", false), ("0", false), ("no", false), (" OFF ", false)]
        {
            assert_eq!(parse_bool(v), Ok(want), "{v}");
        }
        assert!(parse_bool("maybe").unwrap_err().contains("true/false, 1/0, yes/no or on/off"));
    }

    #[test]
    fn boolean_flags_take_any_spelling_or_stand_alone() {
        let cli =
            Cli::try_parse_from(["miaojing", "--demo", "1", "--trust-proxy", "on", "--object-storage-force-path-style", "0"]).unwrap();
        assert!(cli.serve.demo && cli.serve.trust_proxy && !cli.serve.common.object.object_storage_force_path_style);
        let cli = Cli::try_parse_from(["miaojing", "--demo"]).unwrap();
        assert!(cli.serve.demo && !cli.serve.trust_proxy && cli.serve.common.object.object_storage_force_path_style);
        assert!(Cli::try_parse_from(["miaojing", "--demo=perhaps"]).is_err());
    }
}
