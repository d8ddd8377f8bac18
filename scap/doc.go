// Package scap reads and writes .scap capture files, the format of libscap,
// sysdig, Falco and Stratoshark (tshark decodes its event blocks too).
//
// A capture is a pcapng-like sequence of blocks, each laid out as block type
// (u32), total length (u32), body padded to 4 bytes, total length again. The
// first block is a section header; then come metadata blocks (machine info,
// interfaces, users and groups, processes, their file descriptors) and event
// blocks, each holding one event in the wire layout package event describes.
// docs/scap-format.md in the repository describes every block version.
//
// Reader reads every block version libscap has written: section headers of
// any 1.x version with pcapng options, process lists V1 to V9, fd lists V1
// and V2, interface and user lists V1 and V2, event blocks with and without
// flags, v1 (no parameter count in the event header: it is inferred from the
// lengths, and the event is rewritten in place with the 26-byte v2 header)
// and v2, normal and large. Gzip-compressed files
// are detected by their magic. Unknown blocks are skipped. Iterating events
// does not allocate: an event's bytes are a view into the reader's buffer,
// valid until the next call.
//
// Writer writes what current libscap writes: a version 1.2 section header,
// machine info, IL_V2, UL_V2, PL_V9, FDL_V2 and EV_V2/EVF_V2 blocks (the
// large variants for the large-payload event types), optionally gzip
// compressed. The result reads back with sysdig 0.29.3, current libscap and
// tshark.
//
// The package does not interpret events beyond their header (see package
// event) and keeps no process state (see package state): Metadata is the
// capture's snapshot of the system when it started, as the file stores it.
//
// A minimal loop:
//
//	r, err := scap.Open("trace.scap")
//	if err != nil { ... }
//	defer r.Close()
//	var e event.Event
//	for {
//		if err := r.Next(&e); err == io.EOF {
//			break
//		} else if err != nil {
//			return err // "scap: block at offset 1234: ..."
//		}
//		fmt.Println(e.Num, e.Type(), e.Tid())
//	}
package scap
