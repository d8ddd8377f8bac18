package output

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestParsePriority(t *testing.T) {
	for i, n := range []string{"emergency", "ALERT", "Critical", "error", "WARNING", "notice", "informational", "debug"} {
		p, err := ParsePriority(n)
		if err != nil || p != Priority(i) {
			t.Errorf("ParsePriority(%q) = %v, %v; want %v", n, p, err, Priority(i))
		}
	}
	for _, n := range []string{"info", "Info", "INFO"} {
		if p, err := ParsePriority(n); err != nil || p != PriorityInformational {
			t.Errorf("ParsePriority(%q) = %v, %v", n, p, err)
		}
	}
	for _, n := range []string{"", "warn", "informationa", "debug ", "8"} {
		if _, err := ParsePriority(n); err == nil {
			t.Errorf("ParsePriority(%q) succeeded", n)
		}
	}
	if PriorityInformational.String() != "Informational" || Priority(9).String() != "Priority(9)" {
		t.Errorf("String: %q %q", PriorityInformational, Priority(9))
	}
	if !PriorityCritical.AtLeast(PriorityWarning) || PriorityNotice.AtLeast(PriorityWarning) {
		t.Error("AtLeast ordering wrong")
	}
}

// at is 2024-03-05 22:47:11.000004567 UTC.
var at = time.Date(2024, 3, 5, 22, 47, 11, 4567, time.UTC)

func testAlert() *Alert {
	return &Alert{
		Time:     at,
		Rule:     "Read sensitive file untrusted",
		Priority: PriorityWarning,
		Source:   "syscall",
		Tags:     []string{"mitre_credential_access", "filesystem", "T1555", "filesystem"},
		Output:   "Sensitive file opened (file=/etc/shadow proc=cat)",
		Fields: map[string]Value{
			"fd.name":      String("/etc/shadow"),
			"proc.name":    String("cat"),
			"proc.pid":     Int(4242),
			"evt.res":      Null(),
			"fd.is_upper":  Bool(false),
			"thread.vtid":  Uint(18446744073709551615),
			"proc.cpu_pct": Float(1.5),
		},
	}
}

func TestTextLine(t *testing.T) {
	// A fixed zone two and a half hours east of UTC: 22:47 UTC is 01:17 the next day.
	f := NewFormatter(FormatterOptions{Hostname: "h", Location: time.FixedZone("X", 9000)})
	got := f.Text(testAlert())
	want := "01:17:11.000004567: Warning Sensitive file opened (file=/etc/shadow proc=cat)"
	if got != want {
		t.Errorf("text line\n got %q\nwant %q", got, want)
	}
	// West of UTC, across midnight backwards.
	f = NewFormatter(FormatterOptions{Hostname: "h", Location: time.FixedZone("Y", -23*3600)})
	a := testAlert()
	a.Priority = PriorityInformational
	if got := f.Text(a); !strings.HasPrefix(got, "23:47:11.000004567: Informational ") {
		t.Errorf("west zone: %q", got)
	}
	f = NewFormatter(FormatterOptions{Hostname: "h", TimeFormatISO8601: true, Location: time.FixedZone("X", 9000)})
	if got := f.Text(testAlert()); !strings.HasPrefix(got, "2024-03-05T22:47:11.000004567+0000: Warning Sensitive") {
		t.Errorf("iso8601: %q", got)
	}
}

func TestTextLineEscapes(t *testing.T) {
	f := NewFormatter(FormatterOptions{Hostname: "h", Location: time.UTC})
	a := testAlert()
	a.Output = "cmd=\"a\\b\"\tx\ny\x01 \xff é"
	got := f.Text(a)
	want := `22:47:11.000004567: Warning cmd=\"a\\b\"\tx\ny\u0001 ` + "\uFFFD é"
	if got != want {
		t.Errorf("escaped line\n got %q\nwant %q", got, want)
	}
}

