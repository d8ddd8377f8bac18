package state

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// maxAccountLines bounds how many lines LoadPasswd and LoadGroup read.
const maxAccountLines = 1 << 20

// LoadPasswd adds the users of an /etc/passwd-format file (live capture).
// Blank lines and comments are skipped; a malformed line is an error
// naming its line number. It returns the number of users added.
func (s *State) LoadPasswd(r io.Reader) (int, error) {
	n := 0
	err := scanAccounts(r, func(line int, f []string) error {
		if len(f) < 7 {
			return fmt.Errorf("passwd line %d: %d fields, want 7", line, len(f))
		}
		uid, err := strconv.ParseUint(f[2], 10, 32)
		if err != nil {
			return fmt.Errorf("passwd line %d: uid: %w", line, err)
		}
		gid, err := strconv.ParseUint(f[3], 10, 32)
		if err != nil {
			return fmt.Errorf("passwd line %d: gid: %w", line, err)
		}
		s.AddUser(User{UID: uint32(uid), GID: uint32(gid), Name: f[0], HomeDir: f[5], Shell: f[6]})
		n++
		return nil
	})
	return n, err
}

// LoadGroup adds the groups of an /etc/group-format file (live capture),
// with the same rules as LoadPasswd.
func (s *State) LoadGroup(r io.Reader) (int, error) {
	n := 0
	err := scanAccounts(r, func(line int, f []string) error {
		if len(f) < 3 {
			return fmt.Errorf("group line %d: %d fields, want 4", line, len(f))
		}
		gid, err := strconv.ParseUint(f[2], 10, 32)
		if err != nil {
			return fmt.Errorf("group line %d: gid: %w", line, err)
		}
		s.AddGroup(Group{GID: uint32(gid), Name: f[0]})
		n++
		return nil
	})
	return n, err
}

func scanAccounts(r io.Reader, fn func(line int, fields []string) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 4096), 64*1024)
	for line := 1; sc.Scan(); line++ {
		if line > maxAccountLines {
			return fmt.Errorf("more than %d lines", maxAccountLines)
		}
		t := strings.TrimSpace(sc.Text())
		if t == "" || t[0] == '#' {
			continue
		}
		if err := fn(line, strings.Split(t, ":")); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read accounts: %w", err)
	}
	return nil
}
