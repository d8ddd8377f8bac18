package rules

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/syscope/syscope/filter"
)

// EngineVersion is the version of the rules engine, as rules files'
// required_engine_version compares it (the Falco engine version whose
// rules format and fields this loader implements).
const EngineVersion = "0.63.0"

// SyscallSource is the event source of system call rules.
const SyscallSource = "syscall"

// Options configure a Loader. The zero value (or nil) loads syscall-source
// rules without checking field names.
type Options struct {
	// Sources maps each known event source to the schema its conditions and
	// outputs are checked against. A nil schema accepts every field. When
	// Sources is nil, the only known source is "syscall", unchecked. Rules of
	// other sources are skipped with a LOAD_UNKNOWN_SOURCE warning.
	Sources map[string]filter.Schema
	// AppendOutput is appended to the output of matching rules (Falco's
	// append_output).
	AppendOutput []AppendOutput
}

// AppendOutput selects rules (by source, by all of Tags, by rule name;
// empty selectors match everything) and appends Format to their output or,
// when Key is set, adds an extra output field Key with value Format.
type AppendOutput struct {
	Source string
	Tags   []string
	Rule   string
	Format string
	Key    string
}

// Loader collects rules files and compiles them together, with Falco's
// semantics: later files can append to, override or redefine the items of
// earlier ones.
type Loader struct {
	opts    Options
	col     collector
	results []*Result
}

// NewLoader returns a Loader; opts may be nil.
func NewLoader(opts *Options) *Loader {
	l := &Loader{}
	if opts != nil {
		l.opts = *opts
	}
	if l.opts.Sources == nil {
		l.opts.Sources = map[string]filter.Schema{SyscallSource: nil}
	}
	l.col.init()
	return l
}

// Load reads, collects and compiles one rules content: a convenience for
// NewLoader(opts), Add, Compile. The ruleset is nil when the result has
// errors.
func Load(opts *Options, name string, content []byte) (*Ruleset, *Result) {
	l := NewLoader(opts)
	res := l.Add(name, content)
	if !res.OK() {
		return nil, res
	}
	rs := l.Compile(res)
	if !res.OK() {
		return nil, res
	}
	return rs, res
}

// LoadFiles loads rules files in order, as one ruleset. The ruleset is nil
// when any result has errors.
func LoadFiles(opts *Options, paths ...string) (*Ruleset, []*Result) {
	l := NewLoader(opts)
	var results []*Result
	ok := true
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			res := &Result{Name: p, Schema: "none"}
			res.addError(ErrFileRead, err.Error(), []Location{{File: p, Kind: "rules content"}})
			results = append(results, res)
			ok = false
			continue
		}
		res := l.Add(p, data)
		results = append(results, res)
		ok = ok && res.OK()
	}
	if !ok || len(results) == 0 {
		return nil, results
	}
	rs := l.Compile(results[len(results)-1])
	if !results[len(results)-1].OK() {
		return nil, results
	}
	return rs, results
}

// loadError aborts reading or compiling with an error.
type loadError struct {
	code Code
	msg  string
	ctx  []Location
}

func throw(code Code, msg string, ctx []Location) {
	panic(&loadError{code: code, msg: msg, ctx: ctx})
}

// catch turns a loadError panic into an error of res.
func catch(res *Result) {
	if x := recover(); x != nil {
		le, ok := x.(*loadError)
		if !ok {
			panic(x)
		}
		res.addError(le.code, le.msg, le.ctx)
	}
}

