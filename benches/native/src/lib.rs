//! Only the benches in `benches/` matter; see `cargo bench --manifest-path benches/native/Cargo.toml`.
