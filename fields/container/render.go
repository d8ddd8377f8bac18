package containerfields

import (
	"sort"
	"strings"

	"github.com/syscope/syscope/container"
)

// appendMount appends a mount as container.mount shows it:
// source:dest:mode:rdwr:propagation, rdwr being true or false.
func appendMount(dst []byte, m *container.Mount) []byte {
	dst = append(dst, m.Source...)
	dst = append(dst, ':')
	dst = append(dst, m.Dest...)
	dst = append(dst, ':')
	dst = append(dst, m.Mode...)
	dst = append(dst, ':')
	if m.RW {
		dst = append(dst, "true"...)
	} else {
		dst = append(dst, "false"...)
	}
	dst = append(dst, ':')
	return append(dst, m.Propagation...)
}

// appendMounts appends every mount, comma separated (container.mounts).
func appendMounts(dst []byte, ms []container.Mount) []byte {
	for i := range ms {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendMount(dst, &ms[i])
	}
	return dst
}

// findMount returns the mount a container.mount* argument names: by index
// when idx >= 0, else the first whose source (or destination, for
// byDest) matches the glob pattern.
func findMount(ms []container.Mount, idx int, pattern string, byDest bool) *container.Mount {
	if idx >= 0 {
		if idx < len(ms) {
			return &ms[idx]
		}
		return nil
	}
	for i := range ms {
		s := ms[i].Source
		if byDest {
			s = ms[i].Dest
		}
		if Fnmatch(pattern, s) {
			return &ms[i]
		}
	}
	return nil
}

// hiddenLabel reports whether a label is left out of container.labels and
// k8s.pod.labels (annotations and the kubelet's own labels).
func hiddenLabel(k string) bool {
	return strings.HasPrefix(k, "annotation.") || strings.HasPrefix(k, "io.kubernetes.")
}

// appendLabels appends the labels of l that are not hidden, sorted by key,
// as "key:value" (just "key" for an empty value) separated by ", ". It
// allocates (to sort the keys): callers cache the result per record.
func appendLabels(dst []byte, l map[string]string) []byte {
	keys := make([]string, 0, len(l))
	for k := range l {
		if !hiddenLabel(k) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for i, k := range keys {
		if i > 0 {
			dst = append(dst, ", "...)
		}
		dst = append(dst, k...)
		if v := l[k]; v != "" {
			dst = append(dst, ':')
			dst = append(dst, v...)
		}
	}
	return dst
}

// appendProbe appends a probe as "exe arg1 arg2".
func appendProbe(dst []byte, p *container.Probe) []byte {
	dst = append(dst, p.Exe...)
	for _, a := range p.Args {
		dst = append(dst, ' ')
		dst = append(dst, a...)
	}
	return dst
}

// Fnmatch reports whether s matches the shell pattern pat as fnmatch(3)
// with no flags does (libsinsp's container.mount argument globs): '*'
// matches any run of bytes, '/' included; '?' any one byte; "[...]" a set,
// "[!...]" or "[^...]" its complement, with ranges; '\' escapes the next
// byte. An unterminated set matches a literal '['. It does not allocate.
func Fnmatch(pat, s string) bool {
	// Iterative matcher with one backtracking point (the last '*').
	p, i := 0, 0
	starP, starI := -1, 0
	for i < len(s) {
		if p < len(pat) {
			switch pat[p] {
			case '*':
				for p < len(pat) && pat[p] == '*' {
					p++
				}
				if p == len(pat) {
					return true
				}
				starP, starI = p, i
				continue
			case '?':
				p++
				i++
				continue
			case '[':
				if ok, n, valid := matchSet(pat[p:], s[i]); valid {
					if ok {
						p += n
						i++
						continue
					}
				} else if s[i] == '[' {
					p++
					i++
					continue
				}
			case '\\':
				if p+1 < len(pat) {
					if pat[p+1] == s[i] {
						p += 2
						i++
						continue
					}
				} else if s[i] == '\\' {
					p++
					i++
					continue
				}
			default:
				if pat[p] == s[i] {
					p++
					i++
					continue
				}
			}
		}
		if starP < 0 {
			return false
		}
		starI++
		p, i = starP, starI
	}
	for p < len(pat) && pat[p] == '*' {
		p++
	}
	return p == len(pat)
}

// matchSet matches c against the set at the start of pat ("[...]"). It
// returns whether c is in it, the set's length in pat, and false for valid
// when the set is not terminated.
func matchSet(pat string, c byte) (match bool, n int, valid bool) {
	i := 1
	neg := false
	if i < len(pat) && (pat[i] == '!' || pat[i] == '^') {
		neg = true
		i++
	}
	first := true
	for i < len(pat) {
		if pat[i] == ']' && !first {
			return match != neg, i + 1, true
		}
		first = false
		lo := pat[i]
		if lo == '\\' && i+1 < len(pat) {
			i++
			lo = pat[i]
		}
		i++
		hi := lo
		if i+1 < len(pat) && pat[i] == '-' && pat[i+1] != ']' {
			hi = pat[i+1]
			if hi == '\\' && i+2 < len(pat) {
				i++
				hi = pat[i+1]
			}
			i += 2
		}
		if lo <= c && c <= hi {
			match = true
		}
	}
	return false, 0, false
}
