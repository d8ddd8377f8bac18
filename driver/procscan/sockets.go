package procscan

import (
	"encoding/binary"
	"encoding/hex"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/syscope/syscope/scap"
)

// Layer-4 protocols as capture files record them (SCAP_L4_*).
const (
	l4TCP = 2
	l4UDP = 3
	l4Raw = 5
)

// socketTable returns the sockets of a network namespace by inode, read
// once per namespace through a process that is in it.
func (s *scanner) socketTable(pdir string, netns uint64) map[uint64]scap.FD {
	if t, ok := s.sockets[netns]; ok {
		return t
	}
	t := map[uint64]scap.FD{}
	net := filepath.Join(pdir, "net")
	for _, f := range []struct {
		name  string
		v6    bool
		proto uint8
	}{
		{"tcp", false, l4TCP}, {"udp", false, l4UDP}, {"raw", false, l4Raw},
		{"tcp6", true, l4TCP}, {"udp6", true, l4UDP}, {"raw6", true, l4Raw},
	} {
		if b, err := os.ReadFile(filepath.Join(net, f.name)); err == nil {
			parseInetTable(b, f.v6, f.proto, t)
		}
	}
	if b, err := os.ReadFile(filepath.Join(net, "unix")); err == nil {
		parseUnixTable(b, t)
	}
	if b, err := os.ReadFile(filepath.Join(net, "netlink")); err == nil {
		parseNetlinkTable(b, t)
	}
	s.sockets[netns] = t
	return t
}

// parseInetAddr parses "0100007F:1F90" (an address as the kernel stores it,
// printed as native 32-bit words, and a port in host order).
func parseInetAddr(s string, v6 bool) (netip.Addr, uint16, bool) {
	a, p, ok := strings.Cut(s, ":")
	if !ok {
		return netip.Addr{}, 0, false
	}
	port, err := strconv.ParseUint(p, 16, 16)
	if err != nil {
		return netip.Addr{}, 0, false
	}
	raw, err := hex.DecodeString(a)
	if err != nil || (!v6 && len(raw) != 4) || (v6 && len(raw) != 16) {
		return netip.Addr{}, 0, false
	}
	// Each 32-bit word was printed most significant byte first from a
	// little-endian load: reverse the bytes of every word.
	var b [16]byte
	for w := 0; w < len(raw)/4; w++ {
		v := binary.BigEndian.Uint32(raw[4*w:])
		binary.LittleEndian.PutUint32(b[4*w:], v)
	}
	if !v6 {
		return netip.AddrFrom4([4]byte(b[:4])), uint16(port), true
	}
	return netip.AddrFrom16(b), uint16(port), true
}

// parseInetTable adds the sockets of a /proc/net/{tcp,udp,raw}[6] table:
// with a remote address a connected socket, otherwise a server one.
func parseInetTable(b []byte, v6 bool, proto uint8, t map[uint64]scap.FD) {
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Fields(l)
		if len(f) < 10 || !strings.HasSuffix(f[0], ":") {
			continue
		}
		src, sport, ok1 := parseInetAddr(f[1], v6)
		dst, dport, ok2 := parseInetAddr(f[2], v6)
		ino, err := strconv.ParseUint(f[9], 10, 64)
		if !ok1 || !ok2 || err != nil {
			continue
		}
		fd := scap.FD{Ino: ino, L4Proto: proto}
		if dst.IsUnspecified() {
			fd.Type = scap.FDIPv4Server
			if v6 {
				fd.Type = scap.FDIPv6Server
			}
			fd.SrcIP, fd.SrcPort = src, sport
		} else {
			fd.Type = scap.FDIPv4Sock
			if v6 {
				fd.Type = scap.FDIPv6Sock
			}
			fd.SrcIP, fd.SrcPort, fd.DstIP, fd.DstPort = src, sport, dst, dport
		}
		t[ino] = fd
	}
}

// parseUnixTable adds the sockets of /proc/net/unix: kernel address,
// inode and path.
func parseUnixTable(b []byte, t map[uint64]scap.FD) {
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Fields(l)
		if len(f) < 7 || !strings.HasSuffix(f[0], ":") {
			continue
		}
		src, err := strconv.ParseUint(strings.TrimSuffix(f[0], ":"), 16, 64)
		if err != nil {
			continue
		}
		ino, err := strconv.ParseUint(f[6], 10, 64)
		if err != nil {
			continue
		}
		fd := scap.FD{Type: scap.FDUnixSock, Ino: ino, Source: src}
		if len(f) >= 8 {
			fd.Name = strings.Join(f[7:], " ")
		}
		t[ino] = fd
	}
}

// parseNetlinkTable adds the sockets of /proc/net/netlink.
func parseNetlinkTable(b []byte, t map[uint64]scap.FD) {
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Fields(l)
		if len(f) < 10 || f[0] == "sk" {
			continue
		}
		ino, err := strconv.ParseUint(f[9], 10, 64)
		if err != nil {
			continue
		}
		t[ino] = scap.FD{Type: scap.FDNetlink, Ino: ino}
	}
}
