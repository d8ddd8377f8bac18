package state

import "math"

// denseFDs is how many low fd numbers a table indexes directly; higher
// numbers go to a map.
const denseFDs = 1024

// canceledFD is the slot where sinsp parks an fd whose close was overtaken
// by a new fd with the same number.
const canceledFD = math.MaxInt64

const (
	fdCloseInProgress uint32 = 1 << 4
	fdCloseCanceled   uint32 = 1 << 5
)

// fdTable is one thread's (or process's) descriptor table.
type fdTable struct {
	dense  []*FD
	sparse map[int64]*FD
	n      int
	st     *State
}

func (t *fdTable) get(num int64) *FD {
	if num >= 0 && num < int64(len(t.dense)) {
		return t.dense[num]
	}
	if num < 0 || t.sparse == nil {
		return nil
	}
	return t.sparse[num]
}

func (t *fdTable) set(num int64, f *FD) {
	if num >= 0 && num < denseFDs {
		if int(num) >= len(t.dense) {
			n := len(t.dense) * 2
			if n < 16 {
				n = 16
			}
			for n <= int(num) {
				n *= 2
			}
			if n > denseFDs {
				n = denseFDs
			}
			d := make([]*FD, n)
			copy(d, t.dense)
			t.dense = d
		}
		t.dense[num] = f
		return
	}
	if t.sparse == nil {
		t.sparse = make(map[int64]*FD)
	}
	t.sparse[num] = f
}

// put stores a copy of src as descriptor num the way sinsp adds an fd: an
// existing entry is overwritten (and, when its close is in progress, parked
// in the canceled slot with the new entry marked so the pending close exit
// does not remove it); a new entry is refused (nil, counted) when the table
// is full. When src is nil the entry is reset to an empty descriptor.
func (t *fdTable) put(num int64, src *FD) *FD {
	f := t.get(num)
	if f == nil {
		if t.n >= t.st.opts.MaxFDs {
			t.st.stats.FDDrops++
			return nil
		}
		f = t.st.newFD()
		f.reset(num)
		t.set(num, f)
		t.n++
		t.st.nfds++
	} else if f.Flags&fdCloseInProgress != 0 && num != canceledFD {
		c := t.get(canceledFD)
		if c == nil {
			c = t.st.newFD()
			t.set(canceledFD, c)
			t.n++
			t.st.nfds++
		}
		c.copyFrom(f)
		c.Num = canceledFD
		if src != nil {
			src.Flags = src.Flags&^fdCloseInProgress | fdCloseCanceled
		}
	}
	if src == nil {
		f.reset(num)
	} else if src != f {
		f.copyFrom(src)
		f.Num = num
	}
	return f
}

// remove deletes descriptor num; it reports whether it existed.
func (t *fdTable) remove(num int64) bool {
	var f *FD
	if num >= 0 && num < int64(len(t.dense)) {
		f = t.dense[num]
		t.dense[num] = nil
	} else if t.sparse != nil {
		f = t.sparse[num]
		delete(t.sparse, num)
	}
	if f == nil {
		t.st.stats.FDLookupMiss++
		return false
	}
	t.n--
	t.st.nfds--
	t.st.freeFD(f)
	return true
}

func (t *fdTable) clear() {
	for i, f := range t.dense {
		if f != nil {
			t.dense[i] = nil
			t.st.freeFD(f)
		}
	}
	for k, f := range t.sparse {
		delete(t.sparse, k)
		t.st.freeFD(f)
	}
	t.st.nfds -= t.n
	t.n = 0
}

// forEach visits entries in ascending fd order (the canceled slot, if any,
// last).
func (t *fdTable) forEach(fn func(*FD) bool) {
	for _, f := range t.dense {
		if f != nil && !fn(f) {
			return
		}
	}
	if len(t.sparse) == 0 {
		return
	}
	keys := make([]int64, 0, len(t.sparse))
	for k := range t.sparse {
		keys = append(keys, k)
	}
	sortInt64(keys)
	for _, k := range keys {
		if f := t.sparse[k]; f != nil && !fn(f) {
			return
		}
	}
}

// copyFrom fills t with copies of src's entries, marked as cloned (a
// fork's child).
func (t *fdTable) copyFrom(src *fdTable) {
	t.clear()
	src.forEach(func(f *FD) bool {
		n := t.put(f.Num, f)
		if n != nil {
			n.Flags |= FDIsCloned
		}
		return true
	})
}

func sortInt64(a []int64) {
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && a[j] < a[j-1]; j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}

// reset clears f for reuse as descriptor num, keeping its buffers.
func (f *FD) reset(num int64) {
	name, raw := f.Name[:0], f.NameRaw[:0]
	*f = FD{Num: num, Name: name, NameRaw: raw}
}

// copyFrom makes f a copy of o, keeping f's buffers.
func (f *FD) copyFrom(o *FD) {
	name := append(f.Name[:0], o.Name...)
	raw := append(f.NameRaw[:0], o.NameRaw...)
	*f = *o
	f.Name, f.NameRaw = name, raw
}
