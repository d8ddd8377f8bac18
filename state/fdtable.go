package state

// denseFDs is how many low fd numbers a table indexes directly; higher
// numbers go to a map.
const denseFDs = 256

// fdTable is one process's descriptor table, shared by the threads that
// share their files.
type fdTable struct {
	dense  []*FD
	sparse map[int64]*FD
	n      int
	refs   int // threads pointing at this table
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

// add returns the entry for num, reusing an existing one (reset) or taking
// one from the free list. It returns nil when the table is full.
func (t *fdTable) add(num int64) *FD {
	if num < 0 {
		return nil
	}
	if f := t.get(num); f != nil {
		f.reset(num)
		return f
	}
	if t.n >= t.st.opts.MaxFDs {
		t.st.stats.FDDrops++
		return nil
	}
	f := t.st.newFD()
	f.reset(num)
	if num < denseFDs {
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
	} else {
		if t.sparse == nil {
			t.sparse = make(map[int64]*FD)
		}
		t.sparse[num] = f
	}
	t.n++
	t.st.nfds++
	return f
}

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

// forEach visits entries in ascending fd order.
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
		if !fn(t.sparse[k]) {
			return
		}
	}
}

// copyFrom fills t with copies of src's entries (a fork's child).
func (t *fdTable) copyFrom(src *fdTable) {
	src.forEach(func(f *FD) bool {
		n := t.add(f.Num)
		if n == nil {
			return false
		}
		n.copyFrom(f)
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
	name, raw, up := f.Name[:0], f.NameRaw[:0], f.UnixPath[:0]
	*f = FD{Num: num, Name: name, NameRaw: raw, UnixPath: up}
}

// copyFrom makes f a copy of o (keeping f's number and buffers).
func (f *FD) copyFrom(o *FD) {
	num := f.Num
	name := append(f.Name[:0], o.Name...)
	raw := append(f.NameRaw[:0], o.NameRaw...)
	up := append(f.UnixPath[:0], o.UnixPath...)
	*f = *o
	f.Num, f.Name, f.NameRaw, f.UnixPath = num, name, raw, up
}
