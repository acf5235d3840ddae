#!/usr/bin/env bash
# Finds out which Linux capabilities the podnet agent needs, by doing what the agent does (the
# same system calls, through iproute2, util-linux, nft, pasta and slirp4netns) as root with a
# reduced capability set, the way a container runtime runs a root container with
# securityContext.capabilities: after execve, root's permitted and effective sets equal the
# bounding set, and setpriv sets exactly that.
#
#   docs/capability-probe.sh                 # the matrix: the candidate set, then each capability taken out
#   docs/capability-probe.sh CAP,CAP,...     # one run with exactly these (names without cap_, "" for none)
#
# Everything it creates is in its own network namespaces (/run/netns/podnet-capprobe-*), named
# pncap* / podnet-capprobe-*, and removed at the end; the machine's own network is not touched.
# Needs root with full capabilities, iproute2, util-linux (setpriv, nsenter, unshare), nftables,
# passt (pasta), slirp4netns and python3. See docs/install.md, "Security context".
set -u

CANDIDATE=${CANDIDATE:-sys_admin,net_admin,sys_ptrace,net_bind_service,setpcap}
# Docker's/containerd's default set: what an ordinary root container has
DEFAULT_CAPS=chown,dac_override,fowner,fsetid,kill,setgid,setuid,setpcap,net_bind_service,net_raw,sys_chroot,mknod,audit_write,setfcap

P=podnet-capprobe
WORK=$(mktemp -d /tmp/podnet-capprobe.XXXXXX)
PIDS=()

need() { command -v "$1" >/dev/null 2>&1 || { echo "missing: $1" >&2; exit 2; }; }
for t in ip setpriv nsenter unshare nft pasta slirp4netns python3; do need "$t"; done
[ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 2; }

# runs a command as root with exactly the given capabilities
with_caps() {
  local caps=$1; shift
  local bset=-all
  local c
  IFS=, read -ra list <<<"$caps"
  for c in "${list[@]}"; do [ -n "$c" ] && bset="$bset,+$c"; done
  setpriv --inh-caps=-all --ambient-caps=-all --bounding-set="$bset" -- "$@"
}

