//! Runs the subcommand or the node that the command line asks for.

use crate::{
    benchmarking::{inherent_benchmark_data, RemarkBuilder, TransferKeepAliveBuilder},
    chain_spec,
    cli::{Cli, Subcommand},
    service,
};
use electx_runtime::{Block, EXISTENTIAL_DEPOSIT};
use frame_benchmarking_cli::{BenchmarkCmd, ExtrinsicFactory, SUBSTRATE_REFERENCE_HARDWARE};
use sc_cli::SubstrateCli;
use sc_service::PartialComponents;
use sp_keyring::Sr25519Keyring;

impl SubstrateCli for Cli {
    fn impl_name() -> String {
        "ElectX Chain Node".into()
    }

    fn impl_version() -> String {
        env!("SUBSTRATE_CLI_IMPL_VERSION").into()
    }

    fn description() -> String {
        env!("CARGO_PKG_DESCRIPTION").into()
    }

    fn author() -> String {
        env!("CARGO_PKG_AUTHORS").into()
    }

    fn support_url() -> String {
        "https://example.invalid/electx-chain/issues".into()
    }

    fn copyright_start_year() -> i32 {
        2026
    }

    fn load_spec(&self, id: &str) -> Result<Box<dyn sc_service::ChainSpec>, String> {
        Ok(match id {
            "dev" => Box::new(chain_spec::development_chain_spec()?),
            "" | "local" => Box::new(chain_spec::local_chain_spec()?),
            path => {
                Box::new(chain_spec::ChainSpec::from_json_file(std::path::PathBuf::from(path))?)
            }
        })
    }
}

