package output

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// DefaultCAPath is Falco's default http_output.ca_path; with it (or an empty
// path) the system's trusted roots are used.
const DefaultCAPath = "/etc/ssl/certs"

// HTTPOptions configure the HTTP sink (http_output).
type HTTPOptions struct {
	// URL receives one POST per alert (http_output.url). Surrounding
	// quotes are removed, as Falco does.
	URL string
	// Format of the body: FormatJSON (Content-Type application/json, the
	// payload falcosidekick and other Falco consumers read) or FormatText
	// (text/plain, the text line).
	Format Format
	// UserAgent of the requests; empty means "syscope".
	UserAgent string
	// Headers are added to every request (after Content-Type and
	// User-Agent, which they may override).
	Headers map[string]string
	// Timeout bounds one attempt (connect, send, response); 0 means 5 s.
	Timeout time.Duration
	// MaxRetries is how many times a failed attempt is retried: connection
	// errors and 408, 425, 429, 5xx responses. Other responses are final.
	MaxRetries int
	// MaxConsecutiveTimeouts is how many times an attempt that timed out is
	// retried (http_output.max_consecutive_timeouts); timeouts do not use
	// MaxRetries.
	MaxConsecutiveTimeouts int
	// Backoff is the wait before the first retry, doubled for each next one
	// up to MaxBackoff; 0 means 200 ms and 5 s.
	Backoff, MaxBackoff time.Duration

	// CACert or CABundle name a PEM file of trusted roots that replaces the
	// system roots (http_output.ca_cert, http_output.ca_bundle; ca_cert
	// wins). CAPath names a directory of PEM files added to the system
	// roots (http_output.ca_path); DefaultCAPath or "" add nothing.
	CACert, CABundle, CAPath string
	// Insecure skips server certificate verification (http_output.insecure).
	Insecure bool
	// ClientCert and ClientKey are PEM files presented to the server for
	// mutual TLS (http_output.mtls with client_cert and client_key).
	ClientCert, ClientKey string
	// KeepAlive enables TCP keep-alive probes on connections
	// (http_output.keep_alive).
	KeepAlive bool
	// Echo, when not nil, receives the body of every response
	// (http_output.echo).
	Echo io.Writer
}

// HTTPSink posts each alert to a URL.
type HTTPSink struct {
	opts   HTTPOptions
	url    string
	client *http.Client
	ctype  string
}

// NewHTTPSink validates the options, loads the TLS material and returns the
// sink.
func NewHTTPSink(o HTTPOptions) (*HTTPSink, error) {
	u := unquote(strings.TrimSpace(o.URL))
	if u == "" {
		return nil, errors.New("http output: no url")
	}
	if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
		return nil, fmt.Errorf("http output: url %q: want http:// or https://", u)
	}
	if o.UserAgent == "" {
		o.UserAgent = "syscope"
	}
	if o.Timeout <= 0 {
		o.Timeout = 5 * time.Second
	}
	if o.Backoff <= 0 {
		o.Backoff = 200 * time.Millisecond
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 5 * time.Second
	}
	if o.MaxBackoff < o.Backoff {
		o.MaxBackoff = o.Backoff
	}
	if o.MaxRetries < 0 {
		o.MaxRetries = 0
	}
	if o.MaxConsecutiveTimeouts < 0 {
		o.MaxConsecutiveTimeouts = 0
	}
	tc, err := o.tlsConfig()
	if err != nil {
		return nil, err
	}
	ka := time.Duration(-1) // no keep-alive probes
	if o.KeepAlive {
		ka = 15 * time.Second
	}
	dialer := &net.Dialer{Timeout: o.Timeout, KeepAlive: ka}
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dialer.DialContext,
		TLSClientConfig:       tc,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          4,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   o.Timeout,
		ExpectContinueTimeout: time.Second,
	}
	s := &HTTPSink{opts: o, url: u, client: &http.Client{Transport: tr}}
	s.ctype = "text/plain"
	if o.Format == FormatJSON {
		s.ctype = "application/json"
	}
	return s, nil
}

func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '"' && s[len(s)-1] == '"' || s[0] == '\'' && s[len(s)-1] == '\'') {
		return s[1 : len(s)-1]
	}
	return s
}

