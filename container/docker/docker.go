// Package docker is a container.Client for the Docker-compatible REST API
// served on a unix socket by the Docker engine and by podman ("podman system
// service"). It asks GET /containers/{id}/json and GET /images/{id}/json
// with net/http over the socket and maps the answer to container.Container.
//
// Watch follows GET /events for containers created and started (a
// container.Watcher), so that the Manager resolves a container before its
// first process runs.
//
// It is not a Docker SDK: it reads only what container metadata needs and
// does not start or stop containers.
package docker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/syscope/syscope/container"
)

// DefaultSockets are the sockets probed when none is configured: the Docker
// engine's and rootful podman's.
var DefaultSockets = []string{"/var/run/docker.sock", "/run/podman/podman.sock"}

// Options configure a Client. A nil *Options means the defaults.
type Options struct {
	// Type is the type of the containers this socket serves: TypeDocker or
	// TypePodman. TypeUnknown (the default) asks the server once: a podman
	// server answers GET /_ping with a Libpod-Api-Version header.
	Type container.Type
	// MaxResponse bounds the size of one API answer (default 4 MiB).
	MaxResponse int64
}

// Client talks to one Docker-compatible API socket. It is safe for
// concurrent use.
type Client struct {
	socket  string
	maxResp int64
	hc      *http.Client

	mu  sync.Mutex
	typ container.Type
}

// New returns a Client for the unix socket at path. It does not connect.
func New(path string, opts *Options) *Client {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.MaxResponse <= 0 {
		o.MaxResponse = 4 << 20
	}
	tr := &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", path)
		},
		MaxIdleConns:        2,
		IdleConnTimeout:     30 * time.Second,
		DisableCompression:  true,
		MaxIdleConnsPerHost: 2,
	}
	return &Client{
		socket:  path,
		maxResp: o.MaxResponse,
		hc:      &http.Client{Transport: tr},
		typ:     o.Type,
	}
}

// Name identifies the client.
func (c *Client) Name() string { return "docker-api unix://" + c.socket }

// Socket returns the socket path.
func (c *Client) Socket() string { return c.socket }

// Serves reports whether containers detected as t are expected here:
// docker and podman layouts, or only the server's own type once known.
func (c *Client) Serves(t container.Type) bool {
	c.mu.Lock()
	typ := c.typ
	c.mu.Unlock()
	if typ != container.TypeUnknown {
		return t == typ
	}
	return t == container.TypeDocker || t == container.TypePodman
}

// Close releases idle connections.
func (c *Client) Close() error {
	c.hc.CloseIdleConnections()
	return nil
}

// APIError is a non-success HTTP answer.
type APIError struct {
	Status  int
	Message string
}

func (e *APIError) Error() string {
	if e.Message != "" {
		return fmt.Sprintf("http %d: %s", e.Status, e.Message)
	}
	return fmt.Sprintf("http %d", e.Status)
}

// get performs GET path and returns the body of a 200 answer, the headers,
// or an error (wrapping container.ErrNotFound for 404).
func (c *Client) get(ctx context.Context, path string) ([]byte, http.Header, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://d"+path, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: GET %s: %w", c.Name(), path, err)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: GET %s: %w", c.Name(), path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, c.maxResp+1))
	if err != nil {
		return nil, nil, fmt.Errorf("%s: GET %s: read body: %w", c.Name(), path, err)
	}
	if int64(len(body)) > c.maxResp {
		return nil, nil, fmt.Errorf("%s: GET %s: answer larger than %d bytes", c.Name(), path, c.maxResp)
	}
	if resp.StatusCode != http.StatusOK {
		ae := &APIError{Status: resp.StatusCode}
		var m struct {
			Message string `json:"message"`
		}
		if json.Unmarshal(body, &m) == nil {
			ae.Message = m.Message
		}
		if resp.StatusCode == http.StatusNotFound {
			return nil, nil, fmt.Errorf("%s: GET %s: %w: %w", c.Name(), path, container.ErrNotFound, ae)
		}
		return nil, nil, fmt.Errorf("%s: GET %s: %w", c.Name(), path, ae)
	}
	return body, resp.Header, nil
}

// eventFilters selects the events Watch follows.
var eventFilters = url.QueryEscape(`{"type":["container"],"event":["create","start"]}`)