/// Parses and runs the command line.
pub fn run() -> sc_cli::Result<()> {
    let cli = Cli::from_args();

    match &cli.subcommand {
        Some(Subcommand::Key(cmd)) => cmd.run(&cli),
        Some(Subcommand::BuildSpec(cmd)) => {
            let runner = cli.create_runner(cmd)?;
            runner.sync_run(|config| cmd.run(config.chain_spec, config.network))
        }
        Some(Subcommand::ExportChainSpec(cmd)) => {
            let chain_spec = cli.load_spec(&cmd.chain)?;
            cmd.run(chain_spec)
        }
        Some(Subcommand::CheckBlock(cmd)) => {
            let runner = cli.create_runner(cmd)?;
            runner.async_run(|config| {
                let PartialComponents { client, task_manager, import_queue, .. } =
                    service::new_partial(&config)?;
                Ok((cmd.run(client, import_queue), task_manager))
            })
        }
        Some(Subcommand::ExportBlocks(cmd)) => {
            let runner = cli.create_runner(cmd)?;
            runner.async_run(|config| {
                let PartialComponents { client, task_manager, .. } = service::new_partial(&config)?;
                Ok((cmd.run(client, config.database), task_manager))
            })
        }
        Some(Subcommand::ExportState(cmd)) => {
            let runner = cli.create_runner(cmd)?;
            runner.async_run(|config| {
                let PartialComponents { client, task_manager, .. } = service::new_partial(&config)?;
                Ok((cmd.run(client, config.chain_spec), task_manager))
            })
        }
        Some(Subcommand::ImportBlocks(cmd)) => {
            let runner = cli.create_runner(cmd)?;
            runner.async_run(|config| {
                let PartialComponents { client, task_manager, import_queue, .. } =
                    service::new_partial(&config)?;
                Ok((cmd.run(client, import_queue), task_manager))
            })
        }
        Some(Subcommand::PurgeChain(cmd)) => {
            let runner = cli.create_runner(cmd)?;
            runner.sync_run(|config| cmd.run(config.database))
        }
        Some(Subcommand::Revert(cmd)) => {
            let runner = cli.create_runner(cmd)?;
            runner.async_run(|config| {
                let PartialComponents { client, task_manager, backend, .. } =
                    service::new_partial(&config)?;
                let aux_revert = Box::new(|client, _, blocks| {
                    sc_consensus_grandpa::revert(client, blocks)?;
                    Ok(())
                });
                Ok((cmd.run(client, backend, Some(aux_revert)), task_manager))
            })
        }
        Some(Subcommand::Benchmark(cmd)) => {
            let runner = cli.create_runner(cmd)?;

            runner.sync_run(|config| match cmd {
                BenchmarkCmd::Pallet(cmd) => {
                    // A runtime given with `--runtime` carries its own benchmarks; the
                    // built-in one has them only when built with the feature.
                    if cmd.runtime.is_none() && !cfg!(feature = "runtime-benchmarks") {
                        return Err("This node's runtime has no benchmarks: pass a runtime \
                            built with `runtime-benchmarks` via `--runtime` (see \
                            scripts/bench-pallet.sh), or build the node with \
                            `--features runtime-benchmarks`."
                            .into());
                    }
                    // The runtime imports ElectX's host functions: benchmarks measure them.
                    cmd.run_with_spec::<
                        sp_runtime::traits::HashingFor<Block>,
                        electx_crypto_host::HostFunctions,
                    >(Some(config.chain_spec))
                }
                BenchmarkCmd::Block(cmd) => {
                    let PartialComponents { client, .. } = service::new_partial(&config)?;
                    cmd.run(client)
                }
                #[cfg(not(feature = "runtime-benchmarks"))]
                BenchmarkCmd::Storage(_) => {
                    Err("Storage benchmarking needs `--features runtime-benchmarks`.".into())
                }
                #[cfg(feature = "runtime-benchmarks")]
                BenchmarkCmd::Storage(cmd) => {
                    let PartialComponents { client, backend, .. } = service::new_partial(&config)?;
                    let db = backend.expose_db();
                    let storage = backend.expose_storage();
                    let shared_cache = backend.expose_shared_trie_cache();
                    cmd.run(config, client, db, storage, shared_cache)
                }
                BenchmarkCmd::Overhead(cmd) => {
                    let PartialComponents { client, .. } = service::new_partial(&config)?;
                    let ext_builder = RemarkBuilder::new(client.clone());
                    cmd.run(
                        config.chain_spec.name().into(),
                        client,
                        inherent_benchmark_data()?,
                        Vec::new(),
                        &ext_builder,
                        false,
                    )
                }
                BenchmarkCmd::Extrinsic(cmd) => {
                    let PartialComponents { client, .. } = service::new_partial(&config)?;
                    let ext_factory = ExtrinsicFactory(vec![
                        Box::new(RemarkBuilder::new(client.clone())),
                        Box::new(TransferKeepAliveBuilder::new(
                            client.clone(),
                            Sr25519Keyring::Alice.to_account_id(),
                            EXISTENTIAL_DEPOSIT,
                        )),
                    ]);
                    cmd.run(client, inherent_benchmark_data()?, Vec::new(), &ext_factory)
                }
                BenchmarkCmd::Machine(cmd) => {
                    cmd.run(&config, SUBSTRATE_REFERENCE_HARDWARE.clone())
                }
            })
        }
        Some(Subcommand::ElectionKey(cmd)) => {
            use crate::election_key::ElectionKeyCmd;
            match cmd {
                ElectionKeyCmd::Generate(cmd) => cmd.run(),
                ElectionKeyCmd::Public(cmd) => cmd.run(),
                ElectionKeyCmd::Install(cmd) => {
                    let secret = crate::election_key::read_secret(&cmd.key_file)?;
                    let runner = cli.create_runner(cmd)?;
                    runner.sync_run(|config| {
                        let PartialComponents { client, backend, .. } =
                            service::new_partial(&config)?;
                        let ids = crate::election_key::install(&*client, &*backend, &secret)?;
                        println!(
                            "installed the secret key of {} (elections {ids:?})",
                            crate::election_key::public_hex(&secret.public_key())
                        );
                        Ok(())
                    })
                }
            }
        }
        Some(Subcommand::ChainInfo(cmd)) => {
            let runner = cli.create_runner(cmd)?;
            runner.sync_run(|config| cmd.run::<Block>(&config))
        }
        None => {
            let runner = cli.create_runner(&cli.run)?;
            runner.run_node_until_exit(|config| async move {
                match config.network.network_backend {
                    sc_network::config::NetworkBackendType::Libp2p => service::new_full::<
                        sc_network::NetworkWorker<
                            electx_runtime::opaque::Block,
                            <electx_runtime::opaque::Block as sp_runtime::traits::Block>::Hash,
                        >,
                    >(config)
                    .map_err(sc_cli::Error::Service),
                    sc_network::config::NetworkBackendType::Litep2p => {
                        service::new_full::<sc_network::Litep2pNetworkBackend>(config)
                            .map_err(sc_cli::Error::Service)
                    }
                }
            })
        }
    }
}
