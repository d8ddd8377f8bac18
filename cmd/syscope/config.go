package main

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/syscope/syscope/engine"
	"github.com/syscope/syscope/output"
	"github.com/syscope/syscope/rules"
)

// runConfig is the configuration of `syscope run`, named as in Falco's
// falco.yaml: the output settings (package output), plus the rules, rule
// selection and event source settings below. -c loads a YAML file of these
// keys, -o sets one key=value, later settings winning.
type runConfig struct {
	Output output.Config

	// RulesFiles is rules_files: files or directories loaded in order
	// (the embedded default rules when empty).
	RulesFiles []string
	// MatchAll is rule_matching: all (default first).
	MatchAll bool
	// Toggles are the "rules" entries: enable/disable by rule name
	// (pattern) or tag, in order.
	Toggles []engine.Toggle
	// EngineKind is engine.kind: modern_ebpf (live, default) or replay.
	EngineKind string
	// CaptureFile is engine.replay.capture_file.
	CaptureFile string
	// BufSizePreset is engine.modern_ebpf.buf_size_preset (0: the driver's
	// default); CPUsForEachBuffer is engine.modern_ebpf.cpus_for_each_buffer
	// (0: one buffer shared by all CPUs, otherwise one per CPU).
	BufSizePreset     int
	CPUsForEachBuffer int
	// Snaplen is snaplen: bytes of I/O data captured (0: the driver's default).
	Snaplen int
}

func defaultRunConfig() *runConfig {
	return &runConfig{Output: output.DefaultConfig(), EngineKind: "modern_ebpf", CPUsForEachBuffer: 1}
}

// runKeys documents the keys runConfig handles itself.
var runKeys = map[string]string{
	"rules_files":                             "rules files or directories, loaded in order (a list; rules_files[]=F appends)",
	"rules_file":                              "legacy name of rules_files",
	"rule_matching":                           "first (raise the first matching rule of an event) or all",
	"rules[].enable.rule":                     "enable the rules whose name matches (a name or shell pattern)",
	"rules[].disable.rule":                    "disable the rules whose name matches (a name or shell pattern)",
	"rules[].enable.tag":                      "enable the rules carrying a tag",
	"rules[].disable.tag":                     "disable the rules carrying a tag",
	"engine.kind":                             "modern_ebpf (live, the default) or replay",
	"engine.replay.capture_file":              "the capture file replayed when engine.kind=replay",
	"engine.modern_ebpf.buf_size_preset":      "ring buffer size: 1..10 for 1 MiB..512 MiB (doubling), 0 for the driver's default",
	"engine.modern_ebpf.cpus_for_each_buffer": "0: one ring buffer shared by all CPUs; otherwise one per CPU",
	"snaplen":                                 "bytes of I/O data captured per event (0: the driver's default)",
}

// Set applies one key=value.
func (c *runConfig) Set(key, value string) error {
	key = strings.TrimSpace(key)
	v := strings.TrimSpace(value)
	switch key {
	case "rules_files", "rules_file":
		l, err := stringList(v)
		if err != nil {
			return fmt.Errorf("%s: %w", key, err)
		}
		c.RulesFiles = l
		return nil
	case "rules_files[]", "rules_file[]":
		c.RulesFiles = append(c.RulesFiles, unquote(v))
		return nil
	case "rule_matching":
		switch strings.ToLower(unquote(v)) {
		case "first":
			c.MatchAll = false
		case "all":
			c.MatchAll = true
		default:
			return fmt.Errorf("rule_matching: want first or all, got %q", v)
		}
		return nil
	case "rules[].enable.rule", "rules[].disable.rule", "rules[].enable.tag", "rules[].disable.tag":
		parts := strings.Split(strings.TrimPrefix(key, "rules[]."), ".")
		t := engine.Toggle{Enable: parts[0] == "enable"}
		if parts[1] == "rule" {
			t.Rule = unquote(v)
		} else {
			t.Tag = unquote(v)
		}
		c.Toggles = append(c.Toggles, t)
		return nil
	case "engine.kind":
		k := unquote(v)
		if k != "modern_ebpf" && k != "replay" {
			return fmt.Errorf("engine.kind: syscope has modern_ebpf (live) and replay, not %q", k)
		}
		c.EngineKind = k
		return nil
	case "engine.replay.capture_file":
		c.CaptureFile = unquote(v)
		return nil
	case "engine.modern_ebpf.buf_size_preset", "syscall_buf_size_preset":
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 10 {
			return fmt.Errorf("%s: want 0..10, got %q", key, v)
		}
		c.BufSizePreset = n
		return nil
	case "engine.modern_ebpf.cpus_for_each_buffer":
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return fmt.Errorf("%s: want a non-negative integer, got %q", key, v)
		}
		c.CPUsForEachBuffer = n
		return nil
	case "snaplen":
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return fmt.Errorf("snaplen: want a non-negative integer, got %q", v)
		}
		c.Snaplen = n
		return nil
	}
	if err := c.Output.Set(key, value); err != nil {
		if errors.Is(err, output.ErrUnknownKey) {
			return fmt.Errorf("unknown setting %q (see `syscope run --help-config`)", key)
		}
		return err
	}
	return nil
}

// SetOption applies "key=value" (the argument of -o).
func (c *runConfig) SetOption(kv string) error {
	k, v, ok := strings.Cut(kv, "=")
	if !ok {
		return fmt.Errorf("option %q: want key=value", kv)
	}
	return c.Set(k, v)
}

