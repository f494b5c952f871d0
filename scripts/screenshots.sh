#!/usr/bin/env bash
# Screenshots of the dashboard on a fresh demo workspace, as PNGs in docs/screenshots/: the
# Overview, the Instances tab, an instance's timeline and, when the dashboard has one, the
# Activity tab. Each is the terminal as tmux holds it (`capture-pane -e`), turned into HTML
# by aha and photographed by headless Chromium.
#
#   scripts/screenshots.sh                     # builds hsn (release) first
#   HSN_BIN=target/debug/hsn scripts/screenshots.sh
#
# Needs tmux, aha, Chromium and the DejaVu Sans Mono font. Run as root where apt-get exists, it
# installs what is missing; otherwise it names what is missing and how to install it.
set -euo pipefail
cd "$(dirname "$0")/.."

readonly cols=120 rows=36
# A cell of DejaVu Sans Mono is 0.602 em wide: at 14.949 px it is 9 px, whole pixels, so each
# character starts on a pixel and block characters side by side meet. Lines 18 px apart (1.2):
# box-drawing and block characters are about 1.16 em tall, so rows of them nearly touch.
readonly font_px=14.949 cell_w=9 line_px=18 pad_px=8
# The terminal's default foreground and background (One Half Dark, as screenshots-sgr.pl's
# palette).
readonly fg=dcdfe4 bg=282c34
readonly out=docs/screenshots
# The instance whose timeline is shown: the demo's stuck consultation, three states long.
readonly timeline_instance=INST-31436049

browser() {
  local name
  for name in chromium chromium-browser google-chrome google-chrome-stable; do
    if command -v "$name" >/dev/null; then
      echo "$name"
      return 0
    fi
  done
  return 1
}

has_mono_font() {
  local found
  found=$(find /usr/share/fonts /usr/local/share/fonts "${HOME:-/nonexistent}/.local/share/fonts" \
    -name 'DejaVuSansMono.ttf' -print -quit 2>/dev/null || true)
  [[ -n $found ]]
}

# The Debian packages of what is missing, one a line.
missing_packages() {
  command -v tmux >/dev/null || echo tmux
  command -v aha >/dev/null || echo aha
  command -v perl >/dev/null || echo perl
  browser >/dev/null || echo chromium
  has_mono_font || echo fonts-dejavu-core
}

