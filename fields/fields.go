package fields

import (
	"errors"
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/filter"
	"github.com/syscope/syscope/state"
)

// Ctx is the per-event context extractors read.
type Ctx = *state.Ctx

// Print says how a numeric field is printed (libsinsp's print formats).
type Print uint8

// Print formats.
const (
	PrintNA       Print = iota // no numeric format (strings, booleans)
	PrintDec                   // decimal
	PrintHex                   // hexadecimal (upper case digits)
	PrintOct                   // octal
	PrintID                    // an identifier, printed in decimal
	Print10Padded              // zero-padded to 9 digits (nanosecond fractions)
	PrintDir                   // an event direction
)

// ArgForm says which argument a field takes.
type ArgForm uint8

// Argument forms.
const (
	// ArgNone: the field takes no argument.
	ArgNone ArgForm = iota
	// ArgIndex: an optional number in brackets (proc.aname[2]).
	ArgIndex
	// ArgKey: a required name, after a dot or in brackets
	// (thread.cgroup.cpuacct, thread.cgroup[cpuacct]).
	ArgKey
	// ArgKeyOpt: an optional name in brackets (proc.env[HOME]).
	ArgKeyOpt
	// ArgIndexOrKey: a required index in brackets or name after a dot
	// (evt.arg[0], evt.arg.fd).
	ArgIndexOrKey
)

// Def describes one field: its name, value type, how it prints, which
// argument it takes, and how to bind it to an extractor.
type Def struct {
	Name string
	Type filter.FieldType
	// Bits is the width of an integer type (8, 16, 32 or 64); 0 means 64.
	// It decides how negative numbers print in hex and how sysdig's JSON
	// writer encodes the value.
	Bits  uint8
	Print Print
	Flags filter.FieldFlags
	// Arity is the field's arity when no argument is given.
	Arity filter.Arity
	Arg   ArgForm
	// Desc is a one-line description.
	Desc string
	// Bind returns the extractor for one use of the field.
	Bind func(b *Binding) (*Extractor, error)
}

// Binding is what Def.Bind gets: the environment and the argument the
// field was written with.
type Binding struct {
	Env *Env
	Def *Def
	// Arg is the argument text, HasArg whether one was given.
	Arg    string
	HasArg bool
	// Index is the argument as a number when it is one, else -1.
	Index int
}

// Class is a named group of fields, as `syscope fields` lists them.
type Class struct {
	Name   string
	Desc   string
	Fields []Def
}

// Registry holds field classes. It is safe for concurrent use.
type Registry struct {
	mu      sync.RWMutex
	classes []*Class
	byName  map[string]*Def
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{byName: make(map[string]*Def)} }

// Register adds a class. It fails when a field name is already registered
// or a definition is incomplete.
func (r *Registry) Register(c *Class) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	seen := make(map[string]bool, len(c.Fields))
	for i := range c.Fields {
		d := &c.Fields[i]
		if d.Name == "" || d.Bind == nil {
			return fmt.Errorf("register class %s: field %d: missing name or binder", c.Name, i)
		}
		if _, dup := r.byName[d.Name]; dup || seen[d.Name] {
			return fmt.Errorf("register class %s: field %s already registered", c.Name, d.Name)
		}
		seen[d.Name] = true
	}
	r.classes = append(r.classes, c)
	for i := range c.Fields {
		r.byName[c.Fields[i].Name] = &c.Fields[i]
	}
	return nil
}

// Classes returns the registered classes in registration order.
func (r *Registry) Classes() []*Class {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return append([]*Class(nil), r.classes...)
}

// Lookup returns the definition of the field called name (without its
// argument), or nil.
func (r *Registry) Lookup(name string) *Def {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.byName[name]
}

// Names returns every field name, sorted.
func (r *Registry) Names() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	n := make([]string, 0, len(r.byName))
	for k := range r.byName {
		n = append(n, k)
	}
	sort.Strings(n)
	return n
}

var (
	defaultOnce sync.Once
	defaultReg  *Registry
)

// Default returns the registry with the built-in classes. Packages that add
// field classes register them here (typically from an init function).
func Default() *Registry {
	defaultOnce.Do(func() {
		defaultReg = NewRegistry()
		for _, c := range builtinClasses() {
			if err := defaultReg.Register(c); err != nil {
				panic(err) // the built-in tables are consistent; a test checks it
			}
		}
	})
	return defaultReg
}

// Compat selects which libsinsp behaviour fields follow where versions
// differ.
type Compat uint8

