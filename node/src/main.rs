//! `electx-node`: the ElectX Chain node binary.
#![warn(missing_docs)]
// `sc_cli::Error` is upstream's and large; every subcommand returns it.
#![allow(clippy::result_large_err)]

mod benchmarking;
mod chain_spec;
mod cli;
mod command;
mod election_key;
mod rpc;
mod service;

fn main() -> sc_cli::Result<()> {
    command::run()
}
