package state

import "github.com/syscope/syscope/event"

// HasFD reports whether fd fields apply to the event: sinsp answers fd.*
// fields only for event types that create, use or destroy an fd (by the
// flags of SinspFlags), and only with a known thread.
func (c *Ctx) HasFD() bool {
	if c.Thread == nil || c.Evt == nil {
		return false
	}
	return SinspFlags(c.Evt.Type())&(event.EFCreatesFd|event.EFUsesFd|event.EFDestroysFd) != 0
}

// FDInfo returns the descriptor fd.* fields describe, found as sinsp's fd
// filter checks find it: the event's fd, else the thread's descriptor named
// by its last event fd. It returns nil when HasFD is false or no such
// descriptor is known.
func (c *Ctx) FDInfo() *FD {
	if !c.HasFD() {
		return nil
	}
	if c.FD != nil {
		return c.FD
	}
	if n := c.Thread.LastEventFD; n != -1 {
		return c.Thread.FD(n)
	}
	return nil
}
