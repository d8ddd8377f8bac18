package filter

import (
	"errors"
	"strings"
)

// Quote returns s as the canonical rendering writes a constant: unchanged
// when it holds none of the characters that need it, otherwise between
// double quotes with backslash escapes for \b \f \n \r \t, backslash and
// double quote (a blank, '=', a single quote or a NUL byte make the string
// quoted but are written as they are).
func Quote(s string) string {
	need := false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\b', '\f', '\n', '\r', '\t', ' ', '=', '\\', '"', '\'', 0:
			need = true
		}
	}
	if !need {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\\':
			b.WriteString(`\\`)
		case '"':
			b.WriteString(`\"`)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// unquote decodes a quoted token, delimiters included. The escapes are \b
// \f \n \r \t, \\ and "\ " (a backslash), \/ (a slash), \xHH, and the
// escaped delimiter (the other quote character may not be escaped).
func unquote(tok string) (string, error) {
	if len(tok) < 2 {
		return "", errors.New("truncated quoted string")
	}
	delim := tok[0]
	body := tok[1 : len(tok)-1]
	if strings.IndexByte(body, '\\') < 0 {
		return body, nil
	}
	var b strings.Builder
	b.Grow(len(body))
	for i := 0; i < len(body); i++ {
		c := body[i]
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		i++
		if i >= len(body) {
			return "", errors.New("dangling backslash in quoted string")
		}
		switch e := body[i]; e {
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case ' ', '\\':
			b.WriteByte('\\')
		case '/':
			b.WriteByte('/')
		case '"', '\'':
			if e != delim {
				return "", errors.New("invalid \\" + string(e) + " escape in a " + string(delim) + "-quoted string")
			}
			b.WriteByte(e)
		case 'x':
			if i+2 >= len(body) {
				return "", errors.New("truncated \\x escape")
			}
			h, ok1 := hexVal(body[i+1])
			l, ok2 := hexVal(body[i+2])
			if !ok1 || !ok2 {
				return "", errors.New("invalid \\x escape: " + body[i+1:i+3])
			}
			b.WriteByte(h<<4 | l)
			i += 2
		default:
			return "", errors.New("unsupported escape sequence \\" + string(e))
		}
	}
	return b.String(), nil
}

func hexVal(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
