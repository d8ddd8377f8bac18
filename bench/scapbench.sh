#!/bin/sh
# scapbench.sh: measure capture iteration (package scap) and sysdig on the
# same 1.5M-event capture, made from ../shared by scapdup.py.
# Needs ../shared, python3 and Go; sysdig for the comparison.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
shared=$root/../shared
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

python3 "$shared/tools/scapdup.py" "$shared/testdata/captures/curl_google.scap" "$tmp/big.scap" 1000
echo "machine: $(nproc) cores, $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"

cd "$root"
SCAPBENCH_FILE=$tmp/big.scap go test ./scap -run '^$' -bench 'Iterate' -benchtime 5x -count "${COUNT:-3}"
go test ./scap -run '^$' -bench 'WriteEvent' -count "${COUNT:-3}"

if command -v sysdig >/dev/null 2>&1; then
	events=1536000
	for i in 1 2 3; do
		start=$(date +%s%N)
		TZ=UTC sysdig -r "$tmp/big.scap" -p '%evt.num' >/dev/null 2>&1
		end=$(date +%s%N)
		echo "sysdig -r big.scap -p %evt.num: $(((end - start) / events)) ns/event"
	done
fi
