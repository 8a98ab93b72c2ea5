#!/usr/bin/env bash
# Create benchmarks/.venv-peer with OpenSanctions' nomenklatura (logic-v2 matcher) and what it
# needs (followthemoney, rigour, PyICU). It lives in its own virtualenv because nomenklatura pins
# scikit-learn exactly and downgrades duckdb below 2: it must never constrain derisk's own
# dependencies in /work/main/.venv.
#
# Usage: bash benchmarks/setup_peer.sh            (idempotent; about 90 s the first time)
#        PEER_PYTHON=python3.12 bash benchmarks/setup_peer.sh
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="${PEER_VENV:-$here/.venv-peer}"
python="${PEER_PYTHON:-python3.11}"

# PyICU is built from source: it needs the ICU headers, pkg-config and a C++ compiler.
if ! pkg-config --exists icu-uc 2>/dev/null; then
    echo "ICU headers missing: installing libicu-dev pkg-config g++ (Debian)" >&2
    if [ "$(id -u)" -ne 0 ]; then
        echo "run as root, or: sudo apt-get install -y libicu-dev pkg-config g++" >&2
        exit 1
    fi
    apt-get update
    apt-get install -y libicu-dev pkg-config g++
fi

if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet nomenklatura followthemoney rigour

"$venv/bin/python" - <<'EOF'
from importlib.metadata import version

from nomenklatura.matching import LogicV2  # noqa: F401

for pkg in ("nomenklatura", "followthemoney", "rigour", "PyICU"):
    print(f"{pkg}=={version(pkg)}")
EOF
echo "peer virtualenv ready: $venv"
