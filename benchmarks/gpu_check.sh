#!/usr/bin/env bash
# What a GPU host should check, in under 5 minutes: writes JSON lines into OUTDIR.
#
# Usage: bash benchmarks/gpu_check.sh [OUTDIR] [--device cuda|cpu] [--smoke]
#   OUTDIR    where the JSON lines go (default: ./gpu-check-<UTC time>)
#   --device  cuda (default) or cpu: the same script on a machine without a GPU
#   --smoke   the benchmarks' smoke sizes (the test suite runs it so, on CPU)
#   GPU_CHECK_LIMIT_S  seconds each separation check may take (default 100; a busy
#             CPU-only machine, which also exports the model for ONNX Runtime, needs more)
#
# Each check's last stdout line (one JSON object, with the machine) goes to
# OUTDIR/<check>.json and all of them to OUTDIR/all.jsonl; the full output to
# OUTDIR/<check>.log. Checks: nvidia-smi (when present), the separation
# benchmark on the device (ours vs demucs' apply_model, fp32 and bf16, bf16
# vs fp32 SDR), and the separation tests that need no weights.
set -euo pipefail
cd "$(dirname "$0")/.."

outdir=""
device="cuda"
size="--quick"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --device) device="$2"; shift 2 ;;
    --smoke) size="--smoke"; shift ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) outdir="$1"; shift ;;
  esac
done
outdir="${outdir:-gpu-check-$(date -u +%Y%m%dT%H%M%SZ)}"
mkdir -p "$outdir"
python="${PYTHON:-.venv/bin/python}"
: > "$outdir/all.jsonl"

check() {  # check NAME TIMEOUT_S COMMAND…: run it, keep its last line if it is JSON
  local name="$1" limit="$2"; shift 2
  local status=0
  timeout "$limit" "$@" > "$outdir/$name.log" 2>&1 || status=$?
  local last
  last="$(tail -n 1 "$outdir/$name.log")"
  if [[ "$last" == \{* ]]; then
    echo "$last" > "$outdir/$name.json"
  else
    last="{\"check\": \"$name\", \"status\": $status, \"error\": \"no JSON line; see $name.log\"}"
    echo "$last" > "$outdir/$name.json"
  fi
  echo "$last" >> "$outdir/all.jsonl"
  echo "$name: exit $status" >&2
  return 0
}

if [[ "$device" == cuda ]] && command -v nvidia-smi > /dev/null; then
  check nvidia-smi 30 bash -c 'echo "{\"gpu\": \"$(nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | head -n 1)\"}"'
fi
for precision in bfloat16 float32; do
  check "separation-$precision" "${GPU_CHECK_LIMIT_S:-100}" "$python" benchmarks/separation.py "$size" \
    --device "$device" --precision "$precision"
done
# shellcheck disable=SC2016  # expanded by the inner shell
check separation-tests "${GPU_CHECK_LIMIT_S:-90}" bash -c '"$0" -m pytest -q -x -p no:cacheprovider "$1"; \
  echo "{\"check\": \"separation-tests\", \"status\": $?}"' \
  "$python" tests/engine/separation/test_separator.py
echo "JSON lines in $outdir/all.jsonl" >&2
