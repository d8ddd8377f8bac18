package output

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// sidekickPayload is the shape falcosidekick decodes a Falco alert into.
type sidekickPayload struct {
	Output       string                 `json:"output"`
	Priority     string                 `json:"priority"`
	Rule         string                 `json:"rule"`
	Time         time.Time              `json:"time"`
	OutputFields map[string]interface{} `json:"output_fields"`
	Source       string                 `json:"source"`
	Tags         []string               `json:"tags"`
	Hostname     string                 `json:"hostname"`
}

type captured struct {
	method, ctype, ua, custom string
	body                      []byte
}

func TestHTTPSinkPayload(t *testing.T) {
	got := make(chan captured, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- captured{r.Method, r.Header.Get("Content-Type"), r.Header.Get("User-Agent"), r.Header.Get("X-Token"), b}
	}))
	defer srv.Close()
	s, err := NewHTTPSink(HTTPOptions{URL: `"` + srv.URL + `"`, Format: FormatJSON, Headers: map[string]string{"X-Token": "s3cret"}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	f := NewFormatter(FormatterOptions{Hostname: "node-1"})
	a := testAlert()
	if err := s.Write(context.Background(), Message{Alert: a, Body: f.JSON(a)}); err != nil {
		t.Fatal(err)
	}
	c := <-got
	if c.method != http.MethodPost || c.ctype != "application/json" || c.ua != "syscope" || c.custom != "s3cret" {
		t.Errorf("request: %+v", c)
	}
	var p sidekickPayload
	d := json.NewDecoder(strings.NewReader(string(c.body)))
	d.UseNumber()
	if err := d.Decode(&p); err != nil {
		t.Fatalf("falcosidekick cannot decode %s: %v", c.body, err)
	}
	if !p.Time.Equal(at) || p.Rule != a.Rule || p.Priority != "Warning" || p.Source != "syscall" || p.Hostname != "node-1" {
		t.Errorf("payload %+v", p)
	}
	if p.OutputFields["fd.name"] != "/etc/shadow" || p.OutputFields["evt.res"] != nil || p.OutputFields["proc.pid"] != json.Number("4242") {
		t.Errorf("output_fields %v", p.OutputFields)
	}
}

func TestHTTPSinkText(t *testing.T) {
	got := make(chan captured, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- captured{ctype: r.Header.Get("Content-Type"), ua: r.Header.Get("User-Agent"), body: b}
	}))
	defer srv.Close()
	s, err := NewHTTPSink(HTTPOptions{URL: srv.URL, Format: FormatText, UserAgent: "falcosecurity/falco"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Write(context.Background(), msg("12:00:00.000000000: Warning x", PriorityWarning)); err != nil {
		t.Fatal(err)
	}
	c := <-got
	if c.ctype != "text/plain" || c.ua != "falcosecurity/falco" || string(c.body) != "12:00:00.000000000: Warning x" {
		t.Errorf("text request %+v", c)
	}
}

func TestHTTPSinkRetries(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) <= 2 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		io.WriteString(w, "ok")
	}))
	defer srv.Close()
	s, err := NewHTTPSink(HTTPOptions{URL: srv.URL, MaxRetries: 3, Backoff: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Write(context.Background(), msg("x", PriorityWarning)); err != nil {
		t.Fatalf("failing-then-ok server: %v", err)
	}
	if n.Load() != 3 {
		t.Errorf("%d requests, want 3", n.Load())
	}

	// Retries run out.
	n.Store(-100)
	s2, _ := NewHTTPSink(HTTPOptions{URL: srv.URL, MaxRetries: 2, Backoff: time.Millisecond})
	err = s2.Write(context.Background(), msg("x", PriorityWarning))
	var se *StatusError
	if !errors.As(err, &se) || se.Code != 503 || se.Body != "busy" {
		t.Errorf("exhausted retries: %v", err)
	}
	if got := n.Load() + 100; got != 3 {
		t.Errorf("%d requests, want 1 + 2 retries", got)
	}
}

func TestHTTPSinkNoRetryOnClientError(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		http.Error(w, "bad payload", http.StatusBadRequest)
	}))
	defer srv.Close()
	s, _ := NewHTTPSink(HTTPOptions{URL: srv.URL, MaxRetries: 5, Backoff: time.Millisecond})
	err := s.Write(context.Background(), msg("x", PriorityWarning))
	var se *StatusError
	if !errors.As(err, &se) || se.Code != 400 {
		t.Errorf("got %v", err)
	}
	if n.Load() != 1 {
		t.Errorf("%d requests for a 400, want 1", n.Load())
	}
}

func TestHTTPSinkConnectionRefusedRetries(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close() // nothing listens there any more
	s, _ := NewHTTPSink(HTTPOptions{URL: url, MaxRetries: 2, Backoff: time.Millisecond})
	err := s.Write(context.Background(), msg("x", PriorityWarning))
	if err == nil || !strings.Contains(err.Error(), "after 2 retries") {
		t.Errorf("got %v", err)
	}
}

