#!/usr/bin/env bash
# The Python leg of CI (.ci/run calls it after the Rust tests): the wheel built into a fresh
# virtualenv with pinned packages, then the parity tests (CLI vs pyarrow, Polars, DuckDB,
# PySpark local[2]). Fails when pytest fails or collects nothing (exit 5). Spark tests are
# skipped, with the reason, when Java is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS
PY=${PYTHON:-python3}
TARGET=$(cargo metadata --format-version 1 --no-deps --locked \
    | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
WORK=$(mktemp -d "$TARGET/python-ci.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

echo "python leg: virtualenv in $WORK"
"$PY" -m venv "$WORK/venv"
VPY="$WORK/venv/bin/python"
"$VPY" -m pip install --quiet --disable-pip-version-check -r python/requirements-ci.txt

# The CLI the tests compare against (already built by `cargo test`: a no-op then).
cargo build --locked --bin contactclean
export CONTACTCLEAN_BIN="$TARGET/debug/contactclean"

# The wheel (debug profile: the tests are about behaviour, and it shares the dependencies
# `cargo test` compiled).
"$WORK/venv/bin/maturin" build --locked -m python/Cargo.toml -i "$VPY" --out "$WORK/wheels" --quiet
"$VPY" -m pip install --quiet --disable-pip-version-check --no-deps "$WORK"/wheels/*.whl

if ! command -v java >/dev/null 2>&1; then
    echo "python leg: java not found: the Spark tests will be reported as skipped"
fi
rc=0
(cd python/tests && "$VPY" -m pytest -q -rs -p no:cacheprovider .) || rc=$?
if [ "$rc" -eq 5 ]; then
    echo "python leg: pytest collected no tests" >&2
    exit 1
fi
echo "python leg: $((SECONDS - started)) s"
exit "$rc"
