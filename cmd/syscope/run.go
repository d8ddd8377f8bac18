package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/syscope/syscope/container"
	"github.com/syscope/syscope/container/capture"
	"github.com/syscope/syscope/container/engines"
	"github.com/syscope/syscope/driver"
	"github.com/syscope/syscope/engine"
	"github.com/syscope/syscope/inspect"
	"github.com/syscope/syscope/output"
	"github.com/syscope/syscope/rules"
	"github.com/syscope/syscope/ruleset"
	"github.com/syscope/syscope/scap"
)

// runOptions are the flags of `syscope run`.
type runOptions struct {
	rules      []string
	options    []string
	config     string
	json       bool
	duration   int
	replay     string
	disable    []string
	disableTag []string
	onlyTag    []string
	helpConfig bool
	metrics    string
}

func init() {
	subcommands = append(subcommands, func() *cobra.Command {
		var o runOptions
		c := &cobra.Command{
			Use:   "run [-r RULES]... [-o key=value]... [--json] [-M SECONDS] [--replay FILE]",
			Short: "Evaluate Falco rules on live events (or a capture) and raise alerts",
			Long: `Evaluate Falco-format rules on the system calls of this host, live
through the eBPF driver (root or CAP_BPF+CAP_PERFMON, kernel BTF), or on the
events of a capture file with --replay, and raise an alert for every match.

Without -r the rules are syscope's embedded default ruleset. Alerts go to
stdout as Falco prints them ("HH:MM:SS.nnnnnnnnn: Priority output"), or as
Falco's alert JSON with --json; -o enables the other outputs (file, program,
syslog, http) with Falco's setting names, for example:

  syscope run -o http_output.enabled=true -o http_output.url=http://127.0.0.1:2801/
  syscope run -r /etc/falco/falco_rules.yaml -o rule_matching=all -o priority=warning
  syscope run --replay trace.scap -r rules.yaml --json

--help-config lists every setting. A summary of the alerts goes to stderr
when the run ends (SIGINT, SIGTERM, -M, or the end of the capture).`,
			Args: cobra.NoArgs,
			RunE: func(cmd *cobra.Command, _ []string) error {
				if o.helpConfig {
					fmt.Fprint(cmd.OutOrStdout(), configHelp())
					return nil
				}
				return runRun(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), &o)
			},
		}
		f := c.Flags()
		f.StringArrayVarP(&o.rules, "rules", "r", nil, "rules file or directory (repeatable; default: the embedded rules)")
		f.StringArrayVarP(&o.options, "option", "o", nil, "set a configuration key, key=value (repeatable; see --help-config)")
		f.StringVarP(&o.config, "config", "c", "", "falco.yaml-style configuration file (applied before -o)")
		f.BoolVar(&o.json, "json", false, "print alerts as JSON (json_output=true)")
		f.IntVarP(&o.duration, "duration", "M", 0, "stop after this many seconds (0: run until interrupted or the capture ends)")
		f.StringVar(&o.replay, "replay", "", "evaluate the rules on this capture file instead of live events")
		f.StringArrayVarP(&o.disable, "disable", "D", nil, "disable the rules whose name contains this text (repeatable)")
		f.StringArrayVarP(&o.disableTag, "disable-tag", "T", nil, "disable the rules carrying this tag (repeatable)")
		f.StringArrayVarP(&o.onlyTag, "tag", "t", nil, "run only the rules carrying this tag (repeatable)")
		f.BoolVar(&o.helpConfig, "help-config", false, "list the configuration keys -o and -c accept")
		f.StringVar(&o.metrics, "metrics", "", "serve Prometheus metrics (events, alerts, drops, evictions, failed lookups) at http://ADDR/metrics, e.g. 127.0.0.1:8765")
		return c
	})
}

// buildConfig applies -c, -o and the shortcut flags, in that order.
func (o *runOptions) buildConfig(stderr io.Writer) (*runConfig, error) {
	cfg := defaultRunConfig()
	if o.config != "" {
		unknown, err := cfg.readConfigFile(o.config)
		if err != nil {
			return nil, err
		}
		for _, k := range unknown {
			fmt.Fprintf(stderr, "syscope: %s: ignoring unknown setting %s\n", o.config, k)
		}
	}
	for _, kv := range o.options {
		if err := cfg.SetOption(kv); err != nil {
			return nil, fmt.Errorf("-o %s: %w", kv, err)
		}
	}
	if o.json {
		cfg.Output.JSONOutput = true
	}
	if len(o.rules) > 0 {
		cfg.RulesFiles = o.rules
	}
	if o.replay != "" {
		cfg.EngineKind, cfg.CaptureFile = "replay", o.replay
	}
	if cfg.EngineKind == "replay" && cfg.CaptureFile == "" {
		return nil, errors.New("engine.kind=replay needs engine.replay.capture_file (or --replay FILE)")
	}
	for _, s := range o.disable {
		cfg.Toggles = append(cfg.Toggles, engine.Toggle{Rule: "*" + globEscape(s) + "*"})
	}
	for _, t := range o.disableTag {
		cfg.Toggles = append(cfg.Toggles, engine.Toggle{Tag: t})
	}
	if len(o.onlyTag) > 0 {
		cfg.Toggles = append(cfg.Toggles, engine.Toggle{Rule: "*"})
		for _, t := range o.onlyTag {
			cfg.Toggles = append(cfg.Toggles, engine.Toggle{Tag: t, Enable: true})
		}
	}
	return cfg, nil
}

func globEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `*`, `\*`, `?`, `\?`, `[`, `\[`)
	return r.Replace(s)
}

// loadRules loads the configured rules files, or the embedded ones, and
// reports the results (errors make it fail; warnings are logged).
func loadRules(cfg *runConfig, stderr io.Writer) (*rules.Ruleset, error) {
	lo := &engine.LoadOptions{AppendOutput: cfg.Output.AppendOutput}
	var rs *rules.Ruleset
	var results []*rules.Result
	if len(cfg.RulesFiles) == 0 {
		rs, results = engine.LoadContents(lo, engine.Content{Name: ruleset.Name, Data: ruleset.Default()})
	} else {
		var err error
		rs, results, err = engine.LoadFiles(lo, cfg.RulesFiles...)
		if err != nil {
			return nil, err
		}
	}
	var failed []string
	for _, r := range results {
		if !r.OK() {
			failed = append(failed, r.String())
		} else if r.HasWarnings() {
			slog.Debug("rules loaded with warnings", "result", r.String())
		}
	}
	if len(failed) > 0 || rs == nil {
		return nil, fmt.Errorf("loading rules:\n%s", strings.Join(failed, "\n"))
	}
	return rs, nil
}

func runRun(ctx context.Context, stdout, stderr io.Writer, o *runOptions) error {
	cfg, err := o.buildConfig(stderr)
	if err != nil {
		return fmt.Errorf("run: %w", err)
	}
	rs, err := loadRules(cfg, stderr)
	if err != nil {
		return fmt.Errorf("run: %w", err)
	}
	var src scap.Source
	var drv *driver.Source
	var replayCtrs *container.Manager
	live := cfg.EngineKind != "replay"
	if live {
		dopts := &driver.Options{RingSize: cfg.RingSize(), Snaplen: cfg.Snaplen}
		if cfg.CPUsForEachBuffer == 0 {
			dopts.Mode = driver.RingShared
		}
		drv, err = driver.Open(dopts)
		if err != nil {
			return fmt.Errorf("run: %w", err)
		}
		defer drv.Close()
		if _, err := drv.MetadataErr(); err != nil {
			slog.Warn("the /proc snapshot is incomplete", "error", err)
		}
		src = drv
	} else {
		r, err := scap.Open(cfg.CaptureFile)
		if err != nil {
			return fmt.Errorf("run: %w", err)
		}
		// The container metadata a capture records (container events)
		// feeds container.* and k8s.* as it did live.
		replayCtrs = container.NewManager(container.Options{})
		defer replayCtrs.Close()
		src = capture.NewSource(r, replayCtrs)
	}
	in, err := inspect.New(src, engine.InspectOptions(nil))
	if err != nil {
		src.Close()
		return fmt.Errorf("run: %w", err)
	}
	defer in.Close()
	outCfg := cfg.Output
	d, err := output.New(outCfg, &output.BuildOptions{
		Stdout: stdout,
		OnError: func(sink string, err error) {
			slog.Warn("output failed", "output", sink, "error", err)
		},
	})
	if err != nil {
		return fmt.Errorf("run: outputs: %w", err)
	}
	minPrio := cfg.MinPriority()
	eo := &engine.Options{
		MinPriority:     &minPrio,
		Toggles:         cfg.Toggles,
		AppendOutput:    cfg.Output.AppendOutput,
		Duration:        time.Duration(o.duration) * time.Second,
		AlertDropConfig: alertDropConfig(cfg.Output.SyscallEventDrops),
		OnDrop:          func(r output.DropReport) { slog.Warn(r.Message) },
	}
	if cfg.MatchAll {
		eo.Mode = rules.MatchAll
	}
	if live {
		// Container metadata from the runtimes whose sockets exist here
		// (docker, podman, containerd, CRI-O); none is fine.
		mgr, err := engines.NewManager(engines.Config{}, container.Options{})
		if err != nil {
			slog.Warn("container runtimes unavailable: container metadata will be missing", "error", err)
		} else {
			defer mgr.Close()
			eo.Containers = mgr
		}
		eo.Interrupt = func() { drv.Close() }
		eo.EventDrops = func() output.DropCounters { return driverDrops(drv.Stats()) }
		eo.EventDropConfig = cfg.Output.SyscallEventDrops
	} else {
		eo.Containers = replayCtrs
	}
	e, err := engine.New(in, rs, d, eo)
	if err != nil {
		d.Close(context.Background())
		return fmt.Errorf("run: %w", err)
	}
	if o.metrics != "" {
		rm := &runMetrics{engine: e.Stats}
		if drv != nil {
			rm.driver = drv.Stats
		}
		if eo.Containers != nil {
			rm.containers = eo.Containers.Stats
		}
		mctx, stopMetrics := context.WithCancel(ctx)
		defer stopMetrics()
		addr, err := serveMetrics(mctx, o.metrics, rm, d)
		if err != nil {
			d.Close(context.Background())
			return fmt.Errorf("run: %w", err)
		}
		fmt.Fprintf(stderr, "syscope: metrics at http://%s/metrics\n", addr)
	}
	if live {
		fmt.Fprintf(stderr, "syscope: watching live events with %d of %d rules\n", e.Enabled(), len(rs.Rules))
	} else {
		fmt.Fprintf(stderr, "syscope: replaying %s with %d of %d rules\n", cfg.CaptureFile, e.Enabled(), len(rs.Rules))
	}
	runErr := e.Run(ctx)
	drain, cancel := context.WithTimeout(context.Background(), cfg.Output.OutputTimeout+time.Second)
	closeErr := d.Close(drain)
	cancel()
	printSummary(stderr, e, d, rs)
	if runErr != nil {
		return fmt.Errorf("run: %w", runErr)
	}
	if closeErr != nil {
		return fmt.Errorf("run: outputs: %w", closeErr)
	}
	return nil
}

