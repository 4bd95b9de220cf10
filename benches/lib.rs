//! Shared helpers for the benchmarks under `benches/benches/` (criterion) and the side-by-side scripts beside them.

#![forbid(unsafe_code)]

pub mod wire_frames;
