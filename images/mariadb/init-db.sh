#!/bin/sh
# Runs once at build time as the mysql user: starts the server on its Unix socket only,
# applies setup.sql, then shuts the server down cleanly so the data files are consistent.
set -eu

mariadbd --skip-networking &

tries=0
until mariadb-admin --silent ping 2>/dev/null; do
  tries=$((tries + 1))
  if [ "$tries" -ge 100 ]; then
    echo "init-db.sh: mariadbd did not respond to mariadb-admin ping within 20 s; its log is above" >&2
    exit 1
  fi
  sleep 0.2
done

mariadb < /usr/local/share/gvmatrix/setup.sql
mariadb-admin shutdown
wait
