package fields

// builtinClasses returns the classes of the default registry.
func builtinClasses() []*Class {
	return []*Class{
		evtClass(),
		procClass(),
		userClass(),
		groupClass(),
		fdClass(),
		fdlistClass(),
		fsPathClass(),
		syslogClass(),
		utilClass(),
	}
}
