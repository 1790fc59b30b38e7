#!/bin/sh
# gameday node agent for the `node.iptables` fault. POSIX sh + iptables; runs as the only
# container of a privileged, hostNetwork DaemonSet in gameday-system, one pod per targeted node.
# It needs no Kubernetes API access: everything comes from env and files (a ConfigMap volume).
#
#   GAMEDAY_DRILL_ID      drill id (a label value: [a-z0-9._-]); goes into every rule's comment
#   GAMEDAY_CHAIN         chain prefix of this fault, e.g. GD-1a2b3c4d (chains GD-1a2b3c4d-IN/-OUT/-FWD)
#   GAMEDAY_RULES_FILE    one rule a line: "<INPUT|OUTPUT|FORWARD> <iptables match and target args>"
#   GAMEDAY_DEADLINE      epoch seconds: revert by itself at this time, whatever else happens
#   GAMEDAY_LEASE_FILE    optional file holding an epoch-seconds expiry (the dead man's switch); renewed
#                         by the attached gameday process (through the ConfigMap); revert when it passes
#   GAMEDAY_CHECK_SECONDS how often to look at the clock (default 2)
#   GAMEDAY_IPTABLES      auto (default) | nft | legacy: which iptables backend to use
#   GAMEDAY_STATE_FILE    exists while the rules are applied (the pod's readiness probe reads it);
#                         default /tmp/gameday-applied
#
# Lifecycle: start → flush leftovers of our own chains (and of other drills' chains whose deadline
# has passed) → if the deadline or lease has already passed, stay idle → apply (check before add)
# → watch the clock → revert at the deadline, when the lease is not renewed, or on SIGTERM/SIGINT.
# After a self-revert the agent stays idle (never re-applies) until its pod is deleted.
# Rules are never touched by position: every delete names the rule or the chain.
set -u
set -f

DRILL="${GAMEDAY_DRILL_ID:-}"
PREFIX="${GAMEDAY_CHAIN:-}"
RULES_FILE="${GAMEDAY_RULES_FILE:-}"
DEADLINE="${GAMEDAY_DEADLINE:-}"
LEASE_FILE="${GAMEDAY_LEASE_FILE:-}"
CHECK="${GAMEDAY_CHECK_SECONDS:-2}"
STATE_FILE="${GAMEDAY_STATE_FILE:-/tmp/gameday-applied}"
HOOKS="INPUT OUTPUT FORWARD"

log() { echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) gameday-agent drill=$DRILL $*"; }
die() { log "error: $*"; exit 2; }
fail() { log "error: $*"; revert; log "reverted reason=error"; exit 2; }

case "$DRILL" in '' | *[!a-z0-9._-]*) die "GAMEDAY_DRILL_ID must be a drill id ([a-z0-9._-])" ;; esac
case "$PREFIX" in GD-[0-9a-f]*) ;; *) die "GAMEDAY_CHAIN must look like GD-<hex>" ;; esac
case "$PREFIX" in *[!A-Za-z0-9-]*) die "GAMEDAY_CHAIN has characters iptables chain names should not" ;; esac
case "$DEADLINE" in '' | *[!0-9]*) die "GAMEDAY_DEADLINE must be epoch seconds" ;; esac
[ -n "$RULES_FILE" ] && [ -r "$RULES_FILE" ] || die "GAMEDAY_RULES_FILE is not readable: $RULES_FILE"

# ---- backend: the one the node uses (kube-proxy/kubelet leave their marks there) ------------------
have() { command -v "$1" >/dev/null 2>&1; }
count_rules() { "$1-save" 2>/dev/null | grep -c '^-A' || true; }
count_kube() { "$1-save" 2>/dev/null | grep -c -e KUBE-IPTABLES-HINT -e KUBE-KUBELET-CANARY || true; }
detect_backend() {
  case "${GAMEDAY_IPTABLES:-auto}" in
    nft) echo iptables-nft; return ;;
    legacy) echo iptables-legacy; return ;;
  esac
  if have iptables-nft && have iptables-legacy; then
    kn=$(count_kube iptables-nft); kl=$(count_kube iptables-legacy)
    if [ "$kl" -gt "$kn" ]; then echo iptables-legacy; return; fi
    if [ "$kn" -gt "$kl" ]; then echo iptables-nft; return; fi
    rn=$(count_rules iptables-nft); rl=$(count_rules iptables-legacy)
    if [ "$rl" -gt "$rn" ]; then echo iptables-legacy; else echo iptables-nft; fi
    return
  fi
  have iptables-nft && { echo iptables-nft; return; }
  have iptables-legacy && { echo iptables-legacy; return; }
  echo iptables
}
IPT=$(detect_backend)
have "$IPT" || die "no iptables binary ($IPT) in this image"
ipt() { "$IPT" -w 5 "$@"; }

