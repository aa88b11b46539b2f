#!/bin/sh
# Loads the configuration, then reloads it on every change that inotifywait reports in
# its folder: the pattern of a service that picks up a new configuration without a restart.
# Each load prints `loaded: CONTENT` with the file's lines joined by spaces.
set -u

conf_dir=${WATCH_CONF_DIR:-/etc/watch}
conf_file=$conf_dir/app.conf

load() {
  printf 'loaded: %s\n' "$(tr '\n' ' ' < "$conf_file")"
}

load
# -m keeps watching; inotifywait prints "Watches established." on stderr once it is ready.
inotifywait -m -e close_write -e modify -e moved_to -e create -e delete -e attrib --format '%e %f' "$conf_dir" |
  while read -r events name; do
    echo "event: $events $name"
    if [ "$name" = app.conf ] && [ -f "$conf_file" ]; then
      load
    fi
  done &

# As PID 1 the shell ignores SIGTERM unless it traps it, and it runs a trap only once
# the command it waits for returns, so the watcher runs in the background under `wait`.
trap 'kill $! 2>/dev/null; exit 0' TERM INT
wait