// Add reads one rules content into the loader. Items are validated and
// collected; conditions are compiled by Compile. Reading stops at the first
// error (the returned result then holds it).
func (l *Loader) Add(name string, content []byte) *Result {
	res := &Result{Name: name, Schema: "none"}
	l.results = append(l.results, res)
	base := []Location{{File: name, Kind: "rules content", Offset: -1}}
	var docs []*yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(content))
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			loc := Location{File: name, Kind: "rules content", Offset: -1}
			if m := yamlLineRE.FindStringSubmatch(err.Error()); m != nil {
				fmt.Sscan(m[1], &loc.Line)
				loc.Col = 1
			}
			res.addError(ErrYAMLParse, err.Error(), []Location{loc})
			return res
		}
		docs = append(docs, &doc)
	}
	for _, d := range docs {
		st := validateSchema(d)
		if res.Schema == "none" {
			res.Schema = st
		}
	}
	for _, d := range docs {
		if !l.readDoc(res, d, base) {
			return res
		}
	}
	return res
}

var yamlLineRE = regexp.MustCompile(`line (\d+)`)

func (l *Loader) readDoc(res *Result, doc *yaml.Node, base []Location) (ok bool) {
	defer catch(res)
	defer func() { ok = res.OK() }()
	root := doc
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			return true
		}
		root = root.Content[0]
	}
	root = deref(root)
	if isNull(root) {
		return true
	}
	if !isMap(root) && !isSeq(root) {
		throw(ErrYAMLValidate, "Rules content is not yaml", base)
	}
	if !isSeq(root) {
		throw(ErrYAMLValidate, "Rules content is not yaml array of objects", base)
	}
	for _, item := range root.Content {
		if isNull(item) {
			continue
		}
		l.readItem(res, deref(item), base)
	}
	return true
}

func loc(file string, n *yaml.Node, kind, name string) Location {
	l := Location{File: file, Kind: kind, Name: name, Offset: -1}
	if n != nil {
		l.Line, l.Col = n.Line, n.Column
	}
	return l
}

func with(ctx []Location, l Location) []Location {
	out := make([]Location, len(ctx)+1)
	copy(out, ctx)
	out[len(ctx)] = l
	return out
}

// decodeString reads a required (or optional) non-empty string value.
func decodeString(item *yaml.Node, key string, ctx []Location, optional, canBeEmpty bool) (string, bool) {
	_, v := get(item, key)
	if v == nil {
		if optional {
			return "", false
		}
		throw(ErrYAMLValidate, "Item has no mapping for key '"+key+"'", ctx)
	}
	if isNull(v) {
		if canBeEmpty {
			return "", false
		}
		throw(ErrYAMLValidate, "Mapping for key '"+key+"' is empty", ctx)
	}
	vctx := with(ctx, loc(ctx[0].File, v, "value for", key))
	if !isScalar(v) {
		throw(ErrYAMLValidate, "Value is not a scalar value", vctx)
	}
	s := scalarText(v)
	if s == "" {
		if canBeEmpty {
			return "", false
		}
		throw(ErrYAMLValidate, "Value must be non-empty", vctx)
	}
	return s, true
}

func decodeBoolKey(item *yaml.Node, key string, ctx []Location, optional bool) (bool, bool) {
	s, ok := decodeString(item, key, ctx, optional, false)
	if !ok {
		return false, false
	}
	b, ok := decodeBool(s)
	if !ok {
		_, v := get(item, key)
		throw(ErrYAMLValidate, "Can't decode YAML scalar value", with(ctx, loc(ctx[0].File, v, "value for", key)))
	}
	return b, true
}

func decodeUintKey(item *yaml.Node, key string, ctx []Location, optional bool) (uint64, bool) {
	s, ok := decodeString(item, key, ctx, optional, false)
	if !ok {
		return 0, false
	}
	u, ok := decodeUint(s, 64)
	if !ok {
		_, v := get(item, key)
		throw(ErrYAMLValidate, "Can't decode YAML scalar value", with(ctx, loc(ctx[0].File, v, "value for", key)))
	}
	return u, true
}

