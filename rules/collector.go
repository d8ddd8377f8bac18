package rules

import (
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/syscope/syscope/filter"
)

// version is a semantic version x.y.z.
type version struct{ major, minor, patch int }

const (
	engineMajor = 0
	enginePatch = 0
)

func parseVersion(s string) (version, bool) {
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return version{}, false
	}
	var v [3]int
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || p == "" || strings.TrimLeft(p, "0123456789") != "" {
			return version{}, false
		}
		v[i] = n
	}
	return version{v[0], v[1], v[2]}, true
}

func (v version) String() string {
	return strconv.Itoa(v.major) + "." + strconv.Itoa(v.minor) + "." + strconv.Itoa(v.patch)
}

func (v version) less(o version) bool {
	if v.major != o.major {
		return v.major < o.major
	}
	if v.minor != o.minor {
		return v.minor < o.minor
	}
	return v.patch < o.patch
}

// compatibleWith reports whether an engine (or plugin) of version v can
// serve a requirement for version req: same major version, not older.
func (v version) compatibleWith(req version) bool {
	return v.major == req.major && !v.less(req)
}

type listInfo struct {
	ctx               []Location
	name              string
	items             []string
	index, visibility int
}

type macroInfo struct {
	ctx               []Location
	condNode          *yaml.Node
	name, cond        string
	index, visibility int
}

type ruleInfo struct {
	ctx, outputCtx    []Location
	condNode          *yaml.Node
	name              string
	cond, output      string
	desc, source      string
	priority          Priority
	tags              []string
	exceptions        []exceptionInfo
	enabled           bool
	capture           bool
	captureDuration   uint64
	warnEvttypes      bool
	skipUnknown       bool
	unknownSource     bool
	index, visibility int
}

// ruleUpdate is an append or a selective replace of a rule's keys.
type ruleUpdate struct {
	ctx             []Location
	condNode        *yaml.Node
	name, source    string
	cond            *string
	output, desc    *string
	tags            *[]string
	exceptions      *[]exceptionInfo
	priority        *Priority
	capture         *bool
	captureDuration *uint64
	enabled         *bool
	warnEvttypes    *bool
	skipUnknown     *bool
}

func (u *ruleUpdate) hasAny() bool {
	return u.cond != nil || u.output != nil || u.desc != nil || u.tags != nil || u.exceptions != nil ||
		u.priority != nil || u.enabled != nil || u.capture != nil || u.captureDuration != nil ||
		u.warnEvttypes != nil || u.skipUnknown != nil
}

// ordered keeps items by name in first-definition order.
type ordered[T any] struct {
	items  []*T
	byName map[string]int
}

func (o *ordered[T]) init() { o.byName = map[string]int{} }

func (o *ordered[T]) at(name string) *T {
	if i, ok := o.byName[name]; ok {
		return o.items[i]
	}
	return nil
}

func (o *ordered[T]) put(name string, v *T) {
	if i, ok := o.byName[name]; ok {
		o.items[i] = v
		return
	}
	o.byName[name] = len(o.items)
	o.items = append(o.items, v)
}

// collector gathers the items of all rules contents, applying appends,
// overrides and redefinitions in reading order.
type collector struct {
	cur     int
	lists   ordered[listInfo]
	macros  ordered[macroInfo]
	rules   ordered[ruleInfo]
	engine  version
	plugins []PluginRequirement
}

func (c *collector) init() {
	c.lists.init()
	c.macros.init()
	c.rules.init()
}

func (c *collector) next() int {
	c.cur++
	return c.cur - 1
}

func (c *collector) defineEngineVersion(v version, ctx []Location) {
	eng, _ := parseVersion(EngineVersion)
	if !eng.compatibleWith(v) {
		throw(ErrValidate, "Rules require engine version "+v.String()+", but engine version is "+eng.String(), ctx)
	}
	if c.engine.less(v) {
		c.engine = v
	}
}

func (c *collector) definePlugin(req PluginRequirement, ctx []Location) {
	seen := map[string]bool{}
	for _, a := range req.Alternatives {
		if _, ok := parseVersion(a.Version); !ok {
			throw(ErrValidate, "Invalid required version '"+a.Version+"' for plugin '"+a.Name+"'", ctx)
		}
		if seen[a.Name] {
			throw(ErrValidate, "Defined multiple alternative version requirements for plugin '"+a.Name+"'", ctx)
		}
		seen[a.Name] = true
	}
	c.plugins = append(c.plugins, req)
}

