//! `copier check-update [DEST]` (graft under the name `copier`): graft's
//! check of one answers file, told the way Copier 9 tells it: on stdout,
//! versions written as PEP 440 writes them, exit code 2 with `--quiet`
//! when a newer version exists. Drift, which Copier does not look at, is
//! left out.

use std::path::PathBuf;

use super::check::{check, CheckReport};
use super::Env;
use crate::cli::CheckArgs;
use crate::error::Error;
use crate::printer::Printer;

/// Copier's exit code for `check-update --quiet` when a newer version exists.
pub const EXIT_UPDATE_AVAILABLE: i32 = 2;

/// The settings of one `copier check-update`.
#[derive(Debug)]
pub struct CheckUpdate {
    pub dest: PathBuf,
    pub answers_file: Option<String>,
    pub prereleases: bool,
    /// Print nothing; tell a newer version by the exit code.
    pub quiet: bool,
    /// Print Copier's JSON object instead of its sentences.
    pub json: bool,
}

impl CheckUpdate {
    /// The `graft check` this is.
    pub fn check_args(&self) -> CheckArgs {
        CheckArgs {
            dest: self.dest.clone(),
            answers_file: self.answers_file.clone(),
            prereleases: self.prereleases,
            json: false,
        }
    }
}

pub fn run(settings: &CheckUpdate, env: &Env, printer: &Printer) -> Result<i32, Error> {
    let reports = check(&settings.check_args(), env, printer)?;
    // Copier reads one answers file; graft's check, without `-a`, every
    // one it finds. The first is the one Copier would read.
    let Some(report) = reports.first() else {
        return Ok(0);
    };
    let (current, latest) = versions(report)?;
    if settings.quiet {
        return Ok(if report.update_available {
            EXIT_UPDATE_AVAILABLE
        } else {
            0
        });
    }
    if settings.json {
        // Copier prints Python's `json.dumps`: `", "` and `": "` separators.
        println!(
            "{{\"update_available\": {}, \"current_version\": {}, \"latest_version\": {}}}",
            report.update_available,
            serde_json::Value::String(current),
            serde_json::Value::String(latest),
        );
    } else if report.update_available {
        println!(
            "New template version available.\nCurrent version is {current}, latest version is {latest}."
        );
    } else {
        println!("Project is up-to-date!");
    }
    Ok(0)
}

/// The recorded and the latest version in PEP 440 form, or Copier's
/// reason why they cannot be compared.
fn versions(report: &CheckReport) -> Result<(String, String), Error> {
    let cannot = |reason: String| Err(Error::CannotCheck { reason });
    if !report.git {
        return cannot(format!(
            "`{}` is not a git repository, and only git templates have versions",
            report.src
        ));
    }
    let current = match (&report.current_version, report.recorded_version_known) {
        (Some(current), true) => current,
        (recorded, _) => {
            return cannot(format!(
                "the recorded version `{}` in `{}` is not a version tag or a commit after one",
                recorded.as_deref().unwrap_or(""),
                report.answers_file
            ))
        }
    };
    let Some(latest) = &report.latest_version else {
        return cannot(format!("`{}` has no version tags", report.src));
    };
    Ok((pep440(current), pep440(latest)))
}

/// A version tag (`v1.2.0`, `2.0.0-rc.1`) or a `git describe` of a commit
/// after one (`v1.2.0-3-gabc1234`) written as Copier writes versions (PEP
/// 440, as the Python `packaging` and `dunamai` libraries normalise them):
/// `1.2.0`, `2.0.0rc1`, `1.2.0.post3.dev0+abc1234`. A name that is not of
/// that shape is returned without its `v`.
pub fn pep440(name: &str) -> String {
    if let Some((tag, distance, hash)) = describe_parts(name) {
        return format!("{}.post{distance}.dev0+{hash}", pep440(tag));
    }
    let bare = name
        .strip_prefix(['v', 'V'])
        .filter(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
        .unwrap_or(name);
    let (public, local) = match bare.split_once('+') {
        Some((public, local)) => (public, Some(local)),
        None => (bare, None),
    };
    let release_end = public
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(public.len());
    let (release, rest) = public.split_at(release_end);
    let release = release.trim_end_matches('.');
    let parts: Option<Vec<u64>> = release.split('.').map(|p| p.parse().ok()).collect();
    let (Some(parts), Some(pre)) = (parts, prerelease(rest)) else {
        return bare.to_string();
    };
    let mut out = parts
        .iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(".");
    out.push_str(&pre);
    if let Some(local) = local {
        out.push('+');
        out.push_str(local);
    }
    out
}

/// `tag`, `distance`, `hash` of `TAG-DISTANCE-gHASH`.
fn describe_parts(name: &str) -> Option<(&str, &str, &str)> {
    let (rest, hash) = name.rsplit_once("-g")?;
    let (tag, distance) = rest.rsplit_once('-')?;
    let is_hex = !hash.is_empty() && hash.chars().all(|c| c.is_ascii_hexdigit());
    let is_number = !distance.is_empty() && distance.chars().all(|c| c.is_ascii_digit());
    (is_hex && is_number && !tag.is_empty()).then_some((tag, distance, hash))
}

/// The PEP 440 form of what follows the release numbers: `""`, `-rc.1`
/// → `rc1`, `-alpha.2` → `a2`, `beta` → `b0`; `None` when it is not a
/// pre-release PEP 440 knows.
fn prerelease(rest: &str) -> Option<String> {
    if rest.is_empty() {
        return Some(String::new());
    }
    let rest = rest
        .trim_start_matches(['-', '_', '.'])
        .to_ascii_lowercase();
    let letters_end = rest
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(rest.len());
    let (stage, number) = rest.split_at(letters_end);
    let stage = match stage {
        "a" | "alpha" => "a",
        "b" | "beta" => "b",
        "c" | "rc" | "pre" | "preview" => "rc",
        _ => return None,
    };
    let number = number.trim_start_matches(['-', '_', '.']);
    let number: u64 = if number.is_empty() {
        0
    } else {
        number.parse().ok()?
    };
    Some(format!("{stage}{number}"))
}

#[cfg(test)]
mod tests {
    use super::pep440;

    /// Each pair as Python's `packaging.version.Version(tag)` prints it
    /// (and `dunamai` for a commit after a tag).
    #[test]
    fn versions_are_written_as_copier_writes_them() {
        for (tag, want) in [
            ("v1", "1"),
            ("1.2.3", "1.2.3"),
            ("v1.2.3", "1.2.3"),
            ("v01.02", "1.2"),
            ("v2.0.0-rc.1", "2.0.0rc1"),
            ("1.0.0-alpha.2", "1.0.0a2"),
            ("v1.0.0-beta", "1.0.0b0"),
            ("v3.0.0+meta", "3.0.0+meta"),
            ("v1.2.3-3-gabc1234", "1.2.3.post3.dev0+abc1234"),
            ("release", "release"),
        ] {
            assert_eq!(pep440(tag), want, "{tag}");
        }
    }
}
