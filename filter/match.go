package filter

import (
	"errors"
	"strings"
)

// globMatch reports whether s matches the shell pattern pat with fnmatch(3)
// semantics and no flags: '*' matches any run of bytes (slashes included),
// '?' one byte, [...] a set (ranges, "!" or "^" negation, [:class:]
// classes), and a backslash quotes the next byte. fold makes letters match
// regardless of ASCII case. A malformed set matches its '[' literally.
func globMatch(pat, s string, fold bool) bool {
	// Iterative matcher with single-star backtracking: on a mismatch after a
	// '*', retry with the star absorbing one more byte.
	px, sx := 0, 0
	starP, starS := -1, -1
	for sx < len(s) || px < len(pat) {
		if px < len(pat) {
			c := pat[px]
			switch c {
			case '*':
				for px < len(pat) && pat[px] == '*' {
					px++
				}
				if px == len(pat) {
					return true
				}
				starP, starS = px, sx
				continue
			case '?':
				if sx < len(s) {
					px++
					sx++
					continue
				}
			case '[':
				if sx < len(s) {
					if ok, n, valid := matchSet(pat[px:], s[sx], fold); valid {
						if ok {
							px += n
							sx++
							continue
						}
					} else if eqByte('[', s[sx], fold) {
						px++
						sx++
						continue
					}
				}
			case '\\':
				if px+1 < len(pat) {
					if sx < len(s) && eqByte(pat[px+1], s[sx], fold) {
						px += 2
						sx++
						continue
					}
				} else if sx < len(s) && s[sx] == '\\' {
					px++
					sx++
					continue
				}
			default:
				if sx < len(s) && eqByte(c, s[sx], fold) {
					px++
					sx++
					continue
				}
			}
		}
		if starP >= 0 && starS < len(s) {
			starS++
			px, sx = starP, starS
			continue
		}
		return false
	}
	return true
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func eqByte(a, b byte, fold bool) bool {
	if fold {
		return lower(a) == lower(b)
	}
	return a == b
}

// matchSet matches c against the bracket expression at the start of pat.
// It returns whether c is in the set, the length of the expression, and
// whether the expression is well formed.
func matchSet(pat string, c byte, fold bool) (match bool, n int, valid bool) {
	i := 1
	neg := false
	if i < len(pat) && (pat[i] == '!' || pat[i] == '^') {
		neg = true
		i++
	}
	first := true
	for {
		if i >= len(pat) {
			return false, 0, false
		}
		b := pat[i]
		if b == ']' && !first {
			i++
			break
		}
		first = false
		if b == '[' && i+1 < len(pat) && pat[i+1] == ':' {
			end := strings.Index(pat[i+2:], ":]")
			if end >= 0 {
				name := pat[i+2 : i+2+end]
				if inClass(name, c, fold) {
					match = true
				}
				i += 2 + end + 2
				continue
			}
		}
		if b == '\\' && i+1 < len(pat) {
			i++
			b = pat[i]
		}
		lo := b
		i++
		hi := lo
		if i+1 < len(pat) && pat[i] == '-' && pat[i+1] != ']' {
			hi = pat[i+1]
			if hi == '\\' && i+2 < len(pat) {
				hi = pat[i+2]
				i++
			}
			i += 2
		}
		if inRange(c, lo, hi, fold) {
			match = true
		}
	}
	return match != neg, i, true
}

func inRange(c, lo, hi byte, fold bool) bool {
	if lo <= c && c <= hi {
		return true
	}
	if fold {
		lc := lower(c)
		uc := lc
		if lc >= 'a' && lc <= 'z' {
			uc = lc - 'a' + 'A'
		}
		return lo <= lc && lc <= hi || lo <= uc && uc <= hi
	}
	return false
}

func inClass(name string, c byte, fold bool) bool {
	switch name {
	case "alpha":
		return isAlpha(c)
	case "digit":
		return isDigit(c)
	case "alnum":
		return isAlpha(c) || isDigit(c)
	case "upper":
		return c >= 'A' && c <= 'Z' || fold && c >= 'a' && c <= 'z'
	case "lower":
		return c >= 'a' && c <= 'z' || fold && c >= 'A' && c <= 'Z'
	case "space":
		return isSpace(c)
	case "blank":
		return c == ' ' || c == '\t'
	case "punct":
		return c > 32 && c < 127 && !isAlpha(c) && !isDigit(c)
	case "xdigit":
		return isHex(c)
	case "print":
		return c >= 32 && c < 127
	case "graph":
		return c > 32 && c < 127
	case "cntrl":
		return c < 32 || c == 127
	}
	return false
}

// indexFold is strings.Index ignoring ASCII case, without allocating.
func indexFold(s, sub string) int {
	n := len(sub)
	if n == 0 {
		return 0
	}
	for i := 0; i+n <= len(s); i++ {
		if lower(s[i]) != lower(sub[0]) {
			continue
		}
		j := 1
		for j < n && lower(s[i+j]) == lower(sub[j]) {
			j++
		}
		if j == n {
			return i
		}
	}
	return -1
}

// unhex decodes a string of hex digit pairs.
func unhex(s string) ([]byte, error) {
	if len(s)%2 != 0 {
		return nil, errors.New("odd number of hex digits")
	}
	out := make([]byte, len(s)/2)
	for i := 0; i < len(s); i += 2 {
		h, ok1 := hexVal(s[i])
		l, ok2 := hexVal(s[i+1])
		if !ok1 || !ok2 {
			return nil, errors.New("not a hex digit")
		}
		out[i/2] = h<<4 | l
	}
	return out, nil
}

// pathSet is the right-hand side of pmatch: a set of path prefixes. A path
// matches when the components of one of the prefixes (split on '/', empty
// components ignored) are the leading components of the path; a prefix
// component holding *, ? or [ is a glob for one path component.
type pathSet struct {
	prefixes [][]string
}

func newPathSet(values []string) *pathSet {
	ps := &pathSet{}
	for _, v := range values {
		var comps []string
		for _, c := range strings.Split(v, "/") {
			if c != "" {
				comps = append(comps, c)
			}
		}
		ps.prefixes = append(ps.prefixes, comps)
	}
	return ps
}

// match reports whether path falls under one of the prefixes.
func (ps *pathSet) match(path string) bool {
	for _, pre := range ps.prefixes {
		if prefixMatch(pre, path) {
			return true
		}
	}
	return false
}

func prefixMatch(pre []string, path string) bool {
	k := 0
	i := 0
	for k < len(pre) {
		// next non-empty component of path
		for i < len(path) && path[i] == '/' {
			i++
		}
		if i >= len(path) {
			return false
		}
		j := i
		for j < len(path) && path[j] != '/' {
			j++
		}
		comp := path[i:j]
		p := pre[k]
		if strings.ContainsAny(p, "*?[") {
			if !globMatch(p, comp, false) {
				return false
			}
		} else if p != comp {
			return false
		}
		k++
		i = j
	}
	return true
}

// MatchGlob reports whether s matches the shell pattern pat, with the
// semantics of the glob operator (fnmatch(3) without flags: '*' also
// matches '/').
func MatchGlob(pat, s string) bool { return globMatch(pat, s, false) }
