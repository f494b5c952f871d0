#!/usr/bin/env bash
# Captures the dashboard as text screenshots (tmux capture-pane) into docs/screenshots/:
# the Instances tab and an instance's timeline, against a fresh demo workspace.
# Text, not images: aha and a headless browser are not installed on the build machines.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet
data=$(mktemp -d)
trap 'tmux kill-session -t hsn-shots 2>/dev/null || true; rm -rf "$data"' EXIT
out=docs/screenshots
mkdir -p "$out"
tmux new-session -d -s hsn-shots -x 120 -y 36 \
  "env -u NOTION_API_TOKEN HSN_DATA_DIR=$data NO_COLOR=1 target/debug/hsn 2>/dev/null"
sleep 2
tmux capture-pane -p -t hsn-shots > "$out/instances.txt"
tmux send-keys -t hsn-shots '/' 'INST-31436049' Enter Enter
sleep 1
tmux capture-pane -p -t hsn-shots > "$out/instance-timeline.txt"
tmux send-keys -t hsn-shots q
echo "wrote $out/instances.txt and $out/instance-timeline.txt"
