//! The `graft` binary: the library does everything; this only starts
//! libgit2 the cheap way when no HTTPS is needed, then runs.

use std::ffi::OsString;

fn main() {
    let args: Vec<OsString> = std::env::args_os().collect();
    #[cfg(unix)]
    if !graft::may_need_tls(args.iter().cloned()) {
        // libgit2 has OpenSSL load the whole CA bundle when it starts
        // (about 25 ms); no source of this run needs it, so it starts with
        // an empty one, and the environment is given back at once so tasks
        // never see the change. Still single-threaded here.
        const VAR: &str = "SSL_CERT_FILE";
        let before = std::env::var_os(VAR);
        std::env::set_var(VAR, "/dev/null");
        graft::start_libgit2();
        match before {
            Some(value) => std::env::set_var(VAR, value),
            None => std::env::remove_var(VAR),
        }
    }
    std::process::exit(graft::run(args));
}
