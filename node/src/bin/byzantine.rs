//! `tamgad-byzantine`: `tamgad` built with the test-only `byzantine` feature
//! (the multi-node Byzantine scenario). Same command line; with `TAMGA_BYZANTINE` set the
//! node misbehaves as `tamga_node::byzantine` describes, otherwise it is an
//! honest `tamgad`. Built only on request
//! (`cargo build -p tamga-node --features byzantine --bin tamgad-byzantine`);
//! a release build refuses to compile the feature.

#[path = "../main.rs"]
mod tamgad;

fn main() -> anyhow::Result<()> {
    tamgad::main()
}
