package fields

import (
	"fmt"
	"io"
	"strings"

	"github.com/syscope/syscope/filter"
)

// TypeLabel names a field's value type for listings: the filter type name,
// "dynamic" for evt.rawarg (typed by its argument), with notes for list
// fields and filter-only fields.
func (d *Def) TypeLabel() string {
	t := d.Type.String()
	if d.Type == filter.TypeNone {
		t = "dynamic"
	}
	var notes []string
	if d.Arity == filter.List {
		notes = append(notes, "list")
	}
	if d.Flags&filter.FlagFilterOnly != 0 {
		notes = append(notes, "filter only")
	}
	if d.Flags&filter.FlagPrintOnly != 0 {
		notes = append(notes, "output only")
	}
	if len(notes) > 0 {
		t += " (" + strings.Join(notes, ", ") + ")"
	}
	return t
}

// ArgLabel shows how a field takes its argument: "[N]", ".NAME",
// "[NAME]", ".NAME|[N]", or "".
func (d *Def) ArgLabel() string {
	switch d.Arg {
	case ArgIndex:
		return "[N]"
	case ArgKey:
		return ".NAME"
	case ArgKeyOpt:
		return "[NAME]"
	case ArgIndexOrKey:
		return ".NAME|[N]"
	}
	return ""
}

// WriteMarkdown writes the fields of reg as a Markdown reference: one table
// per class with each field's name, argument, type and description.
func WriteMarkdown(w io.Writer, reg *Registry) error {
	var b strings.Builder
	b.WriteString("# Fields\n\n")
	b.WriteString("The fields filters (`syscope read ... FILTER`, rule conditions) and output\n")
	b.WriteString("formats (`-p`, rule outputs) can use. This file is generated from the field\n")
	b.WriteString("registry (`go test ./fields -run TestFieldsDoc -update`); `syscope fields` prints\n")
	b.WriteString("the same list.\n\n")
	b.WriteString("Arguments: `[N]` is an optional index or depth (`proc.aname[2]`), `.NAME` a\n")
	b.WriteString("required name (`thread.cgroup.cpuacct`, also written `thread.cgroup[cpuacct]`),\n")
	b.WriteString("`[NAME]` an optional name, `.NAME|[N]` a name or a position (`evt.arg.fd`,\n")
	b.WriteString("`evt.arg[0]`). Types are those of the filter language: numbers compare as\n")
	b.WriteString("numbers, `ipaddr` fields take addresses or CIDR networks, `port` fields take\n")
	b.WriteString("numbers or service names, `list` fields support `in`, `intersects` and\n")
	b.WriteString("`exists`. See docs/compatibility.md for where values differ from sysdig or\n")
	b.WriteString("Falco.\n")
	for _, c := range reg.Classes() {
		fmt.Fprintf(&b, "\n## %s\n\n%s\n\n", c.Name, c.Desc)
		b.WriteString("| Field | Type | Description |\n|---|---|---|\n")
		for i := range c.Fields {
			d := &c.Fields[i]
			fmt.Fprintf(&b, "| `%s%s` | %s | %s |\n", d.Name, d.ArgLabel(), d.TypeLabel(), strings.ReplaceAll(d.Desc, "|", "\\|"))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