// Compatibility modes.
const (
	// Current follows current libsinsp.
	Current Compat = iota
	// Sysdig029 follows sysdig 0.29.3, where its output differs (see
	// docs/compatibility.md).
	Sysdig029
)

// Env is what extractors need beyond the per-event context. The owner (an
// inspector) fills it in and may update FirstTs and Interfaces as the source
// delivers them; extractors read it at extraction time.
type Env struct {
	// State is the thread table, users and groups (nil: none).
	State *state.State
	// FirstTs is the timestamp of the source's first event (evt.reltime).
	FirstTs uint64
	// Local lists the addresses of the machine's interfaces (fd.lip,
	// fd.rip, fd.is_server decide from them which end is local).
	Local []netip.Addr
	// Hostname is the machine's name (evt.hostname).
	Hostname string
	// Location is the time zone of evt.time and friends (nil: time.Local).
	Location *time.Location
	// OutputTime selects evt.outputtime's form, as sysdig's -t: 'h' (the
	// default: like evt.time), 'a' (absolute seconds.nanoseconds), 'r'
	// (relative to the first event), 'd' (latency), 'D' (delta from the
	// previous printed event).
	OutputTime byte
	// BufFormat is how byte buffers render in evt.args, evt.arg and
	// evt.buffer (zero: event.BufNormal; JSON output uses event.BufJSON).
	BufFormat event.BufFormat
	// MaxBufLen cuts buffers rendered in the normal format to this many
	// characters, the last three replaced by "...": 0 means sysdig's
	// default (80), a negative value no limit (sysdig -v).
	MaxBufLen int
	// Compat selects version-specific behaviour.
	Compat Compat
	// ContainerID returns the id of the container a thread runs in ("" for
	// the host); nil means every thread runs on the host.
	ContainerID func(t *state.Thread) string

	// syslog is set once a syslog.* field is bound: evt.info then shows
	// writes to /dev/log decoded, as libsinsp does once its syslog decoder
	// is in use.
	syslog bool
}

// flags returns the flags of ev's type: sysdig 0.29.3's in Sysdig029
// mode, the current schema's otherwise.
func (e *Env) flags(ev *event.Event) event.EventFlags {
	if e.Compat == Sysdig029 {
		return state.SinspFlags(ev.Type())
	}
	return ev.Info().Flags
}

func (e *Env) loc() *time.Location {
	if e.Location != nil {
		return e.Location
	}
	return time.Local
}

// IsLocal reports whether a is one of the machine's addresses. IPv6
// addresses match an interface when their first 64 bits (the network and
// subnet part) are equal, as libsinsp decides.
func (e *Env) IsLocal(a netip.Addr) bool {
	if a.Is4() {
		for _, l := range e.Local {
			if l == a {
				return true
			}
		}
		return false
	}
	a16 := a.As16()
	for _, l := range e.Local {
		if !l.Is6() || l.Is4In6() {
			continue
		}
		l16 := l.As16()
		if [8]byte(a16[:8]) == [8]byte(l16[:8]) {
			return true
		}
	}
	return false
}

// Errors Resolve wraps (besides filter.ErrUnknownField and
// filter.ErrFieldArg).
var (
	// ErrFilterOnly: the field may be used in filters only, not in
	// output formats.
	ErrFilterOnly = errors.New("field is filter only and cannot be printed")
)

// Resolver binds field references to extractors. It implements
// filter.Resolver[*state.Ctx]. A Resolver is not safe for concurrent use
// by several goroutines resolving at once, but the extractors it returns
// follow the filter package's concurrency contract.
type Resolver struct {
	reg *Registry
	env *Env
}

// NewResolver returns a resolver over the fields of reg (Default() when
// nil), extracting with env (an empty Env when nil).
func NewResolver(reg *Registry, env *Env) *Resolver {
	if reg == nil {
		reg = Default()
	}
	if env == nil {
		env = &Env{}
	}
	return &Resolver{reg: reg, env: env}
}

// Env returns the resolver's environment.
func (r *Resolver) Env() *Env { return r.env }

// Registry returns the resolver's registry.
func (r *Resolver) Registry() *Registry { return r.reg }

// Resolve implements filter.Resolver.
func (r *Resolver) Resolve(ref filter.Ref) (filter.Field[Ctx], error) {
	x, err := r.Extractor(ref)
	if err != nil {
		return filter.Field[Ctx]{}, err
	}
	return x.Field, nil
}

// takesDotArg reports whether the field accepts an argument after a dot.
func (d *Def) takesDotArg() bool { return d.Arg == ArgKey || d.Arg == ArgIndexOrKey }

