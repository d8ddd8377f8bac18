package engine

import (
	"strings"
	"sync"

	"github.com/syscope/syscope/fields"
	_ "github.com/syscope/syscope/fields/container" // registers container.* and k8s.*
	"github.com/syscope/syscope/filter"
	"github.com/syscope/syscope/state"
)

var (
	registryOnce sync.Once
	registry     *fields.Registry
)

// Registry returns the fields rules are evaluated with: every class of
// fields.Default(), which includes the container.*, k8s.* and
// proc.is_container_* fields of package containerfields (imported by this
// package), plus the executable fields rules use that no registered class
// provides yet (proc.is_exe_from_memfd, proc.is_exe_upper_layer,
// proc.exe_ino.*, fd.name_changed; see exeFields).
//
// Classes registered in fields.Default() later, after the first call, are
// not seen.
func Registry() *fields.Registry {
	registryOnce.Do(func() {
		registry = fields.NewRegistry()
		for _, c := range fields.Default().Classes() {
			if err := registry.Register(c); err != nil {
				panic(err) // Default holds no duplicates
			}
		}
		for _, c := range fallbackClasses() {
			kept := &fields.Class{Name: c.Name, Desc: c.Desc}
			for _, d := range c.Fields {
				if registry.Lookup(d.Name) == nil {
					kept.Fields = append(kept.Fields, d)
				}
			}
			if len(kept.Fields) == 0 {
				continue
			}
			if err := registry.Register(kept); err != nil {
				panic(err) // filtered against the registry just above
			}
		}
	})
	return registry
}

func fallbackClasses() []*fields.Class {
	return []*fields.Class{
		{Name: "proc", Desc: "Executable details of a process.", Fields: exeFields()},
		{Name: "fd", Desc: "File descriptor details.", Fields: []fields.Def{{
			Name: "fd.name_changed", Type: filter.TypeBool,
			Desc: "Whether the event changed the fd's name (a datagram sent to a new peer); always false here, as the state does not track name changes.",
			Bind: func(*fields.Binding) (*fields.Extractor, error) {
				x := &fields.Extractor{}
				x.Field.Info = filter.FieldInfo{Name: "fd.name_changed", Type: filter.TypeBool}
				x.Field.Bool = func(c fields.Ctx, _ int) (bool, bool) { return false, c != nil && c.FD != nil }
				return x, nil
			},
		}}},
	}
}

// Exec flags (the execve_flags table).
const (
	exeUpperLayer = 2
	exeFromMemfd  = 4
)

// execParam returns parameter name of an execve or execveat exit event,
// or false for other events.
func execParam(c fields.Ctx, name string) (uint64, bool) {
	if c == nil || c.Evt == nil || c.Evt.IsEnter() {
		return 0, false
	}
	info := c.Evt.Info()
	if info == nil || (info.Name != "execve" && info.Name != "execveat") {
		return 0, false
	}
	i := info.ParamIndex(name)
	if i < 0 {
		return 0, false
	}
	return c.Evt.Uint(i)
}

// exeFields are the proc.* executable fields: read from the exec event
// itself (flags, inode times); on other events the memfd flag is derived
// from the executable path, the upper-layer flag is false and the inode
// times have no value.
func exeFields() []fields.Def {
	boolDef := func(name, desc string, bit uint64, fallback func(t *state.Thread) bool) fields.Def {
		return fields.Def{Name: name, Type: filter.TypeBool, Desc: desc,
			Bind: func(*fields.Binding) (*fields.Extractor, error) {
				x := &fields.Extractor{}
				x.Field.Info = filter.FieldInfo{Name: name, Type: filter.TypeBool}
				x.Field.Bool = func(c fields.Ctx, _ int) (bool, bool) {
					if f, ok := execParam(c, "flags"); ok {
						return f&bit != 0, true
					}
					if c == nil || c.Thread == nil {
						return false, false
					}
					return fallback(c.Thread), true
				}
				return x, nil
			}}
	}
	timeDef := func(name, desc string, get func(c fields.Ctx) (uint64, bool)) fields.Def {
		return fields.Def{Name: name, Type: filter.TypeAbsTime, Print: fields.PrintDec, Desc: desc,
			Bind: func(*fields.Binding) (*fields.Extractor, error) {
				x := &fields.Extractor{}
				x.Field.Info = filter.FieldInfo{Name: name, Type: filter.TypeAbsTime}
				x.Field.Uint = func(c fields.Ctx, _ int) (uint64, bool) { return get(c) }
				return x, nil
			}}
	}
	return []fields.Def{
		boolDef("proc.is_exe_from_memfd", "Whether the executable is a memfd (fileless execution).", exeFromMemfd,
			func(t *state.Thread) bool {
				return strings.HasPrefix(t.ExePath, "/memfd:") || strings.HasPrefix(t.ExePath, "memfd:")
			}),
		boolDef("proc.is_exe_upper_layer", "Whether the executable is on the upper layer of an overlayfs (added to a container image).", exeUpperLayer,
			func(*state.Thread) bool { return false }),
		timeDef("proc.exe_ino.ctime", "The executable's inode change time (on exec events).",
			func(c fields.Ctx) (uint64, bool) { return execParam(c, "exe_ino_ctime") }),
		timeDef("proc.exe_ino.mtime", "The executable's inode modification time (on exec events).",
			func(c fields.Ctx) (uint64, bool) { return execParam(c, "exe_ino_mtime") }),
		timeDef("proc.exe_ino.ctime_duration_proc_start", "Nanoseconds between the executable's inode change and the process start (on exec events).",
			func(c fields.Ctx) (uint64, bool) {
				ct, ok := execParam(c, "exe_ino_ctime")
				if !ok || ct == 0 || c.Thread == nil || c.Thread.CloneTs == 0 || c.Thread.CloneTs < ct {
					return 0, false
				}
				return c.Thread.CloneTs - ct, true
			}),
	}
}
