package driver

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"
)

// Errors Open returns (wrapped) when the system cannot run the driver.
var (
	// ErrPermission: the process lacks the privileges to load and attach
	// eBPF programs (root, or CAP_BPF with CAP_PERFMON).
	ErrPermission = errors.New("driver: insufficient privileges")
	// ErrNoBTF: the kernel does not expose its BTF type information
	// (/sys/kernel/btf/vmlinux), which the CO-RE programs need.
	ErrNoBTF = errors.New("driver: kernel BTF not available")
	// ErrKernelTooOld: the kernel predates the features the driver uses.
	ErrKernelTooOld = errors.New("driver: kernel too old")
	// ErrVerifier: the kernel verifier rejected a program; the error text
	// names the file holding the verifier log.
	ErrVerifier = errors.New("driver: program rejected by the kernel verifier")
)

// Minimum kernel: the programs use BPF ring buffers (5.8), typed task
// pointers (5.11) and the bpf_rdonly_cast kfunc (6.2).
const minMajor, minMinor = 6, 2

// Capability numbers.
const (
	capSysAdmin = 21
	capPerfmon  = 38
	capBPF      = 39
)

func preflight() error {
	var uts unix.Utsname
	if err := unix.Uname(&uts); err == nil {
		rel := unix.ByteSliceToString(uts.Release[:])
		if maj, min, ok := parseRelease(rel); ok && (maj < minMajor || maj == minMajor && min < minMinor) {
			return fmt.Errorf("%w: %s, need %d.%d or later", ErrKernelTooOld, rel, minMajor, minMinor)
		}
	}
	if _, err := os.Stat("/sys/kernel/btf/vmlinux"); err != nil {
		return fmt.Errorf("%w: %v (build the kernel with CONFIG_DEBUG_INFO_BTF=y)", ErrNoBTF, err)
	}
	eff, err := effectiveCaps()
	if err != nil {
		return nil // unknown: let the kernel decide
	}
	has := func(c uint) bool { return eff&(1<<c) != 0 }
	if !has(capSysAdmin) && !(has(capBPF) && has(capPerfmon)) {
		return fmt.Errorf("%w: run as root or with CAP_BPF and CAP_PERFMON (effective capabilities %#x)", ErrPermission, eff)
	}
	return nil
}

func parseRelease(rel string) (major, minor int, ok bool) {
	parts := strings.SplitN(rel, ".", 3)
	if len(parts) < 2 {
		return 0, 0, false
	}
	major, err1 := strconv.Atoi(parts[0])
	end := 0
	for end < len(parts[1]) && parts[1][end] >= '0' && parts[1][end] <= '9' {
		end++
	}
	minor, err2 := strconv.Atoi(parts[1][:end])
	return major, minor, err1 == nil && err2 == nil
}

func effectiveCaps() (uint64, error) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "CapEff:"); ok {
			return strconv.ParseUint(strings.TrimSpace(v), 16, 64)
		}
	}
	return 0, errors.New("no CapEff line")
}

// loadError turns a collection load failure into one of the package errors,
// saving the verifier log to a file when there is one.
func loadError(err error, logDir string) error {
	var ve *ebpf.VerifierError
	if errors.As(err, &ve) {
		if logDir == "" {
			logDir = os.TempDir()
		}
		path := filepath.Join(logDir, fmt.Sprintf("syscope-verifier-%d.log", time.Now().UnixNano()))
		body := err.Error() + "\n\n" + strings.Join(ve.Log, "\n") + "\n"
		if werr := os.WriteFile(path, []byte(body), 0o600); werr != nil {
			return fmt.Errorf("%w: %v (saving the verifier log failed: %v)", ErrVerifier, err, werr)
		}
		return fmt.Errorf("%w: %v (verifier log in %s)", ErrVerifier, err, path)
	}
	if errors.Is(err, unix.EPERM) || errors.Is(err, unix.EACCES) {
		return fmt.Errorf("%w: %v", ErrPermission, err)
	}
	return fmt.Errorf("driver: load eBPF objects: %w", err)
}
