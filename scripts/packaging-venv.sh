#!/usr/bin/env bash
# Creates (once) the virtualenv with the Python packaging tools the wheel,
# pre-commit and Action tests use (tests/packaging/run.py): pre-commit
# (which brings PyYAML and virtualenv) from PyPI. maturin itself is fetched by
# pip into an isolated build environment, as for any user, from
# pyproject.toml's [build-system]. It lives in a cache outside git; a stamp
# file is written only after the tools run, so an interrupted install is
# redone. Prints the venv's python on stdout.
set -euo pipefail
cache="${HYBRIDIZE_CACHE:-$HOME/.cache/hybridize}"
venv="$cache/packaging-venv"
stamp="$venv/.pre-commit-4.7.0"
if [ ! -f "$stamp" ]; then
  echo "packaging-venv: installing pre-commit==4.7.0 into $venv (once)" >&2
  mkdir -p "$cache"
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "pre-commit==4.7.0" >&2
  "$venv/bin/pre-commit" --version >&2
  "$venv/bin/python" -c "import yaml" >&2
  touch "$stamp"
fi
echo "$venv/bin/python"