// decodeSeq reads a sequence of scalars.
func decodeSeq(item *yaml.Node, key string, ctx []Location, optional bool) ([]string, bool) {
	_, v := get(item, key)
	if v == nil {
		if optional {
			return nil, false
		}
		throw(ErrYAMLValidate, "Item has no mapping for key '"+key+"'", ctx)
	}
	vctx := with(ctx, loc(ctx[0].File, v, "value for", key))
	if !isSeq(v) {
		throw(ErrYAMLValidate, "Value is not a sequence", vctx)
	}
	out := []string{}
	for _, e := range v.Content {
		e = deref(e)
		if !isScalar(e) {
			throw(ErrYAMLValidate, "sequence value is not scalar", with(vctx, loc(ctx[0].File, e, "list item", "")))
		}
		out = append(out, scalarText(e))
	}
	return out, true
}

const (
	warningAppend     = "'append' key is deprecated. Add an 'append' entry (e.g. 'condition: append') under 'override' instead."
	warningEnabled    = "The standalone 'enabled' key usage is deprecated. The correct approach requires also a 'replace' entry under the 'override' key (i.e. 'enabled: replace')."
	errOverrideAppend = "Keys 'override' and 'append: true' cannot be used together. Add an 'append' entry (e.g. 'condition: append') under 'override' instead."
	errNoPrevMacro    = "Macro uses 'append' or 'override.condition: append' but no macro by that name already exists"
	errNoPrevList     = "List uses 'append' or 'override.items: append' but no list by that name already exists"
	errNoPrevAppend   = "Rule uses 'append' or 'override.<key>: append' but no rule by that name already exists"
	errNoPrevReplace  = "An 'override.<key>: replace' to a rule was requested but no rule by that name already exists"
)

// decodeOverrides reads the override mapping: key -> append|replace.
func decodeOverrides(item *yaml.Node, canAppend, canReplace map[string]bool, ctx []Location) (app, rep map[string]bool) {
	app, rep = map[string]bool{}, map[string]bool{}
	_, v := get(item, "override")
	if v == nil {
		return
	}
	octx := with(ctx, loc(ctx[0].File, item, "overrides", ""))
	m := deref(v)
	if m.Kind != yaml.MappingNode {
		if isNull(m) {
			return
		}
		throw(ErrYAMLValidate, "Value of override must be a mapping", octx)
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		kn, vn := deref(m.Content[i]), deref(m.Content[i+1])
		key, op := scalarText(kn), scalarText(vn)
		kctx := with(octx, loc(ctx[0].File, kn, "overrides", key))
		switch op {
		case "append":
			if !canAppend[key] {
				throw(ErrYAMLValidate, "Key '"+key+"' cannot be appended to, use 'replace' instead", kctx)
			}
			app[key] = true
		case "replace":
			if !canReplace[key] {
				throw(ErrYAMLValidate, "Key '"+key+"' cannot be replaced", kctx)
			}
			rep[key] = true
		default:
			msg := "Invalid override operation for key '" + key + "': '" + op + "'. Allowed values are: "
			if canAppend[key] {
				msg += "append "
			}
			if canReplace[key] {
				msg += "replace "
			}
			throw(ErrYAMLValidate, msg, with(octx, loc(ctx[0].File, vn, "value for", key)))
		}
	}
	return
}

func warnUnknownKeys(res *Result, item *yaml.Node, expected []string, ctx []Location) {
	for _, k := range mapKeys(item) {
		key := scalarText(k)
		known := false
		for _, e := range expected {
			if e == key {
				known = true
				break
			}
		}
		if !known {
			res.addWarning(WarnUnknownKey, "Unknown key '"+key+"'. The key will be ignored.", ctx)
		}
	}
}

