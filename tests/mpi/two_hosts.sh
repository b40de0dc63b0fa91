#!/bin/bash
# Two hosts, for real: two network namespaces joined by a veth pair act as two nodes
# (10.77.<n>.1 and 10.77.<n>.2). mpirun runs in the first; its rsh agent enters the
# namespace of the target host; MPI's TCP traffic is restricted to the veth subnet. A 2-rank
# pretraining run across the two hosts must log the same metrics as a 2-rank run on one host.
# usage: two_hosts.sh NEUROSCALE MPIRUN SYNTH_CONFIG PRETRAIN_CONFIG PYTHON
# Exit 77 (skipped, reason printed) where network namespaces cannot be created or entered.
set -euo pipefail
bin=$1 mpirun=$2 synth_config=$3 pretrain_config=$4 python=$5
tag=$$
probe=nsprobe$tag
if ! ip netns add "$probe" 2>/dev/null; then
  echo "SKIPPED: cannot create network namespaces here (needs root or CAP_NET_ADMIN and iproute2)"
  exit 77
fi
# Entering one needs a mount namespace with / as a mount point (not so in a plain chroot).
if ! reason=$(ip netns exec "$probe" true 2>&1); then
  ip netns del "$probe"
  echo "SKIPPED: cannot enter a network namespace here: $reason"
  exit 77
fi
ip netns del "$probe"

work=$(mktemp -d)
a=nsA$tag b=nsB$tag
net=10.77.$((tag % 250)).0
ip_a=${net%.0}.1 ip_b=${net%.0}.2
cleanup() { ip netns del "$a" 2>/dev/null || true; ip netns del "$b" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
ip netns add "$a"
ip netns add "$b"
ip link add "va$tag" type veth peer name "vb$tag"
ip link set "va$tag" netns "$a"
ip link set "vb$tag" netns "$b"
ip -n "$a" addr add "$ip_a/24" dev "va$tag"
ip -n "$b" addr add "$ip_b/24" dev "vb$tag"
for ns in "$a" "$b"; do ip -n "$ns" link set lo up; done
ip -n "$a" link set "va$tag" up
ip -n "$b" link set "vb$tag" up

# The rsh agent: Open MPI calls `agent [options] HOST COMMAND...`; run COMMAND in HOST's namespace.
cat >"$work/agent" <<AGENT
#!/bin/bash
while [[ \$1 == -* ]]; do shift; done
host=\$1; shift
case \$host in
  $ip_a) ns=$a ;;
  $ip_b) ns=$b ;;
  *) echo "agent: unknown host \$host" >&2; exit 1 ;;
esac
echo "\$host \$ns" >> $work/agent.log
exec ip netns exec \$ns /bin/sh -c "\$*"
AGENT
chmod +x "$work/agent"

"$bin" synth --config "$synth_config" --output "$work/corpus.h5" >/dev/null
common=(pretrain --config "$pretrain_config" data.corpus="$work/corpus.h5" train.max_steps=10 train.log_every=5)

echo "== one host, 2 ranks"
$mpirun -np 2 "$bin" "${common[@]}" --run-dir "$work/one"
echo "== two hosts ($ip_a, $ip_b), 1 rank each"
ip netns exec "$a" $mpirun -np 2 --host "$ip_a,$ip_b" \
  --mca plm_rsh_agent "$work/agent" --mca btl tcp,self \
  --mca oob_tcp_if_include "$net/24" --mca btl_tcp_if_include "$net/24" \
  "$bin" "${common[@]}" --run-dir "$work/two"

# The second host's daemon was started inside its namespace by the agent.
grep -q "^$ip_b $b\$" "$work/agent.log" || { echo "FAIL: no daemon was launched on $ip_b" >&2; exit 1; }
"$python" - "$work/one/metrics.jsonl" "$work/two/metrics.jsonl" <<'CHECK'
import json, sys
one = [json.loads(l) for l in open(sys.argv[1])]
two = [json.loads(l) for l in open(sys.argv[2])]
assert len(one) == len(two) == 2, (len(one), len(two))
# Everything but timings (rates "*_per_s" and durations "*_s") must be identical.
keys = sorted(k for k in one[-1] if not k.endswith("_s"))
assert "val_loss" in keys and "loss" in keys, keys
for a, b in zip(one, two):
    for k in keys:
        if a.get(k) != b.get(k):
            sys.exit(f"step {a['step']}: {k} differs: one host {a[k]} vs two hosts {b[k]}")
print(f"two hosts reproduce the one-host metrics exactly ({len(one)} records, keys {', '.join(keys)})")
CHECK
