package filter_test

import (
	"fmt"
	"net/netip"
	"strconv"

	"github.com/syscope/syscope/filter"
)

// testEvent is a context for the tests: a flattened event with a process,
// its ancestors, an optional fd and a few typed values.
type testEvent struct {
	Type      string
	Num       uint64
	Name      string
	Cmdline   string
	PID       int64
	Ancestors []string // parent first
	Args      []string
	Env       map[string]string
	Buffer    []byte
	Failed    bool
	Ratio     float64
	FD        *testFD
	Params    map[string]string
}

type testFD struct {
	Name         string
	CIP, SIP     netip.Addr
	CPort, SPort uint64
	Types        []string
}

// testResolver resolves the fields of testEvent. Every Resolve returns new
// closures, as a real resolver does.
type testResolver struct{}

var testFields = map[string]filter.FieldInfo{
	"evt.type":     {Type: filter.TypeString},
	"evt.num":      {Type: filter.TypeUint},
	"evt.buffer":   {Type: filter.TypeBytes},
	"evt.failed":   {Type: filter.TypeBool},
	"evt.ratio":    {Type: filter.TypeDouble},
	"evt.arg":      {Type: filter.TypeString, Flags: filter.FlagArgRequired | filter.FlagArgKey},
	"proc.name":    {Type: filter.TypeString},
	"proc.cmdline": {Type: filter.TypeString},
	"proc.pid":     {Type: filter.TypeInt},
	"proc.pname":   {Type: filter.TypeString},
	"proc.aname":   {Type: filter.TypeString, Arity: filter.AnyValue, Flags: filter.FlagArgAllowed | filter.FlagArgIndex | filter.FlagNoRHS | filter.FlagNoTransformer},
	"proc.args":    {Type: filter.TypeString, Arity: filter.List},
	"proc.env":     {Type: filter.TypeString, Flags: filter.FlagArgRequired | filter.FlagArgKey},
	"fd.name":      {Type: filter.TypeString},
	"fd.sip":       {Type: filter.TypeIPAddr},
	"fd.sport":     {Type: filter.TypePort},
	"fd.ip":        {Type: filter.TypeIPAddr, Arity: filter.AnySide, Flags: filter.FlagNoRHS | filter.FlagNoTransformer},
	"fd.net":       {Type: filter.TypeIPNet, Arity: filter.AnySide, Flags: filter.FlagNoRHS | filter.FlagNoTransformer},
	"fd.types":     {Type: filter.TypeString, Arity: filter.List},
}

func (testResolver) Lookup(ref filter.Ref) (filter.FieldInfo, error) {
	name, arg, has := ref.Name, ref.Arg, ref.HasArg
	info, ok := testFields[name]
	if !ok {
		n, a, split := filter.SplitDotArg(name, func(s string) bool {
			i, ok := testFields[s]
			return ok && i.Flags&(filter.FlagArgRequired|filter.FlagArgAllowed) != 0
		})
		if !split || has {
			return filter.FieldInfo{}, fmt.Errorf("%w '%s'", filter.ErrUnknownField, ref)
		}
		name, arg, has = n, a, true
		info = testFields[name]
	}
	info.Name, info.Arg, info.HasArg = name, arg, has
	switch {
	case has && info.Flags&(filter.FlagArgRequired|filter.FlagArgAllowed) == 0:
		return filter.FieldInfo{}, fmt.Errorf("%w: field '%s' takes no argument", filter.ErrFieldArg, name)
	case !has && info.Flags&filter.FlagArgRequired != 0:
		return filter.FieldInfo{}, fmt.Errorf("%w: field '%s' needs an argument", filter.ErrFieldArg, name)
	}
	if name == "proc.aname" && has {
		if _, err := strconv.Atoi(arg); err != nil {
			return filter.FieldInfo{}, fmt.Errorf("%w: proc.aname takes a depth", filter.ErrFieldArg)
		}
		info.Arity = filter.Scalar
	}
	return info, nil
}

