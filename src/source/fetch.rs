//! Talking to a remote: one fetch of all branches and tags into a bare
//! repository, with credentials and an optional progress bar.
//!
//! This is the only code that uses the network. It knows nothing about the
//! cache layout or locking (see `cache.rs`); it is handed an open repository
//! and the URL (which may hold credentials: it is used, never shown).

use std::cell::{Cell, RefCell};

use git2::{
    AutotagOption, Config, Cred, CredentialType, ErrorClass, ErrorCode, FetchOptions, FetchPrune,
    RemoteCallbacks, Repository,
};
use indicatif::{HumanBytes, ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::spec::{strip_credentials, url_credentials};
use super::SourceError;

/// What a mirror holds: every branch and tag, force-updated.
const REFSPECS: [&str; 2] = ["+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"];

/// More credential requests than this in one fetch means every method we
/// have was refused; libgit2 would otherwise ask forever.
const MAX_AUTH_ATTEMPTS: u32 = 6;

/// Fetches `url` into `repo` (a bare mirror), pruning refs gone upstream,
/// and points the mirror's HEAD at the remote's default branch.
pub fn fetch_mirror(
    repo: &Repository,
    url: &str,
    show_progress: bool,
    cached: bool,
) -> Result<(), SourceError> {
    let shown = strip_credentials(url);
    let bar = progress_bar(show_progress, &shown);
    let auth = AuthState::new(url);
    let mut callbacks = RemoteCallbacks::new();
    callbacks.credentials(|cb_url, user, allowed| auth.next(cb_url, user, allowed));
    callbacks.transfer_progress(|p| {
        if let Some(bar) = &bar {
            bar.set_length(p.total_objects() as u64);
            bar.set_position(p.received_objects() as u64);
            bar.set_message(HumanBytes(p.received_bytes() as u64).to_string());
        }
        true
    });
    let mut options = FetchOptions::new();
    options
        .remote_callbacks(callbacks)
        .prune(FetchPrune::On)
        .download_tags(AutotagOption::None);

    let result = repo.remote_anonymous(url).and_then(|mut remote| {
        remote.fetch(&REFSPECS, Some(&mut options), Some("graft: fetch"))?;
        Ok(remote
            .default_branch()
            .ok()
            .and_then(|b| b.as_str().ok().map(str::to_string)))
    });
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let default_branch =
        result.map_err(|e| classify(e, url, &shown, cached, auth.attempts.get()))?;
    point_head(repo, default_branch.as_deref()).map_err(|source| SourceError::Git {
        action: "update HEAD of the mirror",
        src: shown,
        source,
    })
}

/// Sets HEAD to the remote's default branch, or when the remote did not say
/// (or it is gone), keeps a HEAD that still resolves, else tries `main`,
/// `master`, then any branch.
fn point_head(repo: &Repository, default_branch: Option<&str>) -> Result<(), git2::Error> {
    if let Some(branch) = default_branch {
        if repo.find_reference(branch).is_ok() {
            return repo.set_head(branch);
        }
    }
    if repo.head().is_ok() {
        return Ok(());
    }
    for candidate in ["refs/heads/main", "refs/heads/master"] {
        if repo.find_reference(candidate).is_ok() {
            return repo.set_head(candidate);
        }
    }
    let first = repo
        .references_glob("refs/heads/*")?
        .flatten()
        .find_map(|r| r.name().ok().map(str::to_string));
    match first {
        Some(name) => repo.set_head(&name),
        None => Ok(()),
    }
}

/// Turns a libgit2 fetch failure into the user-facing error, with any
/// credentials scrubbed from libgit2's message.
fn classify(e: git2::Error, url: &str, shown: &str, cached: bool, attempts: u32) -> SourceError {
    let message = e.message().replace(url, shown);
    let source = if message == e.message() {
        e
    } else {
        git2::Error::new(e.code(), e.class(), message)
    };
    let text = source.message().to_ascii_lowercase();
    let url = shown.to_string();
    if source.code() == ErrorCode::Auth
        || attempts > MAX_AUTH_ATTEMPTS
        || text.contains("authentication")
        || (source.class() == ErrorClass::Callback && attempts > 0)
    {
        SourceError::Auth { url, source }
    } else if text.contains("unsupported url protocol") {
        SourceError::UnsupportedProtocol { url, source }
    } else {
        SourceError::Unreachable {
            url,
            cached,
            source,
        }
    }
}

fn progress_bar(show: bool, shown_url: &str) -> Option<ProgressBar> {
    if !show {
        return None;
    }
    let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
    if let Ok(style) =
        ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} objects, {msg}")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_prefix(format!("fetching {shown_url}"));
    Some(bar)
}

