package fields_test

import (
	"net/netip"
	"time"
)

type netipAddr = netip.Addr

func mustAddr(s string) netip.Addr { return netip.MustParseAddr(s) }

var utc = time.UTC
