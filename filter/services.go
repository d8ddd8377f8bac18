package filter

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"sync"
)

var (
	servicesOnce sync.Once
	services     map[string]uint16
)

// lookupService returns the port of a service name from /etc/services (any
// protocol), as getservbyname(3) does.
func lookupService(name string) (uint16, bool) {
	servicesOnce.Do(func() {
		services = map[string]uint16{}
		f, err := os.Open("/etc/services")
		if err != nil {
			return
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			line, _, _ := strings.Cut(sc.Text(), "#")
			fs := strings.Fields(line)
			if len(fs) < 2 {
				continue
			}
			portStr, _, _ := strings.Cut(fs[1], "/")
			p, err := strconv.ParseUint(portStr, 10, 16)
			if err != nil {
				continue
			}
			for _, n := range append([]string{fs[0]}, fs[2:]...) {
				if _, ok := services[n]; !ok {
					services[n] = uint16(p)
				}
			}
		}
	})
	p, ok := services[name]
	return p, ok
}