// driverDrops turns the driver's counters into drop counters: events
// written and lost in the kernel, with the losses per category.
func driverDrops(st driver.Stats) output.DropCounters {
	c := output.DropCounters{Events: st.Events + st.Lost, Drops: st.Lost, Detail: map[string]uint64{}}
	for i, n := range st.Drops {
		c.Detail["n_drops_"+driver.DropCategory(i).String()] = n
	}
	c.Detail["n_drops_oversize"] = st.Oversize
	return c
}

// alertDropConfig derives the alert-drop monitor from the event-drop
// settings: the same threshold and rate, logging always, an internal
// alert when asked (it may reach the sinks whose queues have room).
func alertDropConfig(ev output.DropConfig) output.DropConfig {
	c := ev
	c.Actions = nil
	for _, a := range ev.Actions {
		if a == output.DropLog || a == output.DropAlert {
			c.Actions = append(c.Actions, a)
		}
	}
	if len(c.Actions) == 0 {
		c.Actions = []output.DropAction{output.DropLog}
	}
	c.SimulateDrops = false
	return c
}

// printSummary writes Falco's end-of-run summary to w.
func printSummary(w io.Writer, e *engine.Engine, d *output.Dispatcher, rs *rules.Ruleset) {
	st := e.Stats()
	fmt.Fprintf(w, "Events detected: %d\n", st.Alerts)
	byPrio := map[rules.Priority]uint64{}
	type named struct {
		name string
		n    uint64
	}
	var byRule []named
	for _, r := range rs.Rules {
		n := e.Rules().RuleMatches(r.ID)
		if n == 0 {
			continue
		}
		byPrio[r.Priority] += n
		byRule = append(byRule, named{r.Name, n})
	}
	if len(byRule) > 0 {
		fmt.Fprintln(w, "Rule counts by severity:")
		for p := rules.Emergency; p <= rules.Debug; p++ {
			if n := byPrio[p]; n > 0 {
				fmt.Fprintf(w, "   %s: %d\n", strings.ToUpper(p.String()), n)
			}
		}
		sort.SliceStable(byRule, func(i, j int) bool { return byRule[i].n > byRule[j].n })
		fmt.Fprintln(w, "Triggered rules by rule name:")
		for _, r := range byRule {
			fmt.Fprintf(w, "   %s: %d\n", r.name, r.n)
		}
	}
	fmt.Fprintf(w, "Events processed: %d (read %d)\n", st.Events, st.Inspect.Events)
	ds := d.Stats()
	for _, s := range ds.Sinks {
		fmt.Fprintf(w, "Output %s: %d sent, %d failed, %d dropped\n", s.Name, s.Sent, s.Failed, s.Dropped)
	}
	if st.EventDropAlerts > 0 || st.AlertDropAlerts > 0 {
		fmt.Fprintf(w, "Drop alerts: %d for events, %d for alerts\n", st.EventDropAlerts, st.AlertDropAlerts)
	}
}
