#!/usr/bin/env bash
# Regenerate the MATLAB-side reference outputs with GNU Octave.
#
#   bash matlab_ref/regenerate.sh [OUTDIR]
#
# OUTDIR defaults to matlab_ref/outputs. A relative OUTDIR is taken relative
# to the current directory. The files are written to a temporary directory
# next to OUTDIR and moved into place only when Octave succeeded and every
# expected file exists, so a failed run leaves the previous outputs alone.
#
# Octave 7 may print "error: ignoring const execution_exception& while
# preparing to exit" when it shuts down; that one line is harmless and is
# dropped. Any other stderr output is passed through, and a non-zero exit
# status from Octave or a missing output file makes this script fail.
#
# Environment: OCTAVE (default octave-cli), NN3_OPTIMIZER (cgmin | fmincg |
# auto, default cgmin; see make_reference.m).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
outdir="${1:-$here/outputs}"
octave="${OCTAVE:-octave-cli}"
optimizer="${NN3_OPTIMIZER:-cgmin}"

expected=(
  sigmoid.mat
  cost_doc241.mat
  cost_digits.mat
  cost_debug353.mat
  fmincg_rosenbrock.mat
  fmincg_doc241.mat
  fmincg_digits_5.mat
  fmincg_digits_50.mat
)

mkdir -p "$outdir"
outdir="$(cd "$outdir" && pwd)"
tmpdir="$(mktemp -d "$outdir/.regenerate.XXXXXX")"
errlog="$(mktemp)"
cleanup() { rm -rf "$tmpdir" "$errlog"; }
trap cleanup EXIT

# single quotes inside Octave string literals are doubled
q() { printf '%s' "${1//\'/\'\'}"; }
code="cd('$(q "$here")'); make_reference('$(q "$tmpdir")', '$(q "$optimizer")');"

status=0
"$octave" --no-gui --quiet --no-window-system --eval "$code" 2>"$errlog" || status=$?

# pass stderr through, minus Octave's harmless exit message
harmless='^error: ignoring const execution_exception(&)?( while preparing to exit)?$'
grep -Ev "$harmless" "$errlog" >&2 || true

if [ "$status" -ne 0 ]; then
  echo "regenerate.sh: octave failed with exit status $status" >&2
  exit "$status"
fi

missing=0
for f in "${expected[@]}"; do
  if [ ! -s "$tmpdir/$f" ]; then
    echo "regenerate.sh: missing output $f" >&2
    missing=1
  fi
done
if [ "$missing" -ne 0 ]; then
  exit 1
fi

for f in "${expected[@]}"; do
  mv -f "$tmpdir/$f" "$outdir/$f"
done
echo "regenerate.sh: ${#expected[@]} files written to $outdir"