func (l *Loader) readItem(res *Result, item *yaml.Node, base []Location) {
	file := base[0].File
	if !isMap(item) {
		throw(ErrYAMLValidate, "Unexpected element type. Each element should be a yaml associative array.",
			with(base, loc(file, item, "rules content item", "")))
	}
	switch {
	case has(item, "required_engine_version"):
		ctx := with(base, loc(file, item, "required_engine_version", ""))
		s, _ := decodeString(item, "required_engine_version", ctx, false, false)
		var ver version
		if u, ok := decodeUint(s, 32); ok {
			ver = version{major: engineMajor, minor: int(u), patch: enginePatch}
		} else {
			v, ok := parseVersion(s)
			if !ok {
				throw(ErrYAMLValidate, "Unable to parse engine version '"+s+"' as a semver string. Expected \"x.y.z\" semver format.", ctx)
			}
			ver = v
		}
		l.col.defineEngineVersion(ver, ctx)
		warnUnknownKeys(res, item, []string{"required_engine_version"}, ctx)
	case has(item, "required_plugin_versions"):
		_, v := get(item, "required_plugin_versions")
		ctx := with(base, loc(file, v, "required plugin versions", ""))
		if !isSeq(v) {
			throw(ErrYAMLValidate, "Value of required_plugin_versions must be a sequence", ctx)
		}
		for _, p := range v.Content {
			p = deref(p)
			tmp := with(ctx, loc(file, p, "required plugin versions entry", ""))
			if !isMap(p) {
				throw(ErrYAMLValidate, "Plugin version must be a mapping", tmp)
			}
			name, _ := decodeString(p, "name", tmp, false, false)
			pctx := with(ctx, loc(file, p, "required plugin versions entry", name))
			ver, _ := decodeString(p, "version", pctx, false, false)
			req := PluginRequirement{Alternatives: []PluginVersion{{name, ver}}}
			if _, alts := get(p, "alternatives"); alts != nil {
				if !isSeq(alts) {
					throw(ErrYAMLValidate, "Value of plugin version alternatives must be a sequence", pctx)
				}
				for _, a := range alts.Content {
					a = deref(a)
					actx := with(pctx, loc(file, a, "required plugin versions alternative", ""))
					if !isMap(a) {
						throw(ErrYAMLValidate, "Plugin version alternative must be a mapping", actx)
					}
					an, _ := decodeString(a, "name", actx, false, false)
					actx = with(pctx, loc(file, a, "required plugin versions alternative", an))
					av, _ := decodeString(a, "version", actx, false, false)
					req.Alternatives = append(req.Alternatives, PluginVersion{an, av})
				}
			}
			l.col.definePlugin(req, pctx)
		}
		warnUnknownKeys(res, item, []string{"required_plugin_versions"},
			with(base, loc(file, item, "required plugin versions", "")))
	case has(item, "list"):
		tmp := with(base, loc(file, item, "list", ""))
		name, _ := decodeString(item, "list", tmp, false, false)
		ctx := with(base, loc(file, item, "list", name))
		if !rgxBareStr.MatchString(name) {
			res.addWarning(WarnInvalidListName, "List has an invalid name. List names should match a regular expression: "+bareStrPattern, ctx)
		}
		items, _ := decodeSeq(item, "items", ctx, false)
		appendFlag, _ := decodeBoolKey(item, "append", ctx, true)
		if appendFlag {
			res.addWarning(WarnDeprecatedItem, warningAppend, ctx)
		}
		app, rep := decodeOverrides(item, map[string]bool{"items": true}, map[string]bool{"items": true}, ctx)
		if appendFlag && (len(app) > 0 || len(rep) > 0) {
			throw(ErrYAMLValidate, errOverrideAppend, ctx)
		}
		li := &listInfo{name: name, items: items, ctx: ctx}
		if appendFlag || app["items"] {
			l.col.appendList(li)
		} else {
			l.col.defineList(li)
		}
		warnUnknownKeys(res, item, []string{"list", "items", "append", "override"}, ctx)
	case has(item, "macro"):
		tmp := with(base, loc(file, item, "macro", ""))
		name, _ := decodeString(item, "macro", tmp, false, false)
		ctx := with(base, loc(file, item, "macro", name))
		if !rgxIdentifier.MatchString(name) {
			res.addWarning(WarnInvalidMacroName, "Macro has an invalid name. Macro names should match a regular expression: "+identifierPattern, ctx)
		}
		cond, _ := decodeString(item, "condition", ctx, false, false)
		_, cn := get(item, "condition")
		mi := &macroInfo{name: name, cond: cond, ctx: ctx, condNode: cn}
		appendFlag, _ := decodeBoolKey(item, "append", ctx, true)
		if appendFlag {
			res.addWarning(WarnDeprecatedItem, warningAppend, ctx)
		}
		app, rep := decodeOverrides(item, map[string]bool{"condition": true}, map[string]bool{"condition": true}, ctx)
		if appendFlag && (len(app) > 0 || len(rep) > 0) {
			throw(ErrYAMLValidate, errOverrideAppend, ctx)
		}
		if appendFlag || app["condition"] {
			l.col.appendMacro(mi)
		} else {
			l.col.defineMacro(mi)
		}
		warnUnknownKeys(res, item, []string{"macro", "condition", "append", "override"}, ctx)
	case has(item, "rule"):
		l.readRule(res, item, base)
	default:
		res.addWarning(WarnUnknownItem, "Unknown top level item", with(base, loc(file, item, "rules content item", "")))
	}
}

