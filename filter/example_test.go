package filter_test

import (
	"fmt"

	"github.com/syscope/syscope/filter"
)

func Example() {
	e, err := filter.Parse("evt.type=open and proc.name in (bash, sh) and not fd.name startswith /proc")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(filter.Render(e))

	// Bind the filter to a context type through a Resolver.
	match, err := filter.Compile[*testEvent](e, testResolver{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(match(&testEvent{Type: "open", Name: "bash", FD: &testFD{Name: "/etc/passwd"}}))
	fmt.Println(match(&testEvent{Type: "open", Name: "bash", FD: &testFD{Name: "/proc/1/stat"}}))
	// Output:
	// (evt.type = open and proc.name in (bash, sh) and not fd.name startswith /proc)
	// true
	// false
}

func ExampleParse_error() {
	_, err := filter.Parse("evt.type = open and proc.name =")
	fmt.Println(err)
	// Output:
	// filter: 1:32: expected a value, or a field in val() or a transformer
}

func ExampleCheck() {
	e, _ := filter.Parse("evt.num contains 4")
	fmt.Println(filter.Check(e, testResolver{}))
	// Output:
	// filter: 1:1: evt.num: operator 'contains' not supported on numeric fields
}
