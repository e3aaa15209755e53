#!/usr/bin/env bash
# A device rig for `assist live` on a machine without a sound card (a CI box, a container, a laptop
# where you do not want to touch your own audio set-up): a private PulseAudio server with two null
# sinks, and two ALSA input devices that record their monitors — what a softphone's output looks like
# to an agent's desk on Linux.
#
#   eval "$(scripts/device-rig.sh start)"      # prints the exports; DIR defaults to /tmp/assist-rig
#   assist devices                              # lists agent_mic and customer_line
#   assist live --agent-device agent_mic --customer-device customer_line
#   paplay --device=agentmic agent.wav & paplay --device=softphone customer.wav
#   scripts/device-rig.sh play CALL.wav         # a stereo call: left -> agentmic, right -> softphone
#   scripts/device-rig.sh unplug softphone      # the device disappears (its module is unloaded)
#   scripts/device-rig.sh stop
#
# Nothing of the user's is touched: the server's runtime, state and config live in DIR, clients
# find it through PULSE_SERVER, and ALSA reads its usual configuration plus DIR/asoundrc through
# ALSA_CONFIG_PATH (no ~/.asoundrc is written). The server does not move a stream to another
# device when its device goes away (rescue-streams = no), so an unplugged device is seen as one.
# Needs: pulseaudio pulseaudio-utils libasound2-plugins (scripts/setup-system.sh installs them).
set -euo pipefail

cmd="${1:-start}"
if [ "$cmd" = "play" ] || [ "$cmd" = "unplug" ]; then
  DIR="${ASSIST_RIG_DIR:-/tmp/assist-rig}"
else
  DIR="${2:-${ASSIST_RIG_DIR:-/tmp/assist-rig}}"
fi
SOCK="$DIR/native"
ALSA_BASE="${ALSA_BASE_CONFIG:-/usr/share/alsa/alsa.conf}"
export PULSE_SERVER="unix:$SOCK"

exports() {
  echo "export ASSIST_RIG_DIR='$DIR'"
  echo "export PULSE_SERVER='unix:$SOCK'"
  echo "export ALSA_CONFIG_PATH='$ALSA_BASE:$DIR/asoundrc'"
}

sink() {  # sink NAME [module args…]
  local name="$1"; shift
  pactl load-module module-null-sink "sink_name=$name" "sink_properties=device.description=$name" "$@" \
    > "$DIR/$name.module"
}

start() {
  command -v pulseaudio >/dev/null && command -v pactl >/dev/null || {
    echo "device-rig: pulseaudio and pactl are missing: run scripts/setup-system.sh" >&2; exit 1; }
  mkdir -p "$DIR/run" "$DIR/state" "$DIR/config"
  if pactl info >/dev/null 2>&1; then
    exports
    return 0  # already running (idempotent)
  fi
  rm -f "$SOCK" "$DIR"/*.module
  # ASSIST_RIG_IDLE_S: the server leaves by itself after that long without a client (tests: a killed
  # run leaves nothing behind); -1, the default, never
  printf 'rescue-streams = no\nexit-idle-time = %s\nflat-volumes = no\n' "${ASSIST_RIG_IDLE_S:--1}" > "$DIR/daemon.conf"
  # -n: none of the machine's default.pa (no hardware probing); the socket takes anonymous clients.
  # Running as root (containers, CI) only earns a warning without --system, which would share
  # the server machine-wide; a private per-directory server is what we want.
  env PULSE_CONFIG="$DIR/daemon.conf" XDG_RUNTIME_DIR="$DIR/run" PULSE_RUNTIME_PATH="$DIR/run" \
      PULSE_STATE_PATH="$DIR/state" XDG_CONFIG_HOME="$DIR/config" HOME="$DIR" \
      pulseaudio -n --daemonize=yes --use-pid-file=yes --log-target="file:$DIR/pulseaudio.log" \
      -L "module-native-protocol-unix socket=$SOCK auth-anonymous=1"
  for _ in $(seq 50); do pactl info >/dev/null 2>&1 && break; sleep 0.1; done
  pactl info >/dev/null 2>&1 || { echo "device-rig: PulseAudio did not start (see $DIR/pulseaudio.log)" >&2; exit 1; }
  sink agentmic
  sink softphone
  cat > "$DIR/asoundrc" <<'EOF'
# assist device rig (scripts/device-rig.sh): the monitors of two PulseAudio null sinks as ALSA inputs
pcm.agent_mic {
  type pulse
  device "agentmic.monitor"
  hint { show on description "assist rig: agent microphone (agentmic.monitor)" }
}
pcm.customer_line {
  type pulse
  device "softphone.monitor"
  hint { show on description "assist rig: customer line (softphone.monitor)" }
}
EOF
  exports
}

stop() {
  pactl exit >/dev/null 2>&1 || true
  if [ -f "$DIR/run/pid" ]; then
    pid="$(cat "$DIR/run/pid" 2>/dev/null || true)"
    for _ in $(seq 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill "$pid" 2>/dev/null || true
  fi
  rm -rf "$DIR"
}

case "$cmd" in
  start) start ;;
  env) exports ;;
  stop) stop ;;
  play)  # play CALL.wav [--agent-only|--customer-only]: a stereo call, left to agentmic, right to softphone
    wav="$2"; tmp="$(mktemp -d)"
    sox "$wav" "$tmp/agent.wav" remix 1
    sox "$wav" "$tmp/customer.wav" remix 2
    paplay --device=agentmic "$tmp/agent.wav" & a=$!
    paplay --device=softphone "$tmp/customer.wav" & c=$!
    wait $a $c; rm -rf "$tmp" ;;
  unplug)  # unplug SINK: the device disappears mid-call
    pactl unload-module "$(cat "$DIR/$2.module")" ;;
  *) echo "usage: $0 start|env|stop [DIR] | play CALL.wav | unplug SINK" >&2; exit 2 ;;
esac
