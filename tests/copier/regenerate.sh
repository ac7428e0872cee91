#!/usr/bin/env bash
# Rebuilds tests/copier/<scenario>/expected/ with the pinned Python Copier,
# set up exactly as tests/it/copier_compat.rs sets it up:
#
#   TMP/template   a copy of <scenario>/template/, made a git repository
#                  (branch main) with one commit tagged `v1.0.0`
#   TMP/dest       a copy of <scenario>/existing/ when there is one
#   in TMP, with HOME and XDG folders private to the run:
#   copier copy --trust --defaults --data-file <scenario>/data.yml [ARGS] TMP/template dest
#
# ARGS are the lines of <scenario>/args, one argument a line (no shell
# quoting; blank lines and lines starting with `#` are skipped).
#
# The template's absolute path is a temporary one, so in every text file of
# the result it is replaced by the literal `{{SRC}}` (the answers file's
# `_src_path`, mostly). Executable bits and symlinks are kept as Copier made
# them; git records both. git keeps no empty folder, so the empty folders of
# the result are listed, one a line, in <scenario>/empty-dirs.
#
# Usage: tests/copier/regenerate.sh [SCENARIO...]   (default: every scenario)
# Copier: $GRAFT_COPIER, else target/copier-venv/bin/copier (see .ci/run).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
copier=${GRAFT_COPIER:-$root/target/copier-venv/bin/copier}
if ! version=$("$copier" --version 2>/dev/null) || [ "$version" != "copier 9.19.1" ]; then
  echo "regenerate.sh: needs Copier 9.19.1 at $copier (got: ${version:-nothing})" >&2
  exit 1
fi

if [ $# -eq 0 ]; then
  set -- $(cd "$here" && for d in */; do [ -d "$d/template" ] && echo "${d%/}"; done)
fi

# What graft's test harness does to its environment, for git and Copier alike.
while IFS= read -r var; do unset "$var"; done < <(env | sed -n 's/^\(\(GIT_\|GRAFT_\)[A-Za-z0-9_]*\)=.*/\1/p')
unset CLICOLOR_FORCE
export NO_COLOR=1 GIT_CONFIG_NOSYSTEM=1

for scenario in "$@"; do
  case_dir=$here/$scenario
  tmp=$(mktemp -d)
  tmp=$(cd "$tmp" && pwd -P)
  trap 'rm -rf "$tmp"' EXIT
  mkdir -p "$tmp/home/cache" "$tmp/home/config"
  export HOME=$tmp/home XDG_CONFIG_HOME=$tmp/home/config XDG_CACHE_HOME=$tmp/home/cache

  cp -a "$case_dir/template" "$tmp/template"
  [ -d "$case_dir/existing" ] && cp -a "$case_dir/existing" "$tmp/dest"
  (
    cd "$tmp/template"
    export GIT_AUTHOR_NAME="Graft Test" GIT_AUTHOR_EMAIL=test@graft.invalid
    export GIT_COMMITTER_NAME="Graft Test" GIT_COMMITTER_EMAIL=test@graft.invalid
    export GIT_AUTHOR_DATE=2024-01-01T00:00:01Z GIT_COMMITTER_DATE=2024-01-01T00:00:01Z
    git init -q -b main
    git add -A
    git -c commit.gpgsign=false commit -q --allow-empty -m v1.0.0
    git -c tag.gpgsign=false tag -a v1.0.0 -m v1.0.0
  )

  args=()
  if [ -f "$case_dir/args" ]; then
    while IFS= read -r line; do
      case $line in '' | '#'*) continue ;; esac
      args+=("$line")
    done < "$case_dir/args"
  fi

  if ! (cd "$tmp" && "$copier" copy --trust --defaults --data-file "$case_dir/data.yml" \
    ${args[@]+"${args[@]}"} "$tmp/template" dest) > "$tmp/out" 2>&1; then
    cat "$tmp/out" >&2
    echo "regenerate.sh: Copier failed on $scenario" >&2
    exit 1
  fi

  # Text files only (grep -I), and never through a symlink (grep -r skips them).
  { grep -rlIF -- "$tmp/template" "$tmp/dest" || true; } | while IFS= read -r file; do
    TEMPLATE=$tmp/template perl -pi -e 's/\Q$ENV{TEMPLATE}\E/{{SRC}}/g' "$file"
  done

  rm -rf "$case_dir/expected" "$case_dir/empty-dirs"
  cp -a "$tmp/dest" "$case_dir/expected"
  # git keeps no empty folder, so they are listed instead.
  (cd "$tmp/dest" && find . -mindepth 1 -type d -empty | sed 's|^\./||' | LC_ALL=C sort) > "$tmp/empty-dirs"
  [ -s "$tmp/empty-dirs" ] && cp "$tmp/empty-dirs" "$case_dir/empty-dirs"
  rm -rf "$tmp"
  trap - EXIT
  echo "$scenario: $(find "$case_dir/expected" \( -type f -o -type l \) | wc -l) file(s)"
done
