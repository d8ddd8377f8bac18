package state

// Clone flags and sinsp thread state bits (PPM_CL_*), as Thread.Flags holds
// them.
const (
	CloneFiles         uint32 = 1 << 0
	CloneFS            uint32 = 1 << 1
	CloneNewPID        uint32 = 1 << 6
	CloneParent        uint32 = 1 << 8
	CloneThread        uint32 = 1 << 13
	CloneVM            uint32 = 1 << 15
	CloneInverted      uint32 = 1 << 16
	CloneNewUser       uint32 = 1 << 20
	CloneVfork         uint32 = 1 << 27
	CloneChildInPIDNS  uint32 = 1 << 29
	pplClNameChanged   uint32 = 1 << 17
	ThreadClosed       uint32 = 1 << 18
	ThreadActive       uint32 = 1 << 19
	ThreadIsMainThread uint32 = 1 << 30
	pplClPipeSrc       uint32 = 1 << 21
	pplClPipeDst       uint32 = 1 << 22
)

// Open flags (PPM_O_*) that state decisions use.
const (
	openRdonly    uint32 = 1 << 0
	openWronly    uint32 = 1 << 1
	openCreat     uint32 = 1 << 2
	openDirectory uint32 = 1 << 10
	openCloexec   uint32 = 1 << 12
	openTmpfile   uint32 = 1 << 13
	openFCreated  uint32 = 1 << 14
)

// Executable flags of execve exits (the driver's PPM_EXE_* bits).
const (
	exeWritable   = 1 << 0
	exeUpperLayer = 1 << 1
	exeFromMemfd  = 1 << 2
	exeLowerLayer = 1 << 3
)
