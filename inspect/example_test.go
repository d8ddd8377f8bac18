package inspect_test

import (
	"errors"
	"fmt"
	"io"

	"github.com/syscope/syscope/format"
	"github.com/syscope/syscope/inspect"
	"github.com/syscope/syscope/scap"
)

func Example() {
	src, err := scap.Open("trace.scap")
	if err != nil {
		fmt.Println(err)
		return
	}
	in, err := inspect.New(src, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer in.Close()
	if err := in.SetFilter("evt.type = open and fd.name startswith /etc"); err != nil {
		fmt.Println(err)
		return
	}
	f, err := format.New("%evt.num %proc.name %fd.name", in.Resolver(), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	var line []byte
	for {
		c, err := in.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			fmt.Println(err)
			return
		}
		if inspect.Hidden(c) {
			continue
		}
		var ok bool
		if line, ok = f.Append(line[:0], c); ok {
			fmt.Println(string(line))
		}
	}
}
