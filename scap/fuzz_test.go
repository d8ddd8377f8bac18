package scap

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/syscope/syscope/event"
)

var updateCorpus = flag.Bool("update-corpus", false, "rewrite testdata/fuzz/FuzzReader from the synthetic seeds")

// fuzzSeeds returns small synthetic captures covering every block version,
// built with the Writer and the hand-built legacy blocks.
func fuzzSeeds(t testing.TB) map[string][]byte {
	seeds := map[string][]byte{}
	p := sampleProcess(4242)
	p.FDs = sampleFDs
	md := &Metadata{
		Machine:    &MachineInfo{NumCPUs: 2, MemoryBytes: 1 << 30, MaxPID: 4194304, Hostname: "seed", BootTime: 1},
		Interfaces: sampleIfs,
		Users:      sampleUsers[:1],
		Groups:     sampleGroups[:1],
		Processes:  []Process{p},
		OrphanFDs:  []FDList{{Tid: 9, FDs: sampleFDs[:1]}},
	}
	evs := []rec{
		{raw: closeEvent(1, 4242, 3), num: 1},
		{raw: mkEvent(2, 4242, event.SyscallReadX, le64(5), []byte("hello"), le64(3), le32(5)), num: 2, cpu: 1, flags: 1},
		{raw: mkEvent(3, 4242, event.PlugineventE, le32(1), []byte("payload")), num: 3},
		{raw: mkEvent(4, 4242, event.SyscallCloseX, le64(0)), num: 4},
	}
	seeds["writer"] = writeCapture(t, md, evs, nil)
	seeds["writer-gzip"] = writeCapture(t, md, evs[:2], &WriterOptions{Compress: true})
	seeds["writer-legacy-tail"] = writeCapture(t, &Metadata{Processes: []Process{p}}, evs[:1], &WriterOptions{LegacyProcessTail: true})
	opts := appendOptions(nil, []Option{{Code: OptComment, Value: []byte("seed comment")}})
	seeds["shb-options"] = writeCapture(t, &Metadata{Section: SectionHeader{Options: []Option{{Code: OptComment, Value: []byte("c")}}}}, evs[:1], &WriterOptions{SectionOptions: true})
	for ver := 1; ver <= 9; ver++ {
		tail := tailNone
		if ver == 9 {
			tail = tailPre010
		}
		var c []byte
		c = append(c, shb(1, 0, opts)...)
		c = append(c, miBlock(md.Machine)...)
		c = append(c, ilV1Block(BlockIL, sampleIfs, ver%2 == 0)...)
		c = append(c, userBlock(false, BlockUL, sampleUsers[:1], sampleGroups[:1])...)
		c = append(c, blk(plTypes[ver][0], plEntry(ver, &p, tail))...)
		c = append(c, fdlBlock(false, BlockFDL, p.Tid, sampleFDs[:4])...)
		c = append(c, blk(0x7777, []byte("unknown"))...)
		for _, e := range evs {
			if ver%2 == 0 {
				c = append(c, evBlock(BlockEVF, e.cpu, e.flags, true, v1Event(e.raw))...)
			} else {
				c = append(c, evBlock(BlockEV, e.cpu, 0, false, v1Event(e.raw))...)
			}
		}
		seeds["legacy-v"+strconv.Itoa(ver)] = c
	}
	return seeds
}

// corpusFile encodes a seed in the go test fuzz corpus format.
func corpusFile(b []byte) []byte {
	return []byte("go test fuzz v1\n[]byte(" + strconv.Quote(string(b)) + ")\n")
}

// TestFuzzCorpus checks that the committed seed corpus holds the synthetic
// seeds (rewrite it with -update-corpus).
func TestFuzzCorpus(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzReader")
	for name, b := range fuzzSeeds(t) {
		path := filepath.Join(dir, "seed-"+name)
		want := corpusFile(b)
		if *updateCorpus {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test -run TestFuzzCorpus -update-corpus)", err)
		}
		// Gzip output may change with the Go version; the others must
		// match exactly.
		if name != "writer-gzip" && !bytes.Equal(got, want) {
			sum := sha256.Sum256(want)
			t.Errorf("%s is stale (want sha256 %s); run go test -run TestFuzzCorpus -update-corpus", path, hex.EncodeToString(sum[:8]))
		}
	}
}

