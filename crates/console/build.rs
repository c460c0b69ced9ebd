//! Rebuilds the crate when any asset changes or is added: rust-embed includes the files that
//! exist at build time, and cargo would not notice a new one by itself.
fn main() {
    println!("cargo:rerun-if-changed=assets");
}