func (o *HTTPOptions) tlsConfig() (*tls.Config, error) {
	tc := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: o.Insecure}
	switch {
	case o.CACert != "" || o.CABundle != "":
		file := o.CACert
		if file == "" {
			file = o.CABundle
		}
		pem, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("http output: read ca certificate: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("http output: no PEM certificate in %s", file)
		}
		tc.RootCAs = pool
	case o.CAPath != "" && filepath.Clean(o.CAPath) != DefaultCAPath:
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		ents, err := os.ReadDir(o.CAPath)
		if err != nil {
			return nil, fmt.Errorf("http output: read ca path: %w", err)
		}
		for _, e := range ents {
			if e.IsDir() {
				continue
			}
			pem, err := os.ReadFile(filepath.Join(o.CAPath, e.Name()))
			if err != nil {
				return nil, fmt.Errorf("http output: read ca path: %w", err)
			}
			pool.AppendCertsFromPEM(pem)
		}
		tc.RootCAs = pool
	}
	if o.ClientCert != "" || o.ClientKey != "" {
		if o.ClientCert == "" || o.ClientKey == "" {
			return nil, errors.New("http output: mutual TLS needs both client_cert and client_key")
		}
		cert, err := tls.LoadX509KeyPair(o.ClientCert, o.ClientKey)
		if err != nil {
			return nil, fmt.Errorf("http output: load client certificate: %w", err)
		}
		tc.Certificates = []tls.Certificate{cert}
	}
	return tc, nil
}

// Name implements Sink.
func (s *HTTPSink) Name() string { return "http" }

// StatusError is a response the server gave with a status other than 2xx.
type StatusError struct {
	Code int
	Body string // the start of the response body
}

func (e *StatusError) Error() string {
	if e.Body == "" {
		return fmt.Sprintf("status %d", e.Code)
	}
	return fmt.Sprintf("status %d: %s", e.Code, e.Body)
}

func retryableStatus(code int) bool {
	return code == http.StatusRequestTimeout || code == http.StatusTooEarly ||
		code == http.StatusTooManyRequests || code >= 500
}

// Write posts the message, retrying as configured. It returns the last
// attempt's error when every attempt failed.
func (s *HTTPSink) Write(ctx context.Context, m Message) error {
	retries, timeouts := 0, 0
	wait := s.opts.Backoff
	for {
		timedOut, retry, err := s.attempt(ctx, m.Body)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("http output: post %s: %w", s.url, err)
		}
		switch {
		case timedOut && timeouts < s.opts.MaxConsecutiveTimeouts:
			timeouts++
			continue // the attempt already waited its timeout
		case retry && !timedOut && retries < s.opts.MaxRetries:
			retries++
		default:
			return fmt.Errorf("http output: post %s (after %d retries, %d timeouts): %w", s.url, retries, timeouts, err)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("http output: post %s: %w", s.url, err)
		case <-t.C:
		}
		wait *= 2
		if wait > s.opts.MaxBackoff {
			wait = s.opts.MaxBackoff
		}
	}
}

func (s *HTTPSink) attempt(ctx context.Context, body []byte) (timedOut, retry bool, err error) {
	actx, cancel := context.WithTimeout(ctx, s.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(actx, http.MethodPost, s.url, bytes.NewReader(body))
	if err != nil {
		return false, false, err
	}
	req.Header.Set("Content-Type", s.ctype)
	req.Header.Set("User-Agent", s.opts.UserAgent)
	for k, v := range s.opts.Headers {
		req.Header.Set(k, v)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		var ne net.Error
		to := ctx.Err() == nil && (errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout())
		return to, true, err
	}
	defer resp.Body.Close()
	var r io.Reader = io.LimitReader(resp.Body, 1<<20)
	if s.opts.Echo != nil {
		r = io.TeeReader(r, s.opts.Echo)
	}
	if resp.StatusCode/100 != 2 {
		snippet, _ := io.ReadAll(io.LimitReader(r, 256))
		io.Copy(io.Discard, r)
		return false, retryableStatus(resp.StatusCode), &StatusError{Code: resp.StatusCode, Body: strings.TrimSpace(string(snippet))}
	}
	// The alert was accepted; an error reading the rest of the response
	// does not change that.
	io.Copy(io.Discard, r)
	return false, false, nil
}

// Close implements Sink.
func (s *HTTPSink) Close() error {
	s.client.CloseIdleConnections()
	return nil
}
