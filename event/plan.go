package event

// argPlan says how AppendArgs renders one parameter of an event type,
// worked out once per type and flavor: the "name=" label, the schema entry
// the flavor uses, and for the common fixed-size kinds a direct renderer
// that skips the general dispatch of appendParamBytes.
type argPlan struct {
	label string // the parameter's name and '='
	pi    *ParamInfo
	kind  argKind
	width uint8 // wire size of the fixed-size kinds
	enum  bool  // for argFlags: an enum-flags type
}

type argKind uint8

const (
	argGeneric argKind = iota // appendParamBytes
	argNum                    // signed and unsigned integers
	argErrno                  // a result: value and errno name when negative
	argFd                     // an fd (64 or 32 bits) and what it refers to
	argFlags                  // a flags or enum-flags value and its names
)

// typePlan is the rendering plan of one event type in one flavor.
type typePlan struct {
	args  []argPlan // the parameters the flavor renders, in order
	large bool      // parameter lengths are 4 bytes
}

// argPlans holds the plans by flavor (0: FlavorSysdig, 1: any other) and
// event type.
var argPlans = buildArgPlans()

func planFlavor(f Flavor) int {
	if f == FlavorSysdig {
		return 0
	}
	return 1
}

func buildArgPlans() *[2][NumTypes]typePlan {
	var plans [2][NumTypes]typePlan
	for fi, f := range []Flavor{FlavorSysdig, FlavorLibs} {
		for t := Type(0); t < NumTypes; t++ {
			info := t.Info()
			n := len(info.Params)
			if f == FlavorSysdig && int(t) < sysdigNumTypes {
				if m := int(sysdigParamCounts[t]); m < n {
					n = m
				}
			}
			tp := &plans[fi][t]
			tp.large = info.Flags&EFLargePayload != 0
			tp.args = make([]argPlan, n)
			for i := range tp.args {
				pi := effectiveParam(t, i, f)
				p := &tp.args[i]
				p.label = pi.Name + "="
				p.pi = pi
				p.width = uint8(paramWidth(pi.Type))
				switch pi.Type {
				case PInt8, PInt16, PInt32, PInt64, PUint8, PUint16, PUint32, PUint64:
					p.kind = argNum
				case PErrno:
					p.kind = argErrno
				case PFd, PFd32:
					p.kind = argFd
				case PFlags8, PFlags16, PFlags32:
					p.kind = argFlags
				case PEnumflags8, PEnumflags16, PEnumflags32:
					p.kind = argFlags
					p.enum = true
				}
			}
		}
	}
	return &plans
}
