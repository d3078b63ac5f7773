//! The key ceremony: `electx-node election-key generate|install|public`.
//!
//! `generate` makes an election key pair, writes the secret to a file readable by its
//! owner only (0600) and prints the public key in the form `Voting::create_election`
//! takes. `install` puts the secret into the off-chain (node-local, persistent) storage
//! of a node's database, where the tallier off-chain worker finds it; it never goes on
//! chain, into logs or into RPC answers. Run `install` while the node is stopped (the
//! database is locked by a running node), after the election using the key was created.

use std::{io::Write, os::unix::fs::OpenOptionsExt, path::PathBuf};

use electx_crypto::{ElectionPublicKey, ElectionSecretKey};
use electx_runtime::{opaque::Block, AccountId, BlockNumber};
use pallet_voting::runtime_api::VotingApi;
use sc_cli::{CliConfiguration, DatabaseParams, SharedParams};
use sc_client_api::{Backend, HeaderBackend};
use sp_api::ProvideRuntimeApi;
use sp_core::offchain::OffchainStorage;

/// Election key ceremony.
#[derive(Debug, clap::Subcommand)]
pub enum ElectionKeyCmd {
    /// Generate an election key pair: the secret goes to a 0600 file, the public key is
    /// printed (hex, as `create_election` takes it).
    Generate(GenerateCmd),
    /// Install an election secret key into a node's off-chain storage (node stopped).
    Install(InstallCmd),
    /// Print the public key of a secret key file.
    Public(PublicCmd),
}

/// `election-key generate`.
#[derive(Debug, clap::Parser)]
pub struct GenerateCmd {
    /// Where to write the secret key (hex). Refuses to overwrite an existing file.
    #[arg(long)]
    pub out: PathBuf,
}

/// `election-key public`.
#[derive(Debug, clap::Parser)]
pub struct PublicCmd {
    /// The secret key file written by `generate`.
    #[arg(long)]
    pub key_file: PathBuf,
}

/// `election-key install`.
#[derive(Debug, clap::Parser)]
pub struct InstallCmd {
    /// The secret key file written by `generate`.
    #[arg(long)]
    pub key_file: PathBuf,

    #[allow(missing_docs)]
    #[clap(flatten)]
    pub shared_params: SharedParams,

    #[allow(missing_docs)]
    #[clap(flatten)]
    pub database_params: DatabaseParams,
}

impl CliConfiguration for InstallCmd {
    fn shared_params(&self) -> &SharedParams {
        &self.shared_params
    }

    fn database_params(&self) -> Option<&DatabaseParams> {
        Some(&self.database_params)
    }
}

fn error(msg: impl Into<String>) -> sc_cli::Error {
    sc_cli::Error::Input(msg.into())
}

/// Reads a secret key file: 64 hex digits (optionally `0x`-prefixed), nothing else.
pub fn read_secret(path: &PathBuf) -> sc_cli::Result<ElectionSecretKey> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| error(format!("cannot read the key file {}: {e}", path.display())))?;
    let text = text.trim();
    let hex_part = text.strip_prefix("0x").unwrap_or(text);
    let malformed =
        || error(format!("{} is not an election secret key (64 hex digits)", path.display()));
    let bytes = hex::decode(hex_part).map_err(|_| malformed())?;
    let bytes: [u8; 32] = bytes.try_into().map_err(|_| malformed())?;
    ElectionSecretKey::from_bytes(&bytes).map_err(|_| malformed())
}

/// Hex form of a public key, as `create_election` takes it.
pub fn public_hex(pk: &ElectionPublicKey) -> String {
    format!("0x{}", hex::encode(pk.to_bytes()))
}

impl GenerateCmd {
    /// Runs the command.
    pub fn run(&self) -> sc_cli::Result<()> {
        let secret = ElectionSecretKey::generate(&mut rand_core::OsRng);
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&self.out)
            .map_err(|e| error(format!("cannot create {}: {e}", self.out.display())))?;
        let mut hex_secret = format!("0x{}\n", hex::encode(secret.to_bytes()));
        file.write_all(hex_secret.as_bytes())
            .map_err(|e| error(format!("cannot write {}: {e}", self.out.display())))?;
        zeroize::Zeroize::zeroize(&mut hex_secret);
        println!("secret key written to {} (mode 0600)", self.out.display());
        println!("public key: {}", public_hex(&secret.public_key()));
        Ok(())
    }
}

impl PublicCmd {
    /// Runs the command.
    pub fn run(&self) -> sc_cli::Result<()> {
        let secret = read_secret(&self.key_file)?;
        println!("{}", public_hex(&secret.public_key()));
        Ok(())
    }
}

/// Installs `secret` in the off-chain storage of the node whose client and backend are
/// given, after checking that an election on chain uses its public key and that it is not
/// installed yet. Returns the ids of the elections that use it.
pub fn install<C, B>(
    client: &C,
    backend: &B,
    secret: &ElectionSecretKey,
) -> sc_cli::Result<Vec<pallet_voting::ElectionId>>
where
    C: ProvideRuntimeApi<Block> + HeaderBackend<Block>,
    C::Api: VotingApi<Block, AccountId, BlockNumber>,
    B: Backend<Block>,
{
    let public = secret.public_key();
    let best = client.info().best_hash;
    let api = client.runtime_api();
    let ids = api
        .elections(best, 0, u32::MAX)
        .map_err(|e| error(format!("cannot read elections: {e}")))?;
    let mut matching = Vec::new();
    for id in ids {
        if let Ok(Some(info)) = api.election(best, id) {
            if info.public_key == public {
                matching.push(id);
            }
        }
    }
    if matching.is_empty() {
        return Err(error(format!(
            "no election on this chain uses the public key {} (create the election first, \
             with this node's chain and base path)",
            public_hex(&public)
        )));
    }
    let mut storage = backend
        .offchain_storage()
        .ok_or_else(|| error("this node's database has no off-chain storage"))?;
    let key = pallet_voting::offchain::secret_key_storage_key(&public);
    if storage.get(sp_core::offchain::STORAGE_PREFIX, &key).is_some() {
        return Err(error(format!(
            "the secret key of {} is already installed on this node",
            public_hex(&public)
        )));
    }
    storage.set(sp_core::offchain::STORAGE_PREFIX, &key, &secret.to_bytes());
    Ok(matching)
}
