#!/usr/bin/env bash
# Renders the bundled template (template-repo/) in several variants and checks
# that each generated service installs and passes its own checks: a virtual
# environment per variant, `pip install -e '.[dev]'`, then pytest, `ruff check`
# and `ruff format --check`. Each variant first gets two feature modules from
# examples/service-module, the way a user adds them.
#
#   bash .ci/check-template.sh                      # variants: sqlite none
#   CHECK_TEMPLATE_VARIANTS="postgres" bash .ci/check-template.sh
#   KEEP=1 bash .ci/check-template.sh               # keep the rendered projects
#
# Variants run in parallel; each writes a log that is printed when it ends.
# Downloads are cached in $PIP_CACHE_DIR (default ~/.cache/graft-check-template/pip).
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

check_variant() {
  local variant=$1 project=$work/$1/shop-api venv=$work/$1/venv
  local data
  data=$(answers "$variant")
  # shellcheck disable=SC2086 # $data is a list of flags
  "$graft" copy "$root/template-repo" "$project" --defaults -q -d project_name=shop-api $data
  # Two modules, wired in at the service's markers by their injections;
  # their tests call /api/v1/<name>/ through the real app factory.
  for module in customers orders; do
    (cd "$project" && "$graft" copy "$root/examples/service-module" . -d "name=$module" --defaults -q)
    test -f "$project/.graft-answers.module-$module.yml"
    test -f "$project/src/shop_api/modules/$module/router.py"
    grep -q "include_router(${module}_router" "$project/src/shop_api/api/router.py"
  done
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install -q -e "$project[dev]"
  cd "$project"
  "$venv/bin/ruff" check --no-cache .
  "$venv/bin/ruff" format --check --no-cache .
  "$venv/bin/pytest" -q -p no:cacheprovider
}

variants=${CHECK_TEMPLATE_VARIANTS:-sqlite none}
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
