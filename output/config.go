package output

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// ErrUnknownKey is wrapped by Config.Set for a key that is not an output
// setting, so that a caller can route the key elsewhere.
var ErrUnknownKey = errors.New("not an output setting")

// Config holds the output settings, named as in Falco's falco.yaml.
type Config struct {
	JSONOutput                      bool // json_output
	JSONIncludeOutputProperty       bool // json_include_output_property
	JSONIncludeTagsProperty         bool // json_include_tags_property
	JSONIncludeMessageProperty      bool // json_include_message_property
	JSONIncludeOutputFieldsProperty bool // json_include_output_fields_property
	TimeFormatISO8601               bool // time_format_iso_8601
	BufferedOutputs                 bool // buffered_outputs
	// Priority is the minimum priority of the rules to load (priority); the
	// rules engine applies it.
	Priority Priority
	// QueueCapacity is each sink's queue size (outputs_queue.capacity); 0
	// means DefaultQueueCapacity. Unlike Falco, 0 is not unbounded: queues
	// are always bounded.
	QueueCapacity int
	// OutputTimeout bounds how long closing waits for sinks to drain, and a
	// program to exit (output_timeout, milliseconds in YAML).
	OutputTimeout time.Duration

	Stdout  StdoutConfig
	Syslog  SyslogConfig
	File    FileConfig
	Program ProgramConfig
	HTTP    HTTPConfig

	// SyscallEventDrops configures the event drop monitor
	// (syscall_event_drops).
	SyscallEventDrops DropConfig
	// AppendOutput is append_output.
	AppendOutput []AppendOutput
}

// StdoutConfig is stdout_output.
type StdoutConfig struct{ Enabled bool }

// SyslogConfig is syslog_output. Address and Tag are syscope additions.
type SyslogConfig struct {
	Enabled bool
	Address string // syslog_output.address: the socket; empty tries the usual ones
	Tag     string // syslog_output.tag: the program name in records; empty means "syscope"
}

// FileConfig is file_output.
type FileConfig struct {
	Enabled   bool
	KeepAlive bool
	Filename  string
}

// ProgramConfig is program_output.
type ProgramConfig struct {
	Enabled   bool
	KeepAlive bool
	Program   string
}

// HTTPConfig is http_output. Format, Timeout, MaxRetries, RetryBackoff and
// CustomHeaders are syscope additions.
type HTTPConfig struct {
	Enabled                bool
	URL                    string
	UserAgent              string
	Insecure               bool
	CACert                 string
	CABundle               string
	CAPath                 string
	MTLS                   bool
	ClientCert             string
	ClientKey              string
	Echo                   bool
	CompressUploads        bool // accepted for compatibility; responses are decompressed anyway
	KeepAlive              bool
	MaxConsecutiveTimeouts int
	// Format is "json" (default, whatever json_output says: the payload
	// falcosidekick reads) or "text".
	Format        Format
	Timeout       time.Duration
	MaxRetries    int
	RetryBackoff  time.Duration
	CustomHeaders map[string]string
}

// DefaultConfig returns syscope's defaults: Falco's defaults, except that
// syslog output is off (many hosts and containers have no syslog daemon).
func DefaultConfig() Config {
	return Config{
		JSONIncludeOutputProperty:       true,
		JSONIncludeTagsProperty:         true,
		JSONIncludeOutputFieldsProperty: true,
		Priority:                        PriorityDebug,
		OutputTimeout:                   2 * time.Second,
		Stdout:                          StdoutConfig{Enabled: true},
		File:                            FileConfig{Filename: "./events.txt"},
		HTTP: HTTPConfig{
			UserAgent:              "syscope",
			CAPath:                 DefaultCAPath,
			ClientCert:             "/etc/ssl/certs/client.crt",
			ClientKey:              "/etc/ssl/certs/client.key",
			MaxConsecutiveTimeouts: 5,
			Format:                 FormatJSON,
			Timeout:                5 * time.Second,
			MaxRetries:             3,
			RetryBackoff:           200 * time.Millisecond,
		},
		SyscallEventDrops: DefaultDropConfig(),
	}
}

type setting struct {
	key  string
	doc  string
	set  func(c *Config, v string) error
	list bool // accepts key[]=value
}

