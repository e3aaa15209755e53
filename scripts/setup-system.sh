#!/usr/bin/env bash
# System packages the tests need (Debian/Ubuntu). Skipped when they are all present already.
# espeak-ng + sox: speech synthesis for the real-audio tests; libportaudio2: sounddevice;
# ffmpeg: mp3/m4a fixtures; tmux: looking at the TUI; postgresql: the team store tests;
# chromium: screenshots of the HTML reports; pulseaudio + pulseaudio-utils (pactl, paplay) +
# libasound2-plugins (ALSA's pulse plugin): the device rig of the live-call tests (scripts/device-rig.sh).
set -euo pipefail
PKGS=(espeak-ng sox libsox-fmt-all libportaudio2 ffmpeg tmux postgresql chromium fonts-dejavu-core
      pulseaudio pulseaudio-utils libasound2-plugins)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null; then
  echo "scripts/setup-system.sh: please install: ${missing[*]}" >&2
  exit 1
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
