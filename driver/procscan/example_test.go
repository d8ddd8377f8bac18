package procscan_test

import (
	"fmt"

	"github.com/syscope/syscope/driver/procscan"
)

// Scan the running system and look up the init process.
func ExampleScan() {
	md, st, err := procscan.Scan(nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	if p := md.Process(1); p != nil {
		fmt.Println("pid 1 runs", p.ExePath)
	}
	fmt.Println(st.Threads > 0)
}
