// Package containerfields defines the container.*, k8s.* and
// proc.is_container_* fields of filters and output formats, with the
// semantics of the Falco container plugin (current Falco) and, where they
// differ, of libsinsp as sysdig 0.29.3 ships it (fields.Sysdig029).
//
// A Tracker ties threads to containers: it detects a thread's container
// from the cgroups the state engine keeps for it (package container reads
// the cgroup layouts), caches the result per thread, and asks a
// container.Manager for the container's metadata, which never blocks: a
// container whose lookup has not finished shows only its id. Attach a
// Tracker to the fields.Env of an inspector before resolving fields:
//
//	m := container.NewManager(container.Options{Clients: clients})
//	tr := containerfields.NewTracker(m, nil)
//	in, _ := inspect.New(src, nil)
//	tr.Attach(in.Env())
//	in.SetFilter("container.id != host and container.privileged = true")
//
// Importing the package registers its classes in fields.Default().
// Without an attached Tracker the fields answer as for a machine without
// containers (every thread on the host), or, when the Env has a
// ContainerID function, with ids but no metadata.
//
// Extraction does not allocate once a thread's container is cached (the
// label lists are rendered once per container record). The package does
// not talk to container runtimes (see package container) and does not
// read or write captures (see package container/capture).
package containerfields
