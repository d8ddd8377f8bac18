package main

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/syscope/syscope/container"
	"github.com/syscope/syscope/driver"
	"github.com/syscope/syscope/engine"
	"github.com/syscope/syscope/inspect"
	"github.com/syscope/syscope/rules"
	"github.com/syscope/syscope/state"
)

// The metrics endpoint serves every counter of the engine, the state, the
// driver and the container manager, with the values they report.
func TestMetricsEndpoint(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ctrs := container.NewManager(container.Options{})
	defer ctrs.Close()
	ctrs.Lookup(strings.Repeat("cd", 32), container.TypeDocker) // one lookup, no runtime
	var drv driver.Stats
	drv.Events, drv.Drops[driver.DropFile], drv.Oversize = 1000, 17, 2
	rm := &runMetrics{
		engine: func() engine.Stats {
			return engine.Stats{Events: 950, Alerts: 3, Rules: rules.Stats{Evaluations: 400},
				Inspect: inspect.Stats{State: state.Stats{Threads: 12, FDs: 40, ThreadDrops: 5, FDLookupMiss: 9}}}
		},
		driver:     func() driver.Stats { return drv },
		containers: ctrs.Stats,
	}
	addr, err := serveMetrics(ctx, "127.0.0.1:0", rm)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get("http://" + addr.String() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"syscope_events_total 950", "syscope_alerts_total 3", "syscope_rules_evaluations_total 400",
		"syscope_state_threads 12", "syscope_state_fds 40", "syscope_state_thread_drops_total 5",
		"syscope_state_fd_lookup_misses_total 9", `syscope_driver_drops_total{category="file"} 17`,
		`syscope_driver_drops_total{category="net"} 0`, "syscope_driver_events_total 1000",
		"syscope_driver_oversize_total 2", "syscope_containers_lookups_total 1",
	} {
		if !strings.Contains(string(body), want+"\n") {
			t.Errorf("metrics lack %q:\n%s", want, body)
		}
	}
	cancel()
}