// Watch follows the server's event stream and calls fn with the id of each
// container created or started, until ctx ends or the stream fails.
func (c *Client) Watch(ctx context.Context, fn func(id string, t container.Type)) error {
	t, err := c.engineType(ctx)
	if err != nil {
		return err
	}
	path := "/events?filters=" + eventFilters
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://d"+path, nil)
	if err != nil {
		return fmt.Errorf("%s: GET /events: %w", c.Name(), err)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return fmt.Errorf("%s: GET /events: %w", c.Name(), err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: GET /events: %w", c.Name(), &APIError{Status: resp.StatusCode})
	}
	err = readEvents(resp.Body, func(id string) { fn(id, t) })
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return fmt.Errorf("%s: events: %w", c.Name(), err)
}

// readEvents decodes an event stream (JSON objects one after the other)
// and calls fn with the id of each container created or started, until
// the stream ends or is malformed, and returns why.
func readEvents(r io.Reader, fn func(id string)) error {
	dec := json.NewDecoder(r)
	for {
		var ev struct {
			Type   string `json:"Type"`
			Action string `json:"Action"`
			Actor  struct {
				ID string `json:"ID"`
			} `json:"Actor"`
		}
		if err := dec.Decode(&ev); err != nil {
			return err
		}
		if ev.Type != "container" || (ev.Action != "create" && ev.Action != "start") || ev.Actor.ID == "" {
			continue
		}
		fn(ev.Actor.ID)
	}
}

// Ping checks the server answers and learns whether it is podman.
func (c *Client) Ping(ctx context.Context) (container.Type, error) {
	_, hdr, err := c.get(ctx, "/_ping")
	if err != nil {
		return container.TypeUnknown, err
	}
	t := container.TypeDocker
	if hdr.Get("Libpod-Api-Version") != "" || strings.HasPrefix(hdr.Get("Server"), "Libpod") {
		t = container.TypePodman
	}
	c.mu.Lock()
	if c.typ == container.TypeUnknown {
		c.typ = t
	}
	t = c.typ
	c.mu.Unlock()
	return t, nil
}

func (c *Client) engineType(ctx context.Context) (container.Type, error) {
	c.mu.Lock()
	t := c.typ
	c.mu.Unlock()
	if t != container.TypeUnknown {
		return t, nil
	}
	return c.Ping(ctx)
}

// Inspect returns the metadata of container id (a full id, a unique prefix
// or a name).
func (c *Client) Inspect(ctx context.Context, id string) (*container.Container, error) {
	typ, err := c.engineType(ctx)
	if err != nil {
		return nil, err
	}
	raw, err := c.inspect(ctx, id)
	if err != nil {
		return nil, err
	}
	ct, err := fromInspect(raw, typ)
	if err != nil {
		return nil, fmt.Errorf("%s: container %s: %w", c.Name(), id, err)
	}
	if ct.IP == "" && strings.HasPrefix(raw.HostConfig.NetworkMode, "container:") {
		// The network namespace belongs to another container: its address
		// is this one's.
		other := strings.TrimPrefix(raw.HostConfig.NetworkMode, "container:")
		if o, err := c.inspect(ctx, other); err == nil {
			ct.IP = o.ip()
		}
	}
	if raw.Image != "" {
		if img, err := c.image(ctx, raw.Image); err == nil {
			applyImage(ct, img)
		} else if !errors.Is(err, container.ErrNotFound) {
			return nil, err
		}
	}
	if ct.ImageTag == "" && ct.Image != "" && !imageIsID(ct.Image, ct.ImageID) && ct.ImageDigest == "" {
		ct.ImageTag = "latest"
	}
	return ct, nil
}

func (c *Client) inspect(ctx context.Context, id string) (*inspectJSON, error) {
	body, _, err := c.get(ctx, "/containers/"+url.PathEscape(id)+"/json")
	if err != nil {
		return nil, err
	}
	var raw inspectJSON
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, fmt.Errorf("%s: container %s: decode inspect answer: %w", c.Name(), id, err)
	}
	if raw.ID == "" {
		return nil, fmt.Errorf("%s: container %s: inspect answer has no Id", c.Name(), id)
	}
	return &raw, nil
}

func (c *Client) image(ctx context.Context, id string) (*imageJSON, error) {
	body, _, err := c.get(ctx, "/images/"+url.PathEscape(id)+"/json")
	if err != nil {
		return nil, err
	}
	var img imageJSON
	if err := json.Unmarshal(body, &img); err != nil {
		return nil, fmt.Errorf("%s: image %s: decode: %w", c.Name(), id, err)
	}
	return &img, nil
}

type inspectJSON struct {
	ID      string `json:"Id"`
	Name    string `json:"Name"`
	Image   string `json:"Image"`
	Created string `json:"Created"`
	State   struct {
		StartedAt string `json:"StartedAt"`
	} `json:"State"`
	Config struct {
		Image       string            `json:"Image"`
		Labels      map[string]string `json:"Labels"`
		Healthcheck *struct {
			Test []string `json:"Test"`
		} `json:"Healthcheck"`
	} `json:"Config"`
	HostConfig struct {
		Privileged  bool   `json:"Privileged"`
		NetworkMode string `json:"NetworkMode"`
	} `json:"HostConfig"`
	Mounts []struct {
		Source      string `json:"Source"`
		Destination string `json:"Destination"`
		Mode        string `json:"Mode"`
		RW          bool   `json:"RW"`
		Propagation string `json:"Propagation"`
	} `json:"Mounts"`
	NetworkSettings struct {
		IPAddress         string `json:"IPAddress"`
		GlobalIPv6Address string `json:"GlobalIPv6Address"`
		Networks          map[string]struct {
			IPAddress         string `json:"IPAddress"`
			GlobalIPv6Address string `json:"GlobalIPv6Address"`
		} `json:"Networks"`
	} `json:"NetworkSettings"`
}

