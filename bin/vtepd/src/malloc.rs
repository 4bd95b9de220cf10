//! The C allocator's settings for the daemon.
//!
//! glibc gives threads that allocate at the same time arenas of their own;
//! each keeps freed memory for reuse. vtepd's threads (tokio workers, the
//! dataplane, the RIB) allocate little and rarely at once, and nothing per
//! packet, so one arena is enough: measured with `benches/evpn_scale.sh`
//! (2 000 MACs, 3 runs), the daemon's RSS stayed at 7.9-8.2 MiB instead of
//! growing to 8.1-9.4 MiB, at the same speed (and the same CPU time for
//! 500 000 routes in `benches/bgp_convergence.sh`).
//!
//! The one `unsafe` of the daemon: a call of glibc's `mallopt` before any
//! thread starts. musl (OpenWRT) has a single heap already and no `mallopt`.
#![allow(unsafe_code)]

/// Use one malloc arena for all threads (glibc; nothing elsewhere). Call
/// before starting threads.
pub fn one_arena() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: `mallopt` only changes allocator parameters; it is called
        // before the daemon starts any thread, and M_ARENA_MAX with value
        // 1 is a documented setting (mallopt(3)). A failure (0) leaves the
        // defaults, which are correct, only larger.
        let _ = unsafe { libc::mallopt(libc::M_ARENA_MAX, 1) };
    }
}
