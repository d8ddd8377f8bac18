package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/syscope/syscope/internal/testenv"
)

func runCmd(t *testing.T, args ...string) (string, error) {
	t.Helper()
	root := newRoot()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(args)
	err := root.Execute()
	return out.String(), err
}

func TestRulesValidate(t *testing.T) {
	good := writeFile(t, "good.yaml", testRules)
	warn := writeFile(t, "warn.yaml", "- macro: unused\n  condition: evt.type = open\n"+testRules)
	bad := writeFile(t, "bad.yaml", "- rule: x\n  desc: d\n  condition: evt.type = open and\n  output: o\n  priority: WARNING\n")

	out, err := runCmd(t, "rules", "validate", good, warn)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	want := "Validating rules file(s):\n   " + good + "\n   " + warn + "\n" + good + ": Ok\n" + warn + ": Ok, with warnings\n1 warnings:\n"
	if !strings.HasPrefix(out, want) || !strings.Contains(out, "LOAD_UNUSED_MACRO") {
		t.Errorf("output:\n%s", out)
	}

	out, err = runCmd(t, "rules", "validate", bad)
	if !errors.Is(err, errInvalidRules) || !strings.Contains(out, bad+": Invalid") || !strings.Contains(out, "LOAD_ERR_COMPILE_CONDITION") {
		t.Errorf("%v\n%s", err, out)
	}

	out, err = runCmd(t, "rules", "validate", "--json", good, bad)
	if !errors.Is(err, errInvalidRules) {
		t.Errorf("err %v", err)
	}
	var j struct {
		Results []struct {
			Name       string `json:"name"`
			Successful bool   `json:"successful"`
			Errors     []struct {
				Code string `json:"code"`
			} `json:"errors"`
		} `json:"falco_load_results"`
	}
	if err := json.Unmarshal([]byte(out), &j); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if len(j.Results) != 2 || !j.Results[0].Successful || j.Results[1].Successful || len(j.Results[1].Errors) != 1 {
		t.Errorf("%+v", j)
	}
}

// The three upstream files validate together with the fields syscope run
// evaluates them with.
func TestRulesValidateUpstream(t *testing.T) {
	files := []string{
		testenv.Shared(t, "rules", "falco_rules.yaml"),
		testenv.Shared(t, "rules", "falco-incubating_rules.yaml"),
		testenv.Shared(t, "rules", "falco-sandbox_rules.yaml"),
	}
	out, err := runCmd(t, append([]string{"rules", "validate"}, files...)...)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, f := range files {
		if !strings.Contains(out, f+": Ok") {
			t.Errorf("%s not Ok:\n%s", f, out)
		}
	}
}

func TestRulesList(t *testing.T) {
	good := writeFile(t, "good.yaml", testRules)
	out, err := runCmd(t, "rules", "list", "-r", good)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "RULE") || !strings.HasPrefix(lines[1], "shadow ") ||
		!strings.Contains(lines[1], "Warning") || !strings.Contains(lines[2], "Informational") {
		t.Errorf("list:\n%s", out)
	}
	out, err = runCmd(t, "rules", "list", "-r", good, "--json")
	if err != nil {
		t.Fatal(err)
	}
	var rs []listedRule
	if err := json.Unmarshal([]byte(out), &rs); err != nil {
		t.Fatal(err)
	}
	if len(rs) != 2 || rs[0].Name != "shadow" || rs[0].Compiled != "(evt.type = openat and fd.name = /etc/shadow)" ||
		len(rs[0].EventTypes) == 0 || rs[0].Tags[0] != "creds" {
		t.Errorf("%+v", rs)
	}
	// Without -r: the embedded rules.
	out, err = runCmd(t, "rules", "list")
	if err != nil || strings.Count(out, "\n") < 10 {
		t.Errorf("embedded rules: %v\n%s", err, out)
	}
	if _, err := runCmd(t, "rules", "list", "-r", "/nonexistent.yaml"); err == nil {
		t.Error("no error for a missing file")
	}
}