func (r testResolver) Resolve(ref filter.Ref) (filter.Field[*testEvent], error) {
	info, err := r.Lookup(ref)
	if err != nil {
		return filter.Field[*testEvent]{}, err
	}
	f := filter.Field[*testEvent]{Info: info}
	str := func(g func(e *testEvent) (string, bool)) {
		f.Str = func(e *testEvent, _ int) (string, bool) { return g(e) }
	}
	switch info.Name {
	case "evt.type":
		str(func(e *testEvent) (string, bool) { return e.Type, true })
	case "evt.num":
		f.Uint = func(e *testEvent, _ int) (uint64, bool) { return e.Num, true }
	case "evt.buffer":
		f.Bytes = func(e *testEvent, _ int) ([]byte, bool) { return e.Buffer, e.Buffer != nil }
	case "evt.failed":
		f.Bool = func(e *testEvent, _ int) (bool, bool) { return e.Failed, true }
	case "evt.ratio":
		f.Float = func(e *testEvent, _ int) (float64, bool) { return e.Ratio, true }
	case "evt.arg":
		key := info.Arg
		str(func(e *testEvent) (string, bool) { v, ok := e.Params[key]; return v, ok })
	case "proc.name":
		str(func(e *testEvent) (string, bool) { return e.Name, e.Name != "" })
	case "proc.cmdline":
		str(func(e *testEvent) (string, bool) { return e.Cmdline, e.Name != "" })
	case "proc.pid":
		f.Int = func(e *testEvent, _ int) (int64, bool) { return e.PID, e.PID != 0 }
	case "proc.pname":
		str(func(e *testEvent) (string, bool) {
			if len(e.Ancestors) == 0 {
				return "", false
			}
			return e.Ancestors[0], true
		})
	case "proc.aname":
		if info.HasArg {
			depth, _ := strconv.Atoi(info.Arg)
			str(func(e *testEvent) (string, bool) {
				if depth == 0 {
					return e.Name, e.Name != ""
				}
				if depth > len(e.Ancestors) {
					return "", false
				}
				return e.Ancestors[depth-1], true
			})
			break
		}
		f.Len = func(e *testEvent) int { return len(e.Ancestors) }
		f.Str = func(e *testEvent, i int) (string, bool) { return e.Ancestors[i], true }
	case "proc.args":
		f.Len = func(e *testEvent) int {
			if e.Name == "" {
				return -1
			}
			return len(e.Args)
		}
		f.Str = func(e *testEvent, i int) (string, bool) { return e.Args[i], true }
	case "proc.env":
		key := info.Arg
		str(func(e *testEvent) (string, bool) { v, ok := e.Env[key]; return v, ok })
	case "fd.name":
		str(func(e *testEvent) (string, bool) {
			if e.FD == nil {
				return "", false
			}
			return e.FD.Name, true
		})
	case "fd.sip":
		f.IP = func(e *testEvent, _ int) (netip.Addr, bool) {
			if e.FD == nil || !e.FD.SIP.IsValid() {
				return netip.Addr{}, false
			}
			return e.FD.SIP, true
		}
	case "fd.sport":
		f.Uint = func(e *testEvent, _ int) (uint64, bool) {
			if e.FD == nil || e.FD.SPort == 0 {
				return 0, false
			}
			return e.FD.SPort, true
		}
	case "fd.ip", "fd.net":
		f.Len = func(e *testEvent) int {
			if e.FD == nil || !e.FD.SIP.IsValid() {
				return 0
			}
			return 2
		}
		f.IP = func(e *testEvent, i int) (netip.Addr, bool) {
			if i == 0 {
				return e.FD.CIP, e.FD.CIP.IsValid()
			}
			return e.FD.SIP, true
		}
	case "fd.types":
		f.Len = func(e *testEvent) int {
			if e.FD == nil {
				return -1
			}
			return len(e.FD.Types)
		}
		f.Str = func(e *testEvent, i int) (string, bool) { return e.FD.Types[i], true }
	}
	return f, nil
}
