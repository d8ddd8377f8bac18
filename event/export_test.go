package event

// Test helpers shared with the external tests (package event_test), which
// read captures through package scap.
var (
	SysdigArgsForTest     = sysdigArgs
	RunSysdigForTest      = runSysdig
	MatchStateForTest     = matchState
	MarkersVisibleForTest = markersVisible
	FirstDiffForTest      = firstDiff
)

// ProbeResolverForTest marks every state-dependent resolution (see
// matchState).
type ProbeResolverForTest = probeResolver
