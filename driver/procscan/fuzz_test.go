package procscan

import (
	"testing"

	"github.com/syscope/syscope/scap"
)

// FuzzParsers feeds arbitrary text to every /proc and /etc parser: none may
// panic, whatever the kernel or a file contains.
func FuzzParsers(f *testing.F) {
	f.Add([]byte("Tgid:\t10\nPPid:\t1\nUid:\t0\t1000\t0\t0\nNSpid:\t11\t4\n"))
	f.Add([]byte("11 (a b) c) S 1 10 9 34816 -1 4194560 50 0 7 0\n"))
	f.Add([]byte("  0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1583 1\n"))
	f.Add([]byte("000000006373000b: 00000003 00000000 00000000 0001 03  1579 /run/x\n"))
	f.Add([]byte("root:x:0:0:root:/root:/bin/bash\nadm:x:4:syslog\n"))
	f.Add([]byte("12:cpu,cpuacct:/a\n0::/d\n"))
	f.Add([]byte("flags:\t02100002\nMax open files 1024 4096 files\n0-3,5"))
	f.Fuzz(func(t *testing.T, b []byte) {
		p := scap.NewProcess(1)
		parseStatus(b, &p)
		parseStat(b, &p)
		parseLimits(b, "Max open files")
		countCPUs(string(b))
		parsePasswd(b)
		parseGroup(b)
		fdinfoFlags(b)
		splitNul(b, 64)
		socketInode(string(b))
		anonType(string(b))
		tab := map[uint64]scap.FD{}
		parseInetTable(b, false, l4TCP, tab)
		parseInetTable(b, true, l4UDP, tab)
		parseUnixTable(b, tab)
		parseNetlinkTable(b, tab)
		(&scanner{v2Ctrls: []string{"cpu"}}).cgroups(b)
	})
}