func boolSetting(key, doc string, p func(c *Config) *bool) setting {
	return setting{key: key, doc: doc, set: func(c *Config, v string) error {
		b, err := parseBool(v)
		if err == nil {
			*p(c) = b
		}
		return err
	}}
}

func stringSetting(key, doc string, p func(c *Config) *string) setting {
	return setting{key: key, doc: doc, set: func(c *Config, v string) error {
		*p(c) = unquote(strings.TrimSpace(v))
		return nil
	}}
}

func intSetting(key, doc string, p func(c *Config) *int) setting {
	return setting{key: key, doc: doc, set: func(c *Config, v string) error {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 0 {
			return fmt.Errorf("want a non-negative integer, got %q", v)
		}
		*p(c) = n
		return nil
	}}
}

func floatSetting(key, doc string, p func(c *Config) *float64) setting {
	return setting{key: key, doc: doc, set: func(c *Config, v string) error {
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || f < 0 {
			return fmt.Errorf("want a non-negative number, got %q", v)
		}
		*p(c) = f
		return nil
	}}
}

// durationSetting accepts a Go duration ("1.5s") or an integer of unit.
func durationSetting(key, doc string, unit time.Duration, p func(c *Config) *time.Duration) setting {
	return setting{key: key, doc: doc, set: func(c *Config, v string) error {
		v = strings.TrimSpace(v)
		if n, err := strconv.ParseInt(v, 10, 64); err == nil && n >= 0 {
			*p(c) = time.Duration(n) * unit
			return nil
		}
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			return fmt.Errorf("want a duration (%q or an integer in %v), got %q", "1.5s", unit, v)
		}
		*p(c) = d
		return nil
	}}
}

// parseBool accepts the YAML 1.1 spellings Falco's YAML library accepts.
func parseBool(v string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(unquote(strings.TrimSpace(v)))) {
	case "true", "yes", "y", "on":
		return true, nil
	case "false", "no", "n", "off":
		return false, nil
	}
	return false, fmt.Errorf("want true or false, got %q", v)
}

// flowList parses "a", "[a, b]" or "- a\n- b" into strings.
func flowList(v string) ([]string, error) {
	var out []string
	if err := yaml.Unmarshal([]byte(v), &out); err == nil {
		return out, nil
	}
	var one string
	if err := yaml.Unmarshal([]byte(v), &one); err != nil {
		return nil, fmt.Errorf("want a list, got %q", v)
	}
	return []string{one}, nil
}

