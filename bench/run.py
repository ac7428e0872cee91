#!/usr/bin/env python3
"""graft's performance benchmark.

Generates the synthetic workload of graft's performance targets in graft's and in Copier's
template format (same files, same answers, same edits), runs graft, Copier,
`git clone` and `cp -r` on it, and prints one table with the median wall
time of several runs, the ratios and peak memory, each row against its
target. A second table has graft and Copier on the same
Copier-format template; there graft's output must be Copier's (checked
whenever Copier runs; the benchmark stops on any difference).

    python3 bench/run.py --compare     # the full benchmark (installs Copier)
    python3 bench/run.py --quick       # smoke test: N=100 and 1,000, fewer runs

Python 3.11 standard library only. See bench/README.md.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TIME_BIN = "/usr/bin/time"

# Shape of the workload.
FILE_SIZE = 2048  # bytes of source-like text per file, about
TEMPLATED_CONTENT = 0.10  # share of files whose contents are templated
TEMPLATED_NAME = 0.05  # share of files under a templated folder name
V2_EDIT, V2_ADD, V2_DELETE = 0.10, 0.05, 0.02
USER_EDIT = 0.10
FILES_PER_FOLDER = 10  # files per leaf folder, about
USER_CONFLICT = 0.005  # user edits on a line v2 also edits: real conflicts

# Issue 19's target for the system calls of an update: at most 5 per
# changed path plus this many for everything else (start-up, opening the
# template and the project).
FIXED_SYSCALLS = 400


# --------------------------------------------------------------------------
# Running things
# --------------------------------------------------------------------------


@dataclass
class Run:
    seconds: float
    max_rss_kb: int | None
    returncode: int
    cpu_seconds: float  # user + system time of the command and what it waited for


def bench_env(work: Path) -> dict[str, str]:
    """Environment for every measured command: isolated git and graft config."""
    env = dict(os.environ)
    gitconfig = work / "gitconfig"
    # No automatic `git gc` in the background: it would compete with the
    # measured runs for the disk and the CPUs.
    gitconfig.write_text(
        "[user]\n\tname = Bench\n\temail = bench@example.invalid\n"
        "[gc]\n\tauto = 0\n"
        "[init]\n\tdefaultBranch = main\n"
        "[advice]\n\tdetachedHead = false\n"
        "[safe]\n\tdirectory = *\n"
    )
    env.update(
        {
            "GIT_CONFIG_GLOBAL": str(gitconfig),
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_AUTHOR_NAME": "Bench",
            "GIT_AUTHOR_EMAIL": "bench@example.invalid",
            "GIT_COMMITTER_NAME": "Bench",
            "GIT_COMMITTER_EMAIL": "bench@example.invalid",
            "GIT_AUTHOR_DATE": "2024-01-01T00:00:00Z",
            "GIT_COMMITTER_DATE": "2024-01-01T00:00:00Z",
            "GRAFT_CACHE_DIR": str(work / "graft-cache"),
            "GRAFT_SETTINGS": str(work / "graft-settings.yml"),
            "NO_COLOR": "1",
            "LC_ALL": "C.UTF-8",
        }
    )
    env.pop("VIRTUAL_ENV", None)
    return env


def sh(cmd: list[str], env: dict[str, str], cwd: Path | None = None, ok=(0,)) -> str:
    """Runs a setup command (not measured); fails loudly."""
    p = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    if p.returncode not in ok:
        sys.exit(
            f"error: `{' '.join(cmd)}` exited with {p.returncode}\n{p.stdout}{p.stderr}"
        )
    return p.stdout


def measure(cmd: list[str], env: dict[str, str], cwd: Path | None = None, ok=(0,)) -> Run:
    """Runs `cmd` once in a fresh process; wall time, CPU time and peak RSS."""
    with tempfile.TemporaryDirectory(prefix="graft-bench-") as tmp:
        rss_file = Path(tmp) / "time-v"
        if os.access(TIME_BIN, os.X_OK):
            full = [TIME_BIN, "-v", "-o", str(rss_file)] + cmd
        else:
            # A fresh Python process whose only child is the command, so its
            # RUSAGE_CHILDREN maxrss is the command's own peak.
            full = [
                sys.executable,
                "-c",
                "import resource,subprocess,sys;"
                "r=subprocess.run(sys.argv[2:]).returncode;"
                "open(sys.argv[1],'w').write('Maximum resident set size (kbytes): %d\\n'"
                " % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss);"
                "sys.exit(r)",
                str(rss_file),
            ] + cmd
        start = time.perf_counter()
        p = subprocess.Popen(full, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        stderr = p.stderr.read()
        # wait4: the rusage of the wrapper and of everything it reaped (the
        # command, and Copier's git processes). CPU time does not count the
        # waiting for a busy CPU or disk, which wall time on a shared
        # machine does.
        _, status, usage = os.wait4(p.pid, 0)
        seconds = time.perf_counter() - start
        p.returncode = os.waitstatus_to_exitcode(status)
        p.stderr.close()
        cpu = usage.ru_utime + usage.ru_stime
        text = rss_file.read_text() if rss_file.exists() else ""
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
    rss = int(m.group(1)) if m else None
    m = re.search(r"Exit status: (\d+)", text)
    code = int(m.group(1)) if m else p.returncode
    if code not in ok:
        err = stderr.decode(errors="replace")
        sys.exit(f"error: `{' '.join(cmd)}` exited with {code}\n{err[-4000:]}")
    return Run(seconds, rss, code, cpu)


def quick_time(cmd: list[str], env: dict[str, str]) -> float:
    """Wall time of a tiny command, spawned directly (posix_spawn, output to
    /dev/null) so that Python adds as little as it can to it."""
    path = shutil.which(cmd[0], path=env.get("PATH")) or cmd[0]
    devnull = [(os.POSIX_SPAWN_OPEN, fd, os.devnull, os.O_WRONLY, 0) for fd in (1, 2)]
    start = time.perf_counter()
    pid = os.posix_spawn(path, cmd, env, file_actions=devnull)
    _, status = os.waitpid(pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"error: `{' '.join(cmd)}` failed")
    return seconds


def rmtree(p: Path) -> None:
    if p.is_symlink() or p.is_file():
        p.unlink()
    elif p.exists():
        shutil.rmtree(p)


# --------------------------------------------------------------------------
# The synthetic workload
# --------------------------------------------------------------------------

WORDS = (
    "order customer invoice payment account ledger report queue worker cache "
    "session token user group role permission item price stock warehouse "
    "shipment route event message channel metric sample window batch record"
).split()


def source_text(rng: random.Random, ext: str, templated: bool, size: int = FILE_SIZE) -> list[str]:
    """~`size` bytes of plausible source code, as lines (each ending in \\n).

    Never contains `{{`, `{%` or `{#` except the `project_name` placeholder
    (written as PLACEHOLDER and substituted per format) in templated files.
    """
    lines: list[str] = []
    comment = "#" if ext in (".py", ".sh", ".toml", ".yml") else "//"
    lines.append(f"{comment} generated benchmark source: {rng.choice(WORDS)} module\n")
    if templated:
        lines.append(f"{comment} part of PLACEHOLDER\n")
    n = 0
    while sum(len(l) for l in lines) < size:
        a, b, c = rng.choice(WORDS), rng.choice(WORDS), rng.choice(WORDS)
        n += 1
        if ext == ".py":
            lines += [
                "\n",
                f"def {a}_{b}_{n}({c}, limit={rng.randint(1, 999)}):\n",
                f'    """Return the {b} of a {a} for {c}."""\n',
                f"    total = sum(x.{b} for x in {c} if x.{a} < limit)\n",
                f"    return {{'{a}': total, 'count': len({c})}}\n",
            ]
        elif ext == ".rs":
            lines += [
                "\n",
                f"pub fn {a}_{b}_{n}({c}: &[u64], limit: u64) -> u64 {{\n",
                f"    {c}.iter().filter(|x| **x < limit).map(|x| x * {rng.randint(1, 99)}).sum()\n",
                "}\n",
            ]
        else:
            lines += [
                "\n",
                f"export function {a}{b.title()}{n}({c}: number[], limit = {rng.randint(1, 999)}) {{\n",
                f"  return {c}.filter((x) => x < limit).map((x) => x * {rng.randint(1, 99)});\n",
                "}\n",
            ]
        if templated and n % 6 == 0:
            lines.append(f"{comment} PLACEHOLDER: {a} {b}\n")
    return lines


@dataclass
class Workload:
    """One workload of N files: template files at v1 and v2, and the edits."""

    n: int
    v1: dict[str, str] = field(default_factory=dict)  # generic path -> text
    v2: dict[str, str] = field(default_factory=dict)
    user_edits: dict[str, str] = field(default_factory=dict)  # rendered path -> new text


def generic_path(i: int, rng: random.Random) -> tuple[str, bool]:
    """A nested path for file i; generic placeholders: NAME for templated
    folder names, SUFFIX for the template suffix."""
    ext = rng.choice([".py", ".py", ".py", ".rs", ".ts"])
    templated = rng.random() < TEMPLATED_CONTENT
    folder = i // FILES_PER_FOLDER
    top = "NAME" if rng.random() < TEMPLATED_NAME else f"pkg{folder % 8}"
    path = f"src/{top}/mod{folder // 8}/file{i}{ext}"
    if templated:
        path += "SUFFIX"
    return path, templated


def edit_line(lines: list[str], index: int, tag: str) -> list[str]:
    out = list(lines)
    index = min(index, len(out) - 1)
    out[index] = out[index].rstrip("\n") + f"  # {tag}\n"
    return out


def make_workload(n: int, seed: int = 42) -> Workload:
    rng = random.Random(seed * 1_000_003 + n)
    w = Workload(n)
    lines_of: dict[str, list[str]] = {}
    for i in range(n):
        path, templated = generic_path(i, rng)
        ext = Path(path.replace("SUFFIX", "")).suffix
        lines = source_text(rng, ext, templated)
        lines_of[path] = lines
        w.v1[path] = "".join(lines)
    paths = sorted(w.v1)
    edited = rng.sample(paths, round(n * V2_EDIT))
    deleted = rng.sample([p for p in paths if p not in set(edited)], round(n * V2_DELETE))
    w.v2 = dict(w.v1)
    v2_lines = {}
    for p in edited:
        # The template edits the top of the file (line 4).
        v2_lines[p] = edit_line(lines_of[p], 4, "changed in v2")
        w.v2[p] = "".join(v2_lines[p])
    for p in deleted:
        del w.v2[p]
    for j in range(round(n * V2_ADD)):
        i = n + j
        path, templated = generic_path(i, rng)
        ext = Path(path.replace("SUFFIX", "")).suffix
        w.v2[path] = "".join(source_text(rng, ext, templated))

    # The user edits ~10% of the project's files near the bottom (clean
    # merges where v2 also changed the file), plus a few on v2's own line
    # (conflicts), as real projects have.
    user = rng.sample(paths, round(n * USER_EDIT))
    conflicting = set(rng.sample(edited, max(1, round(n * USER_CONFLICT))))
    for p in set(user) | conflicting:
        lines = lines_of[p]
        if p in conflicting:
            new = edit_line(lines, 4, "changed by the user")
        else:
            new = edit_line(lines, len(lines) - 2, "changed by the user")
        w.user_edits[p] = "".join(new)
    return w


@dataclass
class Format:
    """How one engine spells the template."""

    name: str  # "graft" | "copier"
    name_tag: str  # the templated folder name
    placeholder: str  # the placeholder inside templated contents
    suffix: str
    config_file: str
    config: str
    extra: dict[str, str]


GRAFT = Format(
    name="graft",
    name_tag="{{project_name}}",
    placeholder="{{project_name}}",
    suffix=".hbs",
    config_file="graft.yml",
    config=(
        "project_name: demo\n"
        "author:\n  type: str\n  default: Ada Lovelace\n  help: Who maintains it?\n"
        "license:\n  type: str\n  default: MIT\n  choices: [MIT, Apache-2.0, GPL-3.0]\n"
        "use_docker:\n  type: bool\n  default: false\n"
    ),
    extra={"README.md.hbs": "# {{project_name}}\n\nBy {{author}}, {{license}}.\n"},
)

COPIER = Format(
    name="copier",
    name_tag="{{ project_name }}",
    placeholder="{{ project_name }}",
    suffix=".jinja",
    config_file="copier.yml",
    config=(
        "_templates_suffix: .jinja\n"
        "project_name: demo\n"
        "author:\n  type: str\n  default: Ada Lovelace\n  help: Who maintains it?\n"
        "license:\n  type: str\n  default: MIT\n  choices: [MIT, Apache-2.0, GPL-3.0]\n"
        "use_docker:\n  type: bool\n  default: false\n"
    ),
    extra={
        "README.md.jinja": "# {{ project_name }}\n\nBy {{ author }}, {{ license }}.\n",
        "{{ _copier_conf.answers_file }}.jinja": (
            "# Changes here will be overwritten by Copier\n{{ _copier_answers|to_nice_yaml }}"
        ),
    },
)

ANSWERS = {"project_name": "demo"}


def spell(fmt: Format, generic: str) -> str:
    return generic.replace("NAME", fmt.name_tag).replace("SUFFIX", fmt.suffix)


def rendered_path(generic: str) -> str:
    return generic.replace("NAME", ANSWERS["project_name"]).replace("SUFFIX", "")


def write_tree(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)


def build_template(fmt: Format, w: Workload, dest: Path, env: dict[str, str]) -> None:
    """A git repository with tags v1.0.0 and v2.0.0."""
    rmtree(dest)
    dest.mkdir(parents=True)
    sh(["git", "init", "-q"], env, dest)

    def files(version: dict[str, str]) -> dict[str, str]:
        out = {fmt.config_file: fmt.config, **fmt.extra}
        for g, text in version.items():
            out[spell(fmt, g)] = text.replace("PLACEHOLDER", fmt.placeholder)
        return out

    v1 = files(w.v1)
    write_tree(dest, v1)
    sh(["git", "add", "-A"], env, dest)
    sh(["git", "commit", "-q", "-m", "v1"], env, dest)
    sh(["git", "tag", "v1.0.0"], env, dest)
    v2 = files(w.v2)
    for rel in set(v1) - set(v2):
        (dest / rel).unlink()
    write_tree(dest, {k: v for k, v in v2.items() if v1.get(k) != v})
    sh(["git", "add", "-A"], env, dest)
    sh(["git", "commit", "-q", "-m", "v2"], env, dest)
    sh(["git", "tag", "v2.0.0"], env, dest)
    sh(["git", "gc", "-q"], env, dest)
    # Like a template committed a while ago (see build_project): otherwise
    # every tool that asks git whether the template has uncommitted changes
    # hashes every "racily clean" file of its working tree again.
    backdate(dest)
    sh(["git", "update-index", "-q", "--refresh"], env, dest)


def graft_copy_cmd(graft: str, tpl: Path, dest: Path, ref: str | None = None) -> list[str]:
    cmd = [graft, "copy", str(tpl), str(dest), "--defaults", "-q"]
    return cmd + (["--vcs-ref", ref] if ref else [])


def graft_update_cmd(graft: str, dest: Path) -> list[str]:
    return [graft, "update", str(dest), "--defaults", "-q"]


def copier_copy_cmd(copier: str, tpl: Path, dest: Path, ref: str | None = None) -> list[str]:
    cmd = [copier, "copy", "--defaults", "--trust", "--quiet"]
    return cmd + (["--vcs-ref", ref] if ref else []) + [str(tpl), str(dest)]


def copier_update_cmd(copier: str, dest: Path) -> list[str]:
    return [
        copier, "update", "--defaults", "--trust", "--quiet",
        "--vcs-ref", "v2.0.0", "--conflict", "inline", str(dest),
    ]  # fmt: skip


def build_project(copy_cmd: list[str], dest: Path, w: Workload, env: dict[str, str]) -> None:
    """A project copied at v1.0.0, committed, then edited by a "user" and
    committed again, so the update starts from a clean git work tree."""
    rmtree(dest)
    sh(copy_cmd, env)
    sh(["git", "init", "-q"], env, dest)
    sh(["git", "add", "-A"], env, dest)
    sh(["git", "commit", "-q", "-m", "generated"], env, dest)
    for g, text in w.user_edits.items():
        p = dest / rendered_path(g)
        p.write_text(text.replace("PLACEHOLDER", ANSWERS["project_name"]))
    sh(["git", "add", "-A"], env, dest)
    sh(["git", "commit", "-q", "-m", "my edits"], env, dest)
    # Like a project edited a while ago: files older than git's index, so
    # no index entry is "racily clean" and git can trust its stat data.
    backdate(dest)
    sh(["git", "update-index", "-q", "--refresh"], env, dest)


def backdate(root: Path, seconds: int = 3600) -> None:
    t = time.time() - seconds
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d != ".git"]
        for f in filenames:
            os.utime(Path(dirpath) / f, (t, t), follow_symlinks=False)


def tree_files(root: Path) -> dict[str, bytes]:
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d != ".git"]
        for f in filenames:
            p = Path(dirpath) / f
            out[str(p.relative_to(root))] = p.read_bytes()
    return out


def tree_entries(root: Path) -> dict[str, tuple[str, int, bytes]]:
    """Every file and symlink under `root` except `.git`: kind, permission
    bits and contents (a symlink's target)."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d != ".git"]
        for f in filenames + [d for d in dirnames if (Path(dirpath) / d).is_symlink()]:
            p = Path(dirpath) / f
            st = p.lstat()
            if p.is_symlink():
                out[str(p.relative_to(root))] = ("link", 0, os.readlink(p).encode())
            else:
                out[str(p.relative_to(root))] = ("file", st.st_mode & 0o7777, p.read_bytes())
    return out


SRC_PATH_LINE = re.compile(rb"^_src_path: .*\n", re.M)


def tree_differences(graft: Path, copier: Path, allowed_only_graft: set[str] = frozenset()) -> list[str]:
    """How graft's tree differs from Copier's on the same template, answers
    and edits: files only one has, different contents, different modes.
    Copier-format output must be identical; the answers file may differ
    only in `_src_path` (where the two were given different paths), and
    `allowed_only_graft` lists files graft keeps on purpose."""
    a, b = tree_entries(graft), tree_entries(copier)
    out = []
    for p in sorted(set(a) - set(b)):
        if p not in allowed_only_graft:
            out.append(f"only graft made {p}")
    for p in sorted(set(b) - set(a)):
        out.append(f"only Copier made {p}")
    for p in sorted(set(a) & set(b)):
        (ka, ma, da), (kb, mb, db) = a[p], b[p]
        if ka != kb:
            out.append(f"{p}: graft made a {ka}, Copier a {kb}")
            continue
        if ma != mb:
            out.append(f"{p}: mode {ma:o} (graft) vs {mb:o} (Copier)")
        if da != db:
            if p.endswith(".copier-answers.yml") and SRC_PATH_LINE.sub(b"", da) == SRC_PATH_LINE.sub(b"", db):
                continue
            out.append(f"{p}: contents differ\n" + diff_excerpt(da, db))
    return out


def diff_excerpt(a: bytes, b: bytes, limit: int = 20) -> str:
    lines = difflib.unified_diff(
        a.decode(errors="replace").splitlines(), b.decode(errors="replace").splitlines(),
        "graft", "copier", lineterm="", n=1,
    )  # fmt: skip
    return "\n".join(f"    {l}" for l in list(lines)[:limit])


def check_same(what: str, differences: list[str]) -> None:
    """Fails the benchmark loudly: a Copier-format workload graft renders
    differently from Copier is a bug, and its timings would
    compare different work."""
    if differences:
        sys.exit(
            f"error: graft's output differs from Copier's on the Copier-format workload ({what}):\n  "
            + "\n  ".join(differences[:30])
            + (f"\n  … and {len(differences) - 30} more" if len(differences) > 30 else "")
        )


# --------------------------------------------------------------------------
# The benchmark
# --------------------------------------------------------------------------


def median(xs: list[float]) -> float:
    return statistics.median(xs)


def fmt_s(s: float | None) -> str:
    if s is None:
        return "—"
    if s < 1:
        return f"{s * 1000:.0f} ms" if s >= 0.01 else f"{s * 1000:.1f} ms"
    return f"{s:.2f} s"


def fmt_mb(kb: int | None) -> str:
    return "—" if kb is None else f"{kb / 1024:.0f} MB"


class Bench:
    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.work: Path = args.work_dir.resolve()
        self.work.mkdir(parents=True, exist_ok=True)
        self.env = bench_env(self.work)
        (self.work / "graft-settings.yml").write_text("defaults: {}\n")
        self.graft = self.find_graft()
        self.copier = self.install_copier() if args.compare else None
        self.results: dict = {"sizes": {}, "machine": machine_info()}
        self.last_delete = time.monotonic()

    def log(self, msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    def find_graft(self) -> str:
        if self.args.graft:
            return str(Path(self.args.graft).resolve())
        self.log("building graft: cargo build --release")
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=REPO, check=True)
        target = os.environ.get("CARGO_TARGET_DIR", str(REPO / "target"))
        return str(Path(target).resolve() / "release" / "graft")

    def install_copier(self) -> str:
        venv = self.work / "venv"
        copier = Path(self.args.copier).resolve() if self.args.copier else venv / "bin" / "copier"
        if self.args.copier and not copier.exists():
            sys.exit(f"error: no Copier at {copier}")
        if not copier.exists():
            self.log(f"installing Copier into {venv} (python3 -m venv + pip install copier==9.*)")
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
            subprocess.run(
                [str(venv / "bin" / "pip"), "install", "-q", "copier==9.*"], check=True
            )
        version = subprocess.run(
            [str(copier), "--version"], capture_output=True, text=True, env=self.env
        ).stdout.strip()
        self.results_copier_version = version
        return str(copier)

    def runs(self, tool: str) -> int:
        return self.args.copier_runs if tool == "copier" else self.args.runs

    def settle(self) -> bool:
        """Waits until the file system is as quiet for the next run as for
        every other: dirty data flushed, and no bulk deletion in the last
        SETTLE seconds. (ext4 skips inodes freed in the last 30 s when it
        allocates new ones, scanning past each of them on every file
        creation; a run right after thousands of deletions, such as the
        temporary folders of a Copier run, creates files several times
        slower.)"""
        os.sync()
        wait = self.last_delete + self.args.settle - time.monotonic()
        if wait > 0:
            time.sleep(wait)
            os.sync()
        return wait > 0

    def deleted(self) -> None:
        self.last_delete = time.monotonic()

    def interleaved(self, n: int, runs_dir: Path, specs: list[dict]) -> dict[str, dict]:
        """Measured runs of several commands taken in turns (A B C A B C ...)
        rather than one after the other, so that a slow spell of the disk
        falls on all of them alike. Each run writes into a fresh `dest`
        (nothing is deleted between runs), after an unmeasured `prepare`.

        A spec: key, label, tool ("graft" or "copier": how many runs),
        cmd(dest) -> argv, optional prepare(dest), ok (exit codes)."""
        data = {sp["key"]: {"times": [], "cpu": [], "rss": [], "last": None} for sp in specs}
        for i in range(max(self.runs(sp["tool"]) for sp in specs)):
            for sp in specs:
                if i >= self.runs(sp["tool"]):
                    continue
                slug = re.sub(r"[^a-z]+", "-", sp["label"].lower()).strip("-")
                dest = runs_dir / f"{slug}-{i}"
                if sp.get("prepare"):
                    sp["prepare"](dest)
                if self.settle() and sp["tool"] != "copier":
                    # The first process after a long idle spell runs up to
                    # twice as slow on this VM (the vCPU and caches go cold),
                    # and that spell always falls before the same tool: an
                    # unmeasured run of the same command first.
                    warm = runs_dir / f"{slug}-{i}-warm-up"
                    if sp.get("prepare"):
                        sp["prepare"](warm)
                    measure(sp["cmd"](warm), self.env, ok=sp.get("ok", (0,)))
                    self.settle()
                r = measure(sp["cmd"](dest), self.env, ok=sp.get("ok", (0,)))
                if sp["tool"] == "copier":
                    # Copier removes its temporary clone and renders (N files
                    # each); graft's own journal clean-up stays in its figures.
                    self.deleted()
                d = data[sp["key"]]
                d["times"].append(r.seconds)
                d["cpu"].append(r.cpu_seconds)
                if r.max_rss_kb is not None:
                    d["rss"].append(r.max_rss_kb)
                d["last"] = str(dest)
                self.log(f"  {sp['label']:<20} N={n:<6} run {i + 1}: {fmt_s(r.seconds):>8}  "
                         f"{fmt_mb(r.max_rss_kb)}  CPU {fmt_s(r.cpu_seconds)}")  # fmt: skip
        return {
            key: {
                "median": median(d["times"]),
                "runs": d["times"],
                "cpu_median": median(d["cpu"]),
                "cpu_runs": d["cpu"],
                "max_rss_kb": max(d["rss"]) if d["rss"] else None,
                "last": d["last"],
            }
            for key, d in data.items()
        }

    def size(self, n: int, with_copier: bool) -> dict:
        self.log(f"\n== N = {n:,}: generating the workload")
        root = self.work / f"n{n}"
        rmtree(root)
        self.deleted()
        w = make_workload(n)
        res: dict = {}
        # Two templates (graft's format and Copier's) and three projects:
        # graft's on its own format, and graft's and Copier's on Copier's.
        tpl = {f: root / f"template-{f}" for f in ("graft", "copier")}
        build_template(GRAFT, w, tpl["graft"], self.env)
        build_template(COPIER, w, tpl["copier"], self.env)
        project = {
            "graft": root / "project-graft",
            "graft-copier": root / "project-graft-copier-format",
            "copier": root / "project-copier",
        }
        build_project(graft_copy_cmd(self.graft, tpl["graft"], project["graft"], "v1.0.0"),
                      project["graft"], w, self.env)  # fmt: skip
        build_project(graft_copy_cmd(self.graft, tpl["copier"], project["graft-copier"], "v1.0.0"),
                      project["graft-copier"], w, self.env)  # fmt: skip
        if with_copier:
            build_project(
                copier_copy_cmd(self.copier, tpl["copier"], project["copier"], "v1.0.0"),
                project["copier"], w, self.env,
            )  # fmt: skip
            # Before anything is measured: graft's copy of v1.0.0 (then
            # edited like Copier's) is Copier's, byte for byte.
            check_same(f"copy of v1.0.0, N = {n:,}",
                       tree_differences(project["graft-copier"], project["copier"]))  # fmt: skip
        checkout = root / "checkout"
        sh(["git", "clone", "-q", f"file://{tpl['graft']}", str(checkout)], self.env)
        rmtree(checkout / ".git")
        self.deleted()  # git gc, Copier's temporary folders
        self.log(f"   {len(w.v1)} files at v1.0.0, {len(w.v2)} at v2.0.0, "
                 f"{len(w.user_edits)} edited by the user")  # fmt: skip
        runs = root / "runs"
        runs.mkdir()

        # Copy: a fresh destination each run, at the latest version (v2.0.0).
        specs = [
            {"key": "graft_copy", "label": "graft copy", "tool": "graft",
             "cmd": lambda d: graft_copy_cmd(self.graft, tpl["graft"], d)},
            {"key": "git_clone", "label": "git clone", "tool": "graft",
             "cmd": lambda d: ["git", "clone", "-q", f"file://{tpl['graft']}", str(d)]},
            {"key": "cp_r", "label": "cp -r", "tool": "graft",
             "cmd": lambda d: ["cp", "-r", str(checkout), str(d)]},
            {"key": "graft_cf_copy", "label": "graft copy copier-format", "tool": "graft",
             "cmd": lambda d: graft_copy_cmd(self.graft, tpl["copier"], d)},
        ]  # fmt: skip
        if with_copier:
            specs.append({"key": "copier_copy", "label": "copier copy", "tool": "copier",
                          "cmd": lambda d: copier_copy_cmd(self.copier, tpl["copier"], d)})  # fmt: skip
        res.update(self.interleaved(n, runs, specs))

        # Update: a fresh copy of the edited, committed project each run,
        # its git index refreshed as it is in the project itself.
        def fresh_project(tool):
            def prepare(dest):
                sh(["cp", "-a", str(project[tool]), str(dest)], self.env)
                sh(["git", "update-index", "-q", "--refresh"], self.env, dest)
            return prepare

        specs = [{"key": "graft_update", "label": "graft update", "tool": "graft",
                  "cmd": lambda d: graft_update_cmd(self.graft, d),
                  "prepare": fresh_project("graft"), "ok": (0, 1)},
                 {"key": "graft_cf_update", "label": "graft update copier-format", "tool": "graft",
                  "cmd": lambda d: graft_update_cmd(self.graft, d),
                  "prepare": fresh_project("graft-copier"), "ok": (0, 1)}]  # fmt: skip
        if with_copier:
            specs.append({"key": "copier_update", "label": "copier update", "tool": "copier",
                          "cmd": lambda d: copier_update_cmd(self.copier, d),
                          "prepare": fresh_project("copier")})  # fmt: skip
        res.update(self.interleaved(n, runs, specs))

        graft_copied = tree_files(Path(res["graft_copy"]["last"]))
        graft_updated = tree_files(Path(res["graft_update"]["last"]))
        res["graft_update_conflicts"] = sum(b"<<<<<<< " in b for b in graft_updated.values())
        res["graft_cf_update_conflicts"] = sum(
            b"<<<<<<< " in b for b in tree_files(Path(res["graft_cf_update"]["last"])).values()
        )
        if with_copier:
            # The measured outputs on the Copier-format template: the copy
            # must be Copier's; the update too, except the files v2 deleted
            # that the user had edited, which graft keeps on purpose
            # (see docs/updating.md; Copier deletes them).
            check_same(f"copy of v2.0.0, N = {n:,}",
                       tree_differences(Path(res["graft_cf_copy"]["last"]),
                                        Path(res["copier_copy"]["last"])))  # fmt: skip
            kept = {rendered_path(g) for g in set(w.v1) - set(w.v2) if g in w.user_edits}
            check_same(f"update to v2.0.0, N = {n:,}",
                       tree_differences(Path(res["graft_cf_update"]["last"]),
                                        Path(res["copier_update"]["last"]), kept))  # fmt: skip
            res["cf_update_kept"] = sorted(kept)

            copier_copied = tree_files(Path(res["copier_copy"]["last"]))
            res["copy_same_files"] = same_output(graft_copied, copier_copied)
            copier_updated = tree_files(Path(res["copier_update"]["last"]))
            res["copier_update_conflicts"] = sum(b"<<<<<<< " in b for b in copier_updated.values())
            res["update_same_files"] = same_output(graft_updated, copier_updated)
        res["syscalls"] = self.syscalls(n, tpl["graft"], project["graft"], runs)
        return res

    def syscalls(self, n: int, tpl: Path, project: Path, runs: Path) -> dict | None:
        """System calls of one graft copy and one update (not timed), from
        `strace -f -c`, beside the number of paths the update changed
        (`git status` lines afterwards): a count per changed path shows a
        regression that wall time on a noisy disk hides."""
        if not shutil.which("strace", path=self.env.get("PATH")):
            return None

        def count(cmd: list[str], name: str, ok=(0,)) -> int:
            out = runs / f"strace-{name}.txt"
            p = subprocess.run(["strace", "-f", "-c", "-o", str(out)] + cmd, env=self.env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
            if p.returncode not in ok:
                sys.exit(f"error: `{' '.join(cmd)}` under strace exited with {p.returncode}")
            total = [l for l in out.read_text().splitlines() if l.rstrip().endswith(" total")]
            return int(total[-1].split()[3]) if total else 0

        copy_dest = runs / "strace-copy"
        copy = count(graft_copy_cmd(self.graft, tpl, copy_dest), "copy")
        dest = runs / "strace-update"
        sh(["cp", "-a", str(project), str(dest)], self.env)
        sh(["git", "update-index", "-q", "--refresh"], self.env, dest)
        update = count(graft_update_cmd(self.graft, dest), "update", ok=(0, 1))
        status = sh(["git", "status", "--porcelain", "--untracked-files=all"], self.env, dest)
        changed = len(status.splitlines())
        files = len(tree_files(copy_dest))
        self.log(f"  system calls       N={n:<6} copy {copy:,} ({copy / files:.1f} per file), "
                 f"update {update:,} ({update / max(changed, 1):.1f} per changed path, {changed} changed)")  # fmt: skip
        return {"copy": copy, "copy_files": files, "update": update, "update_changed": changed}

    def run(self) -> None:
        a = self.args
        small, big = (100, 1000) if a.quick else (1000, 10000)
        # N = 100 always: the targets want the ratios to Copier there too.
        sizes = sorted({100, small, big, 1000})
        for n in sizes:
            with_copier = self.copier is not None and n <= a.copier_max_n
            self.results["sizes"][n] = self.size(n, with_copier)
        self.log("\n== start-up")
        env = self.env
        quick_time([self.graft, "--version"], env)  # warm the page cache
        self.results["graft_version"] = median(
            [quick_time([self.graft, "--version"], env) for _ in range(a.version_runs)]
        )
        self.results["true"] = median([quick_time(["true"], env) for _ in range(a.version_runs)])
        if self.copier:
            self.results["copier_version"] = median(
                [quick_time([self.copier, "--version"], env) for _ in range(3)]
            )
            self.results["copier_version_string"] = self.results_copier_version
        self.results["graft_version_string"] = subprocess.run(
            [self.graft, "--version"], capture_output=True, text=True
        ).stdout.strip()
        self.results["small"], self.results["big"] = small, big
        self.results["runs"], self.results["copier_runs"] = a.runs, a.copier_runs
        (self.work / "results.json").write_text(json.dumps(self.results, indent=2))
        if not a.keep:
            for n in sizes:
                rmtree(self.work / f"n{n}" / "runs")
        print(table(self.results))
        print()
        print(copier_format_table(self.results))


def same_output(a: dict[str, bytes], b: dict[str, bytes]) -> dict:
    """How the two engines' outputs compare, ignoring their answers files
    and files with conflict markers (labels differ by design)."""
    skip = lambda p: p.startswith((".graft-answers", ".copier-answers"))  # noqa: E731
    ka = {p for p in a if not skip(p)}
    kb = {p for p in b if not skip(p)}
    both = ka & kb
    differ = [p for p in both if a[p] != b[p] and b"<<<<<<< " not in a[p] + b[p]]
    return {
        "only_graft": sorted(ka - kb)[:10],
        "only_copier": sorted(kb - ka)[:10],
        "differ": sorted(differ)[:10],
        "n_only_graft": len(ka - kb),
        "n_only_copier": len(kb - ka),
        "n_differ": len(differ),
    }


def machine_info() -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpus": os.cpu_count(), "cpu": cpu, "system": platform.platform()}


# --------------------------------------------------------------------------
# The table
# --------------------------------------------------------------------------


def verdict(checks: list[bool | None]) -> str:
    known = [c for c in checks if c is not None]
    if not known:
        return "n/a"
    ok = "PASS" if all(known) else "FAIL"
    return ok if len(known) == len(checks) else ok + " (partial)"


def table(r: dict) -> str:
    sizes = r["sizes"]
    small, big = r["small"], r["big"]
    s1000 = sizes[1000]
    rows = []
    head = ("| figure | graft | Copier | git clone | cp -r | ratio | target | result |",
            "|---|---|---|---|---|---|---|---|")  # fmt: skip

    def timing_row(kind: str, factor: int, n: int, clone_limit: float | None) -> None:
        """graft's median at N against Copier's (≥ `factor`× faster) and,
        where the targets set one, against `git clone` (≤ `clone_limit`× its
        time)."""
        s = sizes.get(n)
        if not s:
            return
        g = s[f"graft_{kind}"]
        c = s.get(f"copier_{kind}")
        clone = s["git_clone"]["median"]
        cp = s["cp_r"]["median"]
        ratios = []
        checks: list[bool | None] = []
        if c:
            x = c["median"] / g["median"]
            ratios.append(f"{x:,.0f}× faster than Copier")
            checks.append(x >= factor)
        else:
            checks.append(None)
        y = g["median"] / clone
        ratios.append(f"{y:.2f}× git clone's time")
        target = f"≥ {factor}× faster than `copier {kind}`"
        if clone_limit is not None:
            checks.append(y <= clone_limit)
            target += ("; not slower than `git clone`" if clone_limit == 1.0
                       else f"; at most {clone_limit:g}× `git clone`")  # fmt: skip
        rows.append(
            f"| `{kind}`, N = {n:,} | {fmt_s(g['median'])} | {fmt_s(c['median']) if c else '—'} "
            f"| {fmt_s(clone)} | {fmt_s(cp)} | {'; '.join(ratios)} "
            f"| {target} | {verdict(checks)} |"
        )

    timing_row("copy", 50, 1000, 1.0)
    timing_row("update", 100, 1000, 0.5)
    timing_row("copy", 50, 100, None)
    timing_row("update", 100, 100, None)
    for kind in ("copy", "update"):
        a, b = sizes[small][f"graft_{kind}"]["median"], sizes[big][f"graft_{kind}"]["median"]
        g = b / a
        rows.append(
            f"| growth of `{kind}`, N = {small:,} → {big:,} | {fmt_s(a)} → {fmt_s(b)} | — | — | — "
            f"| {g:.1f}× for {big // small}× the files | ≤ 11× (at most linear) "
            f"| {'PASS' if g <= 11 else 'FAIL'} |"
        )
    sc = s1000.get("syscalls")
    if sc:
        changed = sc["update_changed"]
        allowed = 5 * changed + FIXED_SYSCALLS
        rows.append(
            f"| system calls, `update` N = 1,000 (`strace -f -c`) | {sc['update']:,} "
            f"({sc['update'] / max(changed, 1):.1f} per changed path, {changed} changed) | — | — | — "
            f"| {sc['update'] / allowed:.2f}× the allowance | ≤ 5 per changed path + {FIXED_SYSCALLS} "
            f"(= {allowed:,}) | {'PASS' if sc['update'] <= allowed else 'FAIL'} |"
        )
    peak = max(
        sizes[big]["graft_copy"]["max_rss_kb"] or 0, sizes[big]["graft_update"]["max_rss_kb"] or 0
    )
    c_peak = None
    if "copier_copy" in s1000:
        c_peak = max(
            s1000["copier_copy"]["max_rss_kb"] or 0, s1000["copier_update"]["max_rss_kb"] or 0
        )
    ref_kb = c_peak if c_peak else 70 * 1024
    rows.append(
        f"| peak memory, graft at N = {big:,} vs Copier at N = 1,000 | {fmt_mb(peak)} "
        f"| {fmt_mb(c_peak) if c_peak else '— (target: ~70 MB)'} | — | — "
        f"| {peak / ref_kb:.2f}× Copier's | below Copier's at N = 1,000 "
        f"| {'PASS' if peak < ref_kb else 'FAIL'}{'' if c_peak else ' (vs the target figure)'} |"
    )
    gv = r["graft_version"]
    cv = r.get("copier_version")
    rows.append(
        f"| `graft --version` | {fmt_s(gv)} | {fmt_s(cv) if cv else '—'} | — | — "
        f"| {'%.0f× faster than Copier' % (cv / gv) if cv else '—'} | under 5 ms "
        f"| {'PASS' if gv < 0.005 else 'FAIL'} |"
    )
    notes = [
        "",
        f"{r['graft_version_string']}"
        + (f"; {r['copier_version_string']}" if r.get("copier_version_string") else "; Copier not run (use --compare)"),
        f"machine: {r['machine']['cpus']} CPUs, {r['machine']['cpu']}; {r['machine']['system']}",
        f"medians of {r['runs']} runs (graft, git clone, cp -r) and {r['copier_runs']} (Copier); "
        f"`graft --version` median of many runs, including ~{fmt_s(r['true'])} to spawn a process",
    ]
    for n, s in sizes.items():
        parts = [f"N = {int(n):,}: copy {fmt_s(s['graft_copy']['median'])} ({fmt_mb(s['graft_copy']['max_rss_kb'])}), "
                 f"update {fmt_s(s['graft_update']['median'])} ({fmt_mb(s['graft_update']['max_rss_kb'])}, "
                 f"{s['graft_update_conflicts']} conflicts)"]  # fmt: skip
        if "copier_copy" in s:
            parts.append(
                f"Copier copy {fmt_s(s['copier_copy']['median'])} ({fmt_mb(s['copier_copy']['max_rss_kb'])}), "
                f"update {fmt_s(s['copier_update']['median'])} ({fmt_mb(s['copier_update']['max_rss_kb'])}, "
                f"{s['copier_update_conflicts']} conflicts)"
            )
            for key in ("copy_same_files", "update_same_files"):
                d = s[key]
                parts.append(
                    f"{key.split('_')[0]} outputs: {d['n_only_graft']} files only graft made, "
                    f"{d['n_only_copier']} only Copier, {d['n_differ']} differ"
                )
        parts.append(f"git clone {fmt_s(s['git_clone']['median'])}, cp -r {fmt_s(s['cp_r']['median'])}")
        if s.get("syscalls"):
            sc = s["syscalls"]
            parts.append(f"system calls: copy {sc['copy']:,} ({sc['copy'] / sc['copy_files']:.1f} per file), "
                         f"update {sc['update']:,} ({sc['update'] / max(sc['update_changed'], 1):.1f} "
                         f"per changed path, {sc['update_changed']} changed)")  # fmt: skip
        notes.append("; ".join(parts))
    return "\n".join(list(head) + rows + notes)


def copier_format_table(r: dict) -> str:
    """graft and Copier on the same Copier-format template (the targets: the
    same ratios against Copier as on graft's own format)."""
    rows = [
        "| figure, Copier-format template | graft | Copier | ratio | target | result |",
        "|---|---|---|---|---|---|",
    ]
    notes = [""]
    for n, s in sorted(r["sizes"].items(), key=lambda kv: int(kv[0])):
        for kind, factor in (("copy", 50), ("update", 100)):
            g = s[f"graft_cf_{kind}"]
            c = s.get(f"copier_{kind}")
            if c:
                x = c["median"] / g["median"]
                ratio, result = f"{x:,.0f}× faster than Copier", "PASS" if x >= factor else "FAIL"
            else:
                ratio, result = "— (Copier not run)", "n/a"
            rows.append(
                f"| `{kind}`, N = {int(n):,} | {fmt_s(g['median'])} | {fmt_s(c['median']) if c else '—'} "
                f"| {ratio} | ≥ {factor}× faster than `copier {kind}` | {result} |"
            )
        line = (f"N = {int(n):,}: graft copy {fmt_s(s['graft_cf_copy']['median'])} "
                f"({fmt_mb(s['graft_cf_copy']['max_rss_kb'])}), update {fmt_s(s['graft_cf_update']['median'])} "
                f"({fmt_mb(s['graft_cf_update']['max_rss_kb'])}, {s['graft_cf_update_conflicts']} conflicts)")  # fmt: skip
        if "copier_copy" in s:
            cpu = lambda k: s[k].get("cpu_median")  # noqa: E731
            if all(cpu(k) for k in ("graft_cf_copy", "copier_copy", "graft_cf_update", "copier_update")):
                line += (f"; CPU time (user + system, median): copy {fmt_s(cpu('graft_cf_copy'))} vs "
                         f"{fmt_s(cpu('copier_copy'))} ({cpu('copier_copy') / cpu('graft_cf_copy'):,.0f}×), "
                         f"update {fmt_s(cpu('graft_cf_update'))} vs {fmt_s(cpu('copier_update'))} "
                         f"({cpu('copier_update') / cpu('graft_cf_update'):,.0f}×)")  # fmt: skip
            kept = s["cf_update_kept"]
            line += (f"; outputs checked: copy identical to Copier's, update identical except "
                     f"{len(kept)} file(s) v2 deleted and the user edited, which graft keeps (see docs/updating.md)")  # fmt: skip
        else:
            line += "; outputs not compared (Copier not run)"
        notes.append(line)
    return "\n".join(rows + notes)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--compare", action="store_true", help="also run Copier (installed into a private venv)")
    p.add_argument("--quick", action="store_true", help="N = 100 and 1,000 only, fewer runs")
    p.add_argument("--graft", help="graft binary to measure (default: cargo build --release)")
    p.add_argument("--runs", type=int, help="runs per graft/git/cp figure (default 5; --quick 3)")
    p.add_argument("--copier", help="Copier executable to use (default: a venv under the work dir)")
    p.add_argument("--copier-runs", type=int, help="runs per Copier figure (default 3; --quick 1)")
    p.add_argument("--copier-max-n", type=int, default=1000, help="largest N Copier runs at (default 1000)")
    p.add_argument("--version-runs", type=int, default=30, help="runs of `graft --version` (default 30)")
    p.add_argument("--work-dir", type=Path, default=REPO / "target" / "graft-bench",
                   help="where workloads, the Copier venv and results.json go (default target/graft-bench)")  # fmt: skip
    p.add_argument("--settle", type=float, default=31.0,
                   help="seconds to wait after bulk deletions before a measured run (default 31)")  # fmt: skip
    p.add_argument("--keep", action="store_true", help="keep every run's output under the work dir")
    args = p.parse_args()
    if args.runs is None:
        args.runs = 3 if args.quick else 5
    if args.copier_runs is None:
        args.copier_runs = 1 if args.quick else 3
    Bench(args).run()


if __name__ == "__main__":
    main()
