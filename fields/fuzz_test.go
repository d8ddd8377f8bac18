package fields_test

import (
	"encoding/binary"
	"testing"

	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/fields"
	"github.com/syscope/syscope/filter"
)

// FuzzExtract feeds events with arbitrary types and parameter bytes through
// the state and extracts every field from them, in text and JSON and
// through the typed getters: nothing may panic.
func FuzzExtract(f *testing.F) {
	seed := func(t event.Type, params ...[]byte) {
		raw, err := event.Encode(nil, 1_534_527_348_514_632_619, 100, t, params...)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	i64 := func(v int64) []byte { b := make([]byte, 8); binary.LittleEndian.PutUint64(b, uint64(v)); return b }
	u32 := func(v uint32) []byte { b := make([]byte, 4); binary.LittleEndian.PutUint32(b, v); return b }
	seed(event.SyscallOpenX, i64(3), []byte("/etc/passwd\x00"), u32(1), u32(0), u32(0))
	seed(event.SyscallReadX, i64(5), []byte("hello"))
	seed(event.SocketConnectX, i64(-2), []byte{1, 0, 0})
	seed(event.SyscallPollX, i64(1), []byte{1, 0, 3, 0, 0, 0, 0, 0, 0, 0, 1, 0})
	seed(event.GenericX, []byte{2, 1})
	seed(event.SyscallOpenatV2X, i64(3), i64(-100), []byte("rel/path\x00"), u32(1), u32(0), u32(0), i64(1))
	seed(event.SyscallRenameat2X, i64(0), i64(-100), []byte("a\x00"), i64(-100), []byte("../b\x00"), u32(0))
	seed(event.ProcinfoE, i64(10), i64(20))

	st := testState(f)
	var xs []*fields.Extractor
	for _, compat := range []fields.Compat{fields.Sysdig029, fields.Current} {
		r := fields.NewResolver(nil, &fields.Env{State: st, Compat: compat, Location: utc})
		for _, c := range fields.Default().Classes() {
			for i := range c.Fields {
				d := &c.Fields[i]
				refs := []filter.Ref{{Name: d.Name}}
				switch d.Arg {
				case fields.ArgKey, fields.ArgIndexOrKey:
					refs = []filter.Ref{{Name: d.Name + ".fd"}, {Name: d.Name + ".name"}, {Name: d.Name + ".res"}, {Name: d.Name + ".src"}, {Name: d.Name + ".open"}, {Name: d.Name + ".cpuacct"}, {Name: d.Name, Arg: "1", HasArg: true}}
				case fields.ArgIndex:
					refs = append(refs, filter.Ref{Name: d.Name, Arg: "0", HasArg: true}, filter.Ref{Name: d.Name, Arg: "3", HasArg: true})
				case fields.ArgKeyOpt:
					refs = append(refs, filter.Ref{Name: d.Name, Arg: "HOME", HasArg: true})
				}
				for _, ref := range refs {
					if x, err := r.Extractor(ref); err == nil {
						xs = append(xs, x)
					}
				}
			}
		}
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		if len(raw) < event.HeaderLen {
			return
		}
		// Keep the declared length consistent so the event reaches the
		// state and the fields; the type and parameters stay arbitrary.
		b := append([]byte(nil), raw...)
		binary.LittleEndian.PutUint32(b[16:], uint32(len(b)))
		binary.LittleEndian.PutUint64(b[8:], 100)
		e := &event.Event{Raw: b, Num: 1}
		if e.Validate() != nil {
			return
		}
		c := st.Process(e)
		var buf []byte
		for _, x := range xs {
			buf, _ = x.AppendText(buf[:0], c)
			buf, _ = x.AppendJSON(buf[:0], c)
			fld := &x.Field
			n := 1
			if fld.Len != nil {
				n = fld.Len(c)
			}
			for i := 0; i < n && i < 64; i++ {
				switch fld.Info.Type.Kind() {
				case filter.KindString:
					fld.Str(c, i)
				case filter.KindBytes:
					fld.Bytes(c, i)
				case filter.KindInt:
					fld.Int(c, i)
				case filter.KindUint:
					fld.Uint(c, i)
				case filter.KindBool:
					fld.Bool(c, i)
				case filter.KindIP:
					fld.IP(c, i)
				case filter.KindFloat:
					fld.Float(c, i)
				}
			}
		}
	})
}
