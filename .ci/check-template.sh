#!/usr/bin/env bash
# Renders the bundled template (template-repo/) for each database choice and
# checks that each generated service installs and passes its own checks, the
# two ways its README gives: `uv sync --extra dev` then `uv run poe check`,
# and plain pip (a venv, `pip install -e '.[dev]'`, then `poe check`). `poe
# check` is ruff check, ruff format --check, basedpyright and pytest. Each
# variant first gets two modules of different kinds from examples/ (crud,
# api-only, service), the way a user adds them.
#
#   bash .ci/check-template.sh                      # variants: sqlite postgres none
#   CHECK_TEMPLATE_VARIANTS="postgres" bash .ci/check-template.sh
#   KEEP=1 bash .ci/check-template.sh               # keep the rendered projects
#
# The postgres variant's tests run on SQLite like the others (the service's
# test settings use an in-memory database): no PostgreSQL server is needed.
#
# uv comes from PyPI, pinned, into a venv of its own under target/. Variants
# run in parallel; each writes a log that is printed when it ends. Downloads
# are cached in $UV_CACHE_DIR and $PIP_CACHE_DIR (default
# ~/.cache/graft-check-template/{uv,pip}), shared by every variant.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
start=$(date +%s)

if ! python3 -c 'import sys, venv; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  if command -v apt-get >/dev/null; then
    apt-get update -qq && apt-get install -y -qq python3 python3-venv >/dev/null
  fi
fi
python3 -c 'import sys; assert sys.version_info >= (3, 11), "the generated services need Python 3.11 or later"'

cargo build --locked --quiet --bin graft
graft=$root/target/debug/graft

uv_version=0.9.5
uv_venv=$root/target/uv-venv
uv=$uv_venv/bin/uv
# A venv copied from another checkout runs that checkout's Python: remade.
uv_ready() {
  [ "$("$uv" --version 2>/dev/null)" = "uv $uv_version" ] &&
    head -n 1 "$uv_venv/bin/pip" | grep -q "^#!$uv_venv/bin/python"
}
if ! uv_ready; then
  rm -rf "$uv_venv"
  python3 -m venv "$uv_venv"
  "$uv_venv/bin/pip" install -q --disable-pip-version-check "uv==$uv_version"
  uv_ready
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/graft-check-template.XXXXXX")
if [ -z "${KEEP:-}" ]; then
  trap 'rm -rf "$work"' EXIT
else
  echo "check-template: keeping $work"
fi

# Isolate graft from the user's settings and cache; keep pip quiet and cached.
export GRAFT_SETTINGS=$work/no-settings.yml
export GRAFT_CACHE_DIR=$work/graft-cache
export PIP_CACHE_DIR=${PIP_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/graft-check-template/pip}
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 PIP_PROGRESS_BAR=off
# uv uses this machine's python3 and never downloads an interpreter.
export UV_CACHE_DIR=${UV_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/graft-check-template/uv}
export UV_PYTHON=python3 UV_PYTHON_DOWNLOADS=never UV_NO_PROGRESS=1
unset VIRTUAL_ENV PYTHONPATH

# The answers of each variant: every question is exercised by one of them.
answers() {
  case $1 in
    sqlite) echo "-d database=sqlite -d docker=true -d ci=github -d license=Apache-2.0 -d python_version=3.12" ;;
    none) echo "-d database=none -d docker=false -d ci=none -d license=none -d python_version=3.13" ;;
    postgres) echo "-d database=postgres -d docker=true -d ci=github -d license=MIT -d python_version=3.11" ;;
    *) echo "check-template: unknown variant $1" >&2; return 2 ;;
  esac
}

# The two modules of each variant, as KIND:NAME: two different kinds each,
# every kind in two variants (crud needs a database).
modules() {
  case $1 in
    sqlite) echo "crud:customers api-only:text_stats" ;;
    postgres) echo "crud:customers service:orders" ;;
    none) echo "service:orders api-only:text_stats" ;;
  esac
}

# generate VARIANT DIR: the service with its two modules, wired in at the
# service's markers by their injections.
generate() {
  local variant=$1 project=$2/shop-api data kind name
  data=$(answers "$variant")
  # shellcheck disable=SC2086 # $data is a list of flags
  "$graft" copy "$root/template-repo" "$project" --defaults -q -d project_name=shop-api $data
  for module in $(modules "$variant"); do
    kind=${module%%:*} name=${module#*:}
    (cd "$project" && "$graft" copy "$root/examples/$kind" . -d "name=$name" --defaults -q)
    test -f "$project/.graft-answers.module-$name.yml"
    test -f "$project/tests/modules/test_$name.py"
    grep -q "include_router(${name}_router" "$project/src/shop_api/api/router.py"
  done
}

check_variant() {
  local variant=$1 dir=$work/$1
  echo "--- uv: uv sync --extra dev && uv run poe check"
  generate "$variant" "$dir/uv"
  (cd "$dir/uv/shop-api" && "$uv" sync --quiet --extra dev && "$uv" run poe check)

  echo "--- pip: python3 -m venv .venv && pip install -e '.[dev]' && poe check"
  generate "$variant" "$dir/pip"
  (
    cd "$dir/pip/shop-api"
    python3 -m venv .venv
    .venv/bin/python -m pip install -q -e '.[dev]'
    # shellcheck disable=SC1091 # made just above
    . .venv/bin/activate
    poe check
  )
}

variants=${CHECK_TEMPLATE_VARIANTS:-sqlite postgres none}
pids=()
for variant in $variants; do
  answers "$variant" >/dev/null
  mkdir -p "$work/$variant"
  ( check_variant "$variant" ) >"$work/$variant.log" 2>&1 &
  pids+=("$!")
done

status=0
i=0
for variant in $variants; do
  if wait "${pids[$i]}"; then result=ok; else result=FAILED; status=1; fi
  echo "=== template variant $variant: $result"
  sed 's/^/    /' "$work/$variant.log"
  i=$((i + 1))
done
echo "check-template: $(( $(date +%s) - start ))s"
exit $status