// LoadYAML applies a falco.yaml-style document. It returns the keys that
// neither syscope's outputs nor the engine know (they are ignored).
func (c *runConfig) LoadYAML(doc []byte) ([]string, error) {
	unknown, err := c.Output.LoadYAML(doc)
	if err != nil {
		return nil, err
	}
	var f struct {
		RulesFiles   []string `yaml:"rules_files"`
		RulesFile    []string `yaml:"rules_file"`
		RuleMatching *string  `yaml:"rule_matching"`
		Snaplen      *int     `yaml:"snaplen"`
		Rules        []struct {
			Enable  *selector `yaml:"enable"`
			Disable *selector `yaml:"disable"`
		} `yaml:"rules"`
		Engine struct {
			Kind   *string `yaml:"kind"`
			Replay struct {
				CaptureFile *string `yaml:"capture_file"`
			} `yaml:"replay"`
			ModernEBPF struct {
				BufSizePreset     *int `yaml:"buf_size_preset"`
				CPUsForEachBuffer *int `yaml:"cpus_for_each_buffer"`
			} `yaml:"modern_ebpf"`
		} `yaml:"engine"`
	}
	if err := yaml.Unmarshal(doc, &f); err != nil {
		return nil, fmt.Errorf("parse configuration: %w", err)
	}
	if f.RulesFiles != nil {
		c.RulesFiles = f.RulesFiles
	} else if f.RulesFile != nil {
		c.RulesFiles = f.RulesFile
	}
	set := func(k string, v string) {
		if err == nil {
			err = c.Set(k, v)
		}
	}
	if f.RuleMatching != nil {
		set("rule_matching", *f.RuleMatching)
	}
	if f.Snaplen != nil {
		set("snaplen", strconv.Itoa(*f.Snaplen))
	}
	if f.Engine.Kind != nil {
		set("engine.kind", *f.Engine.Kind)
	}
	if f.Engine.Replay.CaptureFile != nil {
		set("engine.replay.capture_file", *f.Engine.Replay.CaptureFile)
	}
	if f.Engine.ModernEBPF.BufSizePreset != nil {
		set("engine.modern_ebpf.buf_size_preset", strconv.Itoa(*f.Engine.ModernEBPF.BufSizePreset))
	}
	if f.Engine.ModernEBPF.CPUsForEachBuffer != nil {
		set("engine.modern_ebpf.cpus_for_each_buffer", strconv.Itoa(*f.Engine.ModernEBPF.CPUsForEachBuffer))
	}
	for i, r := range f.Rules {
		for _, s := range []struct {
			sel    *selector
			enable bool
		}{{r.Enable, true}, {r.Disable, false}} {
			if s.sel == nil {
				continue
			}
			if s.sel.Rule == "" && s.sel.Tag == "" {
				return nil, fmt.Errorf("parse configuration: rules entry %d: want rule or tag", i+1)
			}
			if s.sel.Rule != "" {
				c.Toggles = append(c.Toggles, engine.Toggle{Enable: s.enable, Rule: s.sel.Rule})
			}
			if s.sel.Tag != "" {
				c.Toggles = append(c.Toggles, engine.Toggle{Enable: s.enable, Tag: s.sel.Tag})
			}
		}
	}
	if err != nil {
		return nil, fmt.Errorf("parse configuration: %w", err)
	}
	var rest []string
	for _, k := range unknown {
		if !ownKey(k) {
			rest = append(rest, k)
		}
	}
	return rest, nil
}

type selector struct {
	Rule string `yaml:"rule"`
	Tag  string `yaml:"tag"`
}

// ownKey reports whether a dotted key (as output.Config.LoadYAML reports
// unknown ones) belongs to runConfig.
func ownKey(k string) bool {
	for _, p := range []string{"rules_files", "rules_file", "rule_matching", "rules", "engine.", "snaplen"} {
		if k == p || strings.HasPrefix(k, p) {
			return true
		}
	}
	return false
}

// MinPriority is the priority setting as a rules priority.
func (c *runConfig) MinPriority() rules.Priority { return rules.Priority(c.Output.Priority) }

// RingSize is the driver's ring size for the buffer preset (0: default).
func (c *runConfig) RingSize() int {
	if c.BufSizePreset == 0 {
		return 0
	}
	return 1 << 20 << (c.BufSizePreset - 1)
}

// configHelp lists every key -o accepts.
func configHelp() string {
	all := map[string]string{}
	for k, v := range output.Keys() {
		all[k] = v
	}
	for k, v := range runKeys {
		all[k] = v
	}
	keys := make([]string, 0, len(all))
	for k := range all {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "  %-42s %s\n", k, all[k])
	}
	return b.String()
}

func stringList(v string) ([]string, error) {
	var l []string
	if err := yaml.Unmarshal([]byte(v), &l); err == nil {
		return l, nil
	}
	var one string
	if err := yaml.Unmarshal([]byte(v), &one); err != nil {
		return nil, fmt.Errorf("want a file or a list of files, got %q", v)
	}
	if one == "" {
		return nil, nil
	}
	return []string{one}, nil
}

func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '"' && s[len(s)-1] == '"' || s[0] == '\'' && s[len(s)-1] == '\'') {
		return s[1 : len(s)-1]
	}
	return s
}

// readConfigFile loads a configuration file.
func (c *runConfig) readConfigFile(path string) ([]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read configuration: %w", err)
	}
	return c.LoadYAML(b)
}