var (
	ruleAppendable  = map[string]bool{"condition": true, "output": true, "desc": true, "tags": true, "exceptions": true}
	ruleReplaceable = map[string]bool{"condition": true, "output": true, "desc": true, "priority": true, "capture": true,
		"capture_duration": true, "tags": true, "exceptions": true, "enabled": true, "warn_evttypes": true, "skip-if-unknown-filter": true}
	ruleKeys = []string{"rule", "condition", "output", "desc", "priority", "source", "enabled", "capture",
		"capture_duration", "warn_evttypes", "skip-if-unknown-filter", "tags", "exceptions", "override", "append"}
	// the order in which override keys are read
	ruleOverrideOrder = []string{"condition", "exceptions", "output", "desc", "tags", "priority", "capture",
		"capture_duration", "enabled", "warn_evttypes", "skip-if-unknown-filter"}
)

func (l *Loader) readRule(res *Result, item *yaml.Node, base []Location) {
	file := base[0].File
	tmp := with(base, loc(file, item, "rule", ""))
	name, _ := decodeString(item, "rule", tmp, false, false)
	ctx := with(base, loc(file, item, "rule", name))
	source, _ := decodeString(item, "source", ctx, true, true)
	appendFlag, _ := decodeBoolKey(item, "append", ctx, true)
	if appendFlag {
		res.addWarning(WarnDeprecatedItem, warningAppend, ctx)
	}
	app, rep := decodeOverrides(item, ruleAppendable, ruleReplaceable, ctx)
	hasOverrides := len(app) > 0 || len(rep) > 0
	if appendFlag && hasOverrides {
		throw(ErrYAMLValidate, errOverrideAppend, ctx)
	}
	switch {
	case hasOverrides:
		expected := map[string]bool{}
		for k := range ruleReplaceable {
			if has(item, k) {
				expected[k] = true
			}
		}
		for k := range ruleAppendable {
			if has(item, k) {
				expected[k] = true
			}
		}
		check := func(set map[string]bool, kind, key string) bool {
			if !set[key] {
				return false
			}
			if !expected[key] {
				throw(ErrYAMLValidate, "An "+kind+" override for '"+key+"' was specified but '"+key+"' is not defined", ctx)
			}
			delete(expected, key)
			return true
		}
		for _, mode := range []string{"append", "replace"} {
			set := app
			if mode == "replace" {
				set = rep
			}
			if len(set) == 0 {
				continue
			}
			u := &ruleUpdate{name: name, ctx: ctx}
			for _, key := range ruleOverrideOrder {
				if !check(set, mode, key) {
					continue
				}
				u.readKey(res, item, key, mode == "append", ctx)
				if key == "condition" {
					u.source = source
				}
			}
			if mode == "append" {
				l.col.appendRule(res, u, l.opts.Sources)
			} else {
				l.col.replaceRule(u, l.opts.Sources)
			}
		}
		keys := make([]string, 0, len(expected))
		for k := range expected {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			kn, _ := get(item, k)
			throw(ErrYAMLValidate, "Unexpected key '"+k+"': no corresponding entry under 'override' is defined.",
				with(ctx, loc(file, kn, "overrides", k)))
		}
	case appendFlag:
		u := &ruleUpdate{name: name, source: source, ctx: ctx}
		if has(item, "condition") {
			u.readKey(res, item, "condition", true, ctx)
		}
		if has(item, "exceptions") {
			u.readKey(res, item, "exceptions", true, ctx)
		}
		l.col.appendRule(res, u, l.opts.Sources)
	default:
		r := &ruleInfo{name: name, ctx: ctx, enabled: true, warnEvttypes: true}
		if !has(item, "condition") && !has(item, "output") && !has(item, "desc") && !has(item, "priority") {
			r.enabled, _ = decodeBoolKey(item, "enabled", ctx, false)
			res.addWarning(WarnDeprecatedItem, warningEnabled, ctx)
			l.col.enableRule(r)
			break
		}
		r.cond, _ = decodeString(item, "condition", ctx, false, false)
		_, r.condNode = get(item, "condition")
		r.output, _ = decodeString(item, "output", ctx, false, false)
		_, on := get(item, "output")
		r.outputCtx = with(ctx, loc(file, on, "rule output", ""))
		r.desc, _ = decodeString(item, "desc", ctx, false, false)
		prio, _ := decodeString(item, "priority", ctx, false, false)
		r.output = strings.TrimSpace(r.output)
		r.source = SyscallSource
		_, pn := get(item, "priority")
		p, ok := ParsePriority(prio)
		if !ok {
			throw(ErrYAMLValidate, "Invalid priority", with(ctx, loc(file, pn, "rule priority", "")))
		}
		r.priority = p
		if s, ok := decodeString(item, "source", ctx, true, false); ok {
			r.source = s
		}
		if b, ok := decodeBoolKey(item, "enabled", ctx, true); ok {
			r.enabled = b
		}
		if b, ok := decodeBoolKey(item, "capture", ctx, true); ok {
			r.capture = b
		}
		if u, ok := decodeUintKey(item, "capture_duration", ctx, true); ok {
			r.captureDuration = u
		}
		if b, ok := decodeBoolKey(item, "warn_evttypes", ctx, true); ok {
			r.warnEvttypes = b
		}
		if b, ok := decodeBoolKey(item, "skip-if-unknown-filter", ctx, true); ok {
			r.skipUnknown = b
		}
		if tags, ok := decodeSeq(item, "tags", ctx, true); ok {
			r.tags = tagSet(tags)
		}
		r.exceptions, _ = readExceptions(res, item, ctx, false)
		l.col.defineRule(res, r, l.opts.Sources)
	}
	warnUnknownKeys(res, item, ruleKeys, ctx)
}

