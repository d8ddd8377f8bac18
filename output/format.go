package output

import (
	"os"
	"slices"
	"strconv"
	"time"
)

// Format selects how a sink receives alerts.
type Format uint8

// Formats.
const (
	// FormatText is Falco's text line: "HH:MM:SS.nnnnnnnnn: Priority output".
	FormatText Format = iota
	// FormatJSON is Falco's alert JSON object on one line.
	FormatJSON
)

// String returns "text" or "json".
func (f Format) String() string {
	if f == FormatJSON {
		return "json"
	}
	return "text"
}

// FormatterOptions are the rendering settings. The zero value renders like
// Falco's defaults (local time of day, output, output_fields and tags in the
// JSON, no message).
type FormatterOptions struct {
	// Hostname is the "hostname" of the JSON; empty means DefaultHostname().
	Hostname string
	// TimeFormatISO8601 prefixes text lines with the UTC ISO 8601 time
	// instead of the local time of day (Falco's time_format_iso_8601).
	TimeFormatISO8601 bool
	// Location is the zone of the time of day; nil means time.Local.
	Location *time.Location
	// OmitOutput drops the "output" key (json_include_output_property=false).
	OmitOutput bool
	// OmitTags drops the "tags" key (json_include_tags_property=false).
	OmitTags bool
	// OmitOutputFields drops "output_fields"
	// (json_include_output_fields_property=false).
	OmitOutputFields bool
	// IncludeMessage adds "message", the output without the time and
	// priority prefix (json_include_message_property=true).
	IncludeMessage bool
}

// Formatter renders alerts. It is safe for concurrent use.
type Formatter struct {
	opts     FormatterOptions
	hostname string
	loc      *time.Location
}

// NewFormatter returns a formatter with the given options.
func NewFormatter(o FormatterOptions) *Formatter {
	f := &Formatter{opts: o, hostname: o.Hostname, loc: o.Location}
	if f.hostname == "" {
		f.hostname = DefaultHostname()
	}
	if f.loc == nil {
		f.loc = time.Local
	}
	return f
}

// Options returns the options the formatter was built with.
func (f *Formatter) Options() FormatterOptions { return f.opts }

// Hostname returns the hostname the formatter puts in JSON alerts.
func (f *Formatter) Hostname() string { return f.hostname }

// DefaultHostname returns $SYSCOPE_HOSTNAME when set, else the kernel's host
// name, else "".
func DefaultHostname() string {
	if h := os.Getenv("SYSCOPE_HOSTNAME"); h != "" {
		return h
	}
	h, _ := os.Hostname()
	return h
}

// Append renders a in the given format and appends it to b (no newline).
func (f *Formatter) Append(b []byte, a *Alert, format Format) []byte {
	if format == FormatJSON {
		return f.AppendJSON(b, a)
	}
	return f.AppendText(b, a)
}

// Text returns the alert's text line.
func (f *Formatter) Text(a *Alert) string { return string(f.AppendText(nil, a)) }

// JSON returns the alert's JSON object.
func (f *Formatter) JSON(a *Alert) []byte { return f.AppendJSON(nil, a) }

// appendClock appends the time of day of t as libsinsp prints evt.time:
// HH:MM:SS.nnnnnnnnn in the formatter's zone. Like libsinsp, the zone offset
// is the one in force now, not at t.
func (f *Formatter) appendClock(b []byte, t time.Time) []byte {
	_, off := time.Now().In(f.loc).Zone()
	sec := t.Unix() + int64(off)
	s := sec % 86400
	if s < 0 {
		s += 86400
	}
	b = append2(b, int(s/3600))
	b = append(b, ':')
	b = append2(b, int(s%3600/60))
	b = append(b, ':')
	b = append2(b, int(s%60))
	b = append(b, '.')
	return appendPadded(b, t.Nanosecond(), 9)
}

// appendISO8601 appends t as libsinsp prints evt.time.iso8601:
// 2006-01-02T15:04:05.000000000+0000, always in UTC.
func appendISO8601(b []byte, t time.Time) []byte {
	return t.UTC().AppendFormat(b, "2006-01-02T15:04:05.000000000+0000")
}

// appendJSONTime appends t as Falco's JSON "time": UTC, nanoseconds, "Z".
func appendJSONTime(b []byte, t time.Time) []byte {
	return t.UTC().AppendFormat(b, "2006-01-02T15:04:05.000000000Z")
}

func append2(b []byte, v int) []byte { return append(b, byte('0'+v/10), byte('0'+v%10)) }

func appendPadded(b []byte, v, width int) []byte {
	var tmp [20]byte
	s := strconv.AppendInt(tmp[:0], int64(v), 10)
	for i := len(s); i < width; i++ {
		b = append(b, '0')
	}
	return append(b, s...)
}

// appendPrefix appends "<time>: <Priority>".
func (f *Formatter) appendPrefix(b []byte, a *Alert, iso bool) []byte {
	if iso {
		b = appendISO8601(b, a.Time)
	} else {
		b = f.appendClock(b, a.Time)
	}
	b = append(b, ':', ' ')
	return append(b, a.Priority.String()...)
}

