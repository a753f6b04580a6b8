#!/usr/bin/env bash
# Creates (once) the virtualenv with real TensorFlow that the oracle and the
# speedup benchmark run programs under. It lives in a cache outside git;
# a stamp file is written only after TensorFlow imports, so an interrupted
# install is redone. Prints the venv's python on stdout.
set -euo pipefail
cache="${HYBRIDIZE_CACHE:-$HOME/.cache/hybridize}"
venv="$cache/tf-venv"
stamp="$venv/.tensorflow-cpu-2.21.0"
if [ ! -f "$stamp" ]; then
  echo "tf-venv: installing tensorflow-cpu==2.21.0 into $venv (once)" >&2
  mkdir -p "$cache"
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "tensorflow-cpu==2.21.0" >&2
  TF_CPP_MIN_LOG_LEVEL=3 "$venv/bin/python" -c "import tensorflow as tf; assert tf.__version__ == '2.21.0', tf.__version__" >&2
  touch "$stamp"
fi
echo "$venv/bin/python"
