#!/usr/bin/env bash
# The node tier: a real one-node Kubernetes cluster on this machine, and the tests that run on it.
#   bash scripts/k8s-node.sh [vitest args]   build/install what is missing, start the cluster, run test/node/*.test.ts
#                                           (or the vitest filters given, e.g. node/install) with PHISHNET_NODE=1 and
#                                           PHISHNET_NODE_KUBECONFIG, tear everything down
#   bash scripts/k8s-node.sh -- CMD ARGS...  the same, but run CMD instead of vitest (e.g. `-- bash` for a shell;
#                                           KUBECONFIG is exported)
#   bash scripts/k8s-node.sh --down          tear down what a killed run left behind (also done before every start)
#
# What runs (all v1.35.4 from scripts/k8s-binaries.sh unless named otherwise), as processes of this script:
#   etcd (Debian trixie) and kube-apiserver, kube-controller-manager, kube-scheduler — the API server listens on the
#     node address $NODE_IP:6443 (pods reach it through the `kubernetes` Service), etcd on 127.0.0.1;
#   Debian's containerd 1.6 + runc with a private socket/state and a persistent image store ($CACHE_DIR/containerd),
#     CRI sandbox image phishnet/pause:dev, `restrict_oom_score_adj` (no CAP_SYS_RESOURCE here);
#   the kubelet (cgroupfs driver, failCgroupV1: false — this machine has cgroup v1 — failSwapOn: false) and kube-proxy
#     (iptables mode, conntrack sysctls left alone), joined as node `phishnet-node`;
#   CNI: Debian's containernetworking-plugins (bridge + host-local on $POD_CIDR, portmap, firewall — dockerd sets the
#     FORWARD policy to DROP, and the firewall plugin lets pod traffic through);
#   CoreDNS as a Deployment in kube-system behind the cluster DNS Service $DNS_IP.
# The node address is a /32 on a bridge of its own (this kernel has no dummy interfaces, and the kubelet refuses a
# loopback node IP). Images: the project's (scripts/docker.sh) and scripts/k8s-images.sh's, saved from dockerd and
# imported into containerd (`ctr images import`), no registry; pods use them with imagePullPolicy Never/IfNotPresent.
#
# Tear-down (trap on exit, also after a failure or Ctrl-C): pods are deleted first (so CNI removes its rules), then
# kube-proxy --cleanup, every process stopped by its pid, containers killed, mounts under the kubelet and containerd
# directories unmounted, the bridges, the KUBE-*/CNI-* iptables chains (IPv4 and IPv6), the kubepods cgroups, the
# CNI state and netns removed, and the sysctls the kubelet and kube-proxy change restored.
# Env: PHISHNET_NODE_CACHE (default /var/lib/phishnet-node: containerd's image store, kept between runs).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

CACHE_DIR="${PHISHNET_NODE_CACHE:-/var/lib/phishnet-node}"
RUN="$CACHE_DIR/run"                 # everything of one run; removed by the tear-down
SOCKDIR=/run/phishnet-node           # containerd socket + state (short paths: unix socket length limit)
NODE_NAME=phishnet-node
NODE_BRIDGE=phn-node0
NODE_IP=10.254.254.1
CNI_BRIDGE=phn-cni0
CNI_NET=phishnet-node
POD_CIDR=10.254.0.0/20
SERVICE_CIDR=10.254.64.0/24
DNS_IP=10.254.64.10
API_PORT=6443
SYSCTLS=(vm.overcommit_memory kernel.panic kernel.panic_on_oops net.ipv4.conf.all.route_localnet net.ipv4.ip_forward
  net.bridge.bridge-nf-call-iptables net.bridge.bridge-nf-call-ip6tables)

mode=run; cmd=()
case "${1:-}" in
  --down) mode=down;;
  --) shift; mode=cmd; cmd=("$@");;
esac

