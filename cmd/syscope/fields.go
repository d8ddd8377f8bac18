package main

import (
	"bufio"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/syscope/syscope/fields"
	"github.com/syscope/syscope/filter"
)

func init() {
	subcommands = append(subcommands, func() *cobra.Command {
		var class string
		c := &cobra.Command{
			Use:   "fields",
			Short: "List the fields filters and output formats can use, with their types",
			Args:  cobra.NoArgs,
			RunE: func(cmd *cobra.Command, _ []string) error {
				w := bufio.NewWriter(cmd.OutOrStdout())
				found := false
				for _, cl := range fields.Default().Classes() {
					if class != "" && cl.Name != class {
						continue
					}
					found = true
					fmt.Fprintf(w, "Field class: %s\n%s\n\n", cl.Name, cl.Desc)
					for i := range cl.Fields {
						d := &cl.Fields[i]
						fmt.Fprintf(w, "%-32s %-10s %s\n", d.Name+argHint(d), typeName(d), d.Desc)
					}
					fmt.Fprintln(w)
				}
				if !found {
					return fmt.Errorf("fields: no field class %q", class)
				}
				return w.Flush()
			},
		}
		c.Flags().StringVarP(&class, "class", "c", "", "list only this class (evt, process, user, group, fd, fdlist, fs.path, util, ...)")
		return c
	})
}

// argHint shows the argument form a field takes.
func argHint(d *fields.Def) string {
	switch d.Arg {
	case fields.ArgIndex:
		return "[N]"
	case fields.ArgKey:
		return ".NAME"
	case fields.ArgKeyOpt:
		return "[NAME]"
	case fields.ArgIndexOrKey:
		return ".NAME|[N]"
	}
	return ""
}

// typeName names a field's value type, marking the fields filters alone
// may use and the multi-valued ones.
func typeName(d *fields.Def) string {
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
	if len(notes) > 0 {
		t += " (" + strings.Join(notes, ", ") + ")"
	}
	return t
}
