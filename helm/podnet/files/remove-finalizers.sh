#!/bin/sh
# Removes podnet's finalizer (podnet.io/finalizer) from PodNetworks, for when no agent will ever
# do it: podnet was uninstalled, or a node is gone for good. Without an agent, a deleted
# PodNetwork stays in Terminating forever.
#
# The node's kernel objects are NOT removed by this: a reinstalled agent's orphan collector
# removes them at start, or remove them by hand (docs/install.md, "Uninstall").
#
#   remove-finalizers.sh [--node NODE] [--terminating] [--dry-run]
#
#   --node NODE     only PodNetworks with spec.nodeName NODE (a node that is gone)
#   --terminating   only PodNetworks already being deleted
#   --dry-run       say what would be done, change nothing
#
# Needs kubectl (and its current context pointing at the cluster); nothing else.
set -eu

FINALIZER=podnet.io/finalizer
KUBECTL=${KUBECTL:-kubectl}
node=
terminating=false
dry_run=false

while [ $# -gt 0 ]; do
  case "$1" in
    --node) [ $# -ge 2 ] || { echo "--node needs a node name" >&2; exit 2; }; node=$2; shift 2 ;;
    --node=*) node=${1#--node=}; shift ;;
    --terminating) terminating=true; shift ;;
    --dry-run) dry_run=true; shift ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

# one line per PodNetwork: namespace|name|node|deletionTimestamp|finalizers (a JSON array)
list=$("$KUBECTL" get podnetworks.podnet.io --all-namespaces -o \
  'jsonpath={range .items[*]}{.metadata.namespace}{"|"}{.metadata.name}{"|"}{.spec.nodeName}{"|"}{.metadata.deletionTimestamp}{"|"}{.metadata.finalizers}{"\n"}{end}')

changed=0
failed=0
# a here-document, not a pipe: the counters must survive the loop
while IFS='|' read -r ns name pn_node deleting finalizers; do
  [ -n "$name" ] || continue
  [ -z "$node" ] || [ "$pn_node" = "$node" ] || continue
  [ "$terminating" = false ] || [ -n "$deleting" ] || continue
  # the position of our finalizer in the list (finalizer names hold no quotes or commas)
  index=$(printf '%s\n' "$finalizers" | tr -d '[]' | tr ',' '\n' | grep -n "^\"$FINALIZER\"\$" | head -n 1 | cut -d: -f1)
  [ -n "$index" ] || continue
  index=$((index - 1))
  # test-and-remove in one request: if the list changed meanwhile, nothing is removed by mistake
  patch="[{\"op\":\"test\",\"path\":\"/metadata/finalizers/$index\",\"value\":\"$FINALIZER\"},{\"op\":\"remove\",\"path\":\"/metadata/finalizers/$index\"}]"
  if [ "$dry_run" = true ]; then
    echo "would remove $FINALIZER from podnetwork $ns/$name (node $pn_node)"
    changed=$((changed + 1))
  elif "$KUBECTL" patch podnetworks.podnet.io "$name" --namespace "$ns" --type=json -p "$patch" >/dev/null; then
    echo "removed $FINALIZER from podnetwork $ns/$name (node $pn_node)"
    changed=$((changed + 1))
  else
    echo "could not patch podnetwork $ns/$name; run again" >&2
    failed=$((failed + 1))
  fi
done <<EOF
$list
EOF

echo "$changed podnetwork(s) $( [ "$dry_run" = true ] && echo "to change" || echo "changed" ), $failed failed"
[ "$failed" -eq 0 ]
