//! `tasker-stack-server`: the tasker-core orchestration server, run from the published
//! `tasker-orchestration` 0.1.8 crate (`OrchestrationBootstrap`).
//!
//! ```text
//! TASKER_CONFIG_PATH=orchestration.toml DATABASE_URL=postgresql://… tasker-stack-server
//! TASKER_CONFIG_PATH=orchestration.toml tasker-stack-server --check
//! ```
//!
//! The configuration is one pre-merged foundation TOML named by `TASKER_CONFIG_PATH` (this
//! process has no Java side, so the variable is free here). It is loaded once up front, with the
//! foundation's own loader, so a bad file or a rejected environment value is reported as a
//! message and exit code 1 instead of a panic deep inside the bootstrap.
//!
//! SIGTERM or SIGINT stops the orchestration system within `orchestration.shutdown_timeout_ms`;
//! a second signal during that stop exits at once.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use tasker_orchestration::orchestration::bootstrap::OrchestrationBootstrap;
use tasker_shared::config::tasker::TaskerConfig;
use tasker_shared::config::ConfigLoader;
use tokio::signal::unix::{signal, Signal, SignalKind};
use tracing::{error, info, warn};

const PROGRAM: &str = "tasker-stack-server";

fn fail(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("{PROGRAM}: {message}");
    ExitCode::from(1)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let check_only = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        [] => false,
        ["--check"] => true,
        _ => {
            eprintln!(
                "usage: {PROGRAM} [--check]\n\nTASKER_CONFIG_PATH names the orchestration TOML; \
                 DATABASE_URL the database; TASKER_ENV test|development|production."
            );
            return ExitCode::from(2);
        }
    };

    let config = match preload_config() {
        Ok(config) => config,
        Err(message) => return fail(message),
    };
    let Some(orchestration) = config.orchestration.as_ref() else {
        return fail("the configuration has no [orchestration] section");
    };
    let rest = orchestration
        .web
        .as_ref()
        .filter(|w| w.enabled)
        .map(|w| w.bind_address.clone());
    if check_only {
        println!(
            "{PROGRAM}: configuration valid (REST {}, environment {})",
            rest.as_deref().unwrap_or("off"),
            config.common.execution.environment
        );
        return ExitCode::SUCCESS;
    }
    let shutdown_timeout = Duration::from_millis(orchestration.shutdown_timeout_ms);

    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("tasker-orchestration")
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return fail(format!("cannot start the async runtime: {e}")),
    };
    runtime.block_on(serve(rest, shutdown_timeout))
}

/// Loads `TASKER_CONFIG_PATH` the way the bootstrap will, turning the loader's panic on a
/// rejected environment value (for example a `DATABASE_URL` that is not `postgresql://…`)
/// into an error message.
fn preload_config() -> Result<TaskerConfig, String> {
    let path = std::env::var("TASKER_CONFIG_PATH")
        .ok()
        .filter(|p| !p.trim().is_empty())
        .ok_or("TASKER_CONFIG_PATH is not set: point it at the orchestration TOML")?;
    let path = PathBuf::from(path);
    if !path.is_file() {
        return Err(format!(
            "TASKER_CONFIG_PATH={} is not a file",
            path.display()
        ));
    }
    let previous_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let loaded = std::panic::catch_unwind(|| ConfigLoader::load_from_path(&path));
    std::panic::set_hook(previous_hook);
    match loaded {
        Ok(Ok(config)) => Ok(config),
        Ok(Err(e)) => Err(format!("{}: {e}", path.display())),
        Err(panic) => Err(format!(
            "{}: {}",
            path.display(),
            panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "the configuration loader panicked".to_string())
        )),
    }
}

async fn serve(rest: Option<String>, shutdown_timeout: Duration) -> ExitCode {
    tasker_shared::logging::init_tracing();

    // Registered before the bootstrap, so a stop that arrives while it runs is not lost.
    let (mut sigterm, mut sigint) = match (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) {
        (Ok(t), Ok(i)) => (t, i),
        (Err(e), _) | (_, Err(e)) => return fail(format!("cannot install signal handlers: {e}")),
    };

    info!(
        version = env!("CARGO_PKG_VERSION"),
        foundation = "tasker-orchestration 0.1.8",
        "{PROGRAM} starting"
    );
    let bootstrap = OrchestrationBootstrap::bootstrap();
    let mut handle = tokio::select! {
        result = bootstrap => match result {
            Ok(handle) => handle,
            Err(e) => {
                error!(error = %e, "orchestration bootstrap failed");
                return fail(format!("orchestration bootstrap failed: {e}"));
            }
        },
        name = next_signal(&mut sigterm, &mut sigint) => {
            warn!(signal = name, "stopped during bootstrap");
            return ExitCode::from(1);
        }
    };

    match &rest {
        Some(address) => info!(rest = %address, "{PROGRAM} ready"),
        None => info!("{PROGRAM} ready (REST API disabled in the configuration)"),
    }
    eprintln!(
        "{PROGRAM}: ready (REST {}, pid {})",
        rest.as_deref().unwrap_or("off"),
        std::process::id()
    );

    let name = next_signal(&mut sigterm, &mut sigint).await;
    info!(
        signal = name,
        timeout_ms = shutdown_timeout.as_millis() as u64,
        "stopping orchestration"
    );

    let stopped = tokio::select! {
        outcome = tokio::time::timeout(shutdown_timeout, handle.stop()) => match outcome {
            Ok(Ok(())) => { info!("orchestration stopped"); true }
            Ok(Err(e)) => { error!(error = %e, "orchestration did not stop cleanly"); false }
            Err(_) => { error!("orchestration stop timed out"); false }
        },
        second = next_signal(&mut sigterm, &mut sigint) => {
            warn!(signal = second, "second signal during shutdown, exiting now");
            false
        }
    };
    eprintln!("{PROGRAM}: stopped ({name})");
    if stopped {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

async fn next_signal(sigterm: &mut Signal, sigint: &mut Signal) -> &'static str {
    tokio::select! {
        _ = sigterm.recv() => "SIGTERM",
        _ = sigint.recv() => "SIGINT",
    }
}