func (c *collector) defineList(l *listInfo) {
	id := c.next()
	if prev := c.lists.at(l.name); prev != nil {
		l.index, l.visibility = prev.index, id
	} else {
		l.index, l.visibility = id, id
	}
	c.lists.put(l.name, l)
}

func (c *collector) appendList(l *listInfo) {
	prev := c.lists.at(l.name)
	if prev == nil {
		throw(ErrValidate, errNoPrevList, l.ctx)
	}
	prev.items = append(prev.items, l.items...)
	prev.visibility = c.next()
}

func (c *collector) defineMacro(m *macroInfo) {
	id := c.next()
	if prev := c.macros.at(m.name); prev != nil {
		m.index, m.visibility = prev.index, id
	} else {
		m.index, m.visibility = id, id
	}
	c.macros.put(m.name, m)
}

func (c *collector) appendMacro(m *macroInfo) {
	prev := c.macros.at(m.name)
	if prev == nil {
		throw(ErrValidate, errNoPrevMacro, m.ctx)
	}
	prev.cond += " " + m.cond
	prev.visibility = c.next()
}

// findPrevRule returns the rule called name, failing when both it and the
// new definition name different sources.
func (c *collector) findPrevRule(name, source string, ctx []Location) *ruleInfo {
	prev := c.rules.at(name)
	if prev != nil && prev.source != "" && source != "" && prev.source != source {
		throw(ErrValidate, "Rule has been re-defined with a different source", ctx)
	}
	return prev
}

func (c *collector) defineRule(res *Result, r *ruleInfo, sources map[string]filter.Schema) {
	c.findPrevRule(r.name, r.source, r.ctx)
	schema, known := sources[r.source]
	if !known {
		r.unknownSource = true
		res.addWarning(WarnUnknownSource, "Unknown source "+r.source+", skipping", r.ctx)
	}
	for i := range r.exceptions {
		ex := &r.exceptions[i]
		if !ex.fields.valid() {
			throw(ErrValidate, "Rule exception item must have fields property with a list of fields", ex.ctx)
		}
		validateException(ex, schema, known)
	}
	id := c.next()
	if prev := c.rules.at(r.name); prev != nil {
		r.index, r.visibility = prev.index, id
	} else {
		r.index, r.visibility = id, id
	}
	c.rules.put(r.name, r)
}

func (c *collector) appendRule(res *Result, u *ruleUpdate, sources map[string]filter.Schema) {
	prev := c.findPrevRule(u.name, u.source, u.ctx)
	if prev == nil {
		throw(ErrValidate, errNoPrevAppend, u.ctx)
	}
	if !u.hasAny() {
		throw(ErrValidate, "Appended rule must have exceptions or condition property", u.ctx)
	}
	schema, known := sources[prev.source]
	known = known && !prev.unknownSource
	if u.cond != nil && *u.cond != "" {
		prev.cond += " " + *u.cond
	}
	if u.output != nil && *u.output != "" {
		prev.output += " " + *u.output
	}
	if u.desc != nil && *u.desc != "" {
		prev.desc += " " + *u.desc
	}
	if u.tags != nil {
		prev.tags = tagSet(append(prev.tags, *u.tags...))
	}
	if u.exceptions != nil {
		for _, ex := range *u.exceptions {
			var pe *exceptionInfo
			for i := range prev.exceptions {
				if prev.exceptions[i].name == ex.name {
					pe = &prev.exceptions[i]
					break
				}
			}
			if pe == nil {
				if !ex.fields.valid() {
					throw(ErrValidate, "Rule exception must have fields property with a list of fields", ex.ctx)
				}
				if len(ex.values) == 0 {
					throw(ErrValidate, "Rule exception must have values property with a list of values", ex.ctx)
				}
				validateException(&ex, schema, known)
				prev.exceptions = append(prev.exceptions, ex)
				continue
			}
			if ex.fields.valid() {
				throw(ErrValidate, "Can not append exception fields to existing exception, only values", ex.ctx)
			}
			if ex.comps.valid() {
				throw(ErrValidate, "Can not append exception comps to existing exception, only values", ex.ctx)
			}
			pe.values = append(pe.values, ex.values...)
		}
	}
	prev.visibility = c.next()
}

