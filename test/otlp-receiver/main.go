// Command otlp-receiver is the OpenTelemetry Collector's OTLP receiver (go.opentelemetry.io/collector/receiver/otlpreceiver,
// the component every Collector distribution ships) with one consumer that appends each batch of spans it receives to
// a file as one line of OTLP/JSON (ptrace.JSONMarshaler, the encoding of the OTLP specification). phishnet's tracing
// tests send spans to it over OTLP/HTTP and read the file; nothing else of the Collector (pipelines, exporters,
// self-telemetry) is linked in.
//
//	otlp-receiver -http 127.0.0.1:4318 -out spans.jsonl
//
// It prints "listening <addr>" on stdout once the receiver has started, and stops on SIGTERM/SIGINT (exit 0).
// Built and cached by scripts/otlp-receiver.sh.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"sync"
	"syscall"

	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/receiver/otlpreceiver"
	"go.opentelemetry.io/collector/receiver/receivertest"
)

func main() {
	httpAddr := flag.String("http", "127.0.0.1:4318", "OTLP/HTTP listen address (host:port)")
	out := flag.String("out", "", "file the received spans are appended to, one OTLP/JSON ExportTraceServiceRequest per line")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "otlp-receiver: -out is required")
		os.Exit(2)
	}
	if err := run(*httpAddr, *out); err != nil {
		fmt.Fprintln(os.Stderr, "otlp-receiver:", err)
		os.Exit(1)
	}
}

func run(httpAddr, out string) error {
	f, err := os.OpenFile(out, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	var mu sync.Mutex
	marshaler := &ptrace.JSONMarshaler{}
	next, err := consumer.NewTraces(func(_ context.Context, td ptrace.Traces) error {
		b, err := marshaler.MarshalTraces(td)
		if err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		_, err = f.Write(append(b, '\n'))
		return err
	})
	if err != nil {
		return err
	}

	factory := otlpreceiver.NewFactory()
	cfg := factory.CreateDefaultConfig()
	// Only the HTTP protocol, on the given address (the same keys as a Collector's YAML configuration).
	conf := confmap.NewFromStringMap(map[string]any{"protocols": map[string]any{"http": map[string]any{"endpoint": httpAddr}}})
	if err := conf.Unmarshal(cfg); err != nil {
		return fmt.Errorf("receiver configuration: %w", err)
	}
	ctx := context.Background()
	rcv, err := factory.CreateTraces(ctx, receivertest.NewNopSettings(factory.Type()), cfg, next)
	if err != nil {
		return err
	}
	if err := rcv.Start(ctx, componenttest.NewNopHost()); err != nil {
		return err
	}
	fmt.Println("listening", httpAddr)

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	<-sig
	return rcv.Shutdown(ctx)
}
