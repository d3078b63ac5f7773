#!/usr/bin/env bash
# Installs everything a fresh Debian 12 machine needs to build, run and test
# ElectX Chain. Idempotent: each step checks first and skips what is there.
# Quiet on success; prints what it installs.
#
#   scripts/setup.sh            # toolchain + native build deps
#   scripts/setup.sh --all      # also npm packages, chromium, postgresql (tests)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WANT_ALL=0
[[ "${1:-}" == "--all" ]] && WANT_ALL=1

log() { echo "[setup] $*" >&2; }

SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi

APT_UPDATED=0
apt_install() {
    local missing=()
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    if (( ${#missing[@]} )); then
        if (( ! APT_UPDATED )); then
            log "apt-get update"
            $SUDO apt-get update -qq
            APT_UPDATED=1
        fi
        log "apt-get install ${missing[*]}"
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
}

# --- Native build dependencies ------------------------------------------------
# protoc: litep2p's build script. curl/ca-certificates: rustup and scripts.
# libssl-dev: openssl-sys (litep2p's WebRTC stack) links the system OpenSSL when present.
apt_install protobuf-compiler build-essential pkg-config libssl-dev git curl ca-certificates python3

if ! command -v cargo >/dev/null 2>&1 && [[ -x "$HOME/.cargo/bin/cargo" ]]; then
    export PATH="$HOME/.cargo/bin:$PATH"
fi
if ! command -v rustup >/dev/null 2>&1; then
    echo "[setup] rustup is required (https://rustup.rs); it is not on PATH" >&2
    exit 1
fi

# --- WASM toolchain -------------------------------------------------------------
# The runtime is compiled to wasm32v1-none by substrate-wasm-builder. The normal
# route is `rustup target add`; on machines without internet it fails, and we
# fall back to Debian's rustc-web (1.96) with a sysroot built once for
# wasm32v1-none, linked into rustup as the toolchain `debian-web`.
WASM_ENV="$ROOT/.wasm-toolchain.env"
# ELECTX_WASM_ROUTE=debian forces the fallback (to test it on any machine).
if [[ "${ELECTX_WASM_ROUTE:-}" != debian ]] && rustup target list --installed 2>/dev/null | grep -qx wasm32v1-none; then
    : > "$WASM_ENV"
elif [[ "${ELECTX_WASM_ROUTE:-}" != debian ]] && rustup target add wasm32v1-none >/dev/null 2>&1; then
    log "installed rustup target wasm32v1-none"
    : > "$WASM_ENV"
else
    apt_install rustc-web cargo-web rust-web-src lld-22
    SYSROOT_LIB=/usr/lib/rustlib/wasm32v1-none/lib
    if ! ls "$SYSROOT_LIB"/libcore-*.rlib >/dev/null 2>&1; then
        log "building the wasm32v1-none sysroot with Debian's rustc (once, ~20 s)"
        tmp="$(mktemp -d)"
        mkdir -p "$tmp/src"
        cat > "$tmp/Cargo.toml" <<'TOML'
[package]
name = "sysroot-seed"
version = "0.0.0"
edition = "2021"
[lib]
crate-type = ["cdylib"]
path = "src/lib.rs"
[profile.release]
panic = "abort"
TOML
        cat > "$tmp/src/lib.rs" <<'RS'
#![no_std]
extern crate alloc;
struct A;
unsafe impl core::alloc::GlobalAlloc for A {
    unsafe fn alloc(&self, _: core::alloc::Layout) -> *mut u8 { core::ptr::null_mut() }
    unsafe fn dealloc(&self, _: *mut u8, _: core::alloc::Layout) {}
}
#[global_allocator]
static G: A = A;
#[panic_handler]
fn p(_: &core::panic::PanicInfo) -> ! { loop {} }
#[no_mangle]
pub extern "C" fn seed() -> usize { alloc::vec![1u8].len() }
RS
        (cd "$tmp" && RUSTFLAGS="-C embed-bitcode=yes" RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 \
            CARGO_TARGET_DIR="$tmp/target" /usr/bin/cargo build -q --release \
            --target wasm32v1-none -Zbuild-std=core,alloc)
        $SUDO mkdir -p "$SYSROOT_LIB"
        for c in core alloc compiler_builtins; do
            $SUDO cp "$tmp"/target/wasm32v1-none/release/deps/lib${c}-*.rlib "$SYSROOT_LIB/"
        done
        rm -rf "$tmp"
        # A stale wasm-builder cache refers to the old sysroot (TOOLCHAIN.md §5).
        rm -rf "${ELECTX_TARGET_DIR:-$HOME/.cache/electx/target}"/*/wbuild 2>/dev/null || true
    fi
    if ! rustup toolchain list | grep -q '^debian-web'; then
        log "linking Debian's toolchain into rustup as debian-web"
        rustup toolchain link debian-web /usr
    fi
    echo "export WASM_BUILD_TOOLCHAIN=debian-web" > "$WASM_ENV"
fi

# --- Test dependencies (browser, database, npm) ------------------------------------
if (( WANT_ALL )); then
    for hook in "$ROOT"/scripts/setup.d/*.sh; do
        [[ -e "$hook" ]] || continue
        bash "$hook"
    done
fi