// split resolves a reference to a definition and its argument.
func (r *Resolver) split(ref filter.Ref) (*Def, string, bool, error) {
	if d := r.reg.Lookup(ref.Name); d != nil {
		return d, ref.Arg, ref.HasArg, nil
	}
	name, arg, ok := filter.SplitDotArg(ref.Name, func(n string) bool {
		d := r.reg.Lookup(n)
		return d != nil && d.takesDotArg()
	})
	if !ok {
		return nil, "", false, fmt.Errorf("%w: %s", filter.ErrUnknownField, ref.Name)
	}
	if ref.HasArg {
		return nil, "", false, fmt.Errorf("%w: %s: both a dotted and a bracketed argument", filter.ErrFieldArg, ref.String())
	}
	return r.reg.Lookup(name), arg, true, nil
}

// Extractor returns the extractor for a field reference.
func (r *Resolver) Extractor(ref filter.Ref) (*Extractor, error) {
	d, arg, hasArg, err := r.split(ref)
	if err != nil {
		return nil, err
	}
	b := &Binding{Env: r.env, Def: d, Arg: arg, HasArg: hasArg, Index: -1}
	switch d.Arg {
	case ArgNone:
		if hasArg {
			return nil, fmt.Errorf("%w: %s takes no argument", filter.ErrFieldArg, d.Name)
		}
	case ArgIndex:
		if hasArg {
			n, err := strconv.Atoi(strings.TrimSpace(arg))
			if err != nil || n < 0 {
				return nil, fmt.Errorf("%w: %s: argument %q is not a non-negative number", filter.ErrFieldArg, d.Name, arg)
			}
			b.Index = n
		}
	case ArgKey:
		if !hasArg || arg == "" {
			return nil, fmt.Errorf("%w: %s needs an argument", filter.ErrFieldArg, d.Name)
		}
	case ArgKeyOpt:
		if hasArg && arg == "" {
			return nil, fmt.Errorf("%w: %s: empty argument", filter.ErrFieldArg, d.Name)
		}
	case ArgIndexOrKey:
		if !hasArg || arg == "" {
			return nil, fmt.Errorf("%w: %s needs an argument", filter.ErrFieldArg, d.Name)
		}
		if n, err := strconv.Atoi(arg); err == nil {
			if n < 0 {
				return nil, fmt.Errorf("%w: %s: negative index %d", filter.ErrFieldArg, d.Name, n)
			}
			b.Index = n
		}
	}
	x, err := d.Bind(b)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", filter.ErrFieldArg, ref.String(), err)
	}
	x.def = d
	x.env = r.env
	x.Field.Info.Name = d.Name
	x.Field.Info.Arg = arg
	x.Field.Info.HasArg = hasArg
	if x.Field.Info.Type == filter.TypeNone {
		x.Field.Info.Type = d.Type
	}
	x.Field.Info.Flags |= d.Flags
	if x.bits == 0 {
		x.bits = d.Bits
	}
	if x.print == 0 {
		x.print = d.Print
	}
	if !x.Field.Valid() {
		return nil, fmt.Errorf("field %s: extractor does not match its type %s", d.Name, x.Field.Info.Type)
	}
	x.fastText()
	return x, nil
}

// isFieldChar reports whether c may appear in a field name.
func isFieldChar(c byte) bool {
	return c == '.' || c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// ParseToken reads the field reference at the start of s, as an output
// format writes it after a '%': the longest known field name that s starts
// with, then its argument (in brackets, or after a dot for the fields that
// take one). It returns the reference and how many bytes of s it used, or
// n == 0 when s starts with no known field.
func (r *Resolver) ParseToken(s string) (ref filter.Ref, n int) {
	var best *Def
	end := 0
	for end < len(s) && isFieldChar(s[end]) {
		end++
	}
	// Longest registered name that is a prefix of s[:end].
	for i := end; i > 0; i-- {
		if d := r.reg.Lookup(s[:i]); d != nil {
			best = d
			break
		}
	}
	if best == nil {
		return filter.Ref{}, 0
	}
	n = len(best.Name)
	ref.Name = best.Name
	if n < len(s) && s[n] == '[' && best.Arg != ArgNone {
		if j := strings.IndexByte(s[n:], ']'); j > 0 {
			ref.Arg = s[n+1 : n+j]
			ref.HasArg = true
			return ref, n + j + 1
		}
		return ref, n
	}
	if n < len(s) && s[n] == '.' && best.takesDotArg() {
		k := n + 1
		for k < len(s) && (isFieldChar(s[k]) && s[k] != '.') {
			k++
		}
		if k > n+1 {
			ref.Name = s[:k]
			return ref, k
		}
	}
	return ref, n
}
