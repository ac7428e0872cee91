#!/usr/bin/env python3
"""Checks that two graft binaries do the same work on the benchmark's
workload (bench/run.py, SPEC §11): a copy of v2.0.0 and an update from
v1.0.0 to v2.0.0 of the user-edited project, in graft's format and in
Copier's, each with `--json`.

For each format and N it compares, byte for byte, what the two binaries
leave: every file and symlink of the output with its permission bits, the
project's git index (mode, blob id, stage and path of each entry), `git
status --porcelain`, the `--json` report and the exit code. Both updates
start from the same project (copied at v1.0.0 by OLD_GRAFT, committed,
edited and committed like the benchmark's).

    python3 bench/same-output-bench.py OLD_GRAFT NEW_GRAFT [--sizes 100,1000]

Prints `same output: ...` and exits 0 when everything is identical; prints
each difference and exits 1 otherwise. Python 3.11 standard library only.
"""

from __future__ import annotations

import argparse
import difflib
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # noqa: E402  (bench/run.py: the workload and its environment)


def snapshot(root: Path, env: dict[str, str]) -> dict[str, str]:
    """Everything of `root` the comparison looks at, as text per part."""
    entries = []
    for path, (kind, mode, data) in sorted(run.tree_entries(root).items()):
        entries.append(f"{path} {kind} {mode:o} {len(data)} {hash_text(data)}")
    parts = {"tree": "\n".join(entries)}
    if (root / ".git").exists():
        # Inode numbers and times differ between any two checkouts; the
        # rest of each entry must not.
        parts["index"] = run.sh(["git", "ls-files", "-s"], env, root)
        parts["status"] = run.sh(["git", "status", "--porcelain"], env, root)
    return parts


def hash_text(data: bytes) -> str:
    import hashlib

    return hashlib.sha1(data).hexdigest()


def graft(binary: str, args: list[str], env: dict[str, str]) -> tuple[int, str]:
    p = subprocess.run([binary] + args, env=env, capture_output=True, text=True)
    return p.returncode, p.stdout


def compare(what: str, old: str, new: str, problems: list[str]) -> None:
    if old != new:
        diff = difflib.unified_diff(
            old.splitlines(), new.splitlines(), "old", "new", lineterm="", n=1
        )
        problems.append(f"{what} differs:\n" + "\n".join(list(diff)[:40]))


def check(old_bin: str, new_bin: str, n: int, work: Path, problems: list[str]) -> None:
    env = run.bench_env(work)
    (work / "graft-settings.yml").write_text("defaults: {}\n")
    w = run.make_workload(n)
    for fmt in (run.GRAFT, run.COPIER):
        base = work / f"n{n}-{fmt.name}"
        tpl = base / "template"
        run.build_template(fmt, w, tpl, env)
        project = base / "project"
        run.build_project(run.graft_copy_cmd(old_bin, tpl, project, "v1.0.0"), project, w, env)
        seen: dict[str, dict[str, str]] = {}
        for side, binary in (("old", old_bin), ("new", new_bin)):
            out = base / side
            out.mkdir()
            code, report = graft(binary, ["copy", str(tpl), str(out / "copy"), "--defaults", "-q", "--json"], env)
            parts = {f"copy {k}": v for k, v in snapshot(out / "copy", env).items()}
            parts["copy exit code"] = str(code)
            parts["copy --json"] = report.replace(str(out), "OUT")
            run.sh(["cp", "-a", str(project), str(out / "update")], env)
            run.sh(["git", "update-index", "-q", "--refresh"], env, out / "update")
            code, report = graft(binary, ["update", str(out / "update"), "--defaults", "-q", "--json"], env)
            parts.update({f"update {k}": v for k, v in snapshot(out / "update", env).items()})
            parts["update exit code"] = str(code)
            parts["update --json"] = report.replace(str(out), "OUT")
            seen[side] = parts
        for part in seen["old"]:
            compare(f"N = {n:,}, {fmt.name} format: {part}", seen["old"][part], seen["new"][part], problems)
        files = seen["old"]["copy tree"].count("\n") + 1
        print(f"  N = {n:,}, {fmt.name} format: {files} files copied, update exit code "
              f"{seen['old']['update exit code']}, compared", file=sys.stderr)  # fmt: skip


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("old")
    p.add_argument("new")
    p.add_argument("--sizes", default="100,1000", help="comma-separated N (default 100,1000)")
    args = p.parse_args()
    old, new = (str(Path(b).resolve()) for b in (args.old, args.new))
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="graft-same-output-") as tmp:
        for n in (int(s) for s in args.sizes.split(",")):
            check(old, new, n, Path(tmp), problems)
    if problems:
        print("\n\n".join(problems))
        sys.exit(1)
    print("same output: copy and update of the benchmark's workload (both formats): "
          "files with modes, git index, git status, --json reports and exit codes")  # fmt: skip


if __name__ == "__main__":
    main()