/// The credential methods tried in order, each at most once per fetch:
/// credentials written in the URL, ssh-agent (ssh URLs), the git credential
/// helpers from the git config, then libgit2's default (Negotiate/NTLM).
struct AuthState {
    url_creds: Option<(String, Option<String>)>,
    attempts: Cell<u32>,
    tried: RefCell<Vec<&'static str>>,
    config: Option<Config>,
}

impl AuthState {
    fn new(url: &str) -> AuthState {
        AuthState {
            url_creds: url_credentials(url),
            attempts: Cell::new(0),
            tried: RefCell::new(Vec::new()),
            config: Config::open_default().ok(),
        }
    }

    /// Claims `method` if it has not been tried yet.
    fn first_time(&self, method: &'static str) -> bool {
        let mut tried = self.tried.borrow_mut();
        if tried.contains(&method) {
            false
        } else {
            tried.push(method);
            true
        }
    }

    fn next(
        &self,
        url: &str,
        username_from_url: Option<&str>,
        allowed: CredentialType,
    ) -> Result<Cred, git2::Error> {
        self.attempts.set(self.attempts.get() + 1);
        if self.attempts.get() > MAX_AUTH_ATTEMPTS {
            return Err(self.give_up());
        }
        let user = username_from_url
            .map(str::to_string)
            .or_else(|| self.url_creds.as_ref().map(|(u, _)| u.clone()));
        if allowed.contains(CredentialType::USERNAME) && self.first_time("user name") {
            return Cred::username(user.as_deref().unwrap_or("git"));
        }
        if allowed.contains(CredentialType::USER_PASS_PLAINTEXT) {
            if let Some((u, Some(p))) = &self.url_creds {
                if self.first_time("credentials in the URL") {
                    return Cred::userpass_plaintext(u, p);
                }
            }
        }
        if allowed.contains(CredentialType::SSH_KEY) && self.first_time("ssh-agent") {
            return Cred::ssh_key_from_agent(user.as_deref().unwrap_or("git"));
        }
        if allowed.contains(CredentialType::USER_PASS_PLAINTEXT)
            && self.first_time("git credential helper")
        {
            if let Some(config) = &self.config {
                if let Ok(cred) = Cred::credential_helper(config, url, user.as_deref()) {
                    return Ok(cred);
                }
            }
        }
        if allowed.contains(CredentialType::DEFAULT) && self.first_time("default credentials") {
            return Cred::default();
        }
        Err(self.give_up())
    }

    fn give_up(&self) -> git2::Error {
        let tried = self.tried.borrow();
        let tried = if tried.is_empty() {
            "nothing usable".to_string()
        } else {
            tried.join(", ")
        };
        git2::Error::new(
            ErrorCode::Auth,
            ErrorClass::Callback,
            format!("the server refused every credential graft could offer (tried: {tried})"),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth_gives_up_instead_of_looping() {
        let auth = AuthState::new("https://u:p@host/r.git");
        let all = CredentialType::USER_PASS_PLAINTEXT | CredentialType::DEFAULT;
        let mut successes = 0;
        let mut last_err = None;
        for _ in 0..20 {
            match auth.next("https://host/r.git", None, all) {
                Ok(_) => successes += 1,
                Err(e) => last_err = Some(e),
            }
        }
        // url creds, maybe a helper, default: at most three offers.
        assert!((1..=3).contains(&successes), "{successes}");
        let err = last_err.unwrap();
        assert_eq!(err.code(), ErrorCode::Auth);
        assert!(
            err.message().contains("credentials in the URL"),
            "{}",
            err.message()
        );
    }

    #[test]
    fn classify_scrubs_credentials() {
        let url = "https://u:secret@host/r.git";
        let e = git2::Error::from_str(&format!("failed to fetch {url}"));
        let err = classify(e, url, "https://host/r.git", true, 0);
        let std_err: &dyn std::error::Error = &err;
        let source = std_err.source().unwrap().to_string();
        assert!(!source.contains("secret"), "{source}");
        assert!(matches!(err, SourceError::Unreachable { cached: true, .. }));
        assert!(err.hint().unwrap().contains("--offline"));
    }

    #[test]
    fn classify_recognises_unsupported_protocols() {
        let e = git2::Error::from_str("unsupported URL protocol");
        let err = classify(e, "ssh://h/r", "ssh://h/r", false, 0);
        assert!(
            matches!(err, SourceError::UnsupportedProtocol { .. }),
            "{err:?}"
        );
    }
}