func TestHTTPSinkTimeouts(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.ReadAll(r.Body) // the server notices a client going away only once the body is read
		if n.Add(1) == 1 {
			<-r.Context().Done() // hang until the client gives up
			return
		}
	}))
	defer srv.Close()
	s, _ := NewHTTPSink(HTTPOptions{URL: srv.URL, Timeout: 500 * time.Millisecond, MaxConsecutiveTimeouts: 1})
	if err := s.Write(context.Background(), msg("x", PriorityWarning)); err != nil {
		t.Fatalf("timeout then ok: %v", err)
	}
	if n.Load() != 2 {
		t.Errorf("%d requests, want 2", n.Load())
	}
	n.Store(0)
	s2, _ := NewHTTPSink(HTTPOptions{URL: srv.URL, Timeout: 500 * time.Millisecond, MaxRetries: 5})
	if err := s2.Write(context.Background(), msg("x", PriorityWarning)); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a timeout with no timeout retries left: %v", err)
	}
	if n.Load() != 1 {
		t.Errorf("timeouts must not use MaxRetries: %d requests", n.Load())
	}
}

func TestHTTPSinkCancel(t *testing.T) {
	entered := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.ReadAll(r.Body)
		close(entered)
		<-r.Context().Done()
	}))
	defer srv.Close()
	s, _ := NewHTTPSink(HTTPOptions{URL: srv.URL, MaxRetries: 5, MaxConsecutiveTimeouts: 5})
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-entered; cancel() }()
	if err := s.Write(ctx, msg("x", PriorityWarning)); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled write: %v", err)
	}
}

func writePEM(t *testing.T, path, typ string, der []byte) {
	t.Helper()
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestHTTPSinkTLS(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { n.Add(1) }))
	defer srv.Close()
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	writePEM(t, ca, "CERTIFICATE", srv.Certificate().Raw)

	// Unknown authority: refused, and not retried into success.
	s, _ := NewHTTPSink(HTTPOptions{URL: srv.URL})
	err := s.Write(context.Background(), msg("x", PriorityWarning))
	var uae x509.UnknownAuthorityError
	if !errors.As(err, &uae) {
		t.Errorf("untrusted server: %v", err)
	}
	for _, o := range []HTTPOptions{
		{URL: srv.URL, CACert: ca},
		{URL: srv.URL, CABundle: ca},
		{URL: srv.URL, CAPath: dir},
		{URL: srv.URL, Insecure: true},
	} {
		s, err := NewHTTPSink(o)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Write(context.Background(), msg("x", PriorityWarning)); err != nil {
			t.Errorf("%+v: %v", o, err)
		}
		s.Close()
	}
	if n.Load() != 4 {
		t.Errorf("%d requests reached the server, want 4", n.Load())
	}
	if _, err := NewHTTPSink(HTTPOptions{URL: srv.URL, CACert: filepath.Join(dir, "missing.pem")}); err == nil {
		t.Error("missing CA file accepted")
	}
	bad := filepath.Join(dir, "bad.pem")
	os.WriteFile(bad, []byte("not a certificate"), 0o600)
	if _, err := NewHTTPSink(HTTPOptions{URL: srv.URL, CACert: bad}); err == nil {
		t.Error("CA file without PEM accepted")
	}
}

func TestHTTPSinkMutualTLS(t *testing.T) {
	dir := t.TempDir()
	// A client CA and a client certificate it signs.
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test client CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	cliKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	cliTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "syscope-agent"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	cliDER, err := x509.CreateCertificate(rand.Reader, cliTmpl, caCert, &cliKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, _ := x509.MarshalECPrivateKey(cliKey)
	certFile, keyFile := filepath.Join(dir, "client.crt"), filepath.Join(dir, "client.key")
	writePEM(t, certFile, "CERTIFICATE", cliDER)
	writePEM(t, keyFile, "EC PRIVATE KEY", keyDER)

	pool := x509.NewCertPool()
	pool.AddCert(caCert)
	seen := make(chan string, 1)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen <- r.TLS.PeerCertificates[0].Subject.CommonName
	}))
	srv.TLS = &tls.Config{ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: pool}
	srv.StartTLS()
	defer srv.Close()
	ca := filepath.Join(dir, "server-ca.pem")
	writePEM(t, ca, "CERTIFICATE", srv.Certificate().Raw)

	s, _ := NewHTTPSink(HTTPOptions{URL: srv.URL, CACert: ca})
	if err := s.Write(context.Background(), msg("x", PriorityWarning)); err == nil {
		t.Error("no client certificate, yet accepted")
	}
	s, err = NewHTTPSink(HTTPOptions{URL: srv.URL, CACert: ca, ClientCert: certFile, ClientKey: keyFile})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Write(context.Background(), msg("x", PriorityWarning)); err != nil {
		t.Fatal(err)
	}
	if cn := <-seen; cn != "syscope-agent" {
		t.Errorf("server saw client %q", cn)
	}
	if _, err := NewHTTPSink(HTTPOptions{URL: srv.URL, ClientCert: certFile}); err == nil {
		t.Error("client certificate without key accepted")
	}
}

func TestHTTPSinkEcho(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "accepted\n") }))
	defer srv.Close()
	var echo strings.Builder
	s, _ := NewHTTPSink(HTTPOptions{URL: srv.URL, Echo: &echo})
	if err := s.Write(context.Background(), msg("x", PriorityWarning)); err != nil {
		t.Fatal(err)
	}
	if echo.String() != "accepted\n" {
		t.Errorf("echo %q", echo.String())
	}
}

func TestHTTPSinkBadURL(t *testing.T) {
	for _, u := range []string{"", "ftp://x", "localhost:2801", `""`} {
		if _, err := NewHTTPSink(HTTPOptions{URL: u}); err == nil {
			t.Errorf("url %q accepted", u)
		}
	}
}
