package scap

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Block types. The *Int values are the numbers used by very old captures
// before the format's numbers were settled; they are read like their
// official counterparts.
const (
	BlockSHB = 0x0A0D0D0A // section header

	BlockMI    = 0x201      // machine info
	BlockMIInt = 0x8002ABCD // machine info, early number

	BlockPLV1    = 0x202 // process list versions 1 to 9
	BlockPLV1Int = 0x8000ABCD
	BlockPLV2    = 0x207
	BlockPLV2Int = 0x8013ABCD
	BlockPLV3    = 0x209
	BlockPLV3Int = 0x8014ABCD
	BlockPLV4    = 0x210
	BlockPLV5    = 0x211
	BlockPLV6    = 0x212
	BlockPLV7    = 0x213
	BlockPLV8    = 0x214
	BlockPLV9    = 0x215

	BlockFDL    = 0x203 // fd list
	BlockFDLInt = 0x8001ABCD
	BlockFDLV2  = 0x218

	BlockEV         = 0x204 // event, v1 header
	BlockEVInt      = 0x8010ABCD
	BlockEVF        = 0x208 // event with flags, v1 header
	BlockEVV2       = 0x216 // event, v2 header
	BlockEVFV2      = 0x217 // event with flags, v2 header
	BlockEVV2Large  = 0x221 // event with u32 parameter lengths
	BlockEVFV2Large = 0x222 // event with flags and u32 parameter lengths

	BlockIL    = 0x205 // interface list
	BlockILInt = 0x8011ABCD
	BlockILV2  = 0x219

	BlockUL    = 0x206 // user and group list
	BlockULInt = 0x8012ABCD
	BlockULV2  = 0x220
)

// Section header constants.
const (
	// ByteOrderMagic is the section header's byte-order magic as a little
	// endian u32.
	ByteOrderMagic = 0x1A2B3C4D
	// VersionMajor and VersionMinor are the format version the Writer
	// writes; Reader accepts any 1.x.
	VersionMajor = 1
	VersionMinor = 2
)

// Limits that libscap enforces when it reads metadata. The Writer truncates
// longer values (and counts it in WriterStats.Truncated) so that the C readers
// accept its files.
const (
	MaxPathLen    = 1024 // comm, exe, exepath, cwd, root, fd names, interface names
	MaxArgsLen    = 4096 // process args, env and cgroups, NUL-separated
	MaxCredStrLen = 255  // user and group names, home directories, shells
)

// maxBlockLen bounds the length a block may declare; longer lengths are
// reported as corrupt rather than buffered.
const maxBlockLen = 1 << 30

// largeThreshold is the largest block a non-large event block may be: the
// libscap reader's buffer for them.
const largeThreshold = 1 << 16

// Option is one pcapng option of a section header or event block.
type Option struct {
	Code  uint16
	Value []byte
}

// pcapng option codes the package names.
const (
	OptEndOfOpt = 0
	OptComment  = 1
	// Section header options.
	OptSHBHardware = 2
	OptSHBOS       = 3
	OptSHBUserAppl = 4
)

// ParseOptions decodes pcapng options: code u16, length u16, value padded to
// 4 bytes, until an end-of-options entry or the end of b. It returns the
// options decoded before a malformed entry and an error describing it.
func ParseOptions(b []byte) ([]Option, error) {
	var opts []Option
	off := 0
	for len(b)-off >= 4 {
		code := binary.LittleEndian.Uint16(b[off:])
		n := int(binary.LittleEndian.Uint16(b[off+2:]))
		if code == OptEndOfOpt {
			return opts, nil
		}
		off += 4
		if n > len(b)-off {
			return opts, fmt.Errorf("option %d at byte %d: length %d exceeds the %d bytes left", code, off-4, n, len(b)-off)
		}
		opts = append(opts, Option{Code: code, Value: append([]byte(nil), b[off:off+n]...)})
		off += pad4(n)
	}
	if off != len(b) {
		return opts, fmt.Errorf("%d trailing option bytes", len(b)-off)
	}
	return opts, nil
}

// appendOptions encodes opts followed by an end-of-options entry.
func appendOptions(dst []byte, opts []Option) []byte {
	if len(opts) == 0 {
		return dst
	}
	for _, o := range opts {
		v := o.Value
		if len(v) > 0xffff {
			v = v[:0xffff]
		}
		dst = binary.LittleEndian.AppendUint16(dst, o.Code)
		dst = binary.LittleEndian.AppendUint16(dst, uint16(len(v)))
		dst = append(dst, v...)
		for i := len(v); i%4 != 0; i++ {
			dst = append(dst, 0)
		}
	}
	return binary.LittleEndian.AppendUint32(dst, 0)
}

func pad4(n int) int { return (n + 3) &^ 3 }

// BlockError reports a block the reader could not use. Offset is the byte
// offset of the block's first byte in the (decompressed) stream.
type BlockError struct {
	Offset int64
	Type   uint32 // the block type, 0 when not read
	Err    error
}

func (e *BlockError) Error() string {
	return fmt.Sprintf("scap: block at offset %d: %v", e.Offset, e.Err)
}

func (e *BlockError) Unwrap() error { return e.Err }

// ErrTruncated is wrapped by the BlockError of a block the stream ends in.
var ErrTruncated = errors.New("truncated")

// ErrNotScap is wrapped by the error of a stream that does not start with a
// section header block.
var ErrNotScap = errors.New("not a scap capture")

// blockName names a block type for error messages.
func blockName(t uint32) string {
	switch t {
	case BlockSHB:
		return "section header"
	case BlockMI, BlockMIInt:
		return "machine info"
	case BlockPLV1, BlockPLV1Int, BlockPLV2, BlockPLV2Int, BlockPLV3, BlockPLV3Int,
		BlockPLV4, BlockPLV5, BlockPLV6, BlockPLV7, BlockPLV8, BlockPLV9:
		return "process list"
	case BlockFDL, BlockFDLInt, BlockFDLV2:
		return "fd list"
	case BlockEV, BlockEVInt, BlockEVF, BlockEVV2, BlockEVFV2, BlockEVV2Large, BlockEVFV2Large:
		return "event"
	case BlockIL, BlockILInt, BlockILV2:
		return "interface list"
	case BlockUL, BlockULInt, BlockULV2:
		return "user list"
	}
	return fmt.Sprintf("unknown (0x%x)", t)
}