// checkCapture reads data and checks the Reader's guarantees: only
// *BlockError errors, events that validate and are numbered from 1, and a
// Writer round trip that gives the same events and metadata.
func checkCapture(t *testing.T, data []byte) {
	r, err := NewReader(bytes.NewReader(data))
	if err != nil {
		asBlockError(t, err)
		return
	}
	var evs []rec
	var e event.Event
	for {
		err = r.Next(&e)
		if err != nil {
			break
		}
		if e.Num != uint64(len(evs)+1) {
			t.Fatalf("event num %d after %d events", e.Num, len(evs))
		}
		if verr := e.Validate(); verr != nil {
			t.Fatalf("event %d does not validate: %v", e.Num, verr)
		}
		evs = append(evs, rec{raw: bytes.Clone(e.Raw), num: e.Num, cpu: e.CPU, flags: e.Flags})
	}
	if err != io.EOF {
		be := asBlockError(t, err)
		if be.Offset < 0 || be.Offset > int64(len(data))*1100 {
			t.Fatalf("implausible offset %d for %d input bytes", be.Offset, len(data))
		}
	}
	// The general path alone gives the same events and end.
	if g, gerr := NewReader(bytes.NewReader(data)); gerr == nil {
		var slow []rec
		var ge event.Event
		for {
			gerr = g.next(&ge)
			if gerr != nil {
				break
			}
			slow = append(slow, rec{raw: bytes.Clone(ge.Raw), num: ge.Num, cpu: ge.CPU, flags: ge.Flags})
		}
		if d := diffEvents(evs, slow); d != "" {
			t.Fatalf("fast and general paths differ: %s", d)
		}
		if (gerr == io.EOF) != (err == io.EOF) || (err != io.EOF && gerr.Error() != err.Error()) {
			t.Fatalf("fast path ended with %v, general path with %v", err, gerr)
		}
	}
	md := r.Metadata()
	var buf bytes.Buffer
	w, err := NewWriter(&buf, md, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range evs {
		e := event.Event{Raw: x.raw, Num: x.num, CPU: x.cpu, Flags: x.flags}
		if err := w.WriteEvent(&e); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	md2, evs2, err := readBytes(buf.Bytes())
	if err != nil {
		t.Fatalf("reading the rewritten capture: %v", err)
	}
	if d := diffEvents(evs, evs2); d != "" {
		t.Fatalf("rewritten events differ: %s", d)
	}
	if w.Stats().Truncated == 0 {
		if d := diffMetadata(md, md2); d != "" {
			t.Fatalf("rewritten metadata differs: %s", d)
		}
	}
}

func FuzzReader(f *testing.F) {
	for _, b := range fuzzSeeds(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<20 {
			return
		}
		checkCapture(t, data)
	})
}

// FuzzEventBlock fuzzes one event block body of each event block type
// after a fixed header.
func FuzzEventBlock(f *testing.F) {
	f.Add(uint8(0), closeEvent(1, 1, 3))
	f.Add(uint8(1), v1Event(closeEvent(1, 1, 3)))
	f.Add(uint8(2), mkEvent(2, 1, event.PlugineventE, le32(1), []byte("x")))
	f.Add(uint8(3), v1Event(mkEvent(6, 10, event.NotificationE, []byte("1\x00"), []byte("desc\x00"))))
	types := []uint32{BlockEVV2, BlockEV, BlockEVV2Large, BlockEVF, BlockEVFV2, BlockEVFV2Large, BlockEVInt}
	head := shb(1, 2, nil)
	f.Fuzz(func(t *testing.T, sel uint8, ev []byte) {
		bt := types[int(sel)%len(types)]
		withFlags := bt == BlockEVF || bt == BlockEVFV2 || bt == BlockEVFV2Large
		c := append(append([]byte(nil), head...), evBlock(bt, 1, 1, withFlags, ev)...)
		checkCapture(t, c)
	})
}

// TestSeedsRead makes sure every seed reads without error.
func TestSeedsRead(t *testing.T) {
	for name, b := range fuzzSeeds(t) {
		_, evs, err := readBytes(b)
		if err != nil || len(evs) == 0 {
			t.Errorf("%s: %d events, %v", name, len(evs), err)
		}
		t.Run(name, func(t *testing.T) { checkCapture(t, b) })
	}
}