func (r *inspectJSON) ip() string {
	ns := &r.NetworkSettings
	if ns.IPAddress != "" {
		return ns.IPAddress
	}
	names := make([]string, 0, len(ns.Networks))
	for n := range ns.Networks {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if a := ns.Networks[n].IPAddress; a != "" {
			return a
		}
	}
	if ns.GlobalIPv6Address != "" {
		return ns.GlobalIPv6Address
	}
	for _, n := range names {
		if a := ns.Networks[n].GlobalIPv6Address; a != "" {
			return a
		}
	}
	return ""
}

type imageJSON struct {
	ID          string   `json:"Id"`
	RepoTags    []string `json:"RepoTags"`
	RepoDigests []string `json:"RepoDigests"`
	Digest      string   `json:"Digest"`
}

func parseTime(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil || t.Year() <= 1 {
		return time.Time{}
	}
	return t
}

// imageIsID reports whether the image a container was created with is an
// image id (or id prefix) rather than a name.
func imageIsID(image, imageID string) bool {
	image = strings.TrimPrefix(image, "sha256:")
	return imageID != "" && image != "" && strings.HasPrefix(imageID, image)
}

func fromInspect(r *inspectJSON, typ container.Type) (*container.Container, error) {
	c := &container.Container{
		FullID:      r.ID,
		Type:        typ,
		Name:        strings.TrimPrefix(r.Name, "/"),
		Image:       r.Config.Image,
		Privileged:  r.HostConfig.Privileged,
		CreatedAt:   parseTime(r.Created),
		StartedAt:   parseTime(r.State.StartedAt),
		IP:          r.ip(),
		HostNetwork: r.HostConfig.NetworkMode == "host",
		Labels:      r.Config.Labels,
	}
	if c.Labels == nil {
		c.Labels = map[string]string{}
	}
	// Docker's Image is the image id; podman's native API has the name
	// there instead.
	if !strings.Contains(r.Image, "/") {
		c.ImageID = container.TrimDigestAlgo(r.Image)
	}
	if c.Image == "" {
		c.Image = r.Image
	}
	if !imageIsID(c.Image, c.ImageID) {
		ref := container.ParseImageRef(c.Image)
		c.ImageRepository, c.ImageTag, c.ImageDigest = ref.Repository, ref.Tag, ref.Digest
	}
	for _, m := range r.Mounts {
		c.Mounts = append(c.Mounts, container.Mount{
			Source: m.Source, Dest: m.Destination, Mode: m.Mode, RW: m.RW, Propagation: m.Propagation,
		})
	}
	if strings.HasPrefix(c.Name, "k8s_POD") {
		c.IsPodSandbox = true
	}
	// Kubernetes through dockershim/cri-dockerd: the pod is in the labels,
	// and the probes in the last-applied pod manifest.
	if name := c.Labels["io.kubernetes.pod.name"]; name != "" {
		c.Pod = &container.Pod{
			Name:      name,
			Namespace: c.Labels["io.kubernetes.pod.namespace"],
			UID:       c.Labels["io.kubernetes.pod.uid"],
			SandboxID: c.Labels["io.kubernetes.sandbox.id"],
			IP:        c.IP,
		}
	}
	if manifest := c.Labels["annotation."+container.LastAppliedAnnotation]; manifest != "" {
		l, rd, err := container.ProbesFromPodSpec(manifest, c.Labels["io.kubernetes.container.name"])
		if err == nil {
			c.LivenessProbe, c.ReadinessProbe = l, rd
		}
	}
	if c.LivenessProbe == nil && c.ReadinessProbe == nil && r.Config.Healthcheck != nil {
		c.HealthCheck = container.ProbeFromHealthcheck(r.Config.Healthcheck.Test)
	}
	return c, nil
}

// applyImage completes the image fields from the image's own record.
func applyImage(c *container.Container, img *imageJSON) {
	if img.ID != "" {
		c.ImageID = container.TrimDigestAlgo(img.ID)
	}
	repo := c.ImageRepository
	if c.ImageDigest == "" {
		if img.Digest != "" {
			c.ImageDigest = img.Digest
		} else {
			seen := map[string]bool{}
			for _, rd := range img.RepoDigests {
				r, d, ok := strings.Cut(rd, "@")
				if !ok {
					continue
				}
				seen[d] = true
				if repo == "" {
					repo = r
				}
				if r == repo {
					c.ImageDigest = d
					break
				}
			}
			if c.ImageDigest == "" && len(seen) == 1 {
				for d := range seen {
					c.ImageDigest = d
				}
			}
		}
	}
	if c.ImageTag == "" {
		for _, rt := range img.RepoTags {
			ref := container.ParseImageRef(rt)
			if ref.Tag == "" {
				continue
			}
			if repo == "" {
				repo = ref.Repository
			}
			if ref.Repository == repo {
				c.ImageTag = ref.Tag
				break
			}
		}
	}
	if c.ImageRepository == "" {
		c.ImageRepository = repo
	}
}
