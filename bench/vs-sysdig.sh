#!/usr/bin/env bash
# Compares syscope with the installed sysdig on the same large capture.
#
# Builds a 1.5 M-event capture by repeating the event blocks of
# ../shared/testdata/captures/curl_google.scap 1000 times
# (../shared/tools/scapdup.py), then times `syscope read` and `sysdig -r` on it
# for five workloads and prints the wall-time ratio syscope/sysdig of each.
# Every run's output goes to /dev/null; each timing is the best of RUNS runs
# (default 3) to damp the noise of a shared machine.
#
# Usage: bench/vs-sysdig.sh [WORKDIR]   (run from anywhere in the repository)
#   RUNS=5 bench/vs-sysdig.sh           more runs per measurement
#   KEEP=1                              keep WORKDIR (the capture is ~90 MB)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
shared=${SHARED:-$root/../shared}
runs=${RUNS:-3}
work=${1:-$(mktemp -d /tmp/syscope-bench.XXXXXX)}
mkdir -p "$work"
if [[ -z ${KEEP:-} && -z ${1:-} ]]; then
	trap 'rm -rf "$work"' EXIT
fi

command -v sysdig >/dev/null || { echo "sysdig is not installed" >&2; exit 1; }
[[ -f $shared/tools/scapdup.py ]] || { echo "$shared/tools/scapdup.py not found" >&2; exit 1; }

echo "building syscope" >&2
(cd "$root" && go build -o "$work/syscope" ./cmd/syscope)
if [[ ! -f $work/big.scap ]]; then
	echo "building the 1.5 M-event capture" >&2
	python3 "$shared/tools/scapdup.py" "$shared/testdata/captures/curl_google.scap" "$work/big.scap" 1000 >&2
fi
events=$("$work/syscope" read -r "$work/big.scap" -D -p '%evt.num' | tail -n 1)

# wall CMD...: prints the wall time of one run, in nanoseconds.
wall() {
	local s e
	s=$(date +%s%N)
	TZ=UTC "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }
	e=$(date +%s%N)
	echo $((e - s))
}

printf '%-52s %10s %10s %8s %8s\n' "workload ($events events)" "syscope s" "sysdig s" "ratio" "target"
bench() {
	local name=$1 target=$2
	shift 2
	local a="" b="" t
	# Alternate the two tools so that both see the same machine load; keep
	# the best run of each.
	for ((i = 0; i < runs; i++)); do
		t=$(wall "$work/syscope" read -r "$work/big.scap" "$@")
		if [[ -z $a || $t -lt $a ]]; then a=$t; fi
		t=$(wall sysdig -r "$work/big.scap" "$@")
		if [[ -z $b || $t -lt $b ]]; then b=$t; fi
	done
	awk -v n="$name" -v a="$a" -v b="$b" -v t="$target" -v ev="$events" 'BEGIN {
		r = a / b
		printf "%-52s %10.3f %10.3f %7.3fx %7s%s   (%.0f vs %.0f ns/event)\n", n, a / 1e9, b / 1e9, r, "<=" t, (r <= t ? "" : " MISS"), a / ev, b / ev
	}'
}

bench "never-true filter (read + state)" 0.5 'evt.num=0'
bench "evt.type=open and fd.name contains /etc" 0.5 'evt.type=open and fd.name contains /etc'
bench "-p '%evt.num %proc.name %fd.name' fd.type=file" 0.5 -p '%evt.num %proc.name %fd.name' 'fd.type=file'
bench "default format" 0.2
bench "-j (JSON)" 0.2 -j
