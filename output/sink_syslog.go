package output

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"sync"
	"time"
)

// Syslog facilities (the upper bits of the syslog priority).
const (
	FacilityUser   = 1
	FacilityDaemon = 3
	FacilityAuth   = 4
	FacilityLocal0 = 16
)

// SyslogOptions configure the syslog sink (syslog_output).
type SyslogOptions struct {
	// Address is the local syslog socket; empty tries /dev/log,
	// /var/run/syslog and /var/run/log.
	Address string
	// Network is "unixgram" or "unix"; empty tries datagram then stream.
	Network string
	// Tag is the program name in each record; empty means "syscope".
	Tag string
	// Facility is the syslog facility; 0 means FacilityUser, what Falco
	// uses (the kernel facility is not available to user space).
	Facility int
	// Now returns the record's time; nil means time.Now.
	Now func() time.Time
}

// SyslogSink writes each alert as one record to the local syslog daemon, in
// the traditional local format "<PRI>Mmm dd hh:mm:ss tag[pid]: message". The
// record's severity is the alert's priority (Falco's priorities are the
// syslog severities).
type SyslogSink struct {
	opts SyslogOptions
	mu   sync.Mutex
	conn net.Conn
	net  string
	buf  []byte
	pid  int
}

// NewSyslogSink returns a syslog sink; it connects with the first alert.
func NewSyslogSink(o SyslogOptions) *SyslogSink {
	if o.Tag == "" {
		o.Tag = "syscope"
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Facility <= 0 || o.Facility > 23 {
		o.Facility = FacilityUser
	}
	return &SyslogSink{opts: o, pid: os.Getpid()}
}

// Name implements Sink.
func (s *SyslogSink) Name() string { return "syslog" }

func (s *SyslogSink) connect() error {
	if s.conn != nil {
		return nil
	}
	addrs := []string{s.opts.Address}
	if s.opts.Address == "" {
		addrs = []string{"/dev/log", "/var/run/syslog", "/var/run/log"}
	}
	nets := []string{s.opts.Network}
	if s.opts.Network == "" {
		nets = []string{"unixgram", "unix"}
	}
	var errs []error
	for _, a := range addrs {
		for _, n := range nets {
			c, err := net.Dial(n, a)
			if err == nil {
				s.conn, s.net = c, n
				return nil
			}
			errs = append(errs, err)
		}
	}
	return fmt.Errorf("connect to syslog: %w", errors.Join(errs...))
}

// Write implements Sink.
func (s *SyslogSink) Write(_ context.Context, m Message) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	sev := int(m.Alert.Priority)
	if sev > 7 {
		sev = 7
	}
	b := append(s.buf[:0], '<')
	b = strconv.AppendInt(b, int64(s.opts.Facility<<3|sev), 10)
	b = append(b, '>')
	b = s.opts.Now().AppendFormat(b, time.Stamp)
	b = append(b, ' ')
	b = append(b, s.opts.Tag...)
	b = append(b, '[')
	b = strconv.AppendInt(b, int64(s.pid), 10)
	b = append(b, ']', ':', ' ')
	b = append(b, m.Body...)
	s.buf = b
	var err error
	for attempt := 0; attempt < 2; attempt++ {
		if err = s.connect(); err != nil {
			return err
		}
		rec := s.buf
		if s.net == "unix" {
			rec = append(rec, '\n') // stream sockets need a record separator
		}
		if _, err = s.conn.Write(rec); err == nil {
			return nil
		}
		// The daemon may have restarted: reconnect once.
		s.conn.Close()
		s.conn = nil
	}
	return fmt.Errorf("write to syslog: %w", err)
}

// Close implements Sink.
func (s *SyslogSink) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn == nil {
		return nil
	}
	err := s.conn.Close()
	s.conn = nil
	return err
}