short() { case "$1" in INPUT) echo IN ;; OUTPUT) echo OUT ;; FORWARD) echo FWD ;; esac; }
own_chain() { echo "$PREFIX-$(short "$1")"; }
parent() { echo "GAMEDAY-$1"; }

# Remove every jump in parent chain $1 to chain $2 (by rule spec, never by position), then the chain.
drop_chain() {
  p="$1"; c="$2"
  ipt -S "$p" 2>/dev/null | grep -e " -j $c\$" | sed -e 's/^-A /-D /' -e 's/"//g' | while read -r spec; do
    # shellcheck disable=SC2086
    ipt $spec 2>/dev/null || true
  done
  ipt -F "$c" 2>/dev/null || true
  ipt -X "$c" 2>/dev/null || true
}

# Remove a parent chain of ours when no drill uses it any more.
drop_parent_if_empty() {
  h="$1"; p=$(parent "$h")
  ipt -S "$p" >/dev/null 2>&1 || return 0
  if [ "$(ipt -S "$p" | grep -c '^-A')" -eq 0 ]; then
    while ipt -D "$h" -m comment --comment gameday -j "$p" 2>/dev/null; do :; done
    ipt -X "$p" 2>/dev/null || true
  fi
}

revert() {
  rm -f "$STATE_FILE" 2>/dev/null || true
  for h in $HOOKS; do
    drop_chain "$(parent "$h")" "$(own_chain "$h")"
    # a chain of ours that lost its jump (killed between steps) is still ours to delete
    ipt -F "$(own_chain "$h")" 2>/dev/null || true
    ipt -X "$(own_chain "$h")" 2>/dev/null || true
    drop_parent_if_empty "$h"
  done
}

# Leftovers of other drills whose deadline (in the jump's comment) has passed: their agents are gone.
reap_expired() {
  now=$(date +%s)
  for h in $HOOKS; do
    p=$(parent "$h")
    ipt -S "$p" 2>/dev/null | sed -n 's/.*deadline=\([0-9]*\)"\{0,1\} -j \(GD-[0-9a-f]*-[A-Z]*\)$/\1 \2/p' | while read -r d c; do
      if [ "$d" -le "$now" ] && [ "${c#"$PREFIX"-}" = "$c" ]; then
        log "reaping expired chain $c (deadline $d)"
        drop_chain "$p" "$c"
      fi
    done
    drop_parent_if_empty "$h"
  done
}

apply() {
  n=0
  while read -r hook rest; do
    case "$hook" in INPUT | OUTPUT | FORWARD) ;; '' | '#'*) continue ;; *) fail "bad hook in rules file: $hook" ;; esac
    p=$(parent "$hook"); c=$(own_chain "$hook")
    ipt -N "$p" 2>/dev/null || true
    ipt -C "$hook" -m comment --comment gameday -j "$p" 2>/dev/null || ipt -I "$hook" 1 -m comment --comment gameday -j "$p" || fail "cannot hook $p into $hook"
    ipt -N "$c" 2>/dev/null || true
    ipt -C "$p" -m comment --comment "gameday:$DRILL:deadline=$DEADLINE" -j "$c" 2>/dev/null ||
      ipt -A "$p" -m comment --comment "gameday:$DRILL:deadline=$DEADLINE" -j "$c" || fail "cannot jump to $c"
    # shellcheck disable=SC2086
    set -- $rest
    ipt -C "$c" "$@" 2>/dev/null || ipt -A "$c" "$@" || fail "cannot add rule to $c: $rest"
    n=$((n + 1))
  done <"$RULES_FILE"
  echo "$DRILL $n" >"$STATE_FILE" 2>/dev/null || true
  log "applied $n rules backend=$IPT chains=$PREFIX-*"
}

# Why the fault must end now, or nothing.
expired() {
  now=$(date +%s)
  if [ "$now" -ge "$DEADLINE" ]; then echo deadline; return; fi
  if [ -n "$LEASE_FILE" ]; then
    lease=$(head -c 32 "$LEASE_FILE" 2>/dev/null | tr -cd 0-9)
    if [ -z "$lease" ]; then echo lease-missing; return; fi
    if [ "$now" -ge "$lease" ]; then echo lease-expired; return; fi
  fi
}

on_signal() {
  log "signal: reverting"
  revert
  log "reverted reason=signal"
  exit 0
}
trap on_signal TERM INT HUP

idle() {
  while :; do
    sleep 3600 &
    wait $! 2>/dev/null
  done
}

log "starting backend=$IPT deadline=$DEADLINE lease=${LEASE_FILE:-none}"
revert # leftovers of our own chains from an earlier run (SIGKILL, node restart)
reap_expired
why=$(expired)
if [ -n "$why" ]; then
  log "not applying: $why already passed"
  log "reverted reason=$why"
  idle
fi
apply
while :; do
  why=$(expired)
  if [ -n "$why" ]; then
    revert
    log "reverted reason=$why"
    idle
  fi
  sleep "$CHECK" &
  wait $! 2>/dev/null
done
