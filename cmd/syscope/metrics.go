package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/syscope/syscope/container"
	"github.com/syscope/syscope/driver"
	"github.com/syscope/syscope/engine"
)

// runMetrics is what `syscope run` exports to Prometheus: every counter of
// something that can drop, evict or miss, with the totals beside them.
// Each getter may be nil (no driver on replay, no container runtime).
type runMetrics struct {
	engine     func() engine.Stats
	driver     func() driver.Stats
	containers func() container.Stats
}

func desc(name, help string, labels ...string) *prometheus.Desc {
	return prometheus.NewDesc("syscope_"+name, help, labels, nil)
}

var (
	mEvents       = desc("events_total", "Events the rules were evaluated on.")
	mAlerts       = desc("alerts_total", "Alerts raised (rule matches).")
	mEvaluations  = desc("rules_evaluations_total", "Rule conditions evaluated.")
	mThreads      = desc("state_threads", "Threads in the thread table.")
	mFDs          = desc("state_fds", "File descriptors in all fd tables.")
	mThreadDrops  = desc("state_thread_drops_total", "Threads not added because the thread table was full.")
	mFDDrops      = desc("state_fd_drops_total", "File descriptors not added because a process's fd table was full.")
	mThreadMisses = desc("state_thread_lookup_misses_total", "Lookups of a thread not in the table.")
	mFDMisses     = desc("state_fd_lookup_misses_total", "Lookups of a file descriptor not in its process's table.")
	mPurged       = desc("state_threads_purged_total", "Dead or inactive threads purged.")
	mDrvEvents    = desc("driver_events_total", "Events the kernel wrote to the ring buffers.")
	mDrvDrops     = desc("driver_drops_total", "Events lost in the kernel because a ring buffer was full, by syscall category.", "category")
	mDrvOversize  = desc("driver_oversize_total", "Events lost for exceeding the event size limit.")
	mCtrLookups   = desc("containers_lookups_total", "Container metadata lookups.")
	mCtrDropped   = desc("containers_queue_drops_total", "Container metadata resolves dropped because the queue was full.")
	mCtrFailed    = desc("containers_failed_lookups_total", "Container metadata lookups that failed or timed out.")
	mCtrEvicted   = desc("containers_evicted_total", "Container records evicted from the cache.")
	mCtrCached    = desc("containers_cached", "Container records in the cache.")
	mCtrRefreshes = desc("containers_runtime_events_total", "Containers created or started, as the runtimes' event streams reported them.")
	mCtrWatchErrs = desc("containers_event_stream_errors_total", "Runtime event streams that failed and were followed again.")
)

// Describe implements prometheus.Collector.
func (m *runMetrics) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{mEvents, mAlerts, mEvaluations, mThreads, mFDs, mThreadDrops,
		mFDDrops, mThreadMisses, mFDMisses, mPurged, mDrvEvents, mDrvDrops, mDrvOversize, mCtrLookups,
		mCtrDropped, mCtrFailed, mCtrEvicted, mCtrCached, mCtrRefreshes, mCtrWatchErrs} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (m *runMetrics) Collect(ch chan<- prometheus.Metric) {
	counter := func(d *prometheus.Desc, v uint64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), labels...)
	}
	gauge := func(d *prometheus.Desc, v int) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, float64(v))
	}
	if m.engine != nil {
		s := m.engine()
		st := s.Inspect.State
		counter(mEvents, s.Events)
		counter(mAlerts, s.Alerts)
		counter(mEvaluations, s.Rules.Evaluations)
		gauge(mThreads, st.Threads)
		gauge(mFDs, st.FDs)
		counter(mThreadDrops, st.ThreadDrops)
		counter(mFDDrops, st.FDDrops)
		counter(mThreadMisses, st.ThreadLookupMiss)
		counter(mFDMisses, st.FDLookupMiss)
		counter(mPurged, st.Purged)
	}
	if m.driver != nil {
		s := m.driver()
		counter(mDrvEvents, s.Events)
		for c := driver.DropCategory(0); c < driver.NumDropCategories; c++ {
			counter(mDrvDrops, s.Drops[c], c.String())
		}
		counter(mDrvOversize, s.Oversize)
	}
	if m.containers != nil {
		s := m.containers()
		counter(mCtrLookups, s.Lookups)
		counter(mCtrDropped, s.Dropped)
		counter(mCtrFailed, s.Failed)
		counter(mCtrEvicted, s.Evicted)
		gauge(mCtrCached, s.Cached)
		counter(mCtrRefreshes, s.Refreshes)
		counter(mCtrWatchErrs, s.WatchErrors)
	}
}

// serveMetrics serves /metrics on addr (host:port) with the given
// collectors until ctx ends. It returns once the listener is open.
func serveMetrics(ctx context.Context, addr string, cs ...prometheus.Collector) (net.Addr, error) {
	reg := prometheus.NewRegistry()
	for _, c := range cs {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("metrics: %w", err)
		}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			slog.Warn("metrics server stopped", "error", err)
		}
	}()
	context.AfterFunc(ctx, func() {
		sctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	})
	return ln.Addr(), nil
}
