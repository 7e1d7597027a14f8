#!/usr/bin/env bash
# Install wengert with everything its demo and tests use, on a fresh machine.
#   bash scripts/setup.sh          library + optional extras (drawing, plots, data, sympy)
#   bash scripts/setup.sh --test   the same plus the test tools
set -euo pipefail
cd "$(dirname "$0")/.."

# Graphviz's `dot` program renders the computational graphs (the Python
# package only writes DOT text). Install it where we may; say how otherwise.
if ! command -v dot >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    (apt-get update -qq && apt-get install -y -qq graphviz >/dev/null) \
      || echo "setup: could not install graphviz; graph rendering will be skipped" >&2
  else
    echo "setup: install Graphviz (e.g. 'sudo apt-get install graphviz') to render graphs" >&2
  fi
fi

extras="all"
if [ "${1:-}" = "--test" ]; then extras="all,test"; fi
python -m pip install --quiet --disable-pip-version-check -e ".[${extras}]"