setup() {
  ip netns add $P-host
  ip netns add $P-rl
  ip netns add $P-rl2
  ip -n $P-host link set lo up
  # "other pods": a non-root process, a root process with the default container capabilities,
  # and a root process with all capabilities (a privileged pod, or the node's own daemons)
  unshare --net -- setpriv --reuid=65534 --regid=65534 --clear-groups -- sleep 600 &
  NOBODY=$!; PIDS+=("$NOBODY")
  unshare --net -- setpriv --bounding-set=-all,+${DEFAULT_CAPS//,/,+} -- sleep 600 &
  ROOTDEF=$!; PIDS+=("$ROOTDEF")
  unshare --net -- sleep 600 &
  ROOTFULL=$!; PIDS+=("$ROOTFULL")
  sleep 0.3
}

teardown() {
  local pid
  for f in "$WORK"/*.pid; do
    [ -e "$f" ] || continue
    pid=$(cat "$f" 2>/dev/null) && [ -n "$pid" ] && kill "$pid" 2>/dev/null
  done
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
  wait 2>/dev/null
  PIDS=()
  rm -f "$WORK"/*.pid
  for n in pod host rl rl2 pid-nobody pid-rootdef pid-rootfull; do
    [ -e /run/netns/$P-$n ] && ip netns del $P-$n 2>/dev/null
    rm -f /run/netns/$P-$n 2>/dev/null
  done
}
trap 'teardown; rm -rf "$WORK"' EXIT

# step NAME COMMAND...: runs COMMAND with the current capability set, prints ok/FAILED
step() {
  local name=$1; shift
  if out=$(with_caps "$CAPS" "$@" 2>&1); then
    printf '  %-34s ok\n' "$name"
  else
    FAILED+=("$name")
    printf '  %-34s FAILED  %s\n' "$name" "$(echo "$out" | grep -v '^Failed to send\|^\*\|^ \|^WARNING' | tail -n 1 | cut -c1-110)"
  fi
}

pid_ns_bind() { # the Pid netns mode: bind-mount /proc/PID/ns/net to a file in the netns dir
  local pid=$1 target=$2
  : >"$target" && mount --bind "/proc/$pid/ns/net" "$target"
}

# pasta 2023-03-09 started as root drops to "nobody" unless --runas is given, and then cannot
# join a netns owned by the initial user namespace ("Couldn't switch to pasta namespaces", even
# with every capability): the agent must pass --runas 0:0.
start_pasta() {
  pasta -q -f --runas 0:0 --config-net -t none -u none -T none -U none --netns /run/netns/$P-rl --pid "$WORK/pasta.pid" \
    >"$WORK/pasta.log" 2>&1 &
  local i
  for i in $(seq 1 30); do
    [ -s "$WORK/pasta.pid" ] && kill -0 "$(cat "$WORK/pasta.pid")" 2>/dev/null && return 0
    sleep 0.1
  done
  cat "$WORK/pasta.log" >&2
  return 1
}

# slirp4netns --enable-sandbox pivots into a new mount namespace and detaches the old root
# without making it private first: run in a mount namespace where the netns dir is a shared
# mount (the agent's, with mountPropagation Bidirectional), that unmount propagates and removes
# EVERY netns mount in the directory, on the host too. Measured here; so the helper runs in a
# private mount namespace of its own, as the agent must start it.
start_slirp() {
  unshare -m --propagation private -- slirp4netns --configure --mtu=65520 --disable-host-loopback --enable-sandbox --enable-seccomp \
    --netns-type=path /run/netns/$P-rl2 tap0 >"$WORK/slirp.log" 2>&1 &
  local pid=$! i
  echo "$pid" >"$WORK/slirp.pid"
  for i in $(seq 1 30); do
    if ip -n $P-rl2 -o addr show dev tap0 2>/dev/null | grep -q 'inet '; then
      # configured; the sandbox is set up after that: still alive a moment later?
      sleep 0.5
      kill -0 "$pid" 2>/dev/null && return 0
      break
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  cat "$WORK/slirp.log" >&2
  return 1
}

kill_helper() { kill "$(cat "$WORK/$1.pid")"; }

export -f pid_ns_bind start_pasta start_slirp kill_helper
export WORK P

run_all() {
  CAPS=$1
  FAILED=()
  echo "capabilities: ${CAPS:-none}"
  setup
  step "unshare(NEWNET)+bind mount netns" ip netns add $P-pod
  step "setns + rtnetlink dump" ip -n $P-pod link show lo
  step "bridge, veth, move to netns" sh -c "ip -n $P-host link add pncapbr0 type bridge &&
      ip -n $P-host link add pncapv0 type veth peer name eth0 netns $P-pod &&
      ip -n $P-host link set pncapv0 master pncapbr0 up"
  step "address, up, route in pod netns" sh -c "ip -n $P-pod addr add 10.199.0.2/24 dev eth0 &&
      ip -n $P-pod link set eth0 up && ip -n $P-pod route add default via 10.199.0.1"
  step "net sysctl write (/proc/sys/net)" nsenter --net=/run/netns/$P-host sh -c \
      'echo 1 > /proc/sys/net/ipv4/ip_forward && echo 1 > /proc/sys/net/ipv4/conf/all/route_localnet'
  step "nftables table inet podnet" nsenter --net=/run/netns/$P-host nft -f - <<<'table inet podnet { chain pre { type nat hook prerouting priority dstnat; }; }'
  step "listen on host port 80 (forwarder)" nsenter --net=/run/netns/$P-host python3 -c \
      'import socket; s=socket.socket(); s.bind(("0.0.0.0", 80)); s.listen()'
  step "Pid mode: /proc/PID/ns, other uid" bash -c "pid_ns_bind $NOBODY /run/netns/$P-pid-nobody"
  step "Pid mode: /proc/PID/ns, root ctr" bash -c "pid_ns_bind $ROOTDEF /run/netns/$P-pid-rootdef"
  step "Pid mode: /proc/PID/ns, root all" bash -c "pid_ns_bind $ROOTFULL /run/netns/$P-pid-rootfull"
  step "pasta into a netns" bash -c start_pasta
  step "stop pasta (kill)" bash -c "kill_helper pasta"
  step "slirp4netns --enable-sandbox" bash -c start_slirp
  step "stop slirp4netns (kill)" bash -c "kill_helper slirp"
  step "umount2(MNT_DETACH) + unlink netns" ip netns del $P-pod
  teardown
  if [ ${#FAILED[@]} -eq 0 ]; then echo "  => all steps passed"; else echo "  => ${#FAILED[@]} failed"; fi
  echo
}

if [ $# -gt 0 ]; then
  run_all "$1"
  [ ${#FAILED[@]} -eq 0 ]
  exit
fi

run_all "$CANDIDATE"
IFS=, read -ra caps <<<"$CANDIDATE"
for drop in "${caps[@]}"; do
  keep=$(printf '%s\n' "${caps[@]}" | grep -vx "$drop" | paste -sd,)
  echo "--- without $drop"
  run_all "$keep"
done
echo "--- the default container set plus sys_admin and net_admin (what a typical 'add NET_ADMIN, SYS_ADMIN' gives)"
run_all "$DEFAULT_CAPS,sys_admin,net_admin"