// readKey reads one overridable key of a rule into the update.
func (u *ruleUpdate) readKey(res *Result, item *yaml.Node, key string, appending bool, ctx []Location) {
	file := ctx[0].File
	switch key {
	case "condition":
		s, _ := decodeString(item, "condition", ctx, false, false)
		u.cond = &s
		_, u.condNode = get(item, "condition")
	case "exceptions":
		ex, _ := readExceptions(res, item, ctx, appending)
		u.exceptions = &ex
	case "output":
		s, _ := decodeString(item, "output", ctx, false, false)
		u.output = &s
	case "desc":
		s, _ := decodeString(item, "desc", ctx, false, false)
		u.desc = &s
	case "tags":
		t, _ := decodeSeq(item, "tags", ctx, true)
		ts := tagSet(t)
		u.tags = &ts
	case "priority":
		s, _ := decodeString(item, "priority", ctx, false, false)
		_, pn := get(item, "priority")
		p, ok := ParsePriority(s)
		if !ok {
			throw(ErrYAMLValidate, "Invalid priority", with(ctx, loc(file, pn, "rule priority", "")))
		}
		u.priority = &p
	case "capture":
		b, _ := decodeBoolKey(item, "capture", ctx, false)
		u.capture = &b
	case "capture_duration":
		d, _ := decodeUintKey(item, "capture_duration", ctx, false)
		u.captureDuration = &d
	case "enabled":
		b, _ := decodeBoolKey(item, "enabled", ctx, false)
		u.enabled = &b
	case "warn_evttypes":
		b, _ := decodeBoolKey(item, "warn_evttypes", ctx, false)
		u.warnEvttypes = &b
	case "skip-if-unknown-filter":
		b, _ := decodeBoolKey(item, "skip-if-unknown-filter", ctx, false)
		u.skipUnknown = &b
	}
}

