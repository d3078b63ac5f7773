//! Command-line interface of `electx-node`.

use sc_cli::RunCmd;

/// Subcommands of `electx-node`. Without one, the node runs.
#[derive(Debug, clap::Subcommand)]
#[allow(clippy::large_enum_variant)]
pub enum Subcommand {
    /// Key management: generate, inspect, insert session keys.
    #[command(subcommand)]
    Key(sc_cli::KeySubcommand),

    /// Build a chain specification.
    /// DEPRECATED: `build-spec` will be removed upstream; use `export-chain-spec`.
    BuildSpec(sc_cli::BuildSpecCmd),

    /// Export the chain specification of a chain (`dev`, `local` or a file).
    ExportChainSpec(sc_cli::ExportChainSpecCmd),

    /// Validate blocks.
    CheckBlock(sc_cli::CheckBlockCmd),

    /// Export blocks.
    ExportBlocks(sc_cli::ExportBlocksCmd),

    /// Export the state of a given block into a chain spec.
    ExportState(sc_cli::ExportStateCmd),

    /// Import blocks.
    ImportBlocks(sc_cli::ImportBlocksCmd),

    /// Remove the whole chain.
    PurgeChain(sc_cli::PurgeChainCmd),

    /// Revert the chain to a previous state.
    Revert(sc_cli::RevertCmd),

    /// Sub-commands concerned with benchmarking (pallet benchmarks need the
    /// `runtime-benchmarks` feature).
    #[command(subcommand)]
    Benchmark(frame_benchmarking_cli::BenchmarkCmd),

    /// The election key ceremony: generate a key pair, install the secret on the tallier.
    #[command(subcommand)]
    ElectionKey(crate::election_key::ElectionKeyCmd),

    /// Database meta columns information.
    ChainInfo(sc_cli::ChainInfoCmd),
}

/// The `electx-node` command line.
#[derive(Debug, clap::Parser)]
pub struct Cli {
    /// A subcommand; runs the node when none is given.
    #[command(subcommand)]
    pub subcommand: Option<Subcommand>,

    /// Options of the node itself.
    #[clap(flatten)]
    pub run: RunCmd,
}
