package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/syscope/syscope/event"
)

func init() {
	subcommands = append(subcommands, func() *cobra.Command {
		return &cobra.Command{
			Use:   "events",
			Short: "List the event types syscope knows, with their parameters",
			Args:  cobra.NoArgs,
			RunE: func(cmd *cobra.Command, _ []string) error {
				w := cmd.OutOrStdout()
				for id, info := range event.Types() {
					if info.Flags&event.EFUnused != 0 {
						continue
					}
					var ps []string
					for _, p := range info.Params {
						ps = append(ps, p.Name)
					}
					fmt.Fprintf(w, "%d\t%s %s(%s)\n", id, info.Dir, info.Name, strings.Join(ps, ", "))
				}
				return nil
			},
		}
	})
}
