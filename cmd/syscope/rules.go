package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/syscope/syscope/engine"
	"github.com/syscope/syscope/rules"
	"github.com/syscope/syscope/ruleset"
)

func init() {
	subcommands = append(subcommands, func() *cobra.Command {
		c := &cobra.Command{
			Use:   "rules",
			Short: "Validate and list Falco-format rules files",
		}
		c.AddCommand(newRulesValidate(), newRulesList())
		return c
	})
}

// errInvalidRules is returned (after the report is printed) when a file
// does not load.
var errInvalidRules = errors.New("rules validation failed")

func newRulesValidate() *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:   "validate FILE...",
		Short: "Check rules files as `syscope run` loads them (in order, as one ruleset)",
		Long: `Load rules files in order, as one ruleset, checking conditions, outputs
and fields as 'syscope run' does, and print Falco's validation result for
each file: "Ok", "Ok, with warnings" or "Invalid", with every error and
warning at file:line:col. --json prints Falco's JSON form
({"falco_load_results": [...]}). The exit status is 1 when a file is invalid.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			_, results, err := engine.LoadFiles(nil, args...)
			if err != nil {
				return fmt.Errorf("rules validate: %w", err)
			}
			return printValidation(cmd.OutOrStdout(), args, results, asJSON)
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print the results as JSON")
	return c
}

func printValidation(w io.Writer, files []string, results []*rules.Result, asJSON bool) error {
	ok := true
	for _, r := range results {
		ok = ok && r.OK()
	}
	if asJSON {
		b, err := json.Marshal(struct {
			Results []*rules.Result `json:"falco_load_results"`
		}{results})
		if err != nil {
			return err
		}
		fmt.Fprintln(w, string(b))
	} else {
		fmt.Fprintln(w, "Validating rules file(s):")
		for _, f := range files {
			fmt.Fprintf(w, "   %s\n", f)
		}
		for _, r := range results {
			fmt.Fprintln(w, r.String())
		}
	}
	if !ok {
		return errInvalidRules
	}
	return nil
}

func newRulesList() *cobra.Command {
	var files []string
	var asJSON, verbose bool
	c := &cobra.Command{
		Use:   "list [-r RULES]...",
		Short: "List the rules `syscope run` would load (default: the embedded rules)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var rs *rules.Ruleset
			var results []*rules.Result
			if len(files) == 0 {
				rs, results = engine.LoadContents(nil, engine.Content{Name: ruleset.Name, Data: ruleset.Default()})
			} else {
				var err error
				rs, results, err = engine.LoadFiles(nil, files...)
				if err != nil {
					return fmt.Errorf("rules list: %w", err)
				}
			}
			if rs == nil {
				var msgs []string
				for _, r := range results {
					if !r.OK() {
						msgs = append(msgs, r.String())
					}
				}
				return fmt.Errorf("rules list: %w:\n%s", errInvalidRules, strings.Join(msgs, "\n"))
			}
			return printRules(cmd.OutOrStdout(), rs, asJSON, verbose)
		},
	}
	f := c.Flags()
	f.StringArrayVarP(&files, "rules", "r", nil, "rules file or directory (repeatable)")
	f.BoolVar(&asJSON, "json", false, "print the rules as JSON")
	f.BoolVarP(&verbose, "verbose", "v", false, "also print descriptions, conditions and outputs")
	return c
}

// listedRule is a rule as `rules list --json` prints it.
type listedRule struct {
	Name       string   `json:"name"`
	Desc       string   `json:"desc"`
	Priority   string   `json:"priority"`
	Enabled    bool     `json:"enabled"`
	Source     string   `json:"source"`
	Tags       []string `json:"tags"`
	Condition  string   `json:"condition"`
	Compiled   string   `json:"compiled_condition"`
	Output     string   `json:"output"`
	EventTypes []string `json:"event_types"`
	Location   string   `json:"location"`
}

func printRules(w io.Writer, rs *rules.Ruleset, asJSON, verbose bool) error {
	if asJSON {
		out := make([]listedRule, 0, len(rs.Rules))
		for _, r := range rs.Rules {
			lr := listedRule{
				Name: r.Name, Desc: strings.TrimSpace(r.Description), Priority: r.Priority.String(),
				Enabled: r.Enabled, Source: r.Source, Tags: r.Tags, Condition: strings.TrimSpace(r.Condition),
				Compiled: r.CompiledCondition(), Output: strings.TrimSpace(r.Output), Location: r.Location.String(),
			}
			if lr.Tags == nil {
				lr.Tags = []string{}
			}
			lr.EventTypes = []string{}
			for _, t := range r.EventTypes.Types() {
				lr.EventTypes = append(lr.EventTypes, t.String())
			}
			out = append(out, lr)
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "RULE\tPRIORITY\tENABLED\tTAGS")
	for _, r := range rs.Rules {
		fmt.Fprintf(tw, "%s\t%s\t%v\t%s\n", r.Name, r.Priority, r.Enabled, strings.Join(r.Tags, ","))
		if verbose {
			fmt.Fprintf(tw, "  desc: %s\n", oneLine(r.Description))
			fmt.Fprintf(tw, "  condition: %s\n", r.CompiledCondition())
			fmt.Fprintf(tw, "  output: %s\n", oneLine(r.Output))
		}
	}
	return tw.Flush()
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
