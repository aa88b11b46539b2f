#!/bin/sh
# Starts Apache in the foreground as PID 1, so that it receives the container's stop
# signal. apache2ctl would keep a shell as PID 1 and run httpd as its child.
set -e

# envvars sets the run user, the pid file and the run and lock folders. It reads unset
# variables, so the script cannot use set -u.
. /etc/apache2/envvars
# The same folders apache2ctl creates: mod_cgid's socket folder and the lock folder
# belong to the run user, because the child processes write there.
mkdir -p "$APACHE_RUN_DIR"
install -d -o "$APACHE_RUN_USER" -g "$APACHE_RUN_GROUP" "$APACHE_RUN_DIR/socks" "$APACHE_LOCK_DIR"

exec /usr/sbin/apache2 -D FOREGROUND
