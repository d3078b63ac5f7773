# Sourced by the project's scripts: one place for the build environment.
# The build goes to a persistent directory outside the clone, as a CI cache would,
# so that a fresh clone reuses an earlier build.
ELECTX_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="${ELECTX_TARGET_DIR:-$HOME/.cache/electx/target}"
# The target directory is outside the workspace: tell the WASM builder where the
# workspace (and its Cargo.lock) is, or it resolves the runtime's dependencies afresh.
export WASM_BUILD_WORKSPACE_HINT="$ELECTX_ROOT"
[[ -d "$HOME/.cargo/bin" ]] && export PATH="$HOME/.cargo/bin:$PATH"
# Set by scripts/setup.sh when the WASM runtime needs Debian's toolchain.
if [[ -f "$ELECTX_ROOT/.wasm-toolchain.env" ]]; then
    # shellcheck disable=SC1091
    source "$ELECTX_ROOT/.wasm-toolchain.env"
fi
ELECTX_NODE="$CARGO_TARGET_DIR/release/electx-node"
