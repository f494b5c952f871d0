#!/usr/bin/env bash
# Captures the dashboard as text screenshots (tmux capture-pane) into docs/screenshots/:
# the Instances tab, an instance's timeline and a bulk assignment of the overdue tasks, against
# a fresh demo workspace.
# Text, not images: aha and a headless browser are not installed on the build machines.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet
data=$(mktemp -d)
trap 'tmux kill-session -t hsn-shots 2>/dev/null || true; rm -rf "$data"' EXIT
out=docs/screenshots
mkdir -p "$out"
tmux new-session -d -s hsn-shots -x 120 -y 36 \
  "env -u NOTION_API_TOKEN HSN_DATA_DIR=$data NO_COLOR=1 target/debug/hsn --tab instances 2>/dev/null"
sleep 2
tmux capture-pane -p -t hsn-shots > "$out/instances.txt"
tmux send-keys -t hsn-shots '/' "'INST-31436049" Enter Enter
sleep 1
tmux capture-pane -p -t hsn-shots > "$out/instance-timeline.txt"
# Triage: the overdue open tasks, every one marked, assigned at once (the question).
tmux send-keys -t hsn-shots Escape
sleep 0.3
tmux send-keys -t hsn-shots 5
sleep 1
tmux send-keys -t hsn-shots e C-a a
sleep 0.5
tmux send-keys -t hsn-shots Ny Enter
sleep 0.5
tmux capture-pane -p -t hsn-shots > "$out/triage.txt"
tmux send-keys -t hsn-shots n q
echo "wrote $out/instances.txt, $out/instance-timeline.txt and $out/triage.txt"