var settings = []setting{
	boolSetting("json_output", "render alerts as JSON objects instead of text lines", func(c *Config) *bool { return &c.JSONOutput }),
	boolSetting("json_include_output_property", "JSON alerts carry \"output\", the full text line", func(c *Config) *bool { return &c.JSONIncludeOutputProperty }),
	boolSetting("json_include_tags_property", "JSON alerts carry the rule's \"tags\"", func(c *Config) *bool { return &c.JSONIncludeTagsProperty }),
	boolSetting("json_include_message_property", "JSON alerts carry \"message\", the output without time and priority", func(c *Config) *bool { return &c.JSONIncludeMessageProperty }),
	boolSetting("json_include_output_fields_property", "JSON alerts carry \"output_fields\", the typed field values", func(c *Config) *bool { return &c.JSONIncludeOutputFieldsProperty }),
	boolSetting("time_format_iso_8601", "text lines start with the UTC ISO 8601 time instead of the local time of day", func(c *Config) *bool { return &c.TimeFormatISO8601 }),
	boolSetting("buffered_outputs", "stdout, file and program outputs buffer lines instead of writing each at once", func(c *Config) *bool { return &c.BufferedOutputs }),
	{key: "priority", doc: "minimum priority of the rules loaded", set: func(c *Config, v string) error {
		p, err := ParsePriority(unquote(strings.TrimSpace(v)))
		if err == nil {
			c.Priority = p
		}
		return err
	}},
	intSetting("outputs_queue.capacity", "alerts each output's queue holds before it drops (0: 1024)", func(c *Config) *int { return &c.QueueCapacity }),
	durationSetting("output_timeout", "how long closing waits for outputs to drain (milliseconds)", time.Millisecond, func(c *Config) *time.Duration { return &c.OutputTimeout }),

	boolSetting("stdout_output.enabled", "print alerts on standard output", func(c *Config) *bool { return &c.Stdout.Enabled }),

	boolSetting("syslog_output.enabled", "send alerts to the local syslog daemon", func(c *Config) *bool { return &c.Syslog.Enabled }),
	stringSetting("syslog_output.address", "syslog socket (default: /dev/log, /var/run/syslog, /var/run/log)", func(c *Config) *string { return &c.Syslog.Address }),
	stringSetting("syslog_output.tag", "program name in syslog records (default syscope)", func(c *Config) *string { return &c.Syslog.Tag }),

	boolSetting("file_output.enabled", "append alerts to a file", func(c *Config) *bool { return &c.File.Enabled }),
	boolSetting("file_output.keep_alive", "keep the file open between alerts", func(c *Config) *bool { return &c.File.KeepAlive }),
	stringSetting("file_output.filename", "the file alerts are appended to", func(c *Config) *string { return &c.File.Filename }),

	boolSetting("program_output.enabled", "write alerts to a program's standard input", func(c *Config) *bool { return &c.Program.Enabled }),
	boolSetting("program_output.keep_alive", "keep the program running between alerts", func(c *Config) *bool { return &c.Program.KeepAlive }),
	stringSetting("program_output.program", "shell command line of the program", func(c *Config) *string { return &c.Program.Program }),

	boolSetting("http_output.enabled", "POST alerts to a URL", func(c *Config) *bool { return &c.HTTP.Enabled }),
	stringSetting("http_output.url", "the URL alerts are posted to", func(c *Config) *string { return &c.HTTP.URL }),
	stringSetting("http_output.user_agent", "User-Agent of the requests", func(c *Config) *string { return &c.HTTP.UserAgent }),
	boolSetting("http_output.insecure", "do not verify the server's certificate", func(c *Config) *bool { return &c.HTTP.Insecure }),
	stringSetting("http_output.ca_cert", "PEM file of trusted roots (replaces the system roots)", func(c *Config) *string { return &c.HTTP.CACert }),
	stringSetting("http_output.ca_bundle", "PEM bundle of trusted roots, used when ca_cert is empty", func(c *Config) *string { return &c.HTTP.CABundle }),
	stringSetting("http_output.ca_path", "directory of PEM roots added to the system roots", func(c *Config) *string { return &c.HTTP.CAPath }),
	boolSetting("http_output.mtls", "present a client certificate", func(c *Config) *bool { return &c.HTTP.MTLS }),
	stringSetting("http_output.client_cert", "client certificate (PEM) for mtls", func(c *Config) *string { return &c.HTTP.ClientCert }),
	stringSetting("http_output.client_key", "client key (PEM) for mtls", func(c *Config) *string { return &c.HTTP.ClientKey }),
	boolSetting("http_output.echo", "copy the server's responses to standard output", func(c *Config) *bool { return &c.HTTP.Echo }),
	boolSetting("http_output.compress_uploads", "accepted for compatibility (compressed responses are always accepted)", func(c *Config) *bool { return &c.HTTP.CompressUploads }),
	boolSetting("http_output.keep_alive", "TCP keep-alive probes on the connection", func(c *Config) *bool { return &c.HTTP.KeepAlive }),
	intSetting("http_output.max_consecutive_timeouts", "retries of an attempt that timed out", func(c *Config) *int { return &c.HTTP.MaxConsecutiveTimeouts }),
	{key: "http_output.format", doc: "body of the requests: json (default) or text", set: func(c *Config, v string) error {
		switch strings.ToLower(unquote(strings.TrimSpace(v))) {
		case "json":
			c.HTTP.Format = FormatJSON
		case "text":
			c.HTTP.Format = FormatText
		default:
			return fmt.Errorf("want json or text, got %q", v)
		}
		return nil
	}},
	durationSetting("http_output.timeout", "bound on one attempt (\"5s\", or milliseconds)", time.Millisecond, func(c *Config) *time.Duration { return &c.HTTP.Timeout }),
	intSetting("http_output.max_retries", "retries after a connection error or a 408/425/429/5xx response", func(c *Config) *int { return &c.HTTP.MaxRetries }),
	durationSetting("http_output.retry_backoff", "wait before the first retry, doubled each time up to 5 s (\"200ms\", or milliseconds)", time.Millisecond, func(c *Config) *time.Duration { return &c.HTTP.RetryBackoff }),
	{key: "http_output.custom_headers", doc: "extra request headers: a map, or http_output.custom_headers.NAME=VALUE, or custom_headers[]=\"Name: value\"", list: true, set: func(c *Config, v string) error {
		var m map[string]string
		if err := yaml.Unmarshal([]byte(v), &m); err == nil && m != nil {
			c.HTTP.CustomHeaders = m
			return nil
		}
		name, val, ok := strings.Cut(unquote(strings.TrimSpace(v)), ":")
		if !ok || strings.TrimSpace(name) == "" {
			return fmt.Errorf("want a map or \"Name: value\", got %q", v)
		}
		if c.HTTP.CustomHeaders == nil {
			c.HTTP.CustomHeaders = map[string]string{}
		}
		c.HTTP.CustomHeaders[strings.TrimSpace(name)] = strings.TrimSpace(val)
		return nil
	}},

	floatSetting("syscall_event_drops.threshold", "share of dropped events (0..1) per check above which the actions run", func(c *Config) *float64 { return &c.SyscallEventDrops.Threshold }),
	floatSetting("syscall_event_drops.rate", "actions per second, on average", func(c *Config) *float64 { return &c.SyscallEventDrops.Rate }),
	floatSetting("syscall_event_drops.max_burst", "actions in a row", func(c *Config) *float64 { return &c.SyscallEventDrops.MaxBurst }),
	boolSetting("syscall_event_drops.simulate_drops", "pretend every check saw a drop", func(c *Config) *bool { return &c.SyscallEventDrops.SimulateDrops }),
	{key: "syscall_event_drops.priority", doc: "priority of the drop alert (default critical)", set: func(c *Config, v string) error {
		p, err := ParsePriority(unquote(strings.TrimSpace(v)))
		if err == nil {
			c.SyscallEventDrops.Priority = p
		}
		return err
	}},
	{key: "syscall_event_drops.actions", doc: "ignore, log, alert, exit (a list)", list: true, set: func(c *Config, v string) error {
		names, err := flowList(v)
		if err != nil {
			return err
		}
		acts := make([]DropAction, 0, len(names))
		for _, n := range names {
			a, err := ParseDropAction(n)
			if err != nil {
				return err
			}
			acts = append(acts, a)
		}
		c.SyscallEventDrops.Actions = acts
		return nil
	}},
	{key: "append_output", doc: "extra output and fields per rule, source or tag (a list of entries)", list: true, set: func(c *Config, v string) error {
		a, err := ParseAppendOutput([]byte(v))
		if err != nil {
			return err
		}
		c.AppendOutput = a
		return nil
	}},
}

