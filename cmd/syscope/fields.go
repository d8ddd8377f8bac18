package main

import (
	"bufio"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/syscope/syscope/fields"
)

func init() {
	subcommands = append(subcommands, func() *cobra.Command {
		var class string
		var markdown bool
		c := &cobra.Command{
			Use:   "fields",
			Short: "List the fields filters and output formats can use, with their types",
			Args:  cobra.NoArgs,
			RunE: func(cmd *cobra.Command, _ []string) error {
				w := bufio.NewWriter(cmd.OutOrStdout())
				if markdown {
					if err := fields.WriteMarkdown(w, fields.Default()); err != nil {
						return err
					}
					return w.Flush()
				}
				found := false
				for _, cl := range fields.Default().Classes() {
					if class != "" && cl.Name != class {
						continue
					}
					found = true
					fmt.Fprintf(w, "Field class: %s\n%s\n\n", cl.Name, cl.Desc)
					for i := range cl.Fields {
						d := &cl.Fields[i]
						fmt.Fprintf(w, "%-36s %-22s %s\n", d.Name+d.ArgLabel(), d.TypeLabel(), d.Desc)
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
		c.Flags().BoolVar(&markdown, "markdown", false, "print the list as a Markdown reference (docs/fields.md)")
		return c
	})
}
