#!/bin/sh
# Builds a git repository of this template with three tagged versions, for
# trying `graft update` (see CHANGELOG.md):
#
#   v1.0.0  an earlier state, derived from v2.0.0 by the edits in make_v1
#           below;
#   v2.0.0  derived from the checked-in files by history/v2.0.0.patch;
#   v2.1.0  the template exactly as checked in, less history/.
#
# history/v2.0.0.patch turns the checked-in files into v2.0.0. After a
# change to a file it touches, regenerate it from graft's repository (the
# v2.0.0 files are those of commit 74ca8b7):
#
#   git diff --binary -R --relative=template-repo 74ca8b7 -- template-repo \
#     ':(exclude)template-repo/make-history.sh' ':(exclude)template-repo/history' \
#     >template-repo/history/v2.0.0.patch
#
# Usage: sh template-repo/make-history.sh DEST    (DEST absent or empty)
#
# Identity, dates and git settings are fixed, so the same checked-in files
# always give the same commit ids. POSIX sh and git only.
set -eu

usage() {
  echo "usage: $0 DEST" >&2
  exit 2
}
[ $# -eq 1 ] || usage
dest=$1
here=$(cd "$(dirname "$0")" && pwd)

if [ -e "$dest" ] && [ -n "$(ls -A "$dest")" ]; then
  echo "make-history: $dest exists and is not empty" >&2
  exit 2
fi
mkdir -p "$dest"
dest=$(cd "$dest" && pwd)

# Reproducible commits: no user or system git config, fixed names and dates.
GIT_CONFIG_NOSYSTEM=1
GIT_CONFIG_GLOBAL=/dev/null
GIT_AUTHOR_NAME="graft examples"
GIT_AUTHOR_EMAIL="examples@graft.invalid"
GIT_COMMITTER_NAME=$GIT_AUTHOR_NAME
GIT_COMMITTER_EMAIL=$GIT_AUTHOR_EMAIL
TZ=UTC
export GIT_CONFIG_NOSYSTEM GIT_CONFIG_GLOBAL GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL \
  GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL TZ

# edit FILE SED-SCRIPT: rewrites FILE in place and fails when nothing
# changed, so a drift of the checked-in template cannot go unnoticed.
edit() {
  sed "$2" "$1" >"$1.tmp"
  if cmp -s "$1" "$1.tmp"; then
    rm -f "$1.tmp"
    echo "make-history: the v1 edit of $1 no longer applies" >&2
    exit 1
  fi
  mv "$1.tmp" "$1"
}

# remove FILE...: deletes files that must exist.
remove() {
  for f in "$@"; do
    [ -f "$f" ] || { echo "make-history: $f is missing" >&2; exit 1; }
    rm -f "$f"
  done
}

# The v2.0.0 state, in the current directory (a copy of the checked-in files).
make_v2_0() {
  git apply --whitespace=nowarn "$here/history/v2.0.0.patch" || {
    echo "make-history: history/v2.0.0.patch no longer applies" >&2
    exit 1
  }
}

# The v1.0.0 state, in the current directory (the v2.0.0 files).
make_v1() {
  pkg='src/{{package_name}}'
  # 1. No problem+json error mapping: api/errors.py came in v2.0.0.
  remove "$pkg/api/errors.py" "$pkg/api/schemas/problem.py" \
    'tests/integration/test_errors.py.hbs'
  edit "$pkg/api/app.py.hbs" '/^from \.errors import register_error_handlers$/d
/^    register_error_handlers(app)$/d'
  # 2. Python 3.11 was the default version.
  edit graft.yml '/^python_version:/,/^$/s/^  default: "3\.12"$/  default: "3.11"/'
  # 3. The README's first section had another title.
  edit README.md.hbs 's/^## Run it$/## Getting started/'
  # 4. The changelog ended at v1.0.0.
  edit CHANGELOG.md '/^## v2\.0\.0/,/^## v1\.0\.0/{
/^## v1\.0\.0/!d
}'
}

commit() { # commit VERSION DATE
  GIT_AUTHOR_DATE="$2" GIT_COMMITTER_DATE="$2"
  export GIT_AUTHOR_DATE GIT_COMMITTER_DATE
  git add -A .
  git commit -q --no-verify -m "Release $1"
  git tag -a "$1" -m "$1"
}

cd "$dest"
git init -q
git symbolic-ref HEAD refs/heads/main

# checkout: the checked-in files, less the history they are derived with.
checkout() {
  cp -R "$here/." .
  rm -rf history
}

checkout
make_v2_0
make_v1
commit v1.0.0 "2024-01-15T10:00:00+0000"

# Each later version replaces every file (deletions included).
git rm -rq .
checkout
make_v2_0
commit v2.0.0 "2024-06-03T10:00:00+0000"

git rm -rq .
checkout
commit v2.1.0 "2025-03-10T10:00:00+0000"

short() { git rev-parse --short "$1^{commit}"; }
echo "make-history: $dest: v1.0.0 $(short v1.0.0), v2.0.0 $(short v2.0.0), v2.1.0 $(short v2.1.0)"
