#!/usr/bin/env bash
# Regenerates the Go flatbuffer accessors for the TFLite schema.
#
# Debian's flatc (2.0.x) predates attributes on enum values and union members
# ("REDUCE_WINDOW = 205 (deprecated)"), so those attributes are stripped first;
# they only mark names as deprecated and do not change the wire format.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=${1:-$here/../../../../shared/spec/tflite_schema.fbs}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sed -E 's/^([[:space:]]*[A-Za-z0-9_]+( = [0-9]+)?) \(deprecated\),/\1,/' "$src" > "$tmp/schema.fbs"
flatc --go --go-namespace schema -o "$tmp/out" "$tmp/schema.fbs"
find "$here" -maxdepth 1 -name '*.go' ! -name 'doc.go' -delete
cp "$tmp"/out/schema/*.go "$here"/
gofmt -w "$here"