pid_of() { cat "$RUN/pids/$1.pid" 2>/dev/null || true; }
stop_pid() { # name [signal-wait-seconds]
  local pid; pid="$(pid_of "$1")"
  [ -n "$pid" ] || return 0
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 $((${2:-10} * 5))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then kill "$pid" 2>/dev/null || true; sleep 1; fi   # containerd may need a second TERM
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$RUN/pids/$1.pid"
}
start_bg() { # name binary args... — own session, log to $RUN/logs/name.log, pid in $RUN/pids/name.pid
  local name="$1"; shift
  setsid "$@" > "$RUN/logs/$name.log" 2>&1 < /dev/null &
  echo $! > "$RUN/pids/$name.pid"
}
wait_for() { # description seconds command...
  local what="$1" secs="$2"; shift 2
  for _ in $(seq 1 $((secs * 4))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.25; done
  log "timed out after ${secs}s waiting for $what"; return 1
}
kc() { "$KUBECTL" --kubeconfig "$RUN/kubeconfig" "$@"; }
ctr_() { ctr --address "$SOCKDIR/containerd.sock" -n k8s.io "$@"; }

# --- tear-down: idempotent, runs with whatever is left ---
iptables_cleanup() { # remove every KUBE-* / CNI-* / PHISHNET-NODE-* chain and the rules jumping to them, in all tables
  local ipt t line chain
  for ipt in iptables ip6tables; do
    command -v "$ipt" >/dev/null || continue
    for t in filter nat mangle raw; do
      "$ipt" -t "$t" -S 2>/dev/null | grep -E '^-A [A-Z]+ .*-j (KUBE-|CNI-|PHISHNET-NODE-)' | grep -vE '^-A (KUBE-|CNI-|PHISHNET-NODE-)' | while read -r line; do
        # the rule as `-S` prints it, quotes and all (comments hold spaces): eval re-reads those quotes
        eval "\"\$ipt\" -t \"\$t\" -D ${line#-A }" 2>/dev/null || true
      done
      # rules jumping to our chains from non-builtin chains of others are left alone; ours are flushed, then deleted
      for chain in $("$ipt" -t "$t" -S 2>/dev/null | awk '$1 == "-N" && ($2 ~ /^KUBE-/ || $2 ~ /^CNI-/ || $2 ~ /^PHISHNET-NODE-/) {print $2}'); do
        "$ipt" -t "$t" -F "$chain" 2>/dev/null || true
      done
      for chain in $("$ipt" -t "$t" -S 2>/dev/null | awk '$1 == "-N" && ($2 ~ /^KUBE-/ || $2 ~ /^CNI-/ || $2 ~ /^PHISHNET-NODE-/) {print $2}'); do
        "$ipt" -t "$t" -X "$chain" 2>/dev/null || true
      done
    done
  done
}
unmount_under() { # unmount every mount point below $1, deepest first
  local m
  for m in $(awk -v p="$1" 'index($2, p) == 1 {print $2}' /proc/self/mounts | sort -r); do
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
  done
}
teardown() {
  set +e
  if [ "${1:-}" != force ] && ! [ -d "$RUN" ] && ! [ -d "$SOCKDIR" ] && ! ip link show "$NODE_BRIDGE" >/dev/null 2>&1 \
    && ! iptables -S 2>/dev/null | grep -qE -- '-N (KUBE-|CNI-|PHISHNET-NODE-)'; then return 0; fi
  log "node tier: tearing down"
  if [ -n "$(pid_of kubelet)" ] && kill -0 "$(pid_of kubelet)" 2>/dev/null && [ -f "$RUN/kubeconfig" ]; then
    # Pods first, while the kubelet runs: it stops them and CNI DEL removes their addresses and rules. Their
    # controllers go first so that nothing recreates them.
    stop_pid kube-controller-manager
    kc delete deploy,sts,ds,rs,job --all -A --wait=false >/dev/null 2>&1
    kc delete pods --all -A --grace-period=1 --wait=false >/dev/null 2>&1
    for _ in $(seq 1 120); do
      [ -z "$(kc get pods -A --no-headers 2>/dev/null)" ] && break
      sleep 0.5
    done
  fi
  stop_pid kubelet
  if [ -n "${KUBE_PROXY:-}" ] && [ -x "$KUBE_PROXY" ]; then "$KUBE_PROXY" --cleanup >/dev/null 2>&1; fi
  stop_pid kube-proxy
  # Containers still running (a killed kubelet): kill their tasks through containerd, which ends the shims.
  local netns=()
  if [ -S "$SOCKDIR/containerd.sock" ]; then
    # the sandboxes' network namespaces (/var/run/netns/cni-<uuid>), named in their OCI specs
    mapfile -t netns < <(for c in $(ctr_ containers ls -q 2>/dev/null); do ctr_ containers info "$c" 2>/dev/null; done \
      | grep -o '/var/run/netns/cni-[0-9a-f-]*' | sort -u)
    for c in $(ctr_ tasks ls -q 2>/dev/null); do ctr_ tasks kill -s SIGKILL "$c" >/dev/null 2>&1; done
    sleep 1
    for c in $(ctr_ tasks ls -q 2>/dev/null); do ctr_ tasks delete -f "$c" >/dev/null 2>&1; done
    for c in $(ctr_ containers ls -q 2>/dev/null); do ctr_ containers delete "$c" >/dev/null 2>&1; done
  fi
  stop_pid containerd 15
  for n in kube-scheduler kube-controller-manager kube-apiserver etcd; do stop_pid "$n"; done
  unmount_under "$RUN/"
  unmount_under "$SOCKDIR/"
  unmount_under "$CACHE_DIR/containerd/"
  # network namespaces of our pods (containerd names them cni-<uuid>; the netns list is in the CNI results)
  for f in /var/lib/cni/results/"$CNI_NET"-*; do
    [ -e "$f" ] || continue
    rm -f "$f"
  done
  for ns in "${netns[@]}"; do umount "$ns" 2>/dev/null; rm -f "$ns"; done
  rm -rf "/var/lib/cni/networks/$CNI_NET"
  ip link del "$CNI_BRIDGE" 2>/dev/null
  ip link del "$NODE_BRIDGE" 2>/dev/null
  # veth peers of pods vanish with their netns; any left on our CNI bridge went with it
  iptables_cleanup
  for d in /sys/fs/cgroup/*/kubepods; do
    [ -d "$d" ] || continue
    find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null
  done
  if [ -f "$RUN/sysctls" ]; then
    while read -r k v; do sysctl -qw "$k=$v" 2>/dev/null; done < "$RUN/sysctls"
  fi
  rm -rf "$RUN" "$SOCKDIR"
  set -e
}

if [ "$mode" = down ]; then KUBE_PROXY="$(bash "$ROOT/scripts/k8s-binaries.sh" --print 2>/dev/null | awk '$1 == "kube-proxy" {print $2}')" || true; teardown force; exit 0; fi

# --- build/install (cached) ---
t0=$SECONDS
bash "$ROOT/scripts/bootstrap.sh" --test >&2
bash "$ROOT/scripts/k8s-binaries.sh" >/dev/null
declare -A BIN
while read -r n p; do BIN[$n]="$p"; done < <(bash "$ROOT/scripts/k8s-binaries.sh" --print)
KUBECTL="${BIN[kubectl]}"; KUBE_PROXY="${BIN[kube-proxy]}"
bash "$ROOT/scripts/docker.sh" >&2
bash "$ROOT/scripts/k8s-images.sh" >&2
log "node tier: binaries and images ready in $((SECONDS - t0)) s"

teardown   # leftovers of a killed run
trap teardown EXIT
trap 'exit 130' INT TERM
mkdir -p "$RUN/pids" "$RUN/logs" "$RUN/certs" "$SOCKDIR" "$CACHE_DIR/containerd"
for k in "${SYSCTLS[@]}"; do v="$(sysctl -n "$k" 2>/dev/null)" && echo "$k $v" >> "$RUN/sysctls"; done
t1=$SECONDS

# --- network: the node address on a bridge of its own ---
ip link add "$NODE_BRIDGE" type bridge
ip addr add "$NODE_IP/32" dev "$NODE_BRIDGE"
ip link set "$NODE_BRIDGE" up
sysctl -qw net.ipv4.ip_forward=1

# --- control plane ---
free_port() { "$NODE24" -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
etcd_client="$(free_port)"; etcd_peer="$(free_port)"
start_bg etcd "${BIN[etcd]}" --data-dir="$RUN/etcd" --listen-client-urls="http://127.0.0.1:$etcd_client" \
  --advertise-client-urls="http://127.0.0.1:$etcd_client" --listen-peer-urls="http://127.0.0.1:$etcd_peer" \
  --initial-advertise-peer-urls="http://127.0.0.1:$etcd_peer" --initial-cluster="default=http://127.0.0.1:$etcd_peer" \
  --log-level=warn --unsafe-no-fsync
openssl genrsa -out "$RUN/certs/sa.key" 2048 2>/dev/null
openssl rsa -in "$RUN/certs/sa.key" -pubout -out "$RUN/certs/sa.pub" 2>/dev/null
token="$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
# One admin token for the test user and the node's components (a test cluster: no per-component identities).
echo "$token,admin,admin-uid,\"system:masters\"" > "$RUN/certs/tokens.csv"
wait_for etcd 30 curl -sf "http://127.0.0.1:$etcd_client/health"
start_bg kube-apiserver "${BIN[kube-apiserver]}" --etcd-servers="http://127.0.0.1:$etcd_client" \
  --cert-dir="$RUN/certs/apiserver" --secure-port="$API_PORT" --bind-address="$NODE_IP" --advertise-address="$NODE_IP" \
  --service-cluster-ip-range="$SERVICE_CIDR" --service-account-issuer="https://kubernetes.default.svc" \
  --service-account-key-file="$RUN/certs/sa.pub" --service-account-signing-key-file="$RUN/certs/sa.key" \
  --authorization-mode=RBAC --token-auth-file="$RUN/certs/tokens.csv" --allow-privileged=true \
  --kubelet-preferred-address-types=InternalIP --v=0
cat > "$RUN/kubeconfig" <<EOF
apiVersion: v1
kind: Config
current-context: node
clusters:
- name: node
  cluster: {server: "https://$NODE_IP:$API_PORT", insecure-skip-tls-verify: true}
users:
- name: admin
  user: {token: "$token"}
contexts:
- name: node
  context: {cluster: node, user: admin, namespace: default}
EOF
wait_for "kube-apiserver (log $RUN/logs/kube-apiserver.log)" 90 kc get --raw /readyz
start_bg kube-controller-manager "${BIN[kube-controller-manager]}" --kubeconfig="$RUN/kubeconfig" \
  --authentication-kubeconfig="$RUN/kubeconfig" --authorization-kubeconfig="$RUN/kubeconfig" --leader-elect=false \
  --bind-address=127.0.0.1 --secure-port=0 --service-account-private-key-file="$RUN/certs/sa.key" \
  --root-ca-file="$RUN/certs/apiserver/apiserver.crt" --use-service-account-credentials=false \
  --service-cluster-ip-range="$SERVICE_CIDR" --concurrent-deployment-syncs=5 --v=0
start_bg kube-scheduler "${BIN[kube-scheduler]}" --kubeconfig="$RUN/kubeconfig" \
  --authentication-kubeconfig="$RUN/kubeconfig" --authorization-kubeconfig="$RUN/kubeconfig" --leader-elect=false \
  --bind-address=127.0.0.1 --secure-port=0 --v=0

# --- container runtime + CNI ---
mkdir -p "$RUN/cni"
cat > "$RUN/cni/10-phishnet.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "$CNI_NET",
  "plugins": [
    {"type": "bridge", "bridge": "$CNI_BRIDGE", "isGateway": true, "ipMasq": false, "hairpinMode": true,
     "ipam": {"type": "host-local", "ranges": [[{"subnet": "$POD_CIDR"}]], "routes": [{"dst": "0.0.0.0/0"}]}},
    {"type": "portmap", "capabilities": {"portMappings": true}},
    {"type": "firewall", "backend": "iptables"}
  ]
}
EOF
# Pods talk to each other, to Services and to this host (the API server on the node address), never beyond: nothing
# leaves the bridge to another interface. A packet to a ClusterIP that kube-proxy has not programmed yet is refused
# here instead of following the default route off this machine.
iptables -N PHISHNET-NODE-FWD
iptables -A PHISHNET-NODE-FWD -i "$CNI_BRIDGE" ! -o "$CNI_BRIDGE" -j REJECT
iptables -A PHISHNET-NODE-FWD -d "$SERVICE_CIDR" -j REJECT
iptables -I FORWARD 1 -j PHISHNET-NODE-FWD
iptables -N PHISHNET-NODE-OUT
iptables -A PHISHNET-NODE-OUT -d "$SERVICE_CIDR" -j REJECT
iptables -I OUTPUT 1 -j PHISHNET-NODE-OUT
cat > "$RUN/containerd.toml" <<EOF
version = 2
root = "$CACHE_DIR/containerd"
state = "$SOCKDIR/state"
[grpc]
  address = "$SOCKDIR/containerd.sock"
[ttrpc]
  address = "$SOCKDIR/containerd.sock.ttrpc"
[debug]
  address = "$SOCKDIR/debug.sock"
[metrics]
  address = ""
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "docker.io/phishnet/pause:dev"
  restrict_oom_score_adj = true
  enable_selinux = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$RUN/cni"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
EOF
start_bg containerd containerd --config "$RUN/containerd.toml"
wait_for "containerd (log $RUN/logs/containerd.log)" 30 ctr_ version
# Images: import those whose dockerd image id differs from the one imported last time (the store persists between
# runs), all in one `docker save` so that the layers they share are streamed once.
mkdir -p "$CACHE_DIR/imported"
stale=(); ids=()
while read -r img; do
  id="$(/usr/bin/docker image inspect --format '{{.Id}}' "$img")"
  if [ "$(cat "$CACHE_DIR/imported/${img//[\/:]/_}" 2>/dev/null)" != "$id" ] || ! ctr_ images ls -q | grep -qx "docker.io/$img"; then
    stale+=("$img"); ids+=("$id")
  fi
done < <(bash "$ROOT/scripts/k8s-images.sh" --list)
if [ "${#stale[@]}" -gt 0 ]; then
  log "importing ${stale[*]} into containerd"
  s=$SECONDS
  /usr/bin/docker save "${stale[@]}" | ctr_ images import - >/dev/null
  for i in "${!stale[@]}"; do echo "${ids[$i]}" > "$CACHE_DIR/imported/${stale[$i]//[\/:]/_}"; done
  log "  imported in $((SECONDS - s)) s"
fi

# --- kubelet + kube-proxy ---
mkdir -p "$RUN/kubelet"
cat > "$RUN/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $NODE_IP
port: 10250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 0
cgroupDriver: cgroupfs
failCgroupV1: false
failSwapOn: false
containerRuntimeEndpoint: unix://$SOCKDIR/containerd.sock
clusterDNS: [$DNS_IP]
clusterDomain: cluster.local
resolvConf: /etc/resolv.conf
authentication:
  anonymous: {enabled: true}
  webhook: {enabled: false}
authorization: {mode: AlwaysAllow}
serializeImagePulls: false
# A shared development machine: do not evict or refuse pods because its disk is fuller than a server's would be.
evictionHard: {memory.available: 100Mi, nodefs.available: 1%, imagefs.available: 1%, nodefs.inodesFree: 1%}
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
maxPods: 60
syncFrequency: 10s
nodeStatusReportFrequency: 10s
EOF
start_bg kubelet "${BIN[kubelet]}" --config="$RUN/kubelet.yaml" --kubeconfig="$RUN/kubeconfig" \
  --root-dir="$RUN/kubelet" --cert-dir="$RUN/kubelet/pki" --node-ip="$NODE_IP" --hostname-override="$NODE_NAME" --v=1
cat > "$RUN/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: {kubeconfig: $RUN/kubeconfig}
hostnameOverride: $NODE_NAME
mode: iptables
clusterCIDR: $POD_CIDR
bindAddress: $NODE_IP
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
# kube-proxy cannot write the conntrack sysctls here: leave them as they are.
conntrack: {maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}
EOF
start_bg kube-proxy "$KUBE_PROXY" --config="$RUN/kube-proxy.yaml" --v=0
wait_for "kube-proxy (log $RUN/logs/kube-proxy.log)" 60 curl -sf http://127.0.0.1:10256/healthz
wait_for "node $NODE_NAME Ready (log $RUN/logs/kubelet.log)" 90 \
  bash -c "[ \"\$('$KUBECTL' --kubeconfig '$RUN/kubeconfig' get node $NODE_NAME -o jsonpath='{.status.conditions[?(@.type==\"Ready\")].status}')\" = True ]"

# --- cluster DNS ---
kc apply -f - >/dev/null <<EOF
apiVersion: v1
kind: ServiceAccount
metadata: {name: coredns, namespace: kube-system}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: "system:coredns"}
rules:
  - {apiGroups: [""], resources: [endpoints, services, pods, namespaces], verbs: [list, watch]}
  - {apiGroups: [discovery.k8s.io], resources: [endpointslices], verbs: [list, watch]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: "system:coredns"}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "system:coredns"}
subjects: [{kind: ServiceAccount, name: coredns, namespace: kube-system}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: coredns, namespace: kube-system}
data:
  # Cluster names only: there is nothing upstream to forward to on this machine.
  Corefile: |
    .:1053 {
        errors
        health :8080
        ready :8181
        kubernetes cluster.local in-addr.arpa ip6.arpa {
            pods insecure
            fallthrough in-addr.arpa ip6.arpa
        }
        cache 30
        loop
        loadbalance
    }
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: coredns, namespace: kube-system, labels: {k8s-app: kube-dns}}
spec:
  replicas: 1
  selector: {matchLabels: {k8s-app: kube-dns}}
  template:
    metadata: {labels: {k8s-app: kube-dns}}
    spec:
      serviceAccountName: coredns
      dnsPolicy: Default
      securityContext: {runAsNonRoot: true, runAsUser: 65534, seccompProfile: {type: RuntimeDefault}}
      containers:
        - name: coredns
          image: phishnet/coredns:dev
          imagePullPolicy: Never
          args: [-conf, /etc/coredns/Corefile]
          ports:
            - {name: dns, containerPort: 1053, protocol: UDP}
            - {name: dns-tcp, containerPort: 1053, protocol: TCP}
          readinessProbe: {httpGet: {path: /ready, port: 8181}, periodSeconds: 2}
          livenessProbe: {httpGet: {path: /health, port: 8080}, periodSeconds: 10}
          resources: {requests: {cpu: 50m, memory: 32Mi}, limits: {memory: 128Mi}}
          securityContext: {readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
          volumeMounts: [{name: config, mountPath: /etc/coredns, readOnly: true}]
      volumes: [{name: config, configMap: {name: coredns}}]
---
apiVersion: v1
kind: Service
metadata: {name: kube-dns, namespace: kube-system, labels: {k8s-app: kube-dns}}
spec:
  clusterIP: $DNS_IP
  selector: {k8s-app: kube-dns}
  ports:
    - {name: dns, port: 53, targetPort: 1053, protocol: UDP}
    - {name: dns-tcp, port: 53, targetPort: 1053, protocol: TCP}
EOF
if ! kc -n kube-system rollout status deploy/coredns --timeout=120s >&2; then
  kc -n kube-system describe pods >&2; exit 1
fi
log "node tier: cluster up in $((SECONDS - t1)) s (kubeconfig $RUN/kubeconfig, logs $RUN/logs)"

export KUBECONFIG="$RUN/kubeconfig" PHISHNET_NODE_KUBECONFIG="$RUN/kubeconfig" PHISHNET_NODE=1 PHISHNET_NODE_LOGS="$RUN/logs"
set +e
if [ "$mode" = cmd ]; then
  "${cmd[@]}"; rc=$?
else
  cd "$ROOT"
  # One file at a time: every file shares the one node (and its 2 cores).
  [ $# -gt 0 ] || set -- node/
  "$NODE24" node_modules/vitest/vitest.mjs run --project e2e --no-file-parallelism "$@"; rc=$?
fi
exit $rc