// AppendText appends Falco's text line for a:
//
//	14:03:07.123456789: Warning <output>
//
// The time is the local time of day, or the UTC ISO 8601 time when
// TimeFormatISO8601 is set. As Falco does, the whole line is escaped like a
// JSON string (without the quotes): control characters become \n, \t, \u00xx,
// quotes and backslashes are escaped, invalid UTF-8 becomes U+FFFD.
//
// An internal alert is laid out as Falco lays out its internal messages:
// "<time of day>: <Priority> <output> (k=v k=v)", the fields sorted by name
// and their values JSON-encoded, not escaped further.
func (f *Formatter) AppendText(b []byte, a *Alert) []byte {
	if a.Internal {
		b = f.appendPrefix(b, a, false)
		b = append(b, ' ')
		b = append(b, a.Output...)
		b = append(b, ' ', '(')
		for i, k := range sortedKeys(a.Fields) {
			if i > 0 {
				b = append(b, ' ')
			}
			b = append(b, k...)
			b = append(b, '=')
			b = a.Fields[k].AppendJSON(b)
		}
		return append(b, ')')
	}
	var tmp [64]byte
	p := f.appendPrefix(tmp[:0], a, f.opts.TimeFormatISO8601)
	b = appendJSONEscaped(b, string(p))
	b = append(b, ' ')
	return appendJSONEscaped(b, a.Output)
}

func sortedKeys(m map[string]Value) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// AppendJSON appends Falco's alert JSON for a, on one line, keys sorted:
//
//	{"hostname":…,"output":…,"output_fields":{…},"priority":"Warning",
//	 "rule":…,"source":"syscall","tags":[…],"time":"2024-05-01T10:00:00.000000001Z"}
//
// "output" is the full text line (time and priority prefix included);
// "output_fields" holds the alert's fields, typed, null for missing ones,
// plus the prefix's time field ("evt.time", or "evt.time.iso8601" with
// TimeFormatISO8601) as nanoseconds since the epoch, as Falco adds it.
//
// An internal alert has "output" without the prefix, always has
// "output_fields", and has no "tags", like Falco's internal messages.
func (f *Formatter) AppendJSON(b []byte, a *Alert) []byte {
	host := a.Hostname
	if host == "" {
		host = f.hostname
	}
	b = append(b, `{"hostname":`...)
	b = appendJSONString(b, host)
	if a.Internal {
		b = append(b, `,"output":`...)
		b = appendJSONString(b, a.Output)
		b = append(b, `,"output_fields":`...)
		b = appendFields(b, a.Fields, "", time.Time{})
	} else {
		if f.opts.IncludeMessage {
			b = append(b, `,"message":`...)
			b = appendJSONString(b, a.Output)
		}
		if !f.opts.OmitOutput {
			var tmp [64]byte
			p := f.appendPrefix(tmp[:0], a, f.opts.TimeFormatISO8601)
			b = append(b, `,"output":"`...)
			b = appendJSONEscaped(b, string(p))
			b = append(b, ' ')
			b = appendJSONEscaped(b, a.Output)
			b = append(b, '"')
		}
		if !f.opts.OmitOutputFields {
			timeField := "evt.time"
			if f.opts.TimeFormatISO8601 {
				timeField = "evt.time.iso8601"
			}
			b = append(b, `,"output_fields":`...)
			b = appendFields(b, a.Fields, timeField, a.Time)
		}
	}
	b = append(b, `,"priority":`...)
	b = appendJSONString(b, a.Priority.String())
	b = append(b, `,"rule":`...)
	b = appendJSONString(b, a.Rule)
	b = append(b, `,"source":`...)
	if a.Internal {
		b = appendJSONString(b, SourceInternal)
	} else {
		b = appendJSONString(b, a.Source)
	}
	if !a.Internal && !f.opts.OmitTags {
		b = append(b, `,"tags":[`...)
		for i, t := range a.SortedTags() {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, t)
		}
		b = append(b, ']')
	}
	b = append(b, `,"time":"`...)
	b = appendJSONTime(b, a.Time)
	return append(b, '"', '}')
}

// appendFields writes the field map as a JSON object with sorted keys; when
// timeField is not empty it is added (or replaced) with t in nanoseconds.
func appendFields(b []byte, fields map[string]Value, timeField string, t time.Time) []byte {
	keys := make([]string, 0, len(fields)+1)
	for k := range fields {
		keys = append(keys, k)
	}
	if timeField != "" {
		if _, ok := fields[timeField]; !ok {
			keys = append(keys, timeField)
		}
	}
	slices.Sort(keys)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, k)
		b = append(b, ':')
		if k == timeField {
			b = strconv.AppendInt(b, t.UnixNano(), 10)
			continue
		}
		b = fields[k].AppendJSON(b)
	}
	return append(b, '}')
}
