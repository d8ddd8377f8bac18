package event

import (
	"encoding/binary"
	"math"
	"math/bits"
	"net/netip"
	"time"
)

// Typed decoders for the parameter types that Int, Uint and Str do not
// cover. Each takes a parameter's bytes (from Event.Param) and reports
// whether they have the layout of the type.

// Entry returns the value type of index idx, or nil when the table has none.
func (t *DynTable) Entry(idx uint8) *DynEntry {
	if t == nil {
		return nil
	}
	if int(idx) < len(t.Entries) && t.Entries[idx].Index == idx {
		return &t.Entries[idx]
	}
	for k := range t.Entries {
		if t.Entries[k].Index == idx {
			return &t.Entries[k]
		}
	}
	return nil
}

// ParseDyn decodes a PT_DYN parameter: a u8 index into t, then a value of
// the type t lists at that index. It returns that entry and the value's
// bytes, and false when b is empty or the index is unknown.
func ParseDyn(b []byte, t *DynTable) (*DynEntry, []byte, bool) {
	if len(b) == 0 {
		return nil, nil, false
	}
	de := t.Entry(b[0])
	if de == nil {
		return nil, nil, false
	}
	return de, b[1:], true
}

// ParseIPAddr decodes a PT_IPV4ADDR, PT_IPV6ADDR or PT_IPADDR parameter: 4
// or 16 bytes of address in network order.
func ParseIPAddr(b []byte) (netip.Addr, bool) {
	switch len(b) {
	case 4:
		return netip.AddrFrom4([4]byte(b)), true
	case 16:
		return netip.AddrFrom16([16]byte(b)), true
	}
	return netip.Addr{}, false
}

// ParseIPNet decodes a PT_IPV4NET, PT_IPV6NET or PT_IPNET parameter: an
// address followed by a netmask of the same size (8 or 32 bytes). The mask
// must be contiguous.
func ParseIPNet(b []byte) (netip.Prefix, bool) {
	var half int
	switch len(b) {
	case 8:
		half = 4
	case 32:
		half = 16
	default:
		return netip.Prefix{}, false
	}
	a, _ := ParseIPAddr(b[:half])
	ones := 0
	seenZero := false
	for _, c := range b[half:] {
		if seenZero && c != 0 {
			return netip.Prefix{}, false
		}
		n := bits.LeadingZeros8(^c)
		if c != 0xff {
			if bits.OnesCount8(c) != n {
				return netip.Prefix{}, false
			}
			seenZero = true
		}
		ones += n
	}
	return netip.PrefixFrom(a, ones), true
}

// ForEachPair calls fn for each name, value pair of a
// PT_CHARBUF_PAIR_ARRAY parameter (NUL-terminated strings alternating
// between names and values), stopping early when fn returns false. A name
// without a value gets an empty value.
func ForEachPair(b []byte, fn func(name, value []byte) bool) {
	var name []byte
	have := false
	stop := false
	ForEachString(b, func(s []byte) bool {
		if !have {
			name, have = s, true
			return true
		}
		have = false
		if !fn(name, s) {
			stop = true
			return false
		}
		return true
	})
	if have && !stop {
		fn(name, nil)
	}
}

// ForEachSignal calls fn with each signal number (1-32) set in a PT_SIGSET
// parameter's 32-bit mask, in increasing order. It returns false when b is
// shorter than 4 bytes.
func ForEachSignal(b []byte, fn func(sig uint8) bool) bool {
	if len(b) < 4 {
		return false
	}
	m := binary.LittleEndian.Uint32(b)
	for sig := 0; sig < 32; sig++ {
		if m&(1<<sig) != 0 && !fn(uint8(sig+1)) {
			break
		}
	}
	return true
}

// ParseRelTime decodes a PT_RELTIME parameter (nanoseconds). It returns
// false when b is not 8 bytes; the driver's "none" (all ones) decodes as -1.
func ParseRelTime(b []byte) (time.Duration, bool) {
	if len(b) != 8 {
		return 0, false
	}
	return time.Duration(binary.LittleEndian.Uint64(b)), true
}

// ParseAbsTime decodes a PT_ABSTIME parameter (nanoseconds since the epoch).
func ParseAbsTime(b []byte) (time.Time, bool) {
	if len(b) != 8 {
		return time.Time{}, false
	}
	v := binary.LittleEndian.Uint64(b)
	return time.Unix(int64(v/1e9), int64(v%1e9)), true
}

// ParseDouble decodes a PT_DOUBLE parameter.
func ParseDouble(b []byte) (float64, bool) {
	if len(b) != 8 {
		return 0, false
	}
	return math.Float64frombits(binary.LittleEndian.Uint64(b)), true
}

// ParseBool decodes a PT_BOOL parameter (a u32, non-zero for true).
func ParseBool(b []byte) (bool, bool) {
	if len(b) != 4 {
		return false, false
	}
	return binary.LittleEndian.Uint32(b) != 0, true
}

// ValueName returns the name of the first entry equal to v (how an enum value
// is named), or "".
func (t *FlagTable) ValueName(v uint64) string {
	if t == nil {
		return ""
	}
	for k := range t.Entries {
		if t.Entries[k].Value == v {
			return t.Entries[k].Name
		}
	}
	return ""
}

// AppendNames appends the "|"-separated names sysdig 0.29.3 prints for a
// flags value v (the part between parentheses in "4097(O_RDONLY|O_CLOEXEC)").
func (t *FlagTable) AppendNames(dst []byte, v uint64) []byte {
	if t == nil {
		return dst
	}
	return appendBitNames(dst, t.Entries, v)
}

// LongestParamMatch returns the parameter whose name is the longest prefix of
// s among all event types' parameters (the first one in table order on ties),
// and nil when none is. This is how sysdig binds %evt.rawarg.NAME to a type:
// the type of the first parameter so named in the table, whatever the
// event.
func LongestParamMatch(s string) *ParamInfo {
	var best *ParamInfo
	for t := range infos {
		ps := infos[t].Params
		for k := range ps {
			n := ps[k].Name
			if len(n) <= len(s) && s[:len(n)] == n && (best == nil || len(n) > len(best.Name)) {
				best = &ps[k]
			}
		}
	}
	return best
}
