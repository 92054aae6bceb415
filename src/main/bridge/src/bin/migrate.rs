//! `tasker-stack-migrate`: applies tasker-core's database migrations, and checks foundation TOMLs.
//!
//! The migrations are the ones the published `tasker-shared` 0.1.8 crate embeds
//! (`tasker_shared::database::migrator::MIGRATOR`, an `sqlx::migrate!` of its `migrations/`);
//! this program only drives them. They are recorded in `_sqlx_migrations`, so a second run
//! applies nothing.
//!
//! ```text
//! tasker-stack-migrate                         apply pending migrations to DATABASE_URL
//! tasker-stack-migrate --status                report applied / embedded, change nothing
//! tasker-stack-migrate --check-config worker FILE
//! tasker-stack-migrate --check-config orchestration FILE
//!                                              load FILE through the foundation's own loader
//! ```
//!
//! Exit codes: 0 success, 1 failure (message on stderr), 2 usage error.

use std::collections::HashSet;
use std::path::PathBuf;
use std::process::ExitCode;
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::PgPool;
use tasker_shared::config::tasker::TaskerConfig;
use tasker_shared::config::ConfigLoader;
use tasker_shared::database::migrator;

const PROGRAM: &str = "tasker-stack-migrate";
/// The `tasker-shared` release whose migrations this binary embeds (pinned `=0.1.8` in Cargo.toml).
const TASKER_SHARED_VERSION: &str = "0.1.8";

fn usage() -> ExitCode {
    eprintln!(
        "usage: {PROGRAM} [--status]\n       {PROGRAM} --check-config worker|orchestration FILE\n\n\
         DATABASE_URL (postgresql://user:password@host:port/db) names the database."
    );
    ExitCode::from(2)
}

fn fail(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("{PROGRAM}: {message}");
    ExitCode::from(1)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        [] => run_database(false),
        ["--status"] => run_database(true),
        ["--check-config", context, file] => check_config(context, file),
        ["-h"] | ["--help"] => {
            usage();
            ExitCode::SUCCESS
        }
        _ => usage(),
    }
}

// ---------------------------------------------------------------------------------------------
// Migrations
// ---------------------------------------------------------------------------------------------

