#!/bin/sh
# Captures a browser's DTLS ClientHello datagrams during one cli interop scenario in which the
# browser is the DTLS client, inside a private network namespace (no packet leaves it).
#
# usage (as root, or with user namespaces; from the repository root, after
#   mvn -B -o -q -pl cli -am test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/jdc-cli.cp):
#   dtls/src/test/tools/capture-clienthello.sh chromium|firefox <out dir>
# then
#   python3 dtls/src/test/tools/extract_clienthello.py <out dir>/<browser>.pcap <out dir>/<browser>
#
# Role "answer": the page answers our offer (a=setup:actpass) with a=setup:active, so the browser is
# the DTLS client. The namespace is set up as cli's BrowserNamespace does (lo + veth pair
# jdc0/jdc1 in 198.18.0.0/24, Firefox gets a default route), tcpdump records all UDP in it.
set -e
B=$1; OUT=$(realpath "$2")
CP="$(cat /tmp/jdc-cli.cp):$PWD/cli/target/classes:$PWD/cli/target/test-classes"
mkdir -p "$OUT"
SCRATCH=$(mktemp -d)
VIA=""
[ "$B" = firefox ] && VIA=198.18.0.1
export CP OUT B SCRATCH VIA
USERNS=""
[ "$(id -u)" = 0 ] || USERNS="--user --map-root-user"
unshare $USERNS --net --pid --mount-proc --fork --kill-child sh -c '
set -e
ip link set lo up
ip link add jdc0 type veth peer name jdc1
ip addr add 198.18.0.1/24 dev jdc0
ip addr add 198.18.0.2/24 dev jdc1
ip link set jdc0 up
ip link set jdc1 up
if [ -n "$VIA" ]; then ip route add default via "$VIA" dev jdc1; fi
tcpdump -i any -U -s 0 -w "$OUT/$B.pcap" udp >"$OUT/$B.tcpdump.log" 2>&1 &
TP=$!
sleep 1
rc=0
java -Xmx512m -cp "$CP" org.jdatachannel.cli.BrowserScenario "$B" answer 198.18.0.1 60 "$SCRATCH" \
    >"$OUT/$B.out" 2>"$OUT/$B.err" || rc=$?
sleep 1
kill $TP; wait $TP || true
echo "scenario exit status $rc (0: the page reported ok)"
'
rm -rf "$SCRATCH"
