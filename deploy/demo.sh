#!/usr/bin/env bash
# The `make demo` story: the whole system on embedded defaults on one machine.
set -euo pipefail
cat <<'MSG'
edgefleet demo (not wired yet). When complete it will:
  1. start edgefleet-controlplane with embedded defaults (bbolt, local blobs, embedded MQTT broker)
  2. push a generated int8 model with edgefleetctl and enroll simulated devices
  3. start fleetsim devices and a real edgefleet-agent, roll the model out 10% -> 50% -> 100%
  4. ask the agent for predictions and tail the fleet's telemetry
Binaries are built in bin/: try bin/edgefleet-agent --help
MSG