func (c *collector) replaceRule(u *ruleUpdate, sources map[string]filter.Schema) {
	prev := c.findPrevRule(u.name, u.source, u.ctx)
	if prev == nil {
		throw(ErrValidate, errNoPrevReplace, u.ctx)
	}
	if !u.hasAny() {
		throw(ErrValidate, "The rule must have at least one field that can be replaced", u.ctx)
	}
	if u.cond != nil {
		prev.cond = *u.cond
		prev.condNode = u.condNode
	}
	if u.output != nil {
		prev.output = *u.output
	}
	if u.desc != nil {
		prev.desc = *u.desc
	}
	if u.tags != nil {
		prev.tags = *u.tags
	}
	if u.exceptions != nil {
		prev.exceptions = *u.exceptions
	}
	if u.priority != nil {
		prev.priority = *u.priority
	}
	if u.capture != nil {
		prev.capture = *u.capture
	}
	if u.captureDuration != nil {
		prev.captureDuration = *u.captureDuration
	}
	if u.enabled != nil {
		prev.enabled = *u.enabled
	}
	if u.warnEvttypes != nil {
		prev.warnEvttypes = *u.warnEvttypes
	}
	if u.skipUnknown != nil {
		prev.skipUnknown = *u.skipUnknown
	}
	prev.visibility = c.next()
}

func (c *collector) enableRule(r *ruleInfo) {
	prev := c.rules.at(r.name)
	if prev == nil {
		throw(ErrValidate, "Rule has 'enabled' key but no rule by that name already exists", r.ctx)
	}
	prev.enabled = r.enabled
}

// validateException checks an exception's fields and comps, defaulting the
// comps ("=" for each field of a list, "in" for a single field).
func validateException(ex *exceptionInfo, schema filter.Schema, checkFields bool) {
	if ex.fields.isList {
		if !ex.comps.valid() {
			ex.comps = exEntry{isList: true}
			for range ex.fields.items {
				ex.comps.items = append(ex.comps.items, exEntry{item: "="})
			}
		}
		if len(ex.fields.items) != len(ex.comps.items) {
			throw(ErrValidate, "Fields and comps lists must have equal length", ex.ctx)
		}
		for i := range ex.comps.items {
			ex.comps.items[i].item = strings.Trim(ex.comps.items[i].item, " \t\r\n")
			if !filter.ValidOperator(ex.comps.items[i].item) {
				throw(ErrValidate, "'"+ex.comps.items[i].item+"' is not a supported comparison operator", ex.ctx)
			}
		}
		if checkFields {
			for _, f := range ex.fields.items {
				if !validLHSField(f.item, schema) {
					throw(ErrValidate, "'"+f.item+"' is not a supported filter field", ex.ctx)
				}
			}
		}
		return
	}
	if !ex.comps.valid() {
		ex.comps = exEntry{item: "in"}
	}
	if ex.comps.isList {
		throw(ErrValidate, "Fields and comps must both be strings", ex.ctx)
	}
	ex.comps.item = strings.Trim(ex.comps.item, " \t\r\n")
	hasMod := strings.Contains(ex.comps.item, " ")
	if !(ex.comps.item == "in" || ex.comps.item == "pmatch" || ex.comps.item == "intersects" ||
		hasMod && filter.ValidOperator(ex.comps.item)) {
		throw(ErrValidate, "When fields is a single value, comps must be one of (in, pmatch, intersects) or a modifier operator (e.g. startswith oneof)", ex.ctx)
	}
	if checkFields && !validLHSField(ex.fields.item, schema) {
		throw(ErrValidate, "'"+ex.fields.item+"' is not a supported filter field", ex.ctx)
	}
}

// validLHSField reports whether s can be the left-hand side of a check: a
// field, or a transformer expression over fields.
func validLHSField(s string, schema filter.Schema) bool {
	e, err := filter.Parse(s + " exists")
	if err != nil {
		return false
	}
	if _, ok := e.(*filter.UnaryCheck); !ok {
		return false
	}
	if schema == nil {
		return true
	}
	return filter.Check(e, schema) == nil
}