ensure_tools() {
  local missing
  mapfile -t missing < <(missing_packages)
  ((${#missing[@]} == 0)) && return 0
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    echo "installing ${missing[*]}" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
    mapfile -t missing < <(missing_packages)
    ((${#missing[@]} == 0)) && return 0
  fi
  {
    echo "screenshots.sh: missing ${missing[*]}"
    echo "  Debian/Ubuntu: sudo apt-get update && sudo apt-get install ${missing[*]}"
    echo "  (Ubuntu's chromium is a snap: chromium-browser or google-chrome work as well)"
    echo "  elsewhere: install tmux, aha (https://github.com/theZiz/aha), Chromium or Chrome"
    echo "  and the DejaVu fonts with the system's package manager"
  } >&2
  exit 1
}

ensure_tools
chrome=$(browser)

if [[ -z ${HSN_BIN:-} ]]; then
  cargo build --release --quiet --bin hsn
  HSN_BIN=target/release/hsn
fi
hsn=$(realpath "$HSN_BIN")

work=$(mktemp -d)
socket="hsn-shots-$$"
tm() { tmux -L "$socket" -f "$work/tmux.conf" "$@"; }
trap 'tm kill-server 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -p "$work"/{home,config,data,state,cache,hsn-data,browser} "$out"
# No status line (the pane is the whole terminal); escape alone is escape; a dead hsn stays
# on screen so its error can be shown.
printf '%s\n' 'set -g status off' 'set -sg escape-time 0' 'set -g remain-on-exit on' \
  'set -g default-terminal tmux-256color' >"$work/tmux.conf"

# hsn on the demo, isolated: no token, no config or .env of this machine, its own store. The
# demo's dates are seeded relative to now (the dashboard has no fixed clock), so the dates move
# from run to run and the shapes stay.
tm new-session -d -x "$cols" -y "$rows" -c "$work" \
  env -i PATH="$PATH" LANG=C.UTF-8 TERM=tmux-256color HOME="$work/home" \
  XDG_CONFIG_HOME="$work/config" XDG_DATA_HOME="$work/data" XDG_STATE_HOME="$work/state" \
  XDG_CACHE_HOME="$work/cache" HSN_DATA_DIR="$work/hsn-data" HSN_OPERATOR="Jordan Ellis" \
  "$hsn" --demo

screen() { tm capture-pane -e -p; }
# The screen's text, without its empty lines, for a message.
show_screen() { tm capture-pane -p | sed '/^ *$/d' >&2; }

# Waits until the screen shows $1 and two captures a moment apart agree.
settle() {
  local expect=$1 previous="" current tries
  for ((tries = 0; tries < 100; tries++)); do
    sleep 0.2
    if [[ $(tm display-message -p '#{pane_dead}') == 1 ]]; then
      echo "screenshots.sh: hsn ended; its screen:" >&2
      show_screen
      exit 1
    fi
    current=$(screen)
    if [[ $current == "$previous" && $(tm capture-pane -p) == *"$expect"* ]]; then
      return 0
    fi
    previous=$current
  done
  echo "screenshots.sh: the screen did not show \"$expect\" within 20 s; it shows:" >&2
  show_screen
  exit 1
}

width=$(awk -v c="$cols" -v w="$cell_w" -v p="$pad_px" 'BEGIN { printf "%d", c * w + 2 * p + 0.999 }')
height=$((rows * line_px + 2 * pad_px))
cat >"$work/term.css" <<CSS
html, body { margin: 0; }
body { box-sizing: border-box; width: ${width}px; height: ${height}px; padding: ${pad_px}px;
       overflow: hidden; color: #$fg; background: #$bg; }
pre { margin: 0; font-family: "DejaVu Sans Mono", monospace; font-size: ${font_px}px;
      line-height: ${line_px}px; letter-spacing: 0; font-variant-ligatures: none; }
/* Side by side, block characters leave a faint seam between cells; a 1 px shadow fills it. */
.blocks { text-shadow: 1px 0 currentColor; }
CSS

# Photographs the screen as $out/$1.png, titled $2.
shoot() {
  local name=$1 title=$2
  screen | perl scripts/screenshots-sgr.pl "$fg" "$bg" | aha --title "hsn: $title" --css term.css |
    perl -CSD -pe 's|([\x{2580}-\x{259f}]+)|<span class="blocks">$1</span>|g' >"$work/$name.html"
  rm -f "$out/$name.png"
  # --no-sandbox: Chromium refuses to start as root without it; the page is our own file.
  "$chrome" --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$work/browser" \
    --window-size="$width,$height" --screenshot="$out/$name.png" "file://$work/$name.html" \
    >"$work/chromium.log" 2>&1 || true
  [[ -s $out/$name.png ]] || {
    echo "screenshots.sh: $chrome made no $out/$name.png; it said:" >&2
    tail -n 20 "$work/chromium.log" >&2
    exit 1
  }
  echo "wrote $out/$name.png"
}

settle " open of "
shoot overview Overview

tm send-keys 4
settle "In State"
shoot instances Instances

tm send-keys / "$timeline_instance" Enter
settle "1 of "
tm send-keys Enter
settle "History"
shoot timeline "$timeline_instance timeline"

# The Activity tab, when this hsn has one: the header then names it on key 6.
if tm capture-pane -p | head -1 | grep -q '6 Activity'; then
  tm send-keys Escape
  settle "In State"
  tm send-keys 6
  sleep 0.5
  settle "Activity"
  shoot activity Activity
else
  echo "no Activity tab on 6 in this hsn: activity.png not made"
fi