fn run_database(status_only: bool) -> ExitCode {
    let url = match std::env::var("DATABASE_URL") {
        Ok(url) if !url.trim().is_empty() => url,
        _ => {
            return fail(
                "DATABASE_URL is not set (expected postgresql://user:password@host:port/db)",
            )
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return fail(format!("cannot start the async runtime: {e}")),
    };
    runtime.block_on(async move {
        let pool = match connect(&url).await {
            Ok(pool) => pool,
            Err(e) => return fail(format!("cannot connect to {}: {e}", redact(&url))),
        };
        let result = if status_only {
            report_status(&pool).await
        } else {
            apply(&pool).await
        };
        pool.close().await;
        result
    })
}

/// The migration connections use `search_path = public`. sqlx keeps its bookkeeping table
/// unqualified (`_sqlx_migrations`), and with PostgreSQL's default `"$user", public` a role named
/// `tasker` would, once the migrations have created the `tasker` schema, make a second run create
/// and read an empty `tasker._sqlx_migrations` and apply everything again (it fails on
/// `type "dlq_reason" already exists`). The migrations themselves do not depend on it: the first
/// two qualify every object, the others set their own search_path.
async fn connect(url: &str) -> Result<PgPool, sqlx::Error> {
    let options = PgConnectOptions::from_str(url)?.options([("search_path", "public")]);
    PgPoolOptions::new()
        .max_connections(2)
        .acquire_timeout(Duration::from_secs(15))
        .connect_with(options)
        .await
}

/// Versions recorded as successfully applied (empty when the table does not exist yet).
async fn applied_versions(pool: &PgPool) -> Result<HashSet<i64>, sqlx::Error> {
    let exists: bool =
        sqlx::query_scalar("SELECT to_regclass('public._sqlx_migrations') IS NOT NULL")
            .fetch_one(pool)
            .await?;
    if !exists {
        return Ok(HashSet::new());
    }
    let rows: Vec<i64> =
        sqlx::query_scalar("SELECT version FROM public._sqlx_migrations WHERE success")
            .fetch_all(pool)
            .await?;
    Ok(rows.into_iter().collect())
}

fn embedded() -> Vec<(i64, String)> {
    migrator::MIGRATOR
        .iter()
        .filter(|m| m.migration_type.is_up_migration())
        .map(|m| (m.version, m.description.to_string()))
        .collect()
}

async fn apply(pool: &PgPool) -> ExitCode {
    let before = match applied_versions(pool).await {
        Ok(v) => v,
        Err(e) => return fail(format!("cannot read _sqlx_migrations: {e}")),
    };
    let known = embedded();
    let pending: Vec<&(i64, String)> = known.iter().filter(|(v, _)| !before.contains(v)).collect();
    for (version, description) in &pending {
        println!("{PROGRAM}: applying {version} {description}");
    }
    if let Err(e) = migrator::run_all_migrations(pool).await {
        let hint = hint_for(&e.to_string());
        return fail(format!("migration failed: {e}{hint}"));
    }
    let after = match applied_versions(pool).await {
        Ok(v) => v,
        Err(e) => return fail(format!("cannot read _sqlx_migrations after migrating: {e}")),
    };
    let newly = after.difference(&before).count();
    println!(
        "{PROGRAM}: {newly} applied now, {} of {} tasker-shared {} migrations in the database",
        after.len(),
        known.len(),
        TASKER_SHARED_VERSION
    );
    if known.iter().any(|(v, _)| !after.contains(v)) {
        return fail("some embedded migrations are still not recorded as applied");
    }
    ExitCode::SUCCESS
}

async fn report_status(pool: &PgPool) -> ExitCode {
    let applied = match applied_versions(pool).await {
        Ok(v) => v,
        Err(e) => return fail(format!("cannot read _sqlx_migrations: {e}")),
    };
    let known = embedded();
    let missing: Vec<String> = known
        .iter()
        .filter(|(v, _)| !applied.contains(v))
        .map(|(v, d)| format!("{v} {d}"))
        .collect();
    println!(
        "{PROGRAM}: {} of {} migrations applied{}",
        known.len() - missing.len(),
        known.len(),
        if missing.is_empty() {
            String::new()
        } else {
            format!("; pending: {}", missing.join(", "))
        }
    );
    if missing.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// The two failures a fresh PostgreSQL 15 gives, with what fixes them.
fn hint_for(message: &str) -> &'static str {
    if message.contains("pgmq")
        && (message.contains("control file") || message.contains("extension"))
    {
        "\n  hint: the pgmq extension files are not installed in PostgreSQL's extension directory \
         (scripts/tasker-stack.sh start installs them)"
    } else if message.contains("already exists") {
        "\n  hint: the database holds tasker objects that _sqlx_migrations does not record (was that \
         table emptied or dropped?); recreate the database (scripts/tasker-stack.sh reset)"
    } else if message.contains("uuidv7") {
        "\n  hint: PostgreSQL < 18 has no uuidv7(); apply scripts/sql/uuidv7.sql first"
    } else if message.contains("permission denied") {
        "\n  hint: the role needs the right to create extensions (a superuser for local use)"
    } else {
        ""
    }
}

/// `postgresql://user:secret@host/db` → `postgresql://user:***@host/db`
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.find(':') {
                Some(colon) => format!(
                    "{}{}:***{}",
                    &url[..scheme + 3],
                    &credentials[..colon],
                    &url[at..]
                ),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

// ---------------------------------------------------------------------------------------------
// Config check: the same loader the foundation uses (ConfigLoader::load_from_path)
// ---------------------------------------------------------------------------------------------

fn check_config(context: &str, file: &str) -> ExitCode {
    if context != "worker" && context != "orchestration" {
        return usage();
    }
    let path = PathBuf::from(file);
    // The loader panics (by design) when a substituted environment variable fails its allowlist
    // pattern; report that as a failed check rather than a crash.
    let previous_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let loaded = std::panic::catch_unwind(|| ConfigLoader::load_from_path(&path));
    std::panic::set_hook(previous_hook);
    let config = match loaded {
        Ok(Ok(config)) => config,
        Ok(Err(e)) => return fail(format!("{file}: {e}")),
        Err(panic) => {
            let text = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "the loader panicked".to_string());
            return fail(format!("{file}: {text}"));
        }
    };
    match describe(context, &config) {
        Ok(summary) => {
            println!("{PROGRAM}: {file}: valid {context} configuration ({summary})");
            if std::env::var_os("TASKER_CHECK_DEFAULTS").is_some() {
                for line in differences_from_defaults(context, &config) {
                    println!("  differs from the 0.1.8 default: {line}");
                }
            }
            ExitCode::SUCCESS
        }
        Err(problem) => fail(format!("{file}: {problem}")),
    }
}

fn describe(context: &str, config: &TaskerConfig) -> Result<String, String> {
    let common = &config.common;
    let mut parts = vec![format!("queues {}", common.queues.backend)];
    parts.push(format!(
        "cache {}",
        if common.cache.as_ref().is_some_and(|c| c.enabled) {
            "on"
        } else {
            "off"
        }
    ));
    if common.database.url.contains("${") {
        parts.push("DATABASE_URL not set".to_string());
    }
    match context {
        "worker" => {
            let worker = config
                .worker
                .as_ref()
                .ok_or("no [worker] section: the worker foundation requires one")?;
            let web = worker.web.as_ref().is_some_and(|w| w.enabled);
            let grpc = worker.grpc.as_ref().is_some_and(|g| g.enabled);
            let client = worker
                .orchestration_client
                .as_ref()
                .ok_or("no [worker.orchestration_client]: the client calls would be unavailable")?;
            parts.push(format!("web {}", if web { "on" } else { "off" }));
            parts.push(format!("grpc {}", if grpc { "on" } else { "off" }));
            parts.push(format!(
                "orchestration {} over {}",
                client.base_url, client.transport
            ));
        }
        _ => {
            let orchestration = config
                .orchestration
                .as_ref()
                .ok_or("no [orchestration] section: the orchestration server requires one")?;
            match orchestration.web.as_ref().filter(|w| w.enabled) {
                Some(web) => {
                    let auth = web.auth.as_ref().is_some_and(|a| a.enabled);
                    parts.push(format!("REST on {}", web.bind_address));
                    parts.push(format!("auth {}", if auth { "on" } else { "off" }));
                }
                None => parts.push("REST off".to_string()),
            }
            let grpc = orchestration.grpc.as_ref().filter(|g| g.enabled);
            parts.push(match grpc {
                Some(g) => format!("grpc on {}", g.bind_address),
                None => "grpc off".to_string(),
            });
        }
    }
    Ok(parts.join(", "))
}

/// Keys whose value differs from the tasker-shared 0.1.8 structs' `Default` (optional sections
/// compared with their own struct's default). With TASKER_CHECK_DEFAULTS set, `--check-config`
/// lists them: the deliberate choices of a hand-written file.
fn differences_from_defaults(context: &str, config: &TaskerConfig) -> Vec<String> {
    use serde_json::{json, Value};
    use tasker_shared::config::tasker as t;
    fn to_value<T: serde::Serialize>(v: &T) -> Value {
        serde_json::to_value(v).unwrap_or(Value::Null)
    }
    let c = &config.common;
    let mut actual = json!({ "common": {
        "system": to_value(&c.system), "database": to_value(&c.database),
        "queues": to_value(&c.queues), "circuit_breakers": to_value(&c.circuit_breakers),
        "mpsc_channels": to_value(&c.mpsc_channels), "execution": to_value(&c.execution),
        "backoff": to_value(&c.backoff), "task_templates": to_value(&c.task_templates),
        "cache": to_value(&c.cache),
    }});
    actual["common"]["database"]["url"] = Value::String(redact(&c.database.url));
    let mut defaults = json!({ "common": {
        "system": to_value(&t::SystemConfig::default()),
        "database": to_value(&t::DatabaseConfig::default()),
        "queues": to_value(&t::QueuesConfig::default()),
        "circuit_breakers": to_value(&t::CircuitBreakerConfig::default()),
        "mpsc_channels": to_value(&t::SharedMpscChannelsConfig::default()),
        "execution": to_value(&t::ExecutionConfig::default()),
        "backoff": to_value(&t::BackoffConfig::default()),
        "task_templates": to_value(&t::TaskTemplatesConfig::default()),
        "cache": to_value(&t::CacheConfig::default()),
    }});
    if context == "worker" {
        if let Some(w) = &config.worker {
            actual["worker"] = to_value(w);
            let mut d = to_value(&t::WorkerConfig::default());
            d["orchestration_client"] = to_value(&t::OrchestrationClientConfig::default());
            d["web"] = to_value(&t::WorkerWebConfig::default());
            d["grpc"] = to_value(&t::GrpcConfig::default());
            defaults["worker"] = d;
        }
    } else if let Some(o) = &config.orchestration {
        actual["orchestration"] = to_value(o);
        let mut d = to_value(&t::OrchestrationConfig::default());
        let mut web = to_value(&t::OrchestrationWebConfig::default());
        web["auth"] = to_value(&t::AuthConfig::default());
        d["web"] = web;
        d["grpc"] = to_value(&t::GrpcConfig::default());
        defaults["orchestration"] = d;
    }
    let mut out = Vec::new();
    diff("", &actual, &defaults, &mut out);
    out
}

fn diff(
    path: &str,
    actual: &serde_json::Value,
    default: &serde_json::Value,
    out: &mut Vec<String>,
) {
    use serde_json::Value;
    match (actual, default) {
        (Value::Object(a), Value::Object(d)) => {
            for (key, value) in a {
                let child = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                diff(&child, value, d.get(key).unwrap_or(&Value::Null), out);
            }
        }
        _ if actual != default => out.push(format!("{path} = {actual} (default {default})")),
        _ => {}
    }
}