func lookupSetting(key string) (*setting, bool) {
	for i := range settings {
		if settings[i].key == key {
			return &settings[i], true
		}
	}
	return nil, false
}

// Keys returns the setting names Set accepts, with a one-line description
// each.
func Keys() map[string]string {
	m := make(map[string]string, len(settings))
	for _, s := range settings {
		m[s.key] = s.doc
	}
	return m
}

// Set applies one "key=value" setting as given to -o. A key ending in "[]"
// appends to a list setting (syscall_event_drops.actions[]=alert,
// append_output[]={...}); http_output.custom_headers.NAME=VALUE sets one
// header. An unknown key returns an error wrapping ErrUnknownKey.
func (c *Config) Set(key, value string) error {
	key = strings.TrimSpace(key)
	if name, ok := strings.CutPrefix(key, "http_output.custom_headers."); ok && name != "" {
		if c.HTTP.CustomHeaders == nil {
			c.HTTP.CustomHeaders = map[string]string{}
		}
		c.HTTP.CustomHeaders[name] = unquote(strings.TrimSpace(value))
		return nil
	}
	appendTo := false
	if k, ok := strings.CutSuffix(key, "[]"); ok {
		key, appendTo = k, true
	}
	s, ok := lookupSetting(key)
	if !ok {
		return fmt.Errorf("%s: %w", key, ErrUnknownKey)
	}
	if appendTo && !s.list {
		return fmt.Errorf("%s: not a list setting", key)
	}
	if appendTo {
		// Apply to a scratch copy, then append its result.
		var scratch Config
		if err := s.set(&scratch, value); err != nil {
			return fmt.Errorf("%s: %w", key, err)
		}
		switch key {
		case "syscall_event_drops.actions":
			c.SyscallEventDrops.Actions = append(c.SyscallEventDrops.Actions, scratch.SyscallEventDrops.Actions...)
		case "append_output":
			c.AppendOutput = append(c.AppendOutput, scratch.AppendOutput...)
		case "http_output.custom_headers":
			if c.HTTP.CustomHeaders == nil {
				c.HTTP.CustomHeaders = map[string]string{}
			}
			maps.Copy(c.HTTP.CustomHeaders, scratch.HTTP.CustomHeaders)
		}
		return nil
	}
	if err := s.set(c, value); err != nil {
		return fmt.Errorf("%s: %w", key, err)
	}
	return nil
}

