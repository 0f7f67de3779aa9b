#!/usr/bin/env bash
# The `make demo` story: the whole system on embedded defaults on one machine.
# A control plane (bbolt, local blobs, embedded MQTT broker), a model
# published and signed, a device enrolled, an agent that installs the model
# offline, serves predictions and reports telemetry back over MQTT.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
bin="$root/bin"
work=${EDGEFLEET_DEMO_DIR:-$(mktemp -d /tmp/edgefleet-demo.XXXXXX)}
http_port=${EDGEFLEET_DEMO_HTTP_PORT:-8080}
mqtt_port=${EDGEFLEET_DEMO_MQTT_PORT:-1883}
agent_port=${EDGEFLEET_DEMO_AGENT_PORT:-8470}
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  echo "demo files kept in $work"
}
trap cleanup EXIT

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
wait_http() { for _ in $(seq 1 100); do curl -fsS "$1" >/dev/null 2>&1 && return 0; sleep 0.2; done; echo "no answer from $1"; return 1; }
for port in "$http_port" "$mqtt_port" "$agent_port"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "port $port is in use; set EDGEFLEET_DEMO_HTTP_PORT / _MQTT_PORT / _AGENT_PORT"; exit 1
  fi
done

step "1. control plane on embedded defaults (data in $work/cp)"
"$bin/edgefleet-controlplane" serve --data-dir "$work/cp" --http-addr "127.0.0.1:$http_port" \
  --mqtt-addr "127.0.0.1:$mqtt_port" 2> "$work/controlplane.log" &
pids+=($!)
wait_http "http://127.0.0.1:$http_port/readyz"
export EDGEFLEET_SERVER="http://127.0.0.1:$http_port"
export EDGEFLEET_TOKEN="$(cat "$work/cp/admin.token")"
echo "ready; admin token in $work/cp/admin.token"

step "2. publish an int8 model: validated by the pure-Go engine, signed (ed25519)"
"$bin/modelgen" --out "$work/models" >/dev/null
"$bin/edgefleetctl" model push "$work/models/tiny.tflite" --name person --version 1
"$bin/edgefleetctl" model list
"$bin/edgefleetctl" model manifest person 1 > "$work/person-1.manifest.json"
curl -fsS "$EDGEFLEET_SERVER/api/v1/signing-key" > "$work/trusted-key.json"

step "3. enroll a device (the credential is shown only once)"
"$bin/edgefleetctl" device enroll cam-berlin-1 --label site=berlin -o json > "$work/cam.json"
python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["credential"])' "$work/cam.json" > "$work/cam.credential"
echo "enrolled cam-berlin-1"

step "4. the agent installs the model offline: signature, sha256 and probe checked"
"$bin/edgefleet-agent" models import --data-dir "$work/agent" "$work/models/tiny.tflite" \
  --manifest "$work/person-1.manifest.json" --trusted-key "$work/trusted-key.json" --activate
"$bin/edgefleet-agent" models list --data-dir "$work/agent"

step "5. the agent serves predictions locally and reports telemetry over MQTT"
"$bin/edgefleet-agent" run --data-dir "$work/agent" --http-addr "127.0.0.1:$agent_port" \
  --mqtt-url "tcp://127.0.0.1:$mqtt_port" --device-id cam-berlin-1 --device-credential "$work/cam.credential" \
  --trusted-key "$work/trusted-key.json" --telemetry-interval 2s 2> "$work/agent.log" &
pids+=($!)
wait_http "http://127.0.0.1:$agent_port/v2/health/ready"
for i in 1 2 3 4 5 6 7 8 9 10; do
  curl -fsS -X POST "http://127.0.0.1:$agent_port/v2/models/person/infer" -H 'Content-Type: application/json' \
    -d "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,8],\"datatype\":\"FP32\",\"data\":[0.$i,-0.2,0.3,0.4,-0.5,0.6,0.7,-0.8]}]}" > "$work/answer.json"
done
echo "last answer (Open Inference Protocol v2):"
cat "$work/answer.json"; echo

step "6. the control plane sees the device, its model and its telemetry"
sleep 5
"$bin/edgefleetctl" device show cam-berlin-1
"$bin/edgefleetctl" telemetry show cam-berlin-1
"$bin/edgefleetctl" model metrics person 1

step "done"
echo "Try: $bin/edgefleetctl telemetry tail   (with EDGEFLEET_SERVER/EDGEFLEET_TOKEN as above)"
