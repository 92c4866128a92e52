#!/usr/bin/env bash
# Unpacks Debian's OpenBLAS (libopenblas0-pthread) into a private folder, without installing it,
# so that benchmarks/run.py can run Octave with OpenBLAS through LD_LIBRARY_PATH while the
# system's Octave keeps its own BLAS (the parity suite's references use reference BLAS).
# Usage: benchmarks/get_octave_openblas.sh [DEST]   (default ~/.cache/nn3-bench/openblas)
set -euo pipefail
dest="${1:-$HOME/.cache/nn3-bench/openblas}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && apt-get download libopenblas0-pthread >/dev/null)
mkdir -p "$dest"
dpkg-deb -x "$tmp"/libopenblas0-pthread_*.deb "$dest"
blas="$(find "$dest" -name libblas.so.3 -path '*openblas-pthread*' -print -quit)"
if [ -z "$blas" ]; then
    echo "get_octave_openblas.sh: no openblas-pthread libblas.so.3 in the package" >&2
    exit 1
fi
lib="$(dirname "$blas")"
echo "OpenBLAS for Octave: $lib"
echo "python benchmarks/run.py picks it up from there (or pass --octave-openblas $lib)"
