package rules_test

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/syscope/syscope/filter"
	"github.com/syscope/syscope/internal/testenv"
)

func sharedDir(t testing.TB) string { return testenv.SharedDir(t) }

// tsvSchema is a field schema built at test time from the libsinsp field
// list (names and flags), the field types recorded for the stable rules,
// and the container.* / k8s.* names the upstream rules use. Fields whose
// type is not recorded are strings.
type tsvSchema struct {
	fields map[string]filter.FieldInfo
}

var (
	schemaOnce sync.Once
	schemaVal  *tsvSchema
	schemaErr  error
)

func testSchema(t testing.TB) *tsvSchema {
	t.Helper()
	shared := sharedDir(t)
	schemaOnce.Do(func() { schemaVal, schemaErr = buildSchema(shared) })
	if schemaErr != nil {
		t.Fatal(schemaErr)
	}
	return schemaVal
}

var ptTypes = map[string]filter.FieldType{
	"PT_CHARBUF": filter.TypeString, "PT_FSPATH": filter.TypeString, "PT_BYTEBUF": filter.TypeBytes,
	"PT_INT64": filter.TypeInt, "PT_INT32": filter.TypeInt, "PT_UINT64": filter.TypeUint, "PT_UINT32": filter.TypeUint,
	"PT_BOOL": filter.TypeBool, "PT_IPADDR": filter.TypeIPAddr, "PT_IPNET": filter.TypeIPNet,
	"PT_ABSTIME": filter.TypeAbsTime, "PT_RELTIME": filter.TypeRelTime, "PT_PORT": filter.TypePort,
	"string": filter.TypeString, "bool": filter.TypeBool, "abstime": filter.TypeAbsTime,
}

func buildSchema(shared string) (*tsvSchema, error) {
	s := &tsvSchema{fields: map[string]filter.FieldInfo{}}
	f, err := os.Open(filepath.Join(shared, "spec", "sinsp_fields_current.tsv"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		cols := strings.Split(line, "\t")
		if len(cols) < 4 || cols[2] == "NA" || !strings.Contains(cols[2], ".") {
			continue
		}
		info := filter.FieldInfo{Name: cols[2], Type: filter.TypeString}
		for _, fl := range strings.Split(cols[3], "|") {
			switch strings.TrimSpace(fl) {
			case "EPF_ARG_REQUIRED":
				info.Flags |= filter.FlagArgRequired
			case "EPF_ARG_ALLOWED":
				info.Flags |= filter.FlagArgAllowed
			case "EPF_IS_LIST":
				info.Arity = filter.List
			case "EPF_NO_RHS":
				info.Flags |= filter.FlagNoRHS
			case "EPF_NO_TRANSFORMER":
				info.Flags |= filter.FlagNoTransformer
			case "EPF_FILTER_ONLY":
				info.Flags |= filter.FlagFilterOnly
			case "EPF_DEPRECATED":
				info.Flags |= filter.FlagDeprecated
			}
		}
		s.fields[info.Name] = info
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	// types of the fields the stable rules use
	data, err := os.ReadFile(filepath.Join(shared, "rules", "falco_rules_fields.txt"))
	if err != nil {
		return nil, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		cols := strings.Split(line, "\t")
		if strings.HasPrefix(line, "#") || len(cols) < 3 {
			continue
		}
		words := strings.Fields(cols[2])
		var typ filter.FieldType
		for _, w := range words {
			if t, ok := ptTypes[w]; ok {
				typ = t
				break
			}
		}
		name := cols[0]
		info, ok := s.fields[name]
		if !ok {
			if strings.HasPrefix(name, "evt.arg.") {
				continue
			}
			info = filter.FieldInfo{Name: name}
		}
		if typ != filter.TypeNone {
			info.Type = typ
		}
		s.fields[name] = info
	}
	// container.* and k8s.* names the upstream rules use
	re := regexp.MustCompile(`\b(?:container|k8s)\.[a-zA-Z0-9_.]*[a-zA-Z0-9_]`)
	for _, fn := range []string{"falco_rules.yaml", "falco-incubating_rules.yaml", "falco-sandbox_rules.yaml"} {
		data, err := os.ReadFile(filepath.Join(shared, "rules", fn))
		if err != nil {
			return nil, err
		}
		for _, m := range re.FindAllString(string(data), -1) {
			if _, ok := s.fields[m]; !ok {
				s.fields[m] = filter.FieldInfo{Name: m, Type: filter.TypeString, Flags: filter.FlagArgAllowed}
			}
		}
	}
	// types the rules rely on that the stable rules' field list lacks
	for n, t := range map[string]filter.FieldType{"evt.buffer": filter.TypeBytes, "evt.rawres": filter.TypeInt,
		"evt.num": filter.TypeUint, "proc.pid": filter.TypeInt, "proc.ppid": filter.TypeInt, "fd.num": filter.TypeInt} {
		if info, ok := s.fields[n]; ok {
			info.Type = t
			s.fields[n] = info
		}
	}
	// proc.aname and friends without a depth: any ancestor
	for _, n := range []string{"proc.aname", "proc.aexe", "proc.aexepath", "proc.acmdline", "proc.aenv", "proc.apid"} {
		if info, ok := s.fields[n]; ok {
			info.Arity = filter.AnyValue
			s.fields[n] = info
		}
	}
	for _, n := range []string{"fd.ip", "fd.port", "fd.net", "fd.proto"} {
		if info, ok := s.fields[n]; ok {
			info.Arity = filter.AnySide
			s.fields[n] = info
		}
	}
	return s, nil
}

func (s *tsvSchema) Lookup(ref filter.Ref) (filter.FieldInfo, error) {
	name, arg, has := ref.Name, ref.Arg, ref.HasArg
	info, ok := s.fields[name]
	if !ok {
		n, a, split := filter.SplitDotArg(name, func(x string) bool {
			i, ok := s.fields[x]
			return ok && i.Flags&(filter.FlagArgRequired|filter.FlagArgAllowed) != 0
		})
		if !split || has {
			return filter.FieldInfo{}, fmt.Errorf("%w '%s'", filter.ErrUnknownField, ref)
		}
		name, arg, has = n, a, true
		info = s.fields[name]
	}
	if has && info.Flags&(filter.FlagArgRequired|filter.FlagArgAllowed) == 0 {
		return filter.FieldInfo{}, fmt.Errorf("%w: field '%s' takes no argument", filter.ErrFieldArg, name)
	}
	if !has && info.Flags&filter.FlagArgRequired != 0 {
		return filter.FieldInfo{}, fmt.Errorf("%w: field '%s' requires an argument", filter.ErrFieldArg, name)
	}
	if has && info.Arity == filter.AnyValue {
		info.Arity = filter.Scalar
	}
	info.Arg, info.HasArg = arg, has
	return info, nil
}