func tagSet(tags []string) []string {
	out := append([]string{}, tags...)
	sort.Strings(out)
	n := 0
	for i, t := range out {
		if i == 0 || t != out[n-1] {
			out[n] = t
			n++
		}
	}
	return out[:n]
}

// exEntry is an exception's fields, comps or one value: a string or a list
// of entries.
type exEntry struct {
	isList bool
	item   string
	items  []exEntry
}

func (e exEntry) valid() bool { return e.isList && len(e.items) > 0 || !e.isList && e.item != "" }

type exceptionInfo struct {
	ctx    []Location
	name   string
	fields exEntry
	comps  exEntry
	values []exEntry
}

func decodeEntry(n *yaml.Node, ctx []Location) exEntry {
	n = deref(n)
	var e exEntry
	if isScalar(n) {
		if scalarText(n) == "" {
			throw(ErrYAMLValidate, "Value must be non-empty", ctx)
		}
		e.item = scalarText(n)
	}
	if isSeq(n) {
		e.isList = true
		for _, c := range n.Content {
			e.items = append(e.items, decodeEntry(c, with(ctx, loc(ctx[0].File, deref(c), "exception", ""))))
		}
	}
	return e
}

func readExceptions(res *Result, item *yaml.Node, parent []Location, appending bool) ([]exceptionInfo, bool) {
	file := parent[0].File
	_, exs := get(item, "exceptions")
	out := []exceptionInfo{}
	if exs == nil || isNull(exs) {
		return out, exs != nil
	}
	exctx := with(parent, loc(file, exs, "exceptions", ""))
	if !isSeq(exs) {
		throw(ErrYAMLValidate, "Rule exceptions must be a sequence", exctx)
	}
	for _, ex := range exs.Content {
		ex = deref(ex)
		tmp := with(exctx, loc(file, ex, "exception", ""))
		if !isMap(ex) {
			throw(ErrYAMLValidate, "Rule exception must be a mapping", tmp)
		}
		name, _ := decodeString(ex, "name", tmp, false, false)
		ectx := with(parent, loc(file, ex, "exception", name))
		for _, prev := range out {
			if prev.name == name {
				res.addWarning(WarnExceptionNotUnique, "Multiple definitions of exception '"+name+"' in the same rule", ectx)
			}
		}
		e := exceptionInfo{ctx: ectx, name: name}
		if _, f := get(ex, "fields"); f != nil {
			e.fields = decodeEntry(f, with(ectx, loc(file, f, "value for", "fields")))
		} else if !appending {
			throw(ErrYAMLValidate, "Item has no mapping for key 'fields'", ectx)
		}
		if _, c := get(ex, "comps"); c != nil {
			e.comps = decodeEntry(c, with(ectx, loc(file, c, "value for", "comps")))
		}
		if _, vals := get(ex, "values"); vals != nil {
			vctx := with(ectx, loc(file, vals, "exception values", ""))
			if !isSeq(vals) {
				throw(ErrYAMLValidate, "Rule exception values must be a sequence", vctx)
			}
			for _, v := range vals.Content {
				e.values = append(e.values, decodeEntry(v, with(vctx, loc(file, deref(v), "exception value", ""))))
			}
		} else if appending {
			res.addWarning(WarnAppendNoValues, "Overriding/appending exception with no values", ectx)
		}
		out = append(out, e)
	}
	return out, true
}
