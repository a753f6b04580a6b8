#!/usr/bin/env bash
# Installs GitHub's published OpenAPI description (npm @octokit/openapi, a
# pinned version) into a cache outside git and prints the path of the
# dereferenced description, for tests/review.rs:
#
#   export HYBRIDIZE_OPENAPI="$(scripts/openapi.sh)"
#   cargo test --test review
set -euo pipefail
version="23.0.2"
cache="${HYBRIDIZE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/hybridize}/octokit-openapi-$version"
file="$cache/node_modules/@octokit/openapi/generated/api.github.com.deref.json"
if [ ! -s "$file" ]; then
    mkdir -p "$cache"
    npm install --silent --no-audit --no-fund --prefix "$cache" "@octokit/openapi@$version" >&2
fi
test -s "$file"
printf '%s\n' "$file"
