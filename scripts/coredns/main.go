// CoreDNS with only the plugins the node tier's Corefile uses (scripts/k8s-node.sh): the full build compiles every
// plugin's SDK (AWS, Azure, GCP, …) and takes several times longer. Built by scripts/k8s-binaries.sh.
package main

import (
	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/coremain"

	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/loadbalance"
	_ "github.com/coredns/coredns/plugin/loop"
	_ "github.com/coredns/coredns/plugin/ready"
)

// The order of CoreDNS's own plugin.cfg, restricted to the plugins above.
func init() {
	dnsserver.Directives = []string{"ready", "health", "errors", "loadbalance", "cache", "kubernetes", "loop"}
}

func main() { coremain.Run() }
