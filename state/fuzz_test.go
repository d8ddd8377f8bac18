package state

import (
	"encoding/binary"
	"testing"

	"github.com/syscope/syscope/event"
)

// fuzzSeeds builds a few valid event sequences (concatenated wire events)
// covering the parsers.
func fuzzSeeds(t testing.TB) [][]byte {
	var seqs [][]byte
	f := newFeeder(t, nil)
	var cur []byte
	rec := func(tid int64, typ event.Type, fill func(b *event.Builder)) {
		f.b.Reset(1000, tid, typ)
		if fill != nil {
			fill(&f.b)
		}
		raw, _ := f.b.Bytes()
		cur = append(cur, raw...)
	}
	rec(5, event.SyscallOpenE, func(b *event.Builder) { b.Str("a/../b").U32(1).U32(0) })
	rec(5, event.SyscallOpenX, func(b *event.Builder) { b.I64(3).Str("a/../b").U32(1).U32(0) })
	rec(5, event.SyscallCloseE, func(b *event.Builder) { b.I64(3) })
	rec(5, event.SyscallCloseX, func(b *event.Builder) { b.I64(0) })
	seqs = append(seqs, cur)
	cur = nil
	rec(5, event.SocketSocketE, func(b *event.Builder) { b.U32(2).U32(1).U32(0) })
	rec(5, event.SocketSocketX, func(b *event.Builder) { b.I64(4) })
	rec(5, event.SocketConnectE, func(b *event.Builder) { b.I64(4).SockAddr(ap("1.2.3.4:80")) })
	rec(5, event.SocketConnectX, func(b *event.Builder) { b.I64(0).SockTuple(ap("5.6.7.8:1"), ap("1.2.3.4:80")) })
	rec(5, event.SyscallDup2X, func(b *event.Builder) { b.I64(9).I64(4).I64(9) })
	seqs = append(seqs, cur)
	cur = nil
	rec(5, event.SyscallCloneV20X, func(b *event.Builder) {
		b.I64(6).Str("x").Strs("a").I64(5).I64(5).I64(1).Str("/").I64(1).U64(0).U64(0).U32(0).U32(0).U32(0).
			Str("x").Strs("cpu=/").U32(0).U32(0).U32(0).I64(5).I64(5)
	})
	rec(6, event.SyscallExecveV19E, func(b *event.Builder) { b.Str("bin/ls") })
	rec(6, event.SyscallExecveV19X, func(b *event.Builder) { b.I64(0).Str("ls").Strs("-l").I64(6).I64(6).I64(5) })
	rec(6, event.ProcexitV1E, func(b *event.Builder) { b.I64(0) })
	seqs = append(seqs, cur)
	return seqs
}

// FuzzProcess feeds arbitrary byte streams, cut into events by their
// declared lengths, to a State: nothing may panic and the counters must
// stay consistent.
func FuzzProcess(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s := New(&Options{MaxThreads: 64, MaxFDs: 64})
		s.SeedThread(&ProcInfo{Tid: 5, Pid: 5, PTid: 1, Comm: "seed", Cwd: "/",
			FDs: []FDInfo{{Num: 0, Type: FDFileV2, Name: "/dev/null"}}})
		var e event.Event
		for n := 0; len(data) >= event.HeaderLen && n < 256; n++ {
			l := int(binary.LittleEndian.Uint32(data[16:]))
			if l < event.HeaderLen || l > len(data) {
				l = len(data)
			}
			e = event.Event{Raw: data[:l], Num: uint64(n + 1)}
			c := s.Process(&e)
			if c.Thread != nil {
				_ = c.FDInfo()
				s.LoginShellID(c.Thread)
				s.Ancestor(c.Thread, 3)
			}
			data = data[l:]
		}
		st := s.Stats()
		if st.Threads > 64 || st.Threads < 0 || st.FDs < 0 {
			t.Fatalf("stats out of bounds: %+v", st)
		}
		total := 0
		s.ForEachThread(func(th *Thread) bool {
			if th.fds != nil {
				total += th.fds.n
			}
			return true
		})
		if total != st.FDs {
			t.Fatalf("fd count %d, tables hold %d", st.FDs, total)
		}
	})
}
