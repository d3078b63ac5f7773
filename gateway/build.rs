//! Rebuild when the committed metadata changes: subxt's code generation reads the file in a
//! proc macro, which cargo does not track by itself.
fn main() {
    println!("cargo:rerun-if-changed=metadata/electx.scale");
}
