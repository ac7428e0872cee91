#!/bin/sh
# Checks that two graft binaries do the same work on the bundled template:
# a copy at v1.0.0, an edit, an update to v2.0.0 with a conflict, each with
# `--json`. The project trees (with modes), git's index and the JSON
# reports of both binaries must be byte-identical.
#
# Usage: sh bench/same-output.sh OLD_GRAFT NEW_GRAFT
# e.g.   git worktree add /tmp/old HEAD~5 && (cd /tmp/old && cargo build --release)
#        sh bench/same-output.sh /tmp/old/target/release/graft target/release/graft
set -eu

[ $# -eq 2 ] || { echo "usage: $0 OLD_GRAFT NEW_GRAFT" >&2; exit 2; }
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sh "$here/template-repo/make-history.sh" "$work/template" >/dev/null

export GIT_CONFIG_NOSYSTEM=1 HOME="$work/home" NO_COLOR=1
export GIT_AUTHOR_NAME=graft GIT_AUTHOR_EMAIL=graft@example.invalid
export GIT_COMMITTER_NAME=graft GIT_COMMITTER_EMAIL=graft@example.invalid
export GIT_AUTHOR_DATE=2024-01-01T00:00:00Z GIT_COMMITTER_DATE=2024-01-01T00:00:00Z
mkdir -p "$HOME"

# Runs copy, edit, update with binary $1 into $work/$2; keeps what it printed.
run() {
  bin=$1 out=$work/$2
  mkdir -p "$out"
  GRAFT_CACHE_DIR="$out.cache" "$bin" copy "$work/template" "$out/p" \
    --defaults --vcs-ref v1.0.0 --json -q >"$out.copy.json"
  (cd "$out/p" && git init -q && git add -A && git commit -qm generated)
  printf '\n# edited by the project\n' >>"$out/p/README.md"
  (cd "$out/p" && git commit -qam edit)
  code=0
  GRAFT_CACHE_DIR="$out.cache" "$bin" update "$out/p" --defaults --json -q \
    >"$out.update.json" || code=$?
  echo "$code" >"$out.exit"
  (cd "$out/p" && git ls-files -s --debug >"$out.index" && git status --porcelain >"$out.status")
  (cd "$out/p" && find . -path ./.git -prune -o -print | LC_ALL=C sort |
    while read -r f; do
      if [ -f "$f" ]; then
        printf '%s %s %s\n' "$f" "$(stat -c %a "$f")" "$(git hash-object "$f")"
      else
        printf '%s %s\n' "$f" "$(stat -c %F "$f")"
      fi
    done) >"$out.tree"
}

run "$1" old
run "$2" new
status=0
for part in copy.json update.json exit index status tree; do
  # The index holds inode numbers and times of each checkout; compare the
  # rest (mode, blob id, stage, path).
  if [ "$part" = index ]; then
    for side in old new; do
      grep -v '^  ' "$work/$side.index" >"$work/$side.index.cmp"
    done
    a=$work/old.index.cmp b=$work/new.index.cmp
  else
    a=$work/old.$part b=$work/new.$part
  fi
  # Paths of the two runs differ only in old/new.
  if ! sed "s#$work/old#WORK#g" "$a" | diff -u - "$(sed "s#$work/new#WORK#g" "$b" >"$b.cmp"; echo "$b.cmp")"; then
    echo "differs: $part" >&2
    status=1
  fi
done
[ $status -eq 0 ] && echo "same output: copy and update trees, index, JSON reports and exit codes"
exit $status