// SetOption applies "key=value" (the argument of -o).
func (c *Config) SetOption(kv string) error {
	k, v, ok := strings.Cut(kv, "=")
	if !ok {
		return fmt.Errorf("option %q: want key=value", kv)
	}
	return c.Set(k, v)
}

// LoadYAML applies the output settings found in a falco.yaml-style document
// and returns the keys it did not know (dotted, sorted), which belong to
// other parts of syscope or to nothing.
func (c *Config) LoadYAML(doc []byte) (unknown []string, err error) {
	var root yaml.Node
	if err := yaml.Unmarshal(doc, &root); err != nil {
		return nil, fmt.Errorf("parse configuration: %w", err)
	}
	if root.Kind != yaml.DocumentNode || len(root.Content) == 0 {
		return nil, nil
	}
	top := root.Content[0]
	if top.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("parse configuration: line %d: want a map at the top", top.Line)
	}
	var walk func(prefix string, n *yaml.Node) error
	walk = func(prefix string, n *yaml.Node) error {
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			key := k.Value
			if prefix != "" {
				key = prefix + "." + k.Value
			}
			s, known := lookupSetting(key)
			switch {
			case key == "append_output":
				a, err := parseAppendOutputNode(v)
				if err != nil {
					return fmt.Errorf("parse configuration: %w", err)
				}
				c.AppendOutput = a
			case key == "http_output.custom_headers":
				m := map[string]string{}
				if err := v.Decode(&m); err != nil {
					return fmt.Errorf("parse configuration: line %d: %s: %w", v.Line, key, err)
				}
				c.HTTP.CustomHeaders = m
			case known && s.list && v.Kind == yaml.SequenceNode:
				b, err := yaml.Marshal(v)
				if err != nil {
					return fmt.Errorf("parse configuration: line %d: %s: %w", v.Line, key, err)
				}
				if err := s.set(c, string(b)); err != nil {
					return fmt.Errorf("parse configuration: line %d: %s: %w", v.Line, key, err)
				}
			case known && v.Kind == yaml.ScalarNode:
				if err := s.set(c, v.Value); err != nil {
					return fmt.Errorf("parse configuration: line %d: %s: %w", v.Line, key, err)
				}
			case known:
				return fmt.Errorf("parse configuration: line %d: %s: want a single value", v.Line, key)
			case v.Kind == yaml.MappingNode:
				if err := walk(key, v); err != nil {
					return err
				}
			default:
				unknown = append(unknown, key)
			}
		}
		return nil
	}
	if err := walk("", top); err != nil {
		return nil, err
	}
	slices.Sort(unknown)
	return unknown, nil
}

// Validate checks that every enabled output has what it needs.
func (c *Config) Validate() error {
	var errs []error
	if c.File.Enabled && c.File.Filename == "" {
		errs = append(errs, errors.New("file output enabled but no file_output.filename"))
	}
	if c.Program.Enabled && c.Program.Program == "" {
		errs = append(errs, errors.New("program output enabled but no program_output.program"))
	}
	if c.HTTP.Enabled && c.HTTP.URL == "" {
		errs = append(errs, errors.New("http output enabled but no http_output.url"))
	}
	if c.SyscallEventDrops.Threshold > 1 {
		errs = append(errs, errors.New("syscall_event_drops.threshold must be between 0 and 1"))
	}
	return errors.Join(errs...)
}

