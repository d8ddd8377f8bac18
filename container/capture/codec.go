package capture

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/syscope/syscope/container"
	"github.com/syscope/syscope/event"
)

// ErrNotContainerEvent is returned by Decode for an event of another type.
var ErrNotContainerEvent = errors.New("not a container event")

// IsContainerEvent reports whether events of type t carry container
// metadata: PPME_CONTAINER_E (id, type, name, image), PPME_CONTAINER_JSON_E
// and PPME_CONTAINER_JSON_2_E (libsinsp's container JSON).
func IsContainerEvent(t event.Type) bool {
	switch t {
	case event.ContainerE, event.ContainerJsonE, event.ContainerJsonV2E:
		return true
	}
	return false
}

// Keys syscope adds to the container JSON: when the container started and
// when it was created, in nanoseconds since the epoch (libsinsp only
// stores the creation time, in seconds). Readers that do not know them
// ignore them.
const (
	startKey   = "start_ts"
	createdKey = "created_ts"
)

// Marshal returns the JSON a container event carries for c: libsinsp's
// container JSON (container.MarshalSinspJSON) with, for a container in a
// pod, the kubelet's io.kubernetes.sandbox.id label (which libsinsp 0.29.3
// follows to the sandbox's record to find the pod's labels), and the
// start and creation times in nanoseconds.
func Marshal(c *container.Container) ([]byte, error) {
	if c == nil {
		return nil, errors.New("marshal container: nil container")
	}
	w := c
	if p := c.Pod; p != nil && p.SandboxID != "" && c.Labels[container.LabelSandboxID] == "" {
		cp := *c
		cp.Labels = make(map[string]string, len(c.Labels)+1)
		for k, v := range c.Labels {
			cp.Labels[k] = v
		}
		cp.Labels[container.LabelSandboxID] = p.SandboxID
		w = &cp
	}
	b, err := container.MarshalSinspJSON(w)
	if err != nil {
		return nil, fmt.Errorf("marshal container %s: %w", c.ID, err)
	}
	if bytes.HasSuffix(b, []byte("}}")) {
		var tail []byte
		for _, kv := range [...]struct {
			key string
			t   time.Time
		}{{startKey, c.StartedAt}, {createdKey, c.CreatedAt}} {
			if ns := kv.t.UnixNano(); !kv.t.IsZero() && ns > 0 {
				tail = append(tail, `,"`+kv.key+`":`...)
				tail = strconv.AppendInt(tail, ns, 10)
			}
		}
		if tail != nil {
			b = append(append(b[:len(b)-2], tail...), "}}"...)
		}
	}
	return b, nil
}

// AppendEvent appends to dst a PPME_CONTAINER_JSON_2_E event carrying c,
// as libsinsp writes them: thread id -1, timestamp ts, one parameter
// holding the JSON and a terminating NUL.
func AppendEvent(dst []byte, c *container.Container, ts uint64) ([]byte, error) {
	b, err := Marshal(c)
	if err != nil {
		return dst, err
	}
	if len(b) >= math.MaxUint32-event.HeaderLen-8 {
		return dst, fmt.Errorf("container event for %s: %d bytes of JSON", c.ID, len(b))
	}
	return event.Encode(dst, ts, -1, event.ContainerJsonV2E, append(b, 0))
}

// Decode reads the container record a container event carries. The
// record's State is the event's lookup state (a lookup that was still
// running when the capture was written reads as pending, one that failed as
// failed). Malformed events give an error that says what is wrong; Decode
// never panics.
func Decode(e *event.Event) (*container.Container, error) {
	if e == nil || len(e.Raw) < event.HeaderLen {
		return nil, errors.New("decode container event: event shorter than its header")
	}
	if err := e.Validate(); err != nil {
		return nil, fmt.Errorf("decode container event %d: %w", e.Num, err)
	}
	switch e.Type() {
	case event.ContainerJsonE, event.ContainerJsonV2E:
		p, ok := e.Param(0)
		if !ok {
			return nil, fmt.Errorf("decode container event %d: no json parameter", e.Num)
		}
		j := event.CString(p)
		c, err := container.ParseSinspJSON(j)
		if err != nil {
			return nil, fmt.Errorf("decode container event %d: %w", e.Num, err)
		}
		var extra struct {
			Container struct {
				Start   int64 `json:"start_ts"`
				Created int64 `json:"created_ts"`
			} `json:"container"`
		}
		if json.Unmarshal(j, &extra) == nil {
			if extra.Container.Start > 0 {
				c.StartedAt = time.Unix(0, extra.Container.Start).UTC()
			}
			if extra.Container.Created > 0 {
				c.CreatedAt = time.Unix(0, extra.Container.Created).UTC()
			}
		}
		return c, nil
	case event.ContainerE:
		id, ok0 := e.Str(0)
		typ, ok1 := e.Param(1)
		name, ok2 := e.Str(2)
		image, ok3 := e.Str(3)
		if !ok0 || !ok1 || !ok2 || !ok3 || len(typ) != 4 {
			return nil, fmt.Errorf("decode container event %d: want id, type (4 bytes), name and image", e.Num)
		}
		if len(id) == 0 {
			return nil, fmt.Errorf("decode container event %d: empty container id", e.Num)
		}
		c := &container.Container{ID: string(id), FullID: string(id), State: container.StateResolved,
			Name: string(name), Image: string(image), Labels: map[string]string{}}
		if v := binary.LittleEndian.Uint32(typ); v <= math.MaxUint16 {
			c.Type, _ = container.TypeFromSinspValue(uint16(v))
		}
		return c, nil
	}
	return nil, fmt.Errorf("decode event %d of type %d: %w", e.Num, e.Type(), ErrNotContainerEvent)
}
