package engine

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/syscope/syscope/fields"
	"github.com/syscope/syscope/filter"
	"github.com/syscope/syscope/output"
	"github.com/syscope/syscope/rules"
)

// Schema returns the schema of syscall-source rules: the fields of
// Registry(), resolved and type-checked as the engine will evaluate them.
func Schema() filter.Schema {
	return filter.SchemaOf[fields.Ctx](fields.NewResolver(Registry(), nil))
}

// LoadOptions configure loading.
type LoadOptions struct {
	// AppendOutput entries add their extra_output (and, with
	// suggested_output, the suggested fields, see SuggestedFields) to the
	// output of the rules they match (Falco's append_output); their extra
	// fields are the engine's business (Options.AppendOutput).
	AppendOutput []output.AppendOutput
}

func (o *LoadOptions) rulesOptions() *rules.Options {
	ro := &rules.Options{Sources: map[string]filter.Schema{rules.SyscallSource: Schema()}}
	if o == nil {
		return ro
	}
	for _, a := range o.AppendOutput {
		for _, f := range []string{a.ExtraOutput, suggestedFormat(a.SuggestedOutput)} {
			if f == "" {
				continue
			}
			ro.AppendOutput = append(ro.AppendOutput, rules.AppendOutput{
				Source: a.Match.Source, Tags: a.Match.Tags, Rule: a.Match.Rule, Format: f,
			})
		}
	}
	return ro
}

// SuggestedFields are the fields the container plugin suggests for every
// alert (its fields flagged as suggested output formats), in its order.
// append_output's suggested_output adds them to the output of the rules an
// entry matches, each as "name_with_underscores=%name".
var SuggestedFields = []string{
	"container.id", "container.name", "container.image.repository", "container.image.tag",
	"k8s.pod.name", "k8s.ns.name",
}

func suggestedFormat(on bool) string {
	if !on {
		return ""
	}
	parts := make([]string, len(SuggestedFields))
	for i, f := range SuggestedFields {
		parts[i] = strings.ReplaceAll(f, ".", "_") + "=%" + f
	}
	return strings.Join(parts, " ")
}

// ExpandPaths turns rules paths into files, in order: a file stays as it
// is, a directory gives its *.yaml and *.yml files sorted by name (Falco's
// rules_files semantics).
func ExpandPaths(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil || !st.IsDir() {
			out = append(out, p) // the loader reports unreadable files
			continue
		}
		ents, err := os.ReadDir(p)
		if err != nil {
			return nil, fmt.Errorf("read rules directory %s: %w", p, err)
		}
		var names []string
		for _, e := range ents {
			n := e.Name()
			if !e.IsDir() && (strings.HasSuffix(n, ".yaml") || strings.HasSuffix(n, ".yml")) {
				names = append(names, n)
			}
		}
		sort.Strings(names)
		for _, n := range names {
			out = append(out, filepath.Join(p, n))
		}
	}
	return out, nil
}

// LoadFiles loads rules files (or directories, see ExpandPaths) in order as
// one ruleset, checking conditions and outputs against Schema(). The
// ruleset is nil when a file has errors; there is one result per file.
func LoadFiles(o *LoadOptions, paths ...string) (*rules.Ruleset, []*rules.Result, error) {
	files, err := ExpandPaths(paths)
	if err != nil {
		return nil, nil, err
	}
	if len(files) == 0 {
		return nil, nil, fmt.Errorf("no rules files in %s", strings.Join(paths, ", "))
	}
	rs, res := rules.LoadFiles(o.rulesOptions(), files...)
	return rs, res, nil
}

// Content is one rules document held in memory.
type Content struct {
	Name string
	Data []byte
}

// LoadContents loads rules documents in order as one ruleset, like
// LoadFiles.
func LoadContents(o *LoadOptions, docs ...Content) (*rules.Ruleset, []*rules.Result) {
	l := rules.NewLoader(o.rulesOptions())
	var results []*rules.Result
	ok := true
	for _, d := range docs {
		r := l.Add(d.Name, d.Data)
		results = append(results, r)
		ok = ok && r.OK()
	}
	if !ok || len(results) == 0 {
		return nil, results
	}
	rs := l.Compile(results[len(results)-1])
	for _, r := range results {
		if !r.OK() {
			return nil, results
		}
	}
	return rs, results
}
