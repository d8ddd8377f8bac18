package fields

import (
	"bytes"

	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/filter"
)

// Syslog fields decode what a process writes to /dev/log: "<PRI>message",
// where PRI is facility*8 + severity. As in libsinsp, they have values on
// write exits to an fd whose name contains /dev/log, and once a resolver
// binds one of them evt.info shows such writes as "syslog sev=... msg=...".

var syslogSeverities = [...]string{"emerg", "alert", "crit", "err", "warn", "notice", "info", "debug"}

var syslogFacilities = [...]string{"kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp",
	"clock", "authpriv", "ftp", "ntp", "logaudit", "logalert", "cron", "local0", "local1", "local2", "local3",
	"local4", "local5", "local6", "local7"}

var devLog = []byte("/dev/log")

// syslogMsg decodes the syslog message written by the event in c: its
// priority and text, ok false when the event is not a successful write to
// /dev/log or the data has no priority.
func syslogMsg(env *Env, c Ctx) (pri int32, msg []byte, ok bool) {
	e := c.Evt
	if e.IsEnter() || env.flags(e)&event.EFWritesToFd == 0 || c.FD == nil || !bytes.Contains(c.FD.Name, devLog) {
		return 0, nil, false
	}
	res, ok := e.Int(0)
	if !ok || res < 0 {
		return 0, nil, false
	}
	data, ok := e.Param(1)
	if !ok {
		return 0, nil, false
	}
	// The priority is what follows the first byte up to '>' (at most 15
	// characters), and must be all digits.
	j := 1
	for j < len(data) && data[j] != '>' && data[j] != 0 && j-1 < 15 {
		j++
	}
	n := j - 1
	if n == 0 || len(data) < n+2 {
		return 0, nil, false
	}
	for _, d := range data[1:j] {
		if d < '0' || d > '9' {
			return 0, nil, false
		}
		pri = pri*10 + int32(d-'0')
	}
	return pri, data[n+2:], true
}

func syslogName(names []string, v int32) string {
	if v < 0 || int(v) >= len(names) {
		return "<NA>"
	}
	return names[v]
}

// appendSyslogInfo appends evt.info's rendering of a syslog write.
func appendSyslogInfo(dst []byte, pri int32, msg []byte) []byte {
	dst = append(dst, "syslog sev="...)
	dst = append(dst, syslogName(syslogSeverities[:], pri&7)...)
	dst = append(dst, " msg="...)
	return append(dst, msg...)
}

func syslogStr(get func(pri int32, msg []byte) []byte) func(*Binding) (*Extractor, error) {
	return func(b *Binding) (*Extractor, error) {
		env := b.Env
		env.syslog = true
		return bytesStrX(func(c Ctx) ([]byte, bool) {
			pri, msg, ok := syslogMsg(env, c)
			if !ok {
				return nil, false
			}
			return get(pri, msg), true
		}), nil
	}
}

func syslogNum(get func(pri int32) uint64) func(*Binding) (*Extractor, error) {
	return func(b *Binding) (*Extractor, error) {
		env := b.Env
		env.syslog = true
		return uintX(func(c Ctx) (uint64, bool) {
			pri, _, ok := syslogMsg(env, c)
			if !ok {
				return 0, false
			}
			return get(pri), true
		}), nil
	}
}

func syslogClass() *Class {
	tS := filter.TypeString
	return &Class{
		Name: "syslog",
		Desc: "Messages processes write to the syslog socket (/dev/log).",
		Fields: []Def{
			{Name: "syslog.facility.str", Type: tS, Desc: "Facility of the message as a name (kern, user, mail, daemon, auth, ..., local7).", Bind: syslogStr(func(pri int32, _ []byte) []byte {
				return []byte(syslogName(syslogFacilities[:], pri>>3))
			})},
			{Name: "syslog.facility", Type: filter.TypeUint, Bits: 32, Print: PrintDec, Desc: "Facility of the message as a number (0 to 23).", Bind: syslogNum(func(pri int32) uint64 { return uint64(uint32(pri >> 3)) })},
			{Name: "syslog.severity.str", Type: tS, Desc: "Severity of the message as a name: emerg, alert, crit, err, warn, notice, info or debug.", Bind: syslogStr(func(pri int32, _ []byte) []byte {
				return []byte(syslogName(syslogSeverities[:], pri&7))
			})},
			{Name: "syslog.severity", Type: filter.TypeUint, Bits: 32, Print: PrintDec, Desc: "Severity of the message as a number (0 to 7).", Bind: syslogNum(func(pri int32) uint64 { return uint64(pri & 7) })},
			{Name: "syslog.message", Type: tS, Desc: "Text of the message, after its priority.", Bind: syslogStr(func(_ int32, msg []byte) []byte { return msg })},
		},
	}
}
