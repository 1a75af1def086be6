# Set-up shared by the bench scripts (run.sh, burst.sh, soak.sh, fidelity.sh); sourced, not run.
# Gives: HERE ROOT JAR BENCH, need_tools, need_jar, ports_free, start_work (WORK, PIDS, cleanup on
# exit, WORK/www/index.html), wait_port, median.

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
JAR="$ROOT/deploy/target/parikshan.jar"
BENCH="$(basename "$0")"   # names the script in its error messages

need_tools() { # "Debian packages" tool...: exits naming the first tool missing
  local packages=$1 tool; shift
  for tool in "$@"; do
    command -v "$tool" >/dev/null || { echo "$BENCH: '$tool' not found; install it (Debian: apt-get install $packages)" >&2; exit 2; }
  done
}

need_jar() { # exits unless deploy/target/parikshan.jar is built
  [ -f "$JAR" ] || { echo "$BENCH: $JAR not found; build it with: mvn -B -q -DskipTests package" >&2; exit 2; }
}

ports_free() { # first last: exits if anything listens on a port of the range
  local p
  for p in $(seq "$1" "$2"); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$BENCH: port $p is in use; set BASE_PORT to a free range" >&2; exit 2; fi
  done
}

start_work() { # prefix: WORK (removed at exit with every process in PIDS) and the backend's 612-byte file
  WORK="$(mktemp -d "/tmp/$1.XXXXXX")"
  chmod 755 "$WORK"   # nginx workers run as an unprivileged user
  PIDS=()
  trap cleanup EXIT
  mkdir -p "$WORK/www" "$WORK/logs"
  head -c 612 /dev/urandom | base64 -w 0 | head -c 612 > "$WORK/www/index.html"
  chmod 644 "$WORK/www/index.html"
}

cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}

wait_port() { # port [log]
  for _ in $(seq 1 600); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done
  echo "$BENCH: nothing listens on 127.0.0.1:$1${2:+; its log $2 says:}" >&2
  [ -n "${2:-}" ] && tail -5 "$2" >&2
  exit 1
}

median() { # numbers separated by spaces on stdin
  tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print (NR == 0 ? 0 : NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'
}
