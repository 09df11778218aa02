#!/bin/sh
### BEGIN INIT INFO
# Provides:          @NAME@
# Required-Start:    $remote_fs $network
# Required-Stop:     $remote_fs
# Default-Start:     2 3 4 5
# Default-Stop:      0 1 6
# Short-Description: TEST STAND-IN for @NAME@ (not the real package)
### END INIT INFO
# Written by io.mesosoperator.standin.StandIns for tests: runs a small Java stand-in that reads
# the package's configuration files and speaks its HTTP API. It is not Apache Mesos or Marathon.
# MESOS_OPERATOR_ROOT (empty on nodes) prefixes every path, as in the project's node scripts.
R="${MESOS_OPERATOR_ROOT:-}"
NAME=@NAME@
CLASS=io.mesosoperator.standin.@CLASS@
JAVA=@JAVA@
LIB="$R/usr/local/lib/mesos-standin"
PIDFILE="$R/run/$NAME.pid"
READY="$R/run/$NAME.ready"
LOG="$R/var/log/$NAME.log"

# Alive and not a zombie (a child that exited is one until this shell is gone).
alive() {
  kill -0 "$1" 2>/dev/null || return 1
  state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)
  [ -n "$state" ] && [ "$state" != Z ]
}

# The pid file names a live process that is our stand-in (not a recycled pid).
running() {
  [ -s "$PIDFILE" ] || return 1
  pid=$(cat "$PIDFILE")
  alive "$pid" || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$CLASS"
}

do_start() {
  if running; then
    echo "$NAME is already running"
    return 0
  fi
  mkdir -p "$(dirname "$PIDFILE")" "$(dirname "$LOG")"
  rm -f "$READY"
  cp=$(cat "$LIB/classpath")
  # Detached: own session, no terminal, stdin/stdout away from the caller (an SSH session
  # would otherwise hang on them).
  STANDIN_READY_FILE="$READY" MESOS_OPERATOR_ROOT="$R" setsid "$JAVA" -Xmx96m -Xss512k \
    -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp "$cp" "$CLASS" \
    </dev/null >>"$LOG" 2>&1 &
  started=$!
  echo "$started" >"$PIDFILE"
  # Bounded wait: ready once it accepted its files and bound its port; a missing or malformed
  # file makes it exit at once, and start fails.
  i=0
  while [ $i -lt 300 ]; do
    if [ -e "$READY" ]; then
      echo "started $NAME"
      return 0
    fi
    # Still our forked shell for a moment before setsid/java exec: check liveness only.
    if ! alive "$started"; then
      rm -f "$PIDFILE"
      echo "$NAME did not start:" >&2
      tail -n 3 "$LOG" >&2
      return 1
    fi
    sleep 0.1
    i=$((i + 1))
  done
  echo "$NAME did not report ready within 30 s; see $LOG" >&2
  return 1
}

do_stop() {
  if ! running; then
    rm -f "$PIDFILE" "$READY"
    echo "$NAME is not running"
    return 0
  fi
  kill -TERM "$pid"
  i=0
  while [ $i -lt 100 ] && alive "$pid"; do
    sleep 0.1
    i=$((i + 1))
  done
  if alive "$pid"; then
    kill -KILL "$pid"
  fi
  rm -f "$PIDFILE" "$READY"
  echo "stopped $NAME"
}

case "$1" in
  start) do_start ;;
  stop) do_stop ;;
  restart | force-reload) do_stop && do_start ;;
  status)
    if running; then
      echo "$NAME is running (pid $pid)"
      exit 0
    fi
    echo "$NAME is not running"
    exit 3
    ;;
  *)
    echo "Usage: $0 {start|stop|restart|status}" >&2
    exit 2
    ;;
esac
