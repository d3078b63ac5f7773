//! `electx-gateway`: configuration, logging, database, serve.

use std::net::SocketAddr;

use clap::Parser;
use electx_gateway::{app, votes, AppState, Config};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let config = Config::parse();
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    if config.log_format == "json" {
        tracing_subscriber::fmt().with_env_filter(filter).json().init();
    } else {
        tracing_subscriber::fmt().with_env_filter(filter).init();
    }
    let listen = config.listen;
    let state = AppState::new(config).await?;
    votes::spawn_workers(&state);
    let mut fatal = state.chain.fatal();
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {listen}: {e}"))?;
    tracing::info!(%listen, dev_mode = state.config.dev_mode, sms = state.sms.kind(), "gateway listening");
    let server =
        axum::serve(listener, app(state).into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(async {
                let ctrl_c = async {
                    let _ = tokio::signal::ctrl_c().await;
                };
                #[cfg(unix)]
                let term = async {
                    if let Ok(mut s) =
                        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                    {
                        s.recv().await;
                    }
                };
                #[cfg(not(unix))]
                let term = std::future::pending::<()>();
                tokio::select! { _ = ctrl_c => {}, _ = term => {} }
                tracing::info!("shutting down");
            });
    tokio::select! {
        r = server => r.map_err(|e| anyhow::anyhow!("server: {e}"))?,
        why = async { fatal.wait_for(|f| f.is_some()).await.ok().and_then(|f| f.clone()) } => {
            anyhow::bail!("refusing to run: {}", why.unwrap_or_default());
        },
    }
    Ok(())
}