func TestJSON(t *testing.T) {
	f := NewFormatter(FormatterOptions{Hostname: "node-1", Location: time.UTC})
	b := f.JSON(testAlert())
	if !json.Valid(b) {
		t.Fatalf("invalid JSON: %s", b)
	}
	// Keys sorted, in Falco's set.
	wantOrder := []string{`{"hostname":`, `,"output":`, `,"output_fields":`, `,"priority":`, `,"rule":`, `,"source":`, `,"tags":`, `,"time":`}
	pos := 0
	for _, k := range wantOrder {
		i := bytes.Index(b[pos:], []byte(k))
		if i < 0 {
			t.Fatalf("key %s missing or out of order in %s", k, b)
		}
		pos += i + len(k)
	}
	var m struct {
		Hostname     string                     `json:"hostname"`
		Output       string                     `json:"output"`
		OutputFields map[string]json.RawMessage `json:"output_fields"`
		Priority     string                     `json:"priority"`
		Rule         string                     `json:"rule"`
		Source       string                     `json:"source"`
		Tags         []string                   `json:"tags"`
		Time         string                     `json:"time"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if m.Hostname != "node-1" || m.Priority != "Warning" || m.Rule != "Read sensitive file untrusted" || m.Source != "syscall" {
		t.Errorf("header fields: %+v", m)
	}
	if m.Time != "2024-03-05T22:47:11.000004567Z" {
		t.Errorf("time %q", m.Time)
	}
	if m.Output != "22:47:11.000004567: Warning Sensitive file opened (file=/etc/shadow proc=cat)" {
		t.Errorf("output %q", m.Output)
	}
	if strings.Join(m.Tags, ",") != "T1555,filesystem,mitre_credential_access" {
		t.Errorf("tags %v (want sorted, deduplicated)", m.Tags)
	}
	wantFields := map[string]string{
		"fd.name":      `"/etc/shadow"`,
		"proc.name":    `"cat"`,
		"proc.pid":     `4242`,
		"evt.res":      `null`,
		"fd.is_upper":  `false`,
		"thread.vtid":  `18446744073709551615`,
		"proc.cpu_pct": `1.5`,
		"evt.time":     `1709678831000004567`,
	}
	if len(m.OutputFields) != len(wantFields) {
		t.Errorf("output_fields: %d keys, want %d: %s", len(m.OutputFields), len(wantFields), b)
	}
	for k, v := range wantFields {
		if string(m.OutputFields[k]) != v {
			t.Errorf("output_fields[%s] = %s, want %s", k, m.OutputFields[k], v)
		}
	}
	// The evt.time value is the event time in nanoseconds.
	if at.UnixNano() != 1709678831000004567 {
		t.Fatalf("test clock: %d", at.UnixNano())
	}
}

func TestJSONOptions(t *testing.T) {
	f := NewFormatter(FormatterOptions{Hostname: "h", Location: time.UTC, OmitOutput: true, OmitTags: true, OmitOutputFields: true, IncludeMessage: true, TimeFormatISO8601: true})
	var m map[string]json.RawMessage
	if err := json.Unmarshal(f.JSON(testAlert()), &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"output", "tags", "output_fields"} {
		if _, ok := m[k]; ok {
			t.Errorf("%s present although omitted", k)
		}
	}
	if string(m["message"]) != `"Sensitive file opened (file=/etc/shadow proc=cat)"` {
		t.Errorf("message = %s", m["message"])
	}
	f = NewFormatter(FormatterOptions{Hostname: "h", TimeFormatISO8601: true})
	var full struct {
		Output       string                     `json:"output"`
		OutputFields map[string]json.RawMessage `json:"output_fields"`
	}
	if err := json.Unmarshal(f.JSON(testAlert()), &full); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(full.Output, "2024-03-05T22:47:11.000004567+0000: Warning ") {
		t.Errorf("iso output %q", full.Output)
	}
	if string(full.OutputFields["evt.time.iso8601"]) != "1709678831000004567" {
		t.Errorf("evt.time.iso8601 = %s", full.OutputFields["evt.time.iso8601"])
	}
	if _, ok := full.OutputFields["evt.time"]; ok {
		t.Error("evt.time present with the ISO 8601 prefix")
	}
	// An alert's own hostname wins; an empty tag list is [].
	a := testAlert()
	a.Hostname, a.Tags = "other", nil
	b := f.JSON(a)
	if !bytes.Contains(b, []byte(`"hostname":"other"`)) || !bytes.Contains(b, []byte(`"tags":[]`)) {
		t.Errorf("hostname/tags: %s", b)
	}
}

func TestInternalAlert(t *testing.T) {
	f := NewFormatter(FormatterOptions{Hostname: "h", Location: time.UTC, TimeFormatISO8601: true})
	a := &Alert{
		Time: at, Rule: RuleEventDrop, Priority: PriorityCritical, Source: SourceInternal, Internal: true,
		Output: "Syscope internal: event drop. 5 of 10 events dropped.",
		Fields: map[string]Value{"n_evts": Uint(10), "n_drops": Uint(5), "component": String("kernel driver")},
		Tags:   []string{"ignored"},
	}
	// Internal messages always use the time of day, even with ISO 8601.
	want := `22:47:11.000004567: Critical Syscope internal: event drop. 5 of 10 events dropped. (component="kernel driver" n_drops=5 n_evts=10)`
	if got := f.Text(a); got != want {
		t.Errorf("internal text\n got %q\nwant %q", got, want)
	}
	want = `{"hostname":"h","output":"Syscope internal: event drop. 5 of 10 events dropped.","output_fields":{"component":"kernel driver","n_drops":5,"n_evts":10},"priority":"Critical","rule":"Syscope internal: event drop","source":"internal","time":"2024-03-05T22:47:11.000004567Z"}`
	if got := string(f.JSON(a)); got != want {
		t.Errorf("internal json\n got %s\nwant %s", got, want)
	}
}

func TestJSONFloat(t *testing.T) {
	cases := []struct {
		f    float64
		want string
	}{
		{1.5, "1.5"}, {100, "100.0"}, {0, "0.0"}, {-2.25, "-2.25"},
		{1e20, "1e+20"}, {1.5e-7, "1.5e-07"}, {0.001, "0.001"}, {0.0001, "0.0001"},
		{0.00001, "1e-05"}, {1e14, "100000000000000.0"}, {1e15, "1e+15"},
		{123456.789, "123456.789"}, {1.7976931348623157e308, "1.7976931348623157e+308"},
		{5e-324, "5e-324"}, {math.NaN(), "null"}, {math.Inf(1), "null"},
	}
	for _, c := range cases {
		if got := string(Float(c.f).AppendJSON(nil)); got != c.want {
			t.Errorf("%v: got %s want %s", c.f, got, c.want)
		}
	}
}

func FuzzJSONFloat(f *testing.F) {
	for _, v := range []float64{0, 1, -1, 0.1, 1e300, 1e-300, 123.456, 1e15, 1e16, 99999999999999.9} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v float64) {
		b := Float(v).AppendJSON(nil)
		if math.IsNaN(v) || math.IsInf(v, 0) {
			if string(b) != "null" {
				t.Fatalf("%v -> %s", v, b)
			}
			return
		}
		var back float64
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("%v -> %s: %v", v, b, err)
		}
		if back != v {
			t.Fatalf("%v -> %s -> %v", v, b, back)
		}
	})
}

// replaceInvalid replaces every invalid UTF-8 byte with U+FFFD.
func replaceInvalid(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		b.WriteRune(r)
		i += n
	}
	return b.String()
}

func FuzzJSONString(f *testing.F) {
	for _, s := range []string{"", "plain", "quote\" back\\slash", "\x00\x1f\x7f", "\xff\xfe", "é\u2028<>&", "\xe2\x82"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b := appendJSONString(nil, s)
		if !json.Valid(b) || !utf8.Valid(b) {
			t.Fatalf("%q -> invalid %s", s, b)
		}
		var back string
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		if want := replaceInvalid(s); back != want {
			t.Fatalf("%q -> %s -> %q, want %q", s, b, back, want)
		}
	})
}

func FuzzFormatAlert(f *testing.F) {
	f.Add("rule", "out\n\"x\"", "tag", "k", "v", int64(12345), uint8(4))
	f.Add("", "", "", "", "", int64(-1), uint8(200))
	f.Fuzz(func(t *testing.T, rule, out, tag, key, val string, ts int64, prio uint8) {
		a := &Alert{Time: time.Unix(0, ts), Rule: rule, Output: out, Priority: Priority(prio), Source: "syscall",
			Tags: []string{tag}, Fields: map[string]Value{key: String(val), key + "2": Null()}}
		fm := NewFormatter(FormatterOptions{Hostname: "h", Location: time.UTC})
		if b := fm.JSON(a); !json.Valid(b) {
			t.Fatalf("invalid JSON %s", b)
		}
		line := fm.Text(a)
		if strings.ContainsAny(line, "\n\r") || !utf8.ValidString(line) {
			t.Fatalf("text line not one valid line: %q", line)
		}
		a.Internal = true
		if b := fm.JSON(a); !json.Valid(b) {
			t.Fatalf("invalid internal JSON %s", b)
		}
	})
}