// FormatterOptions returns the rendering options the configuration implies.
func (c *Config) FormatterOptions() FormatterOptions {
	return FormatterOptions{
		TimeFormatISO8601: c.TimeFormatISO8601,
		OmitOutput:        !c.JSONIncludeOutputProperty,
		OmitTags:          !c.JSONIncludeTagsProperty,
		OmitOutputFields:  !c.JSONIncludeOutputFieldsProperty,
		IncludeMessage:    c.JSONIncludeMessageProperty,
	}
}

// BuildOptions adjust what New builds. A nil *BuildOptions means defaults.
type BuildOptions struct {
	// Hostname for JSON alerts; empty means DefaultHostname().
	Hostname string
	// Stdout is where the stdout output writes; nil means os.Stdout.
	Stdout io.Writer
	// OnError receives sink errors (see DispatcherOptions).
	OnError func(sink string, err error)
}

// New validates c and builds a dispatcher with a sink for every enabled
// output: text or JSON per json_output, except the HTTP output, which posts
// JSON unless http_output.format is text.
func New(c Config, o *BuildOptions) (*Dispatcher, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if o == nil {
		o = &BuildOptions{}
	}
	fo := c.FormatterOptions()
	fo.Hostname = o.Hostname
	d := NewDispatcher(NewFormatter(fo), &DispatcherOptions{QueueCapacity: c.QueueCapacity, OnError: o.OnError})
	format := FormatText
	if c.JSONOutput {
		format = FormatJSON
	}
	fail := func(err error) (*Dispatcher, error) {
		d.Close(closedContext())
		return nil, err
	}
	if c.Stdout.Enabled {
		w := o.Stdout
		if w == nil {
			w = os.Stdout
		}
		d.AddSink(NewWriterSink("stdout", w, c.BufferedOutputs), format)
	}
	if c.File.Enabled {
		s, err := NewFileSink(FileOptions{Path: c.File.Filename, KeepAlive: c.File.KeepAlive, Buffered: c.BufferedOutputs})
		if err != nil {
			return fail(err)
		}
		if err := s.Check(); err != nil {
			return fail(err)
		}
		d.AddSink(s, format)
	}
	if c.Program.Enabled {
		s, err := NewProgramSink(ProgramOptions{
			Program: c.Program.Program, KeepAlive: c.Program.KeepAlive,
			Buffered: c.BufferedOutputs, StopTimeout: c.OutputTimeout,
			Stdout: o.Stdout,
		})
		if err != nil {
			return fail(err)
		}
		d.AddSink(s, format)
	}
	if c.Syslog.Enabled {
		d.AddSink(NewSyslogSink(SyslogOptions{Address: c.Syslog.Address, Tag: c.Syslog.Tag}), format)
	}
	if c.HTTP.Enabled {
		h := HTTPOptions{
			URL: c.HTTP.URL, Format: c.HTTP.Format, UserAgent: c.HTTP.UserAgent,
			Headers: c.HTTP.CustomHeaders, Timeout: c.HTTP.Timeout,
			MaxRetries: c.HTTP.MaxRetries, MaxConsecutiveTimeouts: c.HTTP.MaxConsecutiveTimeouts,
			Backoff: c.HTTP.RetryBackoff, CACert: c.HTTP.CACert, CABundle: c.HTTP.CABundle,
			CAPath: c.HTTP.CAPath, Insecure: c.HTTP.Insecure, KeepAlive: c.HTTP.KeepAlive,
		}
		if c.HTTP.MTLS {
			h.ClientCert, h.ClientKey = c.HTTP.ClientCert, c.HTTP.ClientKey
		}
		if c.HTTP.Echo {
			h.Echo = o.Stdout
			if h.Echo == nil {
				h.Echo = os.Stdout
			}
		}
		s, err := NewHTTPSink(h)
		if err != nil {
			return fail(err)
		}
		d.AddSink(s, c.HTTP.Format)
	}
	return d, nil
}
